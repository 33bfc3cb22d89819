"""The one background sweep of a dock (a design search, a trade study): where it runs, start, stop, wait.

Both sweep docks have a "Dask scheduler" line and a "workers" box and run one
:class:`~app.workers.Job` at a time; this holds that plumbing once. The dock gives the function to
run and its slots; :class:`SweepJob` starts the job, greys the dock's buttons through
``set_running(bool)`` while it runs, and stops or waits for it. :class:`SweepDock` is the base of
both docks: running, stop, wait, the "Open…" file prompt, and stopping the sweep on close.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLineEdit, QSpinBox, QWidget

from app.workers import Job, Work


class SweepJob:
    """At most one sweep at a time for ``owner``; ``job`` is the last one started (None before)."""

    def __init__(self, owner: QWidget, scheduler: QLineEdit, workers: QSpinBox, set_running: Callable[[bool], None]):
        self.owner = owner
        self.scheduler_field, self.workers_field = scheduler, workers
        self.set_running = set_running
        self.job: Job | None = None

    def where(self, scheduler: str | None = None, workers: int | None = None) -> tuple[str | None, int | None]:
        """``(scheduler, workers)``: the arguments, or the dock's fields where they are None (0 workers: all cores)."""
        if scheduler is None:
            scheduler = self.scheduler_field.text().strip() or None
        if workers is None:
            workers = self.workers_field.value() or None
        return scheduler, workers

    def is_running(self) -> bool:
        return self.job is not None and self.job.is_running()

    def start(self, work: Work, name: str, progressed: Callable[..., None], done: Callable[[Any], None],
              failed: Callable[[str], None]) -> Job:
        """Run ``work`` on a new job; ``progressed(*args)``, ``done(result)`` or ``failed(message)`` on the GUI thread."""
        job = Job(work, self.owner, name)
        job.progressed.connect(lambda args: progressed(*args))
        job.done.connect(done)
        job.failed.connect(failed)
        job.finished.connect(lambda: self.set_running(False))
        self.job = job
        self.set_running(True)
        job.start()
        return job

    def stop(self) -> None:
        """Ask the running sweep to cancel between designs."""
        if self.job is not None:
            self.job.stop()

    def wait(self, ms: int = 60_000) -> bool:
        """Block until the sweep ended, at most ``ms`` milliseconds; True when none is left running."""
        return self.job.wait(ms) if self.job is not None else True


class SweepDock(QDockWidget):
    """A dock that runs sweeps; a subclass sets :attr:`sweep` once its fields exist."""

    close_wait_ms = 10_000
    """How long closing the dock waits for a stopped sweep to end."""
    sweep: SweepJob

    def is_running(self) -> bool:
        return self.sweep.is_running()

    def stop(self) -> None:
        """Ask the running sweep to cancel between designs."""
        self.sweep.stop()

    def wait(self, ms: int = 60_000) -> bool:
        """Block until the sweep ended (tests, closing); True when none is left running."""
        return self.sweep.wait(ms)

    def ask_open_path(self, caption: str, file_filter: str) -> str:
        """The file to open ("" when the user cancels)."""
        path, _ = QFileDialog.getOpenFileName(self, caption, "", file_filter)
        return path

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        self.wait(self.close_wait_ms)
        super().closeEvent(event)
