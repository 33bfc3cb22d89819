"""Compute sizing: how much processing each shell carries and how much its workload needs.

For every shell, with its bus (``mission.bus_for``) and the mission's workload:

* ``tops_per_satellite = hardware.tops_at(precision) x compute_units``: the catalogue's peak
  figure on **one basis** for every part, the workload's ``precision`` (dense INT8 by
  default; ``int8-sparse``, ``fp16`` or ``bf16`` on request, see
  :mod:`core.catalog.hardware`). The results name it ``tops_basis``;
* ``constellation_pops = tops_per_satellite x satellites / 1000``;
* ``required_tops_per_satellite = sensor_rate x duty x ops_per_byte`` — the *average* raw
  byte rate (``sensor_rate_mbps x 1e6 / 8 x sensor_duty`` bytes/s) times the operations
  each byte needs, in 1e12 operations per second;
* ``utilization = min(1, required / available)``: the average share of time the compute
  payload is busy;
* **power** (``power_w``, the average electrical power of the payload): a powered unit never
  draws less than its lowest power mode, so by default (bus ``compute_idle_power: true``) the
  payload draws ``units x (power_w_min + (power_w - power_w_min) x utilization)``. With
  ``compute_idle_power: false`` the payload is switched off between jobs and draws
  ``units x power_w x utilization``. ``peak_power_w = units x power_w`` (full load) is what
  the radiator must reject (:mod:`core.analysis.power`);
* ``storage_tb_needed``: one capture buffered while it is processed, plus — when the compute
  is short — the raw data that piles up unprocessed over the analysis window
  (``(required - available) / ops_per_byte x duration``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.analysis.per_shell import PerShell
from core.mission.model import Constellation, Mission
from core.orbits.ephemeris import Ephemeris


@dataclass(frozen=True)
class HardwareInfo:
    """What sizing needs of a compute module (a view of the catalogue entry)."""

    key: str
    name: str
    tops: float
    power_w: float
    power_w_min: float
    mass_kg: float
    radiation: str
    source: str
    estimated: bool
    tops_basis: str = "int8-dense"
    tops_basis_note: str = ""


def hardware_info(key: str, precision: str = "int8-dense") -> HardwareInfo:
    """Look ``key`` up in the hardware catalogue (:func:`core.catalog.hardware.get_hardware`).

    ``tops`` is the part's peak on the ``precision`` basis. Missing figures (``None``) become
    0 W / 0 kg, and an unknown idle power is the full power.
    """
    from core.catalog.hardware import get_hardware

    hw = get_hardware(key)
    power_w = float(getattr(hw, "power_w", 0.0) or 0.0)
    power_min = getattr(hw, "power_w_min", None)
    return HardwareInfo(
        key=str(getattr(hw, "key", key)),
        name=str(getattr(hw, "name", key)),
        tops=float(hw.tops_at(precision)),
        power_w=power_w,
        power_w_min=float(power_w if power_min is None else power_min),
        mass_kg=float(getattr(hw, "mass_kg", 0.0) or 0.0),
        radiation=str(getattr(hw, "radiation", "") or ""),
        source=str(getattr(hw, "source", "") or ""),
        estimated=bool(getattr(hw, "estimated", False)),
        tops_basis=precision,
        tops_basis_note=hw.basis_note(precision),
    )


def raw_rate_bytes_per_s(bus) -> float:
    """Raw sensor bytes per second while imaging."""
    return bus.sensor_rate_mbps * 1e6 / 8.0


def required_tops(bus, workload) -> float:
    """Average compute a satellite's workload needs, TOPS (1e12 ops/s)."""
    return raw_rate_bytes_per_s(bus) * bus.sensor_duty * workload.ops_per_byte / 1e12


def utilization(required: float, available: float) -> float:
    """``min(1, required / available)``; 1 when work is needed and nothing is available, 0 when idle."""
    if required <= 0:
        return 0.0
    if available <= 0:
        return 1.0
    return float(min(1.0, required / available))


def compute_power_w(hw: HardwareInfo, units: int, util: float, idle_power: bool = True) -> float:
    """Average electrical power of the compute payload, W.

    ``idle_power`` (the default): ``units x (power_w_min + (power_w - power_w_min) x util)``,
    never below the lowest power mode; otherwise (switched off between jobs)
    ``units x power_w x util``.

    >>> orin = HardwareInfo("orin", "Orin", 137.5, 60.0, 15.0, 0.3, "", "", False)
    >>> compute_power_w(orin, 1, 0.0), compute_power_w(orin, 2, 0.5), compute_power_w(orin, 1, 0.5, False)
    (15.0, 75.0, 30.0)
    """
    floor = hw.power_w_min if idle_power else 0.0
    return float(units * (floor + (hw.power_w - floor) * util))


@dataclass(frozen=True)
class ShellCompute:
    """Compute sizing of one shell (all quantities per satellite unless named otherwise)."""

    shell: str
    satellites: int
    hardware: HardwareInfo
    compute_units: int
    tops_per_satellite: float
    constellation_pops: float
    required_tops_per_satellite: float
    utilization: float
    processing_bytes_per_s: float
    raw_bytes_per_s_average: float
    compute_power_w: float
    compute_peak_w: float
    compute_mass_kg: float
    storage_tb_needed: float
    storage_tb_available: float
    idle_power: bool = True

    @property
    def compute_short(self) -> bool:
        return self.required_tops_per_satellite > self.tops_per_satellite * (1 + 1e-12)

    def to_json(self) -> dict:
        return {
            "shell": self.shell,
            "satellites": self.satellites,
            "hardware": self.hardware.key,
            "hardware_name": self.hardware.name,
            "compute_units": self.compute_units,
            "tops_per_satellite": self.tops_per_satellite,
            "constellation_pops": self.constellation_pops,
            "required_tops_per_satellite": self.required_tops_per_satellite,
            "utilization": self.utilization,
            "compute_short": self.compute_short,
            "power_w": self.compute_power_w,
            "peak_power_w": self.compute_peak_w,
            "power_floor_w": self.hardware.power_w_min * self.compute_units if self.compute_units else 0.0,
            "tops_basis": self.hardware.tops_basis,
            "tops_basis_note": self.hardware.tops_basis_note,
            "switched_off_between_jobs": not self.idle_power,
            "compute_mass_kg": self.compute_mass_kg,
            "storage_tb_needed": self.storage_tb_needed,
            "storage_tb_available": self.storage_tb_available,
            "storage_ok": self.storage_tb_needed <= self.storage_tb_available,
            "radiation": self.hardware.radiation,
            "hardware_source": self.hardware.source,
        }


def shell_compute(mission: Mission, constellation: Constellation, n_sat: int, duration_s: float | None = None) -> ShellCompute:
    """Size the compute of one constellation entry with ``n_sat`` satellites."""
    bus = mission.bus_for(constellation)
    work = mission.workload
    hw = hardware_info(bus.compute_hardware, work.precision)
    units = int(bus.compute_units)
    tops = hw.tops * units
    need = required_tops(bus, work)
    util = utilization(need, tops)
    duration = float(mission.analysis.duration_s if duration_s is None else duration_s)
    avg_raw = raw_rate_bytes_per_s(bus) * bus.sensor_duty
    proc = tops * 1e12 / work.ops_per_byte if work.ops_per_byte > 0 else float("inf")
    shortfall = max(0.0, avg_raw - proc) if np.isfinite(proc) else 0.0
    capture_bytes = raw_rate_bytes_per_s(bus) * work.capture_s
    storage = (capture_bytes + shortfall * duration) / 1e12
    return ShellCompute(
        shell=constellation.name,
        satellites=int(n_sat),
        hardware=hw,
        compute_units=units,
        tops_per_satellite=tops,
        constellation_pops=tops * n_sat / 1000.0,
        required_tops_per_satellite=need,
        utilization=util,
        processing_bytes_per_s=proc,
        raw_bytes_per_s_average=avg_raw,
        compute_power_w=compute_power_w(hw, units, util, bus.compute_idle_power),
        compute_peak_w=hw.power_w * units,
        compute_mass_kg=hw.mass_kg * units,
        storage_tb_needed=storage,
        storage_tb_available=float(bus.storage_tb),
        idle_power=bool(bus.compute_idle_power),
    )


@dataclass(frozen=True)
class ComputeResult(PerShell):
    """Compute sizing of every shell; ``to_json()`` is the contract's ``compute`` list."""

    shells: tuple[ShellCompute, ...]
    delivered: Any = None
    """Delivered compute (:class:`core.analysis.delivered.DeliveredResult`), when analysed."""
    load: Any = None
    """Load with service and offloading counted (:class:`core.analysis.compute_load.LoadResult`), when they run."""

    def to_json(self) -> list[dict]:
        """The ``compute`` list; with delivered compute each entry adds ``delivered_fraction``,
        ``delivered_pops_mean`` and the throttled shares (nameplate when not analysed)."""
        out = [s.to_json() for s in self.shells]
        if self.delivered is not None:
            for entry, d in zip(out, self.delivered.shells):
                entry.update({k: v for k, v in d.to_json().items() if k != "shell"})
        if self.load is not None:
            for entry, ld in zip(out, self.load.shells):
                entry.update(ld.to_json())
        return out

    def tables(self) -> list:
        from core.analysis.tables import Table

        rows = [
            (
                s.shell,
                s.hardware.key,
                s.compute_units,
                float(s.tops_per_satellite),
                float(s.constellation_pops),
                float(s.required_tops_per_satellite),
                float(s.utilization),
                float(s.compute_power_w),
                float(s.storage_tb_needed),
            )
            for s in self.shells
        ]
        columns = ("shell", "hardware", "units", f"TOPS/sat ({self.shells[0].hardware.tops_basis if self.shells else 'int8-dense'})", "POPS", "required TOPS/sat", "utilization", "compute W", "storage TB needed")
        tables = [Table("Compute", columns, rows)]
        if self.delivered is not None:
            drows = [(d.shell, round(d.delivered_fraction, 4), round(d.delivered_tops_mean, 2),
                      round(d.delivered_tops_mean * d.satellites / 1000.0, 3),
                      round(d.throttled_energy_fraction, 4), round(d.throttled_heat_fraction, 4),
                      ", ".join(d.fixed) or "sized") for d in self.delivered.shells]
            tables.append(Table("Delivered compute (energy and heat)", ("shell", "delivered fraction", "TOPS/sat mean",
                                "POPS mean", "throttled: energy", "throttled: heat", "design"), drows))
        if self.load is not None:
            lrows = [(ld.shell, round(ld.eo_tops, 2), round(ld.service_tops_mean, 2), round(ld.offload_in_tops_max, 2),
                      round(ld.load_tops_max, 2), round(ld.load_utilization_max, 4), ld.over_committed_satellites,
                      round(ld.power_w_with_load, 1)) for ld in self.load.shells]
            tables.append(Table("Compute load (EO + service + offloaded in)", ("shell", "EO TOPS/sat", "service TOPS/sat mean",
                                "offloaded in TOPS max", "load TOPS max", "load / delivered max", "over-committed", "compute W with load"), lrows))
        return tables


def size_compute(mission: Mission, eph: Ephemeris | None = None) -> ComputeResult:
    """Compute sizing per shell. ``eph`` gives the satellite counts (and the window length);
    without it, counts come from Walker sizes in the mission (imported sets count 0)."""
    out = []
    if eph is not None:
        duration = float(eph.time.duration_s) or float(mission.analysis.duration_s)
        for shell in eph.shells:
            out.append(shell_compute(mission, mission.constellations[shell.index], shell.n_sat, duration))
    else:
        for entry in mission.constellations:
            n = (entry.planes or 0) * (entry.sats_per_plane or 0)
            if entry.walker and not n:
                n = int(entry.walker.split(":")[1].split("/")[0])
            out.append(shell_compute(mission, entry, n))
    return ComputeResult(tuple(out))
