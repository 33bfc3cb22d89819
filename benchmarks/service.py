"""Service and offloading cost: Starlink shell 1 (1,584 satellites), one day at 60 s.

Run: ``.venv/bin/python benchmarks/service.py [--cities 50] [--total-tops 50000]``

The Starlink shell 1 preset is analysed twice by the pipeline: as shipped (no ``service``
section) and with a population-weighted service over the catalogue's largest cities. The
insight stage is timed again with and without offloading (``compute_insight(offload=...)``).
Goal (issue 19): service + offloading add at most 2x the time of the rest of the analysis.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analysis import insight
from core.analysis.pipeline import run_analysis
from core.api import load_mission
from core.mission.model import Service

PRESET = Path(__file__).resolve().parents[1] / "resources" / "missions" / "starlink-shell-1.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cities", type=int, default=50)
    ap.add_argument("--total-tops", type=float, default=50_000.0)
    args = ap.parse_args()
    base = load_mission(PRESET)
    t0 = time.perf_counter()
    plain = run_analysis(base)
    t_plain = time.perf_counter() - t0
    svc = Service(population_weighted={"total_tops": args.total_tops, "cities": args.cities}, request_kb=4, response_kb=16,
                  ops_per_request=1.4e12)
    m = base.model_copy(update={"service": svc})
    t0 = time.perf_counter()
    full = run_analysis(m)
    t_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    insight.compute_insight(m, full.ephemeris, full.access, full.topology, full.compute, offload=False)
    t_ins_off = time.perf_counter() - t0
    t0 = time.perf_counter()
    with_off = insight.compute_insight(m, full.ephemeris, full.access, full.topology, full.compute, offload=True)
    t_ins_on = time.perf_counter() - t0
    added = full.timings_s.get("service", 0.0) + max(0.0, t_ins_on - t_ins_off)
    rest = t_plain - max(0.0, plain.timings_s.get("insight", 0.0) - t_ins_off)
    s = full.service.to_json()
    print(f"satellites {full.ephemeris.n_sat}, epochs {full.ephemeris.n_time}, cities {args.cities}")
    print(f"analysis without service: {t_plain:.1f} s  (stages {', '.join(f'{k} {v:.1f}' for k, v in plain.timings_s.items())})")
    print(f"analysis with service:    {t_full:.1f} s  (service stage {full.timings_s.get('service', 0.0):.1f} s)")
    print(f"insight without / with offloading: {t_ins_off:.1f} / {t_ins_on:.1f} s")
    print(f"added by service + offloading: {added:.1f} s = {added / rest:.2f} x the rest ({rest:.1f} s); goal <= 2x")
    print(f"service: served {s['served_fraction']:.4f}, p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms, "
          f"utilisation mean {s['utilization_mean']:.4f}")
    off = with_off.to_json().get("offloading", {})
    print(f"offloading: offloaded fraction {off.get('offloaded_fraction')}, saturated {off.get('saturated_satellites')}")


if __name__ == "__main__":
    main()
