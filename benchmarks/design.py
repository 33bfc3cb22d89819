"""Design from requirements against a plain grid sweep of the same design space.

Both run on the same executor (a local process pool, ``--workers`` processes) and judge a design
with the same analysis settings. The design search is ``starnet design``'s (a Walker-aware
coverage screen, then the full analysis of the smallest passing designs); the grid sweep is
``starnet sweep``'s: every (altitude, inclination, pattern, planes, satellites per plane, phasing,
bus) analysed in full, the cheapest feasible row being its answer. Printed: designs evaluated,
time to the answer, the answer of each, and the ratios.

    .venv/bin/python benchmarks/design.py [REQS.yaml] [--planes 26 30] [--sats 12 16] [--workers 2]
                                          [--grid-budget-s 600] [--verify] [--refine 0]

By default the requirements are the tutorial's (``resources/requirements/continuous-50.yaml``:
continuous coverage of +-50 deg at 25 deg from 550 km). ``--planes`` / ``--sats`` narrow the space
so that the grid can run to the end; with ``--grid-budget-s`` the grid stops after that long and
its time to the full answer is extrapolated from its rate (said so in the output). ``--verify``
analyses the best design again on a finer grid and step, to show the answer is a property of the
design rather than of the sampling.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.study.candidates import candidate_mission
from core.study.design import design_from_requirements
from core.study.model import study_from_dict
from core.study.requirements import IntRange, load_requirements
from core.study.run import LocalExecutor, run_study


def grid_study(loaded):
    """The plain grid sweep of the requirements' design space, as a study (constraints = the coverage requirement)."""
    space = loaded.doc.design_space
    p_max = max(space.plane_counts())
    phasings = list(range(p_max)) if space.phasing == "all" else list(space.phasing)
    base = candidate_mission(loaded, space.altitude_km[0], space.inclination_deg[0], space.pattern[0], space.plane_counts()[0],
                             space.sats_counts()[0], 0, space.bus[0])
    cov = loaded.doc.requirements.coverage
    constraints = []
    if cov is not None and cov.continuous:
        constraints.append({"metric": "coverage.continuous_percent", "min": cov.percent - 1e-9})
    elif cov is not None:
        if cov.percent < 100:
            raise SystemExit("the plain grid can only state 'all of the region' for a gap bound; use percent: 100")
        constraints += [{"metric": "coverage.max_gap_s", "max": cov.max_gap_s}, {"metric": "coverage.ever_percent", "min": 100 - 1e-9}]
    doc = {
        "name": "plain grid",
        "base": base,
        "parameters": {"altitude_km": space.altitude_km, "inclination_deg": space.inclination_deg, "pattern": space.pattern,
                       "planes": space.plane_counts(), "sats_per_plane": space.sats_counts(), "phasing": phasings},
        "metrics": ["coverage.continuous_percent", "coverage.max_gap_s", {"metric": "cost[*].constellation_usd", "name": "usd", "reduce": "sum"},
                    {"metric": "mission.satellites", "name": "satellites"}],
        "constraints": constraints,
        "objectives": [{"metric": "mission.satellites", "goal": "min"}],
        "max_designs": 1_000_000,
    }
    return study_from_dict(doc, "grid", loaded.base_dir)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="?", default=str(Path(__file__).resolve().parents[1] / "resources/requirements/continuous-50.yaml"))
    parser.add_argument("--planes", nargs=2, type=int, metavar=("MIN", "MAX"), help="narrow the plane counts")
    parser.add_argument("--sats", nargs=2, type=int, metavar=("MIN", "MAX"), help="narrow the satellites per plane")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--grid-budget-s", type=float, default=None, help="stop the grid after this long and extrapolate")
    parser.add_argument("--skip-grid", action="store_true")
    parser.add_argument("--verify", action="store_true", help="re-analyse the best design at half the step and half the grid cell")
    parser.add_argument("--refine", type=int, default=0,
                        help="the search's refine setting (default 0: both judge at the file's sampling, like for like)")
    args = parser.parse_args()

    loaded = load_requirements(args.requirements)
    loaded.doc.refine = args.refine
    space = loaded.doc.design_space
    if args.planes:
        space.planes = IntRange(min=args.planes[0], max=args.planes[1])
    if args.sats:
        space.sats_per_plane = IntRange(min=args.sats[0], max=args.sats[1])
    grid_total = sum(len(space.phasings(p) or [0]) for p in space.plane_counts()) * len(space.sats_counts()) * \
        len(space.altitude_km) * len(space.inclination_deg) * len(space.pattern) * len(space.bus)
    print(f"{loaded.name}: {grid_total:,} designs in the space "
          f"(planes {space.plane_counts()[0]}..{space.plane_counts()[-1]}, sats/plane {space.sats_counts()[0]}..{space.sats_counts()[-1]}, "
          f"phasing {space.phasing if space.phasing != 'all' else 'all'}), {args.workers} worker processes")

    executor = LocalExecutor(args.workers)
    try:
        start = time.perf_counter()
        outcome = design_from_requirements(loaded, executor)
        search_s = time.perf_counter() - start
        best = outcome.best
        counts = outcome.counts
        print(f"design search: {counts['total']:5d} designs ({counts['coverage']} coverage screens, {counts['full']} full) "
              f"in {search_s:7.1f} s, {outcome.rounds} rounds -> {best.point.label() if best else 'nothing found'}")
        smaller = outcome.nearest_smaller()
        if smaller is not None:
            print(f"  next smaller: {smaller.point.label()}: {'; '.join(smaller.why())}")

        if not args.skip_grid:
            study = grid_study(loaded)
            began = time.perf_counter()

            def stop() -> bool:
                return args.grid_budget_s is not None and time.perf_counter() - began > args.grid_budget_s

            sweep = run_study(study, executor, cancel=stop)
            grid_s = time.perf_counter() - began
            table = sweep.table
            valid = int((table.status != "invalid").sum())
            done = int((table.status == "ok").sum())
            feasible = table[table.feasible]
            answer = int(feasible.satellites.min()) if len(feasible) else None
            if sweep.interrupted:
                rate = done / grid_s if grid_s > 0 else float("nan")
                full_s = valid / rate if rate > 0 else float("nan")
                print(f"plain grid:    {done:5d} of {valid} valid designs in {grid_s:7.1f} s (stopped at the budget); "
                      f"the whole grid would take ~{full_s:,.0f} s (extrapolated at {60 * rate:.0f} designs/min); "
                      f"fewest feasible so far: {answer}")
                print(f"ratio: the search evaluated {valid / max(counts['total'], 1):.1f}x fewer designs and answered "
                      f"~{full_s / search_s:.1f}x sooner (extrapolated)")
            else:
                print(f"plain grid:    {done:5d} designs in {grid_s:7.1f} s -> fewest feasible: {answer} satellites")
                same = best is not None and answer == best.point.satellites
                print(f"ratio: {done / max(counts['total'], 1):.1f}x fewer designs evaluated, {grid_s / search_s:.1f}x sooner; "
                      f"same answer: {same}")
    finally:
        executor.close()

    if args.verify and outcome.best_mission is not None:
        from core.analysis.pipeline import run_analysis
        from core.api import mission_from_dict

        finer = copy.deepcopy(outcome.best_mission)
        finer["analysis"]["step_s"] = finer["analysis"].get("step_s", 60) / 2
        finer["analysis"]["coverage_grid_deg"] = finer["analysis"].get("coverage_grid_deg", 1.0) / 2
        start = time.perf_counter()
        results = run_analysis(mission_from_dict(finer, "verify", loaded.base_dir), loaded.base_dir)
        cov = results.coverage
        print(f"verify at step {finer['analysis']['step_s']:g} s, grid {finer['analysis']['coverage_grid_deg']:g} deg: "
              f"continuous {cov.continuous_percent:.3f} %, longest gap {cov.max_gap_s:g} s ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
