"""Coverage: the stamping kernel against a brute-force reference, and the figures of merit."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from core.analysis.coverage import (
    CoverageResult,
    coverage_from_positions,
    coverage_mask_at,
    footprint_half_angle_deg,
    sats_in_view_at,
)
from core.analysis.grid import EARTH_MEAN_RADIUS_KM, make_grid
from core.mission.model import Region
from tests.core.factories import mission_data, mission_from, walker_shell

R = EARTH_MEAN_RADIUS_KM


def brute_counts(grid, r_sat_km, min_el_deg):
    """Satellites in view per cell from ``(s - g).u >= |s - g| sin(e)``, every cell x every satellite."""
    u = grid.up_vectors()
    g = u * grid.radius_km
    d = r_sat_km[:, None, None, :] - g[None]
    h = np.sum(d * u[None], axis=-1)
    return np.sum(h >= np.linalg.norm(d, axis=-1) * np.sin(np.radians(min_el_deg)), axis=0)


def random_positions(rng, n_sat, n_time=1, alt_lo=200.0, alt_hi=36000.0):
    d = rng.normal(size=(n_sat, n_time, 3))
    d /= np.linalg.norm(d, axis=-1, keepdims=True)
    return d * (R + rng.uniform(alt_lo, alt_hi, size=(n_sat, 1, 1)))


def walker_ecef(planes, per_plane, phasing, inc_deg, alt_km, offsets_s):
    """Circular Walker-delta satellites, Earth-fixed (a simple independent generator)."""
    a = R + alt_km
    n = np.sqrt(398600.4418 / a**3)
    p = np.repeat(np.arange(planes), per_plane)
    s = np.tile(np.arange(per_plane), planes)
    raan = 2 * np.pi * p / planes
    u = (2 * np.pi * s / per_plane + 2 * np.pi * phasing * p / (planes * per_plane))[:, None] + n * offsets_s[None]
    inc = np.radians(inc_deg)
    x = np.cos(raan)[:, None] * np.cos(u) - np.sin(raan)[:, None] * np.sin(u) * np.cos(inc)
    y = np.sin(raan)[:, None] * np.cos(u) + np.cos(raan)[:, None] * np.sin(u) * np.cos(inc)
    z = np.sin(u) * np.sin(inc)
    theta = 7.292115e-5 * offsets_s[None]
    xe = np.cos(theta) * x + np.sin(theta) * y
    ye = -np.sin(theta) * x + np.cos(theta) * y
    return a * np.stack([xe, ye, z], axis=-1)


# ---------------------------------------------------------------------------- the grid


@pytest.mark.parametrize("deg", [0.7, 1.0, 2.5, 10.0])
def test_area_weights_sum_to_the_sphere(deg):
    grid = make_grid(deg)
    assert grid.total_area_km2 == pytest.approx(4 * np.pi * R**2, rel=1e-12)
    assert grid.weights.sum() == pytest.approx(1.0, rel=1e-12)
    assert grid.shape == (round(180 / deg), round(360 / deg))


def test_box_region_area_and_antimeridian():
    grid = make_grid(1.0, Region(lat_min_deg=10, lat_max_deg=30, lon_min_deg=170, lon_max_deg=-170))
    assert grid.shape == (20, 20)
    assert grid.region == "box"
    assert np.all(np.diff(grid.lon_deg) > 0) and grid.lon_deg[0] == pytest.approx(170.5)
    exact = R**2 * np.radians(20) * (np.sin(np.radians(30)) - np.sin(np.radians(10)))
    assert grid.total_area_km2 == pytest.approx(exact, rel=1e-12)


def test_polygon_region_keeps_cells_inside():
    tri = [(0.0, 0.0), (0.0, 20.0), (20.0, 0.0)]
    grid = make_grid(1.0, Region(polygon=tri))
    assert grid.region == "polygon"
    lat, lon = np.meshgrid(grid.lat_deg, grid.lon_deg, indexing="ij")
    inside = (lat > 0) & (lon > 0) & (lat + lon < 20)
    assert np.array_equal(grid.active, inside)
    assert np.all(grid.area_km2[~grid.active] == 0)


# ---------------------------------------------------------------------------- the kernel


@pytest.mark.parametrize("seed", range(6))
def test_stamping_equals_brute_force_on_random_constellations(seed):
    rng = np.random.default_rng(seed)
    deg = [1.0, 2.0, 3.0, 5.0, 0.8, 4.5][seed]
    el = [0.0, 5.0, 25.0, 45.0, 10.0, 70.0][seed]
    grid = make_grid(deg)
    r = random_positions(rng, int(rng.integers(1, 60)))[:, 0]
    ref = brute_counts(grid, r, el)
    got = sats_in_view_at(grid, r, el)
    assert np.array_equal(got, ref)
    assert np.array_equal(coverage_mask_at(grid, r, el), ref > 0)


def test_stamping_equals_brute_force_near_poles_and_in_regions():
    rng = np.random.default_rng(42)
    # satellites right over and near the poles, low and high
    lat = np.radians(rng.choice([90.0, -90.0, 89.9, -88.0, 85.0, 60.0], size=30))
    lon = rng.uniform(-np.pi, np.pi, size=30)
    rad = R + rng.uniform(300, 20000, size=30)
    r = np.stack([rad * np.cos(lat) * np.cos(lon), rad * np.cos(lat) * np.sin(lon), rad * np.sin(lat)], axis=-1)
    for region in (None, Region(lat_min_deg=-40, lat_max_deg=75, lon_min_deg=150, lon_max_deg=-120),
                   Region(polygon=[(50, 170), (80, -150), (30, -160)])):
        grid = make_grid(2.0, region)
        for el in (0.0, 15.0, 40.0):
            assert np.array_equal(sats_in_view_at(grid, r, el), brute_counts(grid, r, el))


def test_satellite_below_the_surface_sees_nothing():
    grid = make_grid(5.0)
    assert not coverage_mask_at(grid, np.array([[R - 1.0, 0.0, 0.0]]), 0.0).any()


@pytest.mark.parametrize("lat_deg", [0.0, 45.0, 89.0])
def test_one_footprint_is_the_spherical_cap(lat_deg):
    grid = make_grid(0.25)
    alt, el = 550.0, 25.0
    lam = np.radians(footprint_half_angle_deg(alt, el))
    # the closed form from the triangle Earth-centre / ground point / satellite
    assert np.degrees(lam) == pytest.approx(np.degrees(np.arccos(R * np.cos(np.radians(el)) / (R + alt))) - el)
    phi = np.radians(lat_deg)
    r = (R + alt) * np.array([[np.cos(phi) * np.cos(0.3), np.cos(phi) * np.sin(0.3), np.sin(phi)]])
    covered = np.sum(grid.area_km2[coverage_mask_at(grid, r, el)])
    cap = 2 * np.pi * R**2 * (1 - np.cos(lam))
    assert covered == pytest.approx(cap, rel=0.01)


# ---------------------------------------------------------------------------- figures of merit


def _runs_of_false(flags):
    return [len(list(g)) for v, g in itertools.groupby(flags) if not v]


@pytest.mark.parametrize("region", [None, Region(polygon=[(-60, -30), (-10, 80), (50, 10)])])
def test_figures_of_merit_match_a_brute_force_time_series(region):
    grid = make_grid(5.0, region)
    n_time, step = 45, 30.0  # more epochs than one chunk of the kernel
    offsets = np.arange(n_time) * step
    r = walker_ecef(4, 3, 1, 60.0, 1200.0, offsets * 20)  # 12 sats, sped up so that cells come and go
    r[0, 10:20] = r[0, 9]  # one satellite that stalls: exercise odd gaps
    el = 20.0
    res = coverage_from_positions(r, grid, el, offsets, step_s=step)
    counts = np.stack([brute_counts(grid, r[:, t], el) for t in range(n_time)])  # (t, lat, lon)
    area, active = grid.area_km2, grid.active
    pct = 100 * np.array([np.sum(area * (c > 0)) for c in counts]) / area.sum()
    np.testing.assert_allclose(res.percent_covered, pct, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.mean_sats_in_view, [np.sum(area * c) / area.sum() for c in counts], rtol=1e-12)
    cov = counts > 0
    frac = cov.mean(axis=0)
    np.testing.assert_array_equal(res.cell_coverage_fraction[active], frac[active])
    np.testing.assert_allclose(res.cell_mean_sats[active], counts.mean(axis=0)[active])
    np.testing.assert_array_equal(res.cell_max_sats, counts.max(axis=0))
    for i, j in zip(*np.nonzero(active)):
        runs = _runs_of_false(cov[:, i, j])
        assert res.cell_max_gap_s[i, j] == (max(runs) * step if runs else 0.0)
        if cov[:, i, j].any():
            assert res.cell_mean_revisit_s[i, j] == pytest.approx(np.mean(runs) * step if runs else 0.0)
        else:
            assert np.isnan(res.cell_mean_revisit_s[i, j])
    assert np.all(np.isnan(res.cell_coverage_fraction[~active]))
    assert res.continuous_percent == pytest.approx(100 * area[cov.all(axis=0)].sum() / area.sum())
    ever = cov.any(axis=0) & active
    assert res.max_gap_s == pytest.approx(res.cell_max_gap_s[ever].max())
    assert 0 < res.min_percent <= res.mean_percent <= res.max_percent < 100
    # latitude profile: area-weighted mean of the coverage fraction of each row
    row = 100 * np.sum(area * frac, axis=1) / np.where(area.sum(axis=1) > 0, area.sum(axis=1), np.nan)
    np.testing.assert_allclose(res.lat_profile_percent, row)


def test_empty_constellation():
    grid = make_grid(10.0)
    offsets = np.arange(5) * 60.0
    res = coverage_from_positions(np.zeros((0, 5, 3)), grid, 25.0, offsets, step_s=60.0, grid_deg=10.0)
    doc = res.to_json()
    assert doc["mean_percent"] == doc["max_percent"] == doc["continuous_percent"] == 0.0
    assert doc["mean_sats_in_view"] == 0.0
    assert doc["max_gap_s"] == 5 * 60.0  # nothing ever covered: the whole window
    assert np.all(res.cell_max_gap_s == 300.0)
    json.dumps(doc)


def test_polar_only_satellite_covers_a_polar_cap():
    grid = make_grid(1.0)
    offsets = np.arange(10) * 60.0
    alt, el = 1000.0, 10.0
    r = np.zeros((1, 10, 3))
    r[0, :, 2] = R + alt  # hovering over the North Pole (Earth-fixed)
    res = coverage_from_positions(r, grid, el, offsets, step_s=60.0, grid_deg=1.0)
    lam = footprint_half_angle_deg(alt, el)
    lat = grid.lat_deg
    np.testing.assert_allclose(res.lat_profile_percent[lat > 90 - lam + 0.5], 100.0, rtol=1e-12)
    assert np.all(res.lat_profile_percent[lat < 90 - lam - 0.5] == 0.0)
    # the cap cuts whole rows here: those whose centre is within lam of the pole
    south_edge = grid.lat_edges_deg[:-1][lat >= 90 - lam].min()
    assert res.mean_percent == pytest.approx(100 * (1 - np.sin(np.radians(south_edge))) / 2, rel=1e-9)
    assert res.continuous_percent == pytest.approx(res.mean_percent)
    assert res.min_percent == pytest.approx(res.max_percent, rel=1e-12)
    assert res.max_gap_s == 0.0  # the covered cells are always covered
    assert res.to_json()["mean_revisit_s"] == 0.0


def test_to_json_has_the_contract_keys():
    grid = make_grid(5.0)
    offsets = np.arange(3) * 60.0
    r = walker_ecef(3, 3, 1, 53.0, 550.0, offsets)
    res = coverage_from_positions(r, grid, 25.0, offsets, step_s=60.0, grid_deg=5.0)
    doc = res.to_json()
    for key in ("grid_deg", "min_elevation_deg", "mean_percent", "min_percent", "max_percent",
                "continuous_percent", "max_gap_s", "mean_sats_in_view"):
        assert isinstance(doc[key], float), key
    assert json.loads(json.dumps(doc)) == doc
    assert [t.title for t in res.tables()] == ["Coverage", "Coverage by latitude"]
    assert isinstance(res, CoverageResult)


# ---------------------------------------------------------------------------- with the orbit engine

MISSION = mission_data(walker_shell("60:24/6/1", altitude_km=1000, propagator="j2"), name="small",
                       analysis=dict(duration_s=3600, step_s=60, min_elevation_deg=20, coverage_grid_deg=4))


def test_compute_coverage_on_a_mission_matches_brute_force_at_sampled_epochs():
    from core.analysis.coverage import compute_coverage
    from core.orbits.ephemeris import build_ephemeris

    mission = mission_from(MISSION)
    eph = build_ephemeris(mission)
    res = compute_coverage(mission, eph)
    assert res.grid.shape == (45, 90)
    assert res.percent_covered.shape == (eph.n_time,)
    for t in (0, 17, eph.n_time - 1):
        c = brute_counts(res.grid, eph.r_ecef_km[:, t], 20.0)
        assert res.percent_covered[t] == pytest.approx(100 * np.sum(res.grid.weights * (c > 0)), abs=1e-9)
    assert res.to_json()["grid_deg"] == 4.0
