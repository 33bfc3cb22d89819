"""Blocks of epochs for streaming analyses, and running a block's work in this process or on a cluster.

A streaming analysis never holds the whole ``(n_sat, n_time, 3)`` ephemeris: it asks
:func:`epoch_blocks` for ranges of epochs whose arrays fit the block budget, reads
``eph.window(t0, t1)`` for each, folds what it needs into its own state, and drops the block.

:func:`map_blocks` runs one function per block, either here (in order, one at a time) or as
tasks on an executor of :mod:`core.study.run` (a local process pool or a Dask cluster). A task
is sent the mission's plain data, not arrays: the worker rebuilds its own lazy ephemeris with
:func:`worker_ephemeris` and propagates only its block.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from core.orbits.estimate import GiB, available_bytes

BLOCK_BUDGET_ENV = "STARNET_BLOCK_MB"
"""Environment variable: the block budget in MiB (tests set it small to force many blocks)."""
DEFAULT_BLOCK_FRACTION = 0.25
"""Share of the memory available to this process that one block's arrays may take."""
MAX_BLOCK_BYTES = 2 * GiB
"""Upper bound of the default block budget (larger blocks buy no speed)."""
POSITION_BYTES_PER_SAT_EPOCH = 72
"""Bytes a block of positions takes per satellite-epoch: inertial and Earth-fixed float64 (48) and a
contiguous copy or scratch of one of them (24)."""


def block_budget_bytes() -> int:
    """Bytes one block's arrays may take: ``$STARNET_BLOCK_MB`` if set, else a quarter of free memory, at most 2 GiB."""
    given = os.environ.get(BLOCK_BUDGET_ENV)
    if given:
        return max(1, int(float(given) * 1024**2))
    have = available_bytes()
    return int(MAX_BLOCK_BYTES if have is None else max(64 * 1024**2, min(MAX_BLOCK_BYTES, have * DEFAULT_BLOCK_FRACTION)))


def epoch_blocks(n_sat: int, n_time: int, bytes_per_sat_epoch: int, budget_bytes: int | None = None) -> list[tuple[int, int]]:
    """Consecutive ``(start, stop)`` epoch ranges covering ``0..n_time`` whose ``n_sat x epochs x bytes_per_sat_epoch`` fits the budget.

    A block holds at least one epoch, so a single epoch larger than the budget still runs.
    """
    if n_time <= 0:
        return []
    budget = block_budget_bytes() if budget_bytes is None else int(budget_bytes)
    per_epoch = max(1, int(n_sat) * int(bytes_per_sat_epoch))
    size = max(1, min(n_time, budget // per_epoch))
    return [(t0, min(n_time, t0 + size)) for t0 in range(0, n_time, size)]


def satellite_blocks(start: int, stop: int, n_time: int, bytes_per_sat_epoch: int,
                     budget_bytes: int | None = None) -> list[tuple[int, int]]:
    """Consecutive ``(s0, s1)`` satellite ranges covering ``start..stop`` whose arrays over all ``n_time``
    epochs (``(s1 - s0) x n_time x bytes_per_sat_epoch``) fit the budget (at least one satellite each)."""
    if stop <= start:
        return []
    budget = block_budget_bytes() if budget_bytes is None else int(budget_bytes)
    per_sat = max(1, int(n_time) * int(bytes_per_sat_epoch))
    size = max(1, min(stop - start, budget // per_sat))
    return [(s0, min(stop, s0 + size)) for s0 in range(start, stop, size)]


def mission_payload(mission: Any, eph: Any, base_dir: Path | None, what: str) -> tuple[dict, str | None]:
    """What a block task is sent instead of arrays: the mission's plain data and its folder (for
    ``tle_file``/``omm_file``), from which :func:`worker_ephemeris` rebuilds the run's ephemeris.

    A task rebuilds the mission's own grid with all its satellites, so ``eph`` must be that run
    (not a block, not another time grid): otherwise :class:`ValueError` (``what`` names the analysis)."""
    from core.mission.io import mission_to_dict
    from core.orbits.estimate import epoch_count

    grid_n = epoch_count(float(mission.analysis.duration_s), float(mission.analysis.step_s))
    if eph.is_block or eph.n_time != grid_n:
        raise ValueError(f"{what}: executor tasks rebuild the mission's own grid ({grid_n} epochs, all satellites); "
                         f"this ephemeris is another ({eph.n_sat} satellites, {eph.n_time} epochs)")
    return mission_to_dict(mission), (str(base_dir) if base_dir is not None else None)


class BlockExecutor(Protocol):
    """What :func:`map_blocks` needs of an executor (those of :mod:`core.study.run` have it)."""

    @property
    def slots(self) -> int:
        """How many tasks run at once."""
        ...

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> Any: ...

    def wait(self, futures: set, timeout: float) -> set: ...

    def cancel(self, futures: Iterable) -> None: ...


def map_blocks(
    fn: Callable[..., Any],
    tasks: Sequence[tuple],
    executor: BlockExecutor | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Iterator[Any]:
    """``fn(*task)`` for every task, yielded in the order of ``tasks``.

    Without an executor each runs here when the caller asks for the next result (one block in
    memory at a time). With one, up to twice its slots run at once and results come back in
    order as they finish. ``progress(done, total)`` is called after each task; ``cancel()``
    returning True cancels what is queued and raises :class:`KeyboardInterrupt`.
    """
    total = len(tasks)
    if executor is None:
        for k, task in enumerate(tasks):
            if cancel is not None and cancel():
                raise KeyboardInterrupt
            value = fn(*task)
            if progress is not None:
                progress(k + 1, total)
            yield value
        return
    window = max(2, 2 * int(getattr(executor, "slots", 1) or 1))
    pending: dict[Any, int] = {}
    ready: dict[int, Any] = {}
    next_submit = next_yield = done = 0
    name = getattr(fn, "__name__", "task")
    try:
        while next_yield < total:
            while next_submit < total and len(pending) + len(ready) < window:
                future = executor.submit(fn, *tasks[next_submit], key=f"starnet-{name}-{next_submit}-{id(tasks)}")
                pending[future] = next_submit
                next_submit += 1
            if cancel is not None and cancel():
                raise KeyboardInterrupt
            for future in executor.wait(set(pending), timeout=0.2):
                ready[pending.pop(future)] = future.result()
                done += 1
                if progress is not None:
                    progress(done, total)
            while next_yield in ready:
                yield ready.pop(next_yield)
                next_yield += 1
    finally:
        if pending:
            executor.cancel(list(pending))


@lru_cache(maxsize=2)
def _worker_ephemeris(mission_json: str, folder: str | None) -> tuple[Any, Any]:
    from core.mission.io import mission_from_dict
    from core.orbits.ephemeris import build_ephemeris

    mission = mission_from_dict(json.loads(mission_json))
    return mission, build_ephemeris(mission, Path(folder) if folder else None, lazy=True)


def worker_ephemeris(mission_data: dict, folder: str | None) -> tuple[Any, Any]:
    """``(mission, lazy ephemeris)`` rebuilt from a mission's plain data in a worker, kept for its next tasks."""
    return _worker_ephemeris(json.dumps(mission_data, sort_keys=True, default=str), folder)
