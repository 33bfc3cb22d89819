"""The Budgets panel shows the dose, chip life and formation figures the engine computed."""

from __future__ import annotations

import pytest

from app.panels.budgets import budget_columns
from core.api import analyze, load_preset
from core.catalog.presets import preset_path


@pytest.fixture(scope="module")
def suncatcher_results():
    mission = load_preset("suncatcher")
    mission.analysis.duration_s = 1800.0  # half an hour is enough for the figures to exist
    return analyze(mission, preset_path("suncatcher").parent)


def test_dose_and_formation_rows_are_the_engines_figures(suncatcher_results):
    results = suncatcher_results
    col = budget_columns(results)[0]["values"]
    dose = results.radiation.shells[0]
    cluster = results.cluster.shells[0]
    assert float(col["dose"].replace(",", "")) == pytest.approx(1000 * dose.tid_krad_per_year, rel=5e-3)
    assert float(col["dose_life"]) == pytest.approx(dose.life_years, rel=5e-3)
    assert float(col["separation"]) == pytest.approx(cluster.min_separation_m, rel=5e-3)
    assert float(col["stationkeeping"]) == pytest.approx(cluster.stationkeeping_dv_m_s_per_year.max(), rel=5e-3)


def test_a_part_without_a_published_tolerance_says_so():
    mission = load_preset("default")
    mission.analysis.duration_s = 600.0
    mission.analysis.step_s = 60.0
    results = analyze(mission, preset_path("default").parent)
    col = budget_columns(results)[0]["values"]
    assert col["dose_life"] == "no published tolerance"
    assert "separation" not in col  # no cluster: the row stays "—"
