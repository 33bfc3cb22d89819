"""Coverage engine against a chunked numpy brute force, printed as ratios.

Cases: Starlink shell 1 (1,584 satellites, 550 km, 53 deg) and a 10,000-satellite Walker
shell, each on a 1 deg grid with a 25 deg mask over 24 h at 60 s (1,441 epochs). The brute
force tests every cell against every satellite (``(s - g).u >= |s - g| sin e``) in chunks of
satellites; it runs on a sample of epochs and is extrapolated to the whole day. The kernel
is run twice: the first run includes numba's cache load, the second is the steady state.

    .venv/bin/python benchmarks/coverage.py [--brute-epochs 4] [--skip-10k]

Goals: the shell-1 day in <= 5 s on a 2-core machine (>= 20x the brute force) and one epoch
in <= 10 ms (the app recomputes it live).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analysis.coverage import compute_coverage, coverage_mask_at
from core.analysis.grid import make_grid
from core.api import load_mission, loads_mission
from core.orbits.ephemeris import build_ephemeris

ROOT = Path(__file__).resolve().parents[1]

TEN_K = """
schema_version: 1
name: ten thousand
epoch: "2026-03-20T00:00:00Z"
analysis: {duration_s: 86400, step_s: 60, min_elevation_deg: 25, coverage_grid_deg: 1.0}
constellations:
  - {name: big, walker: "53:10000/100/17", altitude_km: 550, propagator: j2}
"""


def brute_force_epoch(grid, r_sat_km, min_el_deg, chunk=128):
    """Satellites in view per cell at one epoch: every cell x every satellite, vectorised numpy.

    The elevation test ``(d . u) >= |d| sin(el)`` with ``d = r - R u`` uses one matrix product
    per chunk of satellites (``r . u`` for all cells), the fastest plain-numpy formulation.
    """
    u = grid.up_vectors().reshape(-1, 3)
    radius = grid.radius_km
    sin_e = np.sin(np.radians(min_el_deg))
    counts = np.zeros(u.shape[0], dtype=np.int32)
    for k in range(0, r_sat_km.shape[0], chunk):
        r = r_sat_km[k:k + chunk]
        ru = r @ u.T  # (chunk, cells)
        h = ru - radius
        d2 = np.sum(r * r, axis=1)[:, None] - 2.0 * radius * ru + radius * radius
        counts += np.sum((h >= 0) & (h * h >= d2 * sin_e * sin_e), axis=0, dtype=np.int32)
    return counts.reshape(grid.shape)


def run_case(label, mission, brute_epochs):
    t = time.perf_counter()
    eph = build_ephemeris(mission)
    t_eph = time.perf_counter() - t
    grid = make_grid(mission.analysis.coverage_grid_deg, mission.analysis.region)
    el = mission.analysis.min_elevation_deg
    n_time = eph.n_time

    runs = []
    for _ in range(2):
        t = time.perf_counter()
        res = compute_coverage(mission, eph, grid=grid)
        runs.append(time.perf_counter() - t)
    t_kernel = runs[-1]

    picks = np.linspace(0, n_time - 1, 50).astype(int)
    r_one = [np.ascontiguousarray(eph.r_ecef_km[:, k]) for k in picks]
    coverage_mask_at(grid, r_one[0], el)
    one = []
    for r in r_one:
        t = time.perf_counter()
        coverage_mask_at(grid, r, el)
        one.append(time.perf_counter() - t)
    t_one = float(np.median(one))

    sample = np.linspace(0, n_time - 1, brute_epochs).astype(int)
    t = time.perf_counter()
    for k in sample:
        ref = brute_force_epoch(grid, eph.r_ecef_km[:, k], el)
        assert np.array_equal(ref > 0, coverage_mask_at(grid, eph.r_ecef_km[:, k], el)), "mask differs from brute force"
    t_brute_epoch = (time.perf_counter() - t) / sample.size
    t_brute_day = t_brute_epoch * n_time

    print(f"\n== {label}: {eph.n_sat} satellites, {grid.shape[0]}x{grid.shape[1]} cells, {n_time} epochs, mask {el:g} deg")
    print(f"   ephemeris build (not timed below)      {t_eph:8.2f} s")
    print(f"   kernel, whole day (1st incl. cache)    {runs[0]:8.2f} s   steady {t_kernel:.2f} s")
    print(f"   brute force, whole day (extrapolated)  {t_brute_day:8.1f} s   ({t_brute_epoch * 1e3:.0f} ms/epoch x {n_time}, {sample.size} sampled)")
    print(f"   ratio brute / kernel (day)             {t_brute_day / t_kernel:8.0f} x")
    print(f"   one epoch: kernel {t_one * 1e3:.2f} ms (median of 50), brute {t_brute_epoch * 1e3:.0f} ms, "
          f"ratio {t_brute_epoch / t_one:.0f} x")
    print(f"   mean {res.mean_percent:.2f} %, continuous {res.continuous_percent:.2f} %, "
          f"max gap {res.max_gap_s:.0f} s, mean sats in view {res.mean_sats:.2f}")
    return t_kernel, t_one


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brute-epochs", type=int, default=4)
    ap.add_argument("--skip-10k", action="store_true")
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"cores {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    t_day, t_one = run_case("Starlink shell 1", load_mission(ROOT / "resources/missions/starlink-shell-1.yaml"), args.brute_epochs)
    print(f"   goals: day <= 5 s -> {'met' if t_day <= 5 else 'NOT met'}; one epoch <= 10 ms -> {'met' if t_one <= 0.010 else 'NOT met'}")
    if not args.skip_10k:
        run_case("10,000-satellite Walker shell", loads_mission(TEN_K), max(2, args.brute_epochs // 2))
    load = os.getloadavg()
    print(f"\nload average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
