"""The 2-D map: Earth texture, satellites now, the selected satellite's ground track, and the
coverage fraction or the longest revisit gap per grid cell as a heat map.

Reads ``results.coverage``: ``grid.lat_edges_deg``/``lon_edges_deg``, ``cell_coverage_fraction``,
``cell_max_gap_s``, ``cell_mean_revisit_s``; positions from the prepared view (``geodetic_at``, ``track_deg``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.plots.base import style_plot
from app.plots.map_sample import MapSample, MapSampleBuilder

TEXTURE = Path(__file__).resolve().parents[2] / "resources" / "textures" / "earth_1024x512.jpg"
LAYERS = [("none", "Earth only"), ("fraction", "Coverage [% of time]"), ("gap", "Longest gap [h]"), ("revisit", "Mean revisit [min]")]


def _texture() -> np.ndarray:
    try:
        from PIL import Image

        img = np.asarray(Image.open(TEXTURE).convert("RGB"))
    except Exception:  # noqa: BLE001
        img = np.full((180, 360, 3), 40, np.uint8)
    # pyqtgraph ImageItem: axis 0 is x; flip rows so that north is up with y increasing upwards
    return np.ascontiguousarray(np.transpose(img[::-1], (1, 0, 2)))


class MapPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.widget = pg.PlotWidget(self)
        self.widget.setObjectName("mapPlot")
        self.plot = self.widget.getPlotItem()
        style_plot(self.plot, "Ground tracks and coverage", "latitude [deg]", "longitude [deg]", None)
        # Equal degrees on both axes, and the whole world in view whatever the dock's shape: the
        # spare room goes to the margins (a limit on x would make the aspect lock cut the poles).
        self.plot.setAspectLocked(True)
        self.plot.setLimits(minXRange=1.0, minYRange=1.0)
        self.user_zoomed = False
        self.plot.vb.sigRangeChangedManually.connect(self._zoomed)
        self.plot.vb.sigResized.connect(lambda *_: self.show_world() if not self.user_zoomed else None)
        self.earth = pg.ImageItem(_texture())
        self.earth.setRect(pg.QtCore.QRectF(-180, -90, 360, 180))
        self.earth.setOpacity(0.85)
        self.plot.addItem(self.earth)
        self.heat = pg.ImageItem()
        self.heat.setOpacity(0.55)
        self.heat.setZValue(1)
        self.plot.addItem(self.heat)
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), width=10, interactive=False)
        self.colorbar.setImageItem(self.heat, insert_in=self.plot)
        self.colorbar.setVisible(False)
        self.track = self.plot.plot([], [], pen=pg.mkPen("#ffffff", width=1.5))
        self.track.setZValue(3)
        self.sats = pg.ScatterPlotItem(size=3.5, pen=None, brush=pg.mkBrush(120, 210, 255, 230), pxMode=True)
        self.sats.setZValue(2)
        self.plot.addItem(self.sats)
        self.sel = pg.ScatterPlotItem(size=11, pen=pg.mkPen("#ffffff", width=2), brush=None, symbol="o")
        self.sel.setZValue(4)
        self.plot.addItem(self.sel)
        self.ground = pg.ScatterPlotItem(size=8, symbol="t1", pen=pg.mkPen("k"), brush=pg.mkBrush("#ffd84d"))
        self.ground.setZValue(3)
        self.plot.addItem(self.ground)
        self.show_world()
        self.layer = QComboBox(self)
        self.layer.setObjectName("mapLayer")
        for key, label in LAYERS:
            self.layer.addItem(label, key)
        self.layer.setCurrentIndex(1)
        self.layer.currentIndexChanged.connect(lambda _i: self._draw_heat())
        top = QHBoxLayout()
        top.addWidget(QLabel("Heat map", self))
        top.addWidget(self.layer, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.widget, 1)
        self.view = None
        self.selected: int | None = None
        self._last_index = -1
        self.samples = MapSampleBuilder(self)  # a large run's dots, off the GUI thread
        self.samples.ready.connect(self._show_sample, Qt.ConnectionType.QueuedConnection)  # always on the GUI thread

    def show_world(self) -> None:
        """Longitude -180..180 and latitude -90..90 in view (Svalbard and the SSO poles included)."""
        self.user_zoomed = False
        self.plot.vb.setRange(xRange=(-180, 180), yRange=(-90, 90), padding=0.01)

    def _zoomed(self, *_) -> None:
        self.user_zoomed = True

    def mouseDoubleClickEvent(self, event) -> None:
        self.show_world()
        super().mouseDoubleClickEvent(event)

    def set_view(self, view) -> None:
        self.view = view
        self._last_index = -1
        self._draw_heat()
        g = [p for p in view.ground if p.kind == "station"] if view is not None else []
        self.ground.setData([p.lon_deg for p in g], [p.lat_deg for p in g])
        self._draw_track()

    def _draw_heat(self) -> None:
        key = self.layer.currentData()
        cov = getattr(self.view.results, "coverage", None) if self.view is not None else None
        if cov is None or key == "none":
            self.heat.clear()
            self.colorbar.setVisible(False)
            return
        if key == "fraction":
            data, levels = 100.0 * np.asarray(cov.cell_coverage_fraction, float), (0, 100)
        elif key == "gap":
            data = np.asarray(cov.cell_max_gap_s, float) / 3600.0
            levels = (0, max(float(np.nanmax(data)) if np.isfinite(data).any() else 1.0, 1e-3))
        else:
            data = np.asarray(cov.cell_mean_revisit_s, float) / 60.0
            levels = (0, max(float(np.nanmax(data)) if np.isfinite(data).any() else 1.0, 1e-3))
        grid = cov.grid
        lat_e, lon_e = np.asarray(grid.lat_edges_deg), np.asarray(grid.lon_edges_deg)
        self.heat.setImage(np.ascontiguousarray(data.T), levels=levels)
        self.heat.setRect(pg.QtCore.QRectF(lon_e[0], lat_e[0], lon_e[-1] - lon_e[0], lat_e[-1] - lat_e[0]))
        self.colorbar.setLevels(levels)
        self.colorbar.setVisible(True)

    def _draw_track(self) -> None:
        v = self.view
        if v is None or self.selected is None or self.selected >= v.n_sat:
            self.track.setData([], [])
            return
        # one orbit behind and one ahead of the current time
        period = float(v.results.ephemeris.shell_of(self.selected).period_s)
        t = getattr(self, "_t", 0.0)
        keep = np.abs(v.offsets_s - t) <= period
        lat_all, lon_all = v.track_deg(self.selected)
        lon = np.asarray(lon_all[keep], float)
        lat = np.asarray(lat_all[keep], float)
        jump = np.abs(np.diff(lon)) > 180
        connect = np.ones(lon.size, dtype=bool)
        connect[:-1][jump] = False
        self.track.setData(lon, lat, connect=connect)

    def _show_sample(self, sample: MapSample) -> None:
        """Draw a large run's dots when they are still those of the shown view, epoch and selection."""
        if sample.view is not self.view or sample.index != self._last_index or sample.selected != self.selected:
            return
        self.sats.setData(sample.lon_deg, sample.lat_deg)
        if sample.selected_lat_lon_deg is not None:
            la, lo = sample.selected_lat_lon_deg
            self.sel.setData([lo], [la])
        else:
            self.sel.clear()

    def settle(self, timeout_s: float = 30.0) -> bool:
        """Wait (processing events) until a large run's dots of the current epoch are drawn; False on timeout."""
        end = time.monotonic() + timeout_s
        while not self.samples.idle() and time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.002)
        QCoreApplication.processEvents()
        return self.samples.idle()

    def select(self, sat: int | None) -> None:
        self.selected = sat if sat is not None and sat >= 0 else None
        self._draw_track()
        self._last_index = -1

    def set_time(self, t: float) -> None:
        v = self.view
        if v is None or v.n_sat == 0:
            self.sats.clear()
            return
        i = v.nearest(t)
        if i == self._last_index:
            return
        self._last_index = i
        self._t = float(t)
        if self.selected is not None and i % 4 == 0:
            self._draw_track()
        if getattr(v, "large", False):  # a large run: an even sample and the selected satellite, computed off the GUI thread
            self.samples.request(v, i, self.selected)
            return
        lat, lon, _ = v.geodetic_at(i)
        self.sats.setData(lon, lat)
        if self.selected is not None and self.selected < v.n_sat:
            self.sel.setData([float(lon[self.selected])], [float(lat[self.selected])])
        else:
            self.sel.clear()
