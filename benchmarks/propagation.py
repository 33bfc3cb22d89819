"""Propagation speed: Starlink shell 1 (72 x 22, 53 deg, 550 km) for 24 h at 60 s.

Side by side in one run: this engine's J2-secular and two-body propagators, python-sgp4's
``SatrecArray`` on the same shell, and a boinor per-satellite loop (a subset, extrapolated);
then the exact inertial -> Earth-fixed rotation of all 2.3 M positions.

    python benchmarks/propagation.py [--repeat N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from core.orbits import frames
from core.orbits.propagate import AnalyticPropagator, Sgp4Propagator, satrecs_from_elements
from core.orbits.timegrid import TimeGrid
from core.orbits.walker import WalkerSpec, walker_elements


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--boinor-sats", type=int, default=4, help="satellites in the boinor subset")
    args = parser.parse_args()

    grid = TimeGrid.regular("2026-03-20T00:00:00Z", 86400, 60)
    elements, _, _ = walker_elements(WalkerSpec(550, 53, 72, 22, 17))
    states = elements.n * grid.n
    print(f"Starlink shell 1: {elements.n} satellites x {grid.n} epochs = {states / 1e6:.2f} M states\n")

    j2 = AnalyticPropagator(elements, j2=True)
    j2.positions(grid.offsets_s[:2])  # compile (numba cache) outside the timing
    t_j2 = best_of(args.repeat, lambda: j2.positions(grid.offsets_s))
    two_body = AnalyticPropagator(elements, j2=False)
    t_2b = best_of(args.repeat, lambda: two_body.positions(grid.offsets_s))

    sgp4 = Sgp4Propagator(satrecs_from_elements(elements, grid.epoch), grid.epoch)
    epoch = grid.epoch.utc
    from sgp4.api import SatrecArray

    array = SatrecArray(sgp4.satrecs)
    jd1 = np.full(grid.n, float(epoch.jd1))
    jd2 = float(epoch.jd2) + grid.offsets_s / 86400.0
    t_sgp4 = best_of(max(1, args.repeat // 2), lambda: array.sgp4(jd1, jd2))

    from astropy import units as u
    from boinor.bodies import Earth
    from boinor.twobody import Orbit

    orbit = Orbit.from_classical(Earth, elements.a_km[0] * u.km, 0 * u.one, elements.i_rad[0] * u.rad,
                                 elements.raan_rad[0] * u.rad, 0 * u.rad, elements.m0_rad[0] * u.rad)
    orbit.propagate(60 * u.s)  # JIT outside the timing
    subset_epochs = grid.offsets_s[::10]

    def boinor_loop():
        for _ in range(args.boinor_sats):
            for t in subset_epochs:
                orbit.propagate(t * u.s)

    t_boinor_subset = best_of(1, boinor_loop)
    t_boinor = t_boinor_subset / (args.boinor_sats * subset_epochs.size) * states

    mats = frames.gcrs_to_itrs_matrices(grid.times)
    t_mats = best_of(args.repeat, lambda: frames.gcrs_to_itrs_matrices(grid.times))
    r = j2.positions(grid.offsets_s)
    t_rot = best_of(args.repeat, lambda: frames.apply_rotation(mats, r))

    rows = [
        ("this engine, J2 secular", t_j2),
        ("this engine, two-body", t_2b),
        ("sgp4 SatrecArray (TEME)", t_sgp4),
        (f"boinor loop (extrapolated from {args.boinor_sats} x {subset_epochs.size})", t_boinor),
    ]
    print(f"{'propagator':<52}{'time s':>10}{'M states/s':>12}{'J2 is x faster':>16}")
    for name, seconds in rows:
        print(f"{name:<52}{seconds:>10.3f}{states / seconds / 1e6:>12.2f}{seconds / t_j2:>16.1f}")
    print()
    print(f"GCRS -> ITRS matrices for {grid.n} epochs (astropy, exact): {t_mats:.3f} s")
    print(f"rotation of {states / 1e6:.2f} M positions (einsum):          {t_rot:.3f} s")
    print(f"\ngoals: >= 30 M states/s with J2 -> {states / t_j2 / 1e6:.1f}; >= 10x SatrecArray -> {t_sgp4 / t_j2:.1f}x; "
          f"Earth-fixed <= 0.2 s -> {t_rot:.3f} s")


if __name__ == "__main__":
    main()
