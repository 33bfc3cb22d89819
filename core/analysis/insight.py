"""Time to insight: from a capture to a result on the ground, traditional versus in orbit.

The model is a small discrete-event simulation, one FIFO queue per satellite, run over the
analysis grid (vectorised per satellite in numba kernels).

Captures
    Every satellite images ``sensor_duty`` of the time in captures of ``workload.capture_s``
    seconds, evenly spaced every ``capture_s / sensor_duty`` seconds, with a per-satellite
    phase (golden-ratio spread) so that captures are spread over the analysis window. A
    capture of ``sensor_rate x capture_s`` raw bytes is *ready* when it ends; every wait is
    measured from that moment.

Ground contact: one ground segment
    A satellite downlinks only while an antenna tracks it, as the access analysis' antenna
    schedule says (:mod:`core.analysis.access`: ``antennas`` per station, first come, first
    served, one antenna per satellite at a time). On the analysis grid that is the share of
    each step the satellite is tracked (``served_fraction``); while tracked it downlinks at
    its bus ``downlink_mbps``. So ``downlink_capacity_gbit_per_day`` is exactly the access
    downlink per day.

Traditional
    Raw data waits in the satellite's FIFO queue and is downlinked while tracked, at the link
    rate. Each capture is then processed on the ground: delivery = downlink done +
    ``ground_processing_s``.

In orbit
    The capture is processed on board by a FIFO compute queue at the satellite's processing
    rate ``tops x 1e12 / ops_per_byte`` bytes/s (so captures queue when the compute is short).
    The result (``raw x output_ratio`` bytes) is then

    * on a shell with inter-satellite links: routed over the ISL graph active at that epoch
      (the mission's topology, :mod:`core.analysis.topology`) to the nearest satellite, in
      hops, that an antenna is tracking (during any part of that grid step), and downlinked there; each hop costs the light time
      over the median ISL length plus the serialisation at ``isl_gbps``. When no tracked
      satellite is reachable, it waits for the first epoch when one is. Results are small, so
      they are assumed not to contend with other traffic;
    * without ISLs: queued FIFO on the satellite's own downlink, like the raw data above.

Offloading (shells with inter-satellite links)
    A satellite whose captures arrive faster than its *delivered* compute processes them
    (:mod:`core.analysis.delivered`; nameplate for a sized design) would see its queue grow.
    Its excess (long-run arrival minus 95 % of its processing, bytes per window, so that its own
    queue settles) is handed to the nearest
    satellites, in ISL hops over the shell's links, that have spare delivered compute (95 % of
    their processing minus their own captures), nearest first, until the excess is placed or no
    reachable satellite has spare left; saturated satellites are served in index order and a
    helper's spare is shared first come, first served. Captures are offloaded evenly (every
    capture whose running share crosses an integer), spread over the helpers in proportion to
    what each took. An offloaded capture travels raw over the hops, each costing the light time
    over the median ISL length plus its serialisation at ``isl_gbps`` (store and forward); at
    the helper it joins a FIFO queue served at the helper's spare rate (shared in proportion
    among the satellites it helps), and its result goes down from there as any in-orbit result.
    The results report ``offloading``: the offloaded fraction of the raw data and the in-orbit
    figures with offloading beside those without (``in_orbit``).

Does the queue keep up? (stability)
    For every satellite the long-run arrival is compared with the long-run service, both per
    analysis window repeated periodically: raw bytes captured against what its tracked time
    carries (traditional); raw bytes against what the compute processes, and results against
    what the downlink carries or whether any tracked satellite is ever reachable (in orbit).
    A path is *stable* when every satellite's queues are. An unstable queue has no
    distribution of waits: its backlog grows without bound, so the path reports
    ``stable: false``, ``backlog_growth_gbit_per_day`` (the sum of the excesses), ``null``
    percentiles and a ``reason`` in words ("the downlink cannot keep up: the backlog grows by
    N Tbit a day").

Steady state
    A stable path reports steady-state figures: the window's captures and its contact (and
    link) pattern are repeated period after period, starting empty, until a period's waits
    equal the previous period's (the queue state at the period boundary repeats; a stable
    fluid queue under a periodic pattern reaches this in finitely many periods). The waits of
    that period are the figures, so the warm-up from an empty queue is excluded and the
    figures do not grow with the window. A stable queue that has not repeated within
    ``MAX_WARMUP_DAYS`` says so in ``reason`` and reports no percentiles. After the last
    period the pattern continues for at least three more days so that late captures finish;
    a capture still not delivered then counts as undelivered (infinite wait).
    For an unstable satellite the waits kept (for plots and the CSV) are those of the first
    window from an empty queue.

Blocks of satellites
    Every queue holds one satellite's captures (offloading: one source satellite's share at
    a helper, after a plan made once from per-satellite totals), so the models run one block
    of satellites at a time (:func:`insight_from_captures`, sized by the block budget,
    ``STARNET_BLOCK_MB``): a block's captures are regenerated from the schedule
    (:class:`CaptureSchedule`), run and dropped. The result keeps per capture only the waits
    and the processing end (float64: the exact percentiles, the CSV and the plots read them)
    and the offloaded flag; ready times and satellites are regenerated when read. The figures
    are the same whatever the blocks.

Tasks on an executor
    Each block is a task (:func:`insight_block`; offloading: :func:`offload_block`) run by
    :func:`core.orbits.blocks.map_blocks`: in this process, in order, without an executor; as
    tasks on one of :mod:`core.study.run` (local processes, a Dask cluster) with it. A task is
    sent plain arrays of its block only: its rows of the served shares and ISL hops, its
    per-satellite rates, the schedule's parameters that regenerate its captures
    (:class:`ScheduleBlock`) and, offloading, its sources' assignments of the plan (with their
    helpers' rows); it returns the block's figures and the caller writes them into the run's
    arrays. The hops (a search over the whole ISL graph per epoch) and the offloading plan are
    made once, here. The results equal the in-process run bit for bit.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, overload

import numpy as np
from numba import njit

from core.constants import C_KM_S
from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor, map_blocks, satellite_blocks
from core.orbits.ephemeris import Ephemeris

if TYPE_CHECKING:
    from core.analysis.access import AccessResult, ServedShares
    from core.analysis.compute import ComputeResult
    from core.analysis.topology import Topology

GOLDEN = 0.6180339887498949
MIN_TAIL_S = 3 * 86400.0
MAX_WARMUP_DAYS = 16.0
"""Longest warm-up (in days of repeated windows) allowed to reach the steady state."""
MIN_PERIODS = 8
REPEAT_TOL_S = 1e-3
"""Two periods repeat when no capture's wait differs by more than this."""
OFFLOAD_HEADROOM = 0.95
"""Offloading fills a satellite's own queue, and a helper's, to at most this share of its delivered compute."""
SCHEDULE_BLOCK_SATS = 4096
"""Satellites per block when the capture schedule is only counted."""
BLOCK_BYTES_PER_CAPTURE = 200
"""Scratch of the queue kernels per capture of a block of satellites (inputs, departures, offloading rows)."""
BLOCK_BYTES_PER_SAT_EPOCH = 24
"""Scratch per satellite and grid step of a block (its served shares as float64, hops, and the offloading rows')."""


# ---------------------------------------------------------------------------------- kernels
@njit(cache=True, nogil=True)
def _cum_capacity(served_row, tiles, step_s, rate):
    """Cumulative link capacity (bytes) at the edges of the tiled intervals."""
    n_int = served_row.size
    total = n_int * tiles
    cum = np.empty(total + 1)
    cum[0] = 0.0
    for k in range(total):
        cum[k + 1] = cum[k] + rate * step_s * served_row[k % n_int]
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
def _link_departure(cum, step_s, start, size):
    """Departure of ``size`` bytes entering a link (cumulative capacity ``cum``) at ``start``."""
    if not np.isfinite(start):
        return np.inf
    if size <= 0.0:
        return start
    return max(start, _time_when_served(cum, _served_at(cum, start, step_s) + size, step_s))


@njit(cache=True, nogil=True)
def _repeats(cur, prev):
    """Whether two periods' relative times agree (both infinite counts as different)."""
    for k in range(cur.size):
        if not (abs(cur[k] - prev[k]) <= REPEAT_TOL_S):
            return False
    return True


@njit(cache=True, nogil=True)
def _queue_figures(ready, size, dep, prev_dep, period_s, has_prev):
    """Peak queue after an arrival and queue at ``period_s``, bytes, in one (steady) period.

    ``dep`` are the period's departures in its own frame (FIFO, so non-decreasing);
    ``prev_dep`` the previous period's (``has_prev``), whose captures arrived ``period_s``
    earlier: they count while still queued. A stable queue never carries more than one period.
    """
    n = ready.size
    csum = np.zeros(n + 1)
    for k in range(n):
        csum[k + 1] = csum[k] + size[k]
    m = 0  # first current capture still queued
    mp = 0  # first previous-period capture still queued
    peak = 0.0
    for j in range(n):
        while m <= j and dep[m] <= ready[j]:
            m += 1
        q = csum[j + 1] - csum[m]
        if has_prev:
            while mp < n and prev_dep[mp] - period_s <= ready[j]:
                mp += 1
            q += csum[n] - csum[mp]
        peak = max(peak, q)
    end = 0.0
    for k in range(n):
        if dep[k] > period_s:
            end += size[k]
    return peak, end


@njit(cache=True, nogil=True)
def traditional_kernel(ptr, arrival_s, size_bytes, served, step_s, downlink_bps, periods, tail):
    """Raw-data downlink completion time of every capture, in the reported period's frame.

    ``ptr`` (n_sat + 1) slices the flat capture arrays per satellite (each slice sorted by
    arrival); ``served`` ``(n_sat, n_int)`` the tracked share of each grid interval;
    ``periods[s]`` the most repetitions of the window satellite ``s`` may take to repeat (1:
    the first window from empty only); ``tail`` more repetitions let late captures finish.
    Returns ``(departure_s, repeated (n_sat,), periods_used (n_sat,), peak_bytes, end_bytes)``.
    """
    n_sat = ptr.size - 1
    n_int = served.shape[1]
    period = n_int * step_s
    out = np.empty(arrival_s.size)
    repeated = np.zeros(n_sat, np.bool_)
    used = np.zeros(n_sat, np.int64)
    peak = np.zeros(n_sat)
    end = np.zeros(n_sat)
    for s in range(n_sat):
        a, b = ptr[s], ptr[s + 1]
        if a == b:
            repeated[s] = True
            continue
        cum = _cum_capacity(served[s], periods[s] + tail, step_s, downlink_bps[s] / 8.0)
        cur = np.empty(b - a)
        prev = np.empty(b - a)
        last = -np.inf
        for p in range(periods[s]):
            shift = p * period
            prev[:] = cur
            for k in range(b - a):
                start = max(arrival_s[a + k] + shift, last)
                last = _link_departure(cum, step_s, start, size_bytes[a + k])
                cur[k] = last - shift
            used[s] = p + 1
            if p > 0 and _repeats(cur, prev):
                repeated[s] = True
                break
        out[a:b] = cur
        peak[s], end[s] = _queue_figures(arrival_s[a:b], size_bytes[a:b], cur, prev, period, used[s] > 1)
    return out, repeated, used, peak, end


@njit(cache=True, nogil=True)
def in_orbit_kernel(ptr, arrival_s, size_bytes, served, hops, has_isl, step_s, processing_bps_bytes, output_ratio,
                    downlink_bps, isl_bps, hop_light_s, periods, tail):
    """On-board processing end and result delivery time of every capture (reported period's frame).

    ``hops`` ``(n_sat, n_int)``: ISL hops to the nearest tracked satellite (-1 none).
    Returns ``(processed_s, delivered_s, repeated (n_sat,), periods_used (n_sat,))``.
    """
    n_sat = ptr.size - 1
    n_int = served.shape[1]
    period = n_int * step_s
    done_out = np.empty(arrival_s.size)
    out = np.empty(arrival_s.size)
    repeated = np.zeros(n_sat, np.bool_)
    used = np.zeros(n_sat, np.int64)
    for s in range(n_sat):
        a, b = ptr[s], ptr[s + 1]
        if a == b:
            repeated[s] = True
            continue
        tiles = periods[s] + tail
        total = n_int * tiles
        rate = processing_bps_bytes[s]
        if has_isl[s]:
            nxt = np.empty(total + 1, np.int64)
            nxt[total] = -1
            for i in range(total - 1, -1, -1):
                nxt[i] = i if hops[s, i % n_int] >= 0 else nxt[i + 1]
            cum = np.zeros(1)
        else:
            nxt = np.zeros(1, np.int64)
            cum = _cum_capacity(served[s], tiles, step_s, downlink_bps[s] / 8.0)
        n = b - a
        cur_done, cur_out = np.empty(n), np.empty(n)
        prev_done, prev_out = np.empty(n), np.empty(n)
        last_done = -np.inf
        last_out = -np.inf
        for p in range(periods[s]):
            shift = p * period
            prev_done[:] = cur_done
            prev_out[:] = cur_out
            for k in range(n):
                start = max(arrival_s[a + k] + shift, last_done)
                t = start + (size_bytes[a + k] / rate if rate > 0 else np.inf)
                last_done = t
                cur_done[k] = t - shift
                r = size_bytes[a + k] * output_ratio
                if has_isl[s]:
                    i = int(np.floor(t / step_s)) if np.isfinite(t) else total
                    if i >= total or nxt[i] < 0:
                        d = np.inf
                    else:
                        j = nxt[i]
                        h = hops[s, j % n_int]
                        d = max(t, j * step_s) + h * (hop_light_s[s] + r * 8.0 / isl_bps[s]) + r * 8.0 / downlink_bps[s]
                else:
                    d = _link_departure(cum, step_s, max(t, last_out), r)
                    last_out = d
                cur_out[k] = d - shift
            used[s] = p + 1
            if p > 0 and _repeats(cur_out, prev_out) and _repeats(cur_done, prev_done):
                repeated[s] = True
                break
        done_out[a:b] = cur_done
        out[a:b] = cur_out
    return done_out, out, repeated, used


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
def capture_schedule(n_sat: int, duration_s: float, capture_s: float, duty: np.ndarray,
                     first: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Captures of every satellite over ``[0, duration_s]``: ``(ptr (n_sat+1,), ready_s)``.

    Satellite ``s`` starts a capture every ``capture_s / duty[s]`` seconds from a phase
    ``frac(s x 0.618...) x spacing``; a capture is ready ``capture_s`` after it starts and
    only captures that end inside the window count. ``first``: the run's index of the first
    of these satellites (a block of satellites ``first .. first + n_sat`` gets the same
    captures as in the whole run).
    """
    duty = np.broadcast_to(np.asarray(duty, float), (n_sat,))
    ready, counts = [], np.zeros(n_sat, np.int64)
    for s in range(n_sat):
        if duty[s] <= 0:
            continue
        spacing = capture_s / duty[s]
        phase = (((first + s) * GOLDEN) % 1.0) * spacing
        starts = np.arange(phase, duration_s - capture_s + 1e-9, spacing)
        ready.append(starts + capture_s)
        counts[s] = starts.size
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return ptr, (np.concatenate(ready) if ready else np.zeros(0))


class Captures:
    """The captures of a run, handed out per block of satellites (so that no stage needs them all).

    ``ptr`` (n_sat + 1,) slices the run's captures per satellite; :meth:`block_captures` gives
    what makes the captures of satellites ``s0:s1`` (what a block task is sent), :meth:`block`
    their ready times and sizes; :meth:`sizes` every capture's size (bytes).
    """

    ptr: np.ndarray

    def block_captures(self, s0: int, s1: int) -> BlockCaptures:
        """What makes the captures of satellites ``s0:s1``, and only those (small, picklable)."""
        raise NotImplementedError

    def block(self, s0: int, s1: int) -> tuple[np.ndarray, np.ndarray]:
        """``(ready_s, size_bytes)`` of the captures of satellites ``s0:s1`` (float64, in run order)."""
        _, ready, size = self.block_captures(s0, s1).arrays()
        return ready, size

    def sizes(self) -> np.ndarray:
        """Every capture's size in bytes, in run order (float64)."""
        raise NotImplementedError

    def ready_s(self) -> np.ndarray:
        """Every capture's ready time (s from the epoch), in run order."""
        return self.block(0, self.ptr.size - 1)[0]

    @property
    def n_capture(self) -> int:
        return int(self.ptr[-1])


@dataclass(frozen=True, eq=False)
class ArrayBlock:
    """The captures of one block of satellites given as arrays (``ptr`` from 0, sliced per satellite)."""

    ptr: np.ndarray
    ready_s: np.ndarray
    size_bytes: np.ndarray

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ptr, ready_s, size_bytes)`` of the block's captures."""
        return self.ptr, self.ready_s, self.size_bytes


@dataclass(frozen=True, eq=False)
class ScheduleBlock:
    """What regenerates the captures of satellites ``first .. first + duty.size`` of a :class:`CaptureSchedule`:
    the schedule's window and capture length and those satellites' duty and capture size (bytes)."""

    duration_s: float
    capture_s: float
    duty: np.ndarray
    bytes_per_capture: np.ndarray
    first: int

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ptr, ready_s, size_bytes)`` of the block's captures (``ptr`` from 0), as in the whole run."""
        ptr, ready = capture_schedule(self.duty.size, self.duration_s, self.capture_s, self.duty, self.first)
        return ptr, ready, np.repeat(self.bytes_per_capture, np.diff(ptr))


BlockCaptures = ArrayBlock | ScheduleBlock
"""The captures of one block of satellites, or what regenerates them (see :meth:`Captures.block_captures`)."""


class ArrayCaptures(Captures):
    """Captures given as flat arrays (sliced per satellite by ``ptr``, sorted in each slice)."""

    def __init__(self, ptr: np.ndarray, ready_s: np.ndarray, size_bytes: np.ndarray | None = None) -> None:
        self.ptr = np.ascontiguousarray(ptr, dtype=np.int64)
        self.ready = np.ascontiguousarray(ready_s, dtype=float)
        self.size = np.zeros(self.ready.size) if size_bytes is None else np.ascontiguousarray(size_bytes, dtype=float)

    def block_captures(self, s0: int, s1: int) -> ArrayBlock:
        a, b = int(self.ptr[s0]), int(self.ptr[s1])
        return ArrayBlock(self.ptr[s0:s1 + 1] - a, self.ready[a:b], self.size[a:b])

    def sizes(self) -> np.ndarray:
        return self.size

    def ready_s(self) -> np.ndarray:
        return self.ready


class CaptureSchedule(Captures):
    """The mission's evenly spaced captures (:func:`capture_schedule`), regenerated per block when asked.

    Keeps only ``ptr`` and the per-satellite duty and capture size (bytes): ``8 x n_sat`` bytes
    a field instead of the run's per-capture arrays.
    """

    def __init__(self, duration_s: float, capture_s: float, duty: np.ndarray, bytes_per_capture: np.ndarray) -> None:
        self.duration_s, self.capture_s = float(duration_s), float(capture_s)
        self.duty = np.ascontiguousarray(duty, dtype=float)
        self.bytes_per_capture = np.ascontiguousarray(bytes_per_capture, dtype=float)
        counts = np.zeros(self.duty.size, np.int64)
        for s0 in range(0, self.duty.size, SCHEDULE_BLOCK_SATS):
            s1 = min(self.duty.size, s0 + SCHEDULE_BLOCK_SATS)
            counts[s0:s1] = np.diff(capture_schedule(s1 - s0, self.duration_s, self.capture_s, self.duty[s0:s1], s0)[0])
        self.ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def block_captures(self, s0: int, s1: int) -> ScheduleBlock:
        return ScheduleBlock(self.duration_s, self.capture_s, self.duty[s0:s1], self.bytes_per_capture[s0:s1], s0)

    def sizes(self) -> np.ndarray:
        return np.repeat(self.bytes_per_capture, np.diff(self.ptr))


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


# ---------------------------------------------------------------------------------- stability
@dataclass(frozen=True)
class PathStability:
    """Whether one path's queues keep up, over the long run (see the module docstring).

    ``stable`` when every satellite's long-run arrival is below its long-run service;
    ``backlog_growth_gbit_per_day`` the sum over satellites of arrival minus service where
    positive; ``unstable_satellites`` how many fall behind; ``steady`` when every stable
    satellite reached its steady state; ``reason`` the words for a missing percentile.
    """

    stable: bool
    backlog_growth_gbit_per_day: float
    unstable_satellites: int
    satellites: int
    steady: bool
    warmup_windows: int
    reason: str | None


def _tbit(gbit: float) -> str:
    """A daily volume in Tbit for the words of a reason, three significant figures."""
    return f"{gbit / 1000.0:,.3g}" if gbit < 1e6 else f"{gbit / 1000.0:,.0f}"


def _stability(what: str, growth_gbit_day: np.ndarray, has_captures: np.ndarray, repeated: np.ndarray,
               used: np.ndarray, max_periods: int) -> PathStability:
    """Summarise per-satellite excesses (Gbit/day) into the path's stability and its words."""
    behind = growth_gbit_day > 0
    n_behind = int(np.count_nonzero(behind))
    growth = float(np.sum(growth_gbit_day[behind]))
    n = int(np.count_nonzero(has_captures))
    steady = bool(np.all(repeated[has_captures & ~behind])) if n else True
    reason = None
    if n_behind:
        reason = (f"{what} cannot keep up: the backlog grows by {_tbit(growth)} Tbit a day "
                  f"({n_behind:,} of {n:,} satellites fall behind)")
    elif not steady:
        reason = (f"the queues keep up in the long run but have not reached a steady state within "
                  f"{max_periods} repetitions of the analysis window (load close to capacity)")
    return PathStability(stable=n_behind == 0, backlog_growth_gbit_per_day=growth if n_behind else 0.0,
                         unstable_satellites=n_behind, satellites=n, steady=steady,
                         warmup_windows=int(np.max(used, initial=0)), reason=reason)


# ---------------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class InsightResult:
    """Waits from capture to result on the ground, per capture, for both models.

    ``captures`` (:class:`Captures`) the captures, from which ``ready_s`` (n_capture,) the
    capture ready times (s from the epoch) and ``sat`` their satellite are read when asked;
    ``traditional_s`` and ``in_orbit_s`` the waits (inf: undelivered within the horizon);
    ``processed_s`` when on-board processing finished (all in the reported period: the steady
    one where the queue keeps up, else the first window from empty); ``backlog_end_gbit``
    (n_sat,) raw data still queued on board at the end of that period (traditional);
    ``backlog_peak_gbit`` (n_sat,) the largest raw queue (storage the traditional model needs).
    ``traditional_stability`` / ``in_orbit_stability``: whether each path keeps up
    (:class:`PathStability`; ``None``: assumed stable and steady).
    """

    captures: Captures
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
    traditional_stability: PathStability | None = None
    in_orbit_stability: PathStability | None = None
    offloaded: OffloadResult | None = None
    """In-orbit waits with offloading to neighbours (:class:`OffloadResult`); ``None`` without ISLs."""

    @property
    def ready_s(self) -> np.ndarray:
        """Ready time of every capture (s from the epoch), regenerated from the schedule when asked."""
        return self.captures.ready_s()

    @property
    def sat(self) -> np.ndarray:
        """The satellite of every capture (run index), regenerated from ``captures.ptr`` when asked."""
        return np.repeat(np.arange(self.captures.ptr.size - 1), np.diff(self.captures.ptr))

    def summary(self, waits: np.ndarray, stability: PathStability | None = None) -> dict:
        """One path's figures: percentiles only where its queues keep up and are steady."""
        def num(x):
            return float(x) if np.isfinite(x) else None

        done = np.isfinite(waits)
        trusted = stability is None or (stability.stable and stability.steady)
        median, p95 = _quantiles(waits, (0.5, 0.95)) if trusted else (np.inf, np.inf)
        reason = None if stability is None else stability.reason
        if reason is None and waits.size and not (np.isfinite(median) and np.isfinite(p95)):
            reason = "some captures are not delivered within the analysis horizon"
        return {
            "median_s": num(median),
            "p95_s": num(p95),
            "mean_s": num(float(np.mean(waits[done]))) if trusted and done.any() else None,
            "max_s": num(float(np.max(waits))) if trusted and waits.size else None,
            "captures": int(waits.size),
            "undelivered_fraction": float(1.0 - done.mean()) if waits.size else 0.0,
            "stable": True if stability is None else stability.stable,
            "backlog_growth_gbit_per_day": 0.0 if stability is None else stability.backlog_growth_gbit_per_day,
            "reason": reason,
            "steady_state": True if stability is None else stability.steady,
            "warmup_windows": 0 if stability is None else stability.warmup_windows,
            "unstable_satellites": 0 if stability is None else stability.unstable_satellites,
        }

    @property
    def both_stable(self) -> bool:
        return all(s is None or (s.stable and s.steady) for s in (self.traditional_stability, self.in_orbit_stability))

    @cached_property
    def speedup_median(self) -> float:
        """Traditional over in-orbit median wait; NaN unless both paths keep up."""
        if not self.both_stable:
            return float("nan")
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
        trad = self.summary(self.traditional_s, self.traditional_stability) | {"downlink_gbit_per_day": self.raw_gbit_per_day,
                                                   "backlog_end_gbit_max": float(np.max(self.backlog_end_gbit, initial=0.0)),
                                                   "backlog_peak_gbit_max": float(np.max(self.backlog_peak_gbit, initial=0.0))}
        orbit = self.summary(self.in_orbit_s, self.in_orbit_stability) | {"downlink_gbit_per_day": self.result_gbit_per_day}
        s, r = self.speedup_median, self.downlink_reduction
        return {
            "traditional": trad,
            "in_orbit": orbit,
            "speedup_median": s if np.isfinite(s) else None,
            "downlink_reduction": r if np.isfinite(r) else None,
            "downlink_capacity_gbit_per_day": self.downlink_capacity_gbit_per_day,
            "horizon_s": self.horizon_s,
        } | ({} if self.offloaded is None else {"offloading": self.offloaded.to_json(self)})

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
            return "n/a" if x is None else round(x, 1)

        rows, verdicts = [], []
        for name, d in (("traditional", j["traditional"]), ("in orbit", j["in_orbit"])):
            if d["stable"]:
                rows.append([name, fmt(d["median_s"]), fmt(d["p95_s"]), round(d["downlink_gbit_per_day"], 3),
                             round(d["undelivered_fraction"], 4)])
            else:  # no median: the backlog grows without bound
                rows.append([name, "cannot keep up", f"+{_tbit(d['backlog_growth_gbit_per_day'])} Tbit/day",
                             round(d["downlink_gbit_per_day"], 3), "backlog grows"])
            verdicts.append([name, d["reason"] or "keeps up: steady-state figures (warm-up excluded)"])
        rows.append(["speed-up (median)", fmt(j["speedup_median"]), "", fmt(j["downlink_reduction"]), "downlink reduction"])
        return [Table("Time to insight (steady state)", ["model", "median s", "p95 s", "downlink Gbit/day", "undelivered"], rows),
                Table("Time to insight: does each path keep up?", ["model", "verdict"], verdicts)]


# ---------------------------------------------------------------------------------- offloading
@njit(cache=True, nogil=True)
def offload_plan(n_sat, edges, arrived, capacity):
    """Where each saturated satellite's excess goes (see the module docstring).

    ``arrived``/``capacity`` bytes per window per satellite; ``edges`` ``(k, 2)`` the ISLs.
    Returns ``(src, helper, bytes, hops)`` arrays, one row per assignment.
    """
    deg = np.zeros(n_sat + 1, np.int64)
    for e in range(edges.shape[0]):
        deg[edges[e, 0] + 1] += 1
        deg[edges[e, 1] + 1] += 1
    ptr = np.cumsum(deg)
    fill = ptr[:-1].copy()
    nbr = np.empty(2 * edges.shape[0], np.int64)
    for e in range(edges.shape[0]):
        u, v = edges[e, 0], edges[e, 1]
        nbr[fill[u]] = v
        fill[u] += 1
        nbr[fill[v]] = u
        fill[v] += 1
    spare = np.maximum(capacity - arrived, 0.0)
    # each assignment either exhausts a helper or completes a source: at most 2 n_sat of them
    out_src = np.empty(2 * n_sat, np.int64)
    out_dst = np.empty(2 * n_sat, np.int64)
    out_b = np.empty(2 * n_sat, np.float64)
    out_h = np.empty(2 * n_sat, np.int64)
    m = 0
    dist = np.full(n_sat, -1, np.int64)
    queue = np.empty(n_sat, np.int64)
    for s in range(n_sat):
        excess = arrived[s] - capacity[s]
        if excess <= 1e-9 * max(arrived[s], 1.0):
            continue
        dist[:] = -1
        dist[s] = 0
        queue[0] = s
        head, tail = 0, 1
        while head < tail and excess > 0:
            u = queue[head]
            head += 1
            if u != s and spare[u] > 0:
                take = min(spare[u], excess)
                spare[u] -= take
                excess -= take
                out_src[m] = s
                out_dst[m] = u
                out_b[m] = take
                out_h[m] = dist[u]
                m += 1
            for q in range(ptr[u], ptr[u + 1]):
                v = nbr[q]
                if dist[v] < 0:
                    dist[v] = dist[u] + 1
                    queue[tail] = v
                    tail += 1
    return out_src[:m].copy(), out_dst[:m].copy(), out_b[:m].copy(), out_h[:m].copy()


@dataclass(frozen=True, eq=False)
class OffloadResult:
    """In-orbit waits with offloading: ``in_orbit_s`` per capture (same order as the result's),
    ``offloaded`` (bool per capture), the plan and the path's stability."""

    in_orbit_s: np.ndarray
    offloaded: np.ndarray
    plan_src: np.ndarray
    plan_helper: np.ndarray
    plan_bytes: np.ndarray
    plan_hops: np.ndarray
    offloaded_fraction: float
    stability: PathStability

    def to_json(self, parent: InsightResult) -> dict:
        with_ = parent.summary(self.in_orbit_s, self.stability)
        return {
            "offloaded_fraction": self.offloaded_fraction,
            "helpers": int(np.unique(self.plan_helper).size),
            "saturated_satellites": int(np.unique(self.plan_src).size),
            "hops_mean": float(np.average(self.plan_hops, weights=self.plan_bytes)) if self.plan_bytes.size else 0.0,
            "with_offloading": with_,
            "without_offloading": parent.summary(parent.in_orbit_s, parent.in_orbit_stability),
        }


@dataclass(frozen=True, eq=False)
class _Inputs:
    """Per-satellite inputs of both models, and the grid (see :func:`insight_from_captures`).

    For the run, ``served`` is its ``(n_sat, n_int)`` tracked shares (an array, or the access
    result's :class:`~core.analysis.access.ServedShares`, computed per block of satellites when
    read) and ``hops`` its array (``None`` without ISLs); :meth:`rows` gives some satellites' inputs alone, the plain arrays a block
    task is sent.
    """

    step_s: float
    served: np.ndarray | ServedShares
    hops: np.ndarray | None
    has_isl: np.ndarray
    down_bps: np.ndarray
    proc: np.ndarray
    isl_bps: np.ndarray
    light: np.ndarray
    output_ratio: float
    max_periods: int
    tail: int

    def rows(self, rows: np.ndarray | slice) -> _Inputs:
        """The inputs of satellites ``rows`` only, as contiguous copies: the tracked shares as float64 and the
        ISL hops to the nearest tracked satellite as int32 (0 when tracked, -1 else without ISLs)."""
        served = np.ascontiguousarray(self.served[rows], dtype=float)
        if self.hops is None:
            hops = np.where(served > 0, 0, -1).astype(np.int32)
        else:
            hops = np.ascontiguousarray(self.hops[rows, :served.shape[1]], dtype=np.int32)

        def take(x: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(x[rows])

        return _Inputs(step_s=self.step_s, served=served, hops=hops, has_isl=take(self.has_isl),
                       down_bps=take(self.down_bps), proc=take(self.proc), isl_bps=take(self.isl_bps),
                       light=take(self.light), output_ratio=self.output_ratio, max_periods=self.max_periods,
                       tail=self.tail)

    @property
    def duration_s(self) -> float:
        """The analysis window: the grid's intervals times the step."""
        return self.served.shape[1] * self.step_s


class _BlockTasks(Sequence[tuple]):
    """The tasks of :func:`map_blocks`, one per block, each made when asked (so that only the
    blocks being run, never all of them, hold their rows)."""

    def __init__(self, blocks: list[tuple[int, int]], make: Callable[[int, int], tuple]) -> None:
        self._blocks, self._make = blocks, make

    def __len__(self) -> int:
        return len(self._blocks)

    @overload
    def __getitem__(self, k: int) -> tuple: ...

    @overload
    def __getitem__(self, k: slice) -> list[tuple]: ...

    def __getitem__(self, k: int | slice) -> tuple | list[tuple]:
        if isinstance(k, slice):
            return [self[i] for i in range(len(self))[k]]
        return self._make(*self._blocks[k])


def _blocks(captures: Captures, n_int: int) -> list[tuple[int, int]]:
    """Blocks of satellites whose captures and grid rows fit the block budget (:mod:`core.orbits.blocks`)."""
    n_sat = captures.ptr.size - 1
    most = int(np.max(np.diff(captures.ptr), initial=0))
    return satellite_blocks(0, n_sat, 1, most * BLOCK_BYTES_PER_CAPTURE + n_int * BLOCK_BYTES_PER_SAT_EPOCH)


@dataclass(frozen=True, eq=False)
class BlockInsight:
    """Both models' figures of one block of satellites (:func:`insight_block`): per satellite the long-run
    ``arrived`` and ``link`` bytes a window, whether a tracked satellite is ever ``reach``-able, the
    excesses (Gbit/day), repetitions and raw queue figures; per capture the waits and processing end."""

    arrived: np.ndarray
    link: np.ndarray
    reach: np.ndarray
    trad_growth: np.ndarray
    compute_growth: np.ndarray
    result_growth: np.ndarray
    trad_rep: np.ndarray
    trad_used: np.ndarray
    peak: np.ndarray
    end: np.ndarray
    orbit_rep: np.ndarray
    orbit_used: np.ndarray
    traditional_s: np.ndarray
    in_orbit_s: np.ndarray
    processed_s: np.ndarray


def insight_block(inp: _Inputs, captures: BlockCaptures, ground_processing_s: float) -> BlockInsight:
    """A block task: both models on one block of satellites, from its inputs alone (``inp``: its rows,
    :meth:`_Inputs.rows`) and its captures (regenerated from ``captures``)."""
    lptr, ready, size = captures.arrays()
    lptr = np.ascontiguousarray(lptr, dtype=np.int64)
    n = lptr.size - 1
    duration = inp.duration_s
    gbit_day = 8e-9 * (86400.0 / duration)
    srv, hop = inp.served, inp.hops
    assert isinstance(srv, np.ndarray) and hop is not None, "a block's inputs are arrays (_Inputs.rows)"
    # long-run arrival and service per satellite and window (bytes)
    arrived = np.bincount(np.repeat(np.arange(n), np.diff(lptr)), weights=size, minlength=n)
    link = srv.sum(axis=1) * inp.step_s * inp.down_bps / 8.0
    computed = inp.proc * duration
    processed = np.minimum(arrived, computed)
    trad_growth = np.where(arrived > link * (1 + 1e-9), arrived - link, 0.0) * gbit_day
    compute_growth = np.where(arrived > computed * (1 + 1e-9), arrived - computed, 0.0) * gbit_day
    results = processed * inp.output_ratio
    reach = np.asarray((hop >= 0).any(axis=1))
    result_growth = np.where(inp.has_isl, np.where(reach, 0.0, results),
                             np.where(results > link * (1 + 1e-9), results - link, 0.0)) * gbit_day
    trad_periods = np.where(trad_growth > 0, 1, inp.max_periods).astype(np.int64)
    orbit_periods = np.where(compute_growth + result_growth > 0, 1, inp.max_periods).astype(np.int64)
    dep_raw, trad_rep, trad_used, peak, end = traditional_kernel(
        lptr, ready, size, srv, inp.step_s, inp.down_bps, trad_periods, inp.tail)
    done, delivered, orbit_rep, orbit_used = in_orbit_kernel(
        lptr, ready, size, srv, hop, inp.has_isl, inp.step_s, inp.proc, inp.output_ratio, inp.down_bps,
        inp.isl_bps, inp.light, orbit_periods, inp.tail)
    return BlockInsight(arrived=arrived, link=link, reach=reach, trad_growth=trad_growth,
                        compute_growth=compute_growth, result_growth=result_growth, trad_rep=trad_rep,
                        trad_used=trad_used, peak=peak, end=end, orbit_rep=orbit_rep, orbit_used=orbit_used,
                        traditional_s=dep_raw + ground_processing_s - ready, in_orbit_s=delivered - ready,
                        processed_s=done)


@dataclass(frozen=True, eq=False)
class BlockOffload:
    """The offloading path's figures of one block (:func:`offload_block`): per queue row (the block's
    satellites, then its assignments) the compute and result excesses (bytes a window), whether it
    repeated and the repetitions used; per capture the wait and whether it was offloaded."""

    growth: np.ndarray
    result_growth: np.ndarray
    repeated: np.ndarray
    used: np.ndarray
    in_orbit_s: np.ndarray
    offloaded: np.ndarray


def offload_block(inp: _Inputs, captures: BlockCaptures, arrived: np.ndarray, src: np.ndarray, nbytes: np.ndarray,
                  hops: np.ndarray, rate: np.ndarray, reach: np.ndarray) -> BlockOffload:
    """A block task of the offloading path, from the block's rows alone.

    Rows are the block's ``nb`` satellites, then one per assignment of the plan whose source lies in the
    block (each row: one source satellite's captures). ``inp`` the inputs of each row's satellite (a kept
    row: its own; an assignment: its helper's), ``rate`` each row's processing rate (bytes/s) and ``reach``
    whether its satellite ever reaches a tracked one; ``arrived`` the block's satellites' bytes a window;
    ``src`` (block index, sorted), ``nbytes`` and ``hops`` the block's assignments.
    """
    lptr, ready, size = captures.arrays()
    nb = lptr.size - 1
    duration = inp.duration_s
    row_of = np.repeat(np.arange(nb), np.diff(lptr))  # local rows: nb kept, then the block's assignments
    arrive = ready.copy()
    is_off = np.zeros(ready.size, bool)
    for s in np.unique(src):
        a, b = lptr[s], lptr[s + 1]
        js = np.flatnonzero(src == s)
        frac = min(1.0, float(nbytes[js].sum() / arrived[s]))
        k = np.arange(b - a)
        sel = np.flatnonzero(np.floor((k + 1) * frac + 1e-9) > np.floor(k * frac + 1e-9))
        cum = np.cumsum(nbytes[js]) / nbytes[js].sum()
        pick = js[np.minimum(np.searchsorted(cum, (np.arange(sel.size) * GOLDEN) % 1.0, side="right"), js.size - 1)]
        idx = a + sel
        row_of[idx] = nb + pick
        is_off[idx] = True
        arrive[idx] = ready[idx] + hops[pick] * (inp.light[s] + size[idx] * 8.0 / inp.isl_bps[s])
    n_local = nb + src.size
    order = np.lexsort((arrive, row_of))
    r_sorted = row_of[order]
    rptr = np.concatenate([[0], np.cumsum(np.bincount(r_sorted, minlength=n_local))]).astype(np.int64)
    r_arr = np.ascontiguousarray(arrive[order])
    r_size = np.ascontiguousarray(size[order])
    r_arrived = np.bincount(r_sorted, weights=r_size, minlength=n_local)
    r_cap = rate * duration
    g = np.where(r_arrived > r_cap * (1 + 1e-9), r_arrived - r_cap, 0.0)
    rg = np.where(inp.has_isl & ~reach, np.minimum(r_arrived, r_cap) * inp.output_ratio, 0.0)
    periods = np.where(g + rg > 0, 1, inp.max_periods).astype(np.int64)
    _, out, rep, used = in_orbit_kernel(
        rptr, r_arr, r_size, inp.served, inp.hops, inp.has_isl, inp.step_s, np.ascontiguousarray(rate),
        inp.output_ratio, inp.down_bps, inp.isl_bps, inp.light, periods, inp.tail)
    delivered = np.empty(ready.size)
    delivered[order] = out
    return BlockOffload(growth=g, result_growth=rg, repeated=rep, used=used, in_orbit_s=delivered - ready,
                        offloaded=is_off)


def offload_in_orbit(captures: Captures, inp: _Inputs, arrived: np.ndarray, reach_sat: np.ndarray, edges: np.ndarray,
                     blocks: list[tuple[int, int]], executor: BlockExecutor | None = None) -> OffloadResult:
    """The in-orbit path with offloading (see the module docstring): kept captures stay in their
    satellite's queue; offloaded ones form one queue per (satellite, helper) at the helper.

    The plan is made for the whole run from the per-satellite ``arrived`` bytes; every queue
    then holds the captures of one source satellite, so the queues are run per block of
    source satellites (``blocks``, each an :func:`offload_block` task, on ``executor`` when
    given) and give the same waits as all at once. ``reach_sat``: whether each satellite ever
    reaches a tracked one over the ISLs.
    """
    ptr, proc = captures.ptr, inp.proc
    n_sat = ptr.size - 1
    duration = inp.duration_s
    capacity = np.where(np.isfinite(proc), proc * duration, np.inf)
    src, helper, nbytes, nh = offload_plan(n_sat, edges, arrived, OFFLOAD_HEADROOM * np.where(np.isfinite(capacity), capacity, 1e300))
    taken = np.bincount(helper, weights=nbytes, minlength=n_sat)
    spare_rate = np.maximum(capacity - arrived, 0.0) / duration
    # rows: 0..n_sat-1 kept captures; n_sat + j the j-th assignment (each row: one source satellite's captures)
    n_rows = n_sat + src.size
    base = np.concatenate([np.arange(n_sat), helper]).astype(np.int64)
    rate = np.concatenate([proc, spare_rate[helper] * nbytes / np.maximum(taken[helper], 1e-300)])

    def rows_of(s0: int, s1: int) -> tuple[np.ndarray, np.ndarray]:
        """The block's assignments and its rows in the run's numbering."""
        js = np.flatnonzero((src >= s0) & (src < s1))
        return js, np.concatenate([np.arange(s0, s1), n_sat + js])

    def task(s0: int, s1: int) -> tuple:
        js, rows = rows_of(s0, s1)
        r_base = base[rows]
        return (inp.rows(r_base), captures.block_captures(s0, s1), arrived[s0:s1], src[js] - s0, nbytes[js], nh[js],
                rate[rows], reach_sat[r_base])

    growth, res_growth = np.zeros(n_rows), np.zeros(n_rows)
    rep, used = np.ones(n_rows, bool), np.zeros(n_rows, np.int64)
    waits = np.empty(captures.n_capture)
    is_off = np.zeros(captures.n_capture, bool)
    for (s0, s1), part in zip(blocks, map_blocks(offload_block, _BlockTasks(blocks, task), executor), strict=True):
        _, rows = rows_of(s0, s1)
        growth[rows], res_growth[rows], rep[rows], used[rows] = part.growth, part.result_growth, part.repeated, part.used
        c0, c1 = int(ptr[s0]), int(ptr[s1])
        waits[c0:c1], is_off[c0:c1] = part.in_orbit_s, part.offloaded
    gbit_day = 8e-9 * 86400.0 / duration
    per_sat = np.bincount(base, weights=(growth + res_growth), minlength=n_sat) * gbit_day
    has_captures = np.diff(ptr) > 0
    rep_sat = np.ones(n_sat, bool)
    np.logical_and.at(rep_sat, base, rep)
    used_sat = np.zeros(n_sat, np.int64)
    np.maximum.at(used_sat, base, used)
    what = "the on-board compute, with offloading," if growth.sum() > 0 else "the downlink"
    stab = _stability(what, per_sat, has_captures, rep_sat, used_sat, inp.max_periods)
    sizes = captures.sizes()
    off_bytes, all_bytes = float(sizes[is_off].sum()), float(sizes.sum())
    return OffloadResult(in_orbit_s=waits, offloaded=is_off, plan_src=src, plan_helper=helper, plan_bytes=nbytes,
                         plan_hops=nh, offloaded_fraction=off_bytes / all_bytes if all_bytes > 0 else 0.0,
                         stability=stab)


def insight_from_arrays(
    *,
    step_s: float,
    ptr: np.ndarray,
    ready_s: np.ndarray,
    size_bytes: np.ndarray,
    downlink_mbps: np.ndarray,
    processing_bytes_per_s: np.ndarray,
    output_ratio: float,
    ground_processing_s: float,
    served: np.ndarray | None = None,
    contact: np.ndarray | None = None,
    hops: np.ndarray | None = None,
    has_isl: np.ndarray | None = None,
    isl_gbps: np.ndarray | None = None,
    hop_light_s: np.ndarray | None = None,
    max_warmup_days: float = MAX_WARMUP_DAYS,
    offload_edges: np.ndarray | None = None,
    executor: BlockExecutor | None = None,
) -> InsightResult:
    """Run both models on plain arrays (see the module docstring and :func:`insight_from_captures`).

    ``ptr``/``ready_s``/``size_bytes`` are the captures of one window (flat, sliced per
    satellite by ``ptr``, sorted in each slice).
    """
    return insight_from_captures(
        step_s=step_s, captures=ArrayCaptures(ptr, ready_s, size_bytes), downlink_mbps=downlink_mbps,
        processing_bytes_per_s=processing_bytes_per_s, output_ratio=output_ratio,
        ground_processing_s=ground_processing_s, served=served, contact=contact, hops=hops, has_isl=has_isl,
        isl_gbps=isl_gbps, hop_light_s=hop_light_s, max_warmup_days=max_warmup_days, offload_edges=offload_edges,
        executor=executor)


def insight_from_captures(
    *,
    step_s: float,
    captures: Captures,
    downlink_mbps: np.ndarray | float | None,
    processing_bytes_per_s: np.ndarray | float | None,
    output_ratio: float,
    ground_processing_s: float,
    served: np.ndarray | ServedShares | None = None,
    contact: np.ndarray | None = None,
    hops: np.ndarray | None = None,
    has_isl: np.ndarray | None = None,
    isl_gbps: np.ndarray | float | None = None,
    hop_light_s: np.ndarray | float | None = None,
    max_warmup_days: float = MAX_WARMUP_DAYS,
    offload_edges: np.ndarray | None = None,
    executor: BlockExecutor | None = None,
) -> InsightResult:
    """Run both models on the run's ``captures``, one block of satellites at a time.

    The ground segment is either ``served`` ``(n_sat, n_int)``, the share of each grid interval
    of ``step_s`` a satellite is tracked (the access schedule), or ``contact`` ``(n_sat,
    n_time)`` bool on the grid epochs (sample and hold: tracked for the whole interval
    ``[t_i, t_i + step)`` when in contact at ``t_i``). Per-satellite ``downlink_mbps``,
    ``processing_bytes_per_s`` (inf: instant), ``isl_gbps`` and ``hop_light_s``; ``hops``
    ``(n_sat, n_int)`` ISL hops to the nearest tracked satellite (-1 none) and ``has_isl`` for
    satellites that route over ISLs. ``offload_edges`` ``(k, 2)``: the ISLs over which saturated
    satellites offload captures (no offloading when omitted).

    Every satellite's queues depend only on its own captures and grid rows (and, offloading,
    on the run-wide plan made from per-satellite totals), so the captures are generated and
    run in blocks of satellites sized to the block budget (``STARNET_BLOCK_MB``): the result
    keeps the waits per capture, the block's scratch is dropped, and the figures are the same
    whatever the blocks.

    Each block is a task (:func:`insight_block`, then :func:`offload_block` for offloading) sent
    through :func:`core.orbits.blocks.map_blocks`: here, in order, without an ``executor``; on
    it (local processes, Dask: :mod:`core.study.run`) with one. A task is sent its block's rows
    only (served shares, hops, per-satellite rates) and what regenerates its captures
    (:meth:`Captures.block_captures`), never the run's arrays; the results are the same bit for bit.
    """
    if served is None:
        if contact is None:
            raise ValueError("give the ground segment as `served` or `contact`")
        served = np.asarray(contact, dtype=bool)[:, :-1].astype(float)
    n_sat, n_int = served.shape
    if n_int < 1:
        raise ValueError("the time-to-insight model needs at least two epochs")
    duration = n_int * step_s

    def per_sat(x: np.ndarray | float | None, default: float) -> np.ndarray:
        return np.ascontiguousarray(np.broadcast_to(np.asarray(default if x is None else x, float), (n_sat,)))

    inp = _Inputs(
        step_s=float(step_s), served=served, hops=hops, output_ratio=float(output_ratio),
        has_isl=np.zeros(n_sat, bool) if has_isl is None else np.ascontiguousarray(np.broadcast_to(has_isl, (n_sat,)), dtype=bool),
        down_bps=per_sat(downlink_mbps, 0.0) * 1e6, proc=per_sat(processing_bytes_per_s, np.inf),
        isl_bps=per_sat(isl_gbps, 1.0) * 1e9, light=per_sat(hop_light_s, 0.0),
        max_periods=max(MIN_PERIODS, int(np.ceil(max_warmup_days * 86400.0 / duration))),
        tail=max(3, int(np.ceil(MIN_TAIL_S / duration))))
    ptr = captures.ptr
    counts = np.diff(ptr)
    per_day = 86400.0 / duration
    gbit_day = 8e-9 * per_day
    arrived, link, reach = np.zeros(n_sat), np.zeros(n_sat), np.zeros(n_sat, bool)
    trad_rep, orbit_rep = np.zeros(n_sat, bool), np.zeros(n_sat, bool)
    trad_used, orbit_used = np.zeros(n_sat, np.int64), np.zeros(n_sat, np.int64)
    peak, end = np.zeros(n_sat), np.zeros(n_sat)
    trad_s, orbit_s, processed_s = (np.empty(captures.n_capture) for _ in range(3))
    trad_growth, compute_growth, result_growth = np.zeros(n_sat), np.zeros(n_sat), np.zeros(n_sat)
    blocks = _blocks(captures, n_int)

    def task(s0: int, s1: int) -> tuple:
        return inp.rows(slice(s0, s1)), captures.block_captures(s0, s1), float(ground_processing_s)

    for (s0, s1), part in zip(blocks, map_blocks(insight_block, _BlockTasks(blocks, task), executor), strict=True):
        sl, c0, c1 = slice(s0, s1), int(ptr[s0]), int(ptr[s1])
        arrived[sl], link[sl], reach[sl] = part.arrived, part.link, part.reach
        trad_growth[sl], compute_growth[sl], result_growth[sl] = part.trad_growth, part.compute_growth, part.result_growth
        trad_rep[sl], trad_used[sl], peak[sl], end[sl] = part.trad_rep, part.trad_used, part.peak, part.end
        orbit_rep[sl], orbit_used[sl] = part.orbit_rep, part.orbit_used
        trad_s[c0:c1], orbit_s[c0:c1], processed_s[c0:c1] = part.traditional_s, part.in_orbit_s, part.processed_s
    orbit_growth_all = compute_growth + result_growth
    has_captures = counts > 0
    what = "the on-board compute" if compute_growth.sum() > 0 else "the downlink"
    raw_gbit_day = float(captures.sizes().sum()) * gbit_day
    offloaded = None
    if offload_edges is not None and inp.has_isl.any():
        offloaded = offload_in_orbit(captures, inp, arrived, reach, np.ascontiguousarray(offload_edges, dtype=np.int64), blocks,
                                     executor)
    return InsightResult(
        captures=captures,
        traditional_s=trad_s,
        in_orbit_s=orbit_s,
        processed_s=processed_s,
        backlog_end_gbit=end * 8 / 1e9,
        backlog_peak_gbit=peak * 8 / 1e9,
        raw_gbit_per_day=raw_gbit_day,
        result_gbit_per_day=raw_gbit_day * float(output_ratio),
        downlink_capacity_gbit_per_day=float(link.sum()) * gbit_day,
        duration_s=duration,
        horizon_s=duration * (max(int(trad_used.max(initial=1)), int(orbit_used.max(initial=1))) + inp.tail),
        traditional_stability=_stability("the downlink", trad_growth, has_captures, trad_rep, trad_used, inp.max_periods),
        in_orbit_stability=_stability(what, orbit_growth_all, has_captures, orbit_rep, orbit_used, inp.max_periods),
        offloaded=offloaded,
    )


def _isl_inputs(eph: Ephemeris, topo: Topology, contact: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hops to the nearest tracked satellite and the per-hop light time, from the topology.

    ``contact`` ``(n_sat, n_int)`` bool: tracked during each grid interval. The hop length is
    the median link length of each shell at the first epoch (read from a one-epoch block).
    """
    light = np.zeros(eph.n_sat)
    if topo.n_edge == 0:
        return np.where(contact, 0, -1).astype(np.int32), light
    edges = np.ascontiguousarray(topo.isl_edges, dtype=np.int64)
    active = np.ascontiguousarray(np.asarray(topo.isl_active, dtype=bool)[: contact.shape[1]])
    hops = hops_to_contact(eph.n_sat, edges, active, np.ascontiguousarray(contact))
    first = eph.window(0, 1).r_eci_km[:, 0]
    length = np.linalg.norm(first[edges[:, 0]] - first[edges[:, 1]], axis=-1)
    shell_of_edge = eph.shell_index[edges[:, 0]]
    for shell in eph.shells:
        sel = shell_of_edge == shell.index
        if sel.any():
            light[shell.sat_slice] = float(np.median(length[sel])) / C_KM_S
    return hops, light


def compute_insight(mission: Mission, eph: Ephemeris, access: AccessResult | None, topology: Topology | None,
                    compute: ComputeResult, offload: bool = True,
                    executor: BlockExecutor | None = None) -> InsightResult | None:
    """Time to insight of the mission's captures; ``None`` without ground stations (or captures).

    Takes its inputs, never recomputes them: ``access`` (:mod:`core.analysis.access`, whose
    antenna schedule says when each satellite is tracked by a station; ``None`` without
    stations), ``topology`` (:mod:`core.analysis.topology`; may be ``None`` only for a
    mission without inter-satellite links) and ``compute`` (the processing rates; its
    delivered compute when analysed). ``offload=False`` skips the offloading figures. With an
    ``executor`` (:mod:`core.study.run`) every block of satellites is a task on it
    (:func:`insight_from_captures`); the result is the same.
    """
    if not mission.ground_stations or access is None:
        return None
    from core.analysis.compute import raw_rate_bytes_per_s

    served = access.served_shares  # (n_sat, n_int): tracked share of each step, read per block of satellites
    n = eph.n_sat
    duty, raw_bps, down, proc, isl, has_isl = (np.zeros(n) for _ in range(6))
    has_isl = has_isl.astype(bool)
    for shell in eph.shells:
        bus = mission.bus_for(mission.constellations[shell.index])
        sc = compute.shells[shell.index] if len(compute.shells) == len(eph.shells) else compute.shell(shell.name)
        sl = shell.sat_slice
        duty[sl], raw_bps[sl], down[sl] = bus.sensor_duty, raw_rate_bytes_per_s(bus), bus.downlink_mbps
        proc[sl], isl[sl] = sc.processing_bytes_per_s, bus.isl_gbps
        dlv = getattr(compute, "delivered", None)
        if dlv is not None and sc.tops_per_satellite > 0 and np.isfinite(sc.processing_bytes_per_s):
            # the energy model's delivered compute, not the nameplate
            proc[sl] = sc.processing_bytes_per_s * dlv.tops_mean_per_satellite()[sl] / sc.tops_per_satellite
        has_isl[sl] = shell.isl == "plus-grid" and bus.isl_gbps > 0
    capture_s = mission.workload.capture_s
    step = eph.time.step_s
    duration = (eph.n_time - 1) * step
    captures = CaptureSchedule(duration, capture_s, duty, raw_bps * capture_s)
    if captures.n_capture == 0:
        return None
    if has_isl.any() and topology is None:
        raise ValueError("compute_insight needs the topology of a mission with inter-satellite links")
    hops, light = _isl_inputs(eph, topology, served.tracked()) if topology is not None and has_isl.any() else (None, None)
    edges = np.asarray(topology.isl_edges) if topology is not None and has_isl.any() and offload and topology.n_edge else None
    return insight_from_captures(
        step_s=step, served=served, captures=captures, downlink_mbps=down,
        processing_bytes_per_s=proc, output_ratio=mission.workload.output_ratio,
        ground_processing_s=mission.workload.ground_processing_s, hops=hops, has_isl=has_isl,
        isl_gbps=isl, hop_light_s=light, offload_edges=edges, executor=executor,
    )
