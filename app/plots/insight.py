"""Time to insight: how long from a capture to a result on the ground, traditional vs in orbit.

Reads ``results.insight``: the per-capture samples of both models when the result carries them
(``traditional_s`` / ``in_orbit_s`` or ``*_samples_s``), else the medians and 95th percentiles of
its JSON section. Shown as two histograms on a log time axis.
"""

from __future__ import annotations

import pyqtgraph as pg

from app.plots.base import TimePlot, set_title, style_plot


def _dur(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class InsightPlot(TimePlot):
    def __init__(self, parent=None):
        super().__init__("Time to insight", "share of captures [%]", parent, "insightPlot")
        style_plot(self.plot, "Time to insight", "share of captures [%]", "capture → result on ground (log₁₀ s)", None)
        self.cursor.setVisible(False)
        self.trad = pg.PlotCurveItem([0.0], [], stepMode="center", fillLevel=0, brush=pg.mkBrush(255, 138, 101, 110),
                                     pen=pg.mkPen("#ff8a65", width=1.5))
        self.orbit = pg.PlotCurveItem([0.0], [], stepMode="center", fillLevel=0, brush=pg.mkBrush(79, 195, 247, 110),
                                      pen=pg.mkPen("#4fc3f7", width=1.5))
        self.plot.addItem(self.trad)
        self.plot.addItem(self.orbit)
        self.legend.addItem(self.trad, "traditional")
        self.legend.addItem(self.orbit, "in orbit")

    def set_results(self, results) -> None:
        ins = getattr(results, "insight", None)
        if ins is None:
            self.trad.setData([0.0], [])
            self.orbit.setData([0.0], [])
            set_title(self.plot, "Time to insight — no result (needs ground stations)")
            return
        doc = ins.to_json()
        edges, pct = ins.wait_histogram()
        if edges.size == 0:
            set_title(self.plot, "Time to insight — no samples")
            return
        top = max(float(pct["traditional"].max()), float(pct["in_orbit"].max()))
        self.trad.setData(edges, pct["traditional"])
        self.orbit.setData(edges, pct["in_orbit"])
        self.plot.setXRange(edges[0], edges[-1], padding=0.03)  # both distributions, with a margin
        self.plot.setYRange(0, top * 1.15 + 1e-9)
        speed = doc.get("speedup_median")
        text: list[str] = []
        reasons: list[str] = []
        for key, label in (("traditional", "ground"), ("in_orbit", "orbit")):
            d = doc.get(key, {})
            if d.get("median_s") is not None:
                text.append(f"{label} {_dur(d['median_s'])}")
            elif d.get("stable") is False:  # the queue grows without bound: short here, the engine's words as a tooltip
                text.append(f"{label}: can't keep up")
                reasons.append(f"{label}: {d.get('reason') or 'the queue grows without bound'}")
            elif d:
                text.append(f"{label}: {100 * d.get('undelivered_fraction', 0):.0f} % undelivered")
        if speed:
            text.append(f"×{speed:,.0f}")
        set_title(self.plot, "Insight: " + ", ".join(text))
        self.setToolTip("\n".join(reasons))
