"""Battery state of charge over the worst-case orbit, with the eclipse bands shaded.

Reads ``results.power.shells[k]``: ``soc_time_s``, ``soc`` (0..1), ``worst_orbit_illumination``,
``worst_beta_deg``, and ``results.power.sunlit`` for the eclipse share over the window.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox

from app.plots.base import TimePlot, set_title, style_plot

BAND_BRUSH = pg.mkBrush(90, 110, 170, 70)


class PowerPlot(TimePlot):
    def __init__(self, parent=None):
        super().__init__("Battery (worst-case orbit)", "state of charge [%]", parent, "powerPlot")
        style_plot(self.plot, "Battery (worst-case orbit)", "state of charge [%]", "time in orbit", "min")
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#66bb6a", width=2), name="state of charge")
        self.eclipse_legend = pg.BarGraphItem(x=[0], height=[0], width=0, brush=BAND_BRUSH)
        self.legend.addItem(self.eclipse_legend, "eclipse")
        self.bands: list[pg.LinearRegionItem] = []
        self.shell = QComboBox(self)
        self.shell.setObjectName("powerShell")
        self.shell.currentIndexChanged.connect(lambda _i: self._draw())
        self.layout().insertWidget(0, self.shell)
        self.cursor.setVisible(False)  # the plot is over one orbit, not the analysis window
        self.results = None

    def set_results(self, results) -> None:
        self.results = results
        power = getattr(results, "power", None)
        self.shell.blockSignals(True)
        cur = self.shell.currentIndex()
        self.shell.clear()
        if power is not None:
            for s in power.shells:
                self.shell.addItem(s.shell)
            self.shell.setCurrentIndex(min(max(cur, 0), len(power.shells) - 1))
        self.shell.setVisible(power is not None and len(power.shells) > 1)
        self.shell.blockSignals(False)
        self._draw()

    def _draw(self) -> None:
        for b in self.bands:
            self.plot.removeItem(b)
        self.bands = []
        power = getattr(self.results, "power", None) if self.results is not None else None
        k = self.shell.currentIndex()
        if power is None or k < 0 or k >= len(power.shells):
            self.curve.setData([], [])
            return
        s = power.shells[k]
        t = np.asarray(s.soc_time_s, dtype=float) / 60.0
        soc = 100.0 * np.asarray(s.soc, dtype=float)
        self.curve.setData(t, soc)
        ill = np.asarray(s.worst_orbit_illumination, dtype=float)
        if ill.size == t.size and t.size:
            dark = ill < 0.5
            edges = np.flatnonzero(np.diff(np.concatenate([[0], dark.astype(int), [0]])))
            for a, b in zip(edges[::2], edges[1::2]):
                band = pg.LinearRegionItem((t[a], t[min(b, t.size - 1)]), movable=False, brush=BAND_BRUSH,
                                           pen=pg.mkPen(None))
                band.setZValue(-10)
                self.plot.addItem(band)
                self.bands.append(band)
        lo = float(np.nanmin(soc)) if soc.size else 0.0
        self.plot.setYRange(min(lo - 5, 60), 101)
        if t.size:
            self.plot.setXRange(t[0], t[-1], padding=0.01)
        set_title(self.plot, f"Battery, worst orbit: β {round(s.worst_beta_deg):d}°, "
                           f"min {lo:.0f} %")
