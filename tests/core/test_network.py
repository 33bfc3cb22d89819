"""Network engine: ISL topology, ground links, shortest routes and the latency section."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csr_matrix

from core.analysis.latency import C_KM_S, compute_network, great_circle_km
from core.analysis.routing import route_changed, route_pairs, shortest_routes
from core.analysis.topology import (
    compute_topology,
    isl_active_over_time,
    nearest_neighbour_links,
    plus_grid_edges,
    walker_shell_edges,
)
from core.mission.model import Mission
from core.orbits import frames
from core.orbits.ephemeris import build_ephemeris

R_EQ = 6378.137


def _mission(constellations, pairs=(), duration_s=600.0, step_s=60.0, **extra) -> Mission:
    doc = dict(
        name="test",
        epoch="2026-03-20T00:00:00Z",
        analysis=dict(duration_s=duration_s, step_s=step_s, min_elevation_deg=25),
        constellations=constellations,
        latency_pairs=[list(p) for p in pairs],
    )
    doc.update(extra)
    return Mission.model_validate(doc)


def _equatorial(lon_deg, radius_km):
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    return np.stack([radius_km * np.cos(lon), radius_km * np.sin(lon), np.zeros_like(lon)], axis=-1)


# --------------------------------------------------------------------------------------
# Hand-built geometry with a known answer


class TestHandBuilt:
    """Satellites 550 km above the equator at longitudes 0, 10, 20, 30, 40; places on the
    equator (a sphere of the equatorial radius, local vertical radial) under the first and
    last. From 550 km a satellite 10 deg of longitude away stands at ~20 deg elevation, so
    each place sees only the satellite overhead with a 25 deg mask."""

    lons = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
    r_sat = R_EQ + 550.0

    def setup_method(self):
        self.r = _equatorial(self.lons, self.r_sat)[:, None, :]  # (5, 1, 3)
        self.place = _equatorial([0.0, 40.0], R_EQ)
        self.up = self.place / R_EQ
        self.chord = 2 * self.r_sat * np.sin(np.radians(5.0))  # 10 deg apart

    def _route(self, edges, max_range=None, isl_gbps=None, ground_gbps=None):
        edges = np.asarray(edges)
        active = isl_active_over_time(self.r, edges, max_range)
        return route_pairs(self.r, edges, active, self.place, self.up, [25.0, 25.0], [0], [1], isl_gbps, ground_gbps)

    def test_chain_route(self):
        routes = self._route([[0, 1], [1, 2], [2, 3], [3, 4]])
        assert routes.path_km[0, 0] == pytest.approx(2 * 550.0 + 4 * self.chord, rel=1e-12)
        assert routes.hops[0, 0] == 6
        start, n = routes.route_start[0, 0], routes.route_len[0, 0]
        assert routes.route_sats[start : start + n].tolist() == [0, 1, 2, 3, 4]

    def test_shortcut_taken_when_line_of_sight_clears(self):
        # 0-4 span 40 deg: the chord's lowest point is (R+550) cos 20 deg = 6510 km from the
        # centre, above R + 80 km, so the link exists and beats the chain.
        routes = self._route([[0, 1], [1, 2], [2, 3], [3, 4], [0, 4]])
        direct = 2 * self.r_sat * np.sin(np.radians(20.0))
        assert routes.path_km[0, 0] == pytest.approx(2 * 550.0 + direct, rel=1e-12)
        assert routes.hops[0, 0] == 3

    def test_range_limit_drops_the_shortcut(self):
        routes = self._route([[0, 1], [1, 2], [2, 3], [3, 4], [0, 4]], max_range=3000.0)
        assert routes.hops[0, 0] == 6

    def test_earth_blocks_long_links(self):
        r = _equatorial([0.0, 60.0, 0.0, 50.0], self.r_sat)[:, None, :]
        active = isl_active_over_time(r, np.array([[0, 1], [2, 3]]))
        # 60 deg: lowest point (R+550) cos 30 = 6000 km < R + 80; 50 deg: cos 25 -> 6279 < 6458
        assert active.tolist() == [[False, False]]
        r = _equatorial([0.0, 30.0], self.r_sat)[:, None, :]
        assert isl_active_over_time(r, np.array([[0, 1]])).tolist() == [[True]]

    def test_bottleneck(self):
        ones = np.ones(5)
        routes = self._route([[0, 1], [1, 2], [2, 3], [3, 4]], isl_gbps=10 * ones, ground_gbps=0.8 * ones)
        assert routes.bottleneck_gbps[0, 0] == pytest.approx(0.8)
        isl = 10 * ones
        isl[2] = 2.5
        routes = self._route([[0, 1], [1, 2], [2, 3], [3, 4]], isl_gbps=isl, ground_gbps=20 * ones)
        assert routes.bottleneck_gbps[0, 0] == pytest.approx(2.5)

    def test_unreachable_without_links(self):
        routes = self._route(np.zeros((0, 2), int))
        assert np.isinf(routes.path_km[0, 0]) and routes.hops[0, 0] == -1
        assert np.isnan(routes.bottleneck_gbps[0, 0]) and routes.route_len[0, 0] == 0


def test_no_relay_through_places():
    """Place C sees both satellites; A sees only the first, B only the second, and there is
    no ISL. A -> sat -> C -> sat -> B would be a route if places could relay."""
    r_sat = R_EQ + 550.0
    r = _equatorial([0.0, 20.0], r_sat)[:, None, :]
    places = _equatorial([-5.0, 25.0, 10.0], R_EQ)  # A, B, C
    masks = [25.0, 25.0, 10.0]  # C's low mask lets it see both satellites
    routes = route_pairs(r, np.zeros((0, 2), int), np.zeros((1, 0), bool), places, places / R_EQ, masks,
                         pair_from=[0, 0, 2], pair_to=[1, 2, 1])
    assert np.isinf(routes.path_km[0, 0])  # A -> B: unreachable, C does not relay
    assert np.isfinite(routes.path_km[1, 0]) and np.isfinite(routes.path_km[2, 0])  # A -> C, C -> B
    assert routes.hops[1, 0] == 2 and routes.hops[2, 0] == 2


# --------------------------------------------------------------------------------------
# Against networkx


@pytest.mark.parametrize("seed", range(6))
def test_shortest_routes_match_networkx_on_random_graphs(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    m = int(rng.integers(n, 4 * n))
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = a != b
    a, b = a[keep], b[keep]
    w = rng.uniform(0.1, 10.0, a.size)
    graph = csr_matrix((w, (a, b)), shape=(n, n))  # duplicates summed, as networkx below
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    coo = graph.tocoo()
    g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    sources = rng.integers(0, n, 8)
    targets = rng.integers(0, n, 8)
    dist, paths = shortest_routes(graph, sources, targets)
    for s, t, d, path in zip(sources, targets, dist, paths):
        try:
            ref = nx.dijkstra_path_length(g, int(s), int(t))
        except nx.NetworkXNoPath:
            assert np.isinf(d) and path == []
            continue
        assert d == pytest.approx(ref, rel=1e-12, abs=1e-12)
        assert path[0] == s and path[-1] == t
        assert sum(g[u][v]["weight"] for u, v in zip(path[:-1], path[1:])) == pytest.approx(ref, rel=1e-12)


def _min_geodetic_height_km(p, q, samples=4001):
    u = np.linspace(0.0, 1.0, samples)[:, None]
    _, _, h = frames.geodetic_from_ecef(p[None, :] * (1 - u) + q[None, :] * u)
    return h.min()


@pytest.mark.parametrize("seed", range(4))
def test_route_pairs_match_networkx_on_random_constellations(seed):
    """Random satellites, candidate links and places; the reference graph is built here
    independently (numpy elevations, sampled line-of-sight heights) and solved by networkx."""
    rng = np.random.default_rng(100 + seed)
    n_sat, n_place, n_time = 60, 5, 3
    alt = rng.uniform(400, 1500, (n_sat, n_time))
    v = rng.normal(size=(n_sat, n_time, 3))
    r = v / np.linalg.norm(v, axis=-1, keepdims=True) * (R_EQ + alt)[..., None]
    cand = np.unique(np.sort(rng.integers(0, n_sat, (4 * n_sat, 2)), axis=1), axis=0)
    cand = cand[cand[:, 0] != cand[:, 1]]
    lat, lon = rng.uniform(-60, 60, n_place), rng.uniform(-180, 180, n_place)
    place = frames.ecef_from_geodetic(lat, lon, 0.1)
    up = frames.up_vector(lat, lon)
    masks = rng.uniform(5, 30, n_place)
    pf, pt = rng.integers(0, n_place, 8), rng.integers(0, n_place, 8)
    active = isl_active_over_time(r, cand, 5000.0)
    routes = route_pairs(r, cand, active, place, up, masks, pf, pt)
    for t in range(n_time):
        g = nx.DiGraph()
        for e, (a, b) in enumerate(cand):
            d = np.linalg.norm(r[a, t] - r[b, t])
            h = _min_geodetic_height_km(r[a, t], r[b, t])
            if abs(h - 80.0) > 1.0:  # within 1 km of the threshold sampling cannot judge
                assert active[t, e] == (h > 80.0 and d <= 5000.0)
            if active[t, e]:
                g.add_edge(int(a), int(b), weight=d)
                g.add_edge(int(b), int(a), weight=d)
        for p in range(n_place):
            d = r[:, t] - place[p]
            rng_km = np.linalg.norm(d, axis=1)
            elev = np.degrees(np.arcsin(d @ up[p] / rng_km))
            for i in np.flatnonzero(elev >= masks[p]):
                g.add_edge(("send", p), int(i), weight=rng_km[i])
                g.add_edge(int(i), ("recv", p), weight=rng_km[i])
        for q in range(pf.size):
            src, dst = ("send", int(pf[q])), ("recv", int(pt[q]))
            try:
                ref = nx.dijkstra_path_length(g, src, dst)
            except (nx.NetworkXNoPath, nx.NodeNotFound):
                assert np.isinf(routes.path_km[q, t])
                continue
            assert routes.path_km[q, t] == pytest.approx(ref, rel=1e-12)
            s0, n = routes.route_start[q, t], routes.route_len[q, t]
            path = [src, *routes.route_sats[s0 : s0 + n].tolist(), dst]
            assert sum(g[u][v]["weight"] for u, v in zip(path[:-1], path[1:])) == pytest.approx(ref, rel=1e-12)
            assert routes.hops[q, t] == len(path) - 1


# --------------------------------------------------------------------------------------
# Topology


def test_plus_grid_counts_and_star_seam():
    edges, kind = plus_grid_edges(6, 10, "delta", 1)
    assert len(edges) == 120 and (kind == 0).sum() == 60 and (kind == 1).sum() == 60
    assert np.bincount(edges.ravel(), minlength=60).tolist() == [4] * 60
    edges, kind = plus_grid_edges(6, 10, "star", 1)
    plane = edges // 10
    assert len(edges) == 110 and not np.any((plane[:, 0] == 0) & (plane[:, 1] == 5))
    assert np.all(np.abs(plane[:, 0] - plane[:, 1]) <= 1)


def test_star_pattern_has_no_seam_links():
    mission = _mission([dict(name="s", walker="97:60/6/1", pattern="star", altitude_km=550, isl="plus-grid")], duration_s=120)
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    planes = eph.plane_index[topo.isl_edges]
    assert np.all(np.abs(planes[:, 0] - planes[:, 1]) <= 1)
    assert topo.n_edge == 60 + 50


def test_delta_wrap_links_are_congruent_with_inner_cross_links():
    """A Walker delta is symmetric under plane j -> j+1: the wrap links (last plane to plane 0,
    slot shifted by F) have exactly the lengths of the links between planes 0 and 1."""
    mission = _mission([dict(name="s", walker="53:1584/72/17", altitude_km=550, isl="plus-grid")], duration_s=60)
    eph = build_ephemeris(mission)
    sh = eph.shells[0]
    edges, kind = walker_shell_edges(sh.plane_index, sh.slot_index, sh.planes, sh.sats_per_plane, sh.pattern, sh.phasing)
    assert len(edges) == 2 * 1584
    pl = eph.plane_index[edges]
    r = eph.r_eci_km[:, 0]
    length = np.linalg.norm(r[edges[:, 0]] - r[edges[:, 1]], axis=1)
    wrap = np.sort(length[(pl[:, 0] == 0) & (pl[:, 1] == 71)])
    inner = np.sort(length[(pl[:, 0] == 0) & (pl[:, 1] == 1)])
    assert wrap.size == 22 and np.allclose(wrap, inner, rtol=1e-6)
    # ... and each wrap partner is the nearest satellite of plane 0 (F = 17 < P / 2)
    last = np.flatnonzero(eph.plane_index == 71)
    first = np.flatnonzero(eph.plane_index == 0)
    nearest = first[np.argmin(np.linalg.norm(r[last][:, None] - r[first][None], axis=-1), axis=1)]
    pairs = {tuple(e) for e in np.sort(np.stack([last, nearest], 1), axis=1).tolist()}
    assert pairs == {tuple(e) for e in edges[(pl[:, 0] == 0) & (pl[:, 1] == 71)].tolist()}


def test_nearest_neighbour_links_respect_terminals_and_pick_neighbours():
    # 12 satellites evenly spaced in one circular equatorial orbit: 2 terminals give the ring
    r = _equatorial(np.arange(12) * 30.0, R_EQ + 1200.0)[:, None, :]
    edges, active = nearest_neighbour_links(r, terminals=2)
    ring = {tuple(sorted((i, (i + 1) % 12))) for i in range(12)}
    assert {tuple(e) for e in edges[active[0]].tolist()} == ring
    # random cloud: the budget holds at every epoch and chosen links clear the Earth
    rng = np.random.default_rng(3)
    v = rng.normal(size=(80, 4, 3))
    r = v / np.linalg.norm(v, axis=-1, keepdims=True) * (R_EQ + 700.0)
    edges, active = nearest_neighbour_links(r, terminals=3, max_range_km=4000.0)
    for t in range(4):
        up = edges[active[t]]
        assert np.bincount(up.ravel(), minlength=80).max() <= 3
        assert np.all(np.linalg.norm(r[up[:, 0], t] - r[up[:, 1], t], axis=1) <= 4000.0)
        assert isl_active_over_time(r[:, t : t + 1], up).all()


def test_custom_satellites_get_nearest_neighbour_links():
    sats = [dict(name=f"s{k}", altitude_km=1200, inclination_deg=0, mean_anomaly_deg=30 * k) for k in range(12)]
    mission = _mission([dict(name="ring", satellites=sats, isl="plus-grid", isl_terminals=2)], duration_s=120)
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    for t in range(eph.n_time):
        links = topo.links_at(t)
        assert len(links) == 12 and np.bincount(links.ravel(), minlength=12).tolist() == [2] * 12


def test_route_changed_kernel():
    sats = np.array([1, 2, 1, 2, 1, 3, 5], np.int32)
    start = np.array([[0, 2, 4, 6, 6]])
    length = np.array([[2, 2, 2, 0, 1]], np.int32)
    assert route_changed(sats, start, length).tolist() == [[False, False, True, True, True]]


# --------------------------------------------------------------------------------------
# Whole analysis


@pytest.fixture(scope="module")
def walker_net():
    mission = _mission(
        [dict(name="shell-1", walker="53:1584/72/17", altitude_km=550, isl="plus-grid")],
        pairs=[("New York", "London"), ("London", "Singapore"), ("Tokyo", "Los Angeles"), ("Madrid", "Lisbon"),
               ("Fairbanks", "New York")],
        duration_s=1200,
        ground_stations=[dict(name="Fairbanks", lat_deg=64.86, lon_deg=-147.85, alt_m=200, min_elevation_deg=5)],
    )
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    return mission, eph, compute_network(mission, eph, topo), topo


def test_latency_never_below_great_circle(walker_net):
    _, _, net, _ = walker_net
    assert net.reachable[:4].all()
    ok = net.reachable
    assert np.all((net.latency_ms >= net.vacuum_ms[:, None])[ok])
    # and never below the straight chord between the two places
    chord = np.linalg.norm(net.place_ecef_km[net.pair_from] - net.place_ecef_km[net.pair_to], axis=1)
    assert np.all((net.latency_ms >= (chord / C_KM_S * 1e3)[:, None])[ok])
    # New York - London through Starlink shell 1 is about 21-23 ms (contract example)
    assert 20.0 < np.nanmin(net.latency_ms[0]) and np.nanmax(net.latency_ms[0]) < 24.0


def test_great_circle_and_baselines(walker_net):
    _, _, net, _ = walker_net
    # New York - London on a 6371 km sphere: about 5,570 km
    assert net.great_circle_km[0] == pytest.approx(5570, abs=15)
    assert net.fiber_ms[0] == pytest.approx(1.5 * net.vacuum_ms[0])
    assert great_circle_km(0, 0, 0, 90) == pytest.approx(np.pi / 2 * 6371.0)


def test_routes_are_consistent(walker_net):
    mission, eph, net, topo = walker_net
    links = {tuple(e) for e in topo.links_at(0).tolist()}
    for q in range(net.n_pair):
        for t in (0, net.n_time - 1):
            route = net.route_at(q, t)
            if not net.reachable[q, t]:
                assert route == [] and net.hops[q, t] == -1 and np.isnan(net.bottleneck_gbps[q, t])
                continue
            assert len(route) == net.hops[q, t] - 1
            for a, b in zip(route[:-1], route[1:]):
                assert (min(a, b), max(a, b)) in {tuple(e) for e in topo.links_at(t).tolist()}
            # path length recomputed from positions
            pts = np.vstack([net.place_ecef_km[net.pair_from[q]], eph.r_ecef_km[route, t], net.place_ecef_km[net.pair_to[q]]])
            km = np.linalg.norm(np.diff(pts, axis=0), axis=1).sum()
            assert net.latency_ms[q, t] == pytest.approx(km / C_KM_S * 1e3, rel=1e-12)
    assert len(links) == 3168
    assert net.route_at(("New York", "London"), 0) == net.route_at(0, 0)
    # default bus: 800 Mbit/s ground links are the bottleneck, 10 Gbit/s ISLs
    assert np.allclose(net.bottleneck_gbps[net.reachable], 0.8)


def test_station_uses_its_own_mask(walker_net):
    _, eph, net, _ = walker_net
    masks = dict(zip(net.place_names, net.place_min_elevation_deg))
    assert masks["Fairbanks"] == 5 and masks["New York"] == 25
    # Fairbanks (65 N) is near the edge of the 53 deg shell: reachable exactly when some
    # satellite stands at or above its own 5 deg mask (New York always has one), which is
    # more often than a 25 deg mask would allow
    k = net.place_names.index("Fairbanks")
    d = eph.r_ecef_km - net.place_ecef_km[k]
    up = frames.up_vector(64.86, -147.85)
    elev = np.degrees(np.arcsin(d @ up / np.linalg.norm(d, axis=-1)))
    assert np.array_equal(net.reachable[4], (elev >= 5.0).any(axis=0))
    assert net.reachable[4].mean() > (elev >= 25.0).any(axis=0).mean()


def test_to_json_and_tables(walker_net):
    _, _, net, _ = walker_net
    doc = net.to_json()
    json.dumps(doc, allow_nan=False)
    keys = {"from", "to", "min_ms", "median_ms", "max_ms", "reachable_fraction", "great_circle_km", "vacuum_ms",
            "fiber_ms", "mean_hops", "bottleneck_gbps", "route_changes", "route_flap_fraction", "unreachable_s"}
    assert all(set(e) == keys for e in doc)
    e = doc[0]
    assert (e["from"], e["to"]) == ("New York", "London")
    assert e["min_ms"] <= e["median_ms"] <= e["max_ms"] and e["reachable_fraction"] == 1.0
    assert 0 <= e["route_flap_fraction"] <= 1 and e["route_changes"] == int(net.route_changed[0].sum())
    (table,) = net.tables()
    assert len(table.rows) == net.n_pair and "fibre" in table.render().lower()


def test_unreachable_pairs_are_reported():
    # no ISLs: New York and Sydney never share a satellite
    mission = _mission([dict(name="s", walker="53:1584/72/17", altitude_km=550)], pairs=[("New York", "Sydney")], duration_s=120)
    eph = build_ephemeris(mission)
    net = compute_network(mission, eph, compute_topology(mission, eph))
    (e,) = net.to_json()
    assert e["reachable_fraction"] == 0.0 and e["min_ms"] is None and e["mean_hops"] is None
    assert e["route_changes"] == 0 and np.isnan(net.latency_ms).all() and net.route_at(0, 0) == []
    json.dumps(net.to_json(), allow_nan=False)
    assert "-" in net.tables()[0].render()


def test_no_pairs_gives_none():
    mission = _mission([dict(name="s", walker="53:60/6/1", altitude_km=550, isl="plus-grid")], duration_s=60)
    eph = build_ephemeris(mission)
    assert compute_network(mission, eph, compute_topology(mission, eph)) is None


def test_bounded_search_gives_the_exact_routes(walker_net):
    """Epoch by epoch, Dijkstra is limited by the previous epoch's routes; routing each
    epoch on its own (no limit) must give the same lengths."""
    mission, eph, net, topo = walker_net
    from core.analysis.latency import satellite_link_rates

    isl, ground = satellite_link_rates(mission, eph)
    up = frames.geodetic_from_ecef(net.place_ecef_km)
    up = frames.up_vector(up[0], up[1])
    for t in (1, 7, net.n_time - 1):
        single = route_pairs(eph.r_ecef_km, topo.isl_edges, topo.isl_active, net.place_ecef_km, up,
                             net.place_min_elevation_deg, net.pair_from, net.pair_to, isl, ground, epochs=[t])
        lat = np.where(np.isfinite(single.path_km[:, 0]), single.path_km[:, 0] / C_KM_S * 1e3, np.nan)
        np.testing.assert_allclose(lat, net.latency_ms[:, t], rtol=1e-12)


def test_no_links_across_shells():
    mission = _mission([dict(name="a", walker="53:60/6/1", altitude_km=550, isl="plus-grid"),
                        dict(name="b", walker="70:40/4/1", altitude_km=560, isl="plus-grid"),
                        dict(name="c", walker="40:20/2/1", altitude_km=600)], duration_s=60)
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    shell = eph.shell_index[topo.isl_edges]
    assert np.all(shell[:, 0] == shell[:, 1]) and not np.any(shell == 2)
    assert topo.n_edge == 120 + 80
