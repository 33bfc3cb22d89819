"""Generate ``resources/radiation/aep8_table.npz``: AE-8/AP-8 integral fluxes on an (E, L, B/B0) grid.

Dev-only: StarNet Studio reads the table this script writes. NASA's AE-8/AP-8 trapped-particle
models are static maps of omnidirectional integral flux over energy, McIlwain L and B/B0; the
``radbelt`` package evaluates them one point at a time (re-reading the model file on every call,
~1.5 ms). Tabulating them once lets the radiation analysis interpolate an orbit in milliseconds.
The tests compare the interpolated orbit average with direct ``radbelt`` calls.

    python resources/tools/make_aep8_table.py        # ~5 minutes; writes resources/radiation/aep8_table.npz

Models: AP-8 solar minimum (protons, the larger proton fluxes) and AE-8 solar maximum (electrons,
the larger electron fluxes). Fluxes in particles /cm2/s above each energy, stored as float32.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

L_GRID = np.round(np.concatenate([np.arange(1.0, 2.0, 0.025), np.arange(2.0, 4.0, 0.1), np.arange(4.0, 12.001, 0.25)]), 4)
BB0_GRID = np.round(np.logspace(0.0, 3.0, 49), 6)
PROTON_E_MEV = np.array([0.1, 0.2, 0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 400], dtype=float)
ELECTRON_E_MEV = np.array([0.04, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7], dtype=float)


def table(energies: np.ndarray, model: int) -> np.ndarray:
    from radbelt import core as rb
    from radbelt.paths import AEP8_DATA_PATH

    out = np.zeros((energies.size, L_GRID.size, BB0_GRID.size), dtype=np.float32)
    old = os.getcwd()
    os.chdir(AEP8_DATA_PATH)
    try:
        for i, e in enumerate(energies):
            for j, lv in enumerate(L_GRID):
                for k, b in enumerate(BB0_GRID):
                    out[i, j, k] = rb.aep8(float(e), float(lv), float(b), model)
            print(f"model {model}: {i + 1}/{energies.size}", file=sys.stderr)
    finally:
        os.chdir(old)
    return np.where(np.isfinite(out) & (out > 0), out, 0.0).astype(np.float32)


def main() -> None:
    import radbelt

    path = Path(__file__).resolve().parents[1] / "radiation" / "aep8_table.npz"
    np.savez_compressed(
        path, l_grid=L_GRID, bb0_grid=BB0_GRID, proton_e_mev=PROTON_E_MEV, electron_e_mev=ELECTRON_E_MEV,
        ap8min=table(PROTON_E_MEV, 3), ae8max=table(ELECTRON_E_MEV, 2),
        source=np.array(f"radbelt {getattr(radbelt, '__version__', '0.1.8')} (NASA AE-8/AP-8), AP8MIN and AE8MAX"),
    )
    print(path)


if __name__ == "__main__":
    main()
