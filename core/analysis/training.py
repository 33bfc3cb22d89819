"""Data-parallel training across a cluster: step time, scaling efficiency, tokens per day.

Every satellite of the training shell holds a full model replica and processes ``1/N`` of each
global step; then the gradients (``parameters x bytes_per_parameter``) are summed over the
inter-satellite links, epoch by epoch as links come and go:

* **Compute** per step and satellite: ``flops_per_step / N`` (default ``6 x parameters x
  tokens_per_step``, the dense-transformer estimate of Kaplan et al. 2020) at
  ``compute_units x tflops_per_unit x utilization`` — the *nameplate* throughput (the results say
  ``compute_basis: "nameplate"``): energy- and heat-limited delivered compute is not modelled
  here. Without ``tflops_per_unit`` the catalogue's TOPS figure is used as FLOP/s.
* **Ring all-reduce**: the satellites are put in a ring (the depth-first order of the ISL graph);
  each ring hop follows the shortest path (fewest links) in the graph, and a link shared by
  ``k`` hops gives each ``1/k`` of its rate. Time ``2 (N-1)/N x G / B + 2 (N-1) x alpha``,
  with ``B`` the slowest hop's share and ``alpha`` the slowest hop's latency (light time along
  its links plus ``hop_latency_s`` per link).
* **Tree all-reduce** (pipelined reduce then broadcast over the breadth-first tree from the
  graph's centre): ``2 G / B_tree + 2 depth x alpha_link``.
* ``step_s = compute_s + allreduce_s`` (no overlap of compute and communication, a
  conservative bound); ``scaling_efficiency = T_1 / (N T_N)``, ``T_1`` the same step on one
  satellite with no communication. An epoch whose ISL graph does not connect every satellite
  cannot finish a step and is left out of the percentiles (``connected_fraction`` says how often).

Link rates come from the optical link budget when the buses have one
(:mod:`core.analysis.optical`), else from ``isl_gbps``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.analysis.optical import OpticalResult, edge_capacity_gbps, edge_range_km
from core.analysis.topology import Topology
from core.constants import C_KM_S
from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor
from core.orbits.ephemeris import Ephemeris
from core.orbits.shells import ShellInfo


@dataclass(frozen=True, eq=False)
class TrainingResult:
    """Step time of every epoch (NaN where the graph is split) and the summary figures."""

    shell: str
    model_name: str | None
    algorithm: str
    satellites: int
    compute_s: float
    single_satellite_s: float
    gradient_gbit: float
    tokens_per_step: float
    allreduce_s: np.ndarray
    bottleneck: tuple[str, str, float, float] | None
    """(a, b, link Gbit/s, Gbit/s the all-reduce gets on it) at the worst epoch."""
    compute_basis: str
    compute_source: str
    tflops_per_satellite: float
    reason: str | None = None

    @property
    def step_s(self) -> np.ndarray:
        return self.compute_s + self.allreduce_s

    def _pct(self, values: np.ndarray, q: float) -> float | None:
        ok = values[np.isfinite(values)]
        return float(np.percentile(ok, q)) if ok.size else None

    def to_json(self) -> dict:
        step_med = self._pct(self.step_s, 50)
        eff = None if step_med is None else self.single_satellite_s / (self.satellites * step_med)
        return {
            "shell": self.shell,
            "model_name": self.model_name,
            "algorithm": self.algorithm,
            "satellites": self.satellites,
            "step_s_median": step_med,
            "step_s_p95": self._pct(self.step_s, 95),
            "allreduce_s_median": self._pct(self.allreduce_s, 50),
            "allreduce_s_p95": self._pct(self.allreduce_s, 95),
            "compute_s": _finite_or_none(self.compute_s),  # None: the shell has no compute (see reason)
            "single_satellite_step_s": _finite_or_none(self.single_satellite_s),
            "scaling_efficiency": eff,
            "tokens_per_day": None if step_med is None else self.tokens_per_step / step_med * 86400.0,
            "gradient_gbit": self.gradient_gbit,
            "bottleneck_link": None if self.bottleneck is None else
            {"a": self.bottleneck[0], "b": self.bottleneck[1], "gbps": self.bottleneck[2], "allreduce_gbps": self.bottleneck[3]},
            "connected_fraction": float(np.isfinite(self.allreduce_s).mean()) if self.allreduce_s.size else 0.0,
            "compute_basis": self.compute_basis,
            "compute_source": self.compute_source,
            "tflops_per_satellite": self.tflops_per_satellite,
            "reason": self.reason,
        }

    def tables(self) -> list:
        from core.analysis.tables import Table

        j = self.to_json()
        if j["step_s_median"] is None:
            return [Table("Distributed training", ["shell", "result"], [[self.shell, self.reason or "no step completes"]])]
        b = j["bottleneck_link"]
        rows = [[self.shell, self.algorithm, self.satellites, f"{self.compute_s:.3g}", f"{j['allreduce_s_median']:.3g}",
                 f"{j['step_s_median']:.3g}", f"{j['step_s_p95']:.3g}", f"{100 * j['scaling_efficiency']:.1f}",
                 f"{j['tokens_per_day']:.3g}", "-" if b is None else f"{b['a']} - {b['b']} ({b['allreduce_gbps']:.4g} of {b['gbps']:.4g} Gbit/s)"]]
        cols = ["shell", "all-reduce", "satellites", "compute s", "all-reduce s (p50)", "step s (p50)", "step s (p95)",
                "scaling efficiency %", "tokens/day", "bottleneck link (worst epoch)"]
        title = f"Distributed training ({self.model_name or 'model'}; {self.compute_basis} compute)"
        return [Table(title, cols, rows)]


# ----------------------------------------------------------------------------------------
# All-reduce on one graph


def _paths(n: int, edges: np.ndarray):
    """Hop-count shortest-path predecessors and distances of an undirected graph."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import shortest_path

    g = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    dist, pred = shortest_path(g, directed=False, unweighted=True, return_predecessors=True)
    return g, dist, pred


def _path_edges(pred: np.ndarray, src: int, dst: int) -> list[tuple[int, int]]:
    out, node = [], dst
    while node != src:
        prev = int(pred[src, node])
        out.append((prev, node))
        node = prev
    return out[::-1]


@dataclass(frozen=True)
class Plan:
    """How one graph (one set of active links) carries the all-reduce."""

    hops: list[list[int]]
    """Per ring hop (or tree link), the edge indices it traverses."""
    directed: list[list[tuple[int, int]]]
    share: np.ndarray
    """Per edge, how many hops use it in the busier direction."""
    depth: int


def ring_plan(n: int, edges: np.ndarray) -> Plan | None:
    """Ring in depth-first order, each hop routed on fewest links; ``None`` if not connected."""
    from scipy.sparse.csgraph import depth_first_order

    g, dist, pred = _paths(n, edges)
    if not np.isfinite(dist).all():
        return None
    order = depth_first_order(g, 0, directed=False, return_predecessors=False)
    index = {(int(a), int(b)): k for k, (a, b) in enumerate(edges)}
    index.update({(int(b), int(a)): k for k, (a, b) in enumerate(edges)})
    load: dict[tuple[int, int], int] = {}
    hops, directed = [], []
    for k in range(n):
        p = _path_edges(pred, int(order[k]), int(order[(k + 1) % n]))
        directed.append(p)
        hops.append([index[d] for d in p])
        for d in p:
            load[d] = load.get(d, 0) + 1
    share = np.zeros(len(edges))
    for (a, b), count in load.items():
        e = index[(a, b)]
        share[e] = max(share[e], count)
    return Plan(hops, directed, share, 0)


def tree_plan(n: int, edges: np.ndarray) -> Plan | None:
    """Breadth-first tree from the graph's centre; ``None`` if not connected."""
    _, dist, pred = _paths(n, edges)
    if not np.isfinite(dist).all():
        return None
    root = int(np.argmin(dist.max(axis=1)))
    index = {(int(a), int(b)): k for k, (a, b) in enumerate(edges)}
    index.update({(int(b), int(a)): k for k, (a, b) in enumerate(edges)})
    hops = [[index[(int(pred[root, v]), v)]] for v in range(n) if v != root]
    share = np.zeros(len(edges))
    for h in hops:
        share[h[0]] = 1
    return Plan(hops, [], share, int(dist[root].max()))


def allreduce_s(plan: Plan, algorithm: str, n: int, gradient_gbit: float, cap_gbps: np.ndarray,
                length_km: np.ndarray, hop_latency_s: float) -> tuple[float, int, float]:
    """All-reduce time of one epoch, the index of the bottleneck edge and the rate (Gbit/s) the
    all-reduce gets on it (its rate over the number of ring hops sharing it)."""
    if n == 1:
        return 0.0, -1, float("inf")
    link_s = length_km / C_KM_S + hop_latency_s
    if algorithm == "ring":
        rates = [min((cap_gbps[e] / plan.share[e], e) for e in hop) for hop in plan.hops]
        bw, bottleneck = min(rates)
        alpha = max(float(np.sum(link_s[hop])) for hop in plan.hops)
        return 2 * (n - 1) / n * gradient_gbit / bw + 2 * (n - 1) * alpha, int(bottleneck), float(bw)
    tree = [h[0] for h in plan.hops]
    bottleneck = int(min(tree, key=lambda e: cap_gbps[e]))
    bw = float(cap_gbps[bottleneck])
    return 2 * gradient_gbit / bw + 2 * plan.depth * float(np.max(link_s[tree])), bottleneck, bw


# ----------------------------------------------------------------------------------------
# Whole mission


TRAINING_BYTES_PER_SAT_EPOCH = 128
"""Block memory per training satellite and epoch: inertial float64 positions (24 bytes) and, for
about two links per satellite, their separations (48), lengths and rates (32) and temporaries."""


def _training_shell(mission: Mission, eph: Ephemeris) -> ShellInfo:
    spec = mission.training
    assert spec is not None
    if spec.shell is not None:
        return next(s for s in eph.shells if s.name == spec.shell)
    clusters = [s for s in eph.shells if s.source == "cluster"]
    return clusters[0] if clusters else eph.shells[0]


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


@dataclass(frozen=True, eq=False)
class TrainingLinks:
    """What one block of the all-reduce needs: the training shell's links (shell-local indices)
    and the step's constants (small: sent with each block task)."""

    sat_start: int
    sat_stop: int
    edges: np.ndarray
    isl_capacity_gbps: np.ndarray
    use_optical: bool
    algorithm: str
    gradient_gbit: float
    hop_latency_s: float


Worst = tuple[float, float, int]
"""(the all-reduce's rate on its bottleneck link, that link's rate, its index in the shell's links)."""


def window_training(mission: Mission, win: Ephemeris, links: TrainingLinks, active: np.ndarray,
                    plans: dict[bytes, Plan | None] | None = None) -> tuple[np.ndarray, Worst]:
    """All-reduce time at each epoch of ``win`` (NaN where the graph is split) and the block's worst
    bottleneck (the first epoch with the smallest share). ``plans`` caches a plan per set of links up."""
    plans = {} if plans is None else plans
    n = links.sat_stop - links.sat_start
    sub = win.subset(links.sat_start, links.sat_stop)
    edges = links.edges
    length = edge_range_km(sub, edges)  # (n_time, n_edge)
    if links.use_optical:
        cap = edge_capacity_gbps(mission, sub, edges, length)
    else:
        cap = np.broadcast_to(links.isl_capacity_gbps, active.shape)
    out = np.full(win.n_time, np.nan)
    worst: Worst = (np.inf, -1.0, -1)
    planner = ring_plan if links.algorithm == "ring" else tree_plan
    for t in range(win.n_time):
        up = active[t]
        key = np.packbits(up).tobytes()
        if key not in plans:
            plans[key] = planner(n, edges[up]) if n > 1 else Plan([], [], np.zeros(0), 0)
        plan = plans[key]
        if plan is None:
            continue
        if n == 1:
            out[t] = 0.0
            continue
        ids = np.flatnonzero(up)
        out[t], b, share = allreduce_s(plan, links.algorithm, n, links.gradient_gbit, cap[t, ids], length[t, ids],
                                       links.hop_latency_s)
        if share < worst[0]:
            worst = (share, float(cap[t, ids[b]]), int(ids[b]))
    return out, worst


def training_block(mission_data: dict, folder: str | None, t0: int, t1: int, links: TrainingLinks,
                   active: np.ndarray) -> tuple[np.ndarray, Worst]:
    """:func:`window_training` of epochs ``t0:t1`` as an executor task."""
    from core.analysis.windows import run_window_task

    return run_window_task(window_training, mission_data, folder, t0, t1, links, active)


def compute_training(mission: Mission, eph: Ephemeris, topology: Topology, optical: OpticalResult | None = None,
                     base_dir: Path | None = None, executor: BlockExecutor | None = None) -> TrainingResult | None:
    """Step time of the mission's ``training`` section on its shell's ISL graph at every epoch;
    ``None`` when the mission has no ``training`` section.

    Link rates follow the optical budget epoch by epoch when ``optical`` is given, else the
    topology's rates. The epochs are computed block by block, on ``executor`` when given."""
    from core.analysis.windows import over_windows
    from core.catalog.hardware import get_hardware

    spec = mission.training
    if spec is None:
        return None
    shell = _training_shell(mission, eph)
    bus = mission.bus_for(mission.constellations[shell.index])
    hw = get_hardware(bus.compute_hardware)
    n = shell.n_sat
    per_unit = spec.tflops_per_unit if spec.tflops_per_unit is not None else hw.tops
    source = ("training.tflops_per_unit" if spec.tflops_per_unit is not None
              else f"catalogue {hw.tops_precision} TOPS used as FLOP/s")
    tflops = bus.compute_units * per_unit * spec.utilization
    flops = spec.flops_per_step if spec.flops_per_step is not None else 6.0 * spec.parameters * spec.tokens_per_step
    single_s = flops / (tflops * 1e12) if tflops > 0 else float("inf")
    compute_s = single_s / n
    grad_gbit = spec.parameters * spec.bytes_per_parameter * 8.0 / 1e9
    n_time = eph.n_time
    common: dict[str, Any] = {"shell": shell.name, "model_name": spec.model_name, "algorithm": spec.algorithm, "satellites": n,
              "compute_s": compute_s, "single_satellite_s": single_s, "gradient_gbit": grad_gbit,
              "tokens_per_step": spec.tokens_per_step, "compute_basis": "nameplate", "compute_source": source,
              "tflops_per_satellite": tflops}
    if not np.isfinite(single_s):
        return TrainingResult(**common, allreduce_s=np.full(n_time, np.nan), bottleneck=None,
                              reason="the training shell has no compute")
    sl = shell.sat_slice
    mine = np.flatnonzero((topology.isl_edges[:, 0] >= sl.start) & (topology.isl_edges[:, 0] < sl.stop)) \
        if topology.n_edge else np.zeros(0, int)
    if n > 1 and mine.size == 0:
        return TrainingResult(**common, allreduce_s=np.full(n_time, np.nan), bottleneck=None,
                              reason=f"shell {shell.name} has no inter-satellite links (isl: none): gradients cannot be exchanged")
    links = TrainingLinks(int(sl.start), int(sl.stop), topology.isl_edges[mine].astype(np.int64) - sl.start,
                          np.asarray(topology.isl_capacity_gbps[mine], dtype=float), optical is not None, spec.algorithm,
                          grad_gbit, spec.hop_latency_s)
    plans: dict[bytes, Plan | None] = {}
    outs: list[np.ndarray] = []
    worst: Worst = (np.inf, -1.0, -1)
    for _t0, _t1, (out, block_worst) in over_windows(
            lambda m, win, links_, active: window_training(m, win, links_, active, plans), training_block, mission, eph,
            base_dir, TRAINING_BYTES_PER_SAT_EPOCH, executor=executor, n_sat=max(n, 1),
            args_of=lambda t0, t1: (links, topology.isl_active[t0:t1, mine])):
        outs.append(out)
        if block_worst[0] < worst[0]:
            worst = block_worst
    bottleneck = None
    if worst[2] >= 0:
        a, b = links.edges[worst[2]] + sl.start
        bottleneck = (eph.names[int(a)], eph.names[int(b)], worst[1], worst[0])
    allreduce = np.concatenate(outs) if outs else np.full(n_time, np.nan)
    reason = None if np.isfinite(allreduce).any() else "the ISL graph never connects every satellite of the shell"
    return TrainingResult(**common, allreduce_s=allreduce, bottleneck=bottleneck, reason=reason)
