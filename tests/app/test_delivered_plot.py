"""The delivered-compute plot draws the engine's series and recomputes nothing (app/plots/delivered.py)."""

from types import SimpleNamespace

import numpy as np
import pytest

from app.plots.delivered import DeliveredPlot, delivered_series
from core.analysis import delivered, power
from core.analysis.compute import size_compute
from core.mission.io import load_mission
from core.orbits.ephemeris import build_ephemeris


@pytest.fixture(scope="module")
def results():
    m = load_mission("resources/missions/default.yaml")
    m.buses["eo-orin"] = m.buses["eo-orin"].model_copy(update={"solar_array_m2": 1.2})
    m = m.model_copy(update={"analysis": m.analysis.model_copy(update={"duration_s": 3 * 3600.0})})
    eph = build_ephemeris(m)
    pw = power.compute_power(m, eph, year_days=30.0)
    comp = size_compute(m, eph)
    comp = comp.__class__(comp.shells, delivered.compute_delivered(m, eph, pw, comp))
    return SimpleNamespace(mission=m, ephemeris=eph, compute=comp, service=None)


def test_series_is_the_engines_delivered_share(results):
    hours, curves, served = delivered_series(results)
    assert served is None and len(curves) == 1
    d = results.compute.delivered
    # mean of the curve over time == the engine's delivered fraction (same satellites, same epochs)
    assert np.mean(curves[0][1]) == pytest.approx(100 * d.shells[0].delivered_fraction, rel=1e-5)
    assert hours.size == results.ephemeris.n_time


def test_plot_draws_one_curve_per_shell(qtbot, results):
    plot = DeliveredPlot()
    qtbot.addWidget(plot)
    plot.set_results(results)
    assert len(plot.curves) == 1
    assert len(plot.curves[0].yData) == results.ephemeris.n_time
    assert "Delivered compute: eo-sso" in plot.plot.starnet_title
