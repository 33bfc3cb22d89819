"""The propagators against independent references: boinor, closed forms, Vallado's SGP4 vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy import units as u
from astropy.time import Time
from sgp4.api import Satrec

from core.orbits import elements as el
from core.orbits.elements import MeanElements
from core.orbits.propagate import AnalyticPropagator, Sgp4Propagator
from core.orbits.walker import WalkerSpec, walker_elements

DATA = Path(__file__).parents[1] / "data"


def random_elliptical(n: int, seed: int = 1) -> MeanElements:
    rng = np.random.default_rng(seed)
    perigee = el.R_EARTH_KM + rng.uniform(300, 2000, n)
    e = rng.uniform(0.0, 0.7, n)
    return MeanElements(
        a_km=perigee / (1 - e),
        e=e,
        i_rad=np.radians(rng.uniform(0, 180, n)),
        raan_rad=np.radians(rng.uniform(0, 360, n)),
        argp_rad=np.radians(rng.uniform(0, 360, n)),
        m0_rad=np.radians(rng.uniform(0, 360, n)),
    )


def test_two_body_matches_boinor_after_a_day_to_a_metre():
    from boinor.bodies import Earth
    from boinor.twobody import Orbit

    elements = random_elliptical(6)
    prop = AnalyticPropagator(elements, j2=False)
    r, v = prop.states(np.array([0.0, 86400.0]))
    for k in range(elements.n):
        nu = el.true_from_mean(elements.m0_rad[k], elements.e[k])
        orbit = Orbit.from_classical(
            Earth, elements.a_km[k] * u.km, elements.e[k] * u.one, elements.i_rad[k] * u.rad,
            elements.raan_rad[k] * u.rad, elements.argp_rad[k] * u.rad, float(nu) * u.rad,
        )
        start = orbit.r.to_value(u.km)
        later = orbit.propagate(1 * u.day)
        assert np.linalg.norm(r[k, 0] - start) < 1e-6
        assert np.linalg.norm(r[k, 1] - later.r.to_value(u.km)) < 1e-3  # < 1 m
        assert np.linalg.norm(v[k, 1] - later.v.to_value(u.km / u.s)) < 1e-6


def test_positions_fast_path_equals_general_kernel():
    elements, _, _ = walker_elements(WalkerSpec(550, 53, 6, 5, 1))
    prop = AnalyticPropagator(elements, j2=True)
    t = np.linspace(0, 86400, 97)
    fast = prop.positions(t)
    general, _ = prop.states(t, with_velocity=False)
    assert np.abs(fast - general).max() < 1e-6


def test_velocity_is_the_derivative_of_position():
    elements = random_elliptical(4, seed=3)
    prop = AnalyticPropagator(elements, j2=True)
    t = np.array([1000.0])
    h = 0.01
    r_plus, _ = prop.states(t + h, with_velocity=False)
    r_minus, _ = prop.states(t - h, with_velocity=False)
    _, v = prop.states(t)
    assert np.abs((r_plus - r_minus) / (2 * h) - v).max() < 1e-6


def _plane_raan(r_km: np.ndarray) -> float:
    """RAAN of the mean orbit plane through positions sampled over about one orbit."""
    _, _, vt = np.linalg.svd(r_km - 0.0, full_matrices=False)
    normal = vt[-1] * np.sign(np.cross(r_km[0], r_km[1])@vt[-1])
    return float(np.arctan2(normal[0], -normal[1]))


def test_j2_node_drift_matches_closed_form_and_numerical_integration():
    """Closed form for the mean model; Cowell with J2 (boinor) for the physics."""
    from boinor.bodies import Earth
    from boinor.core.perturbations import J2_perturbation
    from boinor.core.propagation import func_twobody
    from boinor.twobody import Orbit
    from boinor.twobody.propagation import CowellPropagator

    a, e, inc = el.R_EARTH_KM + 550.0, 0.001, np.radians(53.0)
    expected = float(-1.5 * el.mean_motion_rad_s(a) * el.J2 * (el.R_EARTH_KM / (a * (1 - e**2))) ** 2 * np.cos(inc))
    period = float(el.period_s(a))
    days = 3.0
    first = np.linspace(0, period, 60)
    last = days * 86400 + first
    elements = MeanElements(*(np.array([x]) for x in (a, e, inc, 0.3, 0.2, 0.1)))
    prop = AnalyticPropagator(elements, j2=True)
    r_first, r_last = prop.positions(first)[0], prop.positions(last)[0]
    drift_model = (_plane_raan(r_last) - _plane_raan(r_first)) / (days * 86400)
    assert drift_model == pytest.approx(expected, rel=1e-3)

    def f(t0, state, k):
        ax, ay, az = J2_perturbation(t0, state, k, J2=el.J2, R=el.R_EARTH_KM)
        return func_twobody(t0, state, k) + np.array([0, 0, 0, ax, ay, az])

    orbit = Orbit.from_classical(Earth, a * u.km, e * u.one, inc * u.rad, 0.3 * u.rad, 0.2 * u.rad, 0.1 * u.rad)
    cowell = CowellPropagator(f=f)
    raan = []
    for times in (first, last):
        start = orbit.propagate(times[0] * u.s, method=cowell)
        positions = np.array([start.propagate((t - times[0]) * u.s, method=cowell).r.to_value(u.km) for t in times])
        raan.append(_plane_raan(positions))
    drift_cowell = (raan[1] - raan[0]) / (days * 86400)
    assert drift_cowell == pytest.approx(expected, rel=0.01)


def test_sun_synchronous_shell_drifts_360_deg_per_tropical_year():
    inc = el.sso_inclination_deg(700.0)
    assert 98.0 < inc < 98.4  # published: ~98.19 deg at 700 km
    raan_dot, _, _ = el.j2_rates(el.R_EARTH_KM + 700.0, 0.0, np.radians(inc))
    assert float(np.degrees(raan_dot)) * 86400 * 365.2422 == pytest.approx(360.0, abs=1e-3)
    elements, _, _ = walker_elements(WalkerSpec(700, inc, 1, 4))
    period = float(el.period_s(el.R_EARTH_KM + 700.0))
    orbit = np.linspace(0, period, 60)
    prop = AnalyticPropagator(elements)
    drift = np.degrees(_plane_raan(prop.positions(orbit + 100 * 86400.0)[0]) - _plane_raan(prop.positions(orbit)[0]))
    assert drift == pytest.approx(360.0 / 365.2422 * 100, rel=1e-4)


def _vallado_cases():
    """(line1, line2, [(tsince_min, r_km, v_km_s), ...]) from tcppver.out for SGP4-VER.TLE."""
    tle_lines = (DATA / "SGP4-VER.TLE").read_text().splitlines()
    tles = {}
    for k, line in enumerate(tle_lines):
        if line.startswith("1 "):
            sat = Satrec.twoline2rv(line[:69], tle_lines[k + 1][:69])
            tles[sat.satnum] = (line[:69], tle_lines[k + 1][:69])
    cases, current = [], None
    for line in (DATA / "tcppver.out").read_text().replace("\r", "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == "xx":
            current = (tles[int(parts[0])], [])
            cases.append(current)
        elif len(parts) >= 7 and current is not None:
            current[1].append((float(parts[0]), np.array(parts[1:4], float), np.array(parts[4:7], float)))
    return cases


def test_sgp4_path_reproduces_vallado_verification_vectors():
    cases = _vallado_cases()
    checked = 0
    for (line1, line2), rows in cases:
        sat = Satrec.twoline2rv(line1, line2)
        epoch = Time(sat.jdsatepoch, sat.jdsatepochF, format="jd", scale="utc")
        prop = Sgp4Propagator([sat], epoch)
        tsince = np.array([row[0] for row in rows]) * 60.0
        _, r, v = prop._teme(tsince, None)
        for k, (_, r_ref, v_ref) in enumerate(rows):
            if np.isnan(r[0, k]).any():
                continue  # the verification file lists decayed/erroneous cases too
            assert np.abs(r[0, k] - r_ref).max() < 1e-5, (sat.satnum, rows[k][0])
            assert np.abs(v[0, k] - v_ref).max() < 1e-8
            checked += 1
    assert checked > 500


def test_sgp4_gcrs_output_matches_astropy_teme_transform():
    from astropy.coordinates import GCRS, TEME, CartesianRepresentation

    line1 = "1 25544U 98067A   26083.50000000  .00016717  00000-0  10270-3 0  9005"
    line2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.50000000000000"
    sat = Satrec.twoline2rv(line1, line2)
    epoch = Time("2026-03-24T12:00:00", scale="utc")
    prop = Sgp4Propagator([sat], epoch)
    t = np.array([0.0, 3600.0, 7200.0])
    r, _ = prop.states(t)
    times, r_teme, _ = prop._teme(t, None)
    ref = TEME(CartesianRepresentation(r_teme[0].T * u.km), obstime=times).transform_to(GCRS(obstime=times))
    assert np.abs(ref.cartesian.xyz.to_value(u.km).T - r[0]).max() < 1e-5
