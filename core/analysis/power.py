"""Power sizing per shell: Sun and shadow over a year, solar array, battery, radiator, mass.

What :func:`compute_power` does for each shell (constellation entry), with its bus:

1. **Sun and shadow.** The beta angle of every satellite over one year from the epoch (daily
   samples, J2 RAAN drift, astropy Sun); the eclipse fraction from the closed form
   (cylindrical shadow) or by sampling one orbit (conical shadow, penumbra counted pro rata);
   the worst orbit of the year is the one with the longest eclipse ``T_e`` (``eclipse_max_s``).
   Over the analysis grid the sunlit state of every satellite at every epoch (for the globe
   and plots) comes from the ephemeris positions.
2. **Load.** ``load_w = compute power + bus_power_w`` where the compute power is the
   payload's average draw, never below its lowest power mode (``power_w_min + (power_w -
   power_w_min) x utilization`` per unit; see :mod:`core.analysis.compute`). Compute runs in
   shadow as in sunlight, so the same load is drawn by day (``P_d``) and in eclipse (``P_e``):
   the array and the battery are sized for it.
3. **Solar array (SMAD 11.4).** ``P_sa = (P_e T_e / X_e + P_d T_d / X_d) / T_d`` with path
   efficiencies ``X_e, X_d`` = 0.60, 0.80 (peak-power tracking) or 0.65, 0.85 (direct energy
   transfer) and ``T_d = T - T_e``. Cell output at beginning of life
   ``P_BOL = P_o I_d cos(theta)`` (``I_d`` = 0.77 inherent degradation, ``theta`` the worst sun
   incidence), at end of life ``P_EOL = P_BOL (1 - D)^years``; area ``A = P_sa / P_EOL``;
   mass ``P_sa / array_w_per_kg``.
4. **Battery.** ``capacity_wh = P_e T_e / (DoD x efficiency)``. The depth of discharge, unless
   the bus fixes it, follows the cycle count (eclipses over the mission life) on a Li-ion
   planning curve (:func:`depth_of_discharge`: ~25-30 % for 5 years in LEO). Mass
   ``capacity_wh / battery_wh_per_kg``. A state-of-charge series over the worst orbit shows
   the battery falling to ``1 - DoD`` at the end of the eclipse and refilling in sunlight.
5. **Heat.** All electrical power ends as heat. The radiator is sized for the *peak*
   dissipation, ``heat_peak_w = bus_power_w + compute at full load (units x power_w)``, in
   the worst environment of :mod:`core.analysis.thermal` (sub-solar albedo and Earth infrared
   at full view factor, i.e. sunlight at the worst beta): a radiator sized for the average
   would overheat the first time the payload runs flat out.
6. **Mass and feasibility.** ``mass_kg = structure + compute + array + battery + radiator``; a
   design whose array or radiator exceeds ``max_array_m2``/``max_radiator_m2`` is flagged
   ``feasible: false`` with the reasons.

7. **Fixed designs.** A bus that gives ``solar_array_m2``, ``battery_wh`` or ``radiator_m2`` is
   not resized: the results report the fixed part (mass from it) and what the load would need
   (``*_needed``); :mod:`core.analysis.delivered` throttles the compute to what the fixed parts
   supply.

Assumptions: circular orbits for the eclipse geometry (the mean altitude of each satellite);
the Sun at 1 AU; the array is kept pointed within ``array_sun_angle_deg`` of the Sun.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.analysis import sun as sunmod
from core.analysis import thermal
from core.analysis.compute import shell_compute
from core.analysis.packed import SparseF32
from core.analysis.per_shell import PerShell
from core.mission.model import Mission
from core.orbits.blocks import (POSITION_BYTES_PER_SAT_EPOCH, BlockExecutor, map_blocks, mission_payload,
                                satellite_blocks, worker_ephemeris)
from core.orbits.elements import R_EARTH_KM, period_s
from core.orbits.ephemeris import Ephemeris
from core.orbits.shells import ShellInfo

PATH_EFFICIENCY = {"ppt": (0.60, 0.80), "det": (0.65, 0.85)}
"""SMAD path efficiencies (X_e, X_d): peak-power tracking / direct energy transfer."""
CELLS = {"si": (202.0, 0.0375), "gaas": (253.0, 0.0275), "multi-junction": (383.0, 0.005)}
"""Cell output P_o (W/m2, normal sunlight) and life degradation per year."""
INHERENT_DEGRADATION = 0.77
DOD_CURVE_LI_ION = ((100.0, 0.80), (1_000.0, 0.70), (3_000.0, 0.60), (10_000.0, 0.40), (30_000.0, 0.25), (100_000.0, 0.15))
"""Li-ion depth of discharge against charge/discharge cycles (planning values; log-linear between)."""


# ---------------------------------------------------------------------------------- formulas
def solar_array_power_w(p_eclipse_w: float, t_eclipse_s: float, p_day_w: float, t_day_s: float, regulation: str = "ppt") -> float:
    """SMAD array power ``(P_e T_e / X_e + P_d T_d / X_d) / T_d`` (W).

    >>> round(solar_array_power_w(110, 35.3 * 60, 110, 63.5 * 60, "ppt"))
    239
    """
    x_e, x_d = PATH_EFFICIENCY[regulation]
    return float((p_eclipse_w * t_eclipse_s / x_e + p_day_w * t_day_s / x_d) / t_day_s)


def array_eol_w_per_m2(cell: str, sun_angle_deg: float, years: float) -> tuple[float, float]:
    """Array output per m2 at beginning and end of life: ``P_o I_d cos(theta)`` and ``x (1-D)^years``."""
    p_o, d = CELLS[cell]
    bol = p_o * INHERENT_DEGRADATION * np.cos(np.radians(sun_angle_deg))
    return float(bol), float(bol * (1.0 - d) ** years)


def depth_of_discharge(cycles: float, curve=DOD_CURVE_LI_ION) -> float:
    """Depth of discharge for ``cycles`` charge cycles, interpolated in log(cycles) on ``curve``."""
    c = np.log10(np.array([p[0] for p in curve]))
    d = np.array([p[1] for p in curve])
    return float(np.interp(np.log10(max(cycles, 1.0)), c, d))


def battery_capacity_wh(p_eclipse_w: float, t_eclipse_s: float, dod: float, efficiency: float) -> float:
    """``P_e T_e / (DoD x efficiency)`` in Wh."""
    return float(p_eclipse_w * t_eclipse_s / 3600.0 / (dod * efficiency))


def state_of_charge(
    illumination: np.ndarray,
    dt_s: float,
    p_array_w: float,
    load_w: float,
    capacity_wh: float,
    efficiency: float,
    regulation: str = "ppt",
    orbits: int = 2,
) -> np.ndarray:
    """Battery state of charge (0..1) over one orbit sampled every ``dt_s``, periodic steady state.

    In sunlight (illumination ``nu``) the array delivers ``nu P_sa``; the daytime load takes
    ``P_d / X_d`` of it and the surplus charges the battery at ``(nu P_sa - P_d/X_d) X_e /
    efficiency`` (so an array sized by SMAD exactly refills what the eclipse drew). When
    the array falls short the battery supplies the missing share of the load, drawing
    ``share x P_e / efficiency``. The battery starts full and the orbit is repeated
    ``orbits`` times; the last repetition is returned.
    """
    x_e, x_d = PATH_EFFICIENCY[regulation]
    cap_j = capacity_wh * 3600.0
    if cap_j <= 0:
        return np.ones(len(illumination))
    avail = np.asarray(illumination, float) * p_array_w
    need = load_w / x_d
    rate = np.where(avail >= need, (avail - need) * x_e / efficiency, -(1.0 - avail / need if need > 0 else 0.0) * load_w / efficiency)
    energy = cap_j
    out = np.empty(len(avail))
    for _ in range(orbits):
        for k, r in enumerate(rate):
            energy = min(cap_j, energy + r * dt_s)
            out[k] = energy / cap_j
    return out


def size_power_system(
    bus,
    altitude_km: float,
    orbit_period_s: float,
    eclipse_s: float,
    load_w: float,
    cycles: float,
    heat_w: float | None = None,
) -> dict:
    """Array, battery, radiator and masses for one bus (no compute mass, no structure).

    ``load_w`` is the average electrical load (array and battery); ``heat_w`` the peak
    dissipation the radiator rejects (``load_w`` when omitted). Pure function of its
    arguments: the SMAD textbook case is
    ``size_power_system(bus(ppt), 700, 98.8*60, 35.3*60, 110, ...)["solar_array_w"] ~ 239``.
    """
    t_e = float(eclipse_s)
    t_d = float(orbit_period_s) - t_e
    p_sa = solar_array_power_w(load_w, t_e, load_w, t_d, bus.power_regulation)
    bol, eol = array_eol_w_per_m2(bus.solar_cell, bus.array_sun_angle_deg, bus.mission_life_years)
    dod = float(bus.battery_dod) if bus.battery_dod is not None else depth_of_discharge(cycles)
    batt = battery_capacity_wh(load_w, t_e, dod, bus.battery_efficiency) if t_e > 0 else 0.0
    heat = float(load_w if heat_w is None else heat_w)
    rad = thermal.size_radiator(bus, altitude_km, heat)
    return {
        "solar_array_w": p_sa,
        "array_bol_w_per_m2": bol,
        "array_eol_w_per_m2": eol,
        "solar_array_m2": p_sa / eol,
        "array_mass_kg": p_sa / bus.array_w_per_kg,
        "battery_dod": dod,
        "battery_cycles": float(cycles),
        "battery_wh": batt,
        "battery_mass_kg": batt / bus.battery_wh_per_kg,
        "heat_peak_w": heat,
        **rad,
    }


def apply_fixed_design(bus, sizing: dict) -> dict:
    """Replace sized parts by the bus' fixed ``solar_array_m2``/``battery_wh``/``radiator_m2``.

    The sized figures stay as ``*_needed``; ``fixed_design`` lists the fixed parts. A fixed
    part is not resized: the delivered-compute analysis (:mod:`core.analysis.delivered`)
    throttles the payload to what it supplies.
    """
    out = dict(sizing)
    out["fixed_design"] = []
    for key in ("solar_array_m2", "battery_wh", "radiator_m2"):
        out[f"{key}_needed"] = sizing[key]
    if bus.solar_array_m2 is not None:
        out["solar_array_m2"] = float(bus.solar_array_m2)
        out["solar_array_w"] = float(bus.solar_array_m2) * sizing["array_eol_w_per_m2"]
        out["array_mass_kg"] = out["solar_array_w"] / bus.array_w_per_kg
        out["fixed_design"].append("solar_array_m2")
    if bus.battery_wh is not None:
        out["battery_wh"] = float(bus.battery_wh)
        out["battery_mass_kg"] = float(bus.battery_wh) / bus.battery_wh_per_kg
        out["fixed_design"].append("battery_wh")
    if bus.radiator_m2 is not None:
        out["radiator_m2"] = float(bus.radiator_m2)
        out["radiator_mass_kg"] = float(bus.radiator_m2) * bus.radiator_kg_per_m2
        out["fixed_design"].append("radiator_m2")
    return out


# ---------------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class ShellPower:
    """Power, shadow and heat sizing of one shell.

    Year series (daily): ``year_days``, ``beta_min_deg_by_day``/``beta_max_deg_by_day``
    (envelope over the shell's satellites), ``beta_deg_by_plane`` ``(n_rows, n_days)`` (one row
    per Walker plane, else per satellite), ``eclipse_fraction_max_by_day``,
    ``eclipse_s_max_by_day``. Worst orbit: ``worst_beta_deg``, ``soc_time_s``,
    ``soc`` (0..1), ``worst_orbit_illumination``. Analysis window: ``eclipse_fraction_window``
    (mean over satellites of the shadowed share of epochs), ``eclipse_max_s_window``.
    """

    shell: str
    satellites: int
    altitude_km: float
    period_s: float
    shadow_model: str
    year_days: np.ndarray
    beta_min_deg_by_day: np.ndarray
    beta_max_deg_by_day: np.ndarray
    beta_deg_by_plane: np.ndarray
    eclipse_fraction_max_by_day: np.ndarray
    eclipse_s_max_by_day: np.ndarray
    worst_beta_deg: float
    eclipse_fraction_max: float
    eclipse_max_s: float
    eclipse_fraction_window: float
    eclipse_max_s_window: float
    soc_time_s: np.ndarray
    soc: np.ndarray
    worst_orbit_illumination: np.ndarray
    compute_w: float
    bus_power_w: float
    load_w: float
    sizing: dict
    structure_mass_kg: float
    compute_mass_kg: float
    mass_kg: float
    infeasible_reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def feasible(self) -> bool:
        return not self.infeasible_reasons

    def to_json(self) -> dict:
        s = self.sizing

        def num(x):
            x = float(x)
            return x if np.isfinite(x) else None

        return {
            "shell": self.shell,
            "beta_min_deg": float(np.min(self.beta_min_deg_by_day)),
            "beta_max_deg": float(np.max(self.beta_max_deg_by_day)),
            "eclipse_fraction_max": self.eclipse_fraction_max,
            "eclipse_max_s": self.eclipse_max_s,
            "load_w": self.load_w,
            "solar_array_w": s["solar_array_w"],
            "solar_array_m2": s["solar_array_m2"],
            "battery_wh": s["battery_wh"],
            "radiator_m2": num(s["radiator_m2"]),
            "mass_kg": num(self.mass_kg),
            "shadow_model": self.shadow_model,
            "worst_beta_deg": self.worst_beta_deg,
            "eclipse_fraction_window": self.eclipse_fraction_window,
            "eclipse_max_s_window": self.eclipse_max_s_window,
            "compute_w": self.compute_w,
            "bus_power_w": self.bus_power_w,
            "heat_peak_w": s["heat_peak_w"],
            "array_eol_w_per_m2": s["array_eol_w_per_m2"],
            "array_mass_kg": s["array_mass_kg"],
            "battery_dod": s["battery_dod"],
            "battery_cycles": s["battery_cycles"],
            "battery_mass_kg": s["battery_mass_kg"],
            "soc_min": float(np.min(self.soc)) if self.soc.size else 1.0,
            "radiator_net_w_per_m2": s["net_w_m2"],
            "radiator_mass_kg": num(s["radiator_mass_kg"]),
            "structure_mass_kg": self.structure_mass_kg,
            "compute_mass_kg": self.compute_mass_kg,
            "feasible": self.feasible,
            "infeasible_reasons": list(self.infeasible_reasons),
            "fixed_design": list(s.get("fixed_design", [])),
            "solar_array_m2_needed": num(s.get("solar_array_m2_needed", s["solar_array_m2"])),
            "battery_wh_needed": num(s.get("battery_wh_needed", s["battery_wh"])),
            "radiator_m2_needed": num(s.get("radiator_m2_needed", s["radiator_m2"])),
        }


@dataclass(frozen=True, eq=False)
class PowerResult(PerShell):
    """Sun/shadow state of every satellite and the power sizing of every shell.

    ``illumination``: ``(n_sat, n_time)`` float32, 0 umbra .. 1 full Sun (penumbra values only
    for shells with the conical model); ``sunlit``: ``(n_sat, n_time)`` bool, True where the
    centre of the Sun is visible (illumination >= 0.5). Both are decoded when read from
    ``illumination_packed`` (exact: a bit a satellite-epoch plus the penumbra values), and
    :meth:`illumination_rows`/:meth:`sunlit_rows` decode only some satellites.
    """

    illumination_packed: SparseF32
    shells: tuple[ShellPower, ...]

    @property
    def illumination(self) -> np.ndarray:
        return self.illumination_packed.rows()

    @property
    def sunlit(self) -> np.ndarray:
        return self.illumination_packed.rows() >= 0.5

    def illumination_rows(self, start: int, stop: int) -> np.ndarray:
        """Illumination ``(stop - start, n_time)`` float32 of the run's satellites ``start:stop``."""
        return self.illumination_packed.rows(start, stop)

    def sunlit_rows(self, start: int, stop: int) -> np.ndarray:
        """Sunlit state ``(stop - start, n_time)`` bool of the run's satellites ``start:stop``."""
        return self.illumination_packed.rows(start, stop) >= 0.5

    def tables(self) -> list:
        from core.analysis.tables import Table

        def r(x, n=1):
            return None if x is None else round(float(x), n)

        rows = []
        for s in self.shells:
            j = s.to_json()
            rows.append(
                (
                    s.shell,
                    f"{j['beta_min_deg']:.1f}..{j['beta_max_deg']:.1f}",
                    r(j["eclipse_fraction_max"], 3),
                    r(j["eclipse_max_s"], 0),
                    r(j["load_w"]),
                    r(j["solar_array_w"]),
                    r(j["solar_array_m2"], 2),
                    r(j["battery_wh"]),
                    r(j["radiator_m2"], 2),
                    r(j["mass_kg"]),
                    "yes" if s.feasible else "NO: " + "; ".join(s.infeasible_reasons),
                )
            )
        columns = ("shell", "beta deg", "eclipse frac max", "eclipse max s", "load W", "array W", "array m2", "battery Wh", "radiator m2", "mass kg", "feasible")
        return [Table("Power and heat", columns, rows)]


# ---------------------------------------------------------------------------------- entry point
POWER_BYTES_PER_SAT_EPOCH = POSITION_BYTES_PER_SAT_EPOCH + 48
"""Block bytes per satellite-epoch of the illumination: the positions and the shadow models' scratch."""


def illumination_block(eph: Ephemeris, model: str) -> np.ndarray:
    """Illumination ``(n_sat, n_time)`` float32 (0 umbra .. 1 full Sun) of a block's satellites at its epochs."""
    return sunmod.illumination(eph.r_eci_km, eph.sun_eci_unit[None, :, :], model).astype(np.float32)


def illumination_task(mission_data: dict, folder: str | None, s0: int, s1: int, model: str) -> np.ndarray:
    """A block task: the illumination of the run's satellites ``s0..s1-1`` at every epoch."""
    _, eph = worker_ephemeris(mission_data, folder)
    return illumination_block(eph.subset(s0, s1), model)


def illumination_of(mission: Mission, eph: Ephemeris, executor: BlockExecutor | None = None,
                    base_dir: Path | None = None) -> SparseF32:
    """Illumination ``(n_sat, n_time)`` float32 of every satellite (packed exactly, block by block), computed on
    ``eph.subset`` blocks of satellites within each shell (each block over all epochs: the battery state carries over time)."""
    parts: list[SparseF32] = []
    blocks: list[tuple[int, int, str]] = []
    for shell in eph.shells:
        shadow = str(mission.bus_for(mission.constellations[shell.index]).shadow_model)
        local = eph.local_slice(shell)
        blocks += [(s0, s1, shadow) for s0, s1 in
                   satellite_blocks(local.start, local.stop, eph.n_time, POWER_BYTES_PER_SAT_EPOCH)]
    if executor is None:
        for s0, s1, model in blocks:
            parts.append(SparseF32.encode(illumination_block(eph.subset(s0, s1), model)))
    else:
        data, folder = mission_payload(mission, eph, base_dir, "power")
        tasks = [(data, folder, eph.sats.start + s0, eph.sats.start + s1, model) for s0, s1, model in blocks]
        parts = [SparseF32.encode(part) for part in map_blocks(illumination_task, tasks, executor)]
    illum = SparseF32.concatenate_rows(parts, eph.n_time)
    assert illum.shape == (eph.n_sat, eph.n_time), "the shells' satellites must tile the run"
    return illum


def shell_power(mission: Mission, eph: Ephemeris, shell: ShellInfo, year_sun_unit: np.ndarray, year_days: np.ndarray,
                illum: np.ndarray) -> ShellPower:
    """Size the power system of one shell (see the module docstring)."""
    entry = mission.constellations[shell.index]
    bus = mission.bus_for(entry)
    model = bus.shadow_model
    # Satellites of one orbit plane share their beta angle: size on the distinct planes only.
    keys = np.round(np.stack([shell.elements.a_km, shell.elements.e, shell.elements.i_rad, shell.elements.raan_rad], axis=1), 9)
    _, first = np.unique(keys, axis=0, return_index=True)
    first = np.sort(first)
    elems = shell.elements.subset(first)
    _, beta = sunmod.beta_over_year_deg(elems, mission.epoch, sun_unit=year_sun_unit, days=float(year_days[-1]), step_days=float(year_days[1] - year_days[0]) if year_days.size > 1 else 1.0)
    alt = np.asarray(elems.a_km, float) - R_EARTH_KM
    periods = period_s(np.asarray(elems.a_km, float))
    frac = sunmod.eclipse_fraction_closed_form(alt[:, None], beta)
    ecl_s = frac * periods[:, None]
    k_sat, k_day = np.unravel_index(int(np.argmax(ecl_s)), ecl_s.shape)
    worst_beta = float(beta[k_sat, k_day])
    worst_alt = float(alt[k_sat])
    worst_period = float(periods[k_sat])
    n_orbit = 720
    _, r_orbit = sunmod.circular_orbit_in_sun_frame(worst_alt, worst_beta, n_orbit)
    nu_orbit = sunmod.illumination(r_orbit, np.array([1.0, 0.0, 0.0]), model)
    if model == "conical":
        frac_max = sunmod.eclipse_fraction_numerical(worst_alt, worst_beta, "conical", 20_000)
    else:
        frac_max = float(frac[k_sat, k_day])
    ecl_max_s = frac_max * worst_period

    comp = shell_compute(mission, entry, shell.n_sat, eph.time.duration_s or None)
    load = comp.compute_power_w + bus.bus_power_w
    eclipse_days = float(np.mean(frac > 0)) if frac.size else 0.0
    cycles = bus.mission_life_years * 365.25 * 86400.0 / worst_period * eclipse_days
    heat_peak = comp.compute_peak_w + bus.bus_power_w
    sizing = apply_fixed_design(bus, size_power_system(bus, worst_alt, worst_period, ecl_max_s, load, cycles, heat_peak))
    dt = worst_period / n_orbit
    # rotate the orbit so the series starts at eclipse entry (the battery is full there)
    shadow = nu_orbit < 1.0
    start = int(np.argmax(shadow & ~np.roll(shadow, 1))) if shadow.any() and not shadow.all() else 0
    nu_series = np.roll(nu_orbit, -start)
    soc = state_of_charge(nu_series, dt, sizing["solar_array_w"], load, sizing["battery_wh"], bus.battery_efficiency, bus.power_regulation)
    lit = illum >= 0.5
    frac_window = float(np.mean(~lit)) if lit.size else 0.0
    max_window = float(np.max(sunmod.eclipse_runs_max_s(lit, eph.time.step_s))) if lit.size else 0.0

    mass = bus.structure_mass_kg + comp.compute_mass_kg + sizing["array_mass_kg"] + sizing["battery_mass_kg"] + sizing["radiator_mass_kg"]
    reasons = []
    if sizing["solar_array_m2"] > bus.max_array_m2:
        reasons.append(f"solar array {sizing['solar_array_m2']:.1f} m2 exceeds the bus maximum {bus.max_array_m2:.1f} m2")
    if not np.isfinite(sizing["radiator_m2"]):
        reasons.append(f"radiator at {bus.radiator_temp_c:.0f} C cannot reject heat against the Earth's infrared and albedo")
    elif sizing["radiator_m2"] > bus.max_radiator_m2:
        reasons.append(f"radiator {sizing['radiator_m2']:.1f} m2 exceeds the bus maximum {bus.max_radiator_m2:.1f} m2")
    if shell.is_walker:  # one row per plane, in plane order (each plane is one distinct orbit plane)
        by_plane = beta[np.argsort(shell.plane_index[first], kind="stable")]
    else:
        by_plane = beta
    return ShellPower(
        shell=shell.name,
        satellites=shell.n_sat,
        altitude_km=float(shell.altitude_km),
        period_s=float(shell.period_s),
        shadow_model=model,
        year_days=year_days,
        beta_min_deg_by_day=beta.min(axis=0),
        beta_max_deg_by_day=beta.max(axis=0),
        beta_deg_by_plane=by_plane.astype(np.float32),
        eclipse_fraction_max_by_day=frac.max(axis=0),
        eclipse_s_max_by_day=ecl_s.max(axis=0),
        worst_beta_deg=worst_beta,
        eclipse_fraction_max=float(frac_max),
        eclipse_max_s=float(ecl_max_s),
        eclipse_fraction_window=frac_window,
        eclipse_max_s_window=max_window,
        soc_time_s=np.arange(n_orbit) * dt,
        soc=soc,
        worst_orbit_illumination=nu_series,
        compute_w=comp.compute_power_w,
        bus_power_w=float(bus.bus_power_w),
        load_w=float(load),
        sizing=sizing,
        structure_mass_kg=float(bus.structure_mass_kg),
        compute_mass_kg=comp.compute_mass_kg,
        mass_kg=float(mass),
        infeasible_reasons=tuple(reasons),
    )


def compute_power(mission: Mission, eph: Ephemeris, year_days: float = 365.0, step_days: float = 1.0,
                  executor: BlockExecutor | None = None, base_dir: Path | None = None) -> PowerResult:
    """Sun/shadow state of every satellite and the power sizing of every shell.

    ``eph`` is the mission's :class:`~core.orbits.ephemeris.Ephemeris`, read in blocks of
    satellites (:func:`illumination_of`; with an ``executor`` each block is a task, ``base_dir``
    the mission's folder). The year of beta angles starts at the mission epoch with one
    sample per ``step_days``.
    """
    days = np.arange(0.0, year_days + 1e-9, step_days)
    year_sun = sunmod.sun_unit_at(mission.epoch, days * 86400.0)
    illum = illumination_of(mission, eph, executor, base_dir)
    shells = tuple(shell_power(mission, eph, shell, year_sun, days, illum.rows(eph.local_slice(shell).start, eph.local_slice(shell).stop))
                   for shell in eph.shells)
    return PowerResult(illumination_packed=illum, shells=shells)
