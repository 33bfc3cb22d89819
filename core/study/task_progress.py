"""Progress of a run whose stages send tasks to an executor: tasks done / total per stage, on stderr.

``starnet analyze --scheduler ADDRESS`` (or ``--workers N``) wraps its executor in a
:class:`CountingExecutor`, which counts the tasks each stage submits and finishes, and prints
with :class:`TaskProgress`::

    starnet: Dask cluster tcp://10.0.0.5:8786 (8 worker threads); dashboard http://10.0.0.5:8787/status
    starnet: coverage: 12 of 40 tasks done (8 running)
    starnet: coverage: 40/40 tasks done in 61.2 s

A stage's total is known when it ends (its tasks are submitted a few per worker at a time),
so the running line says how many are in flight.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO


class CountingExecutor:
    """Delegates to an executor of :mod:`core.study.run` and counts tasks per stage (``stage`` is set by the caller)."""

    def __init__(self, inner: Any, on_change: Callable[[], None] | None = None) -> None:
        self.inner = inner
        self.slots = int(getattr(inner, "slots", 1) or 1)
        """Tasks the executor runs at once (read once: a Dask cluster may grow later)."""
        self.stage = "start"
        self.counts: dict[str, list[int]] = {}
        """Stage name -> [tasks done, tasks submitted], in the order stages first submitted."""
        self._stage_of: dict[Any, str] = {}
        self._on_change = on_change or (lambda: None)

    @property
    def kind(self) -> str:
        return str(getattr(self.inner, "kind", ""))

    def describe(self) -> str:
        return str(self.inner.describe())

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> Any:
        future = self.inner.submit(fn, *args, key=key)
        self.counts.setdefault(self.stage, [0, 0])[1] += 1
        self._stage_of[future] = self.stage
        self._on_change()
        return future

    def wait(self, futures: set, timeout: float) -> set:
        done = self.inner.wait(futures, timeout)
        finished = [f for f in done if f in self._stage_of]
        for future in finished:
            self.counts[self._stage_of.pop(future)][0] += 1
        if finished:
            self._on_change()
        return done

    def cancel(self, futures: Iterable) -> None:
        futures = list(futures)
        for future in futures:
            self._stage_of.pop(future, None)
        self.inner.cancel(futures)

    def close(self, cancel: bool = False) -> None:
        self.inner.close(cancel=cancel)


def dashboard_link(executor: Any) -> str | None:
    """The Dask dashboard address of an executor's cluster (None for local processes, or no dashboard)."""
    client = getattr(executor, "client", None)
    if client is None:
        return None
    try:
        return str(client.dashboard_link) or None
    except Exception:  # noqa: BLE001 - a scheduler without a dashboard (bokeh missing, disabled)
        return None


class TaskProgress:
    """Prints one line when a stage's tasks start, at most every ``interval_s`` while they run, and when it ends."""

    def __init__(self, executor: Any, stream: TextIO | None = None, interval_s: float = 2.0) -> None:
        self.counter = CountingExecutor(executor, self._changed)
        self.stream = stream or sys.stderr
        self.interval_s = float(interval_s)
        self._last = 0.0
        self._started: dict[str, float] = {}
        link = dashboard_link(executor)
        self._say(f"{self.counter.describe()}" + (f"; dashboard {link}" if link else ""))

    def stage(self, name: str, fraction: float) -> None:
        """The pipeline's ``progress(stage, fraction)``: a new stage closes the previous one's line."""
        if name != self.counter.stage:
            self._finish(self.counter.stage)
            self.counter.stage = name
            self._last = 0.0

    def close(self) -> None:
        """End the last stage's line."""
        self._finish(self.counter.stage)

    def _changed(self) -> None:
        name = self.counter.stage
        self._started.setdefault(name, time.perf_counter())
        now = time.perf_counter()
        if now - self._last >= self.interval_s:
            done, submitted = self.counter.counts.get(name, [0, 0])
            self._say(f"{name}: {done} of {submitted} tasks done ({submitted - done} running)")
            self._last = now

    def _finish(self, name: str) -> None:
        counts = self.counter.counts.get(name)
        start = self._started.pop(name, None)
        if counts is None or start is None:
            return
        self._say(f"{name}: {counts[0]}/{counts[1]} tasks done in {time.perf_counter() - start:.1f} s")

    def _say(self, line: str) -> None:
        print(f"starnet: {line}", file=self.stream, flush=True)
