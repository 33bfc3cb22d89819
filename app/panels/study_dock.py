"""The Trade study dock: define parameter ranges on the open mission, run the sweep (locally or on a
Dask cluster), scatter any two metrics with the Pareto front, click a point to open that design.

The dock is self-contained: the main window gives it the current mission with
:meth:`TradeStudyDock.set_mission` and listens to :attr:`TradeStudyDock.designChosen` (the plain
mission data of the clicked design). Studies run in a :class:`~app.workers.Job` through
:func:`core.study.run.run_study`; the GUI thread only draws.

Values are typed as ``500, 550, 600`` (a list), ``4:8:2`` (start:stop:step, stop included) or
``50..60 x3`` (a range with a count).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QFrame, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton, QScrollArea, QSpinBox,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.panels.sweep_job import SweepDock, SweepJob
from app.workers import Work, on_executor

if TYPE_CHECKING:
    from core.study.model import LoadedStudy
    from core.study.run import StudyOutcome

QUICK_WINDOW = {"analysis.duration_s": 7200, "analysis.step_s": 120, "analysis.coverage_grid_deg": 5}
"""Overrides of the "quick analysis window" option (2 hours at 2 minutes, 5-degree grid)."""

PARAMETER_CHOICES = ["altitude_km", "inclination_deg", "planes", "sats_per_plane", "phasing", "isl", "hardware", "units",
                     "min_elevation_deg", "bus_power_w", "downlink_mbps", "sensor_rate_mbps"]

BOOKKEEPING = {"design", "design_id", "status", "feasible", "reason", "pareto", "pareto_rank", "elapsed_s"}

FEASIBLE_BRUSH = pg.mkBrush(90, 160, 255, 170)
INFEASIBLE_BRUSH = pg.mkBrush(255, 107, 107, 150)
FRONT_BRUSH = pg.mkBrush(255, 200, 40, 255)


def parse_values(text: str) -> dict:
    """``"500, 550"`` -> ``{values: [500, 550]}``; ``"4:8:2"`` -> start/stop/step; ``"50..60 x3"`` -> range/count."""
    import yaml

    text = text.strip()
    m = re.fullmatch(r"(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)\s*[x×]\s*(\d+)", text)
    if m:
        return {"range": [yaml.safe_load(m[1]), yaml.safe_load(m[2])], "count": int(m[3])}
    m = re.fullmatch(r"(-?[\d.]+)\s*:\s*(-?[\d.]+)\s*:\s*(-?[\d.]+)", text)
    if m:
        return {"start": yaml.safe_load(m[1]), "stop": yaml.safe_load(m[2]), "step": yaml.safe_load(m[3])}
    if ":" in text:  # (and not YAML's base-60 numbers: "4:8" would read as 248)
        raise ValueError("write a range as start:stop:step, e.g. 4:8:2")
    items = [part.strip() for part in text.split(",") if part.strip()]
    if not items:
        raise ValueError("no values")
    return {"values": [yaml.safe_load(item) for item in items]}


def format_values(spec) -> str:
    if spec.values is not None:
        return ", ".join(str(v) for v in spec.values)
    if spec.range is not None:
        return f"{spec.range[0]:g}..{spec.range[1]:g} x{spec.count}"
    return f"{spec.start:g}:{spec.stop:g}:{spec.step:g}"


def study_work(loaded: LoadedStudy, scheduler: str | None, workers: int | None) -> Work:
    """The sweep as a :class:`~app.workers.Job`'s function: reports ``(designs done, designs in all)``."""
    from core.study.run import run_study

    def work(cancelled: Callable[[], bool], report: Callable[..., None]) -> StudyOutcome:
        return on_executor(scheduler, workers, cancelled, lambda executor: run_study(
            loaded, executor, cancel=cancelled, progress=lambda done, total, _record: report(done, total)))

    return work


class TradeStudyDock(SweepDock):
    """Trade studies on the open mission. Emits ``designChosen(dict)`` with a clicked design's mission data."""

    designChosen = Signal(dict)
    studyFinished = Signal(object)

    def __init__(self, parent=None):
        super().__init__("Trade study", parent)
        self.setObjectName("tradeStudyDock")
        self._mission: dict | None = None
        self._base_dir: Path | None = None
        self._loaded_study = None
        self.outcome = None
        self._build()
        self.sweep = SweepJob(self, self.scheduler, self.workers, self._set_running)
        self._set_running(False)

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        # Set-up on the left (scrolls when the dock is short), the scatter on the right with the room.
        controls = QWidget()
        layout = QVBoxLayout(controls)

        top = QHBoxLayout()
        self.base_label = QLabel("Base: default preset")
        self.open_button = QPushButton("Open study…")
        self.open_button.clicked.connect(self._open_study_dialog)
        top.addWidget(self.base_label, 1)
        top.addWidget(self.open_button)
        layout.addLayout(top)

        self.params = QTableWidget(0, 2)
        self.params.setHorizontalHeaderLabels(["parameter", "values (a, b, c | start:stop:step | a..b xN)"])
        self.params.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.params.verticalHeader().setVisible(False)
        layout.addWidget(self.params)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add parameter")
        self.add_button.clicked.connect(lambda: self.add_parameter("altitude_km", "500, 550, 600"))
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove_selected)
        self.quick = QCheckBox("Quick analysis window (2 h, 5° grid)")
        self.quick.setChecked(True)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(self.quick)
        layout.addLayout(row)

        form = QFormLayout()
        self.scheduler = QLineEdit()
        self.scheduler.setPlaceholderText("local (all cores) — or a Dask scheduler, tcp://host:8786")
        self.workers = QSpinBox()
        self.workers.setRange(0, 256)
        self.workers.setSpecialValueText("all cores")
        form.addRow("Run on", self.scheduler)
        form.addRow("Local workers", self.workers)
        layout.addLayout(form)

        run_row = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(lambda: self.run())
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar()
        self.status = QLabel("")
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.stop_button)
        run_row.addWidget(self.progress, 1)
        layout.addLayout(run_row)
        layout.addWidget(self.status)

        chart = QWidget()
        chart_layout = QVBoxLayout(chart)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        axes = QHBoxLayout()
        self.x_metric, self.y_metric = QComboBox(), QComboBox()
        self.x_goal, self.y_goal = QComboBox(), QComboBox()
        for goal in (self.x_goal, self.y_goal):
            goal.addItems(["max", "min"])
        self.y_goal.setCurrentText("min")
        for w in (self.x_metric, self.x_goal, self.y_metric, self.y_goal):
            w.currentIndexChanged.connect(self._redraw)
        axes.addWidget(QLabel("x"))
        axes.addWidget(self.x_metric, 1)
        axes.addWidget(self.x_goal)
        axes.addWidget(QLabel("y"))
        axes.addWidget(self.y_metric, 1)
        axes.addWidget(self.y_goal)
        layout.addLayout(axes)  # with the set-up: the scatter keeps the dock's whole height
        layout.addStretch(1)

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("studyPlot")
        self.plot.setMinimumHeight(160)
        self.plot.getPlotItem().vb.setDefaultPadding(0.06)  # points on the edge would sit on the axes
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        for name in ("left", "bottom"):
            axis = self.plot.getPlotItem().getAxis(name)
            font = axis.label.font()
            font.setPixelSize(11)
            axis.setTickFont(font)
            axis.label.setFont(font)
            axis.enableAutoSIPrefix(False)
        self.front_line = pg.PlotCurveItem(pen=pg.mkPen(FRONT_BRUSH.color(), width=1.5))
        self.points = pg.ScatterPlotItem(size=9, pen=pg.mkPen(None), hoverable=True)
        self.front_points = pg.ScatterPlotItem(size=13, symbol="star", brush=FRONT_BRUSH, pen=pg.mkPen("k"), hoverable=True)
        for item in (self.front_line, self.points, self.front_points):
            self.plot.addItem(item)
        self.points.sigClicked.connect(self._clicked)
        self.front_points.sigClicked.connect(self._clicked)
        chart_layout.addWidget(self.plot, 1)
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QSplitter(Qt.Orientation.Horizontal, self)
        body.setObjectName("studySplitter")
        body.addWidget(scroll)
        body.addWidget(chart)
        body.setStretchFactor(1, 1)
        body.setSizes([480, 800])
        self.setWidget(body)

    # ---------------------------------------------------------------- inputs

    def set_mission(self, mission, base_dir: str | Path | None = None, name: str | None = None) -> None:
        """The mission to sweep (a ``Mission`` or its plain data); the main window calls this on edits."""
        from core.mission.io import mission_to_dict
        from core.mission.model import Mission

        self._mission = mission_to_dict(mission) if isinstance(mission, Mission) else dict(mission)
        self._base_dir = Path(base_dir) if base_dir else None
        self._loaded_study = None
        self.base_label.setText(f"Base: {name or self._mission.get('name', 'mission')}")

    def add_parameter(self, name: str, values: str) -> None:
        r = self.params.rowCount()
        self.params.insertRow(r)
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItems(PARAMETER_CHOICES)
        combo.setCurrentText(name)
        self.params.setCellWidget(r, 0, combo)
        self.params.setItem(r, 1, QTableWidgetItem(values))

    def set_parameters(self, parameters: dict[str, str]) -> None:
        """Replace the parameter rows: ``{name: values text}``."""
        self.params.setRowCount(0)
        for name, values in parameters.items():
            self.add_parameter(name, values)

    def parameters(self) -> dict[str, str]:
        out = {}
        for r in range(self.params.rowCount()):
            combo = self.params.cellWidget(r, 0)
            item = self.params.item(r, 1)
            name = combo.currentText().strip() if combo is not None else ""
            if name:
                out[name] = item.text() if item is not None else ""
        return out

    def _remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.params.selectedIndexes()}, reverse=True) or [self.params.rowCount() - 1]
        for r in rows:
            if r >= 0:
                self.params.removeRow(r)

    def _open_study_dialog(self) -> None:
        path = self.ask_open_path("Open study", "Study files (*.yaml *.yml *.json)")
        if path:
            self.load_study(path)

    def load_study(self, path: str | Path) -> None:
        """Fill the dock from a study file (its base, parameters, metrics, constraints and objectives)."""
        from core.study.model import load_study

        try:
            loaded = load_study(path)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.status.setText(str(exc))
            return
        self._loaded_study = loaded
        self._mission, self._base_dir = loaded.base_mission, loaded.base_dir
        self.base_label.setText(f"Study: {loaded.name} ({Path(path).name})")
        self.params.setRowCount(0)
        for name, spec in loaded.study.parameter_specs.items():
            self.add_parameter(name, format_values(spec))
        self.quick.setChecked(False)

    def build_study(self):
        """The study the dock would run now (a :class:`~core.study.model.LoadedStudy`); raises ``StudyError``."""
        from core.study.model import study_from_dict

        params = {}
        for name, text in self.parameters().items():
            try:
                params[name] = parse_values(text)
            except Exception as exc:  # noqa: BLE001
                from core.mission.errors import Problem
                from core.study.model import StudyError

                raise StudyError("trade study", [Problem(f"parameters.{name}", f"cannot read {text!r}: {exc}")]) from None
        if self._loaded_study is not None:
            doc = self._loaded_study.study.model_dump(by_alias=True, exclude_none=True)
            doc["base"] = self._loaded_study.base_mission
            base_dir = self._loaded_study.base_dir
        else:
            from core.catalog.presets import preset_path
            from core.api import load_mission, mission_to_dict

            base = self._mission if self._mission is not None else mission_to_dict(load_mission(preset_path("default")))
            doc = {"name": f"Trade study on {base.get('name', 'mission')}", "base": base}
            base_dir = self._base_dir
        doc["parameters"] = params
        overrides = dict(doc.get("overrides") or {})
        if self.quick.isChecked():
            overrides.update(QUICK_WINDOW)
        doc["overrides"] = overrides
        return study_from_dict(doc, "trade study", base_dir)

    # ---------------------------------------------------------------- running

    def run(self, scheduler: str | None = None, workers: int | None = None) -> bool:
        """Start the study (``scheduler``/``workers`` default to the dock's fields). False when it cannot start."""
        if self.is_running():
            return False
        try:
            loaded = self.build_study()
        except Exception as exc:  # noqa: BLE001
            self.status.setText(str(exc))
            return False
        scheduler, workers = self.sweep.where(scheduler, workers)
        self.progress.setValue(0)
        self.status.setText(f"running {len(loaded.study.parameters)} parameter(s) on "
                            f"{scheduler or ('this process' if workers == 0 else 'this machine')}…")
        self.sweep.start(study_work(loaded, scheduler, workers), "study", self._on_progress, self._on_done, self._on_failed)
        return True

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _on_failed(self, message: str) -> None:
        self._set_running(False)
        self.status.setText(f"failed: {message}")

    def _on_done(self, outcome) -> None:
        self._set_running(False)
        self.set_outcome(outcome)
        n = len(outcome.table)
        self.status.setText(("stopped: " if outcome.interrupted else "") +
                            f"{outcome.finished} of {n} designs, {int(outcome.table['feasible'].sum())} feasible, "
                            f"{outcome.elapsed_s:.1f} s")
        self.studyFinished.emit(outcome)

    # ---------------------------------------------------------------- plot

    def set_outcome(self, outcome) -> None:
        """Show a finished (or stopped) study: fill the axis choices and draw."""
        self.outcome = outcome
        table = outcome.table
        metrics = [c for c in table.columns if c not in BOOKKEEPING and _numeric(table[c])]
        objectives = outcome_objectives(outcome)
        keep_x, keep_y = self.x_metric.currentText(), self.y_metric.currentText()
        for combo in (self.x_metric, self.y_metric):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(metrics)
            combo.blockSignals(False)
        x, y = (objectives + [None, None])[:2]
        x = keep_x if keep_x in metrics else (x[0] if x and x[0] in metrics else (metrics[0] if metrics else ""))
        y = keep_y if keep_y in metrics else (y[0] if y and y[0] in metrics else (metrics[1] if len(metrics) > 1 else x))
        goals = dict(objectives)
        self.set_axes(x, y, goals.get(x, self.x_goal.currentText()), goals.get(y, self.y_goal.currentText()))

    def set_axes(self, x: str, y: str, x_goal: str = "max", y_goal: str = "min") -> None:
        for combo, value in ((self.x_metric, x), (self.y_metric, y), (self.x_goal, x_goal), (self.y_goal, y_goal)):
            combo.blockSignals(True)
            combo.setCurrentText(value)
            combo.blockSignals(False)
        self._redraw()

    def front_rows(self) -> list[int]:
        """Table rows on the Pareto front of the plotted pair (feasible designs only)."""
        from core.study.pareto import pareto_mask

        table = self.outcome.table if self.outcome is not None else None
        x, y = self.x_metric.currentText(), self.y_metric.currentText()
        if table is None or x not in table or y not in table:
            return []
        values = np.c_[_floats(table[x]), _floats(table[y])]
        mask = pareto_mask(values, [self.x_goal.currentText(), self.y_goal.currentText()], mask=table["feasible"].to_numpy(bool))
        return [int(i) for i in np.flatnonzero(mask)]

    def _redraw(self, *_):
        table = self.outcome.table if self.outcome is not None else None
        x, y = self.x_metric.currentText(), self.y_metric.currentText()
        if table is None or x not in table or y not in table:
            self.points.setData([])
            self.front_points.setData([])
            self.front_line.setData([], [])
            return
        (xs, x_title), (ys, y_title) = scaled(_floats(table[x]), axis_title(x)), scaled(_floats(table[y]), axis_title(y))
        ok = np.isfinite(xs) & np.isfinite(ys)
        feasible = table["feasible"].to_numpy(bool)
        rows = np.flatnonzero(ok)
        self.points.setData([{"pos": (xs[i], ys[i]), "data": int(i), "brush": FEASIBLE_BRUSH if feasible[i] else INFEASIBLE_BRUSH,
                              "symbol": "o" if feasible[i] else "x"} for i in rows])
        front = self.front_rows()
        self.front_points.setData([{"pos": (xs[i], ys[i]), "data": i} for i in front])
        order = sorted(front, key=lambda i: (xs[i], ys[i]))
        self.front_line.setData(xs[order], ys[order]) if order else self.front_line.setData([], [])
        self.plot.setLabel("bottom", x_title)
        self.plot.setLabel("left", y_title)
        self.plot.getPlotItem().enableAutoRange()

    def _clicked(self, item, points, *args) -> None:
        if len(points):
            self.choose_row(int(points[0].data()))

    def choose_row(self, row: int) -> None:
        """Open design ``row`` of the table: emits :attr:`designChosen` with its mission data."""
        if self.outcome is None:
            return
        mission = self.outcome.mission_of(row)
        if mission is not None:
            self.designChosen.emit(mission)



def outcome_objectives(outcome) -> list[tuple[str, str]]:
    """(column, goal) of the study's objectives, named as the table's columns (a metric's name, or its path)."""
    loaded = getattr(outcome, "loaded", None)
    if loaded is None:
        return []
    study = loaded.study
    columns = {m.metric: m.column for m in study.metric_specs}
    return [(columns.get(o.metric, o.metric), o.goal) for o in study.objectives]


UNIT_SUFFIXES = {"_km": "km", "_deg": "deg", "_s": "s", "_ms": "ms", "_h": "h", "_min": "min", "_w": "W", "_wh": "Wh",
                 "_kg": "kg", "_m2": "m²", "_usd": "USD", "_percent": "%", "_pct": "%", "_gbps": "Gbit/s", "_mbps": "Mbit/s",
                 "_tops": "TOPS", "_m": "m", "_tb": "TB"}


def axis_title(column: str) -> str:
    """A readable axis title for a study column, unit in brackets.

    ``altitude_km`` -> ``altitude [km]``, ``coverage.mean_percent`` -> ``coverage mean [%]``,
    ``cost[*].constellation_usd`` -> ``cost constellation [USD]``.
    """
    parts = [p for p in re.sub(r"\[[^\]]*\]", "", column).split(".") if p]
    head, leaf = " ".join(parts[:-1]), (parts[-1] if parts else column)
    unit = ""
    for suffix in sorted(UNIT_SUFFIXES, key=len, reverse=True):
        if leaf.lower().endswith(suffix) and len(leaf) > len(suffix):
            leaf, unit = leaf[: -len(suffix)], f" [{UNIT_SUFFIXES[suffix]}]"
            break
    return f"{head} {leaf}".strip().replace("_", " ") + unit


def scaled(values: np.ndarray, title: str) -> tuple[np.ndarray, str]:
    """Money in k$, M$ or G$ (``8e+06 [USD]`` reads as ``8 [M$]``); other units as they are."""
    if not title.endswith("[USD]"):
        return values, title
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    for factor, unit in ((1e9, "G$"), (1e6, "M$"), (1e3, "k$")):
        if top >= factor:
            return values / factor, title[: -len("[USD]")] + f"[{unit}]"
    return values, title[: -len("[USD]")] + "[$]"


def _numeric(series) -> bool:
    return series.dtype.kind in "fiu" or (series.dtype == object and np.isfinite(_floats(series)).any())


def _floats(series) -> np.ndarray:
    out = np.full(len(series), np.nan)
    for k, v in enumerate(series):
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            pass
    return out

