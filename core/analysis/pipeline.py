"""Run every analysis of a mission once, in order, and collect the results.

The :class:`Results` object is what the CLI prints and writes as JSON, what the app draws
and what the report and exports read: one computation feeds all of them.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor
from core.orbits.ephemeris import Ephemeris, build_ephemeris
from core.orbits.estimate import (TOPOLOGY_BYTES_PER_EDGE_EPOCH, TRAFFIC_BYTES_PER_EDGE_EPOCH, check_streamed_run_fits,
                                  streamed_run_bytes)
from core.orbits.shells import ShellInfo

if TYPE_CHECKING:  # the result classes, for the annotations only: the analyses are imported when they run
    from core.analysis.access import AccessResult
    from core.analysis.cluster import ClusterResult
    from core.analysis.compute import ComputeResult
    from core.analysis.cost import CostResult
    from core.analysis.coverage import CoverageResult
    from core.analysis.insight import InsightResult
    from core.analysis.latency import NetworkResult
    from core.analysis.optical import OpticalResult
    from core.analysis.power import PowerResult
    from core.analysis.radiation import RadiationResult
    from core.analysis.service import ServiceResult
    from core.analysis.topology import Topology
    from core.analysis.traffic import TrafficResult
    from core.analysis.training import TrainingResult

ProgressFn = Callable[[str, float], None]
CancelFn = Callable[[], bool]

RESULTS_SCHEMA = "starnet.results/1"


class Section(Protocol):
    """A computed section of the results: its JSON value (a dict or a list of per-shell rows) and its tables."""

    def to_json(self) -> Any: ...

    def tables(self) -> list[Any]: ...


class Cancelled(Exception):
    """Raised when the caller's ``cancel()`` asked to stop between stages."""


@dataclass(frozen=True, eq=False)
class Results:
    """Everything computed for one mission. Sections the mission gives no inputs for are ``None``."""

    mission: Mission
    ephemeris: Ephemeris
    topology: Topology | None = None
    """Inter-satellite links per epoch (:class:`core.analysis.topology.Topology`), for every mission."""
    coverage: CoverageResult | None = None
    access: AccessResult | None = None
    network: NetworkResult | None = None
    power: PowerResult | None = None
    compute: ComputeResult | None = None
    insight: InsightResult | None = None
    cost: CostResult | None = None
    timings_s: dict[str, float] = field(default_factory=dict)
    cluster: ClusterResult | None = None
    """Formation geometry and station-keeping of cluster shells (:mod:`core.analysis.cluster`)."""
    radiation: RadiationResult | None = None
    """Total ionising dose per shell (:mod:`core.analysis.radiation`)."""
    optical: OpticalResult | None = None
    """Optical link budget of every inter-satellite link (:mod:`core.analysis.optical`)."""
    training: TrainingResult | None = None
    """Data-parallel training over the ISL graph (:mod:`core.analysis.training`)."""
    traffic: TrafficResult | None = None
    """Throughput and link loads of the mission's ``traffic`` section (:class:`core.analysis.traffic.TrafficResult`)."""
    service: ServiceResult | None = None
    """Ground users served by spare delivered compute (:mod:`core.analysis.service`), with a ``service`` section."""

    def sections(self) -> list[tuple[str, Section]]:
        """(JSON key, result) of every section that was computed, in document order."""
        pairs: list[tuple[str, Section | None]] = [
            ("coverage", self.coverage), ("access", self.access), ("latency", self.network), ("power", self.power),
            ("compute", self.compute), ("insight", self.insight), ("cost", self.cost), ("traffic", self.traffic)]
        pairs += [("cluster", self.cluster), ("radiation", self.radiation), ("optical_links", self.optical),
                  ("training", self.training), ("service", self.service)]
        return [(key, value) for key, value in pairs if value is not None]


def memory_check(mission: Mission) -> Callable[[tuple[ShellInfo, ...], int], None]:
    """The check :func:`run_analysis` hands :func:`build_ephemeris`: refuse (exit 2) a run whose
    streamed estimate cannot fit (:func:`core.orbits.estimate.streamed_run_bytes`), before any
    per-epoch array is computed. With a ``service`` section, the service stage's per-epoch
    scratch over its places and every satellite is counted."""
    analysis = mission.analysis

    def check(shells: tuple[ShellInfo, ...], n_time: int) -> None:
        from core.analysis.service import service_places

        cells = round(180.0 / analysis.coverage_grid_deg) * round(360.0 / analysis.coverage_grid_deg)
        n_sat = sum(s.n_sat for s in shells)
        linked = sum(s.n_sat for s in shells if s.isl != "none")
        edge_bytes = TOPOLOGY_BYTES_PER_EDGE_EPOCH + (TRAFFIC_BYTES_PER_EDGE_EPOCH if mission.traffic is not None else 0)
        duration_s = float(analysis.duration_s)
        capture_s = float(mission.workload.capture_s)
        captures = sum(int(s.n_sat * duration_s * mission.bus_for(mission.constellations[s.index]).sensor_duty / capture_s)
                       for s in shells)
        estimate = streamed_run_bytes(n_sat, n_time, len(mission.ground_stations), linked, cells,
                                      n_service_place=len(service_places(mission)), edge_epoch_bytes=edge_bytes,
                                      n_capture=captures)
        check_streamed_run_fits(estimate, n_sat, n_time, mission.name)

    return check


def run_analysis(
    mission: Mission,
    base_dir: Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    executor: BlockExecutor | None = None,
) -> Results:
    """Propagate the mission and run every analysis it has inputs for.

    The ephemeris is lazy: streamed analyses read it in blocks of epochs or satellites
    (:mod:`core.orbits.blocks`), so the run's arrays are never held whole here. Before
    anything is propagated the run's memory is estimated and a run that cannot fit even in
    the smallest blocks is refused with :class:`~core.mission.errors.MissionError`. With an
    ``executor`` of :mod:`core.study.run` (local processes, Dask, inline) the streamed stages
    run their blocks as tasks on it (the time to insight its blocks of satellites); the
    results are the same.

    ``progress(stage, fraction)`` is called as work proceeds; ``cancel()`` is polled between
    stages and, when it returns True, the run stops with :class:`Cancelled`.
    """
    from core.analysis import access as access_mod
    from core.analysis import cluster as cluster_mod
    from core.analysis import compute as compute_mod
    from core.analysis import compute_load as load_mod
    from core.analysis import cost as cost_mod
    from core.analysis import coverage as coverage_mod
    from core.analysis import delivered as delivered_mod
    from core.analysis import insight as insight_mod
    from core.analysis import latency as network_mod
    from core.analysis import optical as optical_mod
    from core.analysis import power as power_mod
    from core.analysis import radiation as radiation_mod
    from core.analysis import service as service_mod
    from core.analysis import topology as topology_mod
    from core.analysis import traffic as traffic_mod
    from core.analysis import training as training_mod

    report = progress or (lambda stage, fraction: None)
    timings: dict[str, float] = {}

    def stage(name: str, fn: Callable[[], Any], weight_done: float) -> Any:
        if cancel is not None and cancel():
            raise Cancelled(name)
        report(name, weight_done)
        start = time.perf_counter()
        value = fn()
        timings[name] = time.perf_counter() - start
        return value

    eph: Ephemeris = stage("orbits", lambda: build_ephemeris(
        mission, base_dir, progress=lambda s, f: report(s, 0.25 * f), lazy=True, memory_check=memory_check(mission)), 0.0)

    def coverage_progress(_stage: str, fraction: float) -> None:
        if cancel is not None and cancel():  # coverage is the long stage: stop between its chunks
            raise Cancelled("coverage")
        report("coverage", 0.25 + 0.2 * fraction)

    coverage = stage("coverage", lambda: coverage_mod.compute_coverage(
        mission, eph, progress=coverage_progress, executor=executor, base_dir=base_dir), 0.25)
    access = stage("access", lambda: access_mod.compute_access(mission, eph, executor=executor, base_dir=base_dir), 0.45)
    topology = stage("links", lambda: topology_mod.compute_topology(mission, eph, base_dir, executor=executor), 0.5)
    optical = stage("optical", lambda: optical_mod.compute_optical(mission, eph, topology, base_dir, executor=executor), 0.52)
    topology = optical.apply(topology) if optical is not None else topology  # links run at their budget
    network = stage("network", lambda: network_mod.compute_network(
        mission, eph, topology=topology, base_dir=base_dir, executor=executor), 0.55)
    power = stage("power", lambda: power_mod.compute_power(mission, eph, executor=executor, base_dir=base_dir), 0.7)
    compute = stage("compute", lambda: compute_mod.size_compute(mission, eph), 0.8)
    delivered = stage("delivered", lambda: delivered_mod.compute_delivered(mission, eph, power, compute), 0.82)
    compute = dataclasses.replace(compute, delivered=delivered)
    insight = stage("insight", lambda: insight_mod.compute_insight(
        mission, eph, access, topology, compute, executor=executor), 0.85)
    cost = stage("cost", lambda: cost_mod.compute_cost(mission, eph, power, compute), 0.95)

    def traffic_progress(_stage: str, fraction: float) -> None:
        if cancel is not None and cancel():  # a day of traffic takes seconds: stop between epochs
            raise Cancelled("traffic")
        report("traffic", 0.95 + 0.02 * fraction)

    traffic = stage("traffic", lambda: traffic_mod.compute_traffic(
        mission, eph, topology, base_dir, traffic_progress, executor=executor), 0.95)
    cluster = stage("cluster", lambda: cluster_mod.compute_cluster(mission, eph), 0.97)
    radiation = stage("radiation", lambda: radiation_mod.compute_radiation(mission, eph), 0.975)
    training = stage("training", lambda: training_mod.compute_training(
        mission, eph, topology, optical, base_dir, executor=executor), 0.98)
    service = stage("service", lambda: service_mod.compute_service(mission, eph, topology, compute, insight, executor=executor, base_dir=base_dir), 0.99) if mission.service else None
    compute = dataclasses.replace(compute, load=load_mod.compute_load(mission, eph, compute, insight, service))
    if cancel is not None and cancel():
        raise Cancelled("done")
    report("done", 1.0)
    return Results(mission, eph, topology, coverage, access, network, power, compute, insight, cost, timings,
                   cluster=cluster, radiation=radiation, optical=optical, training=training, traffic=traffic,
                   service=service)


def shells_section(eph: Ephemeris) -> list[dict]:
    """The contract's "shells" list."""
    return [
        {
            "name": s.name,
            "satellites": s.n_sat,
            "altitude_km": round(s.altitude_km, 3),
            "inclination_deg": round(s.inclination_deg, 4),
            "eccentricity": round(s.eccentricity, 6),
            "period_s": round(s.period_s, 2),
            "raan_drift_deg_per_day": round(s.raan_drift_deg_per_day, 4),
            "planes": s.planes,
            "sats_per_plane": s.sats_per_plane,
            "phasing": s.phasing,
            "pattern": s.pattern,
            "source": s.source,
            "propagator": s.propagator,
        }
        for s in eph.shells
    ]


def results_document(results: Results) -> dict:
    """The results JSON document (CONTRACT §3)."""
    mission, eph = results.mission, results.ephemeris
    doc: dict[str, Any] = {
        "schema": RESULTS_SCHEMA,
        "mission": {
            "name": mission.name,
            "epoch_utc": eph.time.iso(0.0),
            "duration_s": float(mission.analysis.duration_s),
            "step_s": float(mission.analysis.step_s),
            "satellites": eph.n_sat,
            "epochs": eph.n_time,
        },
        "shells": shells_section(eph),
    }
    for key, value in results.sections():
        doc[key] = value.to_json()
    doc["timings_s"] = {k: round(v, 4) for k, v in results.timings_s.items()}
    return doc
