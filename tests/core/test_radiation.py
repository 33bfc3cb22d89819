"""Radiation dose: AE-8/AP-8 through radbelt, a SHIELDOSE-2 dose-depth curve, years to tolerance."""

import numpy as np
import pytest

from core.analysis import radiation as rad

YEAR = 2026.2


def test_radbelt_documented_example():
    """radbelt's get_flux docstring: 20 MeV protons, solar max, 45 W 30 S 500 km, 2021-03-01 -> 2642.50 /cm2/s."""
    from radbelt import igrf

    lvalue, bb0 = igrf(-45.0, -30.0, 500.0, 2021.0 + 59.0 / 365.0)
    flux = rad.trapped_flux(20.0, np.atleast_1d(lvalue), np.atleast_1d(bb0), "p", "max")[0]
    assert flux == pytest.approx(2642.50268555, rel=1e-4)


def test_ranges_match_nist_and_katz_penfold():
    # NIST PSTAR CSDA ranges in Al: 10 MeV 0.1695 g/cm2, 100 MeV 9.98 g/cm2
    assert rad.proton_energy_for_range_mev(0.1695) == pytest.approx(10.0, rel=0.03)
    assert rad.proton_energy_for_range_mev(9.98) == pytest.approx(100.0, rel=0.03)
    # Katz-Penfold: 1 MeV electrons reach 0.412 g/cm2; above 2.5 MeV R = 0.530 E - 0.106
    assert rad.electron_energy_for_range_mev(0.412) == pytest.approx(1.0, rel=1e-3)
    assert rad.electron_energy_for_range_mev(0.530 * 4 - 0.106) == pytest.approx(4.0, rel=1e-3)


def test_reference_orbit_reproduces_the_published_curve():
    """550 km, 100 deg, 5 mm Al: SHIELDOSE-2 gives 693.52 rad (protons) and 745.19 + 28.28 rad (electrons,
    bremsstrahlung) over 5 years; the model returns the curve on its own reference orbit."""
    dp, de = rad.dose_rad_per_year(550.0, 100.0, 5.0, YEAR)
    assert dp == pytest.approx(693.52 / 5, rel=1e-3)
    assert de == pytest.approx((745.19 + 28.281) / 5, rel=1e-3)


def test_dose_rises_steeply_with_altitude():
    low = sum(rad.dose_rad_per_year(500.0, 53.0, 3.0, YEAR))
    high = sum(rad.dose_rad_per_year(1500.0, 53.0, 3.0, YEAR))
    assert low > 0
    assert high > 10 * low  # the inner belt: about 20x between 500 and 1,500 km


def test_inclination_through_the_south_atlantic_anomaly():
    """At 500 km an equatorial orbit skirts the SAA (centred near 26 S); at 30 deg it flies through it."""
    ep, _ = rad.cutoff_energies_mev(3.0)
    equatorial = rad.orbit_mean_flux(500.0, 0.0, ep, "p", YEAR)
    through_saa = rad.orbit_mean_flux(500.0, 30.0, ep, "p", YEAR)
    assert through_saa > 5 * equatorial


def test_life_from_tolerance():
    from core.catalog.hardware import get_hardware

    tpu = get_hardware("tpu-v6e")
    assert tpu.tid_krad == 2.0 and "Suncatcher" in tpu.tid_source
    assert get_hardware("jetson-agx-orin-64gb").tid_krad is None


@pytest.mark.parametrize("particle, solar, energy_mev", [("p", "min", 48.6), ("e", "max", 1.75)])
def test_tabulated_models_match_direct_radbelt_on_an_orbit(particle, solar, energy_mev):
    """The (E, L, B/B0) table against radbelt's own aep8 on every point of the Suncatcher orbit grid."""
    lvalue, bb0 = rad._field_lb(650.0, 98.0, YEAR)
    direct = rad.trapped_flux(energy_mev, lvalue, bb0, particle, solar).mean()
    table = rad.table_flux(energy_mev, lvalue, bb0, particle).mean()
    assert direct > 0
    assert table == pytest.approx(direct, rel=0.1)


def test_radbelt_calls_from_two_threads_neither_race_nor_end_the_process():
    """Two analyses at once (the app's newest-edit-wins runner) call radbelt together: each call
    changes the working folder, and a Fortran that misses its file ends the process with exit 0.
    Run in a child so that such an end shows as a missing line, not as a silent pass."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    code = textwrap.dedent("""
        import threading
        from core.analysis import radiation as r
        args = [(500.0 + 37 * k, 40.0 + 5 * k, 2026.0) for k in range(6)]
        serial = [r._field_lb.__wrapped__(*a) for a in args]
        out = [None] * len(args)
        def work(k):
            out[k] = r._field_lb.__wrapped__(*args[k])
        threads = [threading.Thread(target=work, args=(k,)) for k in range(len(args))]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert all((a[0] == b[0]).all() and (a[1] == b[1]).all() for a, b in zip(serial, out))
        print("both threads done")
    """)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "both threads done" in done.stdout
