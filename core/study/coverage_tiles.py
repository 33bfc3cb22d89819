"""One coverage analysis of a very large constellation, split across workers and merged exactly.

A constellation like Starcloud's filed 88,000 satellites over a day at one-minute steps is too
much for one worker's time (and memory: its Earth-fixed positions alone are 3 GB). The
coverage analysis is split into *tiles* of ``(satellite slice) x (block of epochs)``; each tile
is one task for the executor (local processes or a Dask cluster, as for sweeps):

1. the worker propagates only its satellites at only its epochs (the same propagator and the
   same per-epoch rotation matrices :func:`core.orbits.ephemeris.build_ephemeris` uses), and
2. stamps their footprints with the coverage engine
   (:func:`core.analysis.coverage.sats_in_view_at`), returning the per-epoch *multiplicity*
   (number of satellites in view of each cell, ``(n_epochs, n_lat, n_lon)`` integers).

**The merge is a sum of multiplicities.** For one epoch, the satellites in view of a cell are
the disjoint union of those of each satellite slice, so the counts add exactly (integers, no
rounding). Coverage (``count > 0``) is the OR of the slices' masks, but OR-ing masks alone
would lose the multiplicity figures (``mean_sats_in_view``, ``cell_max_sats``); summing keeps
everything. Epoch blocks are then folded into the per-cell statistics in time order (a cell's
uncovered run carries from one block into the next), with the same integer run/gap
accounting and the same summation order as :class:`core.analysis.coverage.CoverageFold`,
so the merged :class:`~core.analysis.coverage.CoverageResult` equals the unsplit one.

Memory at the merge is one block of summed counts plus O(cells) state; a tile's result is
``epochs x cells`` 16-bit integers (4 MB for 32 epochs on a 1-degree grid).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from core.analysis.coverage import CoverageFold, sats_in_view_block

if TYPE_CHECKING:
    from core.analysis.coverage import CoverageResult
    from core.analysis.grid import CoverageGrid
    from core.mission.model import Mission
    from core.orbits.ephemeris import Ephemeris
    from core.study.run import Executor

    Prepared = tuple[Mission, Ephemeris, CoverageGrid]
    """A mission's checked model, its lazy ephemeris and its coverage grid."""

ProgressFn = Callable[[str, float], None]

_WORKER_CACHE: dict[str, Prepared] = {}


# ------------------------------------------------------------------------------------------
# Worker side
# ------------------------------------------------------------------------------------------


def _mission_key(mission: dict, base_dir: str | None) -> str:
    text = json.dumps({"m": mission, "b": base_dir}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _prepared(mission: dict, base_dir: str | None) -> Prepared:
    """The checked mission, its lazy ephemeris and its coverage grid (cached per worker process)."""
    key = _mission_key(mission, base_dir)
    hit = _WORKER_CACHE.get(key)
    if hit is not None:
        return hit
    from core.analysis.grid import make_grid
    from core.analysis.mission_checks import engine_problems
    from core.mission.io import mission_from_dict
    from core.orbits.blocks import worker_ephemeris

    folder = Path(base_dir) if base_dir else None
    model = mission_from_dict(mission, "mission", folder, extra_check=engine_problems)
    _, eph = worker_ephemeris(mission, base_dir)
    grid = make_grid(model.analysis.coverage_grid_deg, model.analysis.region)
    value = (model, eph, grid)
    if len(_WORKER_CACHE) > 4:
        _WORKER_CACHE.clear()
    _WORKER_CACHE[key] = value
    return value


def positions_ecef_tile(mission: dict, base_dir: str | None, s0: int, s1: int, t0: int, t1: int) -> np.ndarray:
    """Earth-fixed positions ``(s1-s0, t1-t0, 3)`` km of satellites ``s0..s1-1`` at epochs ``t0..t1-1``
    (the run's ephemeris propagated on that tile only: the same bits as the whole arrays)."""
    _, eph, _ = _prepared(mission, base_dir)
    return eph.window(t0, t1).subset(s0, s1).r_ecef_km


def coverage_counts_tile(mission: dict, base_dir: str | None, s0: int, s1: int, t0: int, t1: int) -> np.ndarray:
    """Satellites in view of each cell, ``(t1-t0, n_lat, n_lon)`` uint16, for one tile (the worker's task)."""
    model, _, grid = _prepared(mission, base_dir)
    r = positions_ecef_tile(mission, base_dir, s0, s1, t0, t1)
    return sats_in_view_block(r, grid, model.analysis.min_elevation_deg)


# ------------------------------------------------------------------------------------------
# Merge: the analysis's own fold (epoch blocks in time order)
# ------------------------------------------------------------------------------------------

CoverageMerger = CoverageFold
"""Accumulates summed tile counts epoch block by epoch block and builds the ``CoverageResult``."""


# ------------------------------------------------------------------------------------------
# Driver
# ------------------------------------------------------------------------------------------


def plan_tiles(n_sat: int, n_time: int, sat_chunk: int, epoch_chunk: int) -> list[tuple[int, int, int, int]]:
    """Tiles ``(s0, s1, t0, t1)``: epoch blocks in time order, satellite slices within each block."""
    sat_chunk, epoch_chunk = max(1, int(sat_chunk)), max(1, int(epoch_chunk))
    return [(s0, min(n_sat, s0 + sat_chunk), t0, min(n_time, t0 + epoch_chunk))
            for t0 in range(0, n_time, epoch_chunk) for s0 in range(0, n_sat, sat_chunk)]


def split_coverage(mission: Mission | dict, base_dir: str | Path | None = None, executor: Executor | None = None, *,
                   sat_chunk: int | None = None, epoch_chunk: int | None = None, progress: ProgressFn | None = None,
                   cancel: Callable[[], bool] | None = None) -> CoverageResult:
    """The coverage analysis of ``mission`` (a ``Mission`` or its plain data), computed in tiles on ``executor``.

    ``executor`` is one of :mod:`core.study.run`'s executors (``LocalExecutor``,
    ``DaskExecutor``, ``InlineExecutor``); by default the local process pool. ``sat_chunk``
    satellites and ``epoch_chunk`` epochs make a tile (defaults: the satellites spread over
    the executor's workers, 64 epochs). Returns the same ``CoverageResult`` as
    ``compute_coverage(mission, build_ephemeris(mission))``.
    """
    from core.mission.io import mission_to_dict
    from core.mission.model import Mission
    from core.study.run import LocalExecutor

    data = mission_to_dict(mission) if isinstance(mission, Mission) else dict(mission)
    folder = str(base_dir) if base_dir else None
    model, eph, grid = _prepared(data, folder)
    n_sat, n_time, grid_t = eph.n_sat, eph.n_time, eph.time
    own = executor is None
    executor = LocalExecutor() if executor is None else executor
    report = progress or (lambda stage, fraction: None)
    try:
        slots = max(1, getattr(executor, "slots", 1))
        sat_chunk = int(sat_chunk or max(1, math.ceil(n_sat / slots)))
        epoch_chunk = int(epoch_chunk or 64)
        tiles = plan_tiles(n_sat, n_time, sat_chunk, epoch_chunk)
        merger = CoverageMerger(grid, n_time)
        per_block = math.ceil(n_sat / sat_chunk)
        blocks: dict[int, list] = {}
        pending: dict = {}
        queue = list(reversed(tiles))
        window = max(2, 2 * slots)
        done = 0
        report("Coverage (split)", 0.0)
        while queue or pending:
            while queue and len(pending) < window:
                tile = queue.pop()
                future = executor.submit(coverage_counts_tile, data, folder, *tile,
                                         key=f"starnet-coverage-{tile[0]}-{tile[2]}-{id(merger)}")
                pending[future] = tile
            if cancel is not None and cancel():
                executor.cancel(list(pending))
                raise KeyboardInterrupt
            for future in executor.wait(set(pending), timeout=0.2):
                s0, s1, t0, t1 = pending.pop(future)
                counts = future.result()
                parts = blocks.setdefault(t0, [])
                parts.append(counts)
                done += 1
                # fold every complete block that is next in time
                while merger.next_epoch in blocks and len(blocks[merger.next_epoch]) == per_block:
                    t = merger.next_epoch
                    parts = blocks.pop(t)
                    total = parts[0].astype(np.uint32)
                    for extra in parts[1:]:
                        total += extra
                    merger.add_block(t, total)
                report("Coverage (split)", done / len(tiles))
    finally:
        if own:
            executor.close()
    step = grid_t.step_s or model.analysis.step_s
    return merger.result(grid_t.offsets_s, step, model.analysis.min_elevation_deg, model.analysis.coverage_grid_deg)


def count_satellites(mission: Mission | dict) -> int:
    """Number of satellites a mission (``Mission`` or plain data) has, without propagating."""
    from core.mission.io import mission_to_dict
    from core.mission.model import Mission

    data = mission_to_dict(mission) if isinstance(mission, Mission) else dict(mission)
    _, eph, _ = _prepared(data, None)
    return int(eph.n_sat)


__all__ = ["CoverageMerger", "coverage_counts_tile", "count_satellites", "plan_tiles", "positions_ecef_tile", "split_coverage"]
