"""Total ionising dose per shell from trapped protons and electrons, and the years the chips last.

Method, in three steps (see ``docs/models/clusters-radiation-training.md``):

1. **Environment.** Omnidirectional integral fluxes of trapped protons (AP-8, solar minimum,
   when they are highest) and electrons (AE-8, solar maximum) from NASA's AE-8/AP-8 models as
   packaged by ``radbelt`` (Leo Singer, NASA; the IGRF field at the mission epoch gives the
   McIlwain L and B/B0 of each point; the models are read from a table of radbelt's values on an
   (energy, L, B/B0) grid, ``resources/radiation/aep8_table.npz``). The orbit average of a circular orbit at the shell's
   altitude and inclination is taken over a fixed grid of argument of latitude x node
   longitude (:data:`N_ARG_LAT` x :data:`N_NODE_LON` points): the Earth turns under the orbit,
   so over months every longitude of the node is flown. The figure is a property of the orbit,
   not of the analysis window.
2. **Dose behind shielding.** A published dose-depth curve: SHIELDOSE-2 (SPENVIS 4.6.11) doses
   in silicon at the centre of solid aluminium spheres for a 550 km circular orbit at every
   inclination from 0 to 180 deg, 5-year mission, same AP-8 min / AE-8 max environment
   (Pfandzelter and Bermbach, LEO-NET '23, doi:10.1145/3614204.3616106;
   ``resources/radiation/shieldose2_550km_5y.csv``). For another orbit each component is
   scaled by the ratio of the orbit's integral flux above the energy that just penetrates the
   shield to the same flux on the 550 km reference orbit of the nearest tabulated inclination:
   ``D(t) = D_p,ref(t) Fp(>Ep(t)) / Fp,ref(>Ep(t)) + (D_e,ref + D_brems,ref)(t) Fe(>Ee(t)) / Fe,ref(>Ee(t))``.
   ``Ep(t)`` inverts the proton CSDA range in aluminium (Bragg-Kleeman fit
   ``R = 0.00302 E^1.75`` g/cm2 to NIST PSTAR, within 5 % from 5 to 200 MeV); ``Ee(t)``
   inverts the Katz-Penfold electron practical range. The ratio is exact when the spectrum's
   shape above the threshold matches the reference's; it is a transfer, not a transport code.
3. **Life.** ``life_years = hardware tid_krad / (krad per year)`` (``tid_krad`` from the hardware
   catalogue; ``None`` where the part has no published tolerance).

Solar energetic particles and galactic cosmic rays are not included (in LEO below ~1,000 km
behind a few mm of Al the trapped belts dominate the total dose).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.analysis.per_shell import PerShell
from core.mission.model import Mission
from core.orbits.ephemeris import Ephemeris

N_ARG_LAT = 24
"""Argument-of-latitude samples of the orbit average (15 deg apart)."""
N_NODE_LON = 36
"""Node-longitude samples of the orbit average (10 deg apart)."""
AL_DENSITY_G_CM3 = 2.70
REFERENCE_ALTITUDE_KM = 550.0
REFERENCE_YEARS = 5.0
PROTON_E_MAX_MEV = 400.0
ELECTRON_E_MAX_MEV = 6.5
SECONDS_PER_YEAR = 365.25 * 86400.0


@dataclass(frozen=True)
class ShellDose:
    """Dose figures of one shell (all satellites of a shell share altitude and inclination)."""

    shell: str
    altitude_km: float
    inclination_deg: float
    shielding_mm_al: float
    tid_krad_per_year: float
    proton_krad_per_year: float
    electron_krad_per_year: float
    hardware: str
    hardware_tid_krad: float | None
    tid_source: str
    life_years: float | None
    mission_life_years: float

    def to_json(self) -> dict:
        return {
            "shell": self.shell,
            "tid_krad_per_year": self.tid_krad_per_year,
            "shielding_mm_al": self.shielding_mm_al,
            "hardware_tid_krad": self.hardware_tid_krad,
            "life_years": self.life_years,
            "life_reason": None if self.life_years is not None else (
                "the hardware catalogue gives no tid_krad for this part" if self.hardware_tid_krad is None
                else "no trapped-particle dose on this orbit"),
            "proton_krad_per_year": self.proton_krad_per_year,
            "electron_krad_per_year": self.electron_krad_per_year,
            "mission_dose_krad": self.tid_krad_per_year * self.mission_life_years,
            "mission_life_years": self.mission_life_years,
            "hardware": self.hardware,
            "model": "AP-8 min / AE-8 max (radbelt), SHIELDOSE-2 550 km dose-depth curve scaled by flux above the shield's cut-off energy",
        }


@dataclass(frozen=True)
class RadiationResult(PerShell):
    """Total ionising dose of every shell (the ``radiation`` section of the results)."""

    shells: tuple[ShellDose, ...]

    def tables(self) -> list:
        from core.analysis.tables import Table

        rows = []
        for s in self.shells:
            rows.append([
                s.shell, f"{s.shielding_mm_al:g}", f"{1000 * s.tid_krad_per_year:.0f}",
                f"{1000 * s.proton_krad_per_year:.0f}", f"{1000 * s.electron_krad_per_year:.0f}",
                "-" if s.hardware_tid_krad is None else f"{s.hardware_tid_krad:g}",
                "-" if s.life_years is None else f"{s.life_years:.1f}",
            ])
        cols = ["shell", "Al mm", "rad(Si)/yr", "protons", "electrons", "part tolerates krad", "years to tolerance"]
        return [Table("Radiation: total ionising dose (AE-8/AP-8, SHIELDOSE-2 curve)", cols, rows)]


# ----------------------------------------------------------------------------------------
# Ranges and thresholds


def proton_energy_for_range_mev(areal_g_cm2: np.ndarray | float) -> np.ndarray:
    """Proton energy whose CSDA range in aluminium is ``areal_g_cm2`` (Bragg-Kleeman fit to PSTAR)."""
    return (np.asarray(areal_g_cm2, dtype=float) / 0.00302) ** (1.0 / 1.75)


def electron_range_g_cm2(energy_mev: np.ndarray | float) -> np.ndarray:
    """Katz-Penfold (1952) practical range of electrons in aluminium, g/cm2."""
    e = np.asarray(energy_mev, dtype=float)
    low = 0.412 * e ** (1.265 - 0.0954 * np.log(e))
    return np.where(e <= 2.5, low, 0.530 * e - 0.106)


def electron_energy_for_range_mev(areal_g_cm2: float) -> float:
    """Electron energy whose Katz-Penfold range is ``areal_g_cm2`` (bisection on a log scale)."""
    lo, hi = 1e-3, 50.0
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if electron_range_g_cm2(mid) < areal_g_cm2 else (lo, mid)
    return float(np.sqrt(lo * hi))


def cutoff_energies_mev(shielding_mm_al: float) -> tuple[float, float]:
    """(proton, electron) energies that just penetrate ``shielding_mm_al`` of aluminium, clipped
    to the models' energy ranges (AP-8 to 400 MeV, AE-8 to 7 MeV)."""
    areal = shielding_mm_al / 10.0 * AL_DENSITY_G_CM3
    ep = float(np.clip(proton_energy_for_range_mev(areal), 0.1, PROTON_E_MAX_MEV))
    ee = float(np.clip(electron_energy_for_range_mev(areal), 0.04, ELECTRON_E_MAX_MEV))
    return ep, ee


# ----------------------------------------------------------------------------------------
# Environment (radbelt)

_FORTRAN_LOCK = threading.Lock()
"""radbelt's Fortran opens its data files by relative name, so each call changes the working
folder for its duration. Two analyses running at once (the app starts a new one while the old
one finishes) would pull the folder from under each other, and a Fortran that cannot open its
file ends the whole process with ``STOP`` (exit status 0): every radbelt call holds this lock."""


def orbit_points(altitude_km: float, inclination_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Geocentric latitude and longitude (deg) of the orbit-average grid of a circular orbit."""
    u = (np.arange(N_ARG_LAT) + 0.5) * 2 * np.pi / N_ARG_LAT
    node = (np.arange(N_NODE_LON) + 0.5) * 2 * np.pi / N_NODE_LON
    inc = np.radians(inclination_deg)
    lat = np.degrees(np.arcsin(np.sin(inc) * np.sin(u)))
    dlon = np.arctan2(np.cos(inc) * np.sin(u), np.cos(u))
    lon = np.degrees((node[:, None] + dlon[None, :] + np.pi) % (2 * np.pi) - np.pi)
    return np.broadcast_to(lat, lon.shape).ravel(), lon.ravel()


@lru_cache(maxsize=64)
def _field_lb(altitude_km: float, inclination_deg: float, year: float) -> tuple[np.ndarray, np.ndarray]:
    from radbelt import core as rb
    from radbelt.paths import IGRF_DATA_PATH

    lat, lon = orbit_points(altitude_km, inclination_deg)
    with _FORTRAN_LOCK:
        old = os.getcwd()
        os.chdir(IGRF_DATA_PATH)  # the Fortran reads its coefficient files from the working folder
        try:
            pairs = [rb.igrf(float(x), float(y), float(altitude_km), float(year)) for x, y in zip(lon, lat)]
        finally:
            os.chdir(old)
    arr = np.array(pairs, dtype=float)
    return arr[:, 0], arr[:, 1]


MODELS = {("e", "min"): 1, ("e", "max"): 2, ("p", "min"): 3, ("p", "max"): 4}
"""radbelt's AE-8/AP-8 model numbers by (particle, solar activity)."""


def trapped_flux(energy_mev: float, lvalue: np.ndarray, bb0: np.ndarray, particle: str, solar: str) -> np.ndarray:
    """AE-8/AP-8 omnidirectional integral flux above ``energy_mev`` (/cm2/s) at McIlwain
    ``lvalue`` and ``bb0`` = B/B0 (radbelt's ``aep8``, one point at a time); 0 outside the belts."""
    from radbelt import core as rb
    from radbelt.paths import AEP8_DATA_PATH

    model = MODELS[(particle, solar)]
    with _FORTRAN_LOCK:
        old = os.getcwd()
        os.chdir(AEP8_DATA_PATH)  # the Fortran reads its model maps from the working folder
        try:
            flux = np.array([rb.aep8(float(energy_mev), float(l), float(b), model)
                             for l, b in zip(np.ravel(lvalue), np.ravel(bb0))])
        finally:
            os.chdir(old)
    return np.where(np.isfinite(flux) & (flux > 0), flux, 0.0)


@lru_cache(maxsize=1)
def _aep8_table() -> dict[str, np.ndarray]:
    """AE-8 max / AP-8 min integral fluxes on an (energy, L, B/B0) grid (``resources/tools/make_aep8_table.py``)."""
    from core.resources import resource_path

    with np.load(resource_path("radiation/aep8_table.npz")) as data:
        return {k: data[k] for k in data.files}


def _blend(lo: np.ndarray, hi: np.ndarray, w: np.ndarray | float) -> np.ndarray:
    """Interpolate positive fluxes log-linearly, falling back to linear where one side is zero."""
    both = (lo > 0) & (hi > 0)
    with np.errstate(divide="ignore"):
        logs = np.exp((1 - w) * np.log(np.where(both, lo, 1.0)) + w * np.log(np.where(both, hi, 1.0)))
    return np.where(both, logs, (1 - w) * lo + w * hi)


def table_flux(energy_mev: float, lvalue: np.ndarray, bb0: np.ndarray, particle: str) -> np.ndarray:
    """AE-8 (solar max, ``"e"``) or AP-8 (solar min, ``"p"``) integral flux above ``energy_mev``
    (/cm2/s) at McIlwain ``lvalue`` and ``bb0``, interpolated in the tabulated models: bilinear in
    (L, log B/B0), log-linear in energy. 0 beyond the table (L > 12 or B/B0 > 1000)."""
    t = _aep8_table()
    e_grid = t["proton_e_mev"] if particle == "p" else t["electron_e_mev"]
    cube = t["ap8min"] if particle == "p" else t["ae8max"]
    lg, bg = t["l_grid"], np.log(t["bb0_grid"])
    lv = np.asarray(lvalue, dtype=float).ravel()
    lb = np.log(np.maximum(np.asarray(bb0, dtype=float).ravel(), 1.0))
    outside = ~np.isfinite(lv) | (lv > lg[-1]) | (lb > bg[-1])
    lv = np.clip(np.nan_to_num(lv, nan=lg[0]), lg[0], lg[-1])
    lb = np.clip(lb, bg[0], bg[-1])
    j = np.clip(np.searchsorted(lg, lv) - 1, 0, lg.size - 2)
    k = np.clip(np.searchsorted(bg, lb) - 1, 0, bg.size - 2)
    wl = (lv - lg[j]) / (lg[j + 1] - lg[j])
    wb = (lb - bg[k]) / (bg[k + 1] - bg[k])
    le = np.log(np.clip(energy_mev, e_grid[0], e_grid[-1]))
    i = int(np.clip(np.searchsorted(np.log(e_grid), le) - 1, 0, e_grid.size - 2))
    we = float((le - np.log(e_grid[i])) / (np.log(e_grid[i + 1]) - np.log(e_grid[i])))

    def plane(c: np.ndarray) -> np.ndarray:
        c = c.astype(float)
        return _blend(_blend(c[j, k], c[j, k + 1], wb), _blend(c[j + 1, k], c[j + 1, k + 1], wb), wl)

    flux = _blend(plane(cube[i]), plane(cube[i + 1]), we)
    return np.where(outside, 0.0, flux)


@lru_cache(maxsize=256)
def orbit_mean_flux(altitude_km: float, inclination_deg: float, energy_mev: float, particle: str, year: float) -> float:
    """Orbit-averaged omnidirectional integral flux above ``energy_mev``, particles /cm2/s.

    ``particle`` is ``"p"`` (AP-8 solar minimum) or ``"e"`` (AE-8 solar maximum); ``year`` is
    the decimal year of the IGRF field. Fluxes from the tabulated models (:func:`table_flux`).
    """
    lvalue, bb0 = _field_lb(round(float(altitude_km), 3), round(float(inclination_deg), 3), round(float(year), 2))
    return float(table_flux(energy_mev, lvalue, bb0, particle).mean())


# ----------------------------------------------------------------------------------------
# Dose


@lru_cache(maxsize=1)
def reference_curves() -> dict[int, np.ndarray]:
    """SHIELDOSE-2 curves by inclination: rows ``(al_mm, total, electrons, brems, protons)``,
    rad(Si) over the 5-year reference mission."""
    from core.resources import resource_path

    data = np.loadtxt(resource_path("radiation/shieldose2_550km_5y.csv"), delimiter=",", comments="#", skiprows=7)
    return {int(i): data[data[:, 0] == i][:, 1:] for i in np.unique(data[:, 0])}


def _interp_log(x: float, xs: np.ndarray, ys: np.ndarray) -> float:
    """Log-linear interpolation of a positive curve (0 stays 0)."""
    ys = np.asarray(ys, dtype=float)
    if not (ys > 0).any():
        return 0.0
    floor = ys[ys > 0].min() * 1e-6
    return float(np.exp(np.interp(x, xs, np.log(np.maximum(ys, floor))))) if np.interp(x, xs, ys) > 0 else 0.0


def reference_dose_rad_per_year(shielding_mm_al: float, inclination_deg: float) -> tuple[float, float]:
    """(proton, electron + bremsstrahlung) dose in rad(Si)/yr on the 550 km reference orbit of the
    tabulated inclination nearest ``inclination_deg``."""
    curves = reference_curves()
    key = int(5 * round(float(inclination_deg) / 5.0))
    c = curves[min(max(key, 0), 180)]
    protons = _interp_log(shielding_mm_al, c[:, 0], c[:, 4])
    electrons = _interp_log(shielding_mm_al, c[:, 0], c[:, 2] + c[:, 3])
    return protons / REFERENCE_YEARS, electrons / REFERENCE_YEARS


def dose_rad_per_year(altitude_km: float, inclination_deg: float, shielding_mm_al: float, year: float) -> tuple[float, float]:
    """(proton, electron) total ionising dose in rad(Si) per year behind ``shielding_mm_al`` of
    aluminium on a circular orbit (method in the module docstring)."""
    ep, ee = cutoff_energies_mev(shielding_mm_al)
    inc = float(inclination_deg)
    ref_inc = float(min(max(5 * round(inc / 5.0), 0), 180))
    d_p_ref, d_e_ref = reference_dose_rad_per_year(shielding_mm_al, inc)

    def scaled(d_ref: float, energy: float, particle: str) -> float:
        if d_ref <= 0:
            return 0.0
        ref = orbit_mean_flux(REFERENCE_ALTITUDE_KM, ref_inc, energy, particle, year)
        here = orbit_mean_flux(float(altitude_km), inc, energy, particle, year)
        if ref <= 0:
            return 0.0 if here <= 0 else d_ref  # no reference flux to scale by: keep the curve
        return d_ref * here / ref

    return scaled(d_p_ref, ep, "p"), scaled(d_e_ref, ee, "e")


def decimal_year(epoch) -> float:
    """Decimal year of a datetime (for the IGRF field)."""
    start = epoch.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1)
    return start.year + (epoch - start).total_seconds() / (end - start).total_seconds()


def compute_radiation(mission: Mission, eph: Ephemeris) -> RadiationResult | None:
    """Total ionising dose per year of every shell behind its bus's shielding, and the years to
    the compute hardware's tolerance. ``None`` for a mission without shells."""
    from core.catalog.hardware import get_hardware

    year = decimal_year(mission.epoch)
    out = []
    for shell in eph.shells:
        bus = mission.bus_for(mission.constellations[shell.index])
        dp, de = dose_rad_per_year(shell.altitude_km, shell.inclination_deg, bus.shielding_mm_al, year)
        total_krad = (dp + de) / 1000.0
        hw = get_hardware(bus.compute_hardware)
        life = None if hw.tid_krad is None or total_krad <= 0 else float(hw.tid_krad / total_krad)
        out.append(ShellDose(
            shell=shell.name, altitude_km=float(shell.altitude_km), inclination_deg=float(shell.inclination_deg),
            shielding_mm_al=float(bus.shielding_mm_al), tid_krad_per_year=total_krad,
            proton_krad_per_year=dp / 1000.0, electron_krad_per_year=de / 1000.0,
            hardware=hw.key, hardware_tid_krad=hw.tid_krad, tid_source=hw.tid_source,
            life_years=life, mission_life_years=float(bus.mission_life_years),
        ))
    return RadiationResult(tuple(out)) if out else None
