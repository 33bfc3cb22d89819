"""Time to insight on constructed cases with hand-computed waits (core.analysis.insight)."""

import numpy as np
import pytest

from core.analysis import insight
from tests.core.factories import edited, ground_station, make_mission, mission_data, mission_from, walker_shell

MADRID = ground_station("Madrid", 40.4, -3.7, min_elevation_deg=5)

STEP = 60.0


def one_station_contact(n_sat=1):
    """One hour (61 epochs); contact during grid intervals 10..14, i.e. t = 600 .. 900 s."""
    contact = np.zeros((n_sat, 61), bool)
    contact[:, 10:15] = True
    return contact


def analysed_inputs(mission, eph, access=None):
    """What the pipeline hands compute_insight: access (given or computed), topology and compute."""
    from core.analysis.access import compute_access
    from core.analysis.compute import size_compute
    from core.analysis.topology import compute_topology

    return (compute_access(mission, eph) if access is None else access), compute_topology(mission, eph), size_compute(mission, eph)


def run(contact, ready, size, **kw):
    ptr = np.array([0, len(ready)])
    args = dict(step_s=STEP, contact=contact, ptr=ptr, ready_s=np.array(ready, float), size_bytes=np.array(size, float),
                downlink_mbps=8.0, processing_bytes_per_s=10e6, output_ratio=0.01, ground_processing_s=1800.0)
    args.update(kw)
    return insight.insight_from_arrays(**args)


def test_one_satellite_one_station_hand_waits():
    # downlink 8 Mbit/s = 1e6 B/s; each contact carries 300 s x 1e6 = 3e8 B; the pattern repeats every 3600 s
    res = run(one_station_contact(), ready=[120.0, 700.0], size=[30e6, 200e6])
    # 2.3e8 B arrive per hour against 3e8 B of contact: the queue keeps up and empties every contact,
    # so the steady state is the first hour. Traditional: capture 1 downlinked 600..630 s; capture 2
    # starts at 700 s and has its 2e8 B down at 900 s; then 1800 s on the ground
    assert res.traditional_s.tolist() == pytest.approx([630 + 1800 - 120, 900 + 1800 - 700])
    # in orbit (no ISL): processed at 10 MB/s -> done 123 s and 720 s; results 0.3 MB and 2 MB
    # wait for the own contact: 600 + 0.3 = 600.3 s; 720 s is in contact: 720 + 2 = 722 s
    assert res.processed_s.tolist() == pytest.approx([123.0, 720.0])
    assert res.in_orbit_s.tolist() == pytest.approx([600.3 - 120, 722.0 - 700])
    j = res.to_json()
    assert j["traditional"]["stable"] and j["in_orbit"]["stable"]
    assert j["traditional"]["backlog_growth_gbit_per_day"] == 0.0 and j["traditional"]["reason"] is None
    assert j["traditional"]["median_s"] == pytest.approx((2310.0 + 2000.0) / 2)
    assert j["speedup_median"] == pytest.approx(2155.0 / ((480.3 + 22.0) / 2))
    assert j["downlink_reduction"] == pytest.approx(100.0)
    # 230 MB in one hour -> 24 x 230e6 x 8 / 1e9 Gbit per day; 3e8 B an hour of capacity
    assert j["traditional"]["downlink_gbit_per_day"] == pytest.approx(24 * 230e6 * 8 / 1e9)
    assert j["downlink_capacity_gbit_per_day"] == pytest.approx(24 * 3e8 * 8 / 1e9)


def test_a_downlink_that_cannot_keep_up_has_no_median():
    # 3.3e8 B an hour against 3e8 B: the backlog grows by 3e7 B an hour = 5.76 Gbit a day
    res = run(one_station_contact(), ready=[120.0, 700.0], size=[30e6, 300e6])
    j = res.to_json()
    t = j["traditional"]
    assert t["stable"] is False
    assert t["backlog_growth_gbit_per_day"] == pytest.approx(24 * 3e7 * 8 / 1e9)
    assert t["median_s"] is None and t["p95_s"] is None and t["mean_s"] is None
    assert t["reason"].startswith("the downlink cannot keep up: the backlog grows by 0.00576 Tbit a day")
    assert j["in_orbit"]["stable"] and j["in_orbit"]["median_s"] is not None
    assert j["speedup_median"] is None
    assert res.tables()[1].rows[0][1].startswith("the downlink cannot keep up")
    # the waits kept for plots are the first hour from an empty queue: capture 2 finishes in the next contact
    assert res.traditional_s.tolist() == pytest.approx([630 + 1800 - 120, 4300 + 1800 - 700])


def test_steady_state_excludes_the_warm_up():
    # one contact per hour (600 .. 900 s) carrying 3e8 B; 2e8 B ready at 590 s and 0.9e8 B at 880 s.
    # From empty: capture 1 is down at 800 s; capture 2 gets 0.2e8 B by 900 s and its last 0.7e8 B
    # at 600 + 70 s of the next hour. In steady state that 0.7e8 B residue goes first in every
    # contact: capture 1 is down at 600 + 70 + 200 = 870 s (not 800 s); capture 2 is unchanged.
    res = run(one_station_contact(), ready=[590.0, 880.0], size=[2e8, 0.9e8])
    j = res.to_json()["traditional"]
    assert j["stable"] and j["steady_state"] and j["warmup_windows"] >= 2
    assert res.traditional_s.tolist() == pytest.approx([870 + 1800 - 590, 3600 + 670 + 1800 - 880])
    # a capture counts on board until it is fully down: just after 590 s the previous hour's capture 2
    # (0.9e8 B) and capture 1 (2e8 B); at the hour's end capture 2 (0.9e8 B)
    assert res.backlog_peak_gbit[0] == pytest.approx(2.9e8 * 8 / 1e9)
    assert res.backlog_end_gbit[0] == pytest.approx(0.9e8 * 8 / 1e9)


def test_in_orbit_routes_over_isl_to_satellite_in_contact():
    # satellite 0 is never in contact; satellite 1 always is, one hop away
    contact = np.zeros((2, 61), bool)
    contact[1] = True
    hops = np.where(contact, 0, 1).astype(np.int32)
    ptr = np.array([0, 1, 1])
    res = insight.insight_from_arrays(
        step_s=STEP, contact=contact, ptr=ptr, ready_s=np.array([100.0]), size_bytes=np.array([50e6]),
        downlink_mbps=8.0, processing_bytes_per_s=10e6, output_ratio=0.01, ground_processing_s=0.0,
        hops=hops, has_isl=np.array([True, True]), isl_gbps=1.0, hop_light_s=0.002)
    # done 100 + 5 = 105 s; 0.5 MB: one hop 2 ms + 4e6 bit / 1e9 = 4 ms; downlink 4e6 / 8e6 = 0.5 s
    assert res.in_orbit_s[0] == pytest.approx(5.0 + 0.002 + 0.004 + 0.5)
    # without ISL satellite 0 never reaches the ground within the horizon
    res2 = insight.insight_from_arrays(
        step_s=STEP, contact=contact, ptr=ptr, ready_s=np.array([100.0]), size_bytes=np.array([50e6]),
        downlink_mbps=8.0, processing_bytes_per_s=10e6, output_ratio=0.01, ground_processing_s=0.0)
    assert np.isinf(res2.in_orbit_s[0]) and np.isinf(res2.traditional_s[0])
    assert res.to_json()["in_orbit"]["stable"] and not res2.to_json()["in_orbit"]["stable"]
    assert res2.to_json()["traditional"]["median_s"] is None
    assert res2.to_json()["traditional"]["undelivered_fraction"] == 1.0


def test_traditional_builds_backlog_when_capacity_is_short():
    # raw: a 60 s capture of 60e6 B every 120 s = 1.8e9 B per hour; contacts carry 3e8 B per hour
    ptr, ready = insight.capture_schedule(1, 3600.0, 60.0, np.array([0.5]))
    size = np.full(ready.size, 60e6)
    res = run(one_station_contact(), ready=ready, size=size, ptr=ptr)
    j = res.to_json()["traditional"]
    assert j["stable"] is False and j["median_s"] is None
    assert j["backlog_growth_gbit_per_day"] == pytest.approx(24 * (1.8e9 - 3e8) * 8 / 1e9)  # 288 Gbit a day
    w = res.traditional_s
    done = w + ready
    assert np.all(np.diff(done) > 0)  # FIFO
    # each contact drains 5 captures while 30 arrive per hour: the waits keep growing
    assert w[-1] > w[0] + 3600
    # backlog at the end of the hour = what arrived minus what one contact carried
    arrived = size.sum()
    assert res.backlog_end_gbit[0] * 1e9 / 8 == pytest.approx(arrived - 3e8, rel=0.05)


def test_traditional_has_no_backlog_when_capacity_suffices():
    ptr, ready = insight.capture_schedule(1, 3600.0, 60.0, np.array([0.05]))
    res = run(one_station_contact(), ready=ready, size=np.full(ready.size, 1e6), ptr=ptr, downlink_mbps=800.0)
    assert np.all(np.isfinite(res.traditional_s))
    # every capture leaves in the first contact after it: the wait never exceeds one period
    assert res.traditional_s.max() <= 3600.0 + 1800.0
    # what is on board at the end is only what arrived after the contact ended at 900 s
    assert res.backlog_end_gbit[0] * 1e9 / 8 == pytest.approx(1e6 * np.sum(ready > 900.0))


def test_in_orbit_queues_when_compute_is_short():
    contact = np.ones((1, 61), bool)  # always in contact: only the compute queue matters
    ready = np.arange(60.0, 3600.0, 60.0)  # one 60 s capture per minute
    size = np.full(ready.size, 1.2e9)  # 20 MB/s raw
    res = run(contact, ready=ready, size=size, processing_bytes_per_s=10e6, downlink_mbps=8000.0)
    # 120 s of processing per 60 s capture: capture k finishes at 60 + 120 (k + 1)
    expected_done = 60.0 + 120.0 * (np.arange(ready.size) + 1)
    assert res.processed_s == pytest.approx(expected_done)
    j = res.to_json()["in_orbit"]
    assert not j["stable"] and j["reason"].startswith("the on-board compute cannot keep up")
    assert res.to_json()["traditional"]["stable"]
    assert np.all(np.diff(res.in_orbit_s) == pytest.approx(60.0))  # the wait grows a minute per capture
    # with enough compute the wait stays flat
    fast = run(contact, ready=ready, size=size, processing_bytes_per_s=1e9, downlink_mbps=8000.0)
    assert np.ptp(fast.in_orbit_s) == pytest.approx(0.0, abs=1e-9)


def test_hops_to_contact_on_a_ring():
    # ring of 6 satellites; only satellite 0 in contact; edge 2-3 down at epoch 1
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [0, 5]], np.int64)
    active = np.ones((2, 6), bool)
    active[1, 2] = False
    contact = np.zeros((6, 2), bool)
    contact[0] = True
    h = insight.hops_to_contact(6, edges, active, contact)
    assert h[:, 0].tolist() == [0, 1, 2, 3, 2, 1]
    assert h[:, 1].tolist() == [0, 1, 2, 3, 2, 1]
    active[1, 4] = False  # 4-5 down too: 3 and 4 are cut off
    h = insight.hops_to_contact(6, edges, active, contact)
    assert h[:, 1].tolist() == [0, 1, 2, -1, -1, 1]


def test_compute_insight_on_a_small_mission():
    from core.orbits.ephemeris import build_ephemeris

    data = mission_data(walker_shell("53:240/12/1", altitude_km=550, isl="plus-grid"), name="insight test",
                        analysis=dict(duration_s=10800, step_s=60), ground_stations=[MADRID])
    mission = mission_from(data)
    eph = build_ephemeris(mission)
    res = insight.compute_insight(mission, eph, *analysed_inputs(mission, eph))
    j = res.to_json()
    assert set(("traditional", "in_orbit", "speedup_median", "downlink_reduction")) <= set(j)
    assert j["in_orbit"]["median_s"] is not None
    assert j["downlink_reduction"] == pytest.approx(1000.0)
    no_isl = mission_from(edited(data, {"constellations.0.isl": "none"}))
    j2 = insight.compute_insight(no_isl, eph_no := build_ephemeris(no_isl), *analysed_inputs(no_isl, eph_no)).to_json()
    # one antenna cannot track 240 satellites in 3 h: without ISLs most results never reach the ground,
    # with ISLs every result reaches whichever satellite the antenna tracks
    assert j["in_orbit"]["stable"] and j["in_orbit"]["reason"] is None
    assert not j2["in_orbit"]["stable"] and j2["in_orbit"]["reason"].startswith("the downlink cannot keep up")
    assert j2["in_orbit"]["median_s"] is None and j2["speedup_median"] is None
    no_stations = mission_from({k: v for k, v in data.items() if k != "ground_stations"})
    assert insight.compute_insight(no_stations, eph, None, None, None) is None


def test_contacts_come_from_the_access_analysis():
    """Insight has no contact model of its own: it reads access's antenna schedule."""
    import dataclasses

    from core.analysis.access import compute_access
    from core.orbits.ephemeris import build_ephemeris

    mission = make_mission(walker_shell("53:24/4/1", altitude_km=550), name="access agreement",
                           analysis=dict(duration_s=7200, step_s=60), ground_stations=[MADRID])
    eph = build_ephemeris(mission)
    access = compute_access(mission, eph)
    normal = insight.compute_insight(mission, eph, *analysed_inputs(mission, eph, access)).to_json()
    assert normal["traditional"]["undelivered_fraction"] < 1.0
    assert normal["downlink_capacity_gbit_per_day"] == pytest.approx(access.downlink_gbit_per_day, rel=1e-9)
    blind = dataclasses.replace(access, window_track_start_s=np.full_like(access.window_track_start_s, np.nan))  # never tracked
    never = insight.compute_insight(mission, eph, *analysed_inputs(mission, eph, blind)).to_json()
    assert never["traditional"]["undelivered_fraction"] == 1.0 and not never["traditional"]["stable"]


def test_quantiles_match_numpy_and_keep_undelivered_captures_infinite():
    from core.analysis.insight import _quantiles

    rng = np.random.default_rng(5)
    v = rng.exponential(600.0, size=10_001)
    assert _quantiles(v, (0.5, 0.95)) == pytest.approx(list(np.quantile(v, [0.5, 0.95])), rel=1e-12)
    w = rng.exponential(600.0, size=1_000)
    assert _quantiles(w, (0.5, 0.95)) == pytest.approx(list(np.quantile(w, [0.5, 0.95])), rel=1e-12)
    w[:100] = np.inf  # 10 % undelivered: the median is finite, the 95th percentile is not
    median, p95 = _quantiles(w, (0.5, 0.95))
    assert np.isfinite(median) and p95 == np.inf


def test_wait_histogram_shares_add_up_to_the_delivered_fraction():
    from core.analysis.insight import ArrayCaptures, InsightResult

    waits = np.array([10.0, 100.0, 1000.0, np.inf])
    res = InsightResult(captures=ArrayCaptures([0, 4], np.zeros(4)), traditional_s=waits, in_orbit_s=waits / 10,
                        processed_s=np.zeros(4), backlog_end_gbit=np.zeros(1), backlog_peak_gbit=np.zeros(1),
                        raw_gbit_per_day=1.0, result_gbit_per_day=0.1, downlink_capacity_gbit_per_day=10.0,
                        duration_s=86400.0, horizon_s=86400.0)
    edges, pct = res.wait_histogram(20)
    assert edges.size == 21 and edges[0] < 0.0 < 3.0 < edges[-1]  # log10 of 1 s .. 1000 s inside
    assert pct["traditional"].sum() == pytest.approx(75.0) and pct["in_orbit"].sum() == pytest.approx(75.0)
    assert res.wait_histogram(20)[0] is edges  # computed once


def test_wait_histogram_matches_numpy_on_many_waits():
    from core.analysis.insight import ArrayCaptures, InsightResult

    rng = np.random.default_rng(11)
    trad = 10 ** rng.uniform(1.0, 5.0, 50_000)
    trad[::7] = np.inf
    orbit = 10 ** rng.uniform(-1.0, 3.0, 50_000)
    z = np.zeros(trad.size)
    res = InsightResult(captures=ArrayCaptures([0, z.size], z), traditional_s=trad, in_orbit_s=orbit, processed_s=z,
                        backlog_end_gbit=np.zeros(1), backlog_peak_gbit=np.zeros(1), raw_gbit_per_day=1.0,
                        result_gbit_per_day=0.1, downlink_capacity_gbit_per_day=10.0, duration_s=86400.0, horizon_s=86400.0)
    edges, pct = res.wait_histogram(60)
    finite = np.log10(np.concatenate([trad[np.isfinite(trad)], orbit]))
    assert edges[0] == pytest.approx(finite.min() - 0.1) and edges[-1] == pytest.approx(finite.max() + 0.1)
    for key, waits in (("traditional", trad), ("in_orbit", orbit)):
        want = 100.0 * np.histogram(np.log10(waits[np.isfinite(waits)]), bins=edges)[0] / waits.size
        assert np.abs(pct[key] - want).sum() <= 100.0 * 2 / waits.size  # at most a value on a bin edge moved


def _default_mission(sensor_rate_mbps: float, duration_s: float):
    from core.catalog.presets import preset_path
    from core.mission.io import load_mission

    mission = load_mission(preset_path("default"))
    bus = mission.buses["eo-orin"].model_copy(update={"sensor_rate_mbps": sensor_rate_mbps})
    return mission.model_copy(update={"buses": {"eo-orin": bus},
                                      "analysis": mission.analysis.model_copy(update={"duration_s": duration_s})})


@pytest.fixture(scope="module")
def default_insight_by_window():
    """The default mission (and a lighter-sensor variant whose downlink keeps up) over 1 and 2 days."""
    from core.orbits.ephemeris import build_ephemeris

    out = {}
    for rate in (800.0, 100.0):
        for days in (1, 2):
            mission = _default_mission(rate, days * 86400.0)
            out[rate, days] = insight.compute_insight(mission, eph := build_ephemeris(mission), *analysed_inputs(mission, eph)).to_json()
    return out


def test_default_mission_says_its_downlink_cannot_keep_up(default_insight_by_window):
    for days in (1, 2):
        t = default_insight_by_window[800.0, days]["traditional"]
        # 60 satellites x 800 Mbit/s x 0.3 = 1,244 Tbit a day of raw data against ~270 Tbit of antenna time
        assert t["stable"] is False and t["median_s"] is None and t["p95_s"] is None
        assert t["backlog_growth_gbit_per_day"] == pytest.approx(1244160.0 - 270000.0, rel=0.01)
        assert "the downlink cannot keep up: the backlog grows by" in t["reason"]
        assert default_insight_by_window[800.0, days]["speedup_median"] is None
    # the growth is a property of the design, not of the window
    a, b = (default_insight_by_window[800.0, d]["traditional"]["backlog_growth_gbit_per_day"] for d in (1, 2))
    assert a == pytest.approx(b, rel=0.01)


def test_steady_state_medians_do_not_depend_on_the_window(default_insight_by_window):
    one, two = default_insight_by_window[100.0, 1], default_insight_by_window[100.0, 2]
    for path in ("traditional", "in_orbit"):
        assert one[path]["stable"] and two[path]["stable"] and one[path]["steady_state"]
        assert two[path]["median_s"] == pytest.approx(one[path]["median_s"], rel=0.05)
    assert two["speedup_median"] == pytest.approx(one["speedup_median"], rel=0.05)


def one_sat(sensor_rate_mbps: float) -> dict:
    """One equatorial satellite (two-body) over one equatorial station for a day at 30 s."""
    return mission_data(
        walker_shell("0:1/1/0", name="eq", altitude_km=550, propagator="two-body"),
        name="one satellite, one station",
        analysis=dict(duration_s=86400, step_s=30),
        buses={"default": {"sensor_rate_mbps": sensor_rate_mbps, "sensor_duty": 0.1, "downlink_mbps": 800}},
        ground_stations=[ground_station("Equator", 0.0, 0.0, min_elevation_deg=5)],
        workload={"ops_per_byte": 1000, "capture_s": 60},
    )


def test_one_equatorial_satellite_over_one_equatorial_station_by_hand():
    """Contacts you can count: an equatorial orbit passes straight over an equatorial station once
    per synodic period, each pass lasting the central angle of the 5 deg mask at the relative rate."""
    from core.analysis.access import compute_access
    from core.orbits.ephemeris import build_ephemeris

    mission = mission_from(one_sat(900))
    eph = build_ephemeris(mission)
    acc = compute_access(mission, eph)
    r_e, mu, h = 6378.137, 398600.4418, 550.0
    n = np.sqrt(mu / (r_e + h) ** 3)
    rel = n - 7.2921159e-5  # prograde: the station turns with the satellite
    e = np.radians(5.0)
    half = np.arccos(r_e * np.cos(e) / (r_e + h)) - e  # Earth central angle from the station to the mask
    pass_s = 2 * half / rel
    inner = ~acc.window_aos_cut & ~acc.window_los_cut
    assert acc.passes[0] == acc.passes_in_view[0] == acc.window_sat.size  # one satellite: every pass is tracked
    assert abs(acc.passes[0] - 86400.0 * rel / (2 * np.pi)) <= 1.0  # 14 passes a day
    assert acc.window_duration_s[inner] == pytest.approx(np.full(inner.sum(), pass_s), abs=2.0)
    # the downlink is the tracked time at 800 Mbit/s, and it is the insight capacity
    assert acc.downlink_gbit[0] == pytest.approx(acc.contact_s[0] * 0.8, rel=1e-9)
    res = insight.compute_insight(mission, eph, *analysed_inputs(mission, eph, acc)).to_json()
    assert res["downlink_capacity_gbit_per_day"] == pytest.approx(acc.downlink_gbit_per_day, rel=1e-9)
    # raw data: 900 Mbit/s x 0.1 duty = 7,776 Gbit a day, against 14 x 632 s x 800 Mbit/s = 7,075 Gbit
    assert acc.downlink_gbit_per_day == pytest.approx(14 * pass_s * 0.8, rel=0.01)
    capacity = res["downlink_capacity_gbit_per_day"]
    t = res["traditional"]
    assert t["stable"] is False
    assert t["backlog_growth_gbit_per_day"] == pytest.approx(t["downlink_gbit_per_day"] - capacity, rel=1e-6)
    # a 400 Mbit/s imager (3,456 Gbit a day) keeps up: a steady median, at most one synodic period + processing
    light = mission_from(one_sat(400))
    t = insight.compute_insight(light, eph, *analysed_inputs(light, eph)).to_json()["traditional"]
    assert t["stable"] and t["steady_state"] and t["reason"] is None
    assert 1800.0 < t["median_s"] < 2 * np.pi / rel + 1800.0 + 600.0
