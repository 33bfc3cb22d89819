"""Lifetime: boinor's Cowell integration with drag against the orbit-averaged decay formula."""

from __future__ import annotations

import numpy as np
import pytest

from core.orbits import elements as el
from core.orbits.lifetime import _king_hele_rate_km_s, density_kg_m3, estimate_lifetime


def circular_state(altitude_km: float, inclination_rad: float = 0.9):
    a = el.R_EARTH_KM + altitude_km
    v = np.sqrt(el.MU_EARTH_KM3_S2 / a)
    return np.array([a, 0.0, 0.0]), np.array([0.0, v * np.cos(inclination_rad), v * np.sin(inclination_rad)])


def test_cowell_decay_rate_agrees_with_king_hele_formula():
    r, v = circular_state(400.0)
    result = estimate_lifetime(r, v, mass_kg=100.0, drag_area_m2=1.0)
    formula = _king_hele_rate_km_s(el.R_EARTH_KM + 400.0, 2.2 * 1.0 / 100.0) * 86400.0
    assert result.decay_km_per_day < 0
    assert result.decay_km_per_day == pytest.approx(formula, rel=0.15)


def test_lifetime_grows_with_altitude_and_falls_with_area():
    r3, v3 = circular_state(350.0)
    r5, v5 = circular_state(500.0)
    low = estimate_lifetime(r3, v3, mass_kg=100.0, drag_area_m2=1.0)
    high = estimate_lifetime(r5, v5, mass_kg=100.0, drag_area_m2=1.0)
    high_big = estimate_lifetime(r5, v5, mass_kg=100.0, drag_area_m2=2.0)
    assert 0 < low.years < high.years
    assert high_big.years == pytest.approx(high.years / 2, rel=0.1)


def test_density_is_coesa76_and_monotonic():
    from astropy import units as u
    from boinor.earth.atmosphere import COESA76

    assert float(density_kg_m3(400.0)) == pytest.approx(COESA76().density(400 * u.km).to_value(u.kg / u.m**3), rel=1e-6)
    h = np.linspace(100, 1500, 200)
    assert np.all(np.diff(density_kg_m3(h)) < 0)


def test_high_orbit_has_no_practical_decay():
    r, v = circular_state(1500.0)
    assert estimate_lifetime(r, v, mass_kg=100.0, drag_area_m2=1.0).text == "> 200 years"


def test_lifetime_of_takes_mass_and_array_from_the_shells_power_sizing():
    """``api.lifetime_of`` reads the typed power sizing of the satellite's shell (not JSON rows):
    B = Cd (1 m^2 + half the array) / mass; without a power section, a 100 kg satellite with 1 m^2 of array."""
    import dataclasses

    from core import api
    from tests.core.factories import make_mission, walker_shell

    mission = make_mission(walker_shell("53:4/2/1", name="low", altitude_km=450),
                           walker_shell("53:2/1/0", name="high", altitude_km=600, bus="big"),
                           analysis=dict(duration_s=600, step_s=60), buses={"big": {"compute_units": 8}})
    results = api.analyze(mission)
    assert results.power is not None
    for sat in (0, 4):
        sized = results.power.shell(results.ephemeris.shell_of(sat).name)
        want = 2.2 * (1.0 + 0.5 * sized.sizing["solar_array_m2"]) / sized.mass_kg
        assert api.lifetime_of(results, sat).ballistic_coefficient_m2_kg == pytest.approx(want, rel=1e-12)
    bare = api.lifetime_of(dataclasses.replace(results, power=None), 0)
    assert bare.ballistic_coefficient_m2_kg == pytest.approx(2.2 * 1.5 / 100.0, rel=1e-12)
