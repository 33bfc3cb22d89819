"""Coverage over time: percent of the area covered and mean satellites in view.

Reads ``results.coverage.offsets_s``, ``percent_covered`` and ``mean_sats_in_view``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from app.plots.base import TimePlot, set_title


class CoveragePlot(TimePlot):
    def __init__(self, parent=None):
        super().__init__("Coverage", "area covered [%]", parent, "coveragePlot")
        self.percent = self.plot.plot([], [], pen=pg.mkPen("#4fc3f7", width=2), name="covered [%]")
        # satellites in view on a second axis
        self.view2 = pg.ViewBox()
        self.plot.showAxis("right")
        self.plot.scene().addItem(self.view2)
        self.plot.getAxis("right").linkToView(self.view2)
        self.plot.getAxis("right").setLabel("satellites in view")
        self.view2.setXLink(self.plot)
        self.sats = pg.PlotCurveItem([], [], pen=pg.mkPen("#ffb74d", width=1.5))
        self.view2.addItem(self.sats)
        self.legend.addItem(self.sats, "sats in view")
        self.plot.vb.sigResized.connect(self._sync)
        self.plot.setYRange(0, 100)

    def _sync(self):
        self.view2.setGeometry(self.plot.vb.sceneBoundingRect())
        self.view2.linkedViewChanged(self.plot.vb, self.view2.XAxis)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._sync()

    def set_results(self, results) -> None:
        cov = getattr(results, "coverage", None)
        if cov is None:
            self.percent.setData([], [])
            self.sats.setData([], [])
            set_title(self.plot, "Coverage — no result")
            return
        h = np.asarray(cov.offsets_s) / 3600.0
        pct = np.asarray(cov.percent_covered, dtype=float)
        self.percent.setData(h, pct)
        self.sats.setData(h, np.asarray(cov.mean_sats_in_view, dtype=float))
        lo = max(0.0, float(np.nanmin(pct)) - 5) if pct.size else 0
        self.plot.setYRange(lo, 100.5)
        self.plot.setXRange(0, h[-1] if h.size else 1, padding=0.01)
        top = float(np.nanmax(cov.mean_sats_in_view)) if h.size else 1
        self.view2.setYRange(0, max(1.0, top * 1.1))
        set_title(self.plot, f"Coverage: mean {cov.mean_percent:.1f} %, "
                           f"always {cov.continuous_percent:.1f} %")
