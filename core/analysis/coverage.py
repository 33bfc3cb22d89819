"""Coverage of the Earth (or a region) by the constellation, on an area-weighted grid.

A grid cell is *covered* at an epoch when at least one satellite is at or above the
mission's ``min_elevation_deg`` as seen from the cell centre. The Earth is a sphere here
(see :mod:`core.analysis.grid`): with ``s`` a satellite's Earth-fixed position, ``r = |s|``,
``u`` the unit vector of the cell centre, ``R`` the sphere's radius and ``e`` the mask, the
textbook test ``(s - R u) . u >= |s - R u| sin e`` is equivalent to

    ``s . u >= R cos^2 e + sin e * sqrt(r^2 - R^2 cos^2 e)``   (the footprint threshold),

i.e. the cell lies within the Earth-central angle ``lambda = arccos(R cos e / r) - e`` of the
sub-satellite point. The numba kernel *stamps* each satellite's footprint: it visits only
the grid rows within ``lambda`` of the sub-satellite latitude and, on each row, only the
longitude span within reach (closed form), and tests each candidate cell exactly, so the
mask is the same as testing every cell against every satellite, at a small fraction of the
cost. Epochs are stamped in parallel in chunks; per-cell statistics (gaps, revisit,
multiplicity) are then accumulated epoch by epoch, so memory stays O(cells), not
O(cells x epochs), while the per-epoch area series is kept.

Time accounting: every epoch of the analysis grid stands for ``step_s`` seconds (sample
and hold). A *gap* of a cell is a maximal run of uncovered epochs, its length
``run * step_s``; runs touching the start or end of the window count as gaps too (they are
truncated by the window). ``mean_revisit_s`` of a cell is the mean gap length (STK's
"revisit time"): 0 for a cell that is always covered, NaN for one never covered.

Entry points: :func:`compute_coverage` (the analysis) and :func:`coverage_mask_at` /
:func:`sats_in_view_at` (one epoch, fast enough for the app to recompute live).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from numba import njit, prange

from core.analysis.grid import CoverageGrid, make_grid
from core.analysis.tables import Table
from core.mission.model import Mission
from core.orbits.blocks import (POSITION_BYTES_PER_SAT_EPOCH, BlockExecutor, epoch_blocks, map_blocks,
                                mission_payload, worker_ephemeris)
from core.orbits.ephemeris import Ephemeris

ProgressFn = Callable[[str, float], None]

_CHUNK_EPOCHS = 32
_MARGIN_RAD = 1e-6  # widening of the candidate rows/spans; the exact test decides


# --------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------


@njit(cache=True, nogil=True, inline="always")
def _sees(cphi, b, cos_col, sin_col, k, sx, sy, thr):
    return cphi * (cos_col[k] * sx + sin_col[k] * sy) + b >= thr


@njit(cache=True, nogil=True, inline="always")
def _wrap(k, n):
    if k < 0:
        return k + n
    if k >= n:
        return k - n
    return k


@njit(cache=True, nogil=True, inline="always")
def _stamp_one(sx, sy, sz, radius_km, cos_el, sin_el, sin_row, cos_row, cos_col, sin_col,
               row_map, col_map, local_cols, d_lat, d_lon, counts):
    """Add 1 to ``counts[row, col]`` for every cell that sees the satellite at ``(sx, sy, sz)``.

    On each row within reach the visible cells form one arc around the sub-satellite
    longitude (a latitude circle cuts a spherical cap in one arc), so the exact test walks
    inwards from both ends of the closed-form candidate span until it meets a visible cell,
    and every cell between the two is visible. Rows that the cap crosses whole (near a pole)
    are tested cell by cell.
    """
    r2 = sx * sx + sy * sy + sz * sz
    r = math.sqrt(r2)
    if r <= radius_km:
        return
    rc = radius_km * cos_el
    thr = rc * cos_el + sin_el * math.sqrt(r2 - rc * rc)  # s.u >= thr  <=>  elevation >= mask
    cos_lam = thr / r
    if cos_lam >= 1.0:
        cos_lam = 1.0
    lam = math.acos(cos_lam) + _MARGIN_RAD
    sin_lat_s = sz / r
    cos_lat_s = math.sqrt(max(0.0, 1.0 - sin_lat_s * sin_lat_s))
    lat_s = math.asin(sin_lat_s)
    lon_s = math.atan2(sy, sx)
    cos_lam_m = math.cos(lam)
    n_lat_g = row_map.size
    n_lon_g = col_map.size
    n_local_cols = local_cols.size
    identity_cols = n_local_cols == n_lon_g
    half_pi = 0.5 * math.pi
    inv_d_lon = 1.0 / d_lon
    i_lo = int(math.floor((lat_s - lam + half_pi) / d_lat - 0.5))
    i_hi = int(math.ceil((lat_s + lam + half_pi) / d_lat - 0.5))
    x_s = (lon_s + math.pi) * inv_d_lon - 0.5
    if i_lo < 0:
        i_lo = 0
    if i_hi > n_lat_g - 1:
        i_hi = n_lat_g - 1
    for i in range(i_lo, i_hi + 1):
        li = row_map[i]
        if li < 0:
            continue
        cphi = cos_row[i]
        b = sin_row[i] * sz
        den = cphi * cos_lat_s
        full = False
        k_lo = 0
        k_hi = -1
        if den <= 1e-12:
            full = True
        else:
            q = (cos_lam_m - sin_row[i] * sin_lat_s) / den
            if q > 1.0:
                continue
            if q <= -1.0:
                full = True
            else:
                dlon = math.acos(q)
                w = dlon * inv_d_lon
                k_lo = int(math.floor(x_s - w)) - 1
                k_hi = int(math.ceil(x_s + w)) + 1
                if k_hi - k_lo + 1 >= n_lon_g:
                    full = True
        if full:
            for lj in range(n_local_cols):
                if _sees(cphi, b, cos_col, sin_col, local_cols[lj], sx, sy, thr):
                    counts[li, lj] += 1
            continue
        # walk in from the left end to the first visible cell
        a = k_lo
        kk = _wrap(a, n_lon_g)
        while a <= k_hi and not _sees(cphi, b, cos_col, sin_col, kk, sx, sy, thr):
            a += 1
            kk += 1
            if kk == n_lon_g:
                kk = 0
        if a > k_hi:
            continue
        ka = kk
        # and from the right end
        e = k_hi
        kk = _wrap(e, n_lon_g)
        while e > a and not _sees(cphi, b, cos_col, sin_col, kk, sx, sy, thr):
            e -= 1
            kk -= 1
            if kk < 0:
                kk = n_lon_g - 1
        length = e - a + 1
        if identity_cols:
            stop = ka + length
            if stop <= n_lon_g:
                for j in range(ka, stop):
                    counts[li, j] += 1
            else:
                for j in range(ka, n_lon_g):
                    counts[li, j] += 1
                for j in range(0, stop - n_lon_g):
                    counts[li, j] += 1
        else:
            kk = ka
            for _ in range(length):
                lj = col_map[kk]
                if lj >= 0:
                    counts[li, lj] += 1
                kk += 1
                if kk == n_lon_g:
                    kk = 0


@njit(cache=True, nogil=True)
def _stamp_epoch(r_sat, radius_km, cos_el, sin_el, sin_row, cos_row, cos_col, sin_col,
                 row_map, col_map, local_cols, d_lat, d_lon, counts):
    """Stamp every satellite of one epoch (``r_sat`` ``(n_sat, 3)``) into ``counts`` (zeroed here)."""
    counts[:, :] = 0
    for s in range(r_sat.shape[0]):
        _stamp_one(r_sat[s, 0], r_sat[s, 1], r_sat[s, 2], radius_km, cos_el, sin_el, sin_row, cos_row,
                   cos_col, sin_col, row_map, col_map, local_cols, d_lat, d_lon, counts)


@njit(cache=True, nogil=True, parallel=True)
def _stamp_chunk(r_ecef, t0, t1, radius_km, cos_el, sin_el, sin_row, cos_row, cos_col, sin_col,
                 row_map, col_map, local_cols, d_lat, d_lon, buf):
    """Stamp epochs ``t0..t1-1`` of ``r_ecef`` ``(n_sat, n_time, 3)`` in parallel into ``buf[:t1-t0]``."""
    n_sat = r_ecef.shape[0]
    for e in prange(t1 - t0):
        t = t0 + e
        counts = buf[e]
        counts[:, :] = 0
        for s in range(n_sat):
            _stamp_one(r_ecef[s, t, 0], r_ecef[s, t, 1], r_ecef[s, t, 2], radius_km, cos_el, sin_el,
                       sin_row, cos_row, cos_col, sin_col, row_map, col_map, local_cols, d_lat, d_lon, counts)


@njit(cache=True, nogil=True, parallel=True)
def fold_counts(counts, n_ep, t0, area, covered_area, count_area, n_cov, sum_count, max_count, run, max_run, n_gaps, gap_total):
    """Fold satellites-in-view counts ``counts[:n_ep]`` ``(epoch, lat, lon)`` of epochs ``t0..`` into the statistics.

    ``covered_area[t]``/``count_area[t]`` receive the covered area and the area-weighted sum of
    satellites in view at each epoch. The per-cell state arrays (flattened cells) carry the run
    of uncovered epochs across calls, so epochs must be folded in time order. Also used to merge
    coverage computed in tiles on a cluster (:mod:`core.study.coverage_tiles`).
    """
    n_lat = counts.shape[1]
    n_lon = counts.shape[2]
    for e in prange(n_ep):
        cov = 0.0
        cnt = 0.0
        for i in range(n_lat):
            for j in range(n_lon):
                c = counts[e, i, j]
                if c > 0:
                    cov += area[i, j]
                    cnt += area[i, j] * c
        covered_area[t0 + e] = cov
        count_area[t0 + e] = cnt
    n_cells = n_lat * n_lon
    for cell in prange(n_cells):
        i = cell // n_lon
        j = cell - i * n_lon
        nc = n_cov[cell]
        sc = sum_count[cell]
        mc = max_count[cell]
        rn = run[cell]
        mr = max_run[cell]
        ng = n_gaps[cell]
        gt = gap_total[cell]
        for e in range(n_ep):
            c = np.int64(counts[e, i, j])
            sc += c
            if c > mc:
                mc = c
            if c > 0:
                nc += 1
                if rn > 0:
                    ng += 1
                    gt += rn
                    if rn > mr:
                        mr = rn
                    rn = 0
            else:
                rn += 1
        n_cov[cell] = nc
        sum_count[cell] = sc
        max_count[cell] = mc
        run[cell] = rn
        max_run[cell] = mr
        n_gaps[cell] = ng
        gap_total[cell] = gt


# --------------------------------------------------------------------------------------
# Grid geometry handed to the kernels
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _KernelGrid:
    sin_row: np.ndarray
    cos_row: np.ndarray
    cos_col: np.ndarray
    sin_col: np.ndarray
    row_map: np.ndarray
    col_map: np.ndarray
    local_cols: np.ndarray
    d_lat: float
    d_lon: float
    radius_km: float

    @classmethod
    def of(cls, grid: CoverageGrid) -> "_KernelGrid":
        lat_g = np.radians(-90.0 + (np.arange(grid.n_lat_global) + 0.5) * grid.d_lat_deg)
        lon_g = np.radians(-180.0 + (np.arange(grid.n_lon_global) + 0.5) * grid.d_lon_deg)
        return cls(np.sin(lat_g), np.cos(lat_g), np.cos(lon_g), np.sin(lon_g), grid.row_map(), grid.col_map(),
                   np.ascontiguousarray(grid.col_index, dtype=np.int64), math.radians(grid.d_lat_deg),
                   math.radians(grid.d_lon_deg), float(grid.radius_km))

    def args(self):
        return (self.sin_row, self.cos_row, self.cos_col, self.sin_col, self.row_map, self.col_map,
                self.local_cols, self.d_lat, self.d_lon)


_KGRID_CACHE: dict[int, tuple[CoverageGrid, _KernelGrid]] = {}


def _kernel_grid(grid: CoverageGrid) -> _KernelGrid:
    hit = _KGRID_CACHE.get(id(grid))
    if hit is not None and hit[0] is grid:
        return hit[1]
    kg = _KernelGrid.of(grid)
    if len(_KGRID_CACHE) > 8:
        _KGRID_CACHE.clear()
    _KGRID_CACHE[id(grid)] = (grid, kg)
    return kg


def _count_dtype(n_sat: int):
    return np.uint16 if n_sat < 65535 else np.uint32


# --------------------------------------------------------------------------------------
# One epoch (for the app)
# --------------------------------------------------------------------------------------


def sats_in_view_at(grid: CoverageGrid, r_ecef_km: np.ndarray, min_elevation_deg: float) -> np.ndarray:
    """Number of satellites at or above the mask from each cell, ``(n_lat, n_lon)``, at one epoch.

    ``r_ecef_km`` is ``(n_sat, 3)`` Earth-fixed positions (km), e.g. ``eph.r_ecef_km[:, t]``.
    Cells outside a region polygon are computed too (``grid.active`` tells them apart).
    """
    r = np.ascontiguousarray(np.asarray(r_ecef_km, dtype=np.float64).reshape(-1, 3))
    kg = _kernel_grid(grid)
    counts = np.zeros(grid.shape, dtype=_count_dtype(r.shape[0]))
    el = math.radians(float(min_elevation_deg))
    _stamp_epoch(r, kg.radius_km, math.cos(el), math.sin(el), *kg.args(), counts)
    return counts


def coverage_mask_at(grid: CoverageGrid, r_ecef_km: np.ndarray, min_elevation_deg: float) -> np.ndarray:
    """Which cells see at least one satellite at or above the mask at one epoch, ``(n_lat, n_lon)`` bool.

    About a millisecond for Starlink shell 1 on a 1 deg grid, so the app can call it on
    every time-bar move::

        grid = result.grid                       # or make_grid(1.0)
        mask = coverage_mask_at(grid, eph.r_ecef_km[:, t], 25.0)
    """
    return sats_in_view_at(grid, r_ecef_km, min_elevation_deg) > 0


# --------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CoverageResult:
    """Coverage figures of merit; arrays are ready for the globe, the 2D maps and the plots.

    Per epoch (``(n_time,)``): ``offsets_s``, ``percent_covered`` (percent of the region's
    area covered), ``mean_sats_in_view`` (area-weighted mean number of satellites in view).

    Per cell (``(n_lat, n_lon)``, rows = ``grid.lat_deg`` ascending, columns = ``grid.lon_deg``):
    ``cell_coverage_fraction`` (fraction of epochs covered, 0..1), ``cell_max_gap_s``
    (longest uncovered run; the whole window ``n_time * step_s`` for a cell never covered),
    ``cell_mean_revisit_s`` (mean gap length; 0 when always covered, NaN when never covered),
    ``cell_mean_sats`` (time-mean number of satellites in view — the multiplicity),
    ``cell_max_sats``. Cells outside a region polygon (``~grid.active``) are NaN in the float maps.

    Per latitude row (``(n_lat,)``): ``lat_profile_percent`` (time-mean covered percent of the
    row's area), ``lat_profile_sats`` (mean satellites in view), ``lat_profile_max_gap_s``.
    """

    grid: CoverageGrid
    grid_deg: float
    min_elevation_deg: float
    step_s: float
    offsets_s: np.ndarray
    percent_covered: np.ndarray
    mean_sats_in_view: np.ndarray
    cell_coverage_fraction: np.ndarray
    cell_max_gap_s: np.ndarray
    cell_mean_revisit_s: np.ndarray
    cell_mean_sats: np.ndarray
    cell_max_sats: np.ndarray
    lat_profile_percent: np.ndarray
    lat_profile_sats: np.ndarray
    lat_profile_max_gap_s: np.ndarray

    # --- summary figures ---------------------------------------------------------------

    @property
    def mean_percent(self) -> float:
        return float(np.mean(self.percent_covered)) if self.percent_covered.size else 0.0

    @property
    def min_percent(self) -> float:
        return float(np.min(self.percent_covered)) if self.percent_covered.size else 0.0

    @property
    def max_percent(self) -> float:
        return float(np.max(self.percent_covered)) if self.percent_covered.size else 0.0

    @property
    def continuous_percent(self) -> float:
        """Percent of the area covered at every epoch of the window."""
        always = (self.cell_coverage_fraction >= 1.0) & self.grid.active
        return float(100.0 * np.sum(self.grid.weights[always]))

    @property
    def ever_percent(self) -> float:
        """Percent of the area covered at least once."""
        ever = (self.cell_coverage_fraction > 0.0) & self.grid.active
        return float(100.0 * np.sum(self.grid.weights[ever]))

    @property
    def window_s(self) -> float:
        return float(self.offsets_s.size * self.step_s)

    @property
    def max_gap_s(self) -> float:
        """Longest gap over cells covered at least once (the whole window when none is)."""
        ever = (self.cell_coverage_fraction > 0.0) & self.grid.active
        return float(np.max(self.cell_max_gap_s[ever])) if ever.any() else self.window_s

    @property
    def mean_revisit_s(self) -> float:
        """Area-weighted mean of the cells' mean gap length, over the cells that are covered at
        some epochs and not at others (0 when every cell is covered always or never)."""
        some = (self.cell_coverage_fraction > 0.0) & (self.cell_coverage_fraction < 1.0) & self.grid.active
        if not some.any():
            return 0.0
        w = self.grid.weights[some]
        return float(np.sum(w * self.cell_mean_revisit_s[some]) / np.sum(w))

    @property
    def mean_sats(self) -> float:
        """Area- and time-weighted mean number of satellites in view."""
        return float(np.mean(self.mean_sats_in_view)) if self.mean_sats_in_view.size else 0.0

    def to_json(self) -> dict:
        """The contract's ``coverage`` section (plus ``mean_revisit_s``, ``ever_percent``, region info)."""
        return {
            "grid_deg": float(self.grid_deg),
            "min_elevation_deg": float(self.min_elevation_deg),
            "mean_percent": round(self.mean_percent, 4),
            "min_percent": round(self.min_percent, 4),
            "max_percent": round(self.max_percent, 4),
            "continuous_percent": round(self.continuous_percent, 4),
            "max_gap_s": round(self.max_gap_s, 3),
            "mean_sats_in_view": round(self.mean_sats, 4),
            "mean_revisit_s": round(self.mean_revisit_s, 3),
            "ever_percent": round(self.ever_percent, 4),
            "region": self.grid.region,
            "area_km2": round(self.grid.total_area_km2, 1),
            "cells": int(np.count_nonzero(self.grid.active)),
        }

    def tables(self) -> list[Table]:
        """A summary table and a coverage-by-latitude table (10 deg bands)."""
        rows = [
            ["grid", f"{self.grid_deg:g} deg, {np.count_nonzero(self.grid.active)} cells ({self.grid.region})"],
            ["elevation mask", f"{self.min_elevation_deg:g} deg"],
            ["covered area mean / min / max", f"{self.mean_percent:.2f} / {self.min_percent:.2f} / {self.max_percent:.2f} %"],
            ["continuously covered", f"{self.continuous_percent:.2f} %"],
            ["covered at least once", f"{self.ever_percent:.2f} %"],
            ["longest gap", _duration(self.max_gap_s)],
            ["mean revisit (mean gap)", _duration(self.mean_revisit_s)],
            ["mean satellites in view", f"{self.mean_sats:,.2f}"],
        ]
        bands = []
        edges = np.arange(-90, 91, 10)
        lat = self.grid.lat_deg
        for lo, hi in zip(edges[:-1], edges[1:]):
            sel = (lat >= lo) & (lat < hi)
            w = self.grid.area_km2[sel]
            if w.sum() <= 0:
                continue
            frac = np.nan_to_num(self.cell_coverage_fraction[sel])
            sats = np.nan_to_num(self.cell_mean_sats[sel])
            bands.append([f"{lo:+d} .. {hi:+d}", round(float(100 * np.sum(w * frac) / w.sum()), 2),
                          round(float(np.sum(w * sats) / w.sum()), 2)])
        return [
            Table("Coverage", ["metric", "value"], rows),
            Table("Coverage by latitude", ["latitude deg", "covered %", "sats in view"], bands),
        ]


def coverage_block_bytes(n_sat: int, grid: CoverageGrid) -> int:
    """Bytes per satellite-epoch of one coverage block: its positions and its share of the
    satellites-in-view counts a block task returns (``cells`` integers per epoch)."""
    count_bytes = np.dtype(_count_dtype(n_sat)).itemsize * grid.n_cells
    return POSITION_BYTES_PER_SAT_EPOCH + -(-count_bytes // max(1, n_sat))


def sats_in_view_block(r_ecef_km: np.ndarray, grid: CoverageGrid, min_elevation_deg: float) -> np.ndarray:
    """Satellites in view of each cell at every epoch of a block, ``(n_epoch, n_lat, n_lon)`` integers.

    ``r_ecef_km`` is ``(n_sat, n_epoch, 3)`` (e.g. ``eph.window(t0, t1).r_ecef_km``)."""
    r = np.ascontiguousarray(np.asarray(r_ecef_km, dtype=np.float64))
    kg = _kernel_grid(grid)
    el = math.radians(float(min_elevation_deg))
    out = np.zeros((r.shape[1],) + grid.shape, dtype=_count_dtype(r.shape[0]))
    if out.size:
        _stamp_chunk(r, 0, r.shape[1], kg.radius_km, math.cos(el), math.sin(el), *kg.args(), out)
    return out


def coverage_counts_block(mission_data: dict, folder: str | None, t0: int, t1: int, grid: CoverageGrid,
                          min_elevation_deg: float) -> np.ndarray:
    """A block task: satellites in view of each cell at epochs ``t0..t1-1`` of the run (the worker
    propagates only that block, see :func:`core.orbits.blocks.worker_ephemeris`)."""
    _, eph = worker_ephemeris(mission_data, folder)
    return sats_in_view_block(eph.window(t0, t1).r_ecef_km, grid, min_elevation_deg)


class CoverageFold:
    """The coverage analysis's state, folded epoch block by epoch block in time order.

    Holds O(cells) per-cell statistics and the per-epoch area series; :meth:`add_positions`
    stamps a block of positions (in chunks of epochs, so the counts buffer stays small) and
    :meth:`add_block` folds satellites-in-view counts computed elsewhere (a block task, or
    the sum of satellite tiles' counts in :mod:`core.study.coverage_tiles`). Integer counts
    and one fixed order make the result the same whatever the block size or executor.
    """

    def __init__(self, grid: CoverageGrid, n_time: int) -> None:
        self.grid = grid
        self.n_time = int(n_time)
        self.area = np.ascontiguousarray(grid.area_km2, dtype=np.float64)
        self.covered_area = np.zeros(self.n_time)
        self.count_area = np.zeros(self.n_time)
        self.state = [np.zeros(grid.n_cells, np.int64) for _ in range(7)]
        self.next_epoch = 0

    def add_block(self, t0: int, counts: np.ndarray) -> None:
        """Fold counts ``(n_epoch, n_lat, n_lon)`` of epochs ``t0..``; blocks must come in time order."""
        if t0 != self.next_epoch:
            raise ValueError(f"epoch blocks must arrive in order: expected {self.next_epoch}, got {t0}")
        counts = np.ascontiguousarray(counts)
        fold_counts(counts, counts.shape[0], t0, self.area, self.covered_area, self.count_area, *self.state)
        self.next_epoch = t0 + counts.shape[0]

    def add_positions(self, t0: int, r_ecef_km: np.ndarray, min_elevation_deg: float,
                      progress: Callable[[int], None] | None = None) -> None:
        """Stamp and fold a block of Earth-fixed positions ``(n_sat, n_epoch, 3)`` km of epochs ``t0..``."""
        if t0 != self.next_epoch:
            raise ValueError(f"epoch blocks must arrive in order: expected {self.next_epoch}, got {t0}")
        r = np.ascontiguousarray(np.asarray(r_ecef_km, dtype=np.float64))
        n_ep = r.shape[1]
        kg = _kernel_grid(self.grid)
        el = math.radians(float(min_elevation_deg))
        buf = np.zeros((min(_CHUNK_EPOCHS, max(n_ep, 1)),) + self.grid.shape, dtype=_count_dtype(r.shape[0]))
        for a in range(0, n_ep, _CHUNK_EPOCHS):
            b = min(n_ep, a + _CHUNK_EPOCHS)
            _stamp_chunk(r, a, b, kg.radius_km, math.cos(el), math.sin(el), *kg.args(), buf)
            fold_counts(buf, b - a, t0 + a, self.area, self.covered_area, self.count_area, *self.state)
            self.next_epoch = t0 + b
            if progress is not None:
                progress(self.next_epoch)

    def result(self, offsets_s: np.ndarray, step_s: float, min_elevation_deg: float,
               grid_deg: float | None) -> CoverageResult:
        """The :class:`CoverageResult` once every epoch is folded."""
        if self.next_epoch != self.n_time:
            raise ValueError(f"only {self.next_epoch} of {self.n_time} epochs were merged")
        return assemble_result(self.grid, offsets_s, step_s, min_elevation_deg, grid_deg, self.covered_area,
                               self.count_area, tuple(self.state))


def compute_coverage(mission: Mission, eph: Ephemeris, progress: ProgressFn | None = None,
                     grid: CoverageGrid | None = None, executor: BlockExecutor | None = None,
                     base_dir: Path | None = None) -> CoverageResult:
    """Coverage of ``mission.analysis.region`` (the whole Earth by default) over the ephemeris.

    Uses ``mission.analysis.coverage_grid_deg`` and ``min_elevation_deg``. The Earth-fixed
    positions are read one block of epochs at a time (``eph.window``, sized by
    :func:`core.orbits.blocks.epoch_blocks`), never the whole run. With an ``executor`` (of
    :mod:`core.study.run`) each block is a task that propagates its own epochs; ``eph`` must
    then be the mission's ephemeris and ``base_dir`` its folder. ``progress(stage, fraction)``
    is called as epochs are folded. ``grid`` overrides the grid built from the mission.
    """
    analysis = mission.analysis
    if grid is None:
        grid = make_grid(analysis.coverage_grid_deg, analysis.region)
    report = progress or (lambda stage, fraction: None)
    n_time = eph.n_time
    min_el = float(analysis.min_elevation_deg)
    fold = CoverageFold(grid, n_time)
    blocks = epoch_blocks(eph.n_sat, n_time, coverage_block_bytes(eph.n_sat, grid))
    report("Coverage", 0.0)
    if executor is None:
        for t0, t1 in blocks:
            fold.add_positions(t0, eph.window(t0, t1).r_ecef_km, min_el,
                               progress=lambda done: report("Coverage", done / max(n_time, 1)))
    else:
        data, folder = mission_payload(mission, eph, base_dir, "coverage")
        tasks = [(data, folder, t0, t1, grid, min_el) for t0, t1 in blocks]
        done = map_blocks(coverage_counts_block, tasks, executor,
                          progress=lambda k, total: report("Coverage", k / max(total, 1)))
        for (t0, _), counts in zip(blocks, done):
            fold.add_block(t0, counts)
    return fold.result(eph.time.offsets_s, eph.time.step_s or analysis.step_s, min_el, analysis.coverage_grid_deg)


def coverage_from_positions(
    r_ecef_km: np.ndarray,
    grid: CoverageGrid,
    min_elevation_deg: float,
    offsets_s: np.ndarray,
    step_s: float,
    grid_deg: float | None = None,
    progress: ProgressFn | None = None,
) -> CoverageResult:
    """The coverage analysis on plain arrays: ``r_ecef_km`` ``(n_sat, n_time, 3)`` km, Earth-fixed."""
    report = progress or (lambda stage, fraction: None)
    r = np.asarray(r_ecef_km, dtype=np.float64)
    if r.ndim != 3 or r.shape[-1] != 3:
        raise ValueError("r_ecef_km must be (n_sat, n_time, 3)")
    offsets_s = np.asarray(offsets_s, dtype=float)
    n_time = r.shape[1]
    if offsets_s.size != n_time:
        raise ValueError("offsets_s must have one entry per epoch")
    fold = CoverageFold(grid, n_time)
    report("Coverage", 0.0)
    fold.add_positions(0, r, min_elevation_deg, progress=lambda done: report("Coverage", done / max(n_time, 1)))
    return fold.result(offsets_s, step_s, min_elevation_deg, grid_deg)


def assemble_result(grid: CoverageGrid, offsets_s: np.ndarray, step_s: float, min_elevation_deg: float,
                    grid_deg: float | None, covered_area: np.ndarray, count_area: np.ndarray, state: tuple) -> CoverageResult:
    """The :class:`CoverageResult` from the folded statistics (see :func:`fold_counts`).

    ``state`` is ``(n_cov, sum_count, max_count, run, max_run, n_gaps, gap_total)`` per cell after
    the last epoch; runs still open at the end of the window are closed here.
    """
    n_cov, sum_count, max_count, run, max_run, n_gaps, gap_total = state
    n_time = int(np.asarray(offsets_s).size)
    n_gaps = n_gaps + (run > 0)
    gap_total = gap_total + run
    max_run = np.maximum(max_run, run)

    total_area = grid.total_area_km2
    active = grid.active
    shape = grid.shape
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = (n_cov / max(n_time, 1)).reshape(shape)
        max_gap = (max_run * step_s).astype(float).reshape(shape)
        revisit = np.where(n_cov > 0, np.where(n_gaps > 0, gap_total * step_s / np.maximum(n_gaps, 1), 0.0), np.nan).reshape(shape)
        mean_sats = (sum_count / max(n_time, 1)).reshape(shape)
        nan_out = lambda a: np.where(active, a, np.nan)  # noqa: E731
        row_area = grid.area_km2.sum(axis=1)
        w = grid.area_km2
        prof_pct = np.where(row_area > 0, 100 * np.sum(w * frac, axis=1) / row_area, np.nan)
        prof_sats = np.where(row_area > 0, np.sum(w * mean_sats, axis=1) / row_area, np.nan)
        prof_gap = np.where(row_area > 0, np.max(np.where(active, max_gap, 0.0), axis=1), np.nan)
        pct = 100.0 * covered_area / total_area if total_area > 0 else covered_area * 0
        msv = count_area / total_area if total_area > 0 else count_area * 0
    return CoverageResult(
        grid=grid,
        grid_deg=float(grid_deg if grid_deg is not None else grid.d_lat_deg),
        min_elevation_deg=float(min_elevation_deg),
        step_s=float(step_s),
        offsets_s=np.asarray(offsets_s, dtype=float),
        percent_covered=pct,
        mean_sats_in_view=msv,
        cell_coverage_fraction=nan_out(frac),
        cell_max_gap_s=nan_out(max_gap),
        cell_mean_revisit_s=nan_out(revisit),
        cell_mean_sats=nan_out(mean_sats),
        cell_max_sats=max_count.reshape(shape).astype(np.int32),
        lat_profile_percent=prof_pct,
        lat_profile_sats=prof_sats,
        lat_profile_max_gap_s=prof_gap,
    )


def footprint_half_angle_deg(altitude_km, min_elevation_deg, radius_km: float | None = None):
    """Earth-central half-angle (deg) of the footprint: ``arccos(R cos e / (R + h)) - e``."""
    from core.analysis.grid import EARTH_MEAN_RADIUS_KM

    R = EARTH_MEAN_RADIUS_KM if radius_km is None else radius_km
    e = np.radians(min_elevation_deg)
    return np.degrees(np.arccos(R * np.cos(e) / (R + np.asarray(altitude_km, dtype=float))) - e)


def _duration(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "-"
    if seconds >= 3600:
        return f"{seconds / 3600:.2f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.0f} s"
