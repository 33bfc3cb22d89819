"""Mission checks that need orbit physics: sun-synchronous feasibility and cluster geometry."""

from __future__ import annotations

from core.mission.errors import Problem
from core.mission.model import Mission
from core.orbits import elements as el
from core.orbits.cluster import hex_lattice_points


def orbit_problems(mission: Mission) -> list[Problem]:
    """Problems that only the orbit engine can see, with their field paths."""
    problems: list[Problem] = []
    for i, entry in enumerate(mission.constellations):
        where = f"constellations[{i}]"
        inc = entry.walker_fields().inclination_deg
        if inc == "sso" and entry.altitude_km is not None:
            try:
                el.sso_inclination_deg(entry.altitude_km, entry.eccentricity)
            except ValueError as exc:
                problems.append(Problem(f"{where}.inclination_deg", str(exc)))
        if entry.cluster is not None:
            spec = entry.cluster
            try:
                hex_lattice_points(spec.satellites, spec.radius_km * 1000.0, spec.min_separation_m)
            except ValueError as exc:
                problems.append(Problem(f"{where}.cluster.satellites", str(exc)))
    return problems
