"""Compute load with the service and the offloaded captures counted (core.analysis.compute_load)."""

from types import SimpleNamespace

import numpy as np
import pytest

from core.analysis import compute_load
from core.analysis.compute import HardwareInfo
from tests.core.factories import ground_station, make_mission, walker_shell

HW = HardwareInfo("orin", "Orin", 100.0, 60.0, 15.0, 0.3, "", "", False)
SHELL = SimpleNamespace(tops_per_satellite=20.0, hardware=HW, compute_units=1, idle_power=True)


def test_offloaded_bytes_become_tops_at_the_helper():
    # 2e13 bytes in a 1e4 s window at 1000 ops/byte: 2e13 x 1e3 / 1e4 / 1e12 = 2 TOPS
    mission = SimpleNamespace(workload=SimpleNamespace(ops_per_byte=1000.0))
    off = SimpleNamespace(plan_src=np.array([0]), plan_helper=np.array([1]), plan_bytes=np.array([2e13]))
    taken, given = compute_load.offload_in_tops(mission, 3, SimpleNamespace(offloaded=off, duration_s=1e4))
    assert list(taken) == [0.0, 2.0, 0.0] and list(given) == [2.0, 0.0, 0.0]


def test_load_by_hand():
    # three satellites needing 10 TOPS each for their own captures; satellite 0 delivers only 8 and
    # hands 2 to satellite 1, which also serves 5 TOPS of ground requests.
    ld = compute_load.shell_load("s", SHELL, np.full(3, 10.0), np.array([0.0, 5.0, 0.0]), np.array([0.0, 2.0, 0.0]),
                                 np.array([2.0, 0.0, 0.0]), np.array([8.0, 20.0, 20.0]))
    assert ld.load_tops_max == pytest.approx(17.0)           # 10 + 2 + 5
    assert ld.load_tops_mean == pytest.approx(35.0 / 3)       # (8 + 17 + 10) / 3
    assert ld.service_tops_mean == pytest.approx(5.0 / 3)
    assert ld.load_utilization_max == pytest.approx(1.0)      # satellite 0: 8 of 8
    assert ld.load_utilization_mean == pytest.approx(35.0 / 48.0)
    assert ld.over_committed_satellites == 0 and ld.reason is None
    # payload power at the mean load: 15 + (60 - 15) x (35/3) / 20 W
    assert ld.power_w_with_load == pytest.approx(15.0 + 45.0 * 35.0 / 60.0)


def test_a_satellite_asked_for_more_than_it_delivers_is_over_committed():
    ld = compute_load.shell_load("s", SHELL, np.full(2, 10.0), np.array([12.0, 0.0]), np.zeros(2), np.zeros(2),
                                 np.array([20.0, 20.0]))
    assert ld.over_committed_satellites == 1
    assert ld.load_utilization_max == pytest.approx(22.0 / 20.0)
    assert "over-committed: 1 satellites" in ld.reason


WALKER_SHELL = walker_shell("53:120/10/1", isl="plus-grid")
SETTINGS = {"duration_s": 3600, "step_s": 120, "min_elevation_deg": 25, "coverage_grid_deg": 10}


def load_mission():
    """The service demand on a 120-satellite shell with one station (the tests' shared mission)."""
    return make_mission(
        WALKER_SHELL, name="load test", analysis=SETTINGS, buses={"default": {"sensor_duty": 0.1}},
        ground_stations=[ground_station(lon_deg=15.39, min_elevation_deg=5)],
        service={"demand": [{"place": "London", "tops": 300}, {"place": "Nairobi", "tops": 100}],
                 "request_kb": 4, "response_kb": 4, "ops_per_request": 1.0e11})


def test_pipeline_counts_the_served_demand_in_the_compute_load():
    from core.analysis.pipeline import results_document, run_analysis

    r = run_analysis(load_mission())
    doc = results_document(r)
    c = doc["compute"][0]
    # what the requests use, summed over the satellites, is the demand served (mean over the window)
    served_tops = doc["service"]["served_fraction"] * doc["service"]["demand_tops"]
    assert c["service_tops_per_satellite"] * r.ephemeris.n_sat == pytest.approx(served_tops, rel=1e-9)
    # offloading moves work between satellites and creates none: the mean load is EO + service
    assert c["load_tops_per_satellite"] == pytest.approx(c["required_tops_per_satellite"] + c["service_tops_per_satellite"])
    assert c["load_tops_per_satellite"] > c["required_tops_per_satellite"]
    assert c["power_w_with_load"] > c["power_w"]
    assert any(t.title.startswith("Compute load") for t in r.compute.tables())


def test_requests_do_not_use_the_spare_that_offloaded_captures_took():
    from core.analysis import delivered, power, service, topology
    from core.analysis.compute import size_compute
    from core.orbits.ephemeris import build_ephemeris

    m = load_mission()
    eph = build_ephemeris(m)
    comp = size_compute(m, eph)
    comp = comp.__class__(comp.shells, delivered.compute_delivered(m, eph, power.compute_power(m, eph, year_days=30.0), comp))
    topo = topology.compute_topology(m, eph)
    alone = service.compute_service(m, eph, topo, comp)
    busiest = int(np.argmax(alone.used_tops_mean))
    assert alone.used_tops_mean[busiest] > 0
    # the busiest server takes in captures that need all its spare (nameplate less its own work)
    sc = comp.shells[0]
    spare_tops = sc.tops_per_satellite - sc.required_tops_per_satellite
    window_s = 3600.0
    nbytes = spare_tops * 1e12 * window_s / m.workload.ops_per_byte
    other = (busiest + 1) % eph.n_sat
    off = SimpleNamespace(plan_src=np.array([other]), plan_helper=np.array([busiest]), plan_bytes=np.array([nbytes]))
    shared = service.compute_service(m, eph, topo, comp, SimpleNamespace(offloaded=off, duration_s=window_s))
    assert shared.used_tops_mean[busiest] == pytest.approx(0.0, abs=1e-9)
    # capacity is ample: the same demand is served, by other satellites
    assert shared.used_tops_mean.sum() == pytest.approx(alone.used_tops_mean.sum(), rel=1e-6)
