"""Time to insight: how long from a capture to a result on the ground, traditional vs in orbit.

Reads ``results.insight``: the per-capture samples of both models when the result carries them
(``traditional_s`` / ``in_orbit_s`` or ``*_samples_s``), else the medians and 95th percentiles of
its JSON section. Shown as two histograms on a log time axis.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from app.plots.base import TimePlot, set_title, style_plot

NAMES = {
    "traditional": ("traditional_s", "traditional_samples_s", "samples_traditional_s", "ground_s"),
    "in_orbit": ("in_orbit_s", "in_orbit_samples_s", "samples_in_orbit_s", "orbit_s"),
}


def insight_samples(insight) -> dict[str, np.ndarray]:
    out = {}
    for key, names in NAMES.items():
        for n in names:
            v = getattr(insight, n, None)
            if v is not None and np.ndim(v) == 1 and np.size(v) > 1:
                out[key] = np.asarray(v, dtype=float)
                break
        else:
            sub = getattr(insight, key, None)
            for n in ("samples_s", "latency_s", "times_s", "delays_s"):
                v = getattr(sub, n, None) if sub is not None else None
                if v is not None and np.size(v) > 1:
                    out[key] = np.asarray(v, dtype=float)
                    break
    return out


def _dur(seconds: float) -> str:
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
        samples = insight_samples(ins)
        doc = ins.to_json() if hasattr(ins, "to_json") else {}
        if not samples:
            for key in ("traditional", "in_orbit"):
                d = doc.get(key, {})
                med, p95 = d.get("median_s"), d.get("p95_s")
                if med:
                    sigma = max(np.log(max(p95 or med, med) / med) / 1.645, 0.05)
                    samples[key] = np.random.default_rng(0).lognormal(np.log(med), sigma, 4000)
        all_v = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in samples.values()]) if samples else np.zeros(0)
        if all_v.size == 0:
            set_title(self.plot, "Time to insight — no samples")
            return
        edges = np.linspace(np.log10(all_v.min()) - 0.1, np.log10(all_v.max()) + 0.1, 61)
        top = 0.0
        for key, curve in (("traditional", self.trad), ("in_orbit", self.orbit)):
            v = samples.get(key)
            if v is None:
                curve.setData([0.0], [])
                continue
            v = v[np.isfinite(v) & (v > 0)]
            hist, _ = np.histogram(np.log10(v), bins=edges)
            pct = 100.0 * hist / max(v.size, 1)
            top = max(top, float(pct.max()))
            curve.setData(edges, pct)
        self.plot.setXRange(edges[0], edges[-1], padding=0)
        self.plot.setYRange(0, top * 1.15 + 1e-9)
        speed = doc.get("speedup_median")
        text = []
        for key, label in (("traditional", "ground"), ("in_orbit", "orbit")):
            d = doc.get(key, {})
            if d.get("median_s") is not None:
                text.append(f"{label} {_dur(d['median_s'])}")
        if speed:
            text.append(f"×{speed:,.0f}")
        set_title(self.plot, "Insight: " + ", ".join(text))
