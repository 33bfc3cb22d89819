"""Inertial -> Earth-fixed, geodetic coordinates and the Sun, against astropy's full transforms."""

from __future__ import annotations

import numpy as np
from astropy import units as u
from astropy.coordinates import GCRS, ITRS, CartesianRepresentation, EarthLocation, get_sun
from astropy.time import Time

from core.orbits import frames
from core.orbits.timegrid import TimeGrid


def _random_leo(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = rng.normal(size=(n, 3))
    return d / np.linalg.norm(d, axis=1, keepdims=True) * rng.uniform(6700, 8000, (n, 1))


def test_earth_fixed_positions_match_astropy_full_transform_within_10_m():
    grid = TimeGrid.regular("2026-03-20T00:00:00Z", duration_s=86400, step_s=3 * 3600)
    r_eci = np.repeat(_random_leo(5)[:, None, :], grid.n, axis=1)
    r_ecef = frames.apply_rotation(frames.gcrs_to_itrs_matrices(grid.times), r_eci)
    for s in range(r_eci.shape[0]):
        rep = CartesianRepresentation(r_eci[s].T * u.km)
        ref = GCRS(rep, obstime=grid.times).transform_to(ITRS(obstime=grid.times)).cartesian.xyz.to_value(u.km).T
        assert np.abs(ref - r_ecef[s]).max() < 0.010


def test_a_bare_earth_rotation_angle_rotation_would_be_kilometres_off():
    """Why the exact matrices: ERA alone ignores precession-nutation since J2000."""
    t = Time("2026-03-20T00:00:00", scale="utc")
    era = t.earth_rotation_angle(0 * u.deg).to_value(u.rad)
    bare = np.array([[np.cos(era), np.sin(era), 0], [-np.sin(era), np.cos(era), 0], [0, 0, 1]])
    exact = frames.gcrs_to_itrs_matrices(t)[0]
    r = np.array([6928.0, 0.0, 0.0])
    assert np.linalg.norm(bare @ r - exact @ r) > 10.0


def test_geodetic_round_trip_and_agreement_with_astropy():
    lat = np.array([0.0, 45.0, -89.9, 60.0, 90.0])
    lon = np.array([10.0, -120.0, 33.0, 179.9, 0.0])
    alt = np.array([0.0, 550.0, 1200.0, 20000.0, 500.0])
    r = frames.ecef_from_geodetic(lat, lon, alt)
    loc = EarthLocation.from_geodetic(lon * u.deg, lat * u.deg, alt * u.km)
    ref = np.stack([loc.x.to_value(u.km), loc.y.to_value(u.km), loc.z.to_value(u.km)], axis=-1)
    assert np.abs(ref - r).max() < 1e-6
    back = frames.geodetic_from_ecef(r)
    assert np.abs(back[0] - lat).max() < 1e-9
    assert np.abs(back[2] - alt).max() < 1e-6


def test_sun_direction_matches_astropy_and_the_equinox():
    t = Time(["2026-03-20T14:46:00", "2026-06-21T08:24:00"], scale="utc")
    s = frames.sun_direction_gcrs(t)
    ref = get_sun(t).cartesian.xyz.to_value(u.km).T
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    assert np.abs(s - ref).max() < 1e-12
    # GCRS keeps the J2000 equator; on the equator of date the Sun crosses 0 at the equinox
    from astropy.coordinates.builtin_frames.intermediate_rotation_transforms import gcrs_to_cirs_mat

    of_date = np.einsum("tij,tj->ti", gcrs_to_cirs_mat(t), s)
    assert abs(np.degrees(np.arcsin(of_date[0, 2]))) < 0.02  # March equinox 2026-03-20 14:46 UTC
    assert abs(np.degrees(np.arcsin(of_date[1, 2])) - 23.436) < 0.02  # June solstice
