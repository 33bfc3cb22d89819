"""The globe gestures' geometry against hand-computed cases (no Qt, no GL)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.globe import gesture_geometry as gg


def test_ray_meets_the_earth_at_the_near_side():
    hit = gg.ray_sphere([5.0, 0.0, 0.0], [-1.0, 0.0, 0.0])
    assert np.allclose(hit, [1.0, 0.0, 0.0])
    # grazing 0.6 off-axis: x = sqrt(1 - 0.36) = 0.8
    assert np.allclose(gg.ray_sphere([5.0, 0.6, 0.0], [-2.0, 0.0, 0.0]), [0.8, 0.6, 0.0])
    assert gg.ray_sphere([5.0, 1.01, 0.0], [-1.0, 0.0, 0.0]) is None  # passes above the limb
    assert gg.ray_sphere([5.0, 0.0, 0.0], [1.0, 0.0, 0.0]) is None  # looking away
    # from inside the orbit sphere of radius 2 the far wall is the hit
    assert np.allclose(gg.ray_sphere([0.0, 0.0, 0.0], [0.0, 1.0, 0.0], 2.0), [0.0, 2.0, 0.0])


def test_ray_meets_the_equatorial_plane():
    # from (0, -4, 3) towards the origin: the plane z = 0 at the origin
    assert np.allclose(gg.ray_equator([0.0, -4.0, 3.0], [0.0, 4.0, -3.0]), [0.0, 0.0, 0.0])
    # from (1, 1, 2) along (1, 0, -1): z = 0 after s = 2, at (3, 1, 0)
    assert np.allclose(gg.ray_equator([1.0, 1.0, 2.0], [1.0, 0.0, -1.0]), [3.0, 1.0, 0.0])
    assert gg.ray_equator([0.0, 0.0, 2.0], [1.0, 0.0, 0.0]) is None  # parallel
    assert gg.ray_equator([0.0, 0.0, 2.0], [0.0, 0.0, 1.0]) is None  # plane behind


def test_raan_from_a_point_on_the_equator_and_wrapping():
    assert gg.azimuth_deg([0.0, 1.0, 0.0]) == pytest.approx(90.0)
    assert gg.azimuth_deg([-1.0, 0.0, 0.0]) == pytest.approx(180.0)
    assert gg.azimuth_deg([1.0, -1.0, 0.0]) == pytest.approx(315.0)
    assert gg.wrap_deg(350.0) == pytest.approx(-10.0)
    assert gg.wrap_deg(-190.0) == pytest.approx(170.0)
    assert gg.wrap_deg(-180.0) == 180.0


def test_drag_azimuth_uses_the_equator_then_the_orbit_sphere():
    r = 1.2
    # down onto the equator at (3, 1, 0): RA atan(1/3), though the ray crosses the orbit sphere first
    az = gg.drag_azimuth_deg([1.0, 1.0, 2.0], [1.0, 0.0, -1.0], r)
    assert az == pytest.approx(math.degrees(math.atan2(1.0, 3.0)))
    # a ray rising away from the plane: the orbit sphere's near point (0, 1.2, 0.0...) from above
    assert gg.drag_azimuth_deg([0.0, 5.0, 0.1], [0.0, -1.0, 0.0], r) == pytest.approx(90.0)
    assert gg.drag_azimuth_deg([0.0, 0.0, 5.0], [1.0, 0.0, 0.0], r) is None


def test_nearest_ring_segment_on_screen():
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 30.0], [20.0, 30.0]])
    segs = np.array([[0, 1], [1, 2], [3, 4]])
    d = gg.segment_distances_px(xy, segs, np.array([5.0, 3.0]))
    assert d == pytest.approx([3.0, 5.0, 27.0])
    # beyond the end of segment 0: distance to its end point, 3-4-5
    assert gg.segment_distances_px(xy, segs[:1], np.array([-4.0, 3.0]))[0] == pytest.approx(5.0)
    usable = np.array([True, True, True])
    assert gg.nearest_segment(xy, segs, usable, np.array([5.0, 3.0]), 6.0) == 0
    assert gg.nearest_segment(xy, segs, np.array([False, True, True]), np.array([5.0, 3.0]), 6.0) == 1
    assert gg.nearest_segment(xy, segs, usable, np.array([5.0, 3.0]), 2.0) is None


def test_ascending_node_of_an_inclined_ring():
    # a 60 deg ring with RAAN 30 deg, points in order of motion (argument of latitude 5..365 deg)
    u = np.radians(np.arange(5.0, 365.0, 10.0))
    raan, inc = math.radians(30.0), math.radians(60.0)
    pts = np.stack([np.cos(raan) * np.cos(u) - np.sin(raan) * np.cos(inc) * np.sin(u),
                    np.sin(raan) * np.cos(u) + np.cos(raan) * np.cos(inc) * np.sin(u),
                    np.sin(inc) * np.sin(u)], axis=1) * 1.1
    node = gg.ascending_node(pts)
    assert node[2] == pytest.approx(0.0, abs=1e-12)
    assert gg.azimuth_deg(node) == pytest.approx(30.0, abs=0.05)  # a chord, 10 deg steps: ~0.4 % short
    assert gg.ascending_node(np.array([[1.0, 0, 0], [0, 1.0, 0], [-1.0, 0, 0]])) is None


def test_rotate_z_is_a_raan_change():
    p = gg.rotate_z(np.array([[1.0, 0.0, 0.5], [0.0, 2.0, -1.0]]), 90.0)
    assert np.allclose(p, [[0.0, 1.0, 0.5], [-2.0, 0.0, -1.0]])


def test_field_values_from_a_drag():
    assert gg.new_raan0_deg(350.0, 20.0) == pytest.approx(10.0)
    assert gg.new_raan0_deg(10.0, -15.5) == pytest.approx(354.5)
    # 15 deg east is one hour later; wraps past midnight
    assert gg.new_ltan_h(22.5, 30.0) == pytest.approx(0.5)
    assert gg.new_ltan_h(10.5, -7.5) == pytest.approx(10.0)
    assert gg.new_ltan_h(23.99999, 0.0) < 24.0
    assert gg.altitude_after_drag_km(550.0, 40.0, 2.5, 160.1, 50_000.0) == pytest.approx(650.0)
    assert gg.altitude_after_drag_km(550.0, -1000.0, 2.5, 160.1, 50_000.0) == pytest.approx(160.1)
    assert gg.altitude_after_drag_km(49_900.0, 1000.0, 2.5, 160.1, 50_000.0) == pytest.approx(50_000.0)


def test_raised_positions_follow_keplers_third_law():
    # a satellite on the x axis of an equatorial orbit, 1000 s after the epoch, 550 -> 1100 km
    r0 = (gg.R_EARTH_KM + 550.0) / gg.R_EARTH_KM
    n0 = math.sqrt(398600.4418 / (gg.R_EARTH_KM + 550.0) ** 3)
    p = gg.raised_positions(np.array([[r0, 0.0, 0.0]]), np.array([[0.0, 0.0, 1.0]]), np.array([n0]), 1000.0,
                            550.0, 1100.0)
    n1 = math.sqrt(398600.4418 / (gg.R_EARTH_KM + 1100.0) ** 3)
    r1 = (gg.R_EARTH_KM + 1100.0) / gg.R_EARTH_KM
    # at t it was at angle n0 t; the raised one is at n1 t: the preview turns it back by (n1 - n0) t
    back = (n1 - n0) * 1000.0
    assert np.allclose(p[0], [r1 * math.cos(back), r1 * math.sin(back), 0.0], atol=1e-9)
    assert np.linalg.norm(p[0]) == pytest.approx(r1)


def test_places_round_trip():
    lat, lon = gg.lat_lon_deg(gg.unit_ecef(-25.89, 27.69))
    assert (lat, lon) == (pytest.approx(-25.89), pytest.approx(27.69))
    assert gg.lat_lon_deg([0.0, 0.0, 2.0])[0] == pytest.approx(90.0)
