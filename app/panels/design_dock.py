"""The requirements dock: ask for the cheapest design that meets a requirements file.

"Open requirements…" loads a requirements file (``starnet.requirements/1``, see
docs/trade-studies.md); "Design" runs :func:`core.study.design.design_from_requirements` in a
:class:`~app.workers.Job` (through this machine's processes, this process, or a Dask scheduler), never
on the GUI thread; the answer, why the next smaller design fails and the rest's Pareto front
appear as text, and "Open best design" opens the written mission (``designChosen(dict)``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.panels.sweep_job import SweepDock, SweepJob
from app.workers import Work, on_executor

if TYPE_CHECKING:
    from core.study.design import DesignOutcome
    from core.study.requirements import LoadedRequirements


def design_work(loaded: LoadedRequirements, scheduler: str | None, workers: int | None) -> Work:
    """The search as a :class:`~app.workers.Job`'s function: reports the designs evaluated so far."""
    from core.study.design import design_from_requirements

    def work(cancelled: Callable[[], bool], report: Callable[..., None]) -> DesignOutcome:
        return on_executor(scheduler, workers, cancelled, lambda executor: design_from_requirements(
            loaded, executor, progress=lambda _stage, n: report(n), cancel=cancelled))

    return work


class DesignDock(SweepDock):
    """Design from requirements. Emits ``designChosen(dict)`` with the best design's mission data."""

    designChosen = Signal(dict)
    designFinished = Signal(object)
    close_wait_ms = 5000

    def __init__(self, parent=None):
        super().__init__("Design", parent)  # short: it shares a tab row on small windows
        self.setObjectName("designDock")
        self.loaded = None
        self.outcome = None
        self._build()
        self.sweep = SweepJob(self, self.scheduler, self.workers, self._set_running)
        self._set_running(False)

    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        top = QHBoxLayout()
        self.file_label = QLabel("No requirements file")
        self.open_button = QPushButton("Open requirements…")
        self.open_button.clicked.connect(self._open_dialog)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.open_button)
        layout.addLayout(top)
        where = QHBoxLayout()
        where.addWidget(QLabel("Workers"))
        self.workers = QSpinBox()
        self.workers.setRange(0, 256)
        self.workers.setSpecialValueText("all cores")
        where.addWidget(self.workers)
        self.scheduler = QLineEdit()
        self.scheduler.setPlaceholderText("Dask scheduler (optional), e.g. tcp://10.0.0.5:8786")
        where.addWidget(self.scheduler, 1)
        layout.addLayout(where)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("Design")
        self.run_button.clicked.connect(lambda: self.run())
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.open_best_button = QPushButton("Open best design")
        self.open_best_button.clicked.connect(self._open_best)
        for b in (self.run_button, self.stop_button, self.open_best_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        layout.addWidget(self.report, 1)
        self.setWidget(body)

    # ---------------------------------------------------------------- input

    def _open_dialog(self) -> None:
        path = self.ask_open_path("Open requirements", "Requirements (*.yaml *.yml *.json)")
        if path:
            self.load_requirements(path)

    def load_requirements(self, path: str | Path) -> bool:
        """Load and check a requirements file; problems are shown in the status line."""
        from core.study.requirements import load_requirements

        try:
            self.loaded = load_requirements(path)
        except Exception as exc:  # noqa: BLE001 - a bad file is reported, not raised
            self.loaded = None
            self.status.setText(str(exc))
            self._set_running(False)
            return False
        self.file_label.setText(f"{Path(path).name}: {self.loaded.name}")
        self.status.setText(self.loaded.doc.requirements.coverage.describe() if self.loaded.doc.requirements.coverage else "")
        self._set_running(False)
        return True

    # ---------------------------------------------------------------- running

    def run(self, scheduler: str | None = None, workers: int | None = None) -> bool:
        """Start the search (defaults: the dock's fields). False when there is nothing to run or it already runs."""
        if self.loaded is None or self.is_running():
            return False
        self.status.setText("searching…")
        self.sweep.start(design_work(self.loaded, *self.sweep.where(scheduler, workers)), "design",
                         lambda n: self.status.setText(f"{n} designs evaluated…"), self._on_done, self._on_failed)
        return True

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running and self.loaded is not None)
        self.stop_button.setEnabled(running)
        self.open_best_button.setEnabled(not running and self.outcome is not None and self.outcome.best is not None)

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"failed: {message}")

    def _on_done(self, outcome) -> None:
        self.outcome = outcome
        self.report.setPlainText(report_text(outcome))
        counts = outcome.counts
        self.status.setText(("stopped: " if outcome.cancelled else "") +
                            f"{counts['total']} designs evaluated ({counts['coverage']} screens, {counts['full']} full) "
                            f"in {outcome.elapsed_s:.1f} s")
        self._set_running(False)
        self.designFinished.emit(outcome)

    def _open_best(self) -> None:
        if self.outcome is not None and self.outcome.best_mission is not None:
            self.designChosen.emit(dict(self.outcome.best_mission))



def report_text(outcome) -> str:
    """The outcome in a few lines: the answer, the next smaller design and why it fails, the front."""
    lines = []
    if outcome.best is not None:
        lines.append(f"Best: {outcome.best.point.label()} ({outcome.best.point.satellites} satellites)"
                     + (", confirmed at a finer sampling" if outcome.verified else ""))
    else:
        lines.append("No design of the space meets every requirement.")
    smaller = outcome.nearest_smaller()
    if smaller is not None:
        lines.append(f"Next smaller: {smaller.point.label()}: {'; '.join(smaller.why())}")
    front = outcome.pareto()
    if front:
        lines.append("Pareto front of the rest:")
        lines += [f"  {e.point.label()}: {e.verdict()}" for e in front[:12]]
    lines += outcome.notes
    return "\n".join(lines)


def install_design_dock(window) -> DesignDock:
    """Add the dock to the main window: tabbed with the Budgets dock, opening the best design like a study's."""
    from PySide6.QtCore import Qt

    dock = DesignDock(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    if "budgetsDock" in window.docks:
        window.tabifyDockWidget(window.docks["budgetsDock"], dock)
    window.docks[dock.objectName()] = dock
    dock.designChosen.connect(window.open_design)
    return dock
