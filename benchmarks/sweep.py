"""Trade-study throughput: designs per minute locally (all cores, a process pool), on a 2-worker
local Dask cluster (scheduler and workers on loopback, the same code path as ``--scheduler``),
and in one process (the serial baseline), printed with ratios.

The study is ``resources/studies/planes-vs-altitude.yaml`` widened to ``--designs`` points
(altitudes x plane counts on the default preset, 2 h at 120 s, 5-degree grid). Each run starts
from a fresh checkpoint, so every design is computed; worker start-up (imports, numba cache
load) is counted, as a user would see it.

    .venv/bin/python benchmarks/sweep.py [--designs 24] [--skip-dask]

Optionally also times the split coverage of a large Walker shell (``--split-sats 20000``):
unsplit versus split over the 2-worker cluster.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.study.model import study_from_dict
from core.study.run import DaskExecutor, InlineExecutor, LocalExecutor, run_study

ROOT = Path(__file__).resolve().parents[1]


def make_study(n_designs: int):
    import math

    n_alt = max(1, int(math.sqrt(n_designs)))
    n_planes = max(1, math.ceil(n_designs / n_alt))
    doc = {
        "name": "benchmark",
        "base": "default",
        "overrides": {"analysis.duration_s": 7200, "analysis.step_s": 120, "analysis.coverage_grid_deg": 5},
        "parameters": {"altitude_km": {"range": [500, 700], "count": n_alt},
                       "planes": {"start": 3, "stop": 3 + n_planes - 1, "step": 1}},
        "metrics": ["coverage.mean_percent", "coverage.max_gap_s", "insight.speedup_median", "cost[0].constellation_usd"],
        "objectives": [{"metric": "coverage.mean_percent", "goal": "max"}, {"metric": "cost[0].constellation_usd", "goal": "min"}],
    }
    return study_from_dict(doc, "benchmark", ROOT)


def timed(label: str, loaded, executor) -> float:
    start = time.perf_counter()
    outcome = run_study(loaded, executor)
    wall = time.perf_counter() - start
    ok = int((outcome.table.status == "ok").sum())
    rate = 60.0 * ok / wall
    print(f"{label:<34} {ok:4d} designs in {wall:7.1f} s  -> {rate:7.1f} designs/min")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=24)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-serial", action="store_true")
    parser.add_argument("--split-sats", type=int, default=0, help="also time split coverage of a Walker shell this large")
    args = parser.parse_args()

    loaded = make_study(args.designs)
    print(f"{loaded.study.grid_size()} designs, machine with {os.cpu_count()} cores")
    rates = {}
    if not args.skip_serial:
        rates["serial"] = timed("one process (serial baseline)", loaded, InlineExecutor())
    local = LocalExecutor()
    try:
        rates["local"] = timed(f"local, {local.workers} processes", loaded, local)
    finally:
        local.close()
    cluster = None
    if not args.skip_dask or args.split_sats:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
        client = Client(cluster.scheduler_address, set_as_default=False)
    try:
        if not args.skip_dask:
            rates["dask"] = timed("Dask, 2 workers on loopback", loaded, DaskExecutor(client=client))
        if "serial" in rates:
            for key in ("local", "dask"):
                if key in rates:
                    print(f"  {key} / serial: {rates[key] / rates['serial']:.2f}x")
        if "local" in rates and "dask" in rates:
            print(f"  dask / local: {rates['dask'] / rates['local']:.2f}x")
        if args.split_sats:
            split_benchmark(args.split_sats, client)
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
    return 0


def split_benchmark(n_sat: int, client) -> None:
    from core.analysis.coverage import compute_coverage
    from core.api import mission_from_dict
    from core.orbits.ephemeris import build_ephemeris
    from core.study.coverage_tiles import split_coverage

    planes = 100
    mission = {"name": "big", "epoch": "2026-03-20T00:00:00Z",
               "analysis": {"duration_s": 3600, "step_s": 60, "coverage_grid_deg": 1.0},
               "constellations": [{"name": "big", "altitude_km": 550, "inclination_deg": 53, "planes": planes,
                                   "sats_per_plane": max(1, n_sat // planes), "phasing": 1}]}
    model = mission_from_dict(mission)
    start = time.perf_counter()
    ref = compute_coverage(model, build_ephemeris(model))
    unsplit = time.perf_counter() - start
    start = time.perf_counter()
    split = split_coverage(mission, None, DaskExecutor(client=client), epoch_chunk=16)
    wall = time.perf_counter() - start
    same = split.to_json() == ref.to_json()
    print(f"split coverage, {n_sat:,} sats x 61 epochs, 1 deg: unsplit {unsplit:.1f} s, split on 2 workers {wall:.1f} s"
          f" (equal: {same})")


if __name__ == "__main__":
    sys.exit(main())
