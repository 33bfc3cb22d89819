"""Delivered compute over the analysis window: nameplate against what energy and heat allow.

Reads ``results.compute.delivered`` (:class:`core.analysis.delivered.DeliveredResult`: ``tops``
per satellite and epoch, ``shells`` with ``nameplate_tops``) and, when the mission has a
``service`` section, ``results.service.served_over_time``. Nothing is recomputed here.
Curves, in percent: each shell's delivered share of its nameplate and the served share of the
ground users' demand.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from app.plots.base import TimePlot, set_title

COLOURS = ("#4fc3f7", "#ffb74d", "#ba68c8", "#81c784")
SERVED_PEN = pg.mkPen("#ef5350", width=2, style=pg.QtCore.Qt.PenStyle.DashLine)


def delivered_series(results) -> tuple[np.ndarray, list[tuple[str, np.ndarray]], np.ndarray | None]:
    """(hours, [(shell, delivered % of nameplate)], served % or None) from the results."""
    eph = results.ephemeris
    hours = np.asarray(eph.time.offsets_s, dtype=float) / 3600.0
    dlv = getattr(results.compute, "delivered", None) if results.compute is not None else None
    curves = []
    if dlv is not None:
        for shell, d in zip(eph.shells, dlv.shells):
            tops = dlv.series(shell.sat_slice.start, shell.sat_slice.stop).tops.astype(float)
            pct = 100.0 * tops.sum(axis=0) / (d.nameplate_tops * tops.shape[0]) if d.nameplate_tops > 0 and tops.size else np.full(hours.size, 100.0)
            curves.append((d.shell, pct))
    svc = getattr(results, "service", None)
    served = 100.0 * np.asarray(svc.served_over_time, dtype=float) if svc is not None else None
    return hours, curves, served


def delivered_has_news(results) -> bool:
    """Whether the plot says more than "100 % of nameplate": a fixed design throttles, or users are served."""
    if getattr(results, "service", None) is not None:
        return True
    dlv = getattr(results.compute, "delivered", None) if results.compute is not None else None
    return dlv is not None and any(d.delivered_fraction < 1.0 for d in dlv.shells)


class DeliveredPlot(TimePlot):
    def __init__(self, parent=None):
        super().__init__("Delivered compute", "% of nameplate / of demand", parent, "deliveredPlot")
        self.curves: list[pg.PlotDataItem] = []
        self.served = self.plot.plot([], [], pen=SERVED_PEN, name="ground users served")

    def set_results(self, results) -> None:
        for c in self.curves:
            self.plot.removeItem(c)
            self.legend.removeItem(c)
        self.curves = []
        if results is None:
            self.served.setData([], [])
            return
        hours, curves, served = delivered_series(results)
        for k, (name, pct) in enumerate(curves):
            item = self.plot.plot(hours, pct, pen=pg.mkPen(COLOURS[k % len(COLOURS)], width=2), name=f"{name} delivered")
            self.curves.append(item)
        self.served.setData(hours if served is not None else [], served if served is not None else [])
        self.plot.setYRange(0, 105)
        means = ", ".join(f"{name} {np.mean(p):.0f} %" for name, p in curves)
        extra = f" · served {np.mean(served):.0f} %" if served is not None and served.size else ""
        set_title(self.plot, f"Delivered compute: {means or 'n/a'}{extra}")
