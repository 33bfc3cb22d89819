"""Ground-station access: contact tests, AOS/LOS refinement, station figures, next contact."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from core.analysis.access import (
    Windows,
    access_from_positions,
    compute_access,
    contact_mask,
    find_windows,
    schedule_antennas,
    served_fraction,
    station_figures,
    station_geometry,
    time_to_next_contact,
    union_intervals,
)
from core.orbits import frames
from tests.core.factories import ground_station, mission_data, mission_from, walker_shell


def station(name="Svalbard", lat=78.23, lon=15.41, alt_m=450.0, el=5.0):
    return SimpleNamespace(name=name, lat_deg=lat, lon_deg=lon, alt_m=alt_m, min_elevation_deg=el)


def circular_ecef(inc_deg, alt_km, raan_deg, u0_deg, t):
    """A circular orbit seen from the rotating Earth (independent of the orbit engine)."""
    a = 6378.137 + alt_km
    n = np.sqrt(398600.4418 / a**3)
    i, raan = np.radians(inc_deg), np.radians(raan_deg)
    u = np.radians(u0_deg) + n * t
    x = np.cos(raan) * np.cos(u) - np.sin(raan) * np.sin(u) * np.cos(i)
    y = np.sin(raan) * np.cos(u) + np.cos(raan) * np.sin(u) * np.cos(i)
    z = np.sin(u) * np.sin(i)
    th = 7.292115e-5 * t
    return a * np.stack([np.cos(th) * x + np.sin(th) * y, -np.sin(th) * x + np.cos(th) * y, z], axis=-1)


def test_contact_mask_matches_elevation_angles():
    rng = np.random.default_rng(3)
    d = rng.normal(size=(20, 50, 3))
    r = d / np.linalg.norm(d, axis=-1, keepdims=True) * rng.uniform(6600, 12000, size=(20, 1, 1))
    sts = [station(lat=lat, lon=lon, el=el) for lat, lon, el in [(78.2, 15.4, 5), (-33.4, -70.7, 25), (0, 100, 0)]]
    site, up = station_geometry(sts)
    got = contact_mask(r, site, up, [s.min_elevation_deg for s in sts])
    for k, s in enumerate(sts):
        el = frames.elevation_deg(r, site[k], up[k])
        assert np.array_equal(got[k], el >= s.min_elevation_deg)


def test_aos_los_refined_on_an_analytic_orbit():
    st = station(el=10.0)
    site, up = station_geometry([st])
    offsets = np.arange(0, 6 * 3600 + 1, 60.0)
    sats = [(97.6, 550, 10, 0), (53, 1100, 40, 90), (87.9, 1200, 300, 200)]
    r = np.stack([circular_ecef(*p, offsets) for p in sats])
    win, _ = find_windows(r, offsets, site, up, [st.min_elevation_deg])
    assert win.aos_s.size >= 4
    fine = np.arange(0, offsets[-1], 0.05)
    for k, p in enumerate(sats):
        el = frames.elevation_deg(circular_ecef(*p, fine), site[0], up[0])
        vis = el >= st.min_elevation_deg
        rises = fine[1:][vis[1:] & ~vis[:-1]]
        sets = fine[:-1][vis[:-1] & ~vis[1:]]
        mine = win.sat == k
        # every pass longer than a step is found, with AOS/LOS to the fine sampling's resolution
        long_enough = [(a, b) for a, b in zip(rises, sets) if b - a > 60]
        assert mine.sum() >= len(long_enough)
        for a, b in long_enough:
            j = np.argmin(np.abs(win.aos_s[mine] - a))
            assert abs(win.aos_s[mine][j] - a) < 0.1
            assert abs(win.los_s[mine][j] - b) < 0.1


def test_station_figures_one_antenna():
    # two satellites: 100 Mbit/s in [0, 100], 300 Mbit/s in [50, 200]; then nothing until 1000
    aos = np.array([0.0, 50.0, 600.0])
    los = np.array([100.0, 200.0, 700.0])
    rate = np.array([100.0, 300.0, 100.0])
    track = schedule_antennas(np.zeros(3, int), np.array([0, 1, 0]), aos, los, np.array([1]), 2)
    # one antenna, first come first served: sat 0 on [0, 100], then sat 1 (waiting since 50) on [100, 200]
    assert track.tolist() == [0.0, 100.0, 600.0]
    passes, contact, contact_sum, max_gap, mean_pass, gbit, antenna, in_view, in_view_passes = station_figures(
        aos, los, track, rate, 0.0, 1000.0)
    assert passes == 3 and in_view_passes == 3
    assert contact == 300.0 == antenna  # [0, 200] + [600, 700], one antenna busy
    assert in_view == 300.0
    assert contact_sum == 350.0
    assert max_gap == 400.0  # 200 .. 600
    assert mean_pass == pytest.approx(300.0 / 3)
    # each track at its own satellite's rate: 100 s at 100, 100 s at 300, 100 s at 100 Mbit/s
    assert gbit == pytest.approx((100 * 100 + 100 * 300 + 100 * 100) / 1000)
    # two antennas: both satellites tracked over their whole windows
    two = schedule_antennas(np.zeros(3, int), np.array([0, 1, 0]), aos, los, np.array([2]), 2)
    assert two.tolist() == [0.0, 50.0, 600.0]
    assert station_figures(aos, los, two, rate, 0.0, 1000.0)[5] == pytest.approx((100 * 100 + 150 * 300 + 100 * 100) / 1000)
    nothing = station_figures(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), 0.0, 500.0)
    assert nothing[3] == 500.0 and nothing[0] == 0


def test_schedule_one_radio_per_satellite_and_handover_between_stations():
    # satellite 0 is in view of station 0 on [0, 100] and of station 1 on [50, 150];
    # satellite 1 of station 1 on [60, 120]. Station 1 has one antenna.
    station = np.array([0, 1, 1])
    sat = np.array([0, 0, 1])
    aos = np.array([0.0, 50.0, 60.0])
    los = np.array([100.0, 150.0, 120.0])
    track = schedule_antennas(station, sat, aos, los, np.array([1, 1]), 2)
    # at 50 s satellite 0 is busy with station 0, so station 1 waits; at 60 s it takes satellite 1
    # (until 120 s); satellite 0 is free from 100 s but station 1's antenna only from 120 s
    assert track[0] == 0.0 and track[2] == 60.0 and track[1] == 120.0
    served = served_fraction(sat, track, los, 2, np.arange(0.0, 181.0, 30.0))
    # satellite 0: [0, 100] at station 0, then [120, 150] at station 1; never two antennas at once
    assert served[0].tolist() == pytest.approx([1, 1, 1, 1 / 3, 1, 0])
    assert served[1].tolist() == pytest.approx([0, 0, 1, 1, 0, 0])


def test_two_satellites_in_view_of_one_antenna_are_served_one_at_a_time():
    """Two satellites always in view of a one-antenna station: one is tracked, the other waits."""
    st = station(lat=0.0, lon=0.0, el=0.0)
    site, up = station_geometry([st])
    offsets = np.arange(0.0, 601.0, 60.0)
    overhead = np.broadcast_to(site[0] * 1.1, (2, offsets.size, 3))  # two satellites straight overhead
    one = access_from_positions(overhead, offsets, [st], site, up, 100.0, 1)
    assert one.passes_in_view[0] == 2 and one.passes[0] == 1
    assert one.served_fraction.sum(axis=1).tolist() == [10.0, 0.0]
    assert one.downlink_gbit[0] == pytest.approx(600.0 * 100 / 1000)  # one link at a time
    two = access_from_positions(overhead, offsets, [st], site, up, 100.0, 2)
    # doubling the antennas doubles the downlink when the antenna is the bottleneck ...
    assert two.downlink_gbit[0] == pytest.approx(2 * one.downlink_gbit[0])
    assert two.antenna_s[0] == pytest.approx(1200.0) and two.contact_s[0] == pytest.approx(600.0)
    # ... and changes nothing when it is not (one satellite)
    single = access_from_positions(overhead[:1], offsets, [st], site, up, 100.0, 1)
    assert access_from_positions(overhead[:1], offsets, [st], site, up, 100.0, 2).downlink_gbit[0] == single.downlink_gbit[0]


def test_union_intervals():
    a, b = union_intervals(np.array([5.0, 0.0, 2.0, 10.0]), np.array([6.0, 3.0, 4.0, 11.0]))
    assert a.tolist() == [0.0, 5.0, 10.0] and b.tolist() == [4.0, 6.0, 11.0]


def test_time_to_next_contact_matches_a_direct_computation():
    rng = np.random.default_rng(5)
    n_sat, offsets = 4, np.arange(0, 1000, 10.0)
    aos = rng.uniform(0, 950, 12)
    los = aos + rng.uniform(5, 80, 12)
    w = Windows(rng.integers(0, 2, 12).astype(np.int32), rng.integers(0, n_sat - 1, 12).astype(np.int32),
                aos, los, np.zeros(12, bool), np.zeros(12, bool))
    got = time_to_next_contact(w, n_sat, offsets)
    for s in range(n_sat):
        for t, now in enumerate(offsets):
            mine = w.sat == s
            later = los[mine] >= now
            want = max(0.0, aos[mine][later].min() - now) if later.any() else np.inf
            assert got[s, t] == want
    assert np.all(np.isinf(got[n_sat - 1]))  # the satellite with no window never gets one


MISSION = mission_data(
    walker_shell("97.6:6/3/1", name="p", altitude_km=550, propagator="j2"),
    name="polar",
    analysis=dict(duration_s=21600, step_s=60),
    ground_stations=[ground_station("Svalbard", 78.23, 15.41, alt_m=450, min_elevation_deg=5)],
    buses={"default": {"downlink_mbps": 1200}},
)


@pytest.fixture(scope="module")
def polar():
    from core.orbits.ephemeris import build_ephemeris

    mission = mission_from(MISSION)
    return mission, build_ephemeris(mission)


def test_aos_los_agree_with_astropy_altaz(polar):
    """AOS/LOS within 1 s of the crossings of an astropy AltAz elevation on the propagated orbit."""
    import astropy.units as u
    from astropy.coordinates import GCRS, ITRS, AltAz, CartesianRepresentation, EarthLocation

    mission, eph = polar
    acc = compute_access(mission, eph)
    st = mission.ground_stations[0]
    loc = EarthLocation.from_geodetic(st.lon_deg * u.deg, st.lat_deg * u.deg, st.alt_m * u.m)
    inner = np.flatnonzero(~acc.window_aos_cut & ~acc.window_los_cut)
    assert inner.size >= 5
    for w in inner[:: max(1, inner.size // 5)]:
        sat = acc.window_sat[w]
        for edge, rising in ((acc.window_aos_s[w], True), (acc.window_los_s[w], False)):
            t = np.arange(np.floor(edge) - 30, np.floor(edge) + 31, 1.0)
            r_gcrs, _ = eph.states_eci(t, [sat])
            times = eph.time.at(t)
            gcrs = GCRS(CartesianRepresentation(r_gcrs[0].T * u.km), obstime=times)
            itrs = gcrs.transform_to(ITRS(obstime=times))
            topo = ITRS(itrs.cartesian - loc.get_itrs(times).cartesian, obstime=times, location=loc)
            alt = topo.transform_to(AltAz(obstime=times, location=loc)).alt.deg
            above = alt >= st.min_elevation_deg
            k = np.flatnonzero(above[1:] != above[:-1])
            assert k.size == 1, (edge, alt)
            k = int(k[0])
            assert above[k + 1] == rising
            crossing = t[k] + (st.min_elevation_deg - alt[k]) / (alt[k + 1] - alt[k])
            assert abs(crossing - edge) < 1.0


def test_compute_access_on_a_mission(polar):
    mission, eph = polar
    acc = compute_access(mission, eph)
    doc = acc.to_json()
    assert [d["station"] for d in doc] == ["Svalbard"]
    for key in ("passes", "contact_s", "max_gap_s", "downlink_gbit"):
        assert key in doc[0]
    assert json.loads(json.dumps(doc)) == doc
    assert doc[0]["passes_in_view"] == acc.window_sat.size > 0
    assert 0 < doc[0]["passes"] <= doc[0]["passes_in_view"]
    # one antenna, one rate: the downlink is the tracked time at 1.2 Gbit/s
    assert doc[0]["downlink_gbit"] == pytest.approx(acc.contact_s[0] * 1.2, rel=1e-6)
    assert acc.contact_s[0] == pytest.approx(acc.antenna_s[0]) and acc.contact_s[0] <= acc.in_view_s[0] + 1e-6
    # the served fraction on the grid carries exactly the access downlink
    assert acc.served_fraction.sum() * 60.0 * 1.2 == pytest.approx(acc.downlink_gbit[0], rel=1e-9)
    assert acc.served_fraction.max() <= 1.0
    assert acc.in_contact.shape == (1, eph.n_sat, eph.n_time)
    assert acc.time_to_next_contact_s.shape == (eph.n_sat, eph.n_time)
    # in contact on the grid <=> zero wait
    assert np.array_equal(acc.in_contact.any(axis=0), acc.time_to_next_contact_s == 0)
    assert acc.tables()[0].rows[0][0] == "Svalbard"


def test_no_ground_stations_no_access_section(polar):
    mission, eph = polar
    assert compute_access(mission.model_copy(update={"ground_stations": []}), eph) is None


def test_empty_and_never_visible():
    st = station(lat=-89.0, el=10.0)
    site, up = station_geometry([st])
    offsets = np.arange(0, 3600, 60.0)
    r = np.stack([circular_ecef(0.0, 550, 0, 0, offsets)])  # equatorial: never seen from the South Pole
    acc = access_from_positions(r, offsets, [st], site, up, 800.0)
    assert acc.to_json()[0]["passes"] == 0 and acc.contact_s[0] == 0.0
    assert acc.max_gap_s[0] == offsets[-1]
    assert np.all(np.isinf(acc.time_to_next_contact_s))
    none = access_from_positions(np.zeros((0, offsets.size, 3)), offsets, [st], site, up, 800.0)
    assert none.passes[0] == 0 and none.time_to_next_contact_s.shape == (0, offsets.size)


def test_mask_test_matches_elevation_angles_including_negative_masks():
    from core.analysis.elevation_mask import at_or_above_mask

    rng = np.random.default_rng(8)
    up = np.array([0.0, 0.0, 1.0])
    for _ in range(2000):
        d = rng.normal(size=3) * rng.uniform(1, 3000)
        mask_deg = rng.uniform(-10.0, 40.0)
        elevation_deg = np.degrees(np.arcsin(d @ up / np.linalg.norm(d)))
        if abs(elevation_deg - mask_deg) < 1e-9:
            continue
        assert at_or_above_mask(d[0], d[1], d[2], *up, np.sin(np.radians(mask_deg))) == (elevation_deg >= mask_deg)


def test_served_shares_per_block_equal_the_whole_served_fraction():
    """What the time to insight reads per block of satellites is the same rows of the whole array."""
    from core import api
    from core.orbits.ephemeris import build_ephemeris

    mission = api.load_preset("default")
    acc = compute_access(mission, build_ephemeris(mission, lazy=True))
    whole = acc.served_fraction
    shares = acc.served_shares
    assert shares.shape == whole.shape and whole.any()
    rows = np.array([5, 0, 59, 5, 17])
    np.testing.assert_array_equal(shares[rows], whole[rows])
    blocks = [shares[s0:s0 + 7] for s0 in range(0, whole.shape[0], 7)]
    np.testing.assert_array_equal(np.concatenate(blocks), whole)
    np.testing.assert_array_equal(shares.tracked(block_sats=11), whole > 0)
