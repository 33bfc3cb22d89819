"""The main window: the globe in the centre, docks around it, menus, status bar, files.

Docks have stable object names (``editorDock``, ``detailsDock``, ``mapDock``, ``budgetsDock``,
``plotsDock``, ``timeDock``) so the layout saved in QSettings is restored. The document changes
only through undo commands; every change is debounced and recomputed by the
:class:`~app.workers.AnalysisRunner` on a snapshot; the results come back as the frozen engine
``Results`` and every dock reads from them.
"""

from __future__ import annotations


import json
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QPoint, QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from app.document import MissionDocument, load_mission_file, mission_problems
from app.exports import ExportRunner
from app.globe.canvas import GlobeView
from app.globe.gestures import install_globe_gestures
from app.globe.prepare import prepare_view
from app.panels.budgets import BudgetsPanel
from app.panels.design_dock import install_design_dock
from app.panels.details import DetailsPanel
from app.panels.editor import ConstellationEditor
from app.panels.study_dock import TradeStudyDock
from app.panels.timebar import TimeBar
from app.panels.welcome import GuidedTour, WelcomePanel
from app.plots.coverage import CoveragePlot
from app.plots.delivered import DeliveredPlot, delivered_has_news
from app.plots.insight import InsightPlot
from app.plots.service_map import ServiceMapPlot, service_map_has_news
from app.plots.latency import LatencyPlot
from app.plots.map2d import MapPanel
from app.plots.map_gestures import install_map_gestures
from app.plots.panel import PlotsPanel
from app.plots.power import PowerPlot
from app.workers import AnalysisRunner, Computed

ORGANIZATION = "StarNet"
APPLICATION = "StarNet Studio"
MAX_RECENT = 8
DEBOUNCE_MS = 120
AUTOSAVE_MS = 60_000
FILE_FILTER = "Mission files (*.yaml *.yml *.json);;All files (*)"


COMPACT_BELOW = (1500, 900)
"""Window width and height (px) below which the docks are tabbed so that the globe keeps room."""


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: its dock can shrink below the widget's natural height."""
    area = QScrollArea()
    area.setObjectName(widget.objectName() + "Scroll" if widget.objectName() else "")
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


def autosave_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".starnet") / "autosave"


class MainWindow(QMainWindow):
    def __init__(self, doc: MissionDocument, settings: QSettings | None = None, autosave_path: Path | None = None,
                 restore_layout: bool = True, start: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.doc = doc
        self.settings = settings or QSettings(ORGANIZATION, APPLICATION)
        self.autosave_path = Path(autosave_path) if autosave_path else autosave_dir() / "autosave.yaml"
        self.results = None
        self.view_data = None
        self.preview = False
        self.problem_dialog: QMessageBox | None = None
        self.last_refresh_s: float | None = None
        self._edit_time: float | None = None
        self._requested_at = 0.0
        self.results_generation = 0

        # -- centre: the globe
        self.globe = GlobeView(self)
        self.globe.setObjectName("globe")
        self.setCentralWidget(self.globe)

        # -- docks
        self.editor = ConstellationEditor(doc, self)
        self.details = DetailsPanel(self)
        self.map = MapPanel(self)
        self.map_gestures = install_map_gestures(self.map, self.doc)
        self.globe_gestures = install_globe_gestures(self)
        self.budgets = BudgetsPanel(self)
        self.coverage_plot = CoveragePlot(self)
        self.latency_plot = LatencyPlot(self)
        self.power_plot = PowerPlot(self)
        self.insight_plot = InsightPlot(self)
        self.delivered_plot = DeliveredPlot(self)
        self.service_map = ServiceMapPlot(self)
        self.plots = PlotsPanel([("Coverage", self.coverage_plot), ("Latency", self.latency_plot),
                                 ("Battery", self.power_plot), ("Time to insight", self.insight_plot),
                                 ("Delivered compute", self.delivered_plot), ("Service map", self.service_map)], self)
        plots = self.plots
        self.timebar = TimeBar(self)
        self.docks: dict[str, QDockWidget] = {}
        self._add_dock("editorDock", "Constellation", scrolled(self.editor), Qt.DockWidgetArea.LeftDockWidgetArea)
        self._add_dock("detailsDock", "Satellite", scrolled(self.details), Qt.DockWidgetArea.LeftDockWidgetArea)
        self._add_dock("mapDock", "2D map", self.map, Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_dock("budgetsDock", "Budgets", self.budgets, Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_dock("plotsDock", "Plots", plots, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._add_dock("timeDock", "Time", self.timebar, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.docks["plotsDock"], self.docks["timeDock"], Qt.Orientation.Vertical)
        self.splitDockWidget(self.docks["editorDock"], self.docks["detailsDock"], Qt.Orientation.Vertical)
        self.splitDockWidget(self.docks["mapDock"], self.docks["budgetsDock"], Qt.Orientation.Vertical)
        # The trade study's scatter needs width and height: a tab beside the plots, not a corner.
        self.study = TradeStudyDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.study)
        self.tabifyDockWidget(self.docks["plotsDock"], self.study)
        self.docks[self.study.objectName()] = self.study
        self.welcome = WelcomePanel(self, settings=self.settings)
        self.welcome.setWidget(scrolled(self.welcome.widget()))
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.welcome)
        self.tabifyDockWidget(self.docks["budgetsDock"], self.welcome)
        self.docks[self.welcome.objectName()] = self.welcome
        self.design = install_design_dock(self)
        self.docks["budgetsDock"].raise_()
        self.docks["plotsDock"].raise_()
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._default_state = self.saveState()

        # -- status bar
        self.stage_label = QLabel("Ready", self)
        self.stage_label.setObjectName("stageLabel")
        # a long stage message is cut, never a reason for the window to grow
        self.stage_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("progressBar")
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(180)
        self.progress.setVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Cancel the computation (Esc)")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_computation)
        self.timing_label = QLabel("", self)
        self.timing_label.setObjectName("timingLabel")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("countLabel")
        sb = self.statusBar()
        sb.addWidget(self.stage_label, 1)
        sb.addPermanentWidget(self.count_label)
        sb.addPermanentWidget(self.timing_label)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)

        # -- exports, off the GUI thread
        self.exports = ExportRunner(self)
        self.exports.finished.connect(self.status)
        self.exports.failed.connect(self._export_failed)
        self.exports.cancelled.connect(lambda: self.status("Export cancelled; nothing was written"))

        # -- computation
        self.runner = AnalysisRunner(prepare_view, self)
        self.runner.started.connect(self._on_started)
        self.runner.progress.connect(self._on_progress)
        self.runner.computed.connect(self._on_computed)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        # Leading-edge debounce: the first edit of a burst is computed at once; edits that follow
        # within DEBOUNCE_MS are gathered and computed once when the burst ends.
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self._burst_ended)
        self._burst_pending = False

        # -- wiring
        doc.missionChanged.connect(self._mission_changed)
        doc.dirtyChanged.connect(lambda _d: self._update_title())
        doc.pathChanged.connect(self._update_title)
        self.timebar.timeChanged.connect(self.set_time)
        self.globe.satellitePicked.connect(self._on_pick)
        self.latency_plot.pairChanged.connect(self.globe.set_route_pair)
        self.study.designChosen.connect(self.open_design)
        self.welcome.presetChosen.connect(self.new_from_preset)
        self.tour = GuidedTour(self)
        self.welcome.tourRequested.connect(self.tour.start)
        self.tour.highlightRequested.connect(self.show_dock)
        self.study.set_mission(doc.mission, doc.base_dir)
        self._build_menus()

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

        self.compact = False
        self.resize(1600, 1000)
        self.apply_default_sizes()
        if restore_layout:
            self.restore_layout()
        self._update_title()
        if self.welcome.show_at_startup():
            self.welcome.raise_()
        else:
            self.welcome.hide()
        if start:  # the first analysis starts once the window is on screen, so it cannot delay it
            QTimer.singleShot(0, self.recompute)

    # ------------------------------------------------------------------------------- layout
    def _add_dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock

    def apply_default_sizes(self) -> None:
        d = self.docks
        if self.compact:
            w, h = self.width(), self.height()
            self.resizeDocks([d["editorDock"], d["mapDock"]], [max(312, w // 5), max(300, w // 4)], Qt.Orientation.Horizontal)
            self.resizeDocks([d["plotsDock"], d["timeDock"]], [max(170, int(h * 0.3)), 36], Qt.Orientation.Vertical)
            return
        self.resizeDocks([d["editorDock"], d["mapDock"]], [360, 400], Qt.Orientation.Horizontal)
        self.resizeDocks([d["plotsDock"], d["timeDock"]], [270, 36], Qt.Orientation.Vertical)
        self.resizeDocks([d["editorDock"], d["detailsDock"]], [600, 230], Qt.Orientation.Vertical)
        self.resizeDocks([d["mapDock"], d["budgetsDock"]], [290, 400], Qt.Orientation.Vertical)

    def fit_to(self, width_px: int, height_px: int) -> None:
        """Resize to exactly ``width_px`` x ``height_px`` and lay the docks out for that size.

        Below :data:`COMPACT_BELOW` the globe comes first: the left and right docks become tabs
        (Constellation | Satellite, 2D map | Budgets | Welcome | Design) and take
        less of the width.
        """
        self.resize(width_px, height_px)
        compact = width_px < COMPACT_BELOW[0] or height_px < COMPACT_BELOW[1]
        if compact and not self.compact:
            d = self.docks
            self.tabifyDockWidget(d["editorDock"], d["detailsDock"])
            for name in ("budgetsDock", "welcomeDock", "designDock"):  # every right-hand dock in one tab group
                if name in d:
                    self.tabifyDockWidget(d["mapDock"], d[name])
            d["editorDock"].raise_()
            d["mapDock"].raise_()
        self.compact = compact
        self.apply_default_sizes()

    def restore_layout(self) -> None:
        geo = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.setVisible(True)

    # ------------------------------------------------------------------------------- menus
    def _action(self, menu, text: str, slot, shortcut=None, name: str | None = None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if name:
            act.setObjectName(name)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu("&File")
        f.setObjectName("fileMenu")
        self.new_menu = f.addMenu("&New from preset")
        self.new_menu.setObjectName("newFromPresetMenu")
        self.new_menu.aboutToShow.connect(self._fill_new_menu)
        self._fill_new_menu()
        self._action(f, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open, "actionOpen")
        self._action(f, "&Save", self.save, QKeySequence.StandardKey.Save, "actionSave")
        self._action(f, "Save &As…", self.save_as_dialog, QKeySequence.StandardKey.SaveAs, "actionSaveAs")
        self.recent_menu = f.addMenu("&Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        export = f.addMenu("&Export")
        self._action(export, "Results (JSON)…", self.export_results_dialog, None, "actionExportJson")
        self._action(export, "Window picture (PNG)…", self.export_png_dialog, None, "actionExportPng")
        self._action(export, "CZML (Cesium)…", lambda: self.export_dialog("czml"), None, "actionExportCzml")
        self._action(export, "Report (PDF or HTML)…", self.export_report_dialog, None, "actionExportReport")
        self._action(export, "Data folder (CSV, OEM, OMM, TLE, GeoJSON)…", self.export_outputs_dialog, None, "actionExportData")
        f.addSeparator()
        self._action(f, "&Quit", self.close, QKeySequence.StandardKey.Quit, "actionQuit")

        e = bar.addMenu("&Edit")
        undo = self.doc.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.setObjectName("actionUndo")
        redo = self.doc.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        redo.setObjectName("actionRedo")
        e.addAction(undo)
        e.addAction(redo)
        e.addSeparator()
        self._action(e, "Recompute now", self.recompute, "F5", "actionRecompute")
        self._action(e, "Cancel computation", self.cancel_computation, "Esc", "actionCancel")

        v = bar.addMenu("&View")
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())
        v.addSeparator()
        orbits = self._action(v, "Orbit tracks", lambda on: self.globe.set_layer_visible("orbits", on), "O", "actionOrbits")
        orbits.setCheckable(True)
        orbits.setChecked(True)
        links = self._action(v, "Inter-satellite links", lambda on: self.globe.set_layer_visible("links", on), "L", "actionLinks")
        links.setCheckable(True)
        links.setChecked(True)
        self._action(v, "Play / pause", lambda: self.timebar.play(not self.timebar.is_playing()), "Space", "actionPlay")
        self._action(v, "Reset layout", self.reset_layout, None, "actionResetLayout")

        h = bar.addMenu("&Help")
        self._action(h, "About StarNet Studio", self.about, None, "actionAbout")
        self._action(h, "Keyboard shortcuts", self.shortcuts_help, "F1", "actionShortcuts")

    def _fill_new_menu(self) -> None:
        self.new_menu.clear()
        try:
            from core import api

            names = api.preset_names()
        except Exception:  # noqa: BLE001
            names = []
        for name in names:
            act = self.new_menu.addAction(name)
            act.triggered.connect(lambda _=False, n=name: self.new_from_preset(n))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for path in files:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _=False, p=path: self.open_file(Path(p)))
        self.recent_menu.setEnabled(bool(files))

    def recent_files(self) -> list[str]:
        value = self.settings.value("recentFiles", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path) -> None:
        files = [str(path.resolve())] + [f for f in self.recent_files() if f != str(path.resolve())]
        self.settings.setValue("recentFiles", files[:MAX_RECENT])

    # ------------------------------------------------------------------------------- dialogs
    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Unsaved-changes prompt (tests replace this method)."""
        return QMessageBox.question(self, APPLICATION, f"Save the changes to “{self.doc.title.rstrip(' *')}”?",
                                    QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                                    | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Open mission", str(self._dialog_dir()), FILE_FILTER)
        return path

    def ask_save_path(self, caption: str = "Save mission as", filt: str = FILE_FILTER, suffix: str = ".yaml") -> str:
        start = str(self.doc.path or (self._dialog_dir() / (self.doc.mission.name.replace(' ', '-').lower() + suffix)))
        path, _ = QFileDialog.getSaveFileName(self, caption, start, filt)
        return path

    def _dialog_dir(self) -> Path:
        return self.doc.base_dir or Path.cwd()

    def show_problems_dialog(self, source: str, lines: list[str]) -> QMessageBox:
        """The bad-file dialog: non-blocking, lists the validation messages."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Cannot open mission",
                          f"“{Path(source).name}” is not a valid mission file; nothing was changed.", QMessageBox.StandardButton.Ok, self)
        box.setObjectName("badFileDialog")
        box.setInformativeText("\n".join(lines[:12]) + ("\n…" if len(lines) > 12 else ""))
        box.setDetailedText("\n".join(lines))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.problem_dialog = box
        box.open()
        return box

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document."""
        if not self.doc.is_dirty:
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # ------------------------------------------------------------------------------- files
    def new_from_preset(self, name: str) -> bool:
        if not self.maybe_save():
            return False
        from core import api

        self._start_over(api.load_preset(name), None)
        self.status(f"New mission from preset “{name}”")
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path = self.ask_open_path()
        return self.open_file(Path(path), ask=False) if path else False

    def open_file(self, path: Path, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            mission = load_mission_file(path)
        except Exception as err:  # noqa: BLE001 - MissionError and friends: shown, nothing changes
            self.show_problems_dialog(str(path), mission_problems(err))
            return False
        self._start_over(mission, path)
        self._add_recent(path)
        self.status(f"Opened {path}")
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as_dialog()
        return self._save_to(self.doc.path)

    def save_as_dialog(self) -> bool:
        path = self.ask_save_path()
        return self._save_to(Path(path)) if path else False

    def _save_to(self, path: Path) -> bool:
        try:
            self.doc.save(path)
        except Exception as err:  # noqa: BLE001
            QMessageBox.critical(self, "Save failed", f"Could not save {path}:\n{err}")
            return False
        self._add_recent(path)
        self.status(f"Saved {path}")
        self.autosave_path.unlink(missing_ok=True)
        return True

    def autosave(self) -> Path | None:
        """Write the unsaved document to the autosave file (recovered after a crash)."""
        if not self.doc.is_dirty:
            return None
        from core import api

        self.autosave_path.parent.mkdir(parents=True, exist_ok=True)
        api.save_mission(self.doc.mission, self.autosave_path)
        meta = {"original": str(self.doc.path) if self.doc.path else None, "saved_at": time.time()}
        self.autosave_path.with_suffix(".json").write_text(json.dumps(meta))
        return self.autosave_path

    def export_results_dialog(self) -> None:
        if self.results is None:
            return
        path = self.ask_save_path("Export results", "JSON (*.json)", ".json")
        if path:
            from core import api

            results = self.results
            self._export("Writing the results (JSON)",
                         lambda p: p.write_text(json.dumps(api.results_document(results), indent=2)),
                         Path(path), f"Results written to {path}")

    def export_png_dialog(self) -> None:
        path = self.ask_save_path("Export picture", "PNG (*.png)", ".png")
        if path:
            self.picture().save(path)
            self.status(f"Picture written to {path}")

    def picture(self) -> QPixmap:
        """The whole window as shown, the globe included (its native GL window escapes ``grab()``)."""
        pixmap = self.grab()
        container = self.globe.container
        if container.isVisible():
            top_left = container.mapTo(self, QPoint(0, 0))
            painter = QPainter(pixmap)
            painter.drawImage(top_left, self.globe.grab_image())
            painter.end()
        return pixmap

    def export_dialog(self, kind: str) -> None:
        if self.results is None:
            return
        path = self.ask_save_path(f"Export {kind.upper()}", f"{kind.upper()} (*.{kind})", f".{kind}")
        if not path:
            return
        from core.export.czml import write_czml

        results = self.results
        self._export("Writing the CZML", lambda p: write_czml(results, p), Path(path), f"CZML written to {path}")

    def export_report_dialog(self) -> None:
        if self.results is None:
            return
        path = self.ask_save_path("Export report", "PDF (*.pdf);;HTML (*.html)", ".pdf")
        if not path:
            return
        from core.export.report import write_report

        results = self.results
        self._export("Writing the report", lambda p: write_report(results, p), Path(path), f"Report written to {path}")

    def export_outputs_dialog(self) -> None:
        if self.results is None:
            return
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, "Export data into a new folder")
        if not folder:
            return
        from core.export.commands import write_outputs

        target = Path(folder) / f"{Path(self.doc.path).stem if self.doc.path else 'mission'}-exports"
        results = self.results
        self._export("Writing the data folder", lambda p: write_outputs(results, p), target, f"Data written to {target}")

    def _export(self, label: str, write, target: Path, done_message: str) -> bool:
        """Run one export from the shown results on a worker thread (progress, cancel); problems become a dialog."""
        if not self.exports.start(label, write, target, done_message):
            self.status("An export is still running; wait for it or cancel it")
            return False
        self.status(f"{label}…")
        return True

    def _export_failed(self, message: str) -> None:
        self.status("Export failed")
        QMessageBox.warning(self, "Export", f"The export failed: {message}")

    # ------------------------------------------------------------------------------- compute
    def show_dock(self, name: str) -> None:
        """Show and raise a dock by object name (the guided tour points at docks this way)."""
        dock = self.docks.get(name)
        if dock is not None:
            dock.show()
            dock.raise_()

    def open_design(self, data: dict) -> None:
        """Make a design picked in the trade study the open mission (one undoable edit)."""
        try:
            self.doc.replace_data(data, "Open design from trade study")
        except Exception as err:  # noqa: BLE001 - an invalid design is shown, not raised
            QMessageBox.warning(self, "Trade study", f"That design cannot be opened: {err}")

    def _mission_changed(self) -> None:
        self._edit_time = time.perf_counter()
        if self.debounce.isActive():
            self._burst_pending = True
            self.debounce.start()
        else:
            self.recompute()
            self.debounce.start()
        self.study.set_mission(self.doc.mission, self.doc.base_dir)
        self._update_title()

    def _start_over(self, mission, path: Path | None) -> None:
        """Replace the document (open / new): its reset computes the new mission once, at once.

        The edit burst of the old mission is dropped first, so the reset is not held back and
        no second run follows when the burst would have ended.
        """
        self.debounce.stop()
        self._burst_pending = False
        self.doc.reset(mission, path)

    def _burst_ended(self) -> None:
        if self._burst_pending:
            self._burst_pending = False
            self.recompute()

    def recompute(self) -> int:
        self._requested_at = time.perf_counter()
        return self.runner.submit(self.doc.snapshot(), self.doc.base_dir)

    def cancel_computation(self) -> None:
        if self.runner.is_running():
            self.runner.cancel()
            self.stage_label.setText("Cancelling…")

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
        self.apply_results(c.results, c.view, c.preview)
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
            self.stage_label.setText(f"Computed in {c.elapsed_s:.2f} s — {parts}" if parts else f"Computed in {c.elapsed_s:.2f} s")
            self.progress.setVisible(False)
            self.cancel_button.setVisible(False)

    def _on_failed(self, gen: int, message: str) -> None:
        if gen == self.runner.generation:
            self.stage_label.setText(f"Analysis failed: {message}")
            self.progress.setVisible(False)
            self.cancel_button.setVisible(False)

    def _on_cancelled(self, gen: int) -> None:
        if gen == self.runner.generation:
            self.stage_label.setText("Computation cancelled")
            self.progress.setVisible(False)
            self.cancel_button.setVisible(False)

    def apply_results(self, results, view=None, preview: bool = False) -> None:
        """Show new results in every dock (GUI thread; drawing only)."""
        if view is None:
            view = prepare_view(results)
        self.results = results
        self.view_data = view
        self.preview = preview
        eph = results.ephemeris
        self.count_label.setText(f"{eph.n_sat:,} satellites · {eph.n_time:,} epochs" + (" (preview)" if preview else ""))
        self.globe.set_view(view)
        self.map.set_view(view)
        self.plots.show_only([title for title, plot in self.plots.all_plots
                              if (plot is not self.delivered_plot or delivered_has_news(results))
                              and (plot is not self.service_map or service_map_has_news(results))])
        for _title, plot in self.plots.all_plots:
            plot.set_results(results)
            plot.mark_preview(preview)
        self.budgets.set_results(results)
        self.editor.engine_ready()
        self.globe.route_pair = max(self.latency_plot.pair.currentIndex(), 0)
        self.timebar.set_window(float(eph.time.duration_s), eph.time)

    # ------------------------------------------------------------------------------- time
    def set_time(self, t: float) -> None:
        self.globe.set_time(t)
        self.map.set_time(t)
        for p in (self.coverage_plot, self.latency_plot):
            p.set_time(t)
        if self.details.sat is not None:
            self.details.show_satellite(self.view_data, self.details.sat, t)

    def _on_pick(self, sat: int) -> None:
        sat_or_none = sat if sat >= 0 else None
        self.details.show_satellite(self.view_data, sat_or_none, self.timebar.current)
        self.map.select(sat_or_none)
        self.map.set_time(self.timebar.current)
        if sat_or_none is not None and self.view_data is not None:
            self.status(f"Selected {self.view_data.results.ephemeris.names[sat]}")

    def select_satellite(self, sat: int | None) -> None:
        self.globe.select(sat)
        self._on_pick(-1 if sat is None else sat)

    # ------------------------------------------------------------------------------- misc
    def status(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    def _update_title(self) -> None:
        name = self.doc.path.name if self.doc.path else (self.doc.mission.name or "untitled")
        self.setWindowTitle(f"{name}[*] — {APPLICATION}")
        self.setWindowModified(self.doc.is_dirty)

    def about(self) -> None:
        from core import __version__

        QMessageBox.about(self, APPLICATION, f"<b>{APPLICATION}</b> {__version__}<br>Design computing constellations.<br>"
                          "Earth imagery: NASA Earth Observatory / Blue Marble Next Generation.")

    def shortcut_lines(self) -> list[str]:
        """``"Ctrl+O  Open"`` for every menu action that has a shortcut: the list cannot name an unbound key."""
        lines = []
        for act in self.findChildren(QAction):
            keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and act.text():
                lines.append(f"{keys}\t{act.text().replace('&', '').rstrip('…')}")
        return sorted(set(lines))

    def shortcuts_help(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", "\n".join(self.shortcut_lines())
                                + "\n\nMouse: drag to rotate, wheel to zoom, click a satellite to select it")

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self.runner.cancel()
        self.exports.wait()  # an export the user asked for finishes before the window goes
        self.autosave_timer.stop()
        self.autosave_path.unlink(missing_ok=True)
        self.autosave_path.with_suffix(".json").unlink(missing_ok=True)
        event.accept()


    def shutdown(self) -> None:
        """Stop the workers and release the GL canvas (tests, screenshots)."""
        self.runner.cancel()
        self.runner.wait(120)
        self.exports.cancel()
        self.exports.wait()
        self.autosave_timer.stop()
        self.debounce.stop()
        self.timebar.play(False)
        self.doc.undo_stack.setClean()
        self.doc._force_dirty = False  # noqa: SLF001 - closing without saving
        self.close()
        self.globe.canvas.close()
        dispose(self)


def dispose(window: QWidget) -> None:
    """Delete ``window`` and everything in it now, while Python is fully alive.

    Left to the end of the process, PySide deletes the widgets Python owns during interpreter
    shutdown, and a pyqtgraph item's destructor can then call back into Python and crash.
    """
    window.deleteLater()
    QCoreApplication.sendPostedEvents(window, QEvent.Type.DeferredDelete)


def dark_palette(app: QApplication) -> None:
    """A dark Fusion theme with readable contrast."""
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    p = QPalette()
    base, window, text = QColor("#1c1e24"), QColor("#24272e"), QColor("#dde1e8")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, window)
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#30343c"))
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, QColor("#2c3038"))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor("#ff6b6b"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#3d7bd9"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#7d8590"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b717c"))
    app.setPalette(p)
    app.setStyleSheet("QDockWidget::title { background: #2c3038; padding: 4px; font-weight: bold; }"
                      "QStatusBar { color: #b8bec9; }")
