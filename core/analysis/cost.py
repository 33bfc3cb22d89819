"""Launch cost per shell: satellite mass times a launch price per kilogram.

For each shell, with the mission's :class:`~core.mission.bus.CostModel`:

* ``launch_usd_per_sat = mass_kg x launch_usd_per_kg`` (today, Falcon 9 class, ~3,600 $/kg)
  and ``launch_usd_per_sat_2035`` at the mid-2030s projection (~200 $/kg, Suncatcher);
* per constellation: ``x satellites``; ``satellite_usd`` (build cost, 0 unless given) is
  added per satellite to the totals;
* ``usd_per_pops_year``: the constellation's cost divided by the compute it delivers,
  ``constellation_pops x mission_life_years`` on the compute analysis' one TOPS basis
  (``workload.precision``, dense INT8 by default; ``null`` where the shell has no compute).

The satellite mass is the power analysis' ``mass_kg`` (structure + compute + array +
battery + radiator). Launch is priced per kilogram only: no rideshare minimums, dispensers
or replacement launches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.mission.model import Mission
from core.orbits.ephemeris import Ephemeris

if TYPE_CHECKING:
    from core.analysis.compute import ComputeResult
    from core.analysis.power import PowerResult


@dataclass(frozen=True)
class ShellCost:
    """Cost figures of one shell (USD)."""

    shell: str
    satellites: int
    mass_kg_per_sat: float
    launch_usd_per_kg: float
    launch_usd_per_kg_2035: float
    satellite_usd: float
    constellation_pops: float
    mission_life_years: float

    @property
    def launch_usd_per_sat(self) -> float:
        return self.mass_kg_per_sat * self.launch_usd_per_kg

    @property
    def launch_usd_per_sat_2035(self) -> float:
        return self.mass_kg_per_sat * self.launch_usd_per_kg_2035

    @property
    def constellation_usd(self) -> float:
        return (self.launch_usd_per_sat + self.satellite_usd) * self.satellites

    @property
    def constellation_usd_2035(self) -> float:
        return (self.launch_usd_per_sat_2035 + self.satellite_usd) * self.satellites

    def _per_pops_year(self, total: float) -> float | None:
        pops_years = self.constellation_pops * self.mission_life_years
        return total / pops_years if pops_years > 0 and np.isfinite(total) else None

    def to_json(self) -> dict:
        def num(x):
            return float(x) if x is not None and np.isfinite(x) else None

        return {
            "shell": self.shell,
            "satellites": self.satellites,
            "mass_kg_per_sat": num(self.mass_kg_per_sat),
            "constellation_mass_kg": num(self.mass_kg_per_sat * self.satellites),
            "launch_usd_per_kg": self.launch_usd_per_kg,
            "launch_usd_per_kg_2035": self.launch_usd_per_kg_2035,
            "launch_usd_per_sat": num(self.launch_usd_per_sat),
            "launch_usd_per_sat_2035": num(self.launch_usd_per_sat_2035),
            "satellite_usd": self.satellite_usd,
            "constellation_usd": num(self.constellation_usd),
            "constellation_usd_2035": num(self.constellation_usd_2035),
            "constellation_pops": self.constellation_pops,
            "mission_life_years": self.mission_life_years,
            "usd_per_pops_year": num(self._per_pops_year(self.constellation_usd)),
            "usd_per_pops_year_2035": num(self._per_pops_year(self.constellation_usd_2035)),
        }


@dataclass(frozen=True)
class CostResult:
    """Cost of every shell; ``to_json()`` is the ``cost`` list of the results document."""

    shells: tuple[ShellCost, ...]

    def to_json(self) -> list[dict]:
        return [s.to_json() for s in self.shells]

    def tables(self) -> list:
        from core.analysis.tables import Table

        def money(x):
            return "n/a" if x is None else f"${x:,.0f}"

        rows = []
        for s in self.shells:
            j = s.to_json()
            rows.append([s.shell, None if j["mass_kg_per_sat"] is None else round(j["mass_kg_per_sat"], 1),
                         money(j["launch_usd_per_sat"]), money(j["launch_usd_per_sat_2035"]),
                         money(j["constellation_usd"]), money(j["constellation_usd_2035"]),
                         money(j["usd_per_pops_year"]), money(j["usd_per_pops_year_2035"])])
        columns = ["shell", "kg/sat", "launch/sat today", "launch/sat 2035", "constellation today", "constellation 2035",
                   "per POPS-year today", "per POPS-year 2035"]
        return [Table("Launch cost", columns, rows)]


def compute_cost(mission: Mission, eph: Ephemeris, power: PowerResult, compute: ComputeResult) -> CostResult:
    """Launch cost of every shell from the power analysis' masses and the compute sizing."""
    model = mission.cost
    out = []
    for k, shell in enumerate(eph.shells):
        bus = mission.bus_for(mission.constellations[shell.index])
        p = power.shells[k] if power is not None else None
        c = compute.shells[k] if compute is not None else None
        out.append(
            ShellCost(
                shell=shell.name,
                satellites=shell.n_sat,
                mass_kg_per_sat=float(p.mass_kg) if p is not None else float(bus.structure_mass_kg),
                launch_usd_per_kg=model.launch_usd_per_kg,
                launch_usd_per_kg_2035=model.launch_usd_per_kg_2035,
                satellite_usd=model.satellite_usd,
                constellation_pops=float(c.constellation_pops) if c is not None else 0.0,
                mission_life_years=float(bus.mission_life_years),
            )
        )
    return CostResult(tuple(out))
