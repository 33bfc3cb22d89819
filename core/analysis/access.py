"""Ground-station access: contact windows, per-station downlink, time to next contact.

A satellite is in contact with a station when its elevation, seen from the station's
**geodetic** position on WGS-84 (``alt_m`` above the ellipsoid) along the geodetic local
vertical, is at or above the station's own ``min_elevation_deg``. The test on the grid
epochs is ``(s - g) . up >= |s - g| sin(e_min)`` (a numba kernel over stations x
satellites x epochs). Each change of state between two epochs is then refined to well
under a second by bisection on the same function, with the satellite's Earth-fixed
position between epochs from a four-point Lagrange interpolation of the ephemeris (a few
metres at a 60 s step, i.e. milliseconds of AOS/LOS time). Passes shorter than one step
that start and end between two epochs are not seen; keep ``step_s`` well under the
shortest pass of interest (LEO passes over a 5-10 deg mask last minutes).

Windows touching the start or end of the analysis window are cut there (their AOS/LOS
is the window edge; ``window_aos_cut``/``window_los_cut`` mark them).

**The antenna schedule (one ground segment).** A station has ``antennas`` antennas (default
1); each tracks one satellite at a time, and a satellite (one downlink radio) is tracked by at
most one antenna of any station at a time. The schedule is *first come, first served, without
pre-emption*: whenever an antenna is free (at every AOS and LOS), it takes, among the
satellites in its station's view that no antenna is tracking, the one that rose first at this
station (ties: the lower satellite index), and tracks it until it sets there. A satellite
that sets at one station while in view of another may be taken there at that moment. Each
window of the schedule is thus tracked from ``window_track_start_s`` (NaN: never tracked) to
its LOS. This one schedule feeds every figure below and the time to insight
(:mod:`core.analysis.insight` reads :attr:`AccessResult.served_shares`, the same per block of satellites), so the access
downlink and the insight capacity are the same number.

Per station: ``passes`` counts the tracked windows (``passes_in_view`` every window);
``contact_s`` is the time at least one antenna is tracking (with one antenna, its busy time)
and ``antenna_s`` the tracked time summed over antennas; ``downlink_gbit`` is the tracked time
of each satellite at its bus ``downlink_mbps``; ``max_gap_s`` is the longest time no antenna
tracks (including the waits at the start and end of the analysis window). ``in_view_s`` (the
union of all windows: time with at least one satellite in view) and ``contact_sum_s`` (the
plain sum of the windows) describe the sky, not the schedule.

Per satellite, ``time_to_next_contact_s`` is, at each grid epoch, the time until the
satellite is next in contact with any station: 0 while in contact, ``inf`` when no further
contact happens within the analysis window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from pathlib import Path

from core.analysis.elevation_mask import in_ground_link, place_ranges_km
from core.analysis.packed import PackedBits
from core.analysis.tables import Table
from core.mission.model import Mission
from core.orbits.blocks import (POSITION_BYTES_PER_SAT_EPOCH, BlockExecutor, epoch_blocks, map_blocks,
                                mission_payload, worker_ephemeris)
from core.orbits.ephemeris import Ephemeris

_BISECTION_STEPS = 24  # 60 s / 2**24 ~ 4 us: far below the interpolation error


# --------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------


@njit(cache=True, nogil=True, parallel=True)
def _contact_kernel(r_ecef, site_km, up, sin_el, max_range_km, out):
    """``out[k, s, t] = elevation of sat s at epoch t from station k >= its mask``."""
    n_st = site_km.shape[0]
    n_sat = r_ecef.shape[0]
    n_time = r_ecef.shape[1]
    for job in prange(n_st * n_sat):
        k = job // n_sat
        s = job - k * n_sat
        gx, gy, gz = site_km[k, 0], site_km[k, 1], site_km[k, 2]
        ux, uy, uz = up[k, 0], up[k, 1], up[k, 2]
        se = sin_el[k]
        for t in range(n_time):
            out[k, s, t] = in_ground_link(r_ecef[s, t, 0] - gx, r_ecef[s, t, 1] - gy, r_ecef[s, t, 2] - gz,
                                          ux, uy, uz, se, max_range_km[k])


@njit(cache=True, nogil=True, parallel=True)
def _next_contact_kernel(sat_start, aos, los, offsets, out):
    """Time to the next contact for every satellite and epoch.

    Windows are grouped by satellite (``sat_start[s]:sat_start[s+1]``) and sorted by AOS
    within a group.
    """
    n_sat = sat_start.size - 1
    n_time = offsets.size
    for s in prange(n_sat):
        p = sat_start[s]
        stop = sat_start[s + 1]
        for t in range(n_time):
            now = offsets[t]
            while p < stop and los[p] < now:
                p += 1
            if p == stop:
                out[s, t] = np.inf
            elif aos[p] <= now:
                out[s, t] = 0.0
            else:
                out[s, t] = aos[p] - now


@njit(cache=True, nogil=True)
def _first_assignable(k, t, head, link, by_station, aos, los, sat, tracked, busy):
    """Position (in ``by_station``) of station ``k``'s lowest-rank waiting window a free antenna can take at ``t``.

    Walks the station's list of untracked windows in rank order, unlinking those that have set
    or are tracked (each is unlinked once), passing over those whose satellite is busy at
    another station (at most one per tracked window), and stopping at the first that has not
    risen. Returns -1 when none can be taken.
    """
    prev = -1
    cur = head[k]
    while cur >= 0:
        w = by_station[cur]
        if aos[w] > t:
            return -1
        if los[w] <= t or tracked[w]:
            nxt = link[cur]
            if prev < 0:
                head[k] = nxt
            else:
                link[prev] = nxt
            cur = nxt
            continue
        if not busy[sat[w]]:
            return cur
        prev = cur
        cur = link[cur]
    return -1


@njit(cache=True, nogil=True)
def _schedule_kernel(station, sat, aos, los, order, antennas, n_sat, out):
    """First come, first served antenna schedule (see the module docstring).

    ``order`` sorts the windows by (AOS, satellite); ``out[w]`` receives the time window ``w``
    starts being tracked (NaN: never). At each distinct AOS/LOS time, tracked windows that have
    set free their antenna and satellite first; then, while some station with a free antenna
    has a waiting window whose satellite is free, the one of lowest rank among all stations
    is taken. Each station keeps its untracked windows as a linked list in rank order, so the
    cost grows with windows x stations, not with windows x windows in view.
    """
    n_win = station.size
    n_st = antennas.size
    out[:] = np.nan
    free = antennas.copy()
    busy = np.zeros(n_sat, np.bool_)
    tracked = np.zeros(n_win, np.bool_)
    rank = np.empty(n_win, np.int64)
    rank[order] = np.arange(n_win)
    # windows grouped by station, in rank order within a station, as singly linked lists
    by_station = order[np.argsort(station[order], kind="mergesort")]
    head = np.full(n_st, -1, np.int64)
    link = np.full(n_win, -1, np.int64)
    for p in range(n_win - 1, -1, -1):
        k = station[by_station[p]]
        link[p] = head[k]
        head[k] = p
    by_los = np.argsort(los, kind="mergesort")
    n_aos = 0
    n_los = 0
    while n_aos < n_win or n_los < n_win:
        t = np.inf
        if n_aos < n_win:
            t = aos[order[n_aos]]
        if n_los < n_win and los[by_los[n_los]] < t:
            t = los[by_los[n_los]]
        # tracked windows that have set free their antenna and satellite
        while n_los < n_win and los[by_los[n_los]] <= t:
            w = by_los[n_los]
            n_los += 1
            if tracked[w]:
                free[station[w]] += 1
                busy[sat[w]] = False
        while n_aos < n_win and aos[order[n_aos]] <= t:
            n_aos += 1
        # free antennas take waiting satellites, lowest rank first across all stations
        while True:
            best = -1
            best_rank = n_win
            for k in range(n_st):
                if free[k] > 0 and head[k] >= 0:
                    c = _first_assignable(k, t, head, link, by_station, aos, los, sat, tracked, busy)
                    if c >= 0 and rank[by_station[c]] < best_rank:
                        best = by_station[c]
                        best_rank = rank[best]
            if best < 0:
                break
            tracked[best] = True
            busy[sat[best]] = True
            free[station[best]] -= 1
            out[best] = t


def schedule_antennas(station: np.ndarray, sat: np.ndarray, aos_s: np.ndarray, los_s: np.ndarray,
                      antennas: np.ndarray, n_sat: int) -> np.ndarray:
    """Track start time of every window under the first-come, first-served schedule (NaN: never).

    ``station``, ``sat``, ``aos_s``, ``los_s`` (n_window,) describe the windows;
    ``antennas`` (n_station,) the antennas of each station.

    >>> schedule_antennas(np.array([0, 0]), np.array([0, 1]), np.array([0.0, 50.0]), np.array([100.0, 200.0]),
    ...                   np.array([1]), 2).tolist()
    [0.0, 100.0]
    """
    n = np.asarray(station).size
    out = np.empty(n)
    if n:
        aos = np.ascontiguousarray(aos_s, dtype=np.float64)
        order = np.lexsort((np.asarray(sat), aos)).astype(np.int64)
        _schedule_kernel(np.ascontiguousarray(station, dtype=np.int64), np.ascontiguousarray(sat, dtype=np.int64), aos,
                         np.ascontiguousarray(los_s, dtype=np.float64), order,
                         np.ascontiguousarray(antennas, dtype=np.int64), int(n_sat), out)
    return out


@njit(cache=True, nogil=True)
def _served_kernel(sat, start, stop, t0, step, out):
    """Add each track's overlap with the grid intervals ``[t0 + i step, t0 + (i + 1) step)`` to ``out[sat]``."""
    n_int = out.shape[1]
    for w in range(sat.size):
        a, b = start[w], stop[w]
        if not (b > a):  # NaN (never tracked) or empty
            continue
        i0 = max(0, int(np.floor((a - t0) / step)))
        i1 = min(n_int - 1, int(np.floor((b - t0) / step)))
        for i in range(i0, i1 + 1):
            lo = max(a, t0 + i * step)
            hi = min(b, t0 + (i + 1) * step)
            if hi > lo:
                out[sat[w], i] += (hi - lo) / step


def served_fraction(sat: np.ndarray, start_s: np.ndarray, stop_s: np.ndarray, n_sat: int, offsets_s: np.ndarray) -> np.ndarray:
    """``(n_sat, n_time - 1)`` share of each grid interval during which a satellite's downlink is tracked."""
    offsets = np.asarray(offsets_s, dtype=float)
    out = np.zeros((n_sat, max(offsets.size - 1, 0)))
    if out.size and np.asarray(sat).size:
        step = float(offsets[1] - offsets[0])
        _served_kernel(np.ascontiguousarray(sat, dtype=np.int64), np.ascontiguousarray(start_s, dtype=np.float64),
                       np.ascontiguousarray(stop_s, dtype=np.float64), float(offsets[0]), step, out)
    return np.minimum(out, 1.0, out=out)


class ServedShares:
    """The tracked share of each grid interval, ``(n_sat, n_time - 1)``, computed for the satellites asked.

    ``shares[rows]`` (a slice or an index array) gives those satellites' rows, equal to the same rows
    of :func:`served_fraction` over every satellite; the whole array is never formed, so a stage
    that reads it per block of satellites holds one block (the whole would be 8 bytes a
    satellite-epoch: 2.3 GB for a million satellites over a day at 300 s).

    >>> shares = ServedShares(np.array([1, 0]), np.array([0.0, 30.0]), np.array([60.0, 90.0]), 2, np.array([0.0, 60.0, 120.0]))
    >>> shares[1:2].tolist(), shares.shape
    ([[1.0, 0.0]], (2, 2))
    """

    def __init__(self, sat: np.ndarray, start_s: np.ndarray, stop_s: np.ndarray, n_sat: int, offsets_s: np.ndarray) -> None:
        order = np.argsort(np.asarray(sat), kind="stable")  # a satellite's windows keep their order (same sums)
        self._sat = np.asarray(sat, dtype=np.int64)[order]
        self._start = np.asarray(start_s, dtype=np.float64)[order]
        self._stop = np.asarray(stop_s, dtype=np.float64)[order]
        self._ptr = np.searchsorted(self._sat, np.arange(n_sat + 1))
        self._offsets = np.asarray(offsets_s, dtype=float)
        self.shape = (int(n_sat), max(self._offsets.size - 1, 0))

    def __getitem__(self, rows: slice | np.ndarray) -> np.ndarray:
        idx = np.arange(self.shape[0])[rows]
        lo, hi = self._ptr[idx], self._ptr[idx + 1]
        counts = hi - lo
        w = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        local = np.repeat(np.arange(idx.size), counts)
        return served_fraction(local, self._start[w], self._stop[w], idx.size, self._offsets)

    def tracked(self, block_sats: int = 65536) -> np.ndarray:
        """``(n_sat, n_time - 1)`` bool: tracked at all during each interval (built per block of satellites)."""
        out = np.zeros(self.shape, dtype=bool)
        for s0 in range(0, self.shape[0], block_sats):
            out[s0:s0 + block_sats] = self[s0:s0 + block_sats] > 0
        return out


def contact_mask(r_ecef_km: np.ndarray, site_ecef_km: np.ndarray, site_up: np.ndarray,
                 min_elevation_deg: np.ndarray, max_range_km: np.ndarray | None = None) -> np.ndarray:
    """In-contact flags on the grid epochs, ``(n_station, n_sat, n_time)`` bool.

    ``r_ecef_km`` ``(n_sat, n_time, 3)``; ``site_ecef_km`` and ``site_up`` ``(n_station, 3)``
    (geodetic position and unit local vertical); ``min_elevation_deg`` ``(n_station,)``.
    """
    r = np.ascontiguousarray(r_ecef_km, dtype=np.float64)
    site = np.ascontiguousarray(np.reshape(site_ecef_km, (-1, 3)), dtype=np.float64)
    up = np.ascontiguousarray(np.reshape(site_up, (-1, 3)), dtype=np.float64)
    sin_el = np.sin(np.radians(np.broadcast_to(np.asarray(min_elevation_deg, dtype=float), (site.shape[0],))))
    out = np.empty((site.shape[0], r.shape[0], r.shape[1]), dtype=np.bool_)
    if out.size:
        _contact_kernel(r, site, up, np.ascontiguousarray(sin_el), place_ranges_km(max_range_km, site.shape[0]), out)
    return out


# --------------------------------------------------------------------------------------
# Windows and their refinement
# --------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _refine_kernel(r_ecef, base, offsets, sats, site, up, sin_el, max_range_km, t_in, t_out, left, steps, out):
    """Bisect each event between ``t_in`` (in contact) and ``t_out`` (out of contact).

    Positions between grid epochs come from four-point (cubic) Lagrange interpolation on the
    epochs around the interval ``[left, left + 1]`` (fewer points on a shorter grid); the test
    is the visibility margin ``(s - g).up - |s - g| sin(e_min)``, >= 0 exactly in contact.
    ``offsets`` and ``left`` number the run's epochs; ``r_ecef`` holds epochs ``base..`` of it.
    """
    n_time = offsets.size
    m = min(4, n_time)
    for e in range(sats.size):
        j0 = min(max(left[e] - 1, 0), n_time - m)
        s = sats[e]
        a_in = t_in[e]
        a_out = t_out[e]
        for _ in range(steps):
            mid = 0.5 * (a_in + a_out)
            px = 0.0
            py = 0.0
            pz = 0.0
            for a in range(m):
                w = 1.0
                ta = offsets[j0 + a]
                for b in range(m):
                    if a != b:
                        tb = offsets[j0 + b]
                        w *= (mid - tb) / (ta - tb)
                px += w * r_ecef[s, j0 + a - base, 0]
                py += w * r_ecef[s, j0 + a - base, 1]
                pz += w * r_ecef[s, j0 + a - base, 2]
            dx = px - site[e, 0]
            dy = py - site[e, 1]
            dz = pz - site[e, 2]
            dist = np.sqrt(dx * dx + dy * dy + dz * dz)
            margin = min(dx * up[e, 0] + dy * up[e, 1] + dz * up[e, 2] - dist * sin_el[e], max_range_km[e] - dist)
            if margin >= 0.0:
                a_in = mid
            else:
                a_out = mid
        out[e] = 0.5 * (a_in + a_out)


def _refine(r_ecef: np.ndarray, offsets: np.ndarray, sats: np.ndarray, site: np.ndarray, up: np.ndarray,
            sin_el: np.ndarray, t_in: np.ndarray, t_out: np.ndarray, left: np.ndarray, max_range_km: np.ndarray,
            base: int = 0) -> np.ndarray:
    """Crossing times of contact events, bisected between in-contact and out-of-contact times.

    ``r_ecef`` holds the run's epochs ``base..`` (a block with its halo); ``offsets`` all of them."""
    out = np.empty(sats.size)
    if sats.size:
        _refine_kernel(r_ecef, int(base), np.ascontiguousarray(offsets, dtype=np.float64), np.ascontiguousarray(sats, dtype=np.int64),
                       np.ascontiguousarray(site, dtype=np.float64), np.ascontiguousarray(up, dtype=np.float64),
                       np.ascontiguousarray(sin_el, dtype=np.float64), np.ascontiguousarray(max_range_km, dtype=np.float64),
                       np.ascontiguousarray(t_in, dtype=np.float64),
                       np.ascontiguousarray(t_out, dtype=np.float64), np.ascontiguousarray(left, dtype=np.int64),
                       _BISECTION_STEPS, out)
    return out


@dataclass(frozen=True, eq=False)
class Windows:
    """Contact windows as parallel arrays (one entry per pass), sorted by station, satellite, AOS."""

    station: np.ndarray
    sat: np.ndarray
    aos_s: np.ndarray
    los_s: np.ndarray
    aos_cut: np.ndarray
    los_cut: np.ndarray


HALO_EPOCHS = 3
"""Epochs a block reads on each side of its own: the state change at its edges and the four-point
interpolation of a crossing near them need them."""


@dataclass(frozen=True, eq=False)
class ContactEvents:
    """What one block of epochs ``t0..t1-1`` contributes to the contact windows.

    ``mask``: in contact on the block's epochs (:class:`InContact` of ``(n_station, n_sat, t1 - t0)``). A *rise* is a
    window's first in-contact epoch in the block (``rise_epoch``, numbered in the run) with its
    refined AOS ``rise_s``; a *set* its last one (``set_epoch``) with its refined LOS ``set_s``.
    A window that spans blocks rises in one and sets in another: :func:`windows_from_events`
    pairs them, so the windows are the same whatever the blocks.
    """

    mask: InContact
    rise_station: np.ndarray
    rise_sat: np.ndarray
    rise_epoch: np.ndarray
    rise_s: np.ndarray
    set_station: np.ndarray
    set_sat: np.ndarray
    set_epoch: np.ndarray
    set_s: np.ndarray


@dataclass(frozen=True, eq=False)
class InContact:
    """An in-contact mask ``(n_station, n_sat, n_time)`` kept packed, one bit a station, satellite and
    epoch (``bits``, packed along the satellites so that blocks of epochs join end to end), and
    ``count`` ``(n_station, n_time)``, the satellites in contact with each station at each epoch."""

    bits: PackedBits
    count: np.ndarray

    @classmethod
    def of(cls, mask: np.ndarray) -> InContact:
        mask = np.asarray(mask, dtype=bool)
        return cls(PackedBits.pack(mask, axis=1), mask.sum(axis=1, dtype=np.int64))

    @classmethod
    def concatenate(cls, parts: list[InContact]) -> InContact:
        """The mask of consecutive blocks of epochs (in time order)."""
        if not parts:
            return cls.of(np.zeros((0, 0, 0), dtype=bool))
        return cls(PackedBits.concatenate([p.bits for p in parts], along=2, shape=(0, 0, 0), axis=1),
                   np.concatenate([p.count for p in parts], axis=-1))


def halo(t0: int, t1: int, n_time: int) -> tuple[int, int]:
    """The epochs a block ``t0..t1-1`` reads: its own and :data:`HALO_EPOCHS` each side, within the run."""
    return max(0, t0 - HALO_EPOCHS), min(n_time, t1 + HALO_EPOCHS)


def block_events(r_ecef_km: np.ndarray, base: int, t0: int, t1: int, offsets_s: np.ndarray, site_ecef_km: np.ndarray,
                 site_up: np.ndarray, min_elevation_deg: np.ndarray, max_range_km: np.ndarray | None = None,
                 mask: np.ndarray | None = None) -> ContactEvents:
    """Rises and sets of the windows in epochs ``t0..t1-1`` of a run, AOS/LOS refined between epochs.

    ``r_ecef_km`` ``(n_sat, n_read, 3)`` holds the run's epochs ``base..base + n_read - 1``, which
    must include :func:`halo` ``(t0, t1)``; ``offsets_s`` are all of the run's epochs. ``mask``
    is the contact mask of those read epochs when already computed.
    """
    r = np.ascontiguousarray(r_ecef_km, dtype=np.float64)
    offsets = np.asarray(offsets_s, dtype=float)
    site = np.reshape(np.asarray(site_ecef_km, dtype=float), (-1, 3))
    up = np.reshape(np.asarray(site_up, dtype=float), (-1, 3))
    el = np.broadcast_to(np.asarray(min_elevation_deg, dtype=float), (site.shape[0],))
    rng = place_ranges_km(max_range_km, site.shape[0])
    if mask is None:
        mask = contact_mask(r, site, up, el, rng)
    n_time = offsets.size
    own = mask[..., t0 - base:t1 - base]
    edged = np.zeros(mask.shape[:2] + (t1 - t0 + 2,), dtype=np.int8)
    edged[..., 1:-1] = own
    if t0 > 0:
        edged[..., 0] = mask[..., t0 - 1 - base]
    if t1 < n_time:
        edged[..., -1] = mask[..., t1 - base]
    step = np.diff(edged, axis=-1)
    st_a, sat_a, k_a = np.nonzero(step[..., :t1 - t0] == 1)  # first in-contact epoch t0 + k of a window
    st_b, sat_b, k_b = np.nonzero(step[..., 1:] == -1)  # last in-contact epoch t0 + k of a window
    i_a, i_b = t0 + k_a, t0 + k_b
    aos = offsets[i_a].copy() if i_a.size else np.zeros(0)
    los = offsets[i_b].copy() if i_b.size else np.zeros(0)
    sin_el = np.sin(np.radians(el))
    ref = i_a > 0
    if ref.any():
        k = st_a[ref]
        aos[ref] = _refine(r, offsets, sat_a[ref], site[k], up[k], sin_el[k],
                           offsets[i_a[ref]], offsets[i_a[ref] - 1], i_a[ref] - 1, rng[k], base)
    ref = i_b < n_time - 1
    if ref.any():
        k = st_b[ref]
        los[ref] = _refine(r, offsets, sat_b[ref], site[k], up[k], sin_el[k],
                           offsets[i_b[ref]], offsets[i_b[ref] + 1], i_b[ref], rng[k], base)
    return ContactEvents(InContact.of(own), st_a, sat_a, i_a, aos, st_b, sat_b, i_b, los)


def windows_from_events(parts: list[ContactEvents], n_time: int) -> tuple[Windows, InContact]:
    """The windows and the in-contact mask ``(n_station, n_sat, n_time)`` (packed) of a run from its blocks'
    events (blocks in time order): the k-th rise of a station and satellite opens the window
    that its k-th set closes."""
    def cat(name: str, dtype: type) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(p, name), dtype=dtype) for p in parts]) if parts else np.zeros(0, dtype)

    rise = [cat(n, np.int64) for n in ("rise_station", "rise_sat", "rise_epoch")]
    sets = [cat(n, np.int64) for n in ("set_station", "set_sat", "set_epoch")]
    ra, sb = np.lexsort((rise[2], rise[1], rise[0])), np.lexsort((sets[2], sets[1], sets[0]))
    st_a, sat_a, i_a = (x[ra] for x in rise)
    st_b, sat_b, i_b = (x[sb] for x in sets)
    assert np.array_equal(st_a, st_b) and np.array_equal(sat_a, sat_b)
    mask = InContact.concatenate([p.mask for p in parts])
    win = Windows(st_a.astype(np.int32), sat_a.astype(np.int32), cat("rise_s", np.float64)[ra],
                  cat("set_s", np.float64)[sb], i_a == 0, i_b == n_time - 1)
    return win, mask


def find_windows(r_ecef_km: np.ndarray, offsets_s: np.ndarray, site_ecef_km: np.ndarray, site_up: np.ndarray,
                 min_elevation_deg: np.ndarray, mask: np.ndarray | None = None,
                 max_range_km: np.ndarray | None = None) -> tuple[Windows, InContact]:
    """Contact windows of every satellite with every station, AOS/LOS refined between epochs.

    Returns the windows and the in-contact mask on the grid epochs (``contact_mask``, packed).
    """
    n_time = np.asarray(offsets_s).size
    events = block_events(r_ecef_km, 0, 0, n_time, offsets_s, site_ecef_km, site_up, min_elevation_deg,
                          max_range_km, mask)
    return windows_from_events([events], n_time)


def time_to_next_contact(windows: Windows, n_sat: int, offsets_s: np.ndarray) -> np.ndarray:
    """``(n_sat, n_time)`` seconds from each epoch to the satellite's next contact with any station."""
    order = np.lexsort((windows.aos_s, windows.sat))
    sat = windows.sat[order]
    starts = np.searchsorted(sat, np.arange(n_sat + 1)).astype(np.int64)
    offsets = np.asarray(offsets_s, dtype=float)
    out = np.empty((n_sat, offsets.size))
    if out.size:
        _next_contact_kernel(starts, np.ascontiguousarray(windows.aos_s[order]),
                             np.ascontiguousarray(windows.los_s[order]), offsets, out)
    return out


def union_intervals(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge overlapping intervals; returns sorted disjoint ``(start, stop)``."""
    if start.size == 0:
        return np.zeros(0), np.zeros(0)
    order = np.argsort(start, kind="stable")
    a, b = start[order], stop[order]
    reach = np.maximum.accumulate(b)
    new = np.ones(a.size, dtype=bool)
    new[1:] = a[1:] > reach[:-1]
    idx = np.flatnonzero(new)
    ends = np.append(idx[1:], a.size) - 1
    return a[idx], reach[ends]


# --------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AccessResult:
    """Ground-station access over the analysis window.

    Stations (``(n_station,)``): ``station_names``, ``station_lat_deg``, ``station_lon_deg``,
    ``station_alt_m``, ``station_min_elevation_deg``, ``station_antennas``, and per station
    (from the antenna schedule, see the module docstring) ``passes``, ``contact_s``,
    ``antenna_s``, ``max_gap_s``, ``mean_pass_s``, ``downlink_gbit``; and of the sky
    ``passes_in_view``, ``in_view_s`` (union of the windows), ``contact_sum_s`` (their sum).

    Windows (``(n_window,)``, sorted by station, satellite, AOS): ``window_station``,
    ``window_sat`` (global satellite index), ``window_aos_s``/``window_los_s`` (seconds from
    the epoch), ``window_aos_cut``/``window_los_cut`` (cut by the analysis window),
    ``window_track_start_s`` (when an antenna took the satellite; NaN: never).

    ``contact``: the in-contact mask on the grid epochs, packed (:class:`InContact`, 1 bit a
    station and satellite-epoch); ``in_contact`` ``(n_station, n_sat, n_time)`` bool is that mask
    decoded when read, ``satellites_in_contact`` ``(n_station, n_time)`` its count (kept).
    Computed from the windows when read (the result keeps no float array per satellite-epoch):
    ``served_fraction`` ``(n_sat, n_time - 1)``, the share of each grid interval during which the
    satellite is tracked by an antenna (what the time-to-insight model downlinks in);
    ``time_to_next_contact_s`` ``(n_sat, n_time)``: see the module docstring.
    """

    offsets_s: np.ndarray
    station_names: tuple[str, ...]
    station_lat_deg: np.ndarray
    station_lon_deg: np.ndarray
    station_alt_m: np.ndarray
    station_min_elevation_deg: np.ndarray
    sat_downlink_mbps: np.ndarray
    window_station: np.ndarray
    window_sat: np.ndarray
    window_aos_s: np.ndarray
    window_los_s: np.ndarray
    window_aos_cut: np.ndarray
    window_los_cut: np.ndarray
    contact: InContact
    passes: np.ndarray
    contact_s: np.ndarray
    contact_sum_s: np.ndarray
    max_gap_s: np.ndarray
    mean_pass_s: np.ndarray
    downlink_gbit: np.ndarray
    station_antennas: np.ndarray
    window_track_start_s: np.ndarray
    antenna_s: np.ndarray
    in_view_s: np.ndarray
    passes_in_view: np.ndarray

    @property
    def n_station(self) -> int:
        return len(self.station_names)

    @property
    def in_contact(self) -> np.ndarray:
        """``(n_station, n_sat, n_time)`` bool, decoded from :attr:`contact` when read."""
        return self.contact.bits.unpack()

    @property
    def satellites_in_contact(self) -> np.ndarray:
        """``(n_station, n_time)`` satellites in contact with each station at each epoch."""
        return self.contact.count

    @property
    def served_fraction(self) -> np.ndarray:
        """``(n_sat, n_time - 1)`` tracked share of each grid interval (see the class docstring), computed
        from the windows and the antenna schedule when read: the analysis does not keep it (8 bytes a
        satellite-epoch, 2.3 GB for a million satellites over a day at 300 s)."""
        return served_fraction(self.window_sat, self.window_track_start_s, self.window_los_s,
                               self.sat_downlink_mbps.size, self.offsets_s)

    @property
    def served_shares(self) -> ServedShares:
        """:attr:`served_fraction` read per block of satellites (``shares[s0:s1]``), never whole."""
        return ServedShares(self.window_sat, self.window_track_start_s, self.window_los_s,
                            self.sat_downlink_mbps.size, self.offsets_s)

    @property
    def time_to_next_contact_s(self) -> np.ndarray:
        """``(n_sat, n_time)`` seconds from each epoch to the satellite's next contact (see the module
        docstring), computed from the windows when asked: the analysis does not keep it (8 bytes a
        satellite-epoch, 1.2 GB for 100,000 satellites over a day at 60 s)."""
        windows = Windows(self.window_station, self.window_sat, self.window_aos_s, self.window_los_s,
                          self.window_aos_cut, self.window_los_cut)
        return time_to_next_contact(windows, self.sat_downlink_mbps.size, self.offsets_s)

    @property
    def duration_s(self) -> float:
        return float(self.offsets_s[-1] - self.offsets_s[0]) if self.offsets_s.size else 0.0

    @property
    def downlink_gbit_per_day(self) -> float:
        """Downlink of the whole ground segment per day (the insight capacity)."""
        return float(np.sum(self.downlink_gbit)) * 86400.0 / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def window_duration_s(self) -> np.ndarray:
        return self.window_los_s - self.window_aos_s

    def windows_of(self, station: int | None = None, sat: int | None = None) -> np.ndarray:
        """Indices of the windows of one station and/or one satellite."""
        keep = np.ones(self.window_sat.size, dtype=bool)
        if station is not None:
            keep &= self.window_station == station
        if sat is not None:
            keep &= self.window_sat == sat
        return np.flatnonzero(keep)

    def to_json(self) -> list[dict]:
        """The contract's ``access`` section: one entry per station."""
        out = []
        for k, name in enumerate(self.station_names):
            out.append({
                "station": name,
                "passes": int(self.passes[k]),
                "contact_s": round(float(self.contact_s[k]), 1),
                "max_gap_s": round(float(self.max_gap_s[k]), 1),
                "downlink_gbit": round(float(self.downlink_gbit[k]), 3),
                "mean_pass_s": round(float(self.mean_pass_s[k]), 1),
                "contact_sum_s": round(float(self.contact_sum_s[k]), 1),
                "satellites_seen": int(np.unique(self.window_sat[self.window_station == k]).size),
                "min_elevation_deg": float(self.station_min_elevation_deg[k]),
                "antennas": int(self.station_antennas[k]),
                "antenna_s": round(float(self.antenna_s[k]), 1),
                "passes_in_view": int(self.passes_in_view[k]),
                "in_view_s": round(float(self.in_view_s[k]), 1),
                "downlink_gbit_per_day": round(float(self.downlink_gbit[k]) * 86400.0 / self.duration_s, 3)
                if self.duration_s > 0 else 0.0,
            })
        return out

    def tables(self) -> list[Table]:
        rows = [[name, int(self.passes[k]), _hours(self.contact_s[k]), _minutes(self.max_gap_s[k]),
                 round(float(self.downlink_gbit[k]), 1), _minutes(self.mean_pass_s[k])]
                for k, name in enumerate(self.station_names)]
        return [Table("Ground-station access",
                      ["station", "passes", "contact h", "max gap min", "downlink Gbit", "mean pass min"], rows)]


def station_geometry(stations) -> tuple[np.ndarray, np.ndarray]:
    """Geodetic Earth-fixed positions (km) and unit local verticals of stations, each ``(n, 3)``."""
    from core.orbits import frames

    lat = np.array([s.lat_deg for s in stations], dtype=float)
    lon = np.array([s.lon_deg for s in stations], dtype=float)
    alt_km = np.array([s.alt_m for s in stations], dtype=float) / 1000.0
    return frames.ecef_from_geodetic(lat, lon, alt_km).reshape(-1, 3), frames.up_vector(lat, lon).reshape(-1, 3)


def _stations_of(mission) -> list:
    try:
        from core.catalog.places import ground_stations
    except ImportError:  # the catalogue module not there: the mission's own list has the same fields
        return list(mission.ground_stations)
    return list(ground_stations(mission))


def access_block_bytes(n_station: int) -> int:
    """Block bytes per satellite-epoch: the positions, and per station the contact mask and its edges (2)."""
    return POSITION_BYTES_PER_SAT_EPOCH + 2 * max(1, int(n_station))


def access_events_block(mission_data: dict, folder: str | None, t0: int, t1: int, site_ecef_km: np.ndarray,
                        site_up: np.ndarray, min_elevation_deg: np.ndarray, max_range_km: np.ndarray) -> ContactEvents:
    """A block task: the contact events of epochs ``t0..t1-1`` (the worker propagates only their halo)."""
    _, eph = worker_ephemeris(mission_data, folder)
    h0, h1 = halo(t0, t1, eph.n_time)
    return block_events(eph.window(h0, h1).r_ecef_km, h0, t0, t1, eph.time.offsets_s, site_ecef_km, site_up,
                        min_elevation_deg, max_range_km)


def compute_access(mission: Mission, eph: Ephemeris, executor: BlockExecutor | None = None,
                   base_dir: Path | None = None) -> AccessResult | None:
    """Access of every satellite of ``eph`` to every ground station of ``mission``; ``None`` without stations.

    The Earth-fixed positions are read one block of epochs at a time (``eph.window``); windows
    that span blocks are joined exactly (:func:`windows_from_events`). With an ``executor``
    each block is a task; ``eph`` must then be the mission's ephemeris and ``base_dir`` its folder.
    """
    stations = _stations_of(mission)
    if not stations:
        return None
    rates = np.zeros(eph.n_sat)
    for shell in eph.shells:
        rates[eph.local_slice(shell)] = mission.bus_for(mission.constellations[shell.index]).downlink_mbps
    site, up = station_geometry(stations)
    from core.analysis.latency import place_range_km

    antennas = np.array([getattr(st, "antennas", 1) for st in mission.ground_stations], dtype=np.int64)
    el = np.array([s.min_elevation_deg for s in stations], dtype=float)
    rng = place_ranges_km(np.array([place_range_km(mission, s.name) for s in stations]), len(stations))
    n_time = eph.n_time
    blocks = epoch_blocks(eph.n_sat, n_time, access_block_bytes(len(stations))) or [(0, n_time)]
    if executor is None:
        parts = []
        for t0, t1 in blocks:
            h0, h1 = halo(t0, t1, n_time)
            parts.append(block_events(eph.window(h0, h1).r_ecef_km, h0, t0, t1, eph.time.offsets_s, site, up, el, rng))
    else:
        data, folder = mission_payload(mission, eph, base_dir, "access")
        parts = list(map_blocks(access_events_block, [(data, folder, t0, t1, site, up, el, rng) for t0, t1 in blocks],
                                executor))
    win, mask = windows_from_events(parts, n_time)
    return assemble_access(eph.time.offsets_s, stations, rates, antennas, win, mask)


def access_from_positions(r_ecef_km: np.ndarray, offsets_s: np.ndarray, stations: list, site_ecef_km: np.ndarray,
                          site_up: np.ndarray, downlink_mbps: np.ndarray | float,
                          antennas: np.ndarray | int = 1, max_range_km: np.ndarray | None = None) -> AccessResult:
    """The access analysis on plain arrays (``r_ecef_km`` ``(n_sat, n_time, 3)`` km, Earth-fixed).

    ``stations`` are objects with ``name``, ``lat_deg``, ``lon_deg``, ``alt_m`` and
    ``min_elevation_deg``; ``downlink_mbps`` is per satellite (or one value for all),
    ``antennas`` per station (or one value for all).
    """
    offsets = np.asarray(offsets_s, dtype=float)
    r = np.ascontiguousarray(r_ecef_km, dtype=np.float64)
    el = np.array([s.min_elevation_deg for s in stations], dtype=float)
    win, mask = find_windows(r, offsets, site_ecef_km, site_up, el, max_range_km=max_range_km)
    rates = np.broadcast_to(np.asarray(downlink_mbps, dtype=float), (r.shape[0],)).copy()
    return assemble_access(offsets, stations, rates, antennas, win, mask)


def assemble_access(offsets_s: np.ndarray, stations: list, rates_mbps: np.ndarray, antennas: np.ndarray | int,
                    win: Windows, mask: InContact) -> AccessResult:
    """The :class:`AccessResult` from the run's windows and contact mask: the antenna schedule and
    every figure (the windows of the whole run are needed here, a few arrays per pass)."""
    offsets = np.asarray(offsets_s, dtype=float)
    n_sat = int(np.asarray(rates_mbps).size)
    n_st = len(stations)
    el = np.array([s.min_elevation_deg for s in stations], dtype=float)
    rates = np.asarray(rates_mbps, dtype=float)
    n_antennas = np.broadcast_to(np.asarray(antennas, dtype=np.int64), (n_st,)).copy()
    track = schedule_antennas(win.station, win.sat, win.aos_s, win.los_s, n_antennas, n_sat)
    t_start = float(offsets[0]) if offsets.size else 0.0
    t_end = float(offsets[-1]) if offsets.size else 0.0
    figures = np.zeros((n_st, 9))
    for k in range(n_st):  # per station: a handful of them
        sel = win.station == k
        figures[k] = station_figures(win.aos_s[sel], win.los_s[sel], track[sel], rates[win.sat[sel]], t_start, t_end)
    return AccessResult(
        offsets_s=offsets,
        station_names=tuple(s.name for s in stations),
        station_lat_deg=np.array([s.lat_deg for s in stations], dtype=float),
        station_lon_deg=np.array([s.lon_deg for s in stations], dtype=float),
        station_alt_m=np.array([s.alt_m for s in stations], dtype=float),
        station_min_elevation_deg=el,
        sat_downlink_mbps=rates,
        window_station=win.station,
        window_sat=win.sat,
        window_aos_s=win.aos_s,
        window_los_s=win.los_s,
        window_aos_cut=win.aos_cut,
        window_los_cut=win.los_cut,
        contact=mask,
        passes=figures[:, 0].astype(np.int64),
        contact_s=figures[:, 1],
        contact_sum_s=figures[:, 2],
        max_gap_s=figures[:, 3],
        mean_pass_s=figures[:, 4],
        downlink_gbit=figures[:, 5],
        station_antennas=n_antennas,
        window_track_start_s=track,
        antenna_s=figures[:, 6],
        in_view_s=figures[:, 7],
        passes_in_view=figures[:, 8].astype(np.int64),
    )


def station_figures(aos_s: np.ndarray, los_s: np.ndarray, track_start_s: np.ndarray, rate_mbps: np.ndarray,
                    t_start: float, t_end: float) -> tuple[float, ...]:
    """Figures of one station from its windows (any satellites) within ``[t_start, t_end]``.

    ``track_start_s`` is when an antenna took each window (NaN: never; tracking lasts to LOS).
    Returns ``(passes, contact_s, contact_sum_s, max_gap_s, mean_pass_s, downlink_gbit,
    antenna_s, in_view_s, passes_in_view)``: ``passes`` the tracked windows, ``contact_s`` the
    union of the tracks, ``antenna_s`` their sum, ``downlink_gbit`` each track at its
    satellite's rate, ``max_gap_s`` the longest time without a track, ``mean_pass_s`` the mean
    track; ``contact_sum_s`` the sum and ``in_view_s`` the union of all windows.
    """
    aos_s, los_s = np.asarray(aos_s, dtype=float), np.asarray(los_s, dtype=float)
    start = np.asarray(track_start_s, dtype=float)
    rate_mbps = np.asarray(rate_mbps, dtype=float)
    tracked = np.isfinite(start)
    t_a, t_b = start[tracked], los_s[tracked]
    length = t_b - t_a
    a, b = union_intervals(t_a, t_b)
    va, vb = union_intervals(aos_s, los_s)
    return (
        int(tracked.sum()),
        float(np.sum(b - a)),
        float(np.sum(los_s - aos_s)),
        _max_gap(a, b, t_start, t_end),
        float(length.mean()) if length.size else 0.0,
        float(np.sum(length * rate_mbps[tracked])) / 1000.0,
        float(length.sum()),
        float(np.sum(vb - va)),
        int(aos_s.size),
    )


def _max_gap(a: np.ndarray, b: np.ndarray, t_start: float, t_end: float) -> float:
    """Longest time in ``[t_start, t_end]`` outside the disjoint sorted intervals ``[a, b]``."""
    if a.size == 0:
        return t_end - t_start
    gaps = np.concatenate([[a[0] - t_start], a[1:] - b[:-1], [t_end - b[-1]]])
    return float(max(0.0, gaps.max()))


def _hours(seconds: float) -> float:
    return round(float(seconds) / 3600.0, 2)


def _minutes(seconds: float) -> float:
    return round(float(seconds) / 60.0, 1)
