"""Traffic: max-min fair sharing against hand-computed allocations, routing and the results section."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from core.analysis.topology import Topology, compute_topology
from core.analysis.traffic import compute_traffic, gravity_demands, max_min_fair, traffic_over_time
from core.mission.model import Mission
from core.orbits.ephemeris import build_ephemeris

R_EQ = 6378.137


def test_max_min_on_a_hand_built_four_node_graph():
    # A -> B (10 Gbit/s), B -> C (4), C -> D (6). Flows: f1 A-B-C, f2 B-C-D, f3 C-D, f4 A-B (wants 5).
    # By hand: B-C splits 4 into 2 + 2 (f1, f2 stop there); C-D has 6 - 2 left for f3 alone: 4;
    # A-B has 10 - 2 left for f4, which wants only 5.
    ab, bc, cd = 0, 1, 2
    uses = [[ab, bc], [bc, cd], [cd], [ab]]
    inc = csr_matrix(([1.0] * 6, ([0, 0, 1, 1, 2, 3], [r for u in uses for r in u])), shape=(4, 3))
    rate, bottleneck = max_min_fair(inc, np.array([10.0, 4.0, 6.0]), np.array([np.inf, np.inf, np.inf, 5.0]))
    assert rate.tolist() == pytest.approx([2.0, 2.0, 4.0, 5.0])
    assert bottleneck.tolist() == [bc, bc, cd, -1]
    # without f4's limit it takes the rest of A-B: 8
    rate, bottleneck = max_min_fair(inc, np.array([10.0, 4.0, 6.0]), np.full(4, np.inf))
    assert rate.tolist() == pytest.approx([2.0, 2.0, 4.0, 8.0]) and bottleneck.tolist() == [bc, bc, cd, ab]


def test_max_min_is_fair_and_feasible_on_random_cases():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n_f, n_r = 12, 8
        dense = (rng.random((n_f, n_r)) < 0.3).astype(float)
        dense[np.arange(n_f), rng.integers(0, n_r, n_f)] = 1.0
        cap = rng.uniform(1, 10, n_r)
        want = np.where(rng.random(n_f) < 0.3, rng.uniform(0.1, 3, n_f), np.inf)
        rate, bott = max_min_fair(csr_matrix(dense), cap, want)
        load = dense.T @ rate
        assert np.all(load <= cap * (1 + 1e-9)) and np.all(rate <= want * (1 + 1e-12))
        # max-min: every flow not fully served has a full bottleneck on which it is a largest flow
        for f in range(n_f):
            if rate[f] < want[f] - 1e-9:
                r = bott[f]
                assert dense[f, r] == 1 and load[r] == pytest.approx(cap[r])
                assert rate[f] >= rate[dense[:, r] > 0].max() - 1e-9


def _ring_topology(isl_gbps: float = 10.0) -> Topology:
    """Five satellites linked in a chain, every link up at the one epoch."""
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 4]])
    return Topology(edges.astype(np.int32), np.ones((1, 4), bool), np.full(4, isl_gbps), np.zeros(4, np.int8))


def _ring_case(offered, isl_gbps=10.0, ground_gbps=100.0, gateway_gbps=None):
    """Satellites 550 km above the equator at longitudes 0..40 every 10 deg, linked in a chain;
    places under satellites 0, 2 and 4, each seeing only the satellite overhead (25 deg mask)."""
    lons = np.radians([0.0, 10.0, 20.0, 30.0, 40.0])
    r = np.stack([(R_EQ + 550) * np.cos(lons), (R_EQ + 550) * np.sin(lons), np.zeros(5)], axis=1)[:, None, :]
    place = np.stack([R_EQ * np.cos(lons[[0, 2, 4]]), R_EQ * np.sin(lons[[0, 2, 4]]), np.zeros(3)], axis=1)
    topo = _ring_topology(isl_gbps)
    src, dst = np.array([0, 1]), np.array([2, 2])  # A -> C and B -> C share the links 2-3, 3-4
    return traffic_over_time(r, topo, place, place / R_EQ, np.sin(np.radians([25.0] * 3)), np.full(3, np.inf), src, dst,
                             np.asarray(offered, dtype=float), np.full(5, ground_gbps), ["A", "B", "C"],
                             [f"s{i}" for i in range(5)], np.array([0.0]), gateway_gbps=gateway_gbps)


def test_two_demands_share_a_link_fairly():
    res = _ring_case([8.0, 8.0])
    assert res.served_gbps[:, 0].tolist() == pytest.approx([5.0, 5.0])
    assert res.isl_utilisation[0].tolist() == pytest.approx([0.5, 0.5, 1.0, 1.0])
    assert res.resource_names[next(iter(res.bottlenecks[0]))] in ("s2 -> s3", "s3 -> s4")
    res = _ring_case([3.0, 8.0])
    assert res.served_gbps[:, 0].tolist() == pytest.approx([3.0, 7.0])
    assert not res.bottlenecks[0]  # fully served
    res = _ring_case([8.0, 8.0], ground_gbps=6.0)  # the destination satellite's downlink is now the bottleneck
    assert res.served_gbps[:, 0].tolist() == pytest.approx([3.0, 3.0])
    assert res.resource_names[res.bottlenecks[1].most_common(1)[0][0]] == "s4 -> ground"


def test_gateway_capacity_is_shared_by_the_demands_of_a_place():
    # both demands end at C: its 4 Gbit/s gateway splits 2 + 2 before any link fills
    res = _ring_case([8.0, 8.0], gateway_gbps=4.0)
    assert res.served_gbps[:, 0].tolist() == pytest.approx([2.0, 2.0])
    assert {res.resource_names[r] for b in res.bottlenecks for r in b} == {"C gateway in"}
    assert res.to_json()["links"][-1]["kind"] == "gateway-in"


def test_gravity_model_follows_population_products():
    demands = gravity_demands(100.0, places=["Tokyo", "London", "Lagos"], both_directions=False)
    from core.catalog.cities import find_city

    pop = {n: find_city(n).population for n in ("Tokyo", "London", "Lagos")}
    total = pop["Tokyo"] * pop["London"] + pop["Tokyo"] * pop["Lagos"] + pop["London"] * pop["Lagos"]
    got = {(d.src, d.dst): d.gbps for d in demands}
    assert got[("Tokyo", "London")] == pytest.approx(100 * pop["Tokyo"] * pop["London"] / total)
    assert sum(got.values()) == pytest.approx(100.0)
    both = gravity_demands(100.0, cities=5)
    assert len(both) == 20 and sum(d.gbps for d in both) == pytest.approx(100.0)


def test_traffic_section_on_a_walker_shell():
    mission = Mission.model_validate(dict(
        name="t", epoch="2026-03-20T00:00:00Z", analysis=dict(duration_s=600, step_s=120, min_elevation_deg=25),
        constellations=[dict(name="s", walker="53:400/20/5", altitude_km=550, isl="plus-grid")],
        buses={"default": dict(isl_gbps=20, downlink_mbps=5000)},
        traffic=dict(demands=[{"from": "New York", "to": "London", "gbps": 30}, {"from": "London", "to": "New York", "gbps": 1}],
                     routing="k-shortest", paths=3)))
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    res = compute_traffic(mission, eph, topo)
    doc = res.to_json()
    json.dumps(doc, allow_nan=False)
    assert doc["offered_gbps"] == 31.0 and doc["paths"] == 3
    ny = doc["demands"][0]
    # served never beats the offer, and a split over up to 3 routes can carry more than one route's bottleneck
    assert 0 < ny["served_gbps_median"] <= 30.0
    assert doc["demands"][1]["served_gbps_min"] == pytest.approx(1.0) or doc["demands"][1]["unreachable_s"] > 0
    assert all(0 <= e["utilisation_max"] <= 1 + 1e-9 for e in doc["links"])
    assert res.isl_utilisation.shape == (res.offsets_s.size, topo.n_edge)
    single = compute_traffic(mission.model_copy(update={"traffic": mission.traffic.model_copy(update={"routing": "shortest"})}),
                             eph, topo)
    assert single.served_gbps[0].max() <= 5.0 + 1e-9  # one route: at most the 5 Gbit/s ground link
    assert res.served_gbps[0].max() >= single.served_gbps[0].max()


def test_csv_has_routes_and_traffic():
    from core.analysis.pipeline import run_analysis
    from core.export.csv import csv_tables

    mission = Mission.model_validate(dict(
        name="t", epoch="2026-03-20T00:00:00Z", analysis=dict(duration_s=240, step_s=120, min_elevation_deg=25),
        constellations=[dict(name="s", walker="53:400/20/5", altitude_km=550, isl="plus-grid")],
        latency_pairs=[["New York", "London"]],
        traffic=dict(demands=[{"from": "New York", "to": "London", "gbps": 3}])))
    results = run_analysis(mission)
    tables = csv_tables(results)
    lat = tables["latency.csv"]
    net = results.network
    for t in range(net.n_time):
        route = lat["route"].iloc[t]
        expect = "" if not np.isfinite(net.latency_ms[0, t]) else " > ".join(
            ["New York", *(results.ephemeris.names[k] for k in net.route_at(0, t)), "London"])
        assert route == expect
    assert lat["route"].str.startswith("New York > s-P").any()
    tr = tables["traffic.csv"]
    assert list(tr.columns)[-3:] == ["offered_gbps", "served_gbps", "reachable"] and len(tr) == results.traffic.offsets_s.size
    assert np.allclose(tr["served_gbps"], results.traffic.served_gbps[0].round(6))
    assert "traffic" in dict(results.sections())


@pytest.mark.parametrize("traffic, message", [
    ({"demands": [{"from": "New York", "to": "Atlantis", "gbps": 1}]}, "traffic.demands[0].to: unknown place 'Atlantis'"),
    ({"gravity": {"total_gbps": 10, "places": ["Tokyo", "Springfield-X"]}}, "traffic.gravity.places[1]: 'Springfield-X' is not a catalogue city"),
    ({}, "traffic: give either demands or gravity"),
    ({"demands": [{"from": "Tokyo", "to": "Tokyo", "gbps": 1}]}, "traffic.demands[0]: both ends are the same place"),
])
def test_bad_traffic_sections_are_reported(traffic, message):
    from core import api
    from core.mission.errors import MissionError

    doc = dict(name="t", epoch="2026-03-20T00:00:00Z",
               constellations=[dict(name="s", walker="53:40/4/1", altitude_km=550)], traffic=traffic)
    with pytest.raises(MissionError) as err:
        api.mission_from_dict(doc, "m.yaml")
    assert f"m.yaml: {message}" in str(err.value)


def test_a_demand_without_any_route_says_so():
    """Five satellites stacked above the North Pole; places on the equator see none of them."""
    topo = _ring_topology()
    over_pole = np.zeros((5, 1, 3)) + np.array([0.0, 0.0, 9000.0])
    places = np.array([[R_EQ, 0, 0], [0, R_EQ, 0], [-R_EQ, 0, 0]])
    lonely = traffic_over_time(over_pole, topo, places, places / R_EQ, np.sin(np.radians([25.0] * 3)), np.full(3, np.inf),
                               np.array([0]), np.array([2]), np.array([1.0]), np.full(5, 10.0), ["A", "B", "C"],
                               [f"s{i}" for i in range(5)], np.array([0.0]))
    entry = lonely.to_json()["demands"][0]
    assert entry["served_gbps_median"] == 0.0 and entry["unreachable_s"] == 0.0  # one epoch stands for no time
    assert entry["reason"] == "no route at any epoch: served 0"


def test_traffic_stage_can_be_cancelled():
    from core.analysis.pipeline import Cancelled, run_analysis

    mission = Mission.model_validate(dict(
        name="t", epoch="2026-03-20T00:00:00Z", analysis=dict(duration_s=600, step_s=60, min_elevation_deg=25),
        constellations=[dict(name="s", walker="53:40/4/1", altitude_km=550, isl="plus-grid")],
        traffic=dict(demands=[{"from": "New York", "to": "London", "gbps": 3}])))
    seen = []
    with pytest.raises(Cancelled, match="traffic"):
        run_analysis(mission, progress=lambda stage, f: seen.append(stage), cancel=lambda: "traffic" in seen[-1:])


def test_traffic_and_link_keys_survive_save_and_load():
    from core import api

    m = api.mission_from_dict(dict(
        name="t", epoch="2026-03-20T00:00:00Z",
        constellations=[dict(name="s", walker="53:40/4/1", altitude_km=550, isl_shift=1)],
        cities=[dict(name="A", lat_deg=1, lon_deg=2, max_range_km=900)],
        traffic=dict(demands=[{"from": "New York", "to": "London", "gbps": 3}], routing="k-shortest")))
    text = api.dumps_mission(m)
    assert "from: New York" in text and "from_" not in text
    assert api.loads_mission(text, "x.yaml") == m
