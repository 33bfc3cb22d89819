"""The analysis controller: when to compute, the worker that computes, and the status bar that says so.

Every change of the document is debounced (leading edge: the first edit of a burst is computed
at once, edits that follow within :data:`DEBOUNCE_MS` are gathered and computed once when the
burst ends) and sent to an :class:`~app.workers.AnalysisRunner` on a snapshot. The runner's
newest request wins, so a stale pass is cancelled and never shown. Passes that come back are
handed to ``show(results, view, preview)`` on the GUI thread; the controller keeps the status
bar's stage line, progress bar, Cancel button and timing line up to date.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar, QToolButton, QWidget

from app.document import MissionDocument
from app.globe.prepare import prepare_view
from app.workers import AnalysisRunner, Computed

DEBOUNCE_MS = 120
"""Edits that follow one another within this many milliseconds are computed once."""

ShowResults = Callable[[Any, Any, bool], None]
"""Draws ``(results, view, preview)`` in every dock (GUI thread)."""


class AnalysisController(QObject):
    """Debounces the document's edits, runs the analysis off the GUI thread, reports its progress.

    Attributes read by the window and the tests: ``runner`` (the :class:`AnalysisRunner`),
    ``debounce`` (the burst timer), the status widgets ``stage_label``, ``progress``,
    ``cancel_button``, ``timing_label``, ``count_label`` (what is shown, set by the window), and ``results_generation`` (the generation last shown),
    ``last_refresh_s`` (seconds from an edit to its results drawn).
    """

    def __init__(self, doc: MissionDocument, show: ShowResults, status_bar: QStatusBar, parent: QWidget):
        super().__init__(parent)
        self.doc = doc
        self._show = show
        self.results_generation = 0
        self.last_refresh_s: float | None = None
        self._edit_time: float | None = None
        self._requested_at = 0.0
        self._build_status(status_bar, parent)

        self.runner = AnalysisRunner(prepare_view, self)
        self.runner.started.connect(self._on_started)
        self.runner.progress.connect(self._on_progress)
        self.runner.computed.connect(self._on_computed)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self._burst_ended)
        self._burst_pending = False

    def _build_status(self, sb: QStatusBar, parent: QWidget) -> None:
        self.stage_label = QLabel("Ready", parent)
        self.stage_label.setObjectName("stageLabel")
        # a long stage message is cut, never a reason for the window to grow
        self.stage_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress = QProgressBar(parent)
        self.progress.setObjectName("progressBar")
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(180)
        self.progress.setVisible(False)
        self.cancel_button = QToolButton(parent)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Cancel the computation (Esc)")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.timing_label = QLabel("", parent)
        self.timing_label.setObjectName("timingLabel")
        self.count_label = QLabel("", parent)
        self.count_label.setObjectName("countLabel")
        sb.addWidget(self.stage_label, 1)
        for w in (self.count_label, self.timing_label, self.progress, self.cancel_button):
            sb.addPermanentWidget(w)

    # -- when to compute ---------------------------------------------------------------------
    def mission_changed(self) -> None:
        """The document changed: compute now, or once when the burst of edits ends."""
        self._edit_time = time.perf_counter()
        if self.debounce.isActive():
            self._burst_pending = True
            self.debounce.start()
        else:
            self.recompute()
            self.debounce.start()

    def drop_burst(self) -> None:
        """Forget the edit burst in progress (before an open/new, whose reset computes at once)."""
        self.debounce.stop()
        self._burst_pending = False

    def _burst_ended(self) -> None:
        if self._burst_pending:
            self._burst_pending = False
            self.recompute()

    def recompute(self) -> int:
        """Compute the document now (a snapshot); returns the request's generation."""
        self._requested_at = time.perf_counter()
        return self.runner.submit(self.doc.snapshot(), self.doc.base_dir)

    def cancel(self) -> None:
        """Cancel the computation in progress, if any."""
        if self.runner.is_running():
            self.runner.cancel()
            self.stage_label.setText("Cancelling…")

    def stop(self, wait_s: float = 120.0) -> None:
        """Cancel, wait for the worker and stop the timer (shutdown)."""
        self.runner.cancel()
        self.runner.wait(wait_s)
        self.debounce.stop()

    # -- what the runner reports -------------------------------------------------------------
    def _end(self, text: str) -> None:
        self.stage_label.setText(text)
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def _on_started(self, gen: int) -> None:
        if gen == self.runner.generation:
            self.progress.setValue(0)
            self.progress.setVisible(True)
            self.cancel_button.setVisible(True)
            self.stage_label.setText("Computing…")

    def _on_progress(self, gen: int, stage: str, fraction: float) -> None:
        if gen == self.runner.generation:
            self.stage_label.setText(f"Computing — {stage}")
            self.progress.setValue(int(100 * fraction))

    def _on_computed(self, c: Computed) -> None:
        if c.generation != self.runner.generation:
            return
        t0 = time.perf_counter()
        self._show(c.results, c.view, c.preview)
        self.results_generation = c.generation
        draw_s = time.perf_counter() - t0
        if self._edit_time is not None:
            self.last_refresh_s = time.perf_counter() - self._edit_time
            if not c.preview:
                self._edit_time = None
        timings = getattr(c.results, "timings_s", {}) or {}
        parts = ", ".join(f"{k} {v:.2f}" for k, v in timings.items() if v >= 0.01)
        kind = "Preview" if c.preview else "Analysis"
        self.timing_label.setText(f"{kind} {c.elapsed_s:.2f} s (draw {draw_s * 1000:.0f} ms)")
        self.timing_label.setToolTip(parts)
        if c.preview:
            self.stage_label.setText("Preview shown — computing the full analysis…")
        else:
            self._end(f"Computed in {c.elapsed_s:.2f} s — {parts}" if parts else f"Computed in {c.elapsed_s:.2f} s")

    def _on_failed(self, gen: int, message: str) -> None:
        if gen == self.runner.generation:
            self._end(f"Analysis failed: {message}")

    def _on_cancelled(self, gen: int) -> None:
        if gen == self.runner.generation:
            self._end("Computation cancelled")
