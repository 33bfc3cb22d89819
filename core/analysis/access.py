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

**One antenna per station.** A station talks to one satellite at a time, so its
``contact_s`` is the union of the windows of all satellites (time with at least one
satellite in view), not their sum, and ``max_gap_s`` is the longest time with none in view
(including the waits at the start and end of the analysis window). Its ``downlink_gbit``
is that union time at the rate of the fastest satellite in view (each satellite's rate is
its bus's ``downlink_mbps``). ``passes`` counts every satellite's windows.
``contact_sum_s`` (the plain sum over satellites) is kept for multi-antenna what-ifs.

Per satellite, ``time_to_next_contact_s`` is, at each grid epoch, the time until the
satellite is next in contact with any station: 0 while in contact, ``inf`` when no further
contact happens within the analysis window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from core.analysis.elevation_mask import in_ground_link, place_ranges_km
from core.analysis.tables import Table

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
def _refine_kernel(r_ecef, offsets, sats, site, up, sin_el, max_range_km, t_in, t_out, left, steps, out):
    """Bisect each event between ``t_in`` (in contact) and ``t_out`` (out of contact).

    Positions between grid epochs come from four-point (cubic) Lagrange interpolation on the
    epochs around the interval ``[left, left + 1]`` (fewer points on a shorter grid); the test
    is the visibility margin ``(s - g).up - |s - g| sin(e_min)``, >= 0 exactly in contact.
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
                px += w * r_ecef[s, j0 + a, 0]
                py += w * r_ecef[s, j0 + a, 1]
                pz += w * r_ecef[s, j0 + a, 2]
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


def _refine(r_ecef, offsets, sats, site, up, sin_el, t_in, t_out, left, max_range_km):
    """Crossing times of contact events, bisected between in-contact and out-of-contact times."""
    out = np.empty(sats.size)
    if sats.size:
        _refine_kernel(r_ecef, np.ascontiguousarray(offsets, dtype=np.float64), np.ascontiguousarray(sats, dtype=np.int64),
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


def find_windows(r_ecef_km: np.ndarray, offsets_s: np.ndarray, site_ecef_km: np.ndarray, site_up: np.ndarray,
                 min_elevation_deg: np.ndarray, mask: np.ndarray | None = None,
                 max_range_km: np.ndarray | None = None) -> tuple[Windows, np.ndarray]:
    """Contact windows of every satellite with every station, AOS/LOS refined between epochs.

    Returns the windows and the in-contact mask on the grid epochs (``contact_mask``).
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
    padded = np.zeros(mask.shape[:2] + (n_time + 2,), dtype=np.int8)
    padded[..., 1:-1] = mask
    step = np.diff(padded, axis=-1)
    st_a, sat_a, i_a = np.nonzero(step == 1)  # first in-contact epoch of each window
    st_b, sat_b, i_b = np.nonzero(step == -1)  # one past the last in-contact epoch
    i_b = i_b - 1
    assert np.array_equal(st_a, st_b) and np.array_equal(sat_a, sat_b)
    aos = offsets[i_a] if i_a.size else np.zeros(0)
    los = offsets[i_b] if i_b.size else np.zeros(0)
    aos_cut = i_a == 0
    los_cut = i_b == n_time - 1
    sin_el = np.sin(np.radians(el))
    ref = ~aos_cut
    if ref.any():
        k = st_a[ref]
        aos = aos.copy()
        aos[ref] = _refine(r, offsets, sat_a[ref], site[k], up[k], sin_el[k],
                           offsets[i_a[ref]], offsets[i_a[ref] - 1], i_a[ref] - 1, rng[k])
    ref = ~los_cut
    if ref.any():
        k = st_b[ref]
        los = los.copy()
        los[ref] = _refine(r, offsets, sat_b[ref], site[k], up[k], sin_el[k],
                           offsets[i_b[ref]], offsets[i_b[ref] + 1], i_b[ref], rng[k])
    return Windows(st_a.astype(np.int32), sat_a.astype(np.int32), aos, los, aos_cut, los_cut), mask


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
    ``station_alt_m``, ``station_min_elevation_deg``, and per station ``passes``,
    ``contact_s`` (union over satellites), ``contact_sum_s`` (sum over satellites),
    ``max_gap_s``, ``mean_pass_s``, ``downlink_gbit`` (one antenna, fastest satellite in view).

    Windows (``(n_window,)``, sorted by station, satellite, AOS): ``window_station``,
    ``window_sat`` (global satellite index), ``window_aos_s``/``window_los_s`` (seconds from
    the epoch), ``window_aos_cut``/``window_los_cut`` (cut by the analysis window).

    ``in_contact`` ``(n_station, n_sat, n_time)``: contact on the grid epochs.
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
    in_contact: np.ndarray
    time_to_next_contact_s: np.ndarray
    passes: np.ndarray
    contact_s: np.ndarray
    contact_sum_s: np.ndarray
    max_gap_s: np.ndarray
    mean_pass_s: np.ndarray
    downlink_gbit: np.ndarray

    @property
    def n_station(self) -> int:
        return len(self.station_names)

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


def compute_access(mission, eph) -> AccessResult | None:
    """Access of every satellite of ``eph`` to every ground station of ``mission``; ``None`` without stations."""
    stations = _stations_of(mission)
    if not stations:
        return None
    rates = np.zeros(eph.n_sat)
    for shell in eph.shells:
        rates[shell.sat_slice] = mission.bus_for(mission.constellations[shell.index]).downlink_mbps
    site, up = station_geometry(stations)
    from core.analysis.network import place_range_km

    return access_from_positions(
        eph.r_ecef_km, eph.time.offsets_s, stations, site, up, rates,
        max_range_km=np.array([place_range_km(mission, s.name) for s in stations]),
    )


def access_from_positions(r_ecef_km: np.ndarray, offsets_s: np.ndarray, stations, site_ecef_km: np.ndarray,
                          site_up: np.ndarray, downlink_mbps: np.ndarray | float,
                          max_range_km: np.ndarray | None = None) -> AccessResult:
    """The access analysis on plain arrays (``r_ecef_km`` ``(n_sat, n_time, 3)`` km, Earth-fixed).

    ``stations`` are objects with ``name``, ``lat_deg``, ``lon_deg``, ``alt_m`` and
    ``min_elevation_deg``; ``downlink_mbps`` is per satellite (or one value for all).
    """
    offsets = np.asarray(offsets_s, dtype=float)
    r = np.ascontiguousarray(r_ecef_km, dtype=np.float64)
    n_sat = r.shape[0]
    el = np.array([s.min_elevation_deg for s in stations], dtype=float)
    rates = np.broadcast_to(np.asarray(downlink_mbps, dtype=float), (n_sat,)).copy()
    win, mask = find_windows(r, offsets, site_ecef_km, site_up, el, max_range_km=max_range_km)
    t_start = float(offsets[0]) if offsets.size else 0.0
    t_end = float(offsets[-1]) if offsets.size else 0.0
    n_st = len(stations)
    passes = np.zeros(n_st, dtype=np.int64)
    contact = np.zeros(n_st)
    contact_sum = np.zeros(n_st)
    max_gap = np.zeros(n_st)
    mean_pass = np.zeros(n_st)
    downlink = np.zeros(n_st)
    for k in range(n_st):  # per station: a handful of them
        sel = win.station == k
        passes[k], contact[k], contact_sum[k], max_gap[k], mean_pass[k], downlink[k] = station_figures(
            win.aos_s[sel], win.los_s[sel], rates[win.sat[sel]], t_start, t_end)
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
        in_contact=mask,
        time_to_next_contact_s=time_to_next_contact(win, n_sat, offsets),
        passes=passes,
        contact_s=contact,
        contact_sum_s=contact_sum,
        max_gap_s=max_gap,
        mean_pass_s=mean_pass,
        downlink_gbit=downlink,
    )


def station_figures(aos_s: np.ndarray, los_s: np.ndarray, rate_mbps: np.ndarray, t_start: float, t_end: float):
    """Figures of one station from its windows (any satellites) within ``[t_start, t_end]``.

    Returns ``(passes, contact_s, contact_sum_s, max_gap_s, mean_pass_s, downlink_gbit)``:
    ``contact_s`` is the union of the windows (one antenna), ``downlink_gbit`` the union time
    at the rate of the fastest satellite in view, computed layer by layer: for each rate
    level ``r_k`` (ascending), ``(r_k - r_{k-1})`` times the union of the windows of the
    satellites at least that fast.
    """
    aos_s, los_s = np.asarray(aos_s, dtype=float), np.asarray(los_s, dtype=float)
    rate_mbps = np.asarray(rate_mbps, dtype=float)
    duration = los_s - aos_s
    a, b = union_intervals(aos_s, los_s)
    volume_mbit, below = 0.0, 0.0
    for level in np.unique(rate_mbps):
        faster = rate_mbps >= level
        ua, ub = union_intervals(aos_s[faster], los_s[faster])
        volume_mbit += (level - below) * float(np.sum(ub - ua))
        below = level
    return (
        int(aos_s.size),
        float(np.sum(b - a)),
        float(duration.sum()),
        _max_gap(a, b, t_start, t_end),
        float(duration.mean()) if duration.size else 0.0,
        volume_mbit / 1000.0,
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
