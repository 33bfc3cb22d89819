"""The service map: p50 response time of the ground users' requests, per ground cell, in ms.

Reads ``results.service`` (:class:`core.analysis.service.ServiceResult`): ``cell_p50_ms`` on the
engine's grid (``lat_edges_deg`` / ``lon_edges_deg``, :data:`core.analysis.service.CELL_DEG`
degrees), ``cell_status`` (unreachable cells are crossed out in red), ``place_lat_deg`` /
``place_lon_deg`` (the places with demand, small dots) and ``served_fraction`` (in the title).
Nothing is recomputed here; cells without demand are left clear. The served fraction over time
is drawn by the delivered-compute plot (:mod:`app.plots.delivered`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.plots.base import set_title, style_plot
from app.plots.map2d import _texture
from core.analysis.service import CELL_EMPTY, CELL_SERVED

UNREACHABLE_PEN = pg.mkPen("#ff4d4d", width=2)


def service_map_has_news(results) -> bool:
    """The map is shown only for a mission with a ``service`` section."""
    return getattr(results, "service", None) is not None


def service_map_image(results) -> tuple[np.ndarray, tuple[float, float]] | None:
    """(p50 ms per cell, transposed for pyqtgraph: x = longitude; colour levels) or None."""
    svc = getattr(results, "service", None)
    if svc is None:
        return None
    p50 = np.asarray(svc.cell_p50_ms, dtype=float)
    finite = p50[np.isfinite(p50)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return np.ascontiguousarray(p50.T), (lo, hi if hi > lo else lo + 1.0)


class ServiceMapPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("serviceMapPlotPanel")
        self.widget = pg.PlotWidget(self)
        self.widget.setObjectName("serviceMapPlot")
        self.plot = self.widget.getPlotItem()
        style_plot(self.plot, "Service: p50 response time", "latitude [deg]", "longitude [deg]", None)
        self.plot.setAspectLocked(True)
        earth = pg.ImageItem(_texture())
        earth.setRect(pg.QtCore.QRectF(-180, -90, 360, 180))
        earth.setOpacity(0.6)
        self.plot.addItem(earth)
        self.heat = pg.ImageItem()
        self.heat.setOpacity(0.85)
        self.heat.setZValue(1)
        self.plot.addItem(self.heat)
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("plasma"), width=10, interactive=False, label="p50 response [ms]")
        self.colorbar.setImageItem(self.heat, insert_in=self.plot)
        self.unreachable = pg.ScatterPlotItem(size=9, symbol="x", pen=UNREACHABLE_PEN, brush=pg.mkBrush("#ff4d4d"))
        self.unreachable.setZValue(3)
        self.plot.addItem(self.unreachable)
        self.places = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(255, 255, 255, 200))
        self.places.setZValue(2)
        self.plot.addItem(self.places)
        self.plot.vb.setRange(xRange=(-180, 180), yRange=(-90, 90), padding=0.01)
        self.widget.setMinimumWidth(120)
        self.setMinimumWidth(120)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget)

    def set_results(self, results) -> None:
        """Draw the engine's service map, or clear it when the mission serves no ground users."""
        drawn = service_map_image(results) if results is not None else None
        if drawn is None:
            self.heat.clear()
            self.unreachable.clear()
            self.places.clear()
            set_title(self.plot, "Service map: no service section")
            return
        svc = results.service
        image, levels = drawn
        lat_e, lon_e = svc.lat_edges_deg, svc.lon_edges_deg
        self.heat.setImage(image, levels=levels)
        self.heat.setRect(pg.QtCore.QRectF(lon_e[0], lat_e[0], lon_e[-1] - lon_e[0], lat_e[-1] - lat_e[0]))
        self.colorbar.setLevels(levels)
        i, j = np.nonzero((svc.cell_status != CELL_EMPTY) & (svc.cell_status != CELL_SERVED))
        self.unreachable.setData(lon_e[j] + svc.cell_deg / 2.0, lat_e[i] + svc.cell_deg / 2.0)
        self.places.setData(np.asarray(svc.place_lon_deg, float), np.asarray(svc.place_lat_deg, float))
        extra = f", {i.size} unreachable" if i.size else ""
        set_title(self.plot, f"Service: p50 response per {svc.cell_deg:g}° cell [ms] · served {100 * svc.served_fraction:.0f} %{extra}")

    def mark_preview(self, on: bool) -> None:
        """Say in the title that the quick (coarse) pass is shown; the full analysis follows."""
        self.plot.starnet_preview = on
        set_title(self.plot, getattr(self.plot, "starnet_title", ""))
