"""Inter-satellite link topology per epoch, and which satellites each ground place sees.

The network is rebuilt at every epoch of the analysis grid from two ingredients:

* **Inter-satellite links (ISLs)**, within one constellation entry (never across shells):

  - ``isl: plus-grid`` on a Walker shell: every satellite links to its two neighbours in
    its own plane (slot ``s - 1`` and ``s + 1``) and to the satellite in the same slot of
    the two adjacent planes. In a *delta* pattern the last plane wraps to plane 0; there
    the slot is shifted by the Walker phasing ``F`` (the partner with the same along-track
    offset as every other cross-plane pair). In a *star* pattern the first and last
    planes counter-rotate across the *seam*, so no link crosses it.
    ``isl_shift`` moves every cross-plane partner by that many slots (on top of the wrap's
    phasing shift).
  - ``isl: plus-grid`` on an imported (TLE/OMM) shell that gives ``planes`` and
    ``sats_per_plane`` (or a Hypatia ``tles.txt`` header): satellites are taken in file
    order, plane by plane; slot ``j`` of plane ``i`` links to slots ``j +- 1`` of plane ``i``
    and to slot ``(j + isl_shift) mod n`` of planes ``i +- 1``, the last plane wrapping to
    plane 0 (Hypatia's ``generate_plus_grid_isls``).
  - ``isl: plus-grid`` on an imported, custom or cluster set with no plane structure:
    *nearest-neighbour* links under a per-satellite terminal budget (``isl_terminals``),
    chosen greedily, shortest first, at every epoch.
  - ``isl_file``: the links listed in the file (index pairs within the shell), on any shell;
    they replace the links ``isl`` would build.

  Every candidate link is kept at an epoch only while its line of sight clears the Earth
  by :data:`LOS_CLEARANCE_KM` (80 km, above the bulk of the atmosphere) and, when the
  shell sets ``max_isl_range_km``, while it is no longer than that. The clearance test
  uses the WGS-84 ellipsoid grown by 80 km on both axes.

* **Ground links**: a named place (city or ground station) connects to every satellite at
  or above its elevation mask and, when it has one, within its slant-range limit
  (``max_range_km``, default ``analysis.max_ground_range_km``) (:func:`visible_from_places`).

:func:`compute_topology` returns a :class:`Topology`: a fixed list of candidate ISLs (the
union over all epochs) and a per-epoch active mask, so :meth:`Topology.links_at` is a
cheap lookup for drawing the links on the globe frame by frame. The edges come from the
shells' geometry (:func:`link_plan`); the mask is computed block of epochs by block from
positions of that block only (:func:`window_links`, here or as :func:`topology_block` tasks
on an executor). The mask is the one ``(n_time, n_edge)`` table kept: one byte per link
and epoch (58 MB for 100,000 satellites in a plus-grid over 289 epochs, 0.58 GB for
1,000,000).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

from core.analysis.elevation_mask import in_ground_link
from core.constants import WGS84_A_KM, WGS84_B_KM
from core.mission.hypatia import grid_of_entry, isl_pairs_of_entry
from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor
from core.orbits.ephemeris import Ephemeris

LOS_CLEARANCE_KM = 80.0
"""Height above the Earth's surface that a link's line of sight must clear."""


@dataclass(frozen=True, eq=False)
class Topology:
    """The inter-satellite links of a constellation over the analysis grid.

    Attributes:
        isl_edges: ``(n_edge, 2)`` int32 global satellite indices (``a < b``) of every link
            that exists at some epoch.
        isl_active: ``(n_time, n_edge)`` bool, whether each link is up at each epoch (line of
            sight clear of the Earth + 80 km, within the range limit, and for
            nearest-neighbour shells chosen at that epoch).
        isl_capacity_gbps: ``(n_edge,)`` rate of each link, the smaller ``isl_gbps`` of the
            two satellites' buses.
        isl_kind: ``(n_edge,)`` int8: 0 in-plane, 1 cross-plane, 2 nearest-neighbour,
            3 from an ``isl_file``.
    """

    isl_edges: np.ndarray
    isl_active: np.ndarray
    isl_capacity_gbps: np.ndarray
    isl_kind: np.ndarray

    @property
    def n_edge(self) -> int:
        return int(self.isl_edges.shape[0])

    @property
    def n_time(self) -> int:
        return int(self.isl_active.shape[0])

    def links_at(self, epoch: int) -> np.ndarray:
        """Active links at grid epoch ``epoch`` as a ``(k, 2)`` int array of satellite indices
        (a boolean mask over the fixed edge list: cheap enough to call every frame)."""
        return self.isl_edges[self.isl_active[epoch]]

    def active_count(self) -> np.ndarray:
        """Number of links up at each epoch, ``(n_time,)``."""
        return self.isl_active.sum(axis=1)


# ----------------------------------------------------------------------------------------
# Candidate links


def plus_grid_edges(
    planes: int,
    sats_per_plane: int,
    pattern: str | None,
    wrap_slot_shift: int = 0,
    isl_shift: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Plus-grid links of one shell, in shell-local indices ``plane * S + slot``.

    Returns ``(edges (k, 2) int, kind (k,) int8)`` with ``kind`` 0 for in-plane and 1 for
    cross-plane links; each undirected link appears once, as ``(min, max)``. Slot ``s`` of
    plane ``p`` links to slot ``s + isl_shift`` of plane ``p + 1``; the wrap from the last
    plane to plane 0 links slot ``s`` to slot ``s + isl_shift + wrap_slot_shift``. A
    ``star`` pattern has no wrap link.
    """
    p_count, s_count = int(planes), int(sats_per_plane)
    plane = np.repeat(np.arange(p_count), s_count)
    slot = np.tile(np.arange(s_count), p_count)
    me = plane * s_count + slot
    parts, kinds = [], []
    if s_count >= 2:
        parts.append(np.stack([me, plane * s_count + (slot + 1) % s_count], axis=1))
        kinds.append(np.zeros(me.size, np.int8))
    if p_count >= 2:
        inner = plane < p_count - 1
        parts.append(np.stack([me[inner], (plane[inner] + 1) * s_count + (slot[inner] + int(isl_shift)) % s_count], axis=1))
        kinds.append(np.ones(int(inner.sum()), np.int8))
        if pattern != "star":
            last = plane == p_count - 1
            partner = (slot[last] + int(wrap_slot_shift) + int(isl_shift)) % s_count
            parts.append(np.stack([me[last], partner], axis=1))
            kinds.append(np.ones(int(last.sum()), np.int8))
    if not parts:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.int8)
    edges = np.sort(np.concatenate(parts), axis=1)
    kind = np.concatenate(kinds)
    keep = edges[:, 0] != edges[:, 1]
    edges, kind = edges[keep], kind[keep]
    _, first = np.unique(edges[:, 0] * (p_count * s_count) + edges[:, 1], return_index=True)
    first.sort()
    return edges[first], kind[first]


def walker_shell_edges(
    plane_index: np.ndarray,
    slot_index: np.ndarray,
    planes: int,
    sats_per_plane: int,
    pattern: str | None,
    phasing: int = 0,
    isl_shift: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Plus-grid links of a Walker shell in shell-local satellite indices.

    ``plane_index``/``slot_index`` give each satellite's place (any order). Slot ``k`` of
    plane ``j`` sits at argument of latitude ``k * 360/S + j * F * 360/T`` (see
    :mod:`core.orbits.walker`), so a plane ``P`` after the last would coincide with plane 0
    shifted by ``F`` slots: the delta wrap links slot ``s`` of the last plane to slot
    ``s + F`` of plane 0, the partner with the same along-track offset (``F * 360/T``) as
    every other cross-plane pair, and its nearest satellite in plane 0 when ``F < P/2``.
    ``isl_shift`` moves every cross-plane partner by that many more slots.
    """
    plane_index = np.asarray(plane_index)
    slot_index = np.asarray(slot_index)
    lookup = np.full(planes * sats_per_plane, -1, np.int64)
    lookup[plane_index * sats_per_plane + slot_index] = np.arange(plane_index.size)
    edges, kind = plus_grid_edges(planes, sats_per_plane, pattern, phasing, isl_shift)
    local = lookup[edges]
    ok = (local >= 0).all(axis=1)
    return np.sort(local[ok], axis=1), kind[ok]


# ----------------------------------------------------------------------------------------
# Kernels


@njit(cache=True, nogil=True)
def _segment_clears(ax, ay, az, bx, by, bz, radius_km, z_scale):
    """Whether the segment a-b stays outside the ellipsoid (x^2+y^2+(z*z_scale)^2 = radius^2)."""
    az = az * z_scale
    bz = bz * z_scale
    dx = bx - ax
    dy = by - ay
    dz = bz - az
    dd = dx * dx + dy * dy + dz * dz
    if dd <= 0.0:
        return ax * ax + ay * ay + az * az > radius_km * radius_km
    u = -(ax * dx + ay * dy + az * dz) / dd
    if u < 0.0:
        u = 0.0
    elif u > 1.0:
        u = 1.0
    px = ax + u * dx
    py = ay + u * dy
    pz = az + u * dz
    return px * px + py * py + pz * pz > radius_km * radius_km


@njit(cache=True, nogil=True)
def isl_active_kernel(r_km, edges, max_range_km, clearance_km, out):
    """Fill ``out (n_time, n_edge)`` with link availability over all epochs.

    ``r_km`` is ``(n_sat, n_time, 3)``; ``max_range_km (n_edge,)`` (``inf`` for no limit).
    A link is up when its segment clears the WGS-84 ellipsoid grown by ``clearance_km``.
    """
    radius = WGS84_A_KM + clearance_km
    z_scale = radius / (WGS84_B_KM + clearance_km)
    n_time = r_km.shape[1]
    for e in range(edges.shape[0]):
        a = edges[e, 0]
        b = edges[e, 1]
        lim2 = max_range_km[e] * max_range_km[e]
        for t in range(n_time):
            ax = r_km[a, t, 0]
            ay = r_km[a, t, 1]
            az = r_km[a, t, 2]
            bx = r_km[b, t, 0]
            by = r_km[b, t, 1]
            bz = r_km[b, t, 2]
            d2 = (bx - ax) ** 2 + (by - ay) ** 2 + (bz - az) ** 2
            out[t, e] = d2 <= lim2 and _segment_clears(ax, ay, az, bx, by, bz, radius, z_scale)


@njit(cache=True, nogil=True)
def nearest_neighbour_kernel(r_km, t, cand, cand_d2, terminals, max_range_km, clearance_km, out_a, out_b):
    """Greedy nearest-neighbour links of one set at one epoch under a terminal budget.

    ``cand (n, k)`` are candidate partners (local indices, -1 for none) with squared
    distances ``cand_d2``; pairs are taken shortest first while both ends have a free
    terminal, the range limit holds and the line of sight clears the Earth. Returns the
    number of links written to ``out_a``/``out_b`` (local indices, ``a < b``).
    """
    radius = WGS84_A_KM + clearance_km
    z_scale = radius / (WGS84_B_KM + clearance_km)
    n, k = cand.shape
    flat_d = cand_d2.ravel()
    order = np.argsort(flat_d)
    used = np.zeros(n, np.int64)
    partner = np.full((n, max(terminals, 1)), -1, np.int64)
    lim2 = max_range_km * max_range_km
    m = 0
    for idx in order:
        i = idx // k
        j = cand[i, idx % k]
        if j < 0 or j == i or flat_d[idx] > lim2:
            continue
        a = min(i, j)
        b = max(i, j)
        if used[a] >= terminals or used[b] >= terminals:
            continue
        dup = False
        for q in range(used[a]):
            if partner[a, q] == b:
                dup = True
                break
        if dup:
            continue
        if not _segment_clears(r_km[a, t, 0], r_km[a, t, 1], r_km[a, t, 2],
                               r_km[b, t, 0], r_km[b, t, 1], r_km[b, t, 2], radius, z_scale):
            continue
        partner[a, used[a]] = b
        partner[b, used[b]] = a
        used[a] += 1
        used[b] += 1
        out_a[m] = a
        out_b[m] = b
        m += 1
    return m


@njit(cache=True, nogil=True)
def visible_from_places(r_km, t, place_km, place_up, sin_mask, max_range_km, out):
    """Ground links at epoch ``t``: ``out (n_place, n_sat)`` is True where a satellite is at
    or above the place's elevation mask (``sin_mask`` = sine of the mask per place) and
    within its slant range ``max_range_km`` (per place, ``inf`` for no limit).

    ``r_km`` is ``(n_sat, n_time, 3)`` Earth-fixed; ``place_km``/``place_up`` ``(n_place, 3)``
    are the places' Earth-fixed positions and geodetic local verticals.
    """
    n_sat = r_km.shape[0]
    for p in range(place_km.shape[0]):
        px = place_km[p, 0]
        py = place_km[p, 1]
        pz = place_km[p, 2]
        ux = place_up[p, 0]
        uy = place_up[p, 1]
        uz = place_up[p, 2]
        s = sin_mask[p]
        rng = max_range_km[p]
        for i in range(n_sat):
            out[p, i] = in_ground_link(r_km[i, t, 0] - px, r_km[i, t, 1] - py, r_km[i, t, 2] - pz, ux, uy, uz, s, rng)


# ----------------------------------------------------------------------------------------
# Whole constellation


def isl_active_over_time(r_ecef_km: np.ndarray, edges: np.ndarray, max_range_km: np.ndarray | float | None = None) -> np.ndarray:
    """Availability ``(n_time, n_edge)`` of fixed candidate links over all epochs."""
    edges = np.ascontiguousarray(edges, dtype=np.int64).reshape(-1, 2)
    out = np.zeros((r_ecef_km.shape[1], edges.shape[0]), dtype=np.bool_)
    if edges.shape[0]:
        isl_active_kernel(np.ascontiguousarray(r_ecef_km, dtype=np.float64), edges, _range_limits(edges.shape[0], max_range_km),
                          LOS_CLEARANCE_KM, out)
    return out


def _range_limits(n_edge: int, max_range_km: np.ndarray | float | None) -> np.ndarray:
    """``(n_edge,)`` range limit of each link, ``inf`` for none."""
    if max_range_km is None:
        return np.full(n_edge, np.inf)
    limit = np.broadcast_to(np.asarray(max_range_km, dtype=float), (n_edge,)).copy()
    limit[~np.isfinite(limit)] = np.inf
    return limit


def nearest_neighbour_keys(r_ecef_km: np.ndarray, terminals: int, max_range_km: float | None = None) -> list[np.ndarray]:
    """Nearest-neighbour links of one unstructured set at each epoch of ``r_ecef_km (n, n_time, 3)``,
    as sorted-pair keys ``a * n + b`` (local indices, ``a < b``), one array per epoch."""
    from scipy.spatial import cKDTree

    n, n_time = r_ecef_km.shape[:2]
    if n < 2 or terminals <= 0:
        return [np.zeros(0, np.int64) for _ in range(n_time)]
    k = min(n - 1, max(terminals + 2, 2 * terminals))
    limit = float(max_range_km) if max_range_km else np.inf
    r = np.ascontiguousarray(r_ecef_km, dtype=np.float64)
    keys_per_epoch = []
    out_a = np.empty(n * k, np.int64)
    out_b = np.empty(n * k, np.int64)
    for t in range(n_time):
        tree = cKDTree(r[:, t, :])
        dist, idx = tree.query(r[:, t, :], k=k + 1)
        cand = np.where(idx[:, 1:] < n, idx[:, 1:], -1).astype(np.int64)
        d2 = np.where(np.isfinite(dist[:, 1:]), dist[:, 1:] ** 2, np.inf)
        m = nearest_neighbour_kernel(r, t, np.ascontiguousarray(cand), np.ascontiguousarray(d2), terminals, limit, LOS_CLEARANCE_KM, out_a, out_b)
        keys_per_epoch.append(out_a[:m] * n + out_b[:m])
    return keys_per_epoch


def links_from_keys(keys_per_epoch: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(edges (k, 2), active (n_time, k))`` from per-epoch link keys ``a * n + b``; ``edges`` is
    their union, sorted (so it does not depend on how the epochs were split into blocks)."""
    union = np.unique(np.concatenate(keys_per_epoch)) if keys_per_epoch else np.zeros(0, np.int64)
    active = np.zeros((len(keys_per_epoch), union.size), bool)
    for t, keys in enumerate(keys_per_epoch):
        active[t, np.searchsorted(union, keys)] = True
    return np.stack([union // n, union % n], axis=1), active


def nearest_neighbour_links(
    r_ecef_km: np.ndarray, terminals: int, max_range_km: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-neighbour links of one unstructured set at every epoch.

    ``r_ecef_km`` is ``(n, n_time, 3)`` for the set's satellites. Returns ``(edges (k, 2),
    active (n_time, k))`` in local indices, ``edges`` the union over all epochs.
    """
    n, n_time = r_ecef_km.shape[:2]
    if n < 2 or terminals <= 0:
        return np.zeros((0, 2), np.int64), np.zeros((n_time, 0), bool)
    return links_from_keys(nearest_neighbour_keys(r_ecef_km, terminals, max_range_km), n)


# ----------------------------------------------------------------------------------------
# Whole constellation, block by block

TOPOLOGY_BYTES_PER_SAT_EPOCH = 96
"""Block memory per satellite and epoch: inertial and Earth-fixed float64 positions (48
bytes), the frame rotation's temporary (24) and a plus-grid's availability (2 links)."""


@dataclass(frozen=True, eq=False)
class ShellLinks:
    """One shell's candidate links, from its geometry alone (no positions).

    ``edges`` are global satellite indices ``(k, 2)`` (``a < b``), ``None`` for a set whose
    nearest-neighbour links are chosen epoch by epoch from the positions.
    """

    sat_start: int
    n_sat: int
    edges: np.ndarray | None
    kind: np.ndarray | None
    gbps: float
    max_range_km: float | None
    terminals: int


def link_plan(mission: Mission, eph: Ephemeris, base_dir: Path | None = None) -> list[ShellLinks]:
    """The candidate links of every shell that has any, in shell order (see :func:`compute_topology`)."""
    plan = []
    for shell in eph.shells:
        entry = mission.constellations[shell.index]
        isl_file = getattr(entry, "isl_file", None)
        if (shell.isl != "plus-grid" and isl_file is None) or shell.n_sat < 2:
            continue
        start = shell.sat_slice.start
        gbps = float(mission.bus_for(entry).isl_gbps)
        shift = int(getattr(entry, "isl_shift", None) or 0)
        local: np.ndarray | None
        kind: np.ndarray | None
        if isl_file is not None:
            local = isl_pairs_of_entry(entry, base_dir, shell.n_sat)
            kind = np.full(local.shape[0], 3, np.int8)
        elif shell.is_walker:
            local, kind = walker_shell_edges(
                shell.plane_index, shell.slot_index, shell.planes, shell.sats_per_plane, shell.pattern, shell.phasing, shift
            )
        elif (grid := imported_grid(entry, shell, base_dir)) is not None:
            local, kind = plus_grid_edges(grid[0], grid[1], "delta", 0, shift)
        else:  # no plane structure: links chosen epoch by epoch
            local = kind = None
        edges = None if local is None else np.asarray(local, np.int64).reshape(-1, 2) + start
        plan.append(ShellLinks(start, shell.n_sat, edges, kind, gbps, shell.max_isl_range_km, shell.isl_terminals))
    return plan


def _fixed_span(plan: list[ShellLinks]) -> tuple[int, int]:
    """The satellites ``lo:hi`` the fixed-edge shells of ``plan`` lie in (``0:0`` for none)."""
    fixed = [s for s in plan if s.edges is not None]
    if not fixed:
        return 0, 0
    return min(s.sat_start for s in fixed), max(s.sat_start + s.n_sat for s in fixed)


def window_links(mission: Mission, win: Ephemeris, plan: list[ShellLinks]) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    """One block's links: ``(fixed (n_time, n_fixed) bool, keys)``.

    ``fixed`` is the availability of the fixed-edge shells' links (in plan order, their edges
    concatenated); ``keys`` holds, for each nearest-neighbour shell, its links at each epoch
    (:func:`nearest_neighbour_keys`). Only the satellites of linked shells are propagated.
    """
    fixed = [s for s in plan if s.edges is not None]
    n_fixed = sum(int(s.edges.shape[0]) for s in fixed if s.edges is not None)
    out = np.zeros((win.n_time, n_fixed), np.bool_)
    if n_fixed:
        lo, hi = _fixed_span(plan)
        edges = np.concatenate([s.edges for s in fixed if s.edges is not None]) - lo
        limit = np.concatenate([_range_limits(int(s.edges.shape[0]), s.max_range_km) for s in fixed if s.edges is not None])
        r = win.subset(lo, hi).r_ecef_km
        isl_active_kernel(np.ascontiguousarray(r, dtype=np.float64), np.ascontiguousarray(edges), limit, LOS_CLEARANCE_KM, out)
    keys = [nearest_neighbour_keys(win.subset(s.sat_start, s.sat_start + s.n_sat).r_ecef_km, s.terminals, s.max_range_km)
            for s in plan if s.edges is None]
    return out, keys


def topology_block(mission_data: dict, folder: str | None, t0: int, t1: int) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    """:func:`window_links` of epochs ``t0:t1`` as an executor task (the worker builds the plan and its block)."""
    from core.analysis.windows import run_window_task

    return run_window_task(_planned_window_links, mission_data, folder, t0, t1, folder)


def _planned_window_links(mission: Mission, win: Ephemeris, folder: str | None) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    return window_links(mission, win, link_plan(mission, win, Path(folder) if folder else None))


def compute_topology(mission: Mission, eph: Ephemeris, base_dir: Path | None = None, executor: BlockExecutor | None = None) -> Topology:
    """Inter-satellite links of every shell of ``mission`` over the grid of ``eph``.

    Shells with an ``isl_file`` get its links; otherwise shells with ``isl: none`` contribute
    nothing, Walker shells and imported shells with a plane structure get the plus-grid,
    other sets nearest-neighbour links under ``isl_terminals``. Link rates come from each
    shell's bus (``isl_gbps``). ``base_dir`` (the mission file's folder) resolves relative
    ``isl_file`` and ``tle_file`` paths.

    The availability is computed block of epochs by block (:mod:`core.analysis.windows`), on
    ``executor`` when given; only the ``(n_time, n_edge)`` table is kept whole (it is filled in
    place when no shell uses nearest-neighbour links, whose edge list is known only at the end).
    """
    from core.analysis.windows import over_windows

    plan = link_plan(mission, eph, base_dir)
    if not plan:
        return Topology(np.zeros((0, 2), np.int32), np.zeros((eph.n_time, 0), bool), np.zeros(0), np.zeros(0, np.int8))
    fixed = [s for s in plan if s.edges is not None]
    n_fixed = sum(int(s.edges.shape[0]) for s in fixed if s.edges is not None)
    nearest = [s for s in plan if s.edges is None]
    lo, hi = _fixed_span(plan)
    n_block_sat = (hi - lo) + sum(s.n_sat for s in nearest)
    direct = np.empty((eph.n_time, n_fixed), np.bool_) if not nearest else None
    held: list[np.ndarray] = []
    keys: list[list[np.ndarray]] = [[] for _ in nearest]
    for t0, _t1, (block, block_keys) in over_windows(
            lambda m, win: window_links(m, win, plan), topology_block, mission, eph, base_dir,
            TOPOLOGY_BYTES_PER_SAT_EPOCH, executor=executor, n_sat=max(1, n_block_sat)):
        if direct is not None:
            direct[t0:t0 + block.shape[0]] = block
        else:
            held.append(block)
        for k, per_epoch in enumerate(block_keys):
            keys[k].extend(per_epoch)
    if direct is not None:
        active = direct
        edges_all = [s.edges for s in fixed if s.edges is not None]
        kinds = [s.kind for s in fixed if s.kind is not None]
        caps = [np.full(int(s.edges.shape[0]), s.gbps) for s in fixed if s.edges is not None]
    else:
        fixed_active = np.concatenate(held) if held else np.zeros((eph.n_time, 0), bool)
        del held
        edges_all, kinds, caps, parts = [], [], [], []
        col = k_nn = 0
        for s in plan:
            if s.edges is not None and s.kind is not None:
                k = int(s.edges.shape[0])
                edges_all.append(s.edges)
                kinds.append(s.kind)
                parts.append(fixed_active[:, col:col + k])
                col += k
            else:
                local, act = links_from_keys(keys[k_nn], s.n_sat)
                k_nn += 1
                k = int(local.shape[0])
                edges_all.append(local + s.sat_start)
                kinds.append(np.full(k, 2, np.int8))
                parts.append(act)
            caps.append(np.full(k, s.gbps))
        active = np.concatenate(parts, axis=1) if parts else np.zeros((eph.n_time, 0), bool)
    return Topology(
        isl_edges=np.concatenate(edges_all).astype(np.int32),
        isl_active=np.ascontiguousarray(active),
        isl_capacity_gbps=np.concatenate(caps),
        isl_kind=np.concatenate(kinds),
    )


def imported_grid(entry, shell, base_dir: Path | None = None) -> tuple[int, int] | None:
    """``(planes, sats_per_plane)`` of an imported (TLE/OMM) shell, or ``None`` without a plane
    structure. Raises ``ValueError`` naming the file when the count does not match (the
    mission checks report it first, so this only guards direct callers)."""
    if shell.source not in ("tle", "omm"):
        return None
    grid = grid_of_entry(entry, base_dir)
    if grid is None:
        return None
    if grid[0] * grid[1] != shell.n_sat:
        label = entry.tle_file or entry.omm_file or "the inline tle"
        raise ValueError(f"{label}: {shell.n_sat} satellites read, but planes x sats_per_plane = "
                         f"{grid[0]} x {grid[1]} = {grid[0] * grid[1]}")
    return grid
