"""Shortest routes through the constellation, epoch by epoch, with ``scipy.sparse.csgraph``.

At each epoch a directed graph is built (in a compiled kernel, straight into CSR arrays):

* nodes ``0 .. n_sat-1`` are the satellites;
* each place that appears in a latency pair is split into a **send** node (edges only
  *to* the satellites it sees) and a **receive** node (edges only *from* them), so a route
  can start and end at a place but never relay through another city or station;
* inter-satellite links go both ways; every edge weighs its length in km.

Dijkstra then runs from the send nodes of the pairs' origins only
(``csgraph.dijkstra(indices=...)``), and a second kernel walks the predecessor rows back to
give each pair's one-way path length, satellite path and bottleneck rate. Each search is
limited to a little beyond the previous epoch's route (searched again without a limit when
that misses), which halves the work on a large shell without changing any result. Latency is the
path length over the vacuum speed of light (no processing or queueing delays, no
light-time correction for the satellites' motion during the transit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from core.analysis.elevation_mask import place_ranges_km
from core.analysis.topology import visible_from_places


@dataclass(frozen=True, eq=False)
class Routes:
    """Per-pair, per-epoch routing outcome (arrays ``(n_pair, n_time)`` unless noted).

    ``path_km`` is ``inf`` where unreachable; ``hops`` counts links (ground up + ISLs +
    ground down; -1 unreachable); the satellite path of pair ``i`` at epoch ``t`` is
    ``route_sats[route_start[i, t] : route_start[i, t] + route_len[i, t]]``.
    """

    path_km: np.ndarray
    hops: np.ndarray
    bottleneck_gbps: np.ndarray
    route_sats: np.ndarray
    route_start: np.ndarray
    route_len: np.ndarray


@njit(cache=True, nogil=True)
def epoch_graph_csr(r_km, t, edges, active_t, vis, n_nodes):
    """CSR arrays ``(indptr, indices, data_km)`` of the directed graph at epoch ``t``.

    ``vis (n_place, n_sat)`` says which satellites each place sees; place ``p`` has send
    node ``n_sat + p`` and receive node ``n_sat + n_place + p``. ``edges (k, 2)`` with
    ``active_t (k,)`` are the inter-satellite links (both directions are added).
    """
    n_sat = r_km.shape[0]
    n_place = vis.shape[0]
    deg = np.zeros(n_nodes + 1, np.int64)
    for e in range(edges.shape[0]):
        if active_t[e]:
            deg[edges[e, 0] + 1] += 1
            deg[edges[e, 1] + 1] += 1
    for p in range(n_place):
        for i in range(n_sat):
            if vis[p, i]:
                deg[i + 1] += 1
                deg[n_sat + p + 1] += 1
    indptr = np.cumsum(deg).astype(np.int32)
    fill = indptr[:-1].astype(np.int64)
    nnz = indptr[-1]
    indices = np.empty(nnz, np.int32)
    data = np.empty(nnz, np.float64)
    for e in range(edges.shape[0]):
        if active_t[e]:
            a = edges[e, 0]
            b = edges[e, 1]
            d = np.sqrt((r_km[a, t, 0] - r_km[b, t, 0]) ** 2 + (r_km[a, t, 1] - r_km[b, t, 1]) ** 2
                        + (r_km[a, t, 2] - r_km[b, t, 2]) ** 2)
            indices[fill[a]] = b
            data[fill[a]] = d
            fill[a] += 1
            indices[fill[b]] = a
            data[fill[b]] = d
            fill[b] += 1
    return indptr, indices, data, fill


@njit(cache=True, nogil=True)
def add_ground_edges(r_km, t, place_km, vis, indices, data, fill):
    """Fill the ground-link slots left by :func:`epoch_graph_csr` (send -> sat, sat -> receive)."""
    n_sat = r_km.shape[0]
    n_place = vis.shape[0]
    for p in range(n_place):
        send = n_sat + p
        recv = n_sat + n_place + p
        for i in range(n_sat):
            if vis[p, i]:
                d = np.sqrt((r_km[i, t, 0] - place_km[p, 0]) ** 2 + (r_km[i, t, 1] - place_km[p, 1]) ** 2
                            + (r_km[i, t, 2] - place_km[p, 2]) ** 2)
                d = max(d, 1e-9)  # csgraph would read an explicit 0 as "no edge"
                indices[fill[send]] = i
                data[fill[send]] = d
                fill[send] += 1
                indices[fill[i]] = recv
                data[fill[i]] = d
                fill[i] += 1


@njit(cache=True, nogil=True)
def walk_routes(pred, dist, pair_row, pair_src, pair_dst, n_sat, isl_gbps, ground_gbps, buf, pos,
                out_km, out_hops, out_bottleneck, out_start, out_len, t):
    """Walk predecessor rows back from each pair's receive node; write paths into ``buf``.

    Intermediate nodes (the satellites) are written from ``buf[pos]`` on, in travel order.
    Returns the new ``pos``. The bottleneck is the smallest rate along the path: the ground
    links use ``ground_gbps`` of the first/last satellite, the ISLs the smaller
    ``isl_gbps`` of their two ends.
    """
    for q in range(pair_row.shape[0]):
        row = pair_row[q]
        dst = pair_dst[q]
        d = dist[row, dst]
        out_start[q, t] = pos
        if not np.isfinite(d):
            out_km[q, t] = np.inf
            out_hops[q, t] = -1
            out_bottleneck[q, t] = np.nan
            out_len[q, t] = 0
            continue
        src = pair_src[q]
        count = 0
        node = pred[row, dst]
        while node != src and node >= 0:
            count += 1
            node = pred[row, node]
        node = pred[row, dst]
        k = count - 1
        while k >= 0:
            buf[pos + k] = node
            node = pred[row, node]
            k -= 1
        cap = np.inf
        if count > 0:
            first = buf[pos]
            last = buf[pos + count - 1]
            if first < n_sat:
                cap = min(cap, ground_gbps[first])
            if last < n_sat:
                cap = min(cap, ground_gbps[last])
            for k in range(count - 1):
                a = buf[pos + k]
                b = buf[pos + k + 1]
                if a < n_sat and b < n_sat:
                    cap = min(cap, min(isl_gbps[a], isl_gbps[b]))
        out_km[q, t] = d
        out_hops[q, t] = count + 1
        out_bottleneck[q, t] = cap
        out_len[q, t] = count
        pos += count
    return pos


@njit(cache=True, nogil=True)
def route_changed(route_sats, route_start, route_len):
    """``(n_pair, n_time)`` bool: the satellite path differs from the previous epoch's.

    Becoming reachable or unreachable counts as a change; epoch 0 never does.
    """
    n_pair, n_time = route_len.shape
    out = np.zeros((n_pair, n_time), np.bool_)
    for q in range(n_pair):
        for t in range(1, n_time):
            la = route_len[q, t - 1]
            lb = route_len[q, t]
            if la != lb:
                out[q, t] = True
                continue
            sa = route_start[q, t - 1]
            sb = route_start[q, t]
            for k in range(lb):
                if route_sats[sa + k] != route_sats[sb + k]:
                    out[q, t] = True
                    break
    return out


BOUND_FACTOR = 1.2
BOUND_MARGIN_KM = 500.0
"""Dijkstra from an origin stops at ``BOUND_FACTOR`` x the previous epoch's longest route
from it + ``BOUND_MARGIN_KM``; a pair not reached within that bound is searched again
without one, so the bound only saves time and never changes a result."""


def _dijkstra_bounded(graph, source_nodes, bound_km, pair_row, pair_dst):
    """Dijkstra from ``source_nodes`` with a distance limit per source (``inf`` for none).

    Origins with a finite bound share one call limited to the largest of them; origins
    without one get an unlimited call; an origin whose pair was not reached within its
    limit is searched again without a limit. The result is exact.
    """
    finite = np.isfinite(bound_km)
    if finite.all() or not finite.any():
        limit = float(bound_km.max()) if finite.all() else np.inf
        dist, pred = dijkstra(graph, directed=True, indices=source_nodes, return_predecessors=True, limit=limit)
    else:
        dist = np.empty((source_nodes.size, graph.shape[0]))
        pred = np.empty((source_nodes.size, graph.shape[0]), np.int32)
        for rows, limit in ((np.flatnonzero(finite), float(bound_km[finite].max())), (np.flatnonzero(~finite), np.inf)):
            dist[rows], pred[rows] = dijkstra(graph, directed=True, indices=source_nodes[rows], return_predecessors=True, limit=limit)
    if finite.any():
        missed = finite[pair_row] & ~np.isfinite(dist[pair_row, pair_dst])
        if missed.any():
            rows = np.unique(pair_row[missed])
            dist[rows], pred[rows] = dijkstra(graph, directed=True, indices=source_nodes[rows], return_predecessors=True)
    return dist, pred


def route_pairs(
    r_ecef_km: np.ndarray,
    isl_edges: np.ndarray,
    isl_active: np.ndarray,
    place_ecef_km: np.ndarray,
    place_up: np.ndarray,
    place_min_elevation_deg: np.ndarray,
    pair_from: np.ndarray,
    pair_to: np.ndarray,
    sat_isl_gbps: np.ndarray | None = None,
    sat_ground_gbps: np.ndarray | None = None,
    epochs: np.ndarray | None = None,
    place_max_range_km: np.ndarray | None = None,
) -> Routes:
    """Shortest route of every pair at every epoch.

    Args:
        r_ecef_km: ``(n_sat, n_time, 3)`` Earth-fixed satellite positions.
        isl_edges, isl_active: candidate links ``(k, 2)`` and their availability ``(n_time, k)``.
        place_ecef_km, place_up, place_min_elevation_deg: ``(n_place, 3)``, ``(n_place, 3)``,
            ``(n_place,)`` — the places' positions, local verticals and elevation masks.
        pair_from, pair_to: ``(n_pair,)`` place indices of each pair's ends.
        sat_isl_gbps, sat_ground_gbps: per-satellite link rates for the bottleneck (1 when omitted).
        epochs: grid indices to route (all when omitted); results are laid out per given epoch.
        place_max_range_km: ``(n_place,)`` slant-range limit of each place's ground links
            (``inf`` or omitted: the elevation mask alone).
    """
    r = np.ascontiguousarray(r_ecef_km, dtype=np.float64)
    n_sat, n_time_all = r.shape[:2]
    epochs = np.arange(n_time_all) if epochs is None else np.asarray(epochs, dtype=np.int64)
    n_time = epochs.size
    edges = np.ascontiguousarray(isl_edges, dtype=np.int64).reshape(-1, 2)
    active = np.asarray(isl_active, dtype=np.bool_).reshape(n_time_all, edges.shape[0])
    place_km = np.ascontiguousarray(place_ecef_km, dtype=np.float64).reshape(-1, 3)
    up = np.ascontiguousarray(place_up, dtype=np.float64).reshape(-1, 3)
    sin_mask = np.sin(np.radians(np.asarray(place_min_elevation_deg, dtype=float))).reshape(-1)
    n_place = place_km.shape[0]
    n_nodes = n_sat + 2 * n_place
    range_km = place_ranges_km(place_max_range_km, n_place)
    pair_from = np.asarray(pair_from, dtype=np.int64)
    pair_to = np.asarray(pair_to, dtype=np.int64)
    n_pair = pair_from.size
    isl_gbps = np.ones(n_sat) if sat_isl_gbps is None else np.asarray(sat_isl_gbps, dtype=float)
    ground_gbps = np.ones(n_sat) if sat_ground_gbps is None else np.asarray(sat_ground_gbps, dtype=float)

    sources, pair_row = np.unique(pair_from, return_inverse=True)
    source_nodes = n_sat + sources
    pair_src = n_sat + pair_from
    pair_dst = n_sat + n_place + pair_to

    path_km = np.full((n_pair, n_time), np.inf)
    hops = np.full((n_pair, n_time), -1, np.int32)
    bottleneck = np.full((n_pair, n_time), np.nan)
    start = np.zeros((n_pair, n_time), np.int64)
    length = np.zeros((n_pair, n_time), np.int32)
    buf = np.empty(max(1024, 16 * n_pair * max(n_time, 1)), np.int32)
    pos = 0
    vis = np.zeros((n_place, n_sat), np.bool_)
    graph = csr_matrix((n_nodes, n_nodes))  # arrays swapped in per epoch, skipping format checks
    bound_km = np.full(source_nodes.size, np.inf)
    for j, t in enumerate(epochs):
        t = int(t)
        visible_from_places(r, t, place_km, up, sin_mask, range_km, vis)
        indptr, indices, data, fill = epoch_graph_csr(r, t, edges, active[t], vis, n_nodes)
        add_ground_edges(r, t, place_km, vis, indices, data, fill)
        graph.data, graph.indices, graph.indptr = data, indices, indptr
        dist, pred = _dijkstra_bounded(graph, source_nodes, bound_km, pair_row, pair_dst)
        if pos + n_pair * n_nodes > buf.size:
            buf = np.concatenate([buf, np.empty(max(buf.size, n_pair * n_nodes), np.int32)])
        pos = walk_routes(pred, dist, pair_row, pair_src, pair_dst, n_sat, isl_gbps, ground_gbps, buf, pos,
                          path_km, hops, bottleneck, start, length, j)
        # next epoch's search radius per origin: this epoch's routes plus a margin
        bound_km = np.full(source_nodes.size, -np.inf)
        np.maximum.at(bound_km, pair_row, path_km[:, j] * BOUND_FACTOR + BOUND_MARGIN_KM)
    return Routes(path_km, hops, bottleneck, buf[:pos].copy(), start, length)


def concat_routes(parts: list[Routes], n_pair: int) -> Routes:
    """The routes of consecutive blocks of epochs as one :class:`Routes` (time order kept, each
    block's path offsets moved past the paths before it): the same arrays as one call over all."""
    if not parts:
        empty = np.zeros((n_pair, 0))
        return Routes(empty, empty.astype(np.int32), empty, np.zeros(0, np.int32), empty.astype(np.int64), empty.astype(np.int32))
    shift = np.cumsum([0] + [p.route_sats.size for p in parts[:-1]])
    return Routes(
        path_km=np.concatenate([p.path_km for p in parts], axis=1),
        hops=np.concatenate([p.hops for p in parts], axis=1),
        bottleneck_gbps=np.concatenate([p.bottleneck_gbps for p in parts], axis=1),
        route_sats=np.concatenate([p.route_sats for p in parts]),
        route_start=np.concatenate([p.route_start + s for p, s in zip(parts, shift)], axis=1),
        route_len=np.concatenate([p.route_len for p in parts], axis=1),
    )


def shortest_routes(graph, sources, targets) -> tuple[np.ndarray, list[list[int]]]:
    """Shortest distances and node paths from ``sources[i]`` to ``targets[i]`` on any graph.

    ``graph`` is a (directed) sparse matrix of positive edge weights. The same Dijkstra and
    predecessor walk as :func:`route_pairs`; paths include both ends (empty if unreachable).
    """
    graph = csr_matrix(graph)
    n = graph.shape[0]
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    uniq, row = np.unique(sources, return_inverse=True)
    dist, pred = dijkstra(graph, directed=True, indices=uniq, return_predecessors=True)
    m = sources.size
    km = np.empty((m, 1))
    hops = np.empty((m, 1), np.int32)
    cap = np.empty((m, 1))
    start = np.zeros((m, 1), np.int64)
    length = np.zeros((m, 1), np.int32)
    buf = np.empty(m * n + 1, np.int32)
    walk_routes(pred, dist, row, sources, targets, n, np.ones(n), np.ones(n), buf, 0, km, hops, cap, start, length, 0)
    paths: list[list[int]] = []
    for i in range(m):
        if not np.isfinite(km[i, 0]):
            paths.append([])
        elif sources[i] == targets[i]:
            paths.append([int(sources[i])])
        else:
            inner = buf[start[i, 0] : start[i, 0] + length[i, 0]].tolist()
            paths.append([int(sources[i]), *inner, int(targets[i])])
    return km[:, 0], paths
