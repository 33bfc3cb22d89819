"""Running a study: executors (local processes, the caller's thread, a Dask cluster), the
checkpoint that lets an interrupted study resume, and the results table.

The same loop drives every executor: designs are submitted a few per worker at a time, each
finished record is appended to the checkpoint (``<out>.partial.jsonl``, one JSON object a line)
the moment it arrives, and the table is assembled in design order at the end. Ctrl-C (or the
caller's ``cancel()``) cancels what is still queued and returns with the finished rows kept; the
next run of the same study skips every design whose id is already in the checkpoint.

>>> from core.study.model import load_study                       # doctest: +SKIP
>>> outcome = run_study(load_study("planes-vs-altitude.yaml"))    # doctest: +SKIP
>>> outcome.table[outcome.table.pareto]                            # doctest: +SKIP
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import math
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, TextIO

import numpy as np

from core.mission.errors import Problem
from core.orbits.blocks import BlockExecutor
from core.study.designs import Design, build_designs
from core.study.model import LoadedStudy, StudyError

if TYPE_CHECKING:
    from core.study.model import ConstraintSpec
    import pandas as pd

ProgressFn = Callable[[int, int, dict | None], None]
"""``progress(done, total, record)``: ``record`` is the newest finished record (None at the start)."""
CancelFn = Callable[[], bool]


# ------------------------------------------------------------------------------------------
# Executors
# ------------------------------------------------------------------------------------------


def _init_local_worker(threads: int) -> None:
    """Worker start-up: leave Ctrl-C to the parent, and keep numba to ``threads`` threads."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
    try:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    except Exception:  # noqa: BLE001 - numba is optional for this tweak
        pass


class Executor(BlockExecutor, Protocol):
    """What a study and a design search need of an executor: :class:`LocalExecutor`,
    :class:`InlineExecutor` and :class:`DaskExecutor` have it."""

    kind: str

    def describe(self) -> str: ...

    def close(self, cancel: bool = False) -> None: ...


class LocalExecutor:
    """All cores of this machine: a process pool (spawned processes, so it is safe from a GUI)."""

    kind = "local"

    def __init__(self, workers: int | None = None, threads_per_worker: int = 1) -> None:
        self.workers = int(workers or os.cpu_count() or 1)
        self._pool = cf.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_init_local_worker, initargs=(threads_per_worker,))

    @property
    def slots(self) -> int:
        return self.workers

    def describe(self) -> str:
        return f"local, {self.workers} process{'es' if self.workers != 1 else ''}"

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> Any:
        return self._pool.submit(fn, *args)

    def wait(self, futures: set, timeout: float) -> set:
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return set(done)

    def cancel(self, futures: Iterable) -> None:
        for f in futures:
            f.cancel()

    def close(self, cancel: bool = False) -> None:
        """Shut the pool down; with ``cancel`` the queued designs are dropped and running ones stopped."""
        if not cancel:
            self._pool.shutdown(wait=True)
            return
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # a design in progress is lost anyway; do not wait for it
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)


class _Deferred:
    """A future that runs its function when first waited on (for :class:`InlineExecutor`)."""

    def __init__(self, fn: Callable[..., Any], args: Any, order: int = 0) -> None:
        self.fn, self.args = fn, args
        self.order = order
        """Submission number: :meth:`InlineExecutor.wait` runs the oldest first."""
        self._done = False
        self._value = None
        self._error: BaseException | None = None
        self.cancelled_ = False

    def run(self) -> None:
        if not self._done and not self.cancelled_:
            try:
                self._value = self.fn(*self.args)
            except Exception as exc:  # noqa: BLE001
                self._error = exc
            self._done = True

    def done(self) -> bool:
        return self._done

    def result(self) -> Any:
        self.run()
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> bool:
        self.cancelled_ = True
        return not self._done


class InlineExecutor:
    """Runs each design in the calling thread, one after the other (tests, the app's small runs, debugging)."""

    kind = "inline"
    slots = 1

    def __init__(self) -> None:
        self._submitted = 0

    def describe(self) -> str:
        return "in this process"

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> Any:
        self._submitted += 1
        return _Deferred(fn, args, self._submitted)

    def wait(self, futures: set, timeout: float) -> set:
        if not futures:
            return set()
        first = min(futures, key=lambda f: f.order)
        first.run()
        return {first}

    def cancel(self, futures: Iterable) -> None:
        for f in futures:
            f.cancel()

    def close(self, cancel: bool = False) -> None:
        pass


class DaskExecutor:
    """An existing Dask distributed cluster (``dask.distributed.Client(address)``), or a given client.

    The workers must be able to import this package (the same StarNet version) and, for
    missions with ``tle_file``/``omm_file``, read those files at the same paths.
    """

    kind = "dask"

    def __init__(self, address: str | None = None, client: Any = None, timeout_s: float = 10.0) -> None:
        from distributed import Client

        if client is None:
            try:
                client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise StudyError("--scheduler", [Problem("", f"cannot connect to the Dask scheduler at {address}: {exc}")]) from None
            self._owned = True
        else:
            self._owned = False
        self.client = client
        self.address = address or getattr(client.scheduler, "address", "")

    @property
    def slots(self) -> int:
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # noqa: BLE001
            return 1

    def describe(self) -> str:
        return f"Dask cluster {self.address} ({self.slots} worker threads)"

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> Any:
        return self.client.submit(fn, *args, key=key, pure=False)

    def wait(self, futures: set, timeout: float) -> set:
        # poll rather than distributed.wait(), which wants a default client (this one is not set as default)
        deadline = time.monotonic() + timeout
        while True:
            done = {f for f in futures if f.done()}
            if done or time.monotonic() >= deadline:
                return done
            time.sleep(0.02)

    def cancel(self, futures: Iterable) -> None:
        futures = list(futures)
        if futures:
            self.client.cancel(futures)

    def close(self, cancel: bool = False) -> None:
        if self._owned:
            self.client.close()


def make_executor(scheduler: str | None = None, workers: int | None = None) -> Executor:
    """Local processes by default (``workers`` of them, all cores when None; 0 runs in this
    process); a Dask cluster when ``scheduler`` is an address (``tcp://host:8786``)."""
    if scheduler:
        return DaskExecutor(scheduler)
    if workers == 0:
        return InlineExecutor()
    return LocalExecutor(workers)


# ------------------------------------------------------------------------------------------
# Checkpoint
# ------------------------------------------------------------------------------------------


def checkpoint_path(out: str | os.PathLike) -> Path:
    """``results.parquet`` -> ``results.parquet.partial.jsonl``."""
    out = Path(out)
    return out.with_name(out.name + ".partial.jsonl")


class Checkpoint:
    """Finished records, one JSON object a line, appended and flushed as they arrive."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._handle: TextIO | None = None

    def load(self) -> dict[str, dict]:
        """Records by design id (a torn last line from a hard kill is skipped)."""
        records: dict[str, dict] = {}
        if not self.path.exists():
            return records
        with self.path.open("r", encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(rec, dict) and "design_id" in rec:
                    records[rec["design_id"]] = rec
        return records

    def append(self, record: dict) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            torn = False
            if self.path.exists() and self.path.stat().st_size:
                with self.path.open("rb") as handle:
                    handle.seek(-1, os.SEEK_END)
                    torn = handle.read(1) != b"\n"
            self._handle = self.path.open("a", encoding="utf-8")
            if torn:  # a hard kill left half a line: end it so the next record starts on its own line
                self._handle.write("\n")
        self._handle.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------
# The loop
# ------------------------------------------------------------------------------------------


@dataclass
class StudyOutcome:
    """What a run produced: the table (one row per design, in design order) and how it went."""

    table: Any  # pandas.DataFrame
    designs: list[Design]
    records: dict[str, dict]
    interrupted: bool = False
    computed: int = 0
    reused: int = 0
    elapsed_s: float = 0.0
    executor: str = ""
    checkpoint: Path | None = None
    written: list[Path] = field(default_factory=list)
    loaded: LoadedStudy | None = None

    @property
    def finished(self) -> int:
        return sum(1 for d in self.designs if not d.valid or _usable(self.records.get(d.design_id)))

    @property
    def designs_per_minute(self) -> float:
        return 60.0 * self.computed / self.elapsed_s if self.elapsed_s > 0 else float("nan")

    def mission_of(self, row: int) -> dict | None:
        """The mission (plain data) of table row ``row`` — what the app opens when a point is clicked."""
        design = self.designs[int(row)]
        return design.mission


def _usable(record: dict | None, paths: list[str] | None = None) -> bool:
    if not record or record.get("status") != "ok":
        return False
    if paths is None:
        return True
    return all(p in record.get("metrics", {}) for p in paths)


def run_study(
    loaded: LoadedStudy,
    executor: Executor | None = None,
    *,
    checkpoint: str | os.PathLike | None = None,
    restart: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    designs: list[Design] | None = None,
) -> StudyOutcome:
    """Evaluate every design of ``loaded`` and build the table.

    ``executor`` defaults to :class:`LocalExecutor` (all cores); ``checkpoint`` (a
    ``.partial.jsonl`` path) is read first — finished designs are not computed again — and
    appended to as designs finish (``restart=True`` empties it first). Ctrl-C, or ``cancel()``
    returning True, stops the run: queued designs are cancelled and the outcome has
    ``interrupted=True`` and the rows finished so far.
    """
    from core.study.evaluate import evaluate_design

    start = time.perf_counter()
    report = progress or (lambda done, total, record: None)
    designs = designs if designs is not None else build_designs(loaded)
    paths = loaded.study.needed_paths()
    ckpt = Checkpoint(checkpoint) if checkpoint is not None else None
    if ckpt is not None and restart:
        ckpt.remove()
    previous = ckpt.load() if ckpt is not None else {}
    records: dict[str, dict] = {}
    todo: list[Design] = []
    seen: set[str] = set()
    for d in designs:
        if not d.valid:
            continue
        if _usable(previous.get(d.design_id), paths):
            records[d.design_id] = previous[d.design_id]
        elif d.design_id not in seen:  # two points can make the same mission (e.g. a value equal to a default)
            todo.append(d)
            seen.add(d.design_id)
    reused = len(records)
    total = len(todo) + reused
    done = reused
    report(done, total, None)

    own_executor = executor is None
    interrupted = False
    computed = 0
    checked_paths = False
    if todo and executor is None:
        executor = LocalExecutor()
    description = executor.describe() if executor is not None else ""
    pending: dict[Any, Design] = {}
    base_dir = str(loaded.base_dir) if loaded.base_dir else None
    queue = list(reversed(todo))
    order = 0
    failed = True  # until the loop ends normally or by Ctrl-C
    try:
        window = max(2, 2 * (executor.slots if executor is not None else 1))
        while queue or pending:
            assert executor is not None  # there is work, so one was made above
            while queue and len(pending) < window:
                design = queue.pop()
                future = executor.submit(evaluate_design, design.design_id, design.mission, base_dir, paths,
                                         key=f"starnet-design-{design.design_id}-{os.getpid()}-{order}")
                order += 1
                pending[future] = design
            if cancel is not None and cancel():
                raise KeyboardInterrupt
            for future in executor.wait(set(pending), timeout=0.2):
                design = pending.pop(future)
                try:
                    record = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died, a cancelled task
                    if type(exc).__name__ in ("CancelledError",):
                        continue
                    record = {"design_id": design.design_id, "status": "error", "metrics": {}, "missing": {},
                              "reason": f"worker failed: {type(exc).__name__}: {exc}", "elapsed_s": None}
                if record.get("missing") and not checked_paths:
                    raise StudyError(loaded.source, [Problem("metrics", f"{path!r}: {why}") for path, why in record["missing"].items()])
                checked_paths = checked_paths or record.get("status") == "ok"
                records[design.design_id] = record
                if ckpt is not None and record.get("status") == "ok":
                    ckpt.append(record)
                computed += 1
                done += 1
                report(done, total, record)
        failed = False
    except KeyboardInterrupt:
        interrupted = True
        failed = False
    finally:  # stop what is still queued after an error or Ctrl-C; always release what we opened
        stop = failed or interrupted
        if stop and executor is not None and pending:
            executor.cancel(list(pending))
        if own_executor and executor is not None:
            executor.close(cancel=stop)
        if ckpt is not None:
            ckpt.close()
    table = build_table(loaded, designs, records)
    return StudyOutcome(table, designs, records, interrupted, computed, reused, time.perf_counter() - start, description,
                        ckpt.path if ckpt is not None else None, loaded=loaded)


# ------------------------------------------------------------------------------------------
# The table
# ------------------------------------------------------------------------------------------


def _reduce(value: Any, how: str | None) -> Any:
    if not isinstance(value, list):
        return value
    items = [v for v in value if v is not None]
    if not items:
        return None
    if all(isinstance(v, bool) for v in items):
        how = how or "all"
        if how == "any":
            return any(items)
        if how == "first":
            return items[0]
        return all(items)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
        how = how or "max"
        arr = np.asarray(items, dtype=float)
        reducers: dict[str, Callable[[np.ndarray], Any]] = {"max": np.max, "min": np.min, "mean": np.mean, "sum": np.sum,
                                                            "first": lambda a: a[0], "all": np.min, "any": np.max}
        return float(reducers[how](arr))
    return items[0] if how == "first" else json.dumps(items)


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


def _as_float(value: Any) -> float:
    if value is None or isinstance(value, (dict, str)):
        return float("nan")
    if isinstance(value, list):
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _check_constraint(constraint: ConstraintSpec, value: Any) -> str | None:
    """None when satisfied, else the reason."""
    items = value if isinstance(value, list) else [value]
    if not items or any(v is None for v in items):
        return f"{constraint.metric} is not available"
    for v in items:
        if constraint.equals is not None:
            if v != constraint.equals:
                return f"{constraint.metric} = {_fmt(v)}, not {constraint.equals!r}"
            continue
        x = _as_float(v)
        if not math.isfinite(x):
            return f"{constraint.metric} = {_fmt(v)} is not a number"
        if constraint.min is not None and x < constraint.min:
            return f"{constraint.metric} = {_fmt(v)} < {constraint.min:g}"
        if constraint.max is not None and x > constraint.max:
            return f"{constraint.metric} = {_fmt(v)} > {constraint.max:g}"
    return None


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v) if isinstance(v, str) else str(v)


def objective_value(value: Any, goal: str) -> float:
    """One number per design for an objective; a ``[*]`` list counts its worst element."""
    if isinstance(value, list):
        nums = [_as_float(v) for v in value]
        if not nums or any(not math.isfinite(x) for x in nums):
            return float("nan")
        return max(nums) if goal == "min" else min(nums)
    return _as_float(value)


def build_table(loaded: LoadedStudy, designs: list[Design], records: dict[str, dict]) -> pd.DataFrame:
    """One row per design, in design order: parameters, metrics, status, feasibility, Pareto front."""
    import pandas as pd

    from core.study.pareto import pareto_ranks

    study = loaded.study
    specs = study.metric_specs
    rows = []
    objective_rows = []
    for d in designs:
        record = records.get(d.design_id)
        row: dict[str, Any] = {"design": d.index, "design_id": d.design_id}
        for name in study.parameters:
            row[name] = _cell(d.point.get(name))
        metrics = (record or {}).get("metrics", {})
        for spec in specs:
            row[spec.column] = _cell(_reduce(metrics.get(spec.metric), spec.reduce))
        reasons: list[str] = []
        if not d.valid:
            status = "invalid"
            reasons = list(d.problems)
        elif record is None:
            status = "pending"
        else:
            status = record.get("status", "error")
            if status != "ok":
                reasons = [record.get("reason") or status]
            else:
                for c in study.constraints:
                    why = _check_constraint(c, metrics.get(c.metric))
                    if why:
                        reasons.append(why)
        row["status"] = status
        row["feasible"] = status == "ok" and not reasons
        row["reason"] = "; ".join(reasons)
        row["elapsed_s"] = (record or {}).get("elapsed_s")
        objective_rows.append([objective_value(metrics.get(o.metric), o.goal) for o in study.objectives])
        rows.append(row)
    table = pd.DataFrame(rows)
    if study.objectives and len(rows):
        values = np.asarray(objective_rows, dtype=float).reshape(len(rows), len(study.objectives))
        ranks = pareto_ranks(values, [o.goal for o in study.objectives], mask=table["feasible"].to_numpy(bool))
    else:
        ranks = np.zeros(len(rows), dtype=np.int64)
    table["pareto"] = ranks == 1
    table["pareto_rank"] = ranks
    return table


def write_table(table: pd.DataFrame, out: str | os.PathLike) -> list[Path]:
    """Write the table as Parquet and CSV beside each other (``x.parquet`` and ``x.csv``), atomically."""
    from core.mission.atomic import atomic_path

    out = Path(out)
    stem = out.with_suffix("") if out.suffix.lower() in (".parquet", ".csv", ".pq") else out
    targets = [stem.with_name(stem.name + ".parquet"), stem.with_name(stem.name + ".csv")]
    safe = _arrow_safe(table)
    written = []
    for target in targets:
        with atomic_path(target) as tmp:
            if target.suffix == ".parquet":
                safe.to_parquet(tmp, index=False)
            else:
                table.to_csv(tmp, index=False)
        written.append(target)
    return written


def _arrow_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Columns that mix kinds (numbers and text) become text so Parquet can store them."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object:
            kinds = {type(v) for v in out[column] if v is not None and not (isinstance(v, float) and math.isnan(v))}
            if len(kinds) > 1 and not kinds <= {int, float} and not kinds <= {bool}:
                out[column] = [None if v is None else str(v) for v in out[column]]
    return out


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """A results table written by :func:`write_table` (Parquet or CSV)."""
    import pandas as pd

    path = Path(path)
    return pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else pd.read_csv(path)
