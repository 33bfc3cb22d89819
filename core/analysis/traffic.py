"""Traffic and throughput: demands routed epoch by epoch, links loaded, capacity shared max-min fairly.

The ``traffic:`` section of a mission offers constant demands between named places
(explicit, or a gravity model over the catalogue's most populous cities: the demand between
two cities is proportional to the product of their populations, scaled to ``total_gbps``).
At every epoch of the analysis grid:

1. **Routing.** Each demand takes the shortest route (by length, as the latency analysis:
   up to a satellite its origin sees, along inter-satellite links, down to its destination,
   never relaying through another place). With ``routing: k-shortest`` the routing runs
   ``paths`` rounds; after each round, every link used in it gets twice as long, so the next
   round looks for other routes; a demand is split evenly over its distinct routes.
2. **Loads against capacities.** Every link direction is a resource: an inter-satellite
   link carries ``isl_gbps`` each way (the smaller of its two buses'), a satellite's ground
   links together carry ``downlink_mbps`` up and the same down (one ground terminal shared
   by all places it serves), and with ``gateway_gbps`` each place's own access is one more
   resource each way.
3. **Max-min fair sharing.** Rates are found by progressive filling (Bertsekas & Gallager,
   *Data Networks*, 6.5.2): every route's rate grows at the same pace until a resource it
   uses is full (that resource is its *bottleneck*) or it reaches its share of the offered
   demand; the others keep growing. The result is the unique max-min fair allocation.

A demand with no route at an epoch is served 0 there and counted in ``unreachable_s``.
Latency figures are the latency analysis' business; this one reports rates: served against
offered per demand, the bottleneck links, the most loaded links and their utilisation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
from numba import njit
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from core.analysis.elevation_mask import place_ranges_km
from core.analysis.topology import Topology, visible_from_places
from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor
from core.orbits.ephemeris import Ephemeris

SATURATED = 1.0 - 1e-9
"""A resource counts as full at this share of its capacity (float rounding)."""
PENALTY_FACTOR = 2.0
"""k-shortest: each round lengthens the links it used by this factor."""
TOP_LINKS = 10
"""How many of the most loaded inter-satellite links (and ground links) the JSON lists."""


# ----------------------------------------------------------------------------------------
# Max-min fairness


def max_min_fair(incidence: csr_matrix, capacity_gbps: np.ndarray, flow_cap_gbps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max-min fair rates of flows over shared resources, by progressive filling.

    Args:
        incidence: ``(n_flow, n_resource)`` 0/1 sparse matrix, flow ``f`` uses resource ``r``.
        capacity_gbps: ``(n_resource,)`` capacities (``inf`` for no limit).
        flow_cap_gbps: ``(n_flow,)`` the most each flow wants (``inf`` for elastic flows).

    Returns:
        ``(rate_gbps (n_flow,), bottleneck (n_flow,))``: the allocation, and for each flow the
        resource that stopped it (``-1`` when it got all it wanted; a flow that wants
        everything and crosses no finite resource gets ``inf``).
    """
    a = csr_matrix(incidence)
    a.sort_indices()
    c = a.tocsc()
    c.sort_indices()
    rate = np.zeros(a.shape[0])
    bottleneck = np.full(a.shape[0], -1, np.int64)
    _progressive_filling(a.indptr.astype(np.int64), a.indices.astype(np.int64), c.indptr.astype(np.int64),
                         c.indices.astype(np.int64), np.asarray(capacity_gbps, dtype=float),
                         np.asarray(flow_cap_gbps, dtype=float), rate, bottleneck)
    return rate, bottleneck


@njit(cache=True, nogil=True)
def _progressive_filling(f_ptr, f_res, r_ptr, r_flow, capacity, cap, rate, bottleneck):
    """Progressive filling with every unfrozen flow at the same ``level``: the next level is the
    lowest at which a resource fills (its free capacity over its unfrozen users) or a flow has
    what it wants; flows on a full resource freeze there (it is their bottleneck), satisfied
    flows freeze at their demand. ``f_ptr/f_res`` list each flow's resources, ``r_ptr/r_flow``
    each resource's flows."""
    n_flow = f_ptr.size - 1
    n_res = capacity.size
    users = np.zeros(n_res)
    frozen_load = np.zeros(n_res)
    active = cap > 0.0
    n_active = 0
    for f in range(n_flow):
        if active[f]:
            n_active += 1
            for k in range(f_ptr[f], f_ptr[f + 1]):
                users[f_res[k]] += 1.0
    scale = 1.0
    for r in range(n_res):
        if np.isfinite(capacity[r]) and capacity[r] > scale:
            scale = capacity[r]
    tol = scale * 1e-12
    touched = np.flatnonzero(users > 0.0)  # the only resources worth scanning
    order = np.argsort(cap)
    next_cap = 0
    level = 0.0
    while n_active > 0:
        while next_cap < n_flow and not active[order[next_cap]]:
            next_cap += 1
        new_level = cap[order[next_cap]] if next_cap < n_flow else np.inf
        for r in touched:
            if users[r] > 0.0:
                new_level = min(new_level, (capacity[r] - frozen_load[r]) / users[r])
        if not np.isfinite(new_level):
            for f in range(n_flow):
                if active[f]:
                    rate[f] = np.inf
            return
        level = max(level, new_level)
        for r in touched:  # freeze the flows of every resource now full
            if users[r] > 0.0 and capacity[r] - frozen_load[r] - users[r] * level <= tol:
                for k in range(r_ptr[r], r_ptr[r + 1]):
                    f = r_flow[k]
                    if active[f]:
                        active[f] = False
                        n_active -= 1
                        rate[f] = level
                        bottleneck[f] = r
                        for j in range(f_ptr[f], f_ptr[f + 1]):
                            users[f_res[j]] -= 1.0
                            frozen_load[f_res[j]] += level
        while next_cap < n_flow and np.isfinite(cap[order[next_cap]]) and \
                cap[order[next_cap]] - level <= max(cap[order[next_cap]], 1.0) * 1e-12:
            f = order[next_cap]
            if active[f]:
                active[f] = False
                n_active -= 1
                rate[f] = cap[f]
                for j in range(f_ptr[f], f_ptr[f + 1]):
                    users[f_res[j]] -= 1.0
                    frozen_load[f_res[j]] += cap[f]
            next_cap += 1


# ----------------------------------------------------------------------------------------
# Demands


@dataclass(frozen=True)
class Demand:
    """One offered demand (one direction)."""

    src: str
    dst: str
    gbps: float


def gravity_demands(total_gbps: float, cities: int = 20, places: list[str] | None = None,
                    both_directions: bool = True) -> list[Demand]:
    """Demands between catalogue cities in proportion to the product of their populations.

    ``places`` names the cities (else the ``cities`` most populous of the catalogue); the
    demands add up to ``total_gbps``; with ``both_directions`` each pair's share is split
    evenly into a demand each way.
    """
    from core.catalog.cities import city_catalog, find_city

    chosen = [find_city(name) for name in places] if places else list(city_catalog().values())[:cities]
    chosen = list({c.name: c for c in chosen if c is not None}.values())
    pop = np.array([c.population for c in chosen], dtype=float)
    i, j = np.triu_indices(len(chosen), k=1)
    weight = pop[i] * pop[j]
    if weight.sum() <= 0:
        raise ValueError("the gravity model's cities have no population")
    gbps = total_gbps * weight / weight.sum()
    out: list[Demand] = []
    for a, b, g in zip(i, j, gbps):
        if both_directions:
            out += [Demand(chosen[a].name, chosen[b].name, g / 2), Demand(chosen[b].name, chosen[a].name, g / 2)]
        else:
            out.append(Demand(chosen[a].name, chosen[b].name, g))
    return out


def mission_demands(traffic) -> list[Demand]:
    """The demands of a mission's ``traffic`` section."""
    if traffic.demands is not None:
        return [Demand(d.from_, d.to, float(d.gbps)) for d in traffic.demands]
    g = traffic.gravity
    return gravity_demands(float(g.total_gbps), g.cities, g.places, g.both_directions)


# ----------------------------------------------------------------------------------------
# Routing one epoch


@njit(cache=True, nogil=True)
def _walk(pred, rows, src_nodes, dst_nodes, out, offsets):
    """Interior nodes of each path (predecessor walk), concatenated in travel order into
    ``out``; ``offsets (m + 1,)``. Unreachable: an empty path with ``offsets`` equal."""
    pos = 0
    for q in range(rows.size):
        offsets[q] = pos
        row = rows[q]
        node = pred[row, dst_nodes[q]]
        if node < 0:
            continue
        count = 0
        while node != src_nodes[q] and node >= 0:
            count += 1
            node = pred[row, node]
        node = pred[row, dst_nodes[q]]
        for k in range(count - 1, -1, -1):
            out[pos + k] = node
            node = pred[row, node]
        pos += count
    offsets[rows.size] = pos
    return pos


@dataclass
class _EpochGraph:
    n_sat: int
    n_place: int
    isl_a: np.ndarray
    isl_b: np.ndarray
    isl_km: np.ndarray
    isl_id: np.ndarray
    ground_rows: np.ndarray
    ground_cols: np.ndarray
    ground_km: np.ndarray

    def matrix(self, isl_factor: np.ndarray | None = None) -> csr_matrix:
        w = self.isl_km if isl_factor is None else self.isl_km * isl_factor[self.isl_id]
        rows = np.concatenate([self.isl_a, self.isl_b, self.ground_rows])
        cols = np.concatenate([self.isl_b, self.isl_a, self.ground_cols])
        data = np.concatenate([w, w, self.ground_km])
        n = self.n_sat + 2 * self.n_place
        return csr_matrix((data, (rows, cols)), shape=(n, n))


def _epoch_graph(r, t, edges, active_t, place_km, up, sin_mask, range_km, vis) -> _EpochGraph:
    n_sat = r.shape[0]
    n_place = place_km.shape[0]
    visible_from_places(r, t, place_km, up, sin_mask, range_km, vis)
    on = np.flatnonzero(active_t)
    a, b = edges[on, 0], edges[on, 1]
    isl_km = np.linalg.norm(r[a, t] - r[b, t], axis=1)
    p, s = np.nonzero(vis)
    g_km = np.maximum(np.linalg.norm(r[s, t] - place_km[p], axis=1), 1e-9)
    rows = np.concatenate([n_sat + p, s])
    cols = np.concatenate([s, n_sat + n_place + p])
    return _EpochGraph(n_sat, n_place, a, b, np.maximum(isl_km, 1e-9), on, rows, cols, np.concatenate([g_km, g_km]))


def _route_round(matrix: csr_matrix, src_place: np.ndarray, dst_place: np.ndarray, n_sat: int, n_place: int):
    """Shortest paths of every demand on one graph: ``(sats, offsets, reachable)``."""
    sources, rows = np.unique(src_place, return_inverse=True)
    dist, pred = dijkstra(matrix, directed=True, indices=n_sat + sources, return_predecessors=True)
    src_nodes = (n_sat + src_place).astype(np.int64)
    dst_nodes = (n_sat + n_place + dst_place).astype(np.int64)
    reach = np.isfinite(dist[rows, dst_nodes])
    out = np.empty(rows.size * (n_sat + 1), np.int64)
    offsets = np.zeros(rows.size + 1, np.int64)
    _walk(pred, rows.astype(np.int64), src_nodes, dst_nodes, out, offsets)
    return out, offsets, reach


# ----------------------------------------------------------------------------------------
# Result


@dataclass(frozen=True, eq=False)
class TrafficResult:
    """Throughput of every demand over the analysis grid and the load of every link.

    Attributes:
        demands: the offered demands, in order.
        offsets_s: ``(n_time,)`` epochs.
        served_gbps: ``(n_demand, n_time)`` max-min fair rate (0 where unreachable).
        reachable: ``(n_demand, n_time)`` a route exists.
        isl_utilisation: ``(n_time, n_edge)`` float16, the busier direction's load over
            capacity of each link of the topology (``Results.topology``; 0 when idle or down), for drawing.
        isl_utilisation_mean: the mean of that over links and epochs (in full precision).
        resource_names, resource_kind, resource_capacity_gbps: the loaded resources
            (link directions, satellites' ground links, gateways).
        utilisation_mean, utilisation_max, saturated_fraction: per resource over the epochs.
        bottlenecks: per demand, how many epochs each resource was its bottleneck.
    """

    model: str
    routing: str
    paths: int
    demands: tuple[Demand, ...]
    offsets_s: np.ndarray
    served_gbps: np.ndarray
    reachable: np.ndarray
    isl_utilisation: np.ndarray
    resource_names: tuple[str, ...]
    resource_kind: np.ndarray
    resource_capacity_gbps: np.ndarray
    utilisation_mean: np.ndarray
    utilisation_max: np.ndarray
    saturated_fraction: np.ndarray
    bottlenecks: tuple[Counter, ...]
    isl_utilisation_mean: float = 0.0
    timings_s: dict = field(default_factory=dict)

    @property
    def offered_gbps(self) -> np.ndarray:
        return np.array([d.gbps for d in self.demands])

    def total_served_gbps(self) -> np.ndarray:
        """``(n_time,)`` sum of the served rates."""
        return self.served_gbps.sum(axis=0)

    def to_json(self) -> dict:
        """The ``traffic`` section (see docs/results.md)."""
        from core.analysis.latency import epoch_weights_s

        weights = epoch_weights_s(self.offsets_s)
        offered = self.offered_gbps
        total = self.total_served_gbps()
        demands = []
        for q, d in enumerate(self.demands):
            served = self.served_gbps[q]
            demands.append({
                "from": d.src, "to": d.dst, "offered_gbps": float(d.gbps),
                "served_gbps_min": float(served.min()), "served_gbps_median": float(np.median(served)),
                "served_gbps_mean": float(served.mean()),
                "served_fraction_mean": float(served.mean() / d.gbps),
                "unreachable_s": float((~self.reachable[q] * weights).sum()),
                "bottleneck_links": [self.resource_names[r] for r, _ in self.bottlenecks[q].most_common(3)],
                "reason": None if self.reachable[q].any() else "no route at any epoch: served 0",
            })
        kinds = ("isl", "uplink", "downlink", "gateway-out", "gateway-in")
        links = []
        for kind_id, top in ((0, TOP_LINKS), (1, 3), (2, 3), (3, 3), (4, 3)):
            sel = np.flatnonzero(self.resource_kind == kind_id)
            sel = sel[np.argsort(-self.utilisation_mean[sel], kind="stable")][:top]
            for r in sel:
                if self.utilisation_max[r] <= 0:
                    continue
                links.append({
                    "link": self.resource_names[r], "kind": kinds[kind_id],
                    "capacity_gbps": float(self.resource_capacity_gbps[r]),
                    "utilisation_mean": float(self.utilisation_mean[r]), "utilisation_max": float(self.utilisation_max[r]),
                    "saturated_fraction": float(self.saturated_fraction[r]),
                })
        isl = self.resource_kind == 0
        return {
            "model": self.model,
            "routing": self.routing,
            "paths": self.paths,
            "demands_count": len(self.demands),
            "offered_gbps": float(offered.sum()),
            "served_gbps_min": float(total.min()),
            "served_gbps_median": float(np.median(total)),
            "served_gbps_mean": float(total.mean()),
            "served_fraction_median": float(np.median(total) / offered.sum()),
            "isl_utilisation_mean": float(self.isl_utilisation_mean),
            "isl_saturated_fraction": float(self.saturated_fraction[isl].mean()) if isl.any() else 0.0,
            "demands": demands,
            "links": links,
        }

    def tables(self) -> list:
        """Two tables: served against offered, and the most loaded links."""
        from core.analysis.tables import Table

        doc = self.to_json()
        head = [["all demands", f"{doc['offered_gbps']:.3g}", f"{doc['served_gbps_min']:.3g}", f"{doc['served_gbps_median']:.3g}",
                 f"{100 * doc['served_fraction_median']:.1f}", "-"]]
        order = sorted(doc["demands"], key=lambda e: e["served_fraction_mean"])[:10]
        rows = head + [[f"{e['from']} - {e['to']}", f"{e['offered_gbps']:.3g}", f"{e['served_gbps_min']:.3g}",
                        f"{e['served_gbps_median']:.3g}", f"{100 * e['served_fraction_mean']:.1f}",
                        (e["bottleneck_links"] or ["-"])[0]] for e in order]
        links = [[e["link"], e["kind"], f"{e['capacity_gbps']:.3g}", f"{100 * e['utilisation_mean']:.1f}",
                  f"{100 * e['utilisation_max']:.1f}", f"{100 * e['saturated_fraction']:.1f}"] for e in doc["links"]]
        return [Table("Traffic: served against offered (least served first)",
                      ["demand", "offered Gbit/s", "min Gbit/s", "median Gbit/s", "served %", "bottleneck"], rows),
                Table("Most loaded links", ["link", "kind", "capacity Gbit/s", "mean use %", "max use %", "saturated %"], links)]


# ----------------------------------------------------------------------------------------
# The analysis, block of epochs by block

TRAFFIC_BYTES_PER_SAT_EPOCH = 72
"""Block memory per satellite and epoch: inertial and Earth-fixed float64 positions (48 bytes),
the frame rotation's temporary (24); the per-epoch graph and loads are reused from epoch to epoch."""


@dataclass(frozen=True, eq=False)
class TrafficSetup:
    """Everything the per-epoch routing and sharing reads besides the positions and links up.

    Resources are numbered: ISL ``a -> b`` ``2e``, ``b -> a`` ``2e + 1``; then each satellite's
    uplink, its downlink, each place's gateway out and in (:attr:`base_up` ...).
    """

    place_km: np.ndarray
    up: np.ndarray
    sin_mask: np.ndarray
    range_km: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    offered: np.ndarray
    edges: np.ndarray
    capacity: np.ndarray
    n_sat: int
    k_paths: int

    @property
    def n_place(self) -> int:
        return int(self.place_km.shape[0])

    @property
    def n_edge(self) -> int:
        return int(self.edges.shape[0])

    @property
    def base_up(self) -> int:
        return 2 * self.n_edge

    @property
    def base_down(self) -> int:
        return 2 * self.n_edge + self.n_sat

    @property
    def base_out(self) -> int:
        return 2 * self.n_edge + 2 * self.n_sat

    @property
    def base_in(self) -> int:
        return 2 * self.n_edge + 2 * self.n_sat + self.n_place

    @property
    def n_res(self) -> int:
        return self.base_in + self.n_place

    @cached_property
    def lookup(self) -> csr_matrix | None:
        """Edge index + 1 of each linked satellite pair ``(min, max)``."""
        if not self.n_edge:
            return None
        return csr_matrix((np.arange(self.n_edge) + 1, (self.edges[:, 0], self.edges[:, 1])), shape=(self.n_sat, self.n_sat))


def traffic_setup(topo: Topology, place_km: np.ndarray, up: np.ndarray, sin_mask: np.ndarray, range_km: np.ndarray,
                  src: np.ndarray, dst: np.ndarray, offered: np.ndarray, ground_gbps: np.ndarray,
                  gateway_gbps: float | None = None, k_paths: int = 1) -> TrafficSetup:
    """The :class:`TrafficSetup` of a topology, places, demands and ground link rates."""
    edges = np.ascontiguousarray(topo.isl_edges, dtype=np.int64).reshape(-1, 2)
    n_place = int(place_km.shape[0])
    capacity = np.concatenate([np.repeat(np.asarray(topo.isl_capacity_gbps, dtype=float), 2), ground_gbps, ground_gbps,
                               np.full(2 * n_place, np.inf if gateway_gbps is None else float(gateway_gbps))])
    return TrafficSetup(place_km, up, sin_mask, range_km, np.asarray(src, np.int64), np.asarray(dst, np.int64),
                        np.asarray(offered, dtype=float), edges, capacity, int(np.asarray(ground_gbps).size), int(k_paths))


@dataclass(eq=False)
class TrafficSums:
    """The per-resource sums over epochs (and the bottleneck counts), folded epoch by epoch in time order."""

    util_sum: np.ndarray
    util_max: np.ndarray
    sat_count: np.ndarray
    bottlenecks: list[Counter[int]]
    t_route: float = 0.0
    t_share: float = 0.0

    @classmethod
    def zeros(cls, n_res: int, n_dem: int) -> "TrafficSums":
        return cls(np.zeros(n_res), np.zeros(n_res), np.zeros(n_res), [Counter() for _ in range(n_dem)])

    def fold(self, epoch: "EpochLoads") -> None:
        """Add one epoch's loads: the resources it did not load add 0, so the sums are those of a dense pass."""
        self.util_sum[epoch.resource] += epoch.util
        self.util_max[epoch.resource] = np.maximum(self.util_max[epoch.resource], epoch.util)
        self.sat_count[epoch.resource] += epoch.util >= SATURATED
        for q, r in zip(epoch.bottleneck_demand.tolist(), epoch.bottleneck_resource.tolist()):
            self.bottlenecks[q][r] += 1


@dataclass(frozen=True, eq=False)
class EpochLoads:
    """One epoch's non-zero utilisations (``resource`` distinct indices, ``util`` their share of
    capacity) and each bottlenecked flow's demand and resource, in flow order."""

    resource: np.ndarray
    util: np.ndarray
    bottleneck_demand: np.ndarray
    bottleneck_resource: np.ndarray


@dataclass(frozen=True, eq=False)
class TrafficEpochs:
    """One block's per-epoch outcome: ``served``/``reach`` ``(n_dem, n_t)``, ``isl_util (n_t, n_edge)``
    float16, ``isl_mean (n_t,)``, and (on an executor) its epochs' loads for the caller to fold in order."""

    served: np.ndarray
    reach: np.ndarray
    isl_util: np.ndarray
    isl_mean: np.ndarray
    loads: list[EpochLoads] | None = None
    t_route: float = 0.0
    t_share: float = 0.0


def traffic_epochs(setup: TrafficSetup, r: np.ndarray, active: np.ndarray, sums: TrafficSums | None,
                   progress: Callable[[int], None] | None = None) -> TrafficEpochs:
    """Route and share every epoch of ``r (n_sat, n_t, 3)`` Earth-fixed with links ``active (n_t, n_edge)``,
    folding each epoch's loads into ``sums`` (or, without, keeping them in the result for the caller
    to fold in time order); ``progress(j)`` is called before epoch ``j``."""
    import time

    n_time = r.shape[1]
    n_dem, n_sat, n_place, n_edge = setup.src.size, setup.n_sat, setup.n_place, setup.n_edge
    src, dst, edges, capacity, lookup = setup.src, setup.dst, setup.edges, setup.capacity, setup.lookup
    base_up, base_down, base_out, base_in, n_res = setup.base_up, setup.base_down, setup.base_out, setup.base_in, setup.n_res
    served = np.zeros((n_dem, n_time))
    reach = np.zeros((n_dem, n_time), bool)
    isl_util = np.zeros((n_time, n_edge), np.float16)  # for drawing: 3 significant digits are plenty
    isl_mean = np.zeros(n_time)
    vis = np.zeros((n_place, n_sat), np.bool_)
    kept: list[EpochLoads] = []
    t_route = t_share = 0.0
    for t in range(n_time):
        if progress is not None:
            progress(t)
        t0 = time.perf_counter()
        g = _epoch_graph(r, t, edges, active[t], setup.place_km, setup.up, setup.sin_mask, setup.range_km, vis)
        factor = np.ones(n_edge)
        flow_parts, row_parts, col_parts = [], [], []
        n_flow = 0
        seen: list[set] = [set() for _ in range(n_dem)]
        for _round in range(setup.k_paths):
            sats, offs, ok = _route_round(g.matrix(factor if _round else None), src, dst, n_sat, n_place)
            keep = ok.copy()
            if setup.k_paths > 1:  # a route found again in a later round is not a new route
                for q in np.flatnonzero(ok):
                    key = sats[offs[q]:offs[q + 1]].tobytes()
                    keep[q] = key not in seen[q]
                    seen[q].add(key)
            reach[:, t] |= ok
            qs = np.flatnonzero(keep)
            if qs.size == 0:
                continue
            flow_of = np.full(n_dem, -1, np.int64)
            flow_of[qs] = n_flow + np.arange(qs.size)
            first, last = sats[offs[qs]], sats[offs[qs + 1] - 1]
            rows = [np.repeat(flow_of[qs], 4)]
            cols = [np.stack([base_up + first, base_down + last, base_out + src[qs], base_in + dst[qs]], axis=1).ravel()]
            owner = np.repeat(np.arange(n_dem), np.diff(offs))
            path = sats[:offs[-1]]
            step = (owner[:-1] == owner[1:]) & keep[owner[:-1]]
            if step.any() and lookup is not None:
                a, b = path[:-1][step], path[1:][step]
                e = np.asarray(lookup[np.minimum(a, b), np.maximum(a, b)]).ravel() - 1
                rows.append(flow_of[owner[:-1][step]])
                cols.append(2 * e + (a > b))
                used = np.zeros(n_edge, bool)
                used[e] = True
                factor[used] *= PENALTY_FACTOR
            flow_parts.append(qs)
            row_parts += rows
            col_parts += cols
            n_flow += qs.size
        t1 = time.perf_counter()
        if n_flow:
            fd = np.concatenate(flow_parts)
            per = np.bincount(fd, minlength=n_dem)
            row_idx, col_idx = np.concatenate(row_parts), np.concatenate(col_parts)
            inc = csr_matrix((np.ones(row_idx.size), (row_idx, col_idx)), shape=(n_flow, n_res))
            rate, bott = max_min_fair(inc, capacity, setup.offered[fd] / per[fd])
            np.add.at(served[:, t], fd, rate)
            hit = np.flatnonzero(bott >= 0)
            load = inc.T @ rate
            util = np.where(np.isfinite(capacity) & (capacity > 0), load / np.where(capacity > 0, capacity, 1.0), 0.0)
            util = np.minimum(util, 1.0)  # a full resource may read 1 + 1e-16 after the sums
            loaded = np.flatnonzero(util)
            epoch = EpochLoads(loaded, util[loaded], fd[hit], bott[hit])
            if sums is not None:
                sums.fold(epoch)
            else:
                kept.append(epoch)
            if n_edge:
                busier = np.maximum(util[0:2 * n_edge:2], util[1:2 * n_edge:2])
                isl_util[t] = busier
                isl_mean[t] = busier.mean()
        elif sums is None:
            kept.append(EpochLoads(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64)))
        t_share += time.perf_counter() - t1
        t_route += t1 - t0
    if sums is not None:
        sums.t_route += t_route
        sums.t_share += t_share
    return TrafficEpochs(served, reach, isl_util, isl_mean, None if sums is not None else kept, t_route, t_share)


def window_traffic(mission: Mission, win: Ephemeris, setup: TrafficSetup, active: np.ndarray) -> TrafficEpochs:
    """:func:`traffic_epochs` of one block, its epochs' loads kept for the caller (an executor task's partial state)."""
    return traffic_epochs(setup, np.ascontiguousarray(win.r_ecef_km, dtype=np.float64), active, None)


def traffic_block(mission_data: dict, folder: str | None, t0: int, t1: int, setup: TrafficSetup,
                  active: np.ndarray) -> TrafficEpochs:
    """:func:`window_traffic` of epochs ``t0:t1`` as an executor task."""
    from core.analysis.windows import run_window_task

    return run_window_task(window_traffic, mission_data, folder, t0, t1, setup, active)


def compute_traffic(mission: Mission, eph: Ephemeris, topology: Topology, base_dir: Path | None = None,
                    progress: Callable[[str, float], None] | None = None,
                    executor: BlockExecutor | None = None) -> TrafficResult | None:
    """Route and share the mission's traffic at every epoch over ``topology``'s links; ``None``
    without a ``traffic`` section.

    The epochs run block by block (:mod:`core.analysis.windows`), on ``executor`` when given
    (``base_dir``, the mission file's folder, lets the workers find its relative TLE files).
    ``progress(stage, fraction)`` is called every few dozen epochs (it may raise to stop the run).
    Each epoch's loads are folded into the per-resource sums in time order (in this process as
    they come, from an executor's blocks as they return), so the sums are those of one pass.
    """
    traffic = getattr(mission, "traffic", None)
    if traffic is None:
        return None
    from core.analysis.latency import place_range_km, satellite_link_rates
    from core.analysis.windows import over_windows
    from core.catalog.places import resolve_place
    from core.orbits import frames

    demands = mission_demands(traffic)
    names: list[str] = []
    for d in demands:
        for n in (d.src, d.dst):
            if n not in names:
                names.append(n)
    places = [resolve_place(mission, n) for n in names]
    lat = np.array([p.lat_deg for p in places], dtype=float)
    lon = np.array([p.lon_deg for p in places], dtype=float)
    place_km = frames.ecef_from_geodetic(lat, lon, np.array([p.alt_m for p in places]) / 1000.0).reshape(-1, 3)
    up = frames.up_vector(lat, lon).reshape(-1, 3)
    sin_mask = np.sin(np.radians([p.min_elevation_deg for p in places]))
    range_km = place_ranges_km(np.array([place_range_km(mission, n) for n in names]), len(names))
    src = np.array([names.index(d.src) for d in demands], dtype=np.int64)
    dst = np.array([names.index(d.dst) for d in demands], dtype=np.int64)
    offered = np.array([d.gbps for d in demands], dtype=float)

    _, ground_gbps = satellite_link_rates(mission, eph)
    setup = traffic_setup(topology, place_km, up, sin_mask, range_km, src, dst, offered, ground_gbps,
                          traffic.gateway_gbps, traffic.routes_per_demand())
    sums = TrafficSums.zeros(setup.n_res, src.size)
    n_time = eph.n_time

    def local(_mission: Mission, win: Ephemeris, setup_: TrafficSetup, active: np.ndarray) -> TrafficEpochs:
        start = win.epochs.start

        def tick(j: int) -> None:
            if progress is not None and (start + j) % 50 == 0:
                progress("traffic", (start + j) / n_time)

        return traffic_epochs(setup_, np.ascontiguousarray(win.r_ecef_km, dtype=np.float64), active, sums, tick)

    parts: list[TrafficEpochs] = []
    for _t0, t1, part in over_windows(local, traffic_block, mission, eph, base_dir, TRAFFIC_BYTES_PER_SAT_EPOCH,
                                      args_of=lambda t0, t1: (setup, topology.isl_active[t0:t1]), executor=executor):
        if part.loads is not None:  # an executor's block: fold its epochs here, in time order
            for epoch in part.loads:
                sums.fold(epoch)
            sums.t_route += part.t_route
            sums.t_share += part.t_share
            if progress is not None:
                progress("traffic", t1 / n_time)
        parts.append(replace(part, loads=None))
    return _traffic_result(setup, parts, sums, names, eph.names, np.asarray(eph.time.offsets_s, dtype=float),
                           model="demands" if traffic.demands is not None else "gravity", routing=traffic.routing,
                           demands=demands)


def traffic_over_time(r: np.ndarray, topo: Topology, place_km: np.ndarray, up: np.ndarray, sin_mask: np.ndarray,
                      range_km: np.ndarray, src: np.ndarray, dst: np.ndarray, offered: np.ndarray, ground_gbps: np.ndarray,
                      place_names: list[str], sat_names: Sequence[str], offsets_s: np.ndarray, k_paths: int = 1,
                      gateway_gbps: float | None = None, model: str = "demands", routing: str = "shortest",
                      demands: Sequence[Demand] | None = None,
                      progress: Callable[[str, float], None] | None = None) -> TrafficResult:
    """The traffic analysis on plain arrays, all epochs of ``r (n_sat, n_time, 3)`` at once (see :func:`compute_traffic`)."""
    setup = traffic_setup(topo, place_km, up, sin_mask, range_km, src, dst, offered, ground_gbps, gateway_gbps, k_paths)
    sums = TrafficSums.zeros(setup.n_res, setup.src.size)
    n_time = r.shape[1]

    def tick(t: int) -> None:
        if progress is not None and t % 50 == 0:
            progress("traffic", t / n_time)

    part = traffic_epochs(setup, np.ascontiguousarray(r, dtype=np.float64), topo.isl_active, sums, tick)
    return _traffic_result(setup, [part], sums, place_names, sat_names, offsets_s, model, routing, demands)


def _traffic_result(setup: TrafficSetup, parts: list[TrafficEpochs], sums: TrafficSums, place_names: list[str],
                    sat_names: Sequence[str], offsets_s: np.ndarray, model: str, routing: str,
                    demands: Sequence[Demand] | None) -> TrafficResult:
    """The :class:`TrafficResult` of the blocks ``parts`` (in time order) and their folded ``sums``."""
    n_sat, n_place, n_res, n_dem = setup.n_sat, setup.n_place, setup.n_res, setup.src.size
    edges = setup.edges
    n_time = sum(p.served.shape[1] for p in parts)
    base_up, base_down, base_out, base_in = setup.base_up, setup.base_down, setup.base_out, setup.base_in
    kind = np.concatenate([np.zeros(2 * setup.n_edge, np.int8), np.full(n_sat, 1, np.int8), np.full(n_sat, 2, np.int8),
                           np.full(n_place, 3, np.int8), np.full(n_place, 4, np.int8)])
    res_names = [""] * n_res
    for k, (sat_a, sat_b) in enumerate(edges):
        res_names[2 * k] = f"{sat_names[sat_a]} -> {sat_names[sat_b]}"
        res_names[2 * k + 1] = f"{sat_names[sat_b]} -> {sat_names[sat_a]}"
    for i in range(n_sat):
        res_names[base_up + i] = f"ground -> {sat_names[i]}"
        res_names[base_down + i] = f"{sat_names[i]} -> ground"
    for p in range(n_place):
        res_names[base_out + p] = f"{place_names[p]} gateway out"
        res_names[base_in + p] = f"{place_names[p]} gateway in"
    steps = max(n_time, 1)
    isl_mean = np.concatenate([p.isl_mean for p in parts]) if parts else np.zeros(0)
    return TrafficResult(
        model=model, routing=routing, paths=setup.k_paths,
        demands=tuple(demands) if demands is not None else tuple(
            Demand(place_names[s], place_names[d], float(g)) for s, d, g in zip(setup.src, setup.dst, setup.offered)),
        offsets_s=np.asarray(offsets_s, dtype=float),
        served_gbps=np.concatenate([p.served for p in parts], axis=1) if parts else np.zeros((n_dem, 0)),
        reachable=np.concatenate([p.reach for p in parts], axis=1) if parts else np.zeros((n_dem, 0), bool),
        isl_utilisation=np.concatenate([p.isl_util for p in parts]) if parts else np.zeros((0, setup.n_edge), np.float16),
        resource_names=tuple(res_names), resource_kind=kind, resource_capacity_gbps=setup.capacity,
        utilisation_mean=sums.util_sum / steps, utilisation_max=sums.util_max, saturated_fraction=sums.sat_count / steps,
        bottlenecks=tuple(sums.bottlenecks), isl_utilisation_mean=float(isl_mean.mean()) if n_time else 0.0,
        timings_s={"routing": sums.t_route, "sharing": sums.t_share, "per_epoch": (sums.t_route + sums.t_share) / steps},
    )
