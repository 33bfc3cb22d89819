"""Run one analysis's per-window work over blocks of epochs, here or as tasks on an executor.

The network analyses (links, optical budgets, latency routing, traffic, training) are per
epoch: each block of epochs is independent once the block's positions are known. This
module gives them one loop:

* without an executor, each block is ``eph.window(t0, t1)`` of the caller's ephemeris (its
  positions computed for that block only, or sliced when the caller already holds them);
* with one (:mod:`core.study.run`: local processes, a Dask cluster, or the inline stand-in),
  each block is a task ``x_block(mission_data, folder, t0, t1, *args)`` of a module-level
  function, which rebuilds the mission and a lazy ephemeris in the worker
  (:func:`core.orbits.blocks.worker_ephemeris`) and propagates only its block.

Either way the results come back in time order, so the caller's merge (concatenation in
time, min/max, counts) gives the same result whatever the block size or executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor, epoch_blocks, map_blocks, worker_ephemeris
from core.orbits.ephemeris import Ephemeris

WindowFn = Callable[..., Any]
"""``fn(mission, window_ephemeris, *args)``: the work of one block (module-level, pure)."""


def over_windows(
    local_fn: WindowFn,
    task_fn: Callable[..., Any],
    mission: Mission,
    eph: Ephemeris,
    base_dir: Path | None,
    bytes_per_sat_epoch: int,
    args_of: Callable[[int, int], tuple] = lambda t0, t1: (),
    executor: BlockExecutor | None = None,
    n_sat: int | None = None,
) -> Iterator[tuple[int, int, Any]]:
    """``(t0, t1, result)`` for every epoch block of ``eph``, in time order.

    Blocks hold ``n_sat`` (default all) satellites x epochs x ``bytes_per_sat_epoch`` within
    the block budget. ``local_fn(mission, eph.window(t0, t1), *args_of(t0, t1))`` runs here
    without an executor; with one, ``task_fn(mission_data, folder, t0, t1, *args_of(t0, t1))``
    is submitted (``task_fn`` calls :func:`run_window_task` with ``local_fn``).
    """
    blocks = epoch_blocks(eph.n_sat if n_sat is None else n_sat, eph.n_time, bytes_per_sat_epoch)
    if executor is None:
        for t0, t1 in blocks:
            yield t0, t1, local_fn(mission, eph.window(t0, t1), *args_of(t0, t1))
        return
    from core.mission.io import mission_to_dict
    from core.orbits.estimate import epoch_count

    grid_n = epoch_count(float(mission.analysis.duration_s), float(mission.analysis.step_s))
    if eph.is_block or eph.n_time != grid_n:
        raise ValueError(f"{getattr(task_fn, '__name__', 'task')}: executor tasks rebuild the mission's own grid "
                         f"({grid_n} epochs, all satellites); this ephemeris is another ({eph.n_sat} satellites, {eph.n_time} epochs)")
    data = mission_to_dict(mission)
    folder = None if base_dir is None else str(base_dir)
    tasks = [(data, folder, t0, t1, *args_of(t0, t1)) for t0, t1 in blocks]
    for (t0, t1), value in zip(blocks, map_blocks(task_fn, tasks, executor)):
        yield t0, t1, value


def run_window_task(local_fn: WindowFn, mission_data: dict, folder: str | None, t0: int, t1: int, *args: Any) -> Any:
    """A worker's block: rebuild ``(mission, lazy ephemeris)`` from plain data and run ``local_fn`` on epochs ``t0:t1``."""
    mission, eph = worker_ephemeris(mission_data, folder)
    return local_fn(mission, eph.window(t0, t1), *args)
