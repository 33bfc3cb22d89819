"""Traffic engine against a plain networkx + LP formulation, and its time per epoch on Starlink shell 1.

Run: ``.venv/bin/python benchmarks/traffic.py [--epochs 60] [--check-epochs 3]``

1. **Same answer.** On a small case (a 240-satellite +Grid shell, 12 cities, gravity demands
   both ways, 132 demands, a few epochs) every demand is routed by networkx's Dijkstra on a
   graph built here from the ISLs up at that epoch and the ground links found with plain
   numpy (elevation by arcsin), and the max-min fair rates are found by the textbook
   sequence of linear programmes (scipy HiGHS): maximise the common rate ``t`` of the
   unfrozen flows under the link capacities, then freeze each flow that cannot exceed
   ``t`` on its own, and repeat. The served rates must match the engine's.
2. **Time per epoch** of :func:`core.analysis.traffic.compute_traffic` on Starlink shell 1
   (1,584 satellites, 72 x 22, +Grid) with the 100 heaviest gravity pairs of the 15 most
   populous catalogue cities (one demand per pair), over ``--epochs`` epochs at 60 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analysis.topology import compute_topology
from core.analysis.traffic import compute_traffic, gravity_demands
from core.mission.model import Mission
from core.orbits.ephemeris import build_ephemeris

EPOCH = "2026-03-20T00:00:00Z"


def lp_max_min(paths_res: list[list[int]], capacity: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Max-min fair rates by a sequence of LPs (the formulation in Bertsekas & Gallager 6.5.2)."""
    from scipy.optimize import linprog

    n_f = len(paths_res)
    res_ids = sorted({r for p in paths_res for r in p if np.isfinite(capacity[r])})
    a = np.zeros((len(res_ids), n_f))
    where = {r: k for k, r in enumerate(res_ids)}
    for f, p in enumerate(paths_res):
        for r in p:
            if r in where:
                a[where[r], f] = 1.0
    c = capacity[res_ids]
    fixed = np.full(n_f, np.nan)
    while np.isnan(fixed).any():
        free = np.isnan(fixed)
        # variables: x (n_f) and t; maximise t
        obj = np.zeros(n_f + 1)
        obj[-1] = -1.0
        a_ub = [np.hstack([a, np.zeros((a.shape[0], 1))])]
        b_ub = [c]
        g = np.zeros((int(free.sum()), n_f + 1))  # t - x_f <= 0 for free flows
        g[np.arange(g.shape[0]), np.flatnonzero(free)] = -1.0
        g[:, -1] = 1.0
        a_ub.append(g)
        b_ub.append(np.zeros(g.shape[0]))
        bounds = [(fixed[f], fixed[f]) if not free[f] else (0, want[f] if np.isfinite(want[f]) else None) for f in range(n_f)]
        bounds.append((0, None))
        sol = linprog(obj, A_ub=np.vstack(a_ub), b_ub=np.concatenate(b_ub), bounds=bounds, method="highs")
        t = sol.x[-1]
        # freeze every free flow that cannot go above t while the others keep at least t
        for f in np.flatnonzero(free):
            obj_f = np.zeros(n_f + 1)
            obj_f[f] = -1.0
            bounds_f = [(fixed[k], fixed[k]) if not free[k] else (t, want[k] if np.isfinite(want[k]) else None) for k in range(n_f)]
            bounds_f.append((0, None))
            s = linprog(obj_f, A_ub=a_ub[0], b_ub=c, bounds=bounds_f, method="highs")
            if -s.fun <= t * (1 + 1e-7) + 1e-9:
                fixed[f] = t
    return fixed


def reference_epoch(nx, eph, topo, t, places, demands_idx, offered, ground_gbps):
    """networkx routes + LP sharing for one epoch; returns served rates per demand."""
    from core.orbits import frames

    r = eph.r_ecef_km[:, t]
    g = nx.DiGraph()
    on = topo.isl_edges[topo.isl_active[t]]
    for a, b in on:
        d = float(np.linalg.norm(r[a] - r[b]))
        g.add_edge(int(a), int(b), weight=d)
        g.add_edge(int(b), int(a), weight=d)
    lat = np.array([p.lat_deg for p in places])
    lon = np.array([p.lon_deg for p in places])
    site = frames.ecef_from_geodetic(lat, lon, np.zeros(lat.size)).reshape(-1, 3)
    up = frames.up_vector(lat, lon).reshape(-1, 3)
    for p in range(len(places)):
        d = r - site[p]
        dist = np.linalg.norm(d, axis=1)
        elev = np.degrees(np.arcsin(d @ up[p] / dist))
        for s in np.flatnonzero(elev >= places[p].min_elevation_deg):
            g.add_edge(("send", p), int(s), weight=float(dist[s]))
            g.add_edge(int(s), ("recv", p), weight=float(dist[s]))
    n_sat, n_edge = eph.n_sat, topo.n_edge
    edge_id = {(int(a), int(b)): e for e, (a, b) in enumerate(topo.isl_edges)}
    capacity = np.concatenate([np.repeat(topo.isl_capacity_gbps, 2), ground_gbps, ground_gbps, np.full(2 * len(places), np.inf)])
    flows, paths = [], []
    for q, (sp, dp) in enumerate(demands_idx):
        try:
            path = nx.dijkstra_path(g, ("send", sp), ("recv", dp))
        except nx.NetworkXNoPath:
            continue
        sats = path[1:-1]
        res = [2 * n_edge + sats[0], 2 * n_edge + n_sat + sats[-1]]
        for a, b in zip(sats[:-1], sats[1:]):
            e = edge_id[(min(a, b), max(a, b))]
            res.append(2 * e + (1 if a > b else 0))
        flows.append(q)
        paths.append(res)
    served = np.zeros(len(demands_idx))
    if flows:
        served[flows] = lp_max_min(paths, capacity, offered[flows])
    return served


def small_case(check_epochs: int) -> None:
    import networkx as nx

    from core.catalog.places import resolve_place

    cities = ["Tokyo", "Delhi", "Sao Paulo", "Mexico City", "Cairo", "New York", "London", "Lagos", "Moscow", "Sydney",
              "Los Angeles", "Johannesburg"]
    m = Mission.model_validate(dict(
        name="small", epoch=EPOCH, analysis=dict(duration_s=60.0 * (check_epochs - 1), step_s=60, min_elevation_deg=20),
        constellations=[dict(name="s", walker="53:240/12/1", altitude_km=1100, isl="plus-grid")],
        buses={"default": dict(isl_gbps=20, downlink_mbps=8000)},
        traffic=dict(gravity=dict(total_gbps=400, places=cities))))
    eph = build_ephemeris(m)
    topo = compute_topology(m, eph)
    compute_traffic(m, eph, topo)  # warm numba
    t0 = time.perf_counter()
    res = compute_traffic(m, eph, topo)
    t_ours = time.perf_counter() - t0
    names = [d.src for d in res.demands] + [d.dst for d in res.demands]
    order = list(dict.fromkeys(names))
    places = [resolve_place(m, n) for n in order]
    idx = [(order.index(d.src), order.index(d.dst)) for d in res.demands]
    from core.analysis.latency import satellite_link_rates

    _, ground = satellite_link_rates(m, eph)
    t0 = time.perf_counter()
    worst = 0.0
    for t in range(eph.n_time):
        ref = reference_epoch(nx, eph, topo, t, places, idx, res.offered_gbps, ground)
        worst = max(worst, float(np.max(np.abs(ref - res.served_gbps[:, t]))))
    t_ref = time.perf_counter() - t0
    print(f"small case: {eph.n_sat} satellites, {len(res.demands)} demands, {eph.n_time} epochs")
    print(f"  served rates, largest difference to networkx + LP: {worst:.2e} Gbit/s "
          f"({'same answer' if worst < 1e-6 else 'DIFFERENT'})")
    limited = int((res.served_gbps < res.offered_gbps[:, None] * (1 - 1e-9)).sum())
    print(f"  {limited} of {res.served_gbps.size} demand-epochs are limited by a full link (the rest fully served)")
    print(f"  time per epoch: ours {1e3 * t_ours / eph.n_time:.1f} ms, networkx + LP {1e3 * t_ref / eph.n_time:.0f} ms")


def starlink_case(epochs: int) -> None:
    demands = sorted(gravity_demands(1000.0, cities=15, both_directions=False), key=lambda d: -d.gbps)[:100]
    scale = 1000.0 / sum(d.gbps for d in demands)
    m = Mission.model_validate(dict(
        name="starlink", epoch=EPOCH, analysis=dict(duration_s=60.0 * (epochs - 1), step_s=60, min_elevation_deg=25),
        constellations=[dict(name="shell-1", walker="53:1584/72/17", altitude_km=550, isl="plus-grid")],
        buses={"default": dict(isl_gbps=100, downlink_mbps=20000)},
        traffic=dict(demands=[{"from": d.src, "to": d.dst, "gbps": d.gbps * scale} for d in demands])))
    eph = build_ephemeris(m)
    topo = compute_topology(m, eph)
    compute_traffic(m, eph, topo)  # warm numba
    t0, c0 = time.perf_counter(), time.process_time()
    res = compute_traffic(m, eph, topo)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    doc = res.to_json()
    print(f"Starlink shell 1: {eph.n_sat} satellites, {topo.n_edge} links, 100 city pairs, {eph.n_time} epochs")
    print(f"  time per epoch: wall {1e3 * wall / eph.n_time:.1f} ms, cpu {1e3 * cpu / eph.n_time:.1f} ms "
          f"(routing {1e3 * res.timings_s['routing'] / eph.n_time:.1f} ms, sharing {1e3 * res.timings_s['sharing'] / eph.n_time:.1f} ms)")
    print(f"  offered {doc['offered_gbps']:.0f} Gbit/s, served median {doc['served_gbps_median']:.0f} Gbit/s, "
          f"mean ISL utilisation {100 * doc['isl_utilisation_mean']:.2f} %, busiest ISL mean "
          f"{100 * max((e['utilisation_mean'] for e in doc['links'] if e['kind'] == 'isl'), default=0):.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--check-epochs", type=int, default=3)
    args = ap.parse_args()
    small_case(args.check_epochs)
    starlink_case(args.epochs)


if __name__ == "__main__":
    main()
