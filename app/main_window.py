"""The main window: the globe in the centre, docks around it, menus and the status bar.

Docks have stable object names (``editorDock``, ``detailsDock``, ``mapDock``, ``budgetsDock``,
``plotsDock``, ``timeDock``) so the layout saved in QSettings is restored. The document changes
only through undo commands; :class:`~app.analysis_controller.AnalysisController` debounces every
change and recomputes it off the GUI thread, and the results come back as the frozen engine
``Results`` that every dock reads (:meth:`MainWindow.apply_results`). What the File menu does
lives in :class:`~app.file_actions.FileActions`, the menu bar in :mod:`app.menus`.

A new dock or plot is registered here, in ``MainWindow.__init__`` (docks: ``_add_dock`` or an
``install_*_dock(self)`` call; plots: one entry of the :class:`~app.plots.panel.PlotsPanel` list).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from app.analysis_controller import AnalysisController
from app.document import MissionDocument
from app.file_actions import APPLICATION, FileActions
from app.globe.canvas import GlobeView
from app.globe.gestures import install_globe_gestures
from app.globe.prepare import prepare_view
from app.globe.scale_feed import install_ephemeris_feed
from app.menus import build_menus
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
from app.workers import AnalysisRunner

ORGANIZATION = "StarNet"
__all__ = ["APPLICATION", "ORGANIZATION", "MainWindow", "dispose", "scrolled"]

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


class MainWindow(QMainWindow):
    """The application window for one :class:`~app.document.MissionDocument`.

    ``analysis`` (:class:`~app.analysis_controller.AnalysisController`) computes, ``files``
    (:class:`~app.file_actions.FileActions`) opens, saves and exports; ``results``, ``view_data``
    and ``preview`` are what the docks show now.
    """

    def __init__(self, doc: MissionDocument, settings: QSettings | None = None, autosave_path: Path | None = None,
                 restore_layout: bool = True, start: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.doc = doc
        self.settings = settings or QSettings(ORGANIZATION, APPLICATION)
        self.results = None
        self.view_data = None
        self.preview = False
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

        # -- status bar, computation, files
        self.analysis = AnalysisController(doc, self.apply_results, self.statusBar(), self)
        self.runner: AnalysisRunner = self.analysis.runner
        self.files = FileActions(self, self.settings, autosave_path)
        self.ephemeris_feed = install_ephemeris_feed(self)  # a large mission's orbits before its analysis

        # -- wiring
        doc.missionChanged.connect(self.analysis.mission_changed)
        doc.missionChanged.connect(self._mission_changed)
        doc.dirtyChanged.connect(lambda _d: self._update_title())
        doc.pathChanged.connect(self._update_title)
        self.timebar.timeChanged.connect(self.set_time)
        self.globe.satellitePicked.connect(self._on_pick)
        self.latency_plot.pairChanged.connect(self.globe.set_route_pair)
        self.study.designChosen.connect(self.open_design)
        self.welcome.presetChosen.connect(self.files.new_from_preset)
        self.tour = GuidedTour(self)
        self.welcome.tourRequested.connect(self.tour.start)
        self.tour.highlightRequested.connect(self.show_dock)
        self.study.set_mission(doc.mission, doc.base_dir)
        build_menus(self)

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
            QTimer.singleShot(0, self.analysis.recompute)

    # ------------------------------------------------------------------------------- layout
    def _add_dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
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

    # ------------------------------------------------------------------------------- results
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
        self.study.set_mission(self.doc.mission, self.doc.base_dir)
        self._update_title()

    @property
    def results_generation(self) -> int:
        """The generation of the results shown now (see :attr:`AnalysisRunner.generation`)."""
        return self.analysis.results_generation

    def apply_results(self, results, view=None, preview: bool = False) -> None:
        """Show new results in every dock (GUI thread; drawing only)."""
        if view is None:
            view = prepare_view(results)
        self.results = results
        self.view_data = view
        self.preview = preview
        eph = results.ephemeris
        self.analysis.count_label.setText(f"{eph.n_sat:,} satellites · {eph.n_time:,} epochs" + (" (preview)" if preview else ""))
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

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self.runner.cancel()
        self.files.close()  # an export the user asked for finishes before the window goes
        event.accept()

    def shutdown(self) -> None:
        """Stop the workers and release the GL canvas (tests, screenshots)."""
        self.analysis.stop()
        self.files.stop()
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
