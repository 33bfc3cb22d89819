"""Time to insight: from a capture to a result on the ground, traditional versus in orbit.

The model is a small discrete-event simulation, one FIFO queue per satellite, run over the
analysis grid (vectorised per satellite in numba kernels).

Captures
    Every satellite images ``sensor_duty`` of the time in captures of ``workload.capture_s``
    seconds, evenly spaced every ``capture_s / sensor_duty`` seconds, with a per-satellite
    phase (golden-ratio spread) so that captures are spread over the analysis window. A
    capture of ``sensor_rate x capture_s`` raw bytes is *ready* when it ends; every wait is
    measured from that moment.

Ground contact
    A satellite is in contact during the grid interval ``[t_i, t_i + step)`` when it is at or
    above some ground station's elevation mask at ``t_i`` (sample and hold: the grid step
    bounds the timing error). While in contact it downlinks at its bus ``downlink_mbps``;
    stations are assumed to have enough antennas for every satellite they see.

Traditional
    Raw data waits in the satellite's FIFO queue and is downlinked during contacts, at the
    link rate; when the raw volume exceeds what contacts can carry, the queue (backlog) grows.
    Each capture is then processed on the ground: delivery = downlink done +
    ``ground_processing_s``.

In orbit
    The capture is processed on board by a FIFO compute queue at the satellite's processing
    rate ``tops x 1e12 / ops_per_byte`` bytes/s (so captures queue when the compute is short).
    The result (``raw x output_ratio`` bytes) is then

    * on a shell with inter-satellite links: routed over the ISL graph active at that epoch
      (the mission's topology, :mod:`core.analysis.topology`) to the nearest satellite, in
      hops, that is in contact with a station, and downlinked there; each hop costs the
      light time over the median ISL length plus the serialisation at ``isl_gbps``. When no
      satellite in contact is reachable, it waits for the first epoch when one is. Results
      are small, so they are assumed not to contend with other traffic;
    * without ISLs: queued FIFO on the satellite's own downlink, like the raw data above.

Horizon
    The queues start empty at the epoch. Captures are made only inside the analysis window;
    to let late captures finish, the window's contact (and link) pattern is repeated
    periodically after it (at least three days in all). A capture still not delivered at the
    end of that horizon counts as undelivered: its wait is infinite, the JSON reports the
    ``undelivered_fraction``, and a percentile that falls on it is ``null``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit

C_KM_S = 299_792.458
GOLDEN = 0.6180339887498949
MIN_HORIZON_S = 3 * 86400.0


# ---------------------------------------------------------------------------------- kernels
@njit(cache=True, nogil=True)
def _cum_capacity(contact_row, n_int, tiles, step_s, rate):
    """Cumulative link capacity (bytes) at the edges of the tiled intervals."""
    total = n_int * tiles
    cum = np.empty(total + 1)
    cum[0] = 0.0
    for k in range(total):
        cum[k + 1] = cum[k] + (rate * step_s if contact_row[k % n_int] else 0.0)
    return cum


@njit(cache=True, nogil=True)
def _served_at(cum, t, step_s):
    """Cumulative capacity at time ``t`` (piecewise linear in the tiled intervals)."""
    total = cum.size - 1
    i = int(np.floor(t / step_s))
    if i < 0:
        return 0.0
    if i >= total:
        return cum[total]
    return cum[i] + (cum[i + 1] - cum[i]) * (t - i * step_s) / step_s


@njit(cache=True, nogil=True)
def _time_when_served(cum, target, step_s):
    """First time the cumulative capacity reaches ``target``; inf beyond the horizon."""
    total = cum.size - 1
    if target > cum[total]:
        return np.inf
    j = np.searchsorted(cum, target)  # first edge with cum >= target
    if j == 0:
        return 0.0
    slope = cum[j] - cum[j - 1]
    if slope <= 0.0:
        return j * step_s
    return (j - 1) * step_s + (target - cum[j - 1]) / slope * step_s


@njit(cache=True, nogil=True)
def _fifo_link(arrival_s, size_bytes, cum, step_s, out):
    """FIFO over a link with cumulative capacity ``cum``; writes departure times into ``out``."""
    prev = -np.inf
    for k in range(arrival_s.size):
        start = max(arrival_s[k], prev)
        if not np.isfinite(start):
            out[k] = np.inf
            prev = np.inf
            continue
        if size_bytes[k] <= 0.0:
            out[k] = start
        else:
            out[k] = max(start, _time_when_served(cum, _served_at(cum, start, step_s) + size_bytes[k], step_s))
        prev = out[k]


@njit(cache=True, nogil=True)
def traditional_kernel(ptr, arrival_s, size_bytes, contact, step_s, downlink_bps, tiles):
    """Raw-data downlink completion time of every capture (FIFO per satellite).

    ``ptr`` (n_sat + 1) slices the flat capture arrays per satellite (each slice sorted by
    arrival); ``contact`` is ``(n_sat, n_time)`` bool on the grid; ``downlink_bps`` per satellite.
    """
    n_sat = ptr.size - 1
    n_int = contact.shape[1] - 1
    out = np.empty(arrival_s.size)
    for s in range(n_sat):
        a, b = ptr[s], ptr[s + 1]
        if a == b:
            continue
        cum = _cum_capacity(contact[s], n_int, tiles, step_s, downlink_bps[s] / 8.0)
        _fifo_link(arrival_s[a:b], size_bytes[a:b], cum, step_s, out[a:b])
    return out


@njit(cache=True, nogil=True)
def in_orbit_kernel(ptr, arrival_s, size_bytes, contact, hops, has_isl, step_s, processing_bps_bytes, output_ratio,
                    downlink_bps, isl_bps, hop_light_s, tiles):
    """On-board processing end and result delivery time of every capture.

    ``hops`` ``(n_sat, n_time)``: ISL hops to the nearest satellite in contact (-1 none).
    Returns ``(processed_s, delivered_s)``.
    """
    n_sat = ptr.size - 1
    n_int = contact.shape[1] - 1
    total = n_int * tiles
    done = np.empty(arrival_s.size)
    out = np.empty(arrival_s.size)
    nxt = np.empty(total + 1, np.int64)
    for s in range(n_sat):
        a, b = ptr[s], ptr[s + 1]
        if a == b:
            continue
        prev = -np.inf
        for k in range(a, b):
            start = max(arrival_s[k], prev)
            rate = processing_bps_bytes[s]
            done[k] = start + (size_bytes[k] / rate if rate > 0 else np.inf)
            prev = done[k]
        result = size_bytes[a:b] * output_ratio
        if has_isl[s]:
            nxt[total] = -1
            for i in range(total - 1, -1, -1):
                nxt[i] = i if hops[s, i % n_int] >= 0 else nxt[i + 1]
            for k in range(a, b):
                t = done[k]
                i = int(np.floor(t / step_s)) if np.isfinite(t) else total
                if i >= total or nxt[i] < 0:
                    out[k] = np.inf
                    continue
                j = nxt[i]
                t0 = max(t, j * step_s)
                h = hops[s, j % n_int]
                r = result[k - a]
                out[k] = t0 + h * (hop_light_s[s] + r * 8.0 / isl_bps[s]) + r * 8.0 / downlink_bps[s]
        else:
            cum = _cum_capacity(contact[s], n_int, tiles, step_s, downlink_bps[s] / 8.0)
            _fifo_link(done[a:b], result, cum, step_s, out[a:b])
    return done, out


@njit(cache=True, nogil=True)
def hops_to_contact(n_sat, edges, active, contact):
    """ISL hops from every satellite to the nearest satellite in contact, per epoch.

    ``edges`` ``(n_edge, 2)``, ``active`` ``(n_time, n_edge)`` bool, ``contact`` ``(n_sat,
    n_time)`` bool. Multi-source breadth-first search per epoch; -1 where none is reachable.
    """
    n_time = contact.shape[1]
    n_edge = edges.shape[0]
    deg = np.zeros(n_sat + 1, np.int64)
    for e in range(n_edge):
        deg[edges[e, 0] + 1] += 1
        deg[edges[e, 1] + 1] += 1
    ptr = np.cumsum(deg)
    fill = ptr[:-1].copy()
    nbr = np.empty(2 * n_edge, np.int64)
    eid = np.empty(2 * n_edge, np.int64)
    for e in range(n_edge):
        u, v = edges[e, 0], edges[e, 1]
        nbr[fill[u]] = v
        eid[fill[u]] = e
        fill[u] += 1
        nbr[fill[v]] = u
        eid[fill[v]] = e
        fill[v] += 1
    out = np.full((n_sat, n_time), -1, np.int32)
    queue = np.empty(n_sat, np.int64)
    for t in range(n_time):
        head = 0
        tail = 0
        for s in range(n_sat):
            if contact[s, t]:
                out[s, t] = 0
                queue[tail] = s
                tail += 1
        while head < tail:
            u = queue[head]
            head += 1
            for q in range(ptr[u], ptr[u + 1]):
                v = nbr[q]
                if out[v, t] < 0 and active[t, eid[q]]:
                    out[v, t] = out[u, t] + 1
                    queue[tail] = v
                    tail += 1
    return out


# ---------------------------------------------------------------------------------- inputs
def capture_schedule(n_sat: int, duration_s: float, capture_s: float, duty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Captures of every satellite over ``[0, duration_s]``: ``(ptr (n_sat+1,), ready_s)``.

    Satellite ``s`` starts a capture every ``capture_s / duty[s]`` seconds from a phase
    ``frac(s x 0.618...) x spacing``; a capture is ready ``capture_s`` after it starts and
    only captures that end inside the window count.
    """
    duty = np.broadcast_to(np.asarray(duty, float), (n_sat,))
    ready, counts = [], np.zeros(n_sat, np.int64)
    for s in range(n_sat):
        if duty[s] <= 0:
            continue
        spacing = capture_s / duty[s]
        phase = ((s * GOLDEN) % 1.0) * spacing
        starts = np.arange(phase, duration_s - capture_s + 1e-9, spacing)
        ready.append(starts + capture_s)
        counts[s] = starts.size
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return ptr, (np.concatenate(ready) if ready else np.zeros(0))


def _quantiles(values: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Quantiles (linear between order statistics, as numpy's default) with infinite waits kept.

    An undelivered capture is an infinite wait; a quantile that touches one is infinite. Only
    the order statistics needed are placed (``np.partition``), not the whole array sorted.
    """
    if values.size == 0:
        return [float("nan")] * len(qs)
    pos = [q * (values.size - 1) for q in qs]
    ranks = sorted({int(np.floor(p)) for p in pos} | {int(np.ceil(p)) for p in pos})
    part = np.partition(values, ranks)
    out = []
    for p in pos:
        lo, hi = int(np.floor(p)), int(np.ceil(p))
        a, b = part[lo], part[hi]
        out.append(float(a + (b - a) * (p - lo)) if np.isfinite(a) and np.isfinite(b) else float("inf"))
    return out


@njit(cache=True, nogil=True)
def _positive_range(waits: np.ndarray) -> tuple[float, float]:
    """(min, max) of the finite, positive waits; (inf, -inf) when there are none."""
    lo, hi = np.inf, -np.inf
    for x in waits:
        if x > 0.0 and x < np.inf:
            lo = min(lo, x)
            hi = max(hi, x)
    return lo, hi


@njit(cache=True, nogil=True)
def _log10_histogram(waits: np.ndarray, lo: float, hi: float, counts: np.ndarray) -> None:
    """Add the finite, positive waits to ``counts``: equal bins of log10(wait) over [lo, hi]."""
    n = counts.size
    width = (hi - lo) / n
    for x in waits:
        if x > 0.0 and x < np.inf:
            k = int((np.log10(x) - lo) / width)
            if k == n:  # the last bin is closed, as numpy's
                k = n - 1
            if 0 <= k < n:
                counts[k] += 1


# ---------------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class InsightResult:
    """Waits from capture to result on the ground, per capture, for both models.

    ``ready_s`` (n_capture,) capture ready times (s from the epoch); ``sat`` their satellite;
    ``traditional_s`` and ``in_orbit_s`` the waits (inf: undelivered within the horizon);
    ``processed_s`` when on-board processing finished; ``backlog_end_gbit`` (n_sat,) raw
    data still queued on board at the end of the window (traditional);
    ``backlog_peak_gbit`` (n_sat,) the largest raw queue (storage the traditional model needs).
    """

    ready_s: np.ndarray
    sat: np.ndarray
    traditional_s: np.ndarray
    in_orbit_s: np.ndarray
    processed_s: np.ndarray
    backlog_end_gbit: np.ndarray
    backlog_peak_gbit: np.ndarray
    raw_gbit_per_day: float
    result_gbit_per_day: float
    downlink_capacity_gbit_per_day: float
    duration_s: float
    horizon_s: float

    def summary(self, waits: np.ndarray) -> dict:
        def num(x):
            return float(x) if np.isfinite(x) else None

        done = np.isfinite(waits)
        median, p95 = _quantiles(waits, (0.5, 0.95))
        return {
            "median_s": num(median),
            "p95_s": num(p95),
            "mean_s": num(float(np.mean(waits[done]))) if done.any() else None,
            "max_s": num(float(np.max(waits))) if waits.size else None,
            "captures": int(waits.size),
            "undelivered_fraction": float(1.0 - done.mean()) if waits.size else 0.0,
        }

    @cached_property
    def speedup_median(self) -> float:
        (t,), (o,) = _quantiles(self.traditional_s, (0.5,)), _quantiles(self.in_orbit_s, (0.5,))
        return float(t / o) if np.isfinite(t) and np.isfinite(o) and o > 0 else float("nan")

    @property
    def downlink_reduction(self) -> float:
        return self.raw_gbit_per_day / self.result_gbit_per_day if self.result_gbit_per_day > 0 else float("nan")

    def distribution(self, which: str = "traditional") -> tuple[np.ndarray, np.ndarray]:
        """Sorted waits (s) and their cumulative fraction, for a CDF plot."""
        v = np.sort(self.traditional_s if which == "traditional" else self.in_orbit_s)
        return v, (np.arange(v.size) + 1) / max(v.size, 1)

    def to_json(self) -> dict:
        """Summary for the results document (a fresh copy: the result itself is immutable)."""
        return copy.deepcopy(self._summary_doc)

    @cached_property
    def _summary_doc(self) -> dict:
        trad = self.summary(self.traditional_s) | {"downlink_gbit_per_day": self.raw_gbit_per_day,
                                                   "backlog_end_gbit_max": float(np.max(self.backlog_end_gbit, initial=0.0)),
                                                   "backlog_peak_gbit_max": float(np.max(self.backlog_peak_gbit, initial=0.0))}
        orbit = self.summary(self.in_orbit_s) | {"downlink_gbit_per_day": self.result_gbit_per_day}
        s, r = self.speedup_median, self.downlink_reduction
        return {
            "traditional": trad,
            "in_orbit": orbit,
            "speedup_median": s if np.isfinite(s) else None,
            "downlink_reduction": r if np.isfinite(r) else None,
            "downlink_capacity_gbit_per_day": self.downlink_capacity_gbit_per_day,
            "horizon_s": self.horizon_s,
        }

    def wait_histogram(self, n_bins: int = 60) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Histogram of log10(wait / s) on shared bin edges, as a share of *all* captures (%).

        Returns ``(edges (n_bins + 1,), {"traditional": pct, "in_orbit": pct})``; undelivered
        captures are in no bin, so each model's bars sum to its delivered share. Empty edges
        when nothing was delivered. Computed once per result (the plots ask on every refresh).
        """
        cache = self.__dict__.setdefault("_histograms", {})
        if n_bins not in cache:
            samples = {"traditional": np.ascontiguousarray(self.traditional_s, dtype=np.float64),
                       "in_orbit": np.ascontiguousarray(self.in_orbit_s, dtype=np.float64)}
            ranges = [_positive_range(v) for v in samples.values()]
            lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
            if lo > hi:  # nothing delivered
                cache[n_bins] = (np.zeros(0), {k: np.zeros(0) for k in samples})
            else:
                edges = np.linspace(np.log10(lo) - 0.1, np.log10(hi) + 0.1, n_bins + 1)
                pct = {}
                for k, v in samples.items():
                    counts = np.zeros(n_bins, dtype=np.int64)
                    _log10_histogram(v, edges[0], edges[-1], counts)
                    pct[k] = 100.0 * counts / max(v.size, 1)
                cache[n_bins] = (edges, pct)
        return cache[n_bins]

    def tables(self) -> list:
        from core.analysis.tables import Table

        j = self.to_json()

        def fmt(x):
            return "undelivered" if x is None else round(x, 1)

        rows = [
            [name, fmt(d["median_s"]), fmt(d["p95_s"]), round(d["downlink_gbit_per_day"], 3), round(d["undelivered_fraction"], 4)]
            for name, d in (("traditional", j["traditional"]), ("in orbit", j["in_orbit"]))
        ]
        rows.append(["speed-up (median)", fmt(j["speedup_median"]), "", fmt(j["downlink_reduction"]), "downlink reduction"])
        return [Table("Time to insight", ["model", "median s", "p95 s", "downlink Gbit/day", "undelivered"], rows)]


@njit(cache=True, nogil=True)
def _backlog(ptr, ready, size, dep, t_end):
    """Raw bytes queued at ``t_end`` and the peak queue, per satellite (counted until departure).

    ``ready`` is sorted within each satellite's segment; the queue just after capture ``j``
    arrives is everything that arrived so far minus everything that departed by then.
    """
    n = ptr.size - 1
    end = np.zeros(n)
    peak = np.zeros(n)
    for s in range(n):
        a, b = ptr[s], ptr[s + 1]
        if a == b:
            continue
        order = np.argsort(dep[a:b], kind="mergesort")
        cum_in = 0.0
        cum_out = 0.0
        k = 0
        best = 0.0
        queued = 0.0
        for j in range(a, b):
            cum_in += size[j]
            while k < b - a and dep[a + order[k]] <= ready[j]:
                cum_out += size[a + order[k]]
                k += 1
            if cum_in - cum_out > best:
                best = cum_in - cum_out
            if ready[j] <= t_end and dep[j] > t_end:
                queued += size[j]
        peak[s] = best
        end[s] = queued
    return end, peak


def insight_from_arrays(
    *,
    step_s: float,
    contact: np.ndarray,
    ptr: np.ndarray,
    ready_s: np.ndarray,
    size_bytes: np.ndarray,
    downlink_mbps: np.ndarray,
    processing_bytes_per_s: np.ndarray,
    output_ratio: float,
    ground_processing_s: float,
    hops: np.ndarray | None = None,
    has_isl: np.ndarray | None = None,
    isl_gbps: np.ndarray | None = None,
    hop_light_s: np.ndarray | None = None,
    tiles: int | None = None,
) -> InsightResult:
    """Run both models on plain arrays (see the module docstring).

    ``contact`` ``(n_sat, n_time)`` bool on a regular grid of ``step_s``; ``ptr``/``ready_s``/
    ``size_bytes`` the captures (flat, sliced per satellite by ``ptr``, sorted in each slice);
    per-satellite ``downlink_mbps``, ``processing_bytes_per_s`` (inf: instant), ``isl_gbps``
    and ``hop_light_s``; ``hops`` ``(n_sat, n_time)`` ISL hops to the nearest satellite in
    contact (-1 none) and ``has_isl`` for satellites that route over ISLs.
    """
    contact = np.ascontiguousarray(contact, dtype=bool)
    n_sat, n_time = contact.shape
    if n_time < 2:
        raise ValueError("the time-to-insight model needs at least two epochs")
    n_int = n_time - 1
    duration = n_int * step_s
    if tiles is None:
        tiles = max(3, int(np.ceil(MIN_HORIZON_S / duration)))
    per_sat = lambda x, default: np.ascontiguousarray(np.broadcast_to(np.asarray(default if x is None else x, float), (n_sat,)))
    down_bps = per_sat(downlink_mbps, 0.0) * 1e6
    proc = per_sat(processing_bytes_per_s, np.inf)
    isl_bps = per_sat(isl_gbps, 1.0) * 1e9
    light = per_sat(hop_light_s, 0.0)
    has_isl = np.zeros(n_sat, bool) if has_isl is None else np.ascontiguousarray(np.broadcast_to(has_isl, (n_sat,)), dtype=bool)
    hops = np.where(contact, 0, -1).astype(np.int32) if hops is None else np.ascontiguousarray(hops, dtype=np.int32)
    ptr = np.ascontiguousarray(ptr, dtype=np.int64)
    ready = np.ascontiguousarray(ready_s, dtype=float)
    size = np.ascontiguousarray(size_bytes, dtype=float)

    dep_raw = traditional_kernel(ptr, ready, size, contact, float(step_s), down_bps, int(tiles))
    processed, delivered = in_orbit_kernel(ptr, ready, size, contact, hops, has_isl, float(step_s), proc, float(output_ratio),
                                           down_bps, isl_bps, light, int(tiles))
    sat = np.repeat(np.arange(n_sat), np.diff(ptr))
    end, peak = _backlog(ptr, ready, size, dep_raw, duration)
    per_day = 86400.0 / duration
    raw_gbit_day = float(size.sum()) * 8 / 1e9 * per_day
    capacity = float((contact[:, :-1].sum(axis=1) * step_s * down_bps).sum()) / 1e9 * per_day
    return InsightResult(
        ready_s=ready,
        sat=sat,
        traditional_s=dep_raw + ground_processing_s - ready,
        in_orbit_s=delivered - ready,
        processed_s=processed,
        backlog_end_gbit=end * 8 / 1e9,
        backlog_peak_gbit=peak * 8 / 1e9,
        raw_gbit_per_day=raw_gbit_day,
        result_gbit_per_day=raw_gbit_day * float(output_ratio),
        downlink_capacity_gbit_per_day=capacity,
        duration_s=duration,
        horizon_s=duration * tiles,
    )


def _isl_inputs(mission, eph, topo, contact):
    """Hops to the nearest satellite in contact and the per-hop light time, from the topology."""
    if topo is None:
        from core.analysis.topology import compute_topology

        topo = compute_topology(mission, eph)
    light = np.zeros(eph.n_sat)
    if topo.n_edge == 0:
        return np.where(contact, 0, -1).astype(np.int32), light
    edges = np.ascontiguousarray(topo.isl_edges, dtype=np.int64)
    hops = hops_to_contact(eph.n_sat, edges, np.ascontiguousarray(topo.isl_active, dtype=bool), contact)
    length = np.linalg.norm(eph.r_eci_km[edges[:, 0], 0] - eph.r_eci_km[edges[:, 1], 0], axis=-1)
    shell_of_edge = eph.shell_index[edges[:, 0]]
    for shell in eph.shells:
        sel = shell_of_edge == shell.index
        if sel.any():
            light[shell.sat_slice] = float(np.median(length[sel])) / C_KM_S
    return hops, light


def compute_insight(mission, eph, access=None, topology=None, compute=None) -> InsightResult | None:
    """Time to insight of the mission's captures; ``None`` without ground stations (or captures).

    ``access`` (:mod:`core.analysis.access`, whose contact mask says when each satellite is in view of
    a station) and ``topology`` (:mod:`core.analysis.topology`) are reused when given and computed
    when omitted. ``compute`` supplies the processing
    rates (sized here when omitted).
    """
    if not mission.ground_stations:
        return None
    from core.analysis.compute import raw_rate_bytes_per_s, size_compute

    compute = compute or size_compute(mission, eph)
    if access is None:
        from core.analysis.access import compute_access

        access = compute_access(mission, eph)
    contact = np.asarray(access.in_contact).any(axis=0)  # (n_sat, n_time): in view of some station
    n = eph.n_sat
    duty, raw_bps, down, proc, isl, has_isl = (np.zeros(n) for _ in range(6))
    has_isl = has_isl.astype(bool)
    for shell in eph.shells:
        bus = mission.bus_for(mission.constellations[shell.index])
        sc = compute.shells[shell.index] if len(compute.shells) == len(eph.shells) else compute.shell(shell.name)
        sl = shell.sat_slice
        duty[sl], raw_bps[sl], down[sl] = bus.sensor_duty, raw_rate_bytes_per_s(bus), bus.downlink_mbps
        proc[sl], isl[sl] = sc.processing_bytes_per_s, bus.isl_gbps
        has_isl[sl] = shell.isl == "plus-grid" and bus.isl_gbps > 0
    capture_s = mission.workload.capture_s
    step = eph.time.step_s
    duration = (eph.n_time - 1) * step
    ptr, ready = capture_schedule(n, duration, capture_s, duty)
    if ready.size == 0:
        return None
    size = np.repeat(raw_bps * capture_s, np.diff(ptr))
    hops, light = _isl_inputs(mission, eph, topology, contact) if has_isl.any() else (None, None)
    return insight_from_arrays(
        step_s=step, contact=contact, ptr=ptr, ready_s=ready, size_bytes=size, downlink_mbps=down,
        processing_bytes_per_s=proc, output_ratio=mission.workload.output_ratio,
        ground_processing_s=mission.workload.ground_processing_s, hops=hops, has_isl=has_isl,
        isl_gbps=isl, hop_light_s=light,
    )
