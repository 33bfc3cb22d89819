"""Shared pieces of the pyqtgraph docks: dark styling, a time cursor, persistent curves."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

pg.setConfigOptions(background="#17191e", foreground="#c8ccd4", antialias=True)

CURSOR_PEN = pg.mkPen("#ffd34d", width=1.5)
AXIS_FONT_PX = 11


def set_title(plot: pg.PlotItem, text: str) -> None:
    """Set a plot's title without letting a long title widen the plot beyond its dock.

    pyqtgraph gives the title label a minimum width equal to its text, which makes the scene
    wider than the view and clips the right of the plot; the text may be cut instead.
    """
    plot.starnet_title = text
    preview = "<i style='color:#e0b050'>preview</i> · " if getattr(plot, "starnet_preview", False) else ""
    plot.setTitle(f"<span style='font-size:9pt'>{preview}{text}</span>")
    plot.titleLabel.setMinimumWidth(0)
    plot.titleLabel.setMaximumWidth(10_000)


def style_plot(plot: pg.PlotItem, title: str, left: str, bottom: str = "time from epoch", bottom_units: str = "h") -> None:
    set_title(plot, title)
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom, units=None if bottom_units is None else bottom_units)
    plot.showGrid(x=True, y=True, alpha=0.18)
    for name in ("left", "bottom", "right"):
        ax = plot.getAxis(name)
        font = ax.label.font()
        font.setPixelSize(AXIS_FONT_PX)
        ax.setTickFont(font)
        ax.label.setFont(font)


class TimePlot(QWidget):
    """A plot over the analysis window (x in hours) with a cursor at the current time."""

    def __init__(self, title: str, left: str, parent: QWidget | None = None, object_name: str = ""):
        super().__init__(parent)
        self.widget = pg.PlotWidget(self)
        if object_name:
            self.widget.setObjectName(object_name)
            self.setObjectName(object_name + "Panel")
        self.plot = self.widget.getPlotItem()
        style_plot(self.plot, title, left)
        # The legend is a row under the plot, never over its data.
        self.legend = pg.LegendItem(colCount=3, labelTextSize="8pt", horSpacing=4, verSpacing=-10)
        self.legend.layout.setContentsMargins(0, 0, 0, 0)
        self.plot.layout.addItem(self.legend, 4, 1)
        self.plot.legend = self.legend  # curves given a ``name`` join it
        self.cursor = pg.InfiniteLine(pos=0.0, angle=90, movable=False, pen=CURSOR_PEN)
        self.cursor.setZValue(100)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.widget.setMinimumWidth(120)
        self.setMinimumWidth(120)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget)

    def set_time(self, t_s: float) -> None:
        self.cursor.setPos(t_s / 3600.0)

    def mark_preview(self, on: bool) -> None:
        """Say in the title that the quick (coarse) pass is shown; the full analysis follows."""
        self.plot.starnet_preview = on
        set_title(self.plot, getattr(self.plot, "starnet_title", ""))
