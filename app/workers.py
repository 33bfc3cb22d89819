"""Background work: every worker of the app is a Python thread that reports through Qt signals.

Two shapes of the one style. :class:`Job` runs one function (a design search, a trade study, an
export, a lifetime estimate) on a daemon thread, hands it a ``cancel()`` test and a
``report(*args)`` callback, and delivers ``progressed``, ``done`` or ``failed`` and then
``finished`` on the GUI thread (signals of a QObject that lives there are queued across threads).
:func:`on_executor` runs a study function on a sweep executor and always closes it.

:class:`AnalysisRunner` takes requests (a mission copy plus its base folder), runs
``core.api.analyze`` in a Python thread and hands back the frozen ``Results`` through Qt
signals (delivered on the GUI thread). The newest request wins: submitting cancels the run in
progress through the engine's ``cancel()`` callback, and stale results are never delivered.

A request is computed in two passes: a quick *preview* on a coarse time grid (so an edit
refreshes the globe and the plots within a fraction of a second) and then the full analysis.
Both pass through the same engine call; the GUI thread only draws what comes back.
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from core.api import Cancelled
from core.mission.errors import MissionError
from core.mission.model import Mission

PREVIEW_EPOCHS = 24
"""Epochs of the quick preview pass (the full pass uses the mission's own grid)."""


@dataclass(frozen=True)
class Computed:
    """What a finished pass delivers to the GUI thread."""

    generation: int
    results: Any
    view: Any
    preview: bool
    elapsed_s: float


def preview_mission(mission: Mission) -> Mission | None:
    """A coarse copy of the mission for the quick pass, or None if the mission is already small."""
    a = mission.analysis
    n = a.duration_s / a.step_s
    if n <= PREVIEW_EPOCHS * 1.5:
        return None
    step = a.duration_s / PREVIEW_EPOCHS
    grid = max(a.coverage_grid_deg, 3.0)
    return mission.model_copy(update={"analysis": a.model_copy(update={"step_s": step, "coverage_grid_deg": grid})}, deep=True)


def run_analysis(mission: Mission, base_dir: Path | None, progress=None, cancel=None):
    """The engine call (kept in one place so tests can replace it)."""
    from core import api

    return api.analyze(mission, base_dir=base_dir, progress=progress, cancel=cancel)


class AnalysisRunner(QObject):
    """Runs analyses off the GUI thread; latest request wins.

    Signals:
        started(int generation)
        progress(int generation, str stage, float fraction)
        computed(Computed)
        failed(int generation, str message)
        cancelled(int generation)
        idle(): nothing is running any more.
    """

    started = Signal(int)
    progress = Signal(int, str, float)
    computed = Signal(object)
    failed = Signal(int, str)
    cancelled = Signal(int)
    idle = Signal()

    def __init__(self, prepare_view: Callable[[Any], Any] | None = None, parent: QObject | None = None, two_pass: bool = True):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._generation = 0
        self._cancelled: set[int] = set()
        self._threads: list[threading.Thread] = []
        self._prepare_view = prepare_view
        self.two_pass = two_pass
        self.analyze: Callable[..., Any] = run_analysis

    @property
    def generation(self) -> int:
        return self._generation

    def is_running(self) -> bool:
        self._threads = [t for t in self._threads if t.is_alive()]
        return bool(self._threads)

    def submit(self, mission: Mission, base_dir: Path | None = None) -> int:
        """Compute ``mission`` (already a snapshot); cancels the older request. Returns its generation."""
        with self._lock:
            self._generation += 1
            gen = self._generation
        thread = threading.Thread(target=self._run, args=(gen, mission, base_dir), name=f"analysis-{gen}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return gen

    def cancel(self) -> None:
        """Cancel whatever is running (the current generation)."""
        with self._lock:
            self._cancelled.add(self._generation)

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until every worker thread ended (tests, shutdown)."""
        end = time.monotonic() + timeout
        for t in list(self._threads):
            t.join(max(0.0, end - time.monotonic()))
        return not self.is_running()

    # -- worker thread -----------------------------------------------------------------------
    def _stale(self, gen: int) -> bool:
        return gen != self._generation or gen in self._cancelled

    def _run(self, gen: int, mission: Mission, base_dir: Path | None) -> None:
        self.started.emit(gen)
        passes: list[tuple[Mission, bool]] = []
        quick = preview_mission(mission) if self.two_pass else None
        if quick is not None:
            passes.append((quick, True))
        passes.append((mission, False))
        try:
            for k, (m, preview) in enumerate(passes):
                if self._stale(gen):
                    raise Cancelled("superseded")
                t0 = time.perf_counter()
                label = "Preview" if preview else "Analysis"

                def progress(stage: str, fraction: float, _label=label) -> None:
                    if not self._stale(gen):
                        self.progress.emit(gen, f"{_label}: {stage}", float(fraction))

                results = self.analyze(m, base_dir, progress=progress, cancel=lambda: self._stale(gen))
                view = self._prepare_view(results) if self._prepare_view else None
                if self._stale(gen):
                    raise Cancelled("superseded")
                self.computed.emit(Computed(gen, results, view, preview, time.perf_counter() - t0))
        except Cancelled:
            self.cancelled.emit(gen)
        except MissionError as exc:  # a refusal (bad input, or too large for this machine): its message, no traceback
            if not self._stale(gen):
                self.failed.emit(gen, "; ".join(str(exc).splitlines()))
            else:
                self.cancelled.emit(gen)
        except Exception as exc:  # noqa: BLE001 - shown in the status bar, never a crash
            if not self._stale(gen):
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                traceback.print_exc()
                self.failed.emit(gen, detail)
            else:
                self.cancelled.emit(gen)
        finally:
            with self._lock:
                self._cancelled.discard(gen)
            if gen == self._generation:
                self.idle.emit()


Work = Callable[[Callable[[], bool], Callable[..., None]], Any]
"""``work(cancelled, report)``: the job's function; ``cancelled()`` is True once :meth:`Job.stop` was
called, ``report(*args)`` emits :attr:`Job.progressed` with ``args``; its return value is ``done``'s."""


class Job(QObject):
    """One function on a worker thread, its outcome as signals on the GUI thread.

    Signals:
        progressed(tuple): what the function reported, as the tuple of its arguments.
        done(object): the function's return value.
        failed(str): the message of the exception it raised.
        finished(): after ``done`` or ``failed``, whichever came.
    """

    progressed = Signal(tuple)
    done = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, work: Work, parent: QObject | None = None, name: str = "job"):
        super().__init__(parent)
        self._work = work
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.worker_thread_id: int | None = None

    def start(self) -> None:
        """Run the function on the job's thread (once)."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the function to cancel (it polls ``cancelled()``)."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, ms: int = 60_000) -> bool:
        """Block until the thread ended, at most ``ms`` milliseconds; True when it did."""
        if self._thread.ident is not None:
            self._thread.join(ms / 1000.0)
        return not self._thread.is_alive()

    def _emit(self, signal_name: str, *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the owner was deleted meanwhile: nobody is listening
            getattr(self, signal_name).emit(*args)

    def _run(self) -> None:
        self.worker_thread_id = threading.get_ident()
        try:
            result = self._work(self._stop.is_set, lambda *args: self._emit("progressed", args))
        except Exception as exc:  # noqa: BLE001 - shown by the owner, never a crash
            self._emit("failed", str(exc) or type(exc).__name__)
        else:
            self._emit("done", result)
        finally:
            self._emit("finished")


def on_executor(scheduler: str | None, workers: int | None, cancelled: Callable[[], bool],
                call: Callable[[Any], Any]) -> Any:
    """``call(executor)`` on the sweep executor for ``scheduler``/``workers``; the executor is closed after
    (cancelling its tasks when ``cancelled()``), whatever happened."""
    from core.study.run import make_executor

    executor = make_executor(scheduler, workers)
    try:
        return call(executor)
    finally:
        with contextlib.suppress(Exception):  # a cluster already gone cannot be closed; nothing is lost
            executor.close(cancel=cancelled())


class NewestRequestWorker(QObject):
    """One background thread that computes only the newest request; ``ready(result)`` reaches the GUI thread.

    :meth:`request` records its arguments (replacing any request not yet started) and returns at
    once; the thread (named ``thread_name``, started on the first request) calls :meth:`build`
    with them. A failed build is skipped (its message kept in ``failures``) and the next request
    retries; ``builds`` counts finished builds. :meth:`idle` is True once nothing is waiting and
    the last result was emitted. Subclasses define ``build`` and ``thread_name``.
    """

    ready = Signal(object)
    thread_name = "newest-request"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._want: tuple[Any, ...] | None = None
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.builds = 0
        self.failures: list[str] = []

    def build(self, *args: Any) -> Any:
        """The work of one request, on the worker thread (None: nothing to emit)."""
        raise NotImplementedError

    def request(self, *args: Any) -> None:
        """Compute ``build(*args)`` next."""
        with self._cond:
            self._want = args
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def idle(self) -> bool:
        """True when nothing is waiting or being computed."""
        with self._cond:
            return self._want is None and not self._busy

    def close(self) -> None:
        """Drop any waiting request and end the thread."""
        with self._cond:
            self._closed = True
            self._want = None
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._want is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                args, self._want, self._busy = self._want, None, True
            try:
                result = self.build(*args)
            except Exception as exc:  # noqa: BLE001 - a failed request is skipped; the next one retries
                self.failures.append(f"{type(exc).__name__}: {exc}")
                result = None
            try:
                if result is not None:
                    self.ready.emit(result)
            except RuntimeError:  # the owner was deleted meanwhile
                return
            finally:
                with self._cond:
                    self._busy = False
                    self.builds += 1
                args = result = None  # hold nothing between requests (a large view keeps its ephemeris alive)
