"""Pictures of the main window, checked the way a person looks at them.

Three presets at 1280x720 (a laptop) and 1920x1080: the picture is exactly the size asked for,
no dock's content is cut off (what does not fit scrolls), every plot's data lies inside its view
box, titles and legends fit inside their plot, and the coverage plot keeps both axes. The PNGs
are kept in ``build/screenshots/`` (a CI artefact; the folder is ignored by git).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.gui, pytest.mark.visual]

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PRESETS = ["default", "starlink-shell-1", "ada-star-compute"]
SIZES = [(1280, 720), (1920, 1080)]
SLACK_PX = 1


@pytest.fixture(scope="module")
def results_of():
    """The analysis of each preset over a short window (the pictures test layout, not physics)."""
    from app.workers import run_analysis
    from core import api

    cache: dict = {}

    def get(preset: str):
        if preset not in cache:
            m = api.load_preset(preset)
            m = m.model_copy(update={"analysis": m.analysis.model_copy(update={"duration_s": 4 * 3600.0, "step_s": 120.0,
                                                                               "coverage_grid_deg": 5.0})})
            cache[preset] = run_analysis(m, None)
        return cache[preset]

    return get


def _visible_docks(window):
    return [d for d in window.docks.values() if d.isVisible() and not d.visibleRegion().isEmpty()]


def clipped_widgets(window) -> list[str]:
    """Widgets inside a shown dock that reach outside it, or outside a scroll area with no scroll bar for it."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractScrollArea, QWidget

    problems = []
    for dock in _visible_docks(window):
        body = dock.widget()
        frame = QRect(QPoint(0, 0), dock.size())
        for w in [body, *body.findChildren(QWidget)]:
            if not w.isVisible() or w.isWindow():
                continue
            area = _enclosing_scroll_area(w, body)
            rect = QRect(w.mapTo(dock, QPoint(0, 0)), w.size())
            if area is None:
                if not frame.adjusted(-SLACK_PX, -SLACK_PX, SLACK_PX, SLACK_PX).contains(rect):
                    problems.append(f"{dock.objectName()}: {type(w).__name__} {w.objectName()!r} {rect.getRect()} outside {frame.getRect()}")
                continue
            view = QRect(area.viewport().mapTo(dock, QPoint(0, 0)), area.viewport().size())
            wide = rect.left() < view.left() - SLACK_PX or rect.right() > view.right() + SLACK_PX
            tall = rect.top() < view.top() - SLACK_PX or rect.bottom() > view.bottom() + SLACK_PX
            if (wide and not area.horizontalScrollBar().isVisible()) or (tall and not area.verticalScrollBar().isVisible()):
                problems.append(f"{dock.objectName()}: {type(w).__name__} {w.objectName()!r} cut by its scroll area")
            if isinstance(w, QAbstractScrollArea):
                continue
    return problems


def cut_cells(window) -> list[str]:
    """Table cells and column headers in a shown dock whose text is wider than the column."""
    from PySide6.QtWidgets import QTableWidget

    problems = []
    for dock in _visible_docks(window):
        for table in dock.findChildren(QTableWidget):
            if not table.isVisible():
                continue
            metrics = table.fontMetrics()
            for c in range(table.columnCount()):
                room = table.columnWidth(c) - 6
                head = table.horizontalHeaderItem(c)
                texts = [head.text()] if head is not None else []
                texts += [table.item(r, c).text() for r in range(table.rowCount()) if table.item(r, c) is not None]
                for text in texts:
                    # a table that wraps cuts nothing as long as each word fits (rows grow to their text)
                    pieces = text.split() if table.wordWrap() else text.splitlines()
                    for piece in pieces:
                        if metrics.horizontalAdvance(piece) > room + 8:  # the header's bold/sort margin
                            problems.append(f"{dock.objectName()}: {table.objectName()} column {c}: {piece!r} cut")
                for r in range(table.rowCount()):
                    item = table.item(r, c)
                    if item is not None and table.wordWrap():
                        lines = max(1, -(-metrics.horizontalAdvance(item.text()) // max(room, 1)))
                        if table.rowHeight(r) < lines * metrics.lineSpacing():
                            problems.append(f"{dock.objectName()}: {table.objectName()} row {r}: {item.text()!r} taller than its row")
    return problems


def _enclosing_scroll_area(w, stop):
    from PySide6.QtWidgets import QAbstractItemView, QScrollArea

    p = w.parentWidget()
    while p is not None and p is not stop.parentWidget():
        if isinstance(p, QScrollArea) and p.widget() is not None and (p.widget() is w or p.widget().isAncestorOf(w)):
            return p
        if isinstance(p, QAbstractItemView) and p.viewport().isAncestorOf(w):
            return p
        p = p.parentWidget()
    return None


def plot_problems(plot_widget, name: str) -> list[str]:
    """Data outside the view box, a title or legend that does not fit, an axis cut by the widget."""
    import pyqtgraph as pg

    item = plot_widget.getPlotItem()
    vb = item.vb
    (x0, x1), (y0, y1) = vb.viewRange()
    problems = []
    for data in vb.addedItems:
        if not isinstance(data, (pg.PlotDataItem, pg.PlotCurveItem, pg.ScatterPlotItem)) or not data.isVisible():
            continue
        xs, ys = _xy(data)
        ok = np.isfinite(xs) & np.isfinite(ys)
        if not ok.any():
            continue
        xs, ys = xs[ok], ys[ok]
        tol_x, tol_y = 1e-6 * max(1.0, x1 - x0), 1e-6 * max(1.0, y1 - y0)
        if xs.min() < x0 - tol_x or xs.max() > x1 + tol_x or ys.min() < y0 - tol_y or ys.max() > y1 + tol_y:
            problems.append(f"{name}: data x {xs.min():.3g}..{xs.max():.3g}, y {ys.min():.3g}..{ys.max():.3g} "
                            f"outside view x {x0:.3g}..{x1:.3g}, y {y0:.3g}..{y1:.3g}")
    if not plot_widget.isVisible():
        return problems
    scene = plot_widget.viewport().rect()
    view_rect = plot_widget.mapFromScene(vb.sceneBoundingRect()).boundingRect()
    if not scene.adjusted(-SLACK_PX, -SLACK_PX, SLACK_PX, SLACK_PX).contains(view_rect):
        problems.append(f"{name}: view box {view_rect.getRect()} cut by the widget {scene.getRect()}")
    title = item.titleLabel
    if title.isVisible() and title.item.boundingRect().width() > title.boundingRect().width() + SLACK_PX:
        problems.append(f"{name}: title {title.text!r} wider than its plot")
    legend = getattr(item, "legend", None)
    if legend is not None and legend.isVisible() and legend.items:
        rect = plot_widget.mapFromScene(legend.sceneBoundingRect()).boundingRect()
        if not scene.adjusted(-SLACK_PX, -SLACK_PX, SLACK_PX, SLACK_PX).contains(rect):
            problems.append(f"{name}: legend {rect.getRect()} cut by the widget {scene.getRect()}")
        if legend.sceneBoundingRect().intersects(vb.sceneBoundingRect().adjusted(1, 1, -1, -1)):
            problems.append(f"{name}: legend over the data")
    for axis_name in ("left", "bottom", "right"):
        axis = item.getAxis(axis_name)
        if axis.isVisible():
            rect = plot_widget.mapFromScene(axis.sceneBoundingRect()).boundingRect()
            if not scene.adjusted(-SLACK_PX, -SLACK_PX, SLACK_PX, SLACK_PX).contains(rect):
                problems.append(f"{name}: {axis_name} axis {rect.getRect()} cut by the widget {scene.getRect()}")
    return problems


def _xy(data):
    if hasattr(data, "getData"):
        xs, ys = data.getData()
    else:
        xs, ys = data.xData, data.yData
    xs = np.asarray([] if xs is None else xs, float)
    ys = np.asarray([] if ys is None else ys, float)
    if xs.size == ys.size + 1:  # a histogram: edges on x
        xs = np.r_[xs[:-1], xs[1:]]
        ys = np.r_[ys, ys]
    return xs, ys


@pytest.mark.parametrize("preset", PRESETS)
def test_main_window_pictures(preset, results_of, tmp_path):
    from app.document import MissionDocument
    from app.main import make_app, picture_window, show_for_picture

    app = make_app()
    results = results_of(preset)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        window = picture_window(MissionDocument(results.mission, None), (width, height), tmp_path / f"{width}")
        try:
            show_for_picture(window, results, 3600.0)
            picture = window.picture()
            picture.save(str(SHOTS / f"{preset}-{width}x{height}.png"))
            where = f"{preset} at {width}x{height}"
            assert (picture.width(), picture.height()) == (width, height), where
            assert (window.width(), window.height()) == (width, height), where
            assert clipped_widgets(window) == [], where
            assert cut_cells(window) == [], where
            cramped = [name for name, dock in window.docks.items()
                       if name != "timeDock" and dock.isVisible() and not dock.visibleRegion().isEmpty() and dock.height() < 120]
            assert cramped == [], f"{where}: docks squeezed below 120 px: {cramped}"  # a dock must show its content
            assert window.editor.form.fields["raan0_deg"].text() != "—", where  # an LTAN's RAAN is shown once computed
            problems = []
            for _title, plot in window.plots.plots:
                problems += plot_problems(plot.widget, plot.objectName())
            problems += plot_problems(window.map.widget, "map")
            assert problems == [], where
            cov = window.coverage_plot
            if cov.isVisible():
                assert cov.plot.getAxis("right").isVisible(), where  # satellites in view keep their axis
            globe = window.globe.container
            assert globe.width() * globe.height() >= 0.25 * width * height, f"{where}: the globe is {globe.size().toTuple()}"
        finally:
            window.shutdown()
            app.processEvents()
