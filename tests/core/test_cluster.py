"""Cluster geometry (separation, excursion, warning) and station-keeping delta-v, checked against
closed forms and a boinor Cowell integration with J2."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis import cluster as cl
from core.mission.model import Mission
from core.orbits import elements as el
from core.orbits.cluster import hex_lattice_points
from core.orbits.elements import MeanElements
from core.orbits.ephemeris import build_ephemeris


def cluster_mission(propagator: str, satellites: int = 7, radius_km: float = 0.1, min_sep_m: float = 20.0,
                    spread: float = 0.0, duration_s: float = 86400.0) -> Mission:
    return Mission.model_validate({
        "name": "cluster test", "epoch": "2026-03-20T00:00:00Z",
        "analysis": {"duration_s": duration_s, "step_s": 120},
        "constellations": [{
            "name": "c", "altitude_km": 650, "inclination_deg": "sso", "ltan_h": 6.0, "propagator": propagator,
            "cluster": {"satellites": satellites, "radius_km": radius_km, "min_separation_m": min_sep_m,
                        "ballistic_coefficient_spread": spread},
        }],
    })


def test_cw_bounded_orbit_is_the_two_by_one_ellipse():
    n = 1.0e-3
    t = np.linspace(0.0, 2 * np.pi / n, 9)
    xyz = cl.cw_propagate(np.array([[1.0, 0.0, 0.5]]), np.array([[0.0, -2 * n, 0.0]]), n, t)[0]
    assert np.allclose(xyz[:, 0], np.cos(n * t), atol=1e-12)
    assert np.allclose(xyz[:, 1], -2 * np.sin(n * t), atol=1e-12)
    assert np.allclose(xyz[:, 2], 0.5 * np.cos(n * t), atol=1e-12)


def test_two_body_cluster_keeps_its_lattice_spacing():
    mission = cluster_mission("two-body")
    _, spacing_m = hex_lattice_points(7, 100.0, 20.0)
    result = cl.compute_cluster(mission, build_ephemeris(mission)).shells[0]
    assert result.nominal_min_separation_m == pytest.approx(spacing_m, rel=1e-3)
    assert result.min_separation_m == pytest.approx(spacing_m, rel=0.01)
    assert result.excursion_m.max() < 1.0  # linearisation error only, ~(100 m)^2 / a
    assert result.warning is None and result.close_pair_count == 0
    assert result.max_radius_m <= 100.0 * 1.01


def test_j2_shears_the_formation_and_a_threshold_warns():
    mission = cluster_mission("j2")
    eph = build_ephemeris(mission)
    result = cl.compute_cluster(mission, eph).shells[0]
    assert result.excursion_m.max() > 10.0  # differential J2 moves satellites tens of metres a day
    sats = np.arange(7)
    t = eph.time.offsets_s
    r, v = eph.states_eci(t, sats)
    b = np.full(7, 0.02)
    warned = cl.analyse_cluster("c", tuple(eph.names), r, v, t, eph.shells[0].elements, b,
                                threshold_m=1.2 * result.nominal_min_separation_m)
    assert warned.close_pair_count > 0 and "closer than" in warned.warning
    assert warned.close_pairs[0][2] == pytest.approx(warned.min_separation_m, rel=1e-9)


def test_differential_drag_drift_and_delta_v_closed_forms():
    from core.orbits.lifetime import density_kg_m3

    a = el.R_EARTH_KM + 650.0
    n = float(el.mean_motion_rad_s(a))
    rho = float(density_kg_m3(650.0))
    d_b = np.array([0.002])
    day = 86400.0
    # da/dt = -sqrt(mu a) rho dB; along-track drift -(3/4) n (da/dt) t^2
    da_dt_km_s = -np.sqrt(el.MU_EARTH_KM3_S2 * a) * rho * 0.002 * 1e3
    assert cl.drag_along_track_km(a, n, d_b, np.array([day]))[0, 0] == pytest.approx(-0.75 * n * da_dt_km_s * day**2)
    elements = MeanElements(np.full(2, a), np.zeros(2), np.full(2, np.radians(98.0)), np.zeros(2), np.zeros(2), np.zeros(2))
    _, drag, _ = cl.stationkeeping_dv(elements, np.array([0.018, 0.022]))
    v = np.sqrt(el.MU_EARTH_KM3_S2 / a) * 1e3
    assert drag[0] == pytest.approx(0.5 * rho * v**2 * 0.002 * cl.SECONDS_PER_YEAR, rel=1e-9)


def test_differential_j2_node_rate_matches_boinor_cowell():
    """One pair, 650 km SSO, 20 arcsec apart in inclination: boinor integrates both with J2 for two
    days; the node separation grows at the closed-form differential rate, and so does the delta-v."""
    from astropy import units as u
    from boinor.bodies import Earth
    from boinor.core.perturbations import J2_perturbation
    from boinor.core.propagation import func_twobody
    from boinor.twobody import Orbit
    from boinor.twobody.propagation import CowellPropagator

    a = el.R_EARTH_KM + 650.0
    i0 = np.radians(el.sso_inclination_deg(650.0))
    di = np.radians(20.0 / 3600.0)

    def f(t0, state, k):
        ax, ay, az = J2_perturbation(t0, state, k, J2=el.J2, R=el.R_EARTH_KM)
        return func_twobody(t0, state, k) + np.array([0, 0, 0, ax, ay, az])

    period = float(el.period_s(a))
    times = np.arange(0, 31) * period  # same orbital phase: the short-period J2 terms cancel
    raans = []
    for inc in (i0, i0 + di):
        orbit = Orbit.from_classical(Earth, a * u.km, 0.0 * u.one, inc * u.rad, 0.0 * u.rad, 0.0 * u.rad, 0.0 * u.rad)
        rr, vv = CowellPropagator(rtol=1e-11, f=f).propagate_many(orbit.state, times * u.s)
        h = np.cross(rr.to_value(u.km), vv.to_value(u.km / u.s))
        raans.append(np.unwrap(np.arctan2(h[:, 0], -h[:, 1])))
    d_raan = raans[1] - raans[0]
    measured = np.polyfit(times, d_raan - d_raan[0], 1)[0]
    closed = float(el.j2_rates(a, 0.0, i0 + di)[0] - el.j2_rates(a, 0.0, i0)[0])
    assert measured == pytest.approx(closed, rel=0.05)
    elements = MeanElements(np.full(2, a), np.zeros(2), np.array([i0, i0 + di]), np.zeros(2), np.zeros(2), np.zeros(2))
    j2, _, _ = cl.stationkeeping_dv(elements, np.full(2, 0.02))
    v = np.sqrt(el.MU_EARTH_KM3_S2 / a) * 1e3
    # each satellite is held against the pair's mean orbit: half the separation's drift each
    assert j2[1] == pytest.approx(v * np.sin(i0 + di / 2) * abs(measured) / 2 * cl.SECONDS_PER_YEAR, rel=0.05)


def test_custom_satellites_far_apart_are_not_a_formation():
    def sat(name, m0):
        return {"name": name, "altitude_km": 650, "inclination_deg": 98, "mean_anomaly_deg": m0}

    doc = {"name": "pair", "epoch": "2026-03-20T00:00:00Z", "analysis": {"duration_s": 600, "step_s": 60},
           "constellations": [{"name": "far", "satellites": [sat("a", 0.0), sat("b", 180.0)]},
                              {"name": "near", "satellites": [sat("c", 0.0), sat("d", 0.002)]}]}
    mission = Mission.model_validate(doc)
    result = cl.compute_cluster(mission, build_ephemeris(mission))
    assert [s.shell for s in result.shells] == ["near"]
    # 0.002 deg of mean anomaly at a = 7028 km: 245 m apart along-track
    assert result.shells[0].min_separation_m == pytest.approx(7028.137 * np.radians(0.002) * 1000, rel=0.01)
    assert "warning" in result.to_json()[0] and np.isfinite(result.shells[0].excursion_m).all()
