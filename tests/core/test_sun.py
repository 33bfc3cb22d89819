"""Sun and shadow: closed forms, shadow models, beta angles (core.analysis.sun)."""

import numpy as np
import pytest

from core.analysis import sun
from core.orbits.elements import R_EARTH_KM, MeanElements


@pytest.mark.parametrize("altitude_km", [400.0, 550.0, 700.0, 1200.0])
@pytest.mark.parametrize("beta_deg", [0.0, 15.0, 40.0, 55.0, 60.0])
def test_numerical_eclipse_fraction_matches_closed_form(altitude_km, beta_deg):
    exact = float(sun.eclipse_fraction_closed_form(altitude_km, beta_deg))
    numeric = sun.eclipse_fraction_numerical(altitude_km, beta_deg, "cylindrical", n_steps=200_000)
    assert abs(numeric - exact) <= 1e-3


def test_closed_form_hand_value_700km():
    # sqrt(700^2 + 2*6378.137*700) / 7078.137 = 0.433603 -> acos / pi = 0.357242
    assert float(sun.eclipse_fraction_closed_form(700.0, 0.0)) == pytest.approx(0.357242, abs=2e-6)
    # duration: 0.357242 * 5926.4 s = 35.29 min (SMAD's FireSat case quotes 35.3 min)
    assert float(sun.eclipse_duration_closed_form_s(700.0, 0.0)) / 60 == pytest.approx(35.29, abs=0.02)


@pytest.mark.parametrize("altitude_km", [550.0, 1000.0])
def test_no_eclipse_above_critical_beta(altitude_km):
    crit = float(sun.critical_beta_deg(altitude_km))
    assert crit == pytest.approx(np.degrees(np.arcsin(R_EARTH_KM / (R_EARTH_KM + altitude_km))))
    for beta in (crit + 0.05, crit + 5.0, 89.0, -(crit + 0.5)):
        assert float(sun.eclipse_fraction_closed_form(altitude_km, beta)) == 0.0
        assert sun.eclipse_fraction_numerical(altitude_km, beta, "cylindrical", 50_000) == 0.0
    assert float(sun.eclipse_fraction_closed_form(altitude_km, crit - 0.5)) > 0.0


def test_conical_shadow_umbra_penumbra_and_sun():
    s = np.array([1.0, 0.0, 0.0])
    r = np.array([[-7000.0, 0.0, 0.0], [7000.0, 0.0, 0.0], [0.0, 7000.0, 0.0]])
    nu = sun.illumination_conical(r, s)
    assert nu[0] == 0.0 and nu[1] == 1.0 and nu[2] == 1.0
    # crossing the shadow edge: illumination rises monotonically through a thin penumbra
    y = np.linspace(6300.0, 6460.0, 400)
    pts = np.stack([np.full_like(y, -3000.0), y, np.zeros_like(y)], axis=-1)
    nu = sun.illumination_conical(pts, s)
    assert np.all(np.diff(nu) >= -1e-12)
    assert nu[0] == 0.0 and nu[-1] == 1.0
    assert ((nu > 0) & (nu < 1)).any()
    # the conical (energy-equivalent) fraction stays within 1e-3 of the cylinder at LEO
    assert sun.eclipse_fraction_numerical(550, 0, "conical", 50_000) == pytest.approx(
        float(sun.eclipse_fraction_closed_form(550, 0)), abs=1e-3
    )


def test_beta_angle_hand_cases():
    # equatorial orbit, Sun at the June solstice direction: beta = obliquity
    eps = np.radians(23.44)
    s = np.array([0.0, np.cos(eps), np.sin(eps)])
    assert float(sun.beta_angle_deg(0.0, 0.0, s)) == pytest.approx(23.44)
    # polar orbit with RAAN 90 deg has its normal along +x: Sun along +x gives beta = 90
    assert float(sun.beta_angle_deg(np.pi / 2, np.pi / 2, np.array([1.0, 0, 0]))) == pytest.approx(90.0)
    # ... and the noon-midnight orbit (RAAN 0, normal along -y) sees beta = 0
    assert float(sun.beta_angle_deg(np.pi / 2, 0.0, np.array([1.0, 0, 0]))) == pytest.approx(0.0, abs=1e-12)


def test_beta_over_year_envelope_of_inclined_shell():
    raan = np.radians(np.arange(0, 360, 10.0))
    n = raan.size
    elems = MeanElements(np.full(n, R_EARTH_KM + 550), np.zeros(n), np.full(n, np.radians(53.0)), raan, np.zeros(n), np.zeros(n))
    days, beta = sun.beta_over_year_deg(elems, "2026-03-20T00:00:00Z")
    assert days.size == 366 and beta.shape == (n, 366)
    # |beta| <= i + obliquity, and the drifting planes reach close to it during the year
    assert beta.max() <= 53 + 23.45 and beta.min() >= -(53 + 23.45)
    assert beta.max() > 75.5 and beta.min() < -75.5


def test_sun_synchronous_beta_stays_nearly_fixed():
    from core.orbits.elements import sso_inclination_deg

    i = np.radians(sso_inclination_deg(600.0))
    # dawn-dusk: normal towards the Sun at the March equinox (Sun near +x): RAAN = 90 deg
    elems = MeanElements(np.array([R_EARTH_KM + 600]), np.zeros(1), np.array([i]), np.array([np.pi / 2]), np.zeros(1), np.zeros(1))
    _, beta = sun.beta_over_year_deg(elems, "2026-03-20T00:00:00Z")
    assert beta.min() > 55.0  # stays a dawn-dusk orbit all year (seasonal swing only)


def test_eclipse_runs():
    lit = np.array([[1, 0, 0, 1, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1, 0]], bool)
    assert sun.eclipse_runs_max_s(lit, 60.0).tolist() == [180.0, 0.0, 120.0]
