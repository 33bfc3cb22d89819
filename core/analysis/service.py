"""Serving ground users: the constellation as a cloud, against the nearest terrestrial cloud region.

The mission's ``service:`` section asks for compute from the ground: per place
(``demand: [{place, tops}]``) or spread over the city catalogue's most populous cities in
proportion to population (``population_weighted: {total_tops, cities}``). A request of
``request_kb`` needs ``ops_per_request`` operations and returns ``response_kb``; a place asking
for ``X`` TOPS sends ``X x 1e12 / ops_per_request`` requests a second.

At every epoch of the analysis grid:

1. **Up.** Each place's requests go up to the nearest satellite in view (at or above the
   mission's ``min_elevation_deg`` and within the place's ground-link range, as for latency;
   the slant range at the speed of light). A place that sees
   no satellite is not served at that epoch.
2. **Over the ISLs to spare compute.** From that entry satellite, the satellites are taken
   nearest first in path length over the inter-satellite links up at that epoch (Dijkstra,
   ``scipy.sparse.csgraph``, link lengths at the speed of light; the network analysis' links,
   :mod:`core.analysis.topology`). Each has *spare delivered compute*: its delivered TOPS
   (:mod:`core.analysis.delivered`, the power analysis' energy model) minus what its own
   Earth-observation workload needs, counting the captures it hands to or takes from
   neighbours when offloading (:mod:`core.analysis.compute_load`). Requests fill a satellite up to ``max_utilization`` of its
   spare, then go on to the next; places are served in order of decreasing demand and share
   capacity first come, first served. What no reachable satellite can take is **not served**.
3. **Queue and compute.** A satellite serving requests at utilisation ``rho`` of its spare
   ``S`` (TOPS) computes one in ``t_s = ops_per_request / (S x 1e12)`` and queues it for
   ``rho t_s / (2 (1 - rho))`` (M/D/1 mean wait: Poisson arrivals, fixed work per request).
4. **Back.** The response returns over the same path to the entry satellite (in view of the
   user during the epoch) and down. Each ground hop adds the serialisation of the request and
   the response at the bus' ``downlink_mbps``; ISL serialisation of kB messages at Gbit/s is
   microseconds and not counted.

Response time = uplink + ISL path + queue + compute + ISL path back + downlink (+ ground
serialisation). The percentiles (p50/p95/p99) are over requests (weighted by demand), over the
served requests only. The terrestrial reference of a place is the same request sent by fibre
(2/3 c along the great circle) to the nearest public cloud region of
``resources/cloud_regions.yaml`` and back: propagation only, no queue or compute, so it is a
lower bound for the ground.

The service map
    The ground is cut into cells of :data:`CELL_DEG` degrees of latitude and longitude (cell
    ``(i, j)`` spans latitudes ``[-90 + i d, -90 + (i + 1) d)`` and longitudes
    ``[-180 + j d, -180 + (j + 1) d)``). A cell's p50/p95 response time is the demand-weighted
    percentile of the served requests of the places inside it, over the window. A cell without
    demand is empty (``nan``); a cell with demand of which nothing is ever served is
    *unreachable*, because its places never see a satellite or because no reachable satellite
    has spare compute (``cell_status``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from typing import TYPE_CHECKING

from core.constants import C_KM_S, FIBRE_KM_S
from core.mission.model import Mission
from core.orbits.ephemeris import Ephemeris

if TYPE_CHECKING:
    from core.analysis.compute import ComputeResult
    from core.analysis.insight import InsightResult
    from core.analysis.topology import Topology

SEARCH_KM = 12000.0
"""First reach of the ISL search from a place's entry satellite; widened where demand is left over."""

CONVERGED_ORBITS = 3.5
"""Orbits the window must hold for the served fraction and percentiles to stay within their stated
accuracy when the window doubles (measured: docs/models/service-delivered-offload.md)."""

CELL_DEG = 5.0
"""Side of a service-map cell, degrees of latitude and of longitude (a 36 x 72 grid)."""

CELL_EMPTY, CELL_SERVED, CELL_NOT_IN_VIEW, CELL_NO_SPARE = 0, 1, 2, 3
CELL_STATUS = {CELL_EMPTY: "no demand", CELL_SERVED: "served", CELL_NOT_IN_VIEW: "unreachable: no satellite in view",
               CELL_NO_SPARE: "unreachable: no spare compute in reach"}
"""What a cell's ``cell_status`` code means."""


def cell_of(lat_deg: np.ndarray, lon_deg: np.ndarray, cell_deg: float = CELL_DEG) -> tuple[np.ndarray, np.ndarray]:
    """Row (latitude) and column (longitude) of the service-map cell holding each point.

    >>> cell_of(np.array([-90.0, 51.5, 90.0]), np.array([-180.0, -0.1, 180.0]))
    (array([ 0, 28, 35]), array([ 0, 35, 71]))
    """
    n_lat, n_lon = round(180.0 / cell_deg), round(360.0 / cell_deg)
    i = np.clip(np.floor((np.asarray(lat_deg, float) + 90.0) / cell_deg).astype(np.int64), 0, n_lat - 1)
    j = np.clip(np.floor((np.asarray(lon_deg, float) + 180.0) / cell_deg).astype(np.int64), 0, n_lon - 1)
    return i, j


@lru_cache(maxsize=1)
def cloud_regions() -> tuple[tuple[str, float, float], ...]:
    """(name, lat_deg, lon_deg) of every public cloud region city in ``resources/cloud_regions.yaml``."""
    import yaml

    from core.resources import resource_path

    with open(resource_path("cloud_regions.yaml"), encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    return tuple((str(r["name"]), float(r["lat_deg"]), float(r["lon_deg"])) for r in doc["regions"])


def terrestrial_ms(lat_deg: float, lon_deg: float) -> tuple[str, float]:
    """Nearest cloud region and the round trip to it by fibre (2/3 c on the great circle), ms."""
    from core.analysis.latency import great_circle_km

    regions = cloud_regions()
    lat = np.array([r[1] for r in regions])
    lon = np.array([r[2] for r in regions])
    d = great_circle_km(lat_deg, lon_deg, lat, lon)
    k = int(np.argmin(d))
    return regions[k][0], float(2.0 * d[k] / FIBRE_KM_S * 1000.0)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Quantiles of ``values`` with ``weights`` (the smallest value whose cumulative weight reaches q)."""
    if values.size == 0 or weights.sum() <= 0:
        return [float("nan")] * len(qs)
    order = np.argsort(values, kind="stable")
    v, w = values[order], np.cumsum(weights[order])
    w /= w[-1]
    return [float(v[min(int(np.searchsorted(w, q - 1e-12)), v.size - 1)]) for q in qs]


@njit(cache=True, nogil=True)
def allocate(order, demand, entry_row, dist, spare, max_util, out_place, out_sat, out_tops, out_km):
    """Fill spare compute nearest first (see the module docstring).

    ``order`` places by decreasing demand; ``entry_row[p]`` the row of ``dist`` (path km from
    the place's entry satellite to every satellite; -1: no satellite in view); ``spare`` TOPS
    per satellite. Writes the assignments into the ``out_*`` buffers and returns their count,
    the TOPS used per satellite and the TOPS left unserved per place.
    """
    n_sat = spare.shape[0]
    used = np.zeros(n_sat)
    unmet = np.zeros(demand.size)
    m = 0
    for p in order:
        row = entry_row[p]
        if row < 0:
            continue
        need = demand[p]
        reach = np.flatnonzero(np.isfinite(dist[row]))
        near = reach[np.argsort(dist[row][reach])]
        for i in near:
            if need <= 0.0:
                break
            room = spare[i] * max_util - used[i]
            if room <= 0.0:
                continue
            take = min(room, need)
            used[i] += take
            need -= take
            if m < out_place.size:
                out_place[m] = p
                out_sat[m] = i
                out_tops[m] = take
                out_km[m] = dist[row, i]
                m += 1
        unmet[p] = need
    return m, used, unmet


@dataclass(frozen=True, eq=False)
class ServiceResult:
    """Service figures: per place and overall, and time series for plots.

    ``served_over_time`` (n_time,) served share of the demand at each epoch;
    ``utilization`` (n_sat,) mean share of each satellite's delivered compute that requests use;
    ``place_served`` / ``place_p50_ms`` per place; ``used_tops_mean`` (n_sat,) mean TOPS the
    requests use on each satellite. The service map (see the module docstring): ``cell_deg``,
    ``cell_p50_ms`` / ``cell_p95_ms`` (n_lat, n_lon; ``nan`` where empty or unreachable),
    ``cell_demand_tops`` (0 where empty), ``cell_served`` (served share; ``nan`` where empty) and
    ``cell_status`` (int8, :data:`CELL_STATUS`).
    """

    places: tuple[str, ...]
    place_lat_deg: np.ndarray
    place_lon_deg: np.ndarray
    demand_tops: np.ndarray
    place_served: np.ndarray
    place_p50_ms: np.ndarray
    place_p95_ms: np.ndarray
    terrestrial: tuple[tuple[str, float], ...]
    served_fraction: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    served_over_time: np.ndarray
    utilization: np.ndarray
    requests_per_s: float
    place_not_in_view: np.ndarray
    used_tops_mean: np.ndarray
    cell_deg: float
    cell_p50_ms: np.ndarray
    cell_p95_ms: np.ndarray
    cell_demand_tops: np.ndarray
    cell_served: np.ndarray
    cell_status: np.ndarray
    window_orbits: float = float("inf")

    @property
    def lat_edges_deg(self) -> np.ndarray:
        """Latitude edges of the map's rows (n_lat + 1,)."""
        return np.linspace(-90.0, 90.0, self.cell_p50_ms.shape[0] + 1)

    @property
    def lon_edges_deg(self) -> np.ndarray:
        """Longitude edges of the map's columns (n_lon + 1,)."""
        return np.linspace(-180.0, 180.0, self.cell_p50_ms.shape[1] + 1)

    def cells_json(self) -> list[dict]:
        """The cells with demand, south to north then west to east (see ``docs/results.md``)."""
        out = []
        lat_c = self.lat_edges_deg[:-1] + self.cell_deg / 2.0
        lon_c = self.lon_edges_deg[:-1] + self.cell_deg / 2.0
        cell_i, cell_j = cell_of(self.place_lat_deg, self.place_lon_deg, self.cell_deg)
        for i, j in zip(*np.nonzero(self.cell_status != CELL_EMPTY)):
            p50, p95 = self.cell_p50_ms[i, j], self.cell_p95_ms[i, j]
            out.append({
                "lat_deg": float(lat_c[i]), "lon_deg": float(lon_c[j]),
                "demand_tops": float(self.cell_demand_tops[i, j]), "served_fraction": float(self.cell_served[i, j]),
                "p50_ms": float(p50) if np.isfinite(p50) else None, "p95_ms": float(p95) if np.isfinite(p95) else None,
                "status": CELL_STATUS[int(self.cell_status[i, j])],
                "places": [name for name, a, b in zip(self.places, cell_i, cell_j) if a == i and b == j],
            })
        return out

    def to_json(self) -> dict:
        def num(x):
            return float(x) if np.isfinite(x) else None

        reason = None if self.served_fraction > 0 else "no request is served: no satellite in view or no spare delivered compute"
        return {
            "served_fraction": float(self.served_fraction),
            "p50_ms": num(self.p50_ms),
            "p95_ms": num(self.p95_ms),
            "p99_ms": num(self.p99_ms),
            "reason": reason,
            "demand_tops": float(self.demand_tops.sum()),
            "requests_per_s": float(self.requests_per_s),
            "not_in_view_fraction": float(np.average(self.place_not_in_view, weights=self.demand_tops)),
            "utilization_mean": float(self.utilization.mean()) if self.utilization.size else 0.0,
            "utilization_max": float(self.utilization.max()) if self.utilization.size else 0.0,
            "window_orbits": num(self.window_orbits),
            "window_note": None if self.window_orbits >= CONVERGED_ORBITS else (
                f"the window holds {self.window_orbits:.1f} orbits: the served fraction and response times sample too few "
                f"geometries and may move with a longer window (they converge from about {CONVERGED_ORBITS:g} orbits)"),
            "cell_deg": float(self.cell_deg),
            "cells": self.cells_json(),
            "places": [
                {"place": name, "demand_tops": float(d), "served_fraction": float(s), "p50_ms": num(p50),
                 "p95_ms": num(p95), "terrestrial_ms": float(t[1]), "terrestrial_region": t[0],
                 "not_in_view_fraction": float(nv)}
                for name, d, s, p50, p95, t, nv in zip(self.places, self.demand_tops, self.place_served, self.place_p50_ms,
                                                       self.place_p95_ms, self.terrestrial, self.place_not_in_view)
            ],
        }

    def tables(self) -> list:
        from core.analysis.tables import Table

        j = self.to_json()

        def ms(x):
            return "n/a" if x is None else round(x, 1)

        rows = [[p["place"], round(p["demand_tops"], 1), round(p["served_fraction"], 4), ms(p["p50_ms"]), ms(p["p95_ms"]),
                 round(p["terrestrial_ms"], 1), p["terrestrial_region"]] for p in j["places"]]
        rows.append(["all", round(j["demand_tops"], 1), round(j["served_fraction"], 4), ms(j["p50_ms"]), ms(j["p95_ms"]),
                     f"p99 {ms(j['p99_ms'])}", ""])
        return [Table("Service to ground users (vs fibre to the nearest cloud region)",
                      ["place", "demand TOPS", "served", "p50 ms", "p95 ms", "fibre ms", "cloud region"], rows)]


def service_places(mission: Mission) -> list[tuple[str, float, float, float]]:
    """(name, lat_deg, lon_deg, tops) of every place with demand."""
    from core.catalog.cities import city_catalog
    from core.catalog.places import resolve_place

    svc = mission.service
    if svc is None:
        return []
    if svc.population_weighted is not None:
        cities = sorted(city_catalog().values(), key=lambda c: -c.population)[: svc.population_weighted.cities]
        total = float(sum(c.population for c in cities))
        return [(c.name, c.lat_deg, c.lon_deg, svc.population_weighted.total_tops * c.population / total) for c in cities]
    out = []
    for item in svc.demand:
        p = resolve_place(mission, item.place)
        out.append((p.name, p.lat_deg, p.lon_deg, float(item.tops)))
    return out


def compute_service(mission: Mission, eph: Ephemeris, topology: Topology, compute: ComputeResult,
                    insight: InsightResult | None = None) -> ServiceResult | None:
    """Serve the mission's ``service`` demand epoch by epoch (see the module docstring).

    ``insight`` (:mod:`core.analysis.insight`), when given, supplies the offloading plan: the
    captures a satellite takes in from saturated neighbours use its spare before requests do.
    """
    if mission.service is None:
        return None
    from core.analysis.topology import visible_from_places
    from core.orbits import frames

    svc = mission.service
    places = service_places(mission)
    n_place, n_sat, n_time = len(places), eph.n_sat, eph.n_time
    lat = np.array([p[1] for p in places])
    lon = np.array([p[2] for p in places])
    demand = np.array([p[3] for p in places])
    place_km = np.ascontiguousarray(frames.ecef_from_geodetic(lat, lon, np.zeros(n_place)).reshape(-1, 3))
    place_up = np.ascontiguousarray(frames.up_vector(lat, lon).reshape(-1, 3))
    sin_mask = np.full(n_place, np.sin(np.radians(mission.analysis.min_elevation_deg)))
    from core.analysis.latency import place_range_km

    range_km = np.array([place_range_km(mission, p[0]) for p in places], dtype=float)
    r = eph.r_ecef_km

    # spare delivered compute: delivered TOPS minus the satellite's own workload and what it took in
    from core.analysis.compute_load import offload_in_tops

    taken, given = offload_in_tops(mission, n_sat, insight)
    need_eo = np.zeros(n_sat)
    ground_bps = np.zeros(n_sat)
    for shell in eph.shells:
        sc = compute.shells[shell.index]
        need_eo[shell.sat_slice] = min(sc.required_tops_per_satellite, sc.tops_per_satellite)
        ground_bps[shell.sat_slice] = mission.bus_for(mission.constellations[shell.index]).downlink_mbps * 1e6
    need_eo = np.maximum(need_eo - given, 0.0) + taken
    dlv = getattr(compute, "delivered", None)
    if dlv is not None:
        delivered = dlv.tops
    else:
        delivered = np.broadcast_to(np.array([s.tops_per_satellite for s in compute.shells])[eph.shell_index][:, None], (n_sat, n_time))
    edges = np.asarray(topology.isl_edges, dtype=np.int64) if topology is not None and topology.n_edge else np.zeros((0, 2), np.int64)
    msg_bits = (svc.request_kb + svc.response_kb) * 8e3
    order = np.argsort(-demand, kind="stable").astype(np.int64)
    vis = np.zeros((n_place, n_sat), dtype=np.bool_)
    cap = n_place * n_sat  # a place takes each satellite at most once per epoch
    buf = (np.zeros(cap, np.int64), np.zeros(cap, np.int64), np.zeros(cap), np.zeros(cap))
    served = np.zeros((n_place, n_time))
    not_in_view = np.zeros(n_place)
    use_sum = np.zeros(n_sat)
    used_sum = np.zeros(n_sat)
    samples_ms, samples_w, samples_p = [], [], []
    for t in range(n_time):
        visible_from_places(r, t, place_km, place_up, sin_mask, range_km, vis)
        slant = np.linalg.norm(r[None, :, t, :] - place_km[:, None, :], axis=-1)
        slant = np.where(vis, slant, np.inf)
        entry = np.argmin(slant, axis=1)
        seen = np.isfinite(slant[np.arange(n_place), entry])
        not_in_view += ~seen
        if not seen.any():
            continue
        sources, entry_row = np.unique(entry[seen], return_inverse=True)
        row = np.full(n_place, -1, np.int64)
        row[seen] = entry_row
        if edges.shape[0] and topology.isl_active.shape[0] > t:
            act = edges[np.asarray(topology.isl_active[t], bool)]
            w = np.linalg.norm(r[act[:, 0], t] - r[act[:, 1], t], axis=-1)
            g = csr_matrix((np.concatenate([w, w]), (np.concatenate([act[:, 0], act[:, 1]]), np.concatenate([act[:, 1], act[:, 0]]))),
                           shape=(n_sat, n_sat))
            # search near the entry first; widen a search whose place is left short (same result)
            dist = dijkstra(g, directed=True, indices=sources, limit=SEARCH_KM)
            limited = np.ones(sources.size, bool)
        else:
            g = None
            dist = np.full((sources.size, n_sat), np.inf)
            dist[np.arange(sources.size), sources] = 0.0
            limited = np.zeros(sources.size, bool)
        spare = np.maximum(np.asarray(delivered[:, t], float) - need_eo, 0.0)
        while True:
            m, used, unmet = allocate(order, demand, row, np.ascontiguousarray(dist), spare, float(svc.max_utilization), *buf)
            short = np.unique(row[(unmet > 1e-12 * demand) & (row >= 0)])
            short = short[limited[short]]
            if short.size == 0:
                break
            dist[short] = dijkstra(g, directed=True, indices=sources[short])
            limited[short] = False
        use_sum += np.divide(used, delivered[:, t], out=np.zeros(n_sat), where=delivered[:, t] > 0)
        used_sum += used
        if m == 0:
            continue
        p_idx, s_idx, tops, km = (b[:m].copy() for b in buf)  # the buffers are reused at the next epoch
        np.add.at(served[:, t], p_idx.astype(np.intp), tops)
        rho = used[s_idx] / spare[s_idx]
        t_s = svc.ops_per_request / (spare[s_idx] * 1e12)
        wait = rho * t_s / (2.0 * (1.0 - rho))
        up_km = slant[p_idx, entry[p_idx]]
        resp = 2.0 * (up_km + km) / C_KM_S + wait + t_s + 2.0 * msg_bits / ground_bps[entry[p_idx]]
        samples_ms.append(resp * 1000.0)
        samples_w.append(tops)
        samples_p.append(p_idx)
    ms = np.concatenate(samples_ms) if samples_ms else np.zeros(0)
    wts = np.concatenate(samples_w) if samples_w else np.zeros(0)
    pl = np.concatenate(samples_p) if samples_p else np.zeros(0, np.int64)
    p50, p95, p99 = weighted_quantiles(ms, wts, (0.5, 0.95, 0.99))
    place_p50, place_p95 = np.full(n_place, np.nan), np.full(n_place, np.nan)
    for p in range(n_place):
        sel = pl == p
        if sel.any():
            place_p50[p], place_p95[p] = weighted_quantiles(ms[sel], wts[sel], (0.5, 0.95))
    total = demand.sum() * n_time
    place_served = served.sum(axis=1) / (demand * n_time)
    cells = service_cells(lat, lon, demand, place_served, not_in_view / max(n_time, 1), ms, wts, pl)
    return ServiceResult(
        places=tuple(p[0] for p in places), place_lat_deg=lat, place_lon_deg=lon, demand_tops=demand,
        place_served=place_served, place_p50_ms=place_p50, place_p95_ms=place_p95,
        terrestrial=tuple(terrestrial_ms(a, b) for a, b in zip(lat, lon)),
        served_fraction=float(served.sum() / total) if total > 0 else 0.0,
        p50_ms=p50, p95_ms=p95, p99_ms=p99,
        served_over_time=served.sum(axis=0) / demand.sum(), utilization=use_sum / max(n_time, 1),
        requests_per_s=float(demand.sum() * 1e12 / svc.ops_per_request),
        place_not_in_view=not_in_view / max(n_time, 1), used_tops_mean=used_sum / max(n_time, 1),
        cell_deg=CELL_DEG, **cells,
        window_orbits=float((n_time - 1) * eph.time.step_s / max(sh.period_s for sh in eph.shells)) if eph.shells else 0.0,
    )


def service_cells(lat_deg: np.ndarray, lon_deg: np.ndarray, demand_tops: np.ndarray, place_served: np.ndarray,
                  place_not_in_view: np.ndarray, ms: np.ndarray, weights: np.ndarray, sample_place: np.ndarray,
                  cell_deg: float = CELL_DEG) -> dict[str, np.ndarray]:
    """The service map's arrays (the ``cell_*`` fields of :class:`ServiceResult`).

    ``ms``/``weights``/``sample_place``: response time, served TOPS and place of every served
    sample; a cell's percentiles are over the samples of its places.
    """
    n_lat, n_lon = round(180.0 / cell_deg), round(360.0 / cell_deg)
    ci, cj = cell_of(lat_deg, lon_deg, cell_deg)
    flat = ci * n_lon + cj
    size = n_lat * n_lon
    dem = np.bincount(flat, weights=demand_tops, minlength=size)
    got = np.bincount(flat, weights=demand_tops * place_served, minlength=size)
    dark = np.bincount(flat, weights=demand_tops * place_not_in_view, minlength=size)
    p50, p95 = np.full(size, np.nan), np.full(size, np.nan)
    sample_cell = flat[sample_place] if sample_place.size else np.zeros(0, np.int64)
    for c in np.unique(sample_cell):
        sel = sample_cell == c
        p50[c], p95[c] = weighted_quantiles(ms[sel], weights[sel], (0.5, 0.95))
    status = np.full(size, CELL_EMPTY, np.int8)
    has = dem > 0
    status[has] = CELL_SERVED
    never = has & (got <= 0)
    status[never & (dark >= dem * (1 - 1e-9))] = CELL_NOT_IN_VIEW
    status[never & (dark < dem * (1 - 1e-9))] = CELL_NO_SPARE
    served = np.where(has, np.minimum(np.divide(got, dem, out=np.zeros(size), where=has), 1.0), np.nan)
    shape = (n_lat, n_lon)
    return {"cell_p50_ms": p50.reshape(shape), "cell_p95_ms": p95.reshape(shape), "cell_demand_tops": dem.reshape(shape),
            "cell_served": served.reshape(shape), "cell_status": status.reshape(shape)}
