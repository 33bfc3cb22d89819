"""Exports (report, CZML, results JSON, data folder) on a worker thread, with progress and cancel.

The writer runs on a :class:`~app.workers.Job` against the frozen results, into a staging folder beside
the target; only when it finishes and was not cancelled is the output moved into place, so a
cancelled export leaves the target as it was. The GUI thread shows a busy progress dialog with
the elapsed time and a Cancel button, and stays responsive throughout.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.workers import Job

Writer = Callable[[Path], object]
"""Writes the export to the path it is given (a file, or a folder to create)."""


def move_into_place(staged: Path, target: Path) -> None:
    """Move the finished output to ``target``, replacing what was there (a file or a folder)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if staged.is_dir() and target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(staged, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staged, target)


class ExportRunner(QObject):
    """One export at a time. ``finished(message)``, ``failed(message)`` or ``cancelled()`` end each."""

    finished = Signal(str)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._parent = parent
        self.thread: Job | None = None
        self.dialog: QProgressDialog | None = None
        self._error: str | None = None
        self._cancel = False
        self._started = 0.0
        self._label = ""
        self._tick = QTimer(self)
        self._tick.setInterval(200)
        self._tick.timeout.connect(self._show_elapsed)

    def is_running(self) -> bool:
        return self.thread is not None

    def start(self, label: str, write: Writer, target: Path, done_message: str) -> bool:
        """Begin writing ``target`` with ``write``; False when another export is still running."""
        if self.thread is not None:
            return False
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._stage_dir = Path(tempfile.mkdtemp(prefix=".starnet-export-", dir=target.parent))
        self._target, self._staged, self._done_message = target, self._stage_dir / target.name, done_message
        self._error, self._cancel, self._label = None, False, label
        self._started = time.monotonic()
        staged = self._staged
        self.thread = Job(lambda _cancelled, _report: write(staged), self, "export")
        self.thread.failed.connect(self._record_error)
        self.thread.finished.connect(self._thread_done)
        self.dialog = QProgressDialog(f"{label}…", "Cancel", 0, 0, self._parent)
        self.dialog.setObjectName("exportProgress")
        self.dialog.setWindowTitle("Export")
        self.dialog.setMinimumDuration(300)  # a quick export never flashes a dialog
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self._tick.start()
        self.thread.start()
        return True

    def cancel(self) -> None:
        """Abandon the running export: its output is discarded when the writer returns."""
        if self.thread is not None:
            self._cancel = True
            if self.dialog is not None:
                self.dialog.setLabelText(f"{self._label}: cancelling…")

    def wait(self, ms: int = 60_000) -> bool:
        """Block until the running export ends (tests, shutdown); True when none is left."""
        thread = self.thread
        if thread is None:
            return True
        done = thread.wait(ms)
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.processEvents()
        return done and self.thread is None

    def _record_error(self, message: str) -> None:
        self._error = message

    def _show_elapsed(self) -> None:
        if self.dialog is not None and not self._cancel:
            self.dialog.setLabelText(f"{self._label}… {time.monotonic() - self._started:.0f} s")

    def _thread_done(self) -> None:
        self._tick.stop()
        thread, self.thread = self.thread, None
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        try:
            if self._cancel:
                self.cancelled.emit()
            elif self._error is not None:
                self.failed.emit(self._error)
            else:
                try:
                    move_into_place(self._staged, self._target)
                except OSError as err:
                    self.failed.emit(f"could not write {self._target}: {err}")
                else:
                    self.finished.emit(self._done_message)
        finally:
            shutil.rmtree(self._stage_dir, ignore_errors=True)
            if thread is not None:
                thread.deleteLater()
