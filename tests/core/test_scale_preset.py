"""The million-satellite preset stays inside the SpaceX filing's envelope (read from the file, nothing propagated)."""

from __future__ import annotations

import pytest

from core import api
from core.catalog.hardware import hardware_catalog
from core.orbits.shells import build_shells, satellite_count
from tests.preset_sizes import ANALYSED_PRESETS, preset_satellites

SHELL_THICKNESS_KM = 50.0  # the filing: shells up to 50 km thick


@pytest.fixture(scope="module")
def mission():
    return api.load_preset("spacex-odc-1m")


def test_a_million_satellites_in_disjoint_50_km_shells_between_500_and_2000_km(mission) -> None:
    assert preset_satellites(mission) == 1_000_000
    bands = sorted((e.altitude_km - SHELL_THICKNESS_KM / 2, e.altitude_km + SHELL_THICKNESS_KM / 2)
                   for e in mission.constellations)
    assert bands[0][0] >= 500.0 and bands[-1][1] <= 2000.0
    assert all(lower[1] <= upper[0] for lower, upper in zip(bands, bands[1:]))  # no two shells share altitudes


@pytest.mark.parametrize("name", ANALYSED_PRESETS)
def test_the_count_from_the_file_equals_the_built_shells(name) -> None:
    """``starnet presets`` counts without building; every smaller preset's count equals its built shells'."""
    preset = api.load_preset(name)
    shells, _ = build_shells(preset, None)
    assert satellite_count(preset, None) == sum(s.n_sat for s in shells) > 0


def test_inclinations_from_30_deg_to_sun_synchronous_with_links(mission) -> None:
    inclinations = [e.inclination_deg for e in mission.constellations]
    assert "sso" in inclinations
    numeric = [i for i in inclinations if i != "sso"]
    assert numeric and min(numeric) == 30 and max(numeric) == 53
    assert all(e.isl == "plus-grid" for e in mission.constellations)


def test_the_bus_carries_100_kw_of_compute_per_tonne_of_a_one_tonne_satellite(mission) -> None:
    bus = mission.buses["odc"]
    payload_w = bus.compute_units * hardware_catalog()[bus.compute_hardware].power_w
    assert payload_w == pytest.approx(100_000, rel=0.01)


def test_it_states_a_coarser_step_and_is_left_to_the_benchmark(mission) -> None:
    assert mission.analysis.step_s == 300 and mission.analysis.duration_s == 86400
    assert "spacex-odc-1m" in api.preset_names() and "spacex-odc-1m" not in ANALYSED_PRESETS
