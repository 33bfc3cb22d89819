"""Launch cost per shell (core.analysis.cost)."""

from types import SimpleNamespace

import pytest

from core.analysis import cost
from tests.core.factories import make_mission, walker_shell

MISSION = dict(name="cost test", buses={"default": {"mission_life_years": 5}},
               cost={"launch_usd_per_kg": 3600, "launch_usd_per_kg_2035": 200})


def test_cost_by_hand():
    mission = make_mission(walker_shell("53:10/2/1", altitude_km=550), **MISSION)
    eph = SimpleNamespace(shells=[SimpleNamespace(name="s", n_sat=10, index=0)])
    power = SimpleNamespace(shells=[SimpleNamespace(mass_kg=50.0)])
    comp = SimpleNamespace(shells=[SimpleNamespace(constellation_pops=2.75)])
    j = cost.compute_cost(mission, eph, power, comp).to_json()[0]
    assert j["launch_usd_per_sat"] == pytest.approx(50 * 3600)
    assert j["launch_usd_per_sat_2035"] == pytest.approx(50 * 200)
    assert j["constellation_usd"] == pytest.approx(10 * 50 * 3600)
    # 1.8 M$ over 2.75 POPS x 5 years
    assert j["usd_per_pops_year"] == pytest.approx(1.8e6 / (2.75 * 5))
    assert j["usd_per_pops_year_2035"] == pytest.approx(1e5 / (2.75 * 5))


def test_no_compute_gives_null_per_pops_year():
    mission = make_mission(walker_shell("53:10/2/1", altitude_km=550), **MISSION)
    eph = SimpleNamespace(shells=[SimpleNamespace(name="s", n_sat=10, index=0)])
    power = SimpleNamespace(shells=[SimpleNamespace(mass_kg=50.0)])
    comp = SimpleNamespace(shells=[SimpleNamespace(constellation_pops=0.0)])
    assert cost.compute_cost(mission, eph, power, comp).to_json()[0]["usd_per_pops_year"] is None
