"""Design from requirements: the cheapest Walker shell of a design space that meets every requirement.

The search has two stages, both run in parallel through the sweep executors of
:mod:`core.study.run` (local processes, this process, or a Dask cluster):

1. **Coverage screen (Walker-aware).** For every altitude, inclination and pattern, and every
   plane count ``P``, a binary search over the satellites per plane ``S`` finds the fewest that
   meet the coverage requirement, trying every allowed phasing ``F`` at each probe (a probe
   passes when one ``F`` does). It relies on coverage growing with ``S`` for a fixed ``P`` (more
   satellites in the same planes close the gaps between them), and it evaluates propagation
   and coverage only. All plane counts advance together, one probe each per round. When only
   coverage and cost matter, a plane count stops as soon as it cannot reach a design as small as
   the smallest one found for its orbit (launch cost grows with the number of satellites for a
   given orbit and bus).
2. **Full check.** The smallest passing design of each plane count (each bus of the space) is
   analysed like ``starnet analyze``, smallest first, until one meets every requirement
   (latency, compute, time to insight, mass and cost caps); a plane count whose design fails
   tries its next satellites-per-plane value. The cheapest passing design by the
   requirements' ``objective`` is the answer.

Without a coverage requirement stage 1 is skipped and stage 2 walks the whole space, smallest
designs first. :func:`design_from_requirements` returns a :class:`DesignOutcome`: the best design
and its mission, every design evaluated with why it was rejected, the Pareto front of the rest
(fewest satellites against most coverage), and the counts and time of the search.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.study.candidates import COVERAGE_KEY, candidate_mission, evaluate_candidate
from core.study.requirements import LoadedRequirements

if TYPE_CHECKING:
    import os

    from core.study.run import Executor

DESIGN_SCHEMA = "starnet.design/1"

ProgressFn = Callable[[str, int], None]
"""``progress(stage, designs_evaluated_so_far)``."""


@dataclass(frozen=True)
class Point:
    """One Walker shell of the design space."""

    altitude_km: float
    inclination_deg: float | str
    pattern: str
    planes: int
    sats_per_plane: int
    phasing: int
    bus: str

    @property
    def satellites(self) -> int:
        return self.planes * self.sats_per_plane

    @property
    def orbit(self) -> tuple[float, float | str, str]:
        """What coverage depends on besides the Walker numbers: (altitude, inclination, pattern)."""
        return (self.altitude_km, self.inclination_deg, self.pattern)

    def label(self) -> str:
        inc = self.inclination_deg if isinstance(self.inclination_deg, str) else f"{self.inclination_deg:g}"
        return f"{inc}:{self.satellites}/{self.planes}/{self.phasing} {self.pattern} at {self.altitude_km:g} km, bus {self.bus}"

    def to_json(self) -> dict:
        return {"altitude_km": self.altitude_km, "inclination_deg": self.inclination_deg, "pattern": self.pattern,
                "planes": self.planes, "sats_per_plane": self.sats_per_plane, "phasing": self.phasing, "bus": self.bus,
                "satellites": self.satellites, "walker": self.label()}


@dataclass
class Evaluated:
    """A design the search analysed: its stage (``coverage`` or ``full``), figures and failures."""

    point: Point
    stage: str
    status: str
    metrics: dict[str, Any]
    failures: list[str]
    reason: str = ""
    elapsed_s: float | None = None
    level: int = 0
    sampling: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "ok" and not self.failures

    def why(self) -> list[str]:
        """Why the design was rejected (empty when it passed)."""
        if self.status != "ok":
            return [self.reason or self.status]
        return list(self.failures)

    def verdict(self) -> str:
        """The outcome in words."""
        if not self.passed:
            return "; ".join(self.why())
        if self.stage == "coverage":
            return "meets the coverage requirement; not analysed further (not smaller than the best of its orbit)"
        return "meets every requirement"

    def to_json(self) -> dict:
        return {**self.point.to_json(), "stage": self.stage, "status": self.status, "metrics": self.metrics,
                "passed": self.passed, "why_rejected": self.why(), "verdict": self.verdict(), "sampling": self.sampling,
                "elapsed_s": self.elapsed_s}


@dataclass
class DesignOutcome:
    """What a search found."""

    loaded: LoadedRequirements
    best: Evaluated | None
    best_mission: dict | None
    evaluated: list[Evaluated]
    elapsed_s: float
    executor: str
    rounds: int = 0
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)
    level: int = 0
    """The refinement level of the last search pass (0: the requirements' own sampling)."""
    levels: list[dict] = field(default_factory=list)
    """Per pass: its sampling, its answer, and whether the answer held at the next finer sampling."""
    verified: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {"coverage": sum(e.stage == "coverage" for e in self.evaluated),
                "full": sum(e.stage == "full" for e in self.evaluated), "total": len(self.evaluated)}

    @property
    def best_point(self) -> Point | None:
        return self.best.point if self.best is not None else None

    def nearest_smaller(self) -> Evaluated | None:
        """The largest design evaluated with fewer satellites than the best (the one that just fails)."""
        if self.best is None:
            return None
        n = self.best.point.satellites
        smaller = [e for e in self.evaluated if e.point.satellites < n and not e.passed and e.level == self.level]
        if not smaller:
            return None
        return max(smaller, key=lambda e: (e.point.satellites, e.metrics.get(COVERAGE_KEY) or -1.0))

    def pareto(self) -> list[Evaluated]:
        """The rest's Pareto front: no other design has as few satellites and as much coverage (or cost, without coverage)."""
        import numpy as np

        from core.study.pareto import pareto_mask

        rest = [e for e in _latest([e for e in self.evaluated if e.level == self.level]) if e.point != self.best_point and e.status == "ok"]
        if not rest:
            return []
        if self.loaded.doc.requirements.coverage is not None:
            values = [[e.point.satellites, e.metrics.get(COVERAGE_KEY, np.nan) or np.nan] for e in rest]
            goals = ["min", "max"]
        else:
            values = [[e.point.satellites, e.metrics.get("launch_usd") or np.nan] for e in rest]
            goals = ["min", "min"]
        mask = pareto_mask(np.asarray(values, dtype=float), goals)
        front = [e for e, m in zip(rest, mask) if m]
        return sorted(front, key=lambda e: e.point.satellites)

    def to_json(self) -> dict:
        """The design report (``*.design.json``): the answer, why the next smaller fails, the front, every rejection."""
        doc = self.loaded.doc
        smaller = self.nearest_smaller()
        return {
            "schema": DESIGN_SCHEMA,
            "name": doc.name,
            "objective": doc.objective,
            "requirements": doc.requirements.model_dump(mode="json", by_alias=True, exclude_none=True),
            "found": self.best is not None,
            "best": self.best.to_json() if self.best else None,
            "nearest_smaller": smaller.to_json() if smaller else None,
            "pareto": [e.to_json() for e in self.pareto()],
            "rejected": [e.to_json() for e in self.evaluated if not e.passed],
            "designs_evaluated": self.counts,
            "verified": self.verified,
            "sampling": self.levels,
            "rounds": self.rounds,
            "elapsed_s": round(self.elapsed_s, 3),
            "executor": self.executor,
            "cancelled": self.cancelled,
            "notes": self.notes,
        }


def _latest(evaluated: list[Evaluated]) -> list[Evaluated]:
    """One entry per point: the full analysis where there is one, else the coverage screen."""
    by_point: dict[Point, Evaluated] = {}
    for e in evaluated:
        if e.point not in by_point or e.stage == "full":
            by_point[e.point] = e
    return list(by_point.values())


# ------------------------------------------------------------------------------------------
# Running batches through an executor
# ------------------------------------------------------------------------------------------


def sampling_at(loaded: LoadedRequirements, level: int) -> dict:
    """Step and coverage grid cell of refinement ``level``: the requirements' own at 0, halved at each level."""
    from core.mission.model import Analysis

    analysis = {**(loaded.base_mission.get("analysis") or {}), **loaded.doc.analysis}
    step = float(analysis.get("step_s", Analysis.model_fields["step_s"].default))
    cell = float(analysis.get("coverage_grid_deg", Analysis.model_fields["coverage_grid_deg"].default))
    return {"step_s": step / 2 ** level, "coverage_grid_deg": max(0.1, cell / 2 ** level)}


class _Runner:
    """Evaluates batches of points through one executor; remembers every result."""

    def __init__(self, loaded: LoadedRequirements, executor: Executor, progress: ProgressFn | None,
                 cancel: Callable[[], bool] | None, level: int = 0, order: list | None = None) -> None:
        self.loaded, self.executor = loaded, executor
        self.progress = progress or (lambda stage, n: None)
        self.cancel = cancel
        self.requirements = loaded.doc.requirements.model_dump(mode="json", by_alias=True)
        self.base_dir = str(loaded.base_dir) if loaded.base_dir else None
        self.done: dict[tuple[Point, str], Evaluated] = {}
        self.order: list[Evaluated] = order if order is not None else []
        self.rounds = 0
        self.level = level
        self.sampling = sampling_at(loaded, level)

    def mission(self, p: Point) -> dict:
        mission = candidate_mission(self.loaded, p.altitude_km, p.inclination_deg, p.pattern, p.planes, p.sats_per_plane,
                                    p.phasing, p.bus)
        mission["analysis"].update(self.sampling)
        return mission

    def run(self, points: list[Point], stage: str) -> list[Evaluated]:
        """Evaluate ``points`` at ``stage`` (those done before are not repeated); results in the given order."""
        todo = list(dict.fromkeys(p for p in points if (p, stage) not in self.done))
        self.rounds += 1 if todo else 0
        pending: dict[Any, Point] = {}
        queue = list(reversed(todo))
        window = max(2, 2 * int(getattr(self.executor, "slots", 1) or 1))
        while queue or pending:
            while queue and len(pending) < window:
                p = queue.pop()
                future = self.executor.submit(evaluate_candidate, p.label(), self.mission(p), self.base_dir, self.requirements,
                                              stage, key=f"starnet-design-{stage}-{self.level}-{uuid.uuid4().hex}")
                pending[future] = p
            if self.cancel is not None and self.cancel():
                self.executor.cancel(list(pending))
                raise KeyboardInterrupt
            for future in self.executor.wait(set(pending), timeout=0.2):
                p = pending.pop(future)
                try:
                    rec = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died
                    rec = {"status": "error", "metrics": {}, "failures": [], "reason": f"worker failed: {type(exc).__name__}: {exc}"}
                e = Evaluated(p, stage, rec.get("status", "error"), rec.get("metrics", {}), rec.get("failures", []),
                              rec.get("reason", ""), rec.get("elapsed_s"), self.level, dict(self.sampling))
                self.done[(p, stage)] = e
                self.order.append(e)
                self.progress(stage, len(self.order))
        return [self.done[(p, stage)] for p in points]


# ------------------------------------------------------------------------------------------
# The search
# ------------------------------------------------------------------------------------------


@dataclass
class _PlaneSearch:
    """Binary search of the fewest satellites per plane for one orbit and plane count.

    ``lo`` .. ``hi`` index the sorted satellites-per-plane values; ``hi_ok`` says whether ``hi``
    is known to pass. A probe tries the phasings a few at a time, the ones that covered most
    at earlier probes first, and passes at the first phasing that does; it fails only when
    every phasing has failed. Finished when ``found`` is set or ``dead`` (nothing in range
    passes, or nothing in range can be as small as the best design of the orbit).
    """

    orbit: tuple[float, float | str, str]
    planes: int
    lo: int
    hi: int
    phasings: list[int]
    hi_ok: bool = False
    found: int | None = None
    dead: bool = False
    tried: list[int] = field(default_factory=list)
    score: dict[int, float] = field(default_factory=dict)
    gallop: bool = False
    """Probe ``lo``, ``lo+1``, ``lo+3``, ... until one passes, then bisect (for a seeded, finer pass)."""
    step: int = 1

    @property
    def active(self) -> bool:
        return self.found is None and not self.dead

    def probe_index(self) -> int:
        if self.gallop and not self.hi_ok:
            return min(self.lo + self.step - 1, self.hi)
        return self.hi if self.lo == self.hi else (self.lo + self.hi) // 2

    def next_phasings(self, count: int) -> list[int]:
        """The next ``count`` phasings to try at the current probe, most promising first."""
        order = sorted(self.phasings, key=lambda f: (-self.score.get(f, -1.0), f))
        return [f for f in order if f not in self.tried][:count]

    def cap(self, max_index: int) -> None:
        """Forget everything above ``max_index`` (those designs cannot win)."""
        if max_index < self.lo:
            self.dead = True
        elif max_index < self.hi:
            self.hi, self.hi_ok = max_index, False
            self.tried = []

    def record(self, results: list[Evaluated]) -> None:
        """Take the results of the phasings tried at the current probe."""
        index = self.probe_index()
        for e in results:
            self.tried.append(e.point.phasing)
            self.score[e.point.phasing] = float(e.metrics.get(COVERAGE_KEY) or 0.0)
        if any(e.passed for e in results):
            self._update(index, True)
        elif len(self.tried) >= len(self.phasings):
            self._update(index, False)

    def _update(self, index: int, passed: bool) -> None:
        self.tried = []
        if passed:
            self.hi, self.hi_ok = index, True
        else:
            self.lo = index + 1
            self.step *= 2
            if self.lo > self.hi:
                self.dead = True
                return
        if self.lo == self.hi and self.hi_ok:
            self.found = self.hi


def design_from_requirements(loaded: LoadedRequirements, executor: Executor | None = None, progress: ProgressFn | None = None,
                             cancel: Callable[[], bool] | None = None) -> DesignOutcome:
    """Search the design space of ``loaded`` for the cheapest design meeting every requirement.

    ``executor`` is one of :mod:`core.study.run`'s executors (all local cores when None);
    ``progress(stage, n)`` is called as designs finish; ``cancel()`` returning True stops the
    search, keeping what was found (``cancelled=True``).

    The answer is then analysed again at half the step and half the coverage cell. If it still
    meets every requirement it is *verified* (the figure belongs to the design, not to the
    sampling); if not, the search runs again at the finer sampling, starting each plane count
    from the satellites per plane that the coarser pass ruled out, up to ``refine`` times.
    """
    from core.study.run import LocalExecutor

    start = time.perf_counter()
    own = executor is None
    executor = executor or LocalExecutor()
    order: list[Evaluated] = []
    runner = _Runner(loaded, executor, progress, cancel, 0, order)
    best: Evaluated | None = None
    cancelled = False
    notes: list[str] = []
    levels: list[dict] = []
    seeds: dict | None = None
    rounds = 0
    search_level = 0
    try:
        while True:
            search_level = runner.level
            if loaded.doc.requirements.coverage is not None:
                frontier, seeds = _coverage_frontier(loaded, runner, seeds)
            else:
                frontier = _all_points(loaded)
            best = _full_check(loaded, runner, frontier)
            rounds += runner.rounds
            info = {"level": runner.level, **runner.sampling, "best": best.point.label() if best else None}
            levels.append(info)
            if best is None or runner.level >= loaded.doc.refine:
                if best is not None and loaded.doc.refine:
                    notes.append(f"the answer was not confirmed at a finer sampling (refine: {loaded.doc.refine} reached)")
                break
            finer = _Runner(loaded, executor, progress, cancel, runner.level + 1, order)
            check = finer.run([best.point], "full")[0]
            rounds += finer.rounds
            finer.rounds = 0
            info["verified_at_finer_sampling"] = check.passed
            runner = finer
            if check.passed:
                best = check
                break
            notes.append(f"{best.point.label()} fails at step {finer.sampling['step_s']:g} s and grid "
                         f"{finer.sampling['coverage_grid_deg']:g} deg ({'; '.join(check.why())}); searched again there")
            best = None
    except KeyboardInterrupt:
        cancelled = True
    finally:
        if own:
            executor.close(cancel=cancelled)
    if loaded.doc.requirements.coverage is None:
        notes.append("no coverage requirement: every design is a candidate, smallest first")
    mission = runner.mission(best.point) if best is not None else None
    outcome = DesignOutcome(loaded, best, mission, order, time.perf_counter() - start, executor.describe(), rounds, cancelled, notes)
    outcome.level, outcome.levels = search_level if levels else 0, levels
    outcome.verified = bool(levels and levels[-1].get("verified_at_finer_sampling"))
    return outcome


def _orbits(loaded: LoadedRequirements) -> list[tuple]:
    space = loaded.doc.design_space
    return list(itertools.product(space.altitude_km, space.inclination_deg, space.pattern))


def _all_points(loaded: LoadedRequirements) -> list[Point]:
    space = loaded.doc.design_space
    points = [Point(a, i, pat, p, s, f, bus) for (a, i, pat) in _orbits(loaded) for p in space.plane_counts()
              for s in space.sats_counts() for f in (space.phasings(p) or [0]) for bus in space.bus]
    return sorted(points, key=lambda q: q.satellites)


def _coverage_frontier(loaded: LoadedRequirements, runner: _Runner, seeds: dict | None = None) -> tuple[list[Point], dict]:
    """For every orbit and plane count, the fewest satellites per plane (best phasing) that meet the coverage requirement.

    ``seeds`` (from a coarser pass) gives, per (orbit, planes), the first satellites-per-plane
    index still in question and the phasings' scores there; a seeded pass gallops up from that
    index (the answer is usually at or just above it) and tries the best-scoring phasings
    first. Returns the frontier and the seeds for a finer pass.
    """
    space = loaded.doc.design_space
    sats = space.sats_counts()
    prune = not loaded.doc.requirements.needs_full_analysis()
    searches = []
    for orbit in _orbits(loaded):
        for p in space.plane_counts():
            lo, score = (seeds or {}).get((orbit, p), (0, {}))
            search = _PlaneSearch(orbit, p, lo, len(sats) - 1, space.phasings(p) or [0], score=dict(score), gallop=seeds is not None)
            search.dead = search.lo > search.hi
            searches.append(search)
    bus0 = space.bus[0]
    slots = max(1, int(getattr(runner.executor, "slots", 1) or 1))
    smallest: dict[tuple, int] = {}  # orbit -> fewest satellites found so far
    while any(s.active for s in searches):
        if prune:
            for s in searches:
                if s.active and s.orbit in smallest:
                    s.cap(max((k for k, n in enumerate(sats) if s.planes * n <= smallest[s.orbit]), default=-1))
        live = [s for s in searches if s.active]
        if not live:
            break
        chunk = max(1, -(-2 * slots // len(live)))
        probes = {id(s): [Point(*s.orbit, s.planes, sats[s.probe_index()], f, bus0) for f in s.next_phasings(chunk)]
                  for s in live}
        results = {e.point: e for e in runner.run([p for points in probes.values() for p in points], "coverage")}
        for s in live:
            s.record([results[p] for p in probes[id(s)]])
            if s.found is not None:
                n = s.planes * sats[s.found]
                smallest[s.orbit] = min(smallest.get(s.orbit, n), n)
    frontier: list[Point] = []
    for s in searches:
        if s.found is None:
            continue
        passing = [e for (p, stage), e in runner.done.items() if stage == "coverage" and e.passed and p.orbit == s.orbit
                   and p.planes == s.planes and p.sats_per_plane == sats[s.found]]
        top = max(passing, key=lambda e: (e.metrics.get(COVERAGE_KEY) or 0.0, e.metrics.get("mean_percent") or 0.0))
        for bus in space.bus:
            frontier.append(Point(*s.orbit, s.planes, sats[s.found], top.point.phasing, bus))
    if prune:
        frontier = [p for p in frontier if p.satellites <= smallest.get(p.orbit, p.satellites)]
    return sorted(frontier, key=lambda q: (q.satellites, q.planes)), {(s.orbit, s.planes): (s.lo, s.score) for s in searches}


def _objective(e: Evaluated, objective: str) -> float:
    value = e.point.satellites if objective == "satellites" else e.metrics.get(objective)
    return float("inf") if value is None else float(value)


def _full_check(loaded: LoadedRequirements, runner: _Runner, candidates: list[Point]) -> Evaluated | None:
    """Analyse candidates fully, smallest first within each (orbit, bus), until each group has a passing design.

    A candidate that fails (a latency, compute or cap requirement, say) is followed by the same
    planes and phasing with the next satellites-per-plane value, so a larger design of that
    plane count gets its turn.
    """
    import heapq

    objective = loaded.doc.objective
    sats = loaded.doc.design_space.sats_counts()
    slots = max(1, int(getattr(runner.executor, "slots", 1) or 1))
    groups: dict[tuple, list[tuple[int, int, int, int, Point]]] = {}  # heaps of (satellites, planes, per plane, phasing, point)
    for p in candidates:
        heapq.heappush(groups.setdefault((p.orbit, p.bus), []), (p.satellites, p.planes, p.sats_per_plane, p.phasing, p))
    winners: list[Evaluated] = []
    while True:
        open_groups = [g for g, heap in groups.items() if heap]
        if not open_groups:
            break
        per_group = max(1, slots // len(open_groups))
        chunks = {g: [heapq.heappop(groups[g])[-1] for _ in range(min(per_group, len(groups[g])))] for g in open_groups}
        results = {e.point: e for e in runner.run([p for chunk in chunks.values() for p in chunk], "full")}
        for g, chunk in chunks.items():
            passed = [results[p] for p in chunk if results[p].passed]
            if passed:
                winners.append(min(passed, key=lambda e: (e.point.satellites, _objective(e, objective))))
                groups[g] = []  # a larger design of the same orbit and bus cannot be cheaper
                continue
            for p in chunk:
                bigger = [n for n in sats if n > p.sats_per_plane]
                if bigger:
                    q = Point(*p.orbit, p.planes, bigger[0], p.phasing, p.bus)
                    if (q, "full") not in runner.done and all(item[-1] != q for item in groups[g]):
                        heapq.heappush(groups[g], (q.satellites, q.planes, q.sats_per_plane, q.phasing, q))
    if not winners:
        return None
    return min(winners, key=lambda e: (_objective(e, objective), e.point.satellites))


def write_report(outcome: DesignOutcome, path: str | os.PathLike) -> None:
    """Write :meth:`DesignOutcome.to_json` atomically as indented JSON."""
    from core.mission.io import atomic_write_text

    atomic_write_text(path, json.dumps(outcome.to_json(), indent=2, allow_nan=False) + "\n")
