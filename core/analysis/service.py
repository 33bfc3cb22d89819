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

Every epoch is independent (a satellite's spare is that epoch's), so the stage runs in blocks of
epochs and never holds the whole run's positions or delivered TOPS: each block reads its
``eph.window`` and its columns of the delivered compute, here or as a task on an executor
(:mod:`core.study.run`), and the blocks' figures are merged in time order, to the same bits
whatever the blocks (:func:`compute_service`).

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

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numba import njit
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from typing import TYPE_CHECKING

from core.constants import C_KM_S, FIBRE_KM_S
from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor, epoch_blocks, map_blocks, mission_payload
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


SERVICE_BYTES_PER_SAT_EPOCH = 76
"""Block memory per satellite and epoch: inertial and Earth-fixed float64 positions and the frame
rotation's temporary (72 bytes, as for routing) and the block's delivered TOPS (float32, 4)."""


@dataclass(frozen=True, eq=False)
class ServiceSetup:
    """What every block of epochs needs besides its positions, links and delivered TOPS (sent with each task).

    Places in the order of :func:`service_places`: Earth-fixed position and local vertical
    ``(n_place, 3)``, sine of the elevation mask, ground-link range km and demand TOPS; ``order``
    the places by decreasing demand. Per satellite of the run: ``need_eo`` the TOPS its own
    Earth-observation workload takes and ``ground_bps`` its ground link. ``edges`` ``(n_edge, 2)``
    the candidate inter-satellite links.
    """

    place_km: np.ndarray
    place_up: np.ndarray
    sin_mask: np.ndarray
    range_km: np.ndarray
    demand: np.ndarray
    order: np.ndarray
    need_eo: np.ndarray
    ground_bps: np.ndarray
    edges: np.ndarray
    max_utilization: float
    ops_per_request: float
    msg_bits: float


@dataclass(frozen=True, eq=False)
class ServiceBlock:
    """The partial figures of a block of epochs, merged in time order by :func:`compute_service`.

    ``served`` ``(n_place, n_epoch)`` TOPS served per place and epoch; ``not_in_view`` epochs each
    place saw no satellite. The TOPS requests use on satellites, per epoch: ``use_epoch`` (the
    block's epoch of each entry), ``use_sat``, ``used_tops`` and ``use_share`` (the share of the
    satellite's delivered TOPS), for the satellites that serve only. The served samples in epoch
    order: response time ``sample_ms``, TOPS ``sample_tops`` and place ``sample_place``.
    """

    served: np.ndarray
    not_in_view: np.ndarray
    use_epoch: np.ndarray
    use_sat: np.ndarray
    used_tops: np.ndarray
    use_share: np.ndarray
    sample_ms: np.ndarray
    sample_tops: np.ndarray
    sample_place: np.ndarray


ASSIGNMENTS_PER_SAT = 2
"""Assignments an epoch's allocation makes, at most, per satellite (plus one per place): each either fills
a satellite's room or ends a place's need, and a filled satellite is left at most a rounding error, taken by
one more assignment. The buffers are sized for that and enlarged (the epoch allocated again) if full."""


def _assignment_buffers(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`allocate`'s output buffers (place, satellite, TOPS, path km) for ``size`` assignments."""
    return np.zeros(size, np.int64), np.zeros(size, np.int64), np.zeros(size), np.zeros(size)


def window_service(mission: Mission, win: Ephemeris, setup: ServiceSetup, tops: np.ndarray, active: np.ndarray) -> ServiceBlock:
    """Serve the demand at every epoch of the block ``win`` (see the module docstring).

    ``tops`` is the delivered TOPS of every satellite at the block's epochs ``(n_sat, n_epoch)``
    (or ``(n_sat, 1)``, the same at every epoch); ``active`` ``(n_epoch, n_edge)`` the links up.
    """
    from core.analysis.topology import visible_from_places

    r = win.r_ecef_km
    n_sat, n_epoch = win.n_sat, win.n_time
    place_km, demand, need_eo, edges = setup.place_km, setup.demand, setup.need_eo, setup.edges
    n_place = demand.size
    delivered = np.broadcast_to(tops, (n_sat, n_epoch))
    vis = np.zeros((n_place, n_sat), dtype=np.bool_)
    every_pair = n_place * n_sat  # a place takes each satellite at most once per epoch
    buf = _assignment_buffers(min(every_pair, ASSIGNMENTS_PER_SAT * n_sat + n_place))
    served = np.zeros((n_place, n_epoch))
    not_in_view = np.zeros(n_place)
    use: list[tuple[np.ndarray, ...]] = []
    samples: list[tuple[np.ndarray, ...]] = []
    for t in range(n_epoch):
        visible_from_places(r, t, place_km, setup.place_up, setup.sin_mask, setup.range_km, vis)
        near_p, near_s = np.nonzero(vis)  # slant ranges of the links in view only: no (n_place, n_sat, 3) temporaries
        slant = np.full((n_place, n_sat), np.inf)
        slant[near_p, near_s] = np.linalg.norm(r[near_s, t, :] - place_km[near_p], axis=-1)
        entry = np.argmin(slant, axis=1)
        seen = np.isfinite(slant[np.arange(n_place), entry])
        not_in_view += ~seen
        if not seen.any():
            continue
        sources, entry_row = np.unique(entry[seen], return_inverse=True)
        row = np.full(n_place, -1, np.int64)
        row[seen] = entry_row
        if edges.shape[0] and active.shape[0] > t:
            act = edges[np.asarray(active[t], bool)]
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
            m, used, unmet = allocate(setup.order, demand, row, np.ascontiguousarray(dist), spare, setup.max_utilization, *buf)
            if m == buf[0].size < every_pair:  # the buffers may have dropped assignments: again with room for every pair
                buf = _assignment_buffers(every_pair)
                continue
            short = np.unique(row[(unmet > 1e-12 * demand) & (row >= 0)])
            short = short[limited[short]]
            if short.size == 0:
                break
            dist[short] = dijkstra(g, directed=True, indices=sources[short])
            limited[short] = False
        busy = np.flatnonzero(used)  # requests use spare only: the others add nothing to the sums
        use.append((np.full(busy.size, t, np.int64), busy, used[busy], used[busy] / delivered[busy, t]))
        if m == 0:
            continue
        p_idx, s_idx, take, km = (b[:m].copy() for b in buf)  # the buffers are reused at the next epoch
        np.add.at(served[:, t], p_idx.astype(np.intp), take)
        rho = used[s_idx] / spare[s_idx]
        t_s = setup.ops_per_request / (spare[s_idx] * 1e12)
        wait = rho * t_s / (2.0 * (1.0 - rho))
        up_km = slant[p_idx, entry[p_idx]]
        resp = 2.0 * (up_km + km) / C_KM_S + wait + t_s + 2.0 * setup.msg_bits / setup.ground_bps[entry[p_idx]]
        samples.append((resp * 1000.0, take, p_idx))

    def joined(parts: list[tuple[np.ndarray, ...]], k: int, dtype: type) -> np.ndarray:
        return np.concatenate([part[k] for part in parts]) if parts else np.zeros(0, dtype)

    return ServiceBlock(served=served, not_in_view=not_in_view, use_epoch=joined(use, 0, np.int64),
                        use_sat=joined(use, 1, np.int64), used_tops=joined(use, 2, float), use_share=joined(use, 3, float),
                        sample_ms=joined(samples, 0, float), sample_tops=joined(samples, 1, float),
                        sample_place=joined(samples, 2, np.int64))


def service_block(mission_data: dict, folder: str | None, t0: int, t1: int, setup: ServiceSetup, tops: np.ndarray,
                  active: np.ndarray) -> ServiceBlock:
    """:func:`window_service` of epochs ``t0:t1`` as an executor task."""
    from core.analysis.windows import run_window_task

    return run_window_task(window_service, mission_data, folder, t0, t1, setup, tops, active)


class _TasksInOrder(Sequence):
    """The block tasks, each built when first asked for and in order: a block's delivered TOPS come
    from the battery state the previous block left, and only the blocks in flight are held."""

    def __init__(self, count: int, make: Callable[[int], tuple]) -> None:
        self._count, self._make = count, make
        self._at, self._task = -1, ()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, k: int) -> tuple:  # type: ignore[override]  # by position only, no slices
        if not 0 <= k < self._count:
            raise IndexError(k)
        if k != self._at:
            if k != self._at + 1:
                raise ValueError(f"block tasks are built in order: asked for {k} after {self._at}")
            self._at, self._task = k, self._make(k)
        return self._task


def compute_service(mission: Mission, eph: Ephemeris, topology: Topology, compute: ComputeResult,
                    insight: InsightResult | None = None, executor: BlockExecutor | None = None,
                    base_dir: Path | None = None) -> ServiceResult | None:
    """Serve the mission's ``service`` demand epoch by epoch (see the module docstring).

    ``insight`` (:mod:`core.analysis.insight`), when given, supplies the offloading plan: the
    captures a satellite takes in from saturated neighbours use its spare before requests do.

    Every epoch is independent, so the epochs run in blocks (:func:`core.orbits.blocks.epoch_blocks`):
    each block reads its own positions (``eph.window``), its delivered TOPS
    (:meth:`core.analysis.delivered.DeliveredResult.tops_windows`) and its rows of the links'
    table, and returns its partial figures (:class:`ServiceBlock`), merged here in time order:
    the served TOPS and samples concatenated, the counts and per-satellite sums added epoch by
    epoch, so the result is the same whatever the blocks. With ``executor`` each block is a task
    (``base_dir``, the mission file's folder, lets the workers find its relative TLE files).
    """
    if mission.service is None:
        return None
    from core.orbits import frames

    svc = mission.service
    places = service_places(mission)
    n_place, n_sat, n_time = len(places), eph.n_sat, eph.n_time
    lat = np.array([p[1] for p in places])
    lon = np.array([p[2] for p in places])
    demand = np.array([p[3] for p in places])
    from core.analysis.latency import place_range_km

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
    has_links = topology is not None and topology.n_edge
    edges = np.asarray(topology.isl_edges, dtype=np.int64) if has_links else np.zeros((0, 2), np.int64)
    setup = ServiceSetup(
        place_km=np.ascontiguousarray(frames.ecef_from_geodetic(lat, lon, np.zeros(n_place)).reshape(-1, 3)),
        place_up=np.ascontiguousarray(frames.up_vector(lat, lon).reshape(-1, 3)),
        sin_mask=np.full(n_place, np.sin(np.radians(mission.analysis.min_elevation_deg))),
        range_km=np.array([place_range_km(mission, p[0]) for p in places], dtype=float),
        demand=demand, order=np.argsort(-demand, kind="stable").astype(np.int64), need_eo=need_eo, ground_bps=ground_bps,
        edges=edges, max_utilization=float(svc.max_utilization), ops_per_request=float(svc.ops_per_request),
        msg_bits=(svc.request_kb + svc.response_kb) * 8e3)

    blocks = epoch_blocks(n_sat, n_time, SERVICE_BYTES_PER_SAT_EPOCH)
    dlv = getattr(compute, "delivered", None)
    if dlv is not None:
        tops_of: Iterator[np.ndarray] = dlv.tops_windows(blocks)
    else:
        nameplate = np.array([s.tops_per_satellite for s in compute.shells])[eph.shell_index][:, None]
        tops_of = (nameplate for _ in blocks)

    def active_of(t0: int, t1: int) -> np.ndarray:
        return topology.isl_active[t0:t1] if has_links else np.zeros((t1 - t0, 0), np.bool_)

    parts: Iterable[ServiceBlock]
    if executor is None:
        parts = (window_service(mission, eph.window(t0, t1), setup, tops, active_of(t0, t1))
                 for (t0, t1), tops in zip(blocks, tops_of))
    else:
        data, folder = mission_payload(mission, eph, base_dir, "service")
        tasks = _TasksInOrder(len(blocks), lambda k: (data, folder, *blocks[k], setup, next(tops_of), active_of(*blocks[k])))
        parts = map_blocks(service_block, tasks, executor)

    served_parts: list[np.ndarray] = []
    not_in_view = np.zeros(n_place)
    use_sum = np.zeros(n_sat)
    used_sum = np.zeros(n_sat)
    samples_ms, samples_w, samples_p = [], [], []
    for part in parts:
        served_parts.append(part.served)
        not_in_view += part.not_in_view
        cut = np.searchsorted(part.use_epoch, np.arange(part.served.shape[1] + 1))
        for a, b in zip(cut[:-1], cut[1:]):  # epoch by epoch, as one pass over the window adds them
            sats = part.use_sat[a:b]
            use_sum[sats] += part.use_share[a:b]
            used_sum[sats] += part.used_tops[a:b]
        samples_ms.append(part.sample_ms)
        samples_w.append(part.sample_tops)
        samples_p.append(part.sample_place)
    served = np.concatenate(served_parts, axis=1) if served_parts else np.zeros((n_place, 0))
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
