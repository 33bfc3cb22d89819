"""Latency of the chosen city pair over time, against the fibre and vacuum great-circle lines.

Reads ``results.network``: ``pairs``, ``offsets_s``, ``latency_ms`` ``(n_pair, n_time)``,
``fiber_ms`` and ``vacuum_ms`` ``(n_pair,)``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox

from app.plots.base import TimePlot, set_title


class LatencyPlot(TimePlot):
    pairChanged = Signal(int)

    def __init__(self, parent=None):
        super().__init__("Latency (one way)", "latency [ms]", parent, "latencyPlot")
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#ff5a6e", width=2), name="constellation")
        self.fiber = self.plot.plot([], [], pen=pg.mkPen("#9ccc65", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine), name="fibre ⅔ c")
        self.vacuum = self.plot.plot([], [], pen=pg.mkPen("#b0bec5", width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine), name="vacuum")
        self.pair = QComboBox(self)
        self.pair.setObjectName("latencyPair")
        self.pair.currentIndexChanged.connect(self._pair_changed)
        self.layout().insertWidget(0, self.pair)
        self.results = None

    def set_results(self, results) -> None:
        self.results = results
        net = getattr(results, "network", None)
        self.pair.blockSignals(True)
        current = self.pair.currentIndex()
        self.pair.clear()
        if net is not None:
            for a, b in net.pairs:
                self.pair.addItem(f"{a} → {b}")
            self.pair.setCurrentIndex(min(max(current, 0), net.n_pair - 1))
        self.pair.setVisible(net is not None and net.n_pair > 0)
        self.pair.blockSignals(False)
        self._draw()

    def _pair_changed(self, index: int) -> None:
        self._draw()
        self.pairChanged.emit(index)

    def _draw(self) -> None:
        net = getattr(self.results, "network", None) if self.results is not None else None
        q = self.pair.currentIndex()
        if net is None or q < 0 or q >= net.n_pair:
            for c in (self.curve, self.fiber, self.vacuum):
                c.setData([], [])
            set_title(self.plot, "Latency — no city pairs in this mission")
            return
        h = np.asarray(net.offsets_s) / 3600.0
        lat = np.asarray(net.latency_ms[q], dtype=float)
        self.curve.setData(h, lat, connect="finite")
        self.fiber.setData([h[0], h[-1]], [float(net.fiber_ms[q])] * 2)
        self.vacuum.setData([h[0], h[-1]], [float(net.vacuum_ms[q])] * 2)
        finite = lat[np.isfinite(lat)]
        top = max(float(net.fiber_ms[q]), float(finite.max()) if finite.size else 0.0) * 1.15
        self.plot.setYRange(0, max(top, 1.0))
        self.plot.setXRange(0, h[-1] if h.size else 1, padding=0.01)
        reach = 100.0 * finite.size / max(lat.size, 1)
        med = f"median {np.median(finite):.1f} ms, " if finite.size else ""
        set_title(self.plot, f"Latency: {med}up {reach:.0f} %")
