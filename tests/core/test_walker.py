"""Walker geometry, sun-synchronous shells from LTAN, clusters, and the built ephemeris."""

from __future__ import annotations

import numpy as np
import pytest

from core import api
from core.orbits import elements as el
from core.orbits.cluster import hex_lattice_points
from core.orbits.frames import sun_direction_gcrs
from core.orbits.timegrid import to_time
from core.orbits.walker import WalkerSpec, parse_walker, walker_elements
from tests.core.factories import make_mission, walker_shell


def test_walker_delta_plane_raans_spacing_and_phasing():
    spec = WalkerSpec(altitude_km=550, inclination_deg=53, planes=72, sats_per_plane=22, phasing=17)
    elements, plane, slot = walker_elements(spec)
    assert elements.n == 1584
    raan = np.degrees(elements.raan_rad)
    assert np.allclose(raan[plane == 1][0] - raan[plane == 0][0], 360 / 72)
    assert np.allclose(np.ptp(raan[plane == 5]), 0)
    u = np.degrees(elements.argp_rad + elements.m0_rad) % 360
    in_plane = np.diff(u[plane == 0])
    assert np.allclose(in_plane, 360 / 22)
    # phasing: plane j is shifted by j * F * 360 / T
    assert (u[plane == 1][0] - u[plane == 0][0]) % 360 == pytest.approx(17 * 360 / 1584)


def test_walker_star_spreads_nodes_over_180_deg():
    elements, plane, _ = walker_elements(WalkerSpec(780, 86.4, 6, 11, 2, pattern="star"))
    raan = np.degrees(elements.raan_rad)
    assert raan[plane == 5][0] == pytest.approx(5 * 30.0)


def test_parse_walker_shorthand():
    assert parse_walker("53:1584/72/17") == (53.0, 1584, 72, 17)
    assert parse_walker("sso:12/1/0") == ("sso", 12, 1, 0)
    with pytest.raises(ValueError):
        parse_walker("53-1584-72")


def test_sso_ltan_puts_the_ascending_node_at_the_requested_local_time():
    shell = dict(name="s", altitude_km=650, inclination_deg="sso", ltan_h=6.0, planes=1, sats_per_plane=4)
    mission = make_mission(shell, name="dawn-dusk", epoch="2026-06-01T00:00:00Z", analysis=dict(duration_s=600, step_s=60))
    eph = api.build_ephemeris(mission)
    shell = eph.shells[0]
    assert shell.inclination_deg == pytest.approx(el.sso_inclination_deg(650), abs=1e-9)
    sun = sun_direction_gcrs(to_time(mission.epoch))[0]
    ra_sun = np.degrees(np.arctan2(sun[1], sun[0]))
    node = np.degrees(shell.elements.raan_rad[0])
    assert ((node - ra_sun) / 15.0 + 12.0) % 24 == pytest.approx(6.0, abs=1e-9)


def test_cluster_stays_within_radius_and_keeps_separation_over_a_day():
    shell = dict(name="cluster", altitude_km=650, inclination_deg="sso", ltan_h=6.0, propagator="two-body",
                 cluster=dict(satellites=81, radius_km=1.0, min_separation_m=100))
    mission = make_mission(shell, name="suncatcher-like", epoch="2026-06-01T00:00:00Z", analysis=dict(duration_s=86400, step_s=300))
    eph = api.build_ephemeris(mission)
    assert eph.n_sat == 81
    r = eph.r_eci_km
    centre = r.mean(axis=0)
    spread = np.linalg.norm(r - centre, axis=-1)
    assert spread.max() < 1.05  # km (linearised relative motion: a few metres of drift allowed)
    d = np.linalg.norm(r[:, None] - r[None, :], axis=-1)
    d[np.arange(81), np.arange(81)] = np.inf
    assert d.min() > 0.095


def test_cluster_that_cannot_fit_is_rejected():
    with pytest.raises(ValueError):
        hex_lattice_points(200, 500.0, 100.0)


def test_ephemeris_altitude_and_period_of_a_walker_shell():
    mission = make_mission(walker_shell("53:24/6/1", altitude_km=550), name="small", analysis=dict(duration_s=5800, step_s=20))
    eph = api.build_ephemeris(mission)
    radius = np.linalg.norm(eph.r_eci_km, axis=-1)
    assert np.allclose(radius, el.R_EARTH_KM + 550)
    assert eph.shells[0].period_s == pytest.approx(5739.0, abs=2.0)  # the contract's example figure
    assert eph.shells[0].raan_drift_deg_per_day == pytest.approx(-4.49, abs=0.05)
    # arbitrary-time states agree with the grid
    r, _ = eph.states_eci(eph.time.offsets_s[:3], np.array([5, 17]))
    assert np.abs(r - eph.r_eci_km[[5, 17], :3]).max() < 1e-9
    lat, lon, alt = eph.lat_lon_alt
    # geodetic latitude peaks above the inclination (~0.19 deg at 53 deg, plus J2000 -> date precession)
    assert 53.0 < np.abs(lat).max() < 53.45
