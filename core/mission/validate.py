"""Checks that need the whole mission document (the field-level ones live in the model).

:func:`document_problems` returns every problem at once, each with its field path, so the
user can fix a file in one pass.
"""

from __future__ import annotations

from pathlib import Path

from core.catalog.hardware import hardware_catalog
from core.mission.errors import Problem
from core.constants import EARTH_RADIUS_KM
from core.mission.model import MIN_ALTITUDE_KM, Constellation, Mission
from core.mission.orbit_files import OrbitFileError, read_orbit_file, read_tle_text, window_problems

_SOURCES = ("tle_file", "tle", "omm_file", "satellites", "cluster")

MAX_EPOCHS = 2_000_000
"""Most epochs in an analysis window (a year at a 16 s step); each epoch costs frame transformations."""


def document_problems(mission: Mission, base_dir: Path | None) -> list[Problem]:
    """Every cross-field, catalogue and file problem of ``mission``."""
    from core.catalog.places import find_place

    problems: list[Problem] = []
    add = lambda path, message: problems.append(Problem(path, message))  # noqa: E731

    if mission.analysis.step_s > mission.analysis.duration_s:
        add("analysis.step_s", f"is longer than analysis.duration_s ({mission.analysis.duration_s:g} s)")
    epochs = mission.analysis.duration_s / mission.analysis.step_s + 1
    if epochs > MAX_EPOCHS:
        add("analysis.step_s", f"gives {epochs:,.0f} epochs over analysis.duration_s; at most {MAX_EPOCHS:,} "
                               f"(a step of at least {mission.analysis.duration_s / (MAX_EPOCHS - 1):.3g} s)")

    seen: dict[str, int] = {}
    for i, entry in enumerate(mission.constellations):
        where = f"constellations[{i}]"
        if entry.name in seen:
            add(f"{where}.name", f"duplicate constellation name {entry.name!r} (also constellations[{seen[entry.name]}])")
        seen.setdefault(entry.name, i)
        problems += _constellation_problems(entry, where, base_dir, mission)
        if entry.bus != "default" and entry.bus not in mission.buses:
            known = ", ".join(sorted({"default", *mission.buses})) or "default"
            add(f"{where}.bus", f"unknown bus {entry.bus!r} (known: {known})")

    catalog = hardware_catalog()
    for key, bus in mission.buses.items():
        if bus.compute_hardware not in catalog:
            add(f"buses.{key}.compute_hardware", f"unknown hardware {bus.compute_hardware!r} (known: {', '.join(sorted(catalog))})")

    names: dict[str, str] = {}
    for kind, place_names in (("ground_stations", [s.name for s in mission.ground_stations]),
                              ("cities", [c.name for c in mission.cities])):
        for i, name in enumerate(place_names):
            if name in names:
                add(f"{kind}[{i}].name", f"duplicate place name {name!r} (also {names[name]})")
            names.setdefault(name, f"{kind}[{i}]")

    for i, pair in enumerate(mission.latency_pairs):
        for j, name in enumerate(pair):
            if find_place(mission, name) is None:
                add(f"latency_pairs[{i}][{j}]", f"unknown place {name!r}: not a ground station, a mission city or a catalogue city")
        if pair[0] == pair[1]:
            add(f"latency_pairs[{i}]", "both ends are the same place")
    for i, item in enumerate(mission.service.demand if mission.service else []):
        if find_place(mission, item.place) is None:
            add(f"service.demand[{i}].place", f"unknown place {item.place!r}: not a ground station, a mission city or a catalogue city")
    if not problems:
        from core.mission.links import network_problems

        problems += network_problems(mission, base_dir)
    return problems


def _constellation_problems(entry: Constellation, where: str, base_dir: Path | None, mission: Mission | None = None) -> list[Problem]:
    problems: list[Problem] = []
    add = lambda path, message: problems.append(Problem(f"{where}.{path}" if path else where, message))  # noqa: E731
    given = [key for key in _SOURCES if getattr(entry, key) is not None]
    if len(given) > 1:
        add(given[1], f"give one source of satellites, not both {given[0]} and {given[1]}")
        return problems

    if entry.source in ("tle", "omm"):
        try:
            if entry.tle is not None:
                records = read_tle_text(entry.tle)
            else:
                name = entry.tle_file if entry.source == "tle" else entry.omm_file
                if name is None:  # not reached: a tle/omm source has its file
                    raise OrbitFileError("no file given")
                path = Path(name) if Path(name).is_absolute() else (Path(base_dir) if base_dir else Path.cwd()) / name
                records = read_orbit_file(path, entry.source)
        except OrbitFileError as exc:
            add(given[0], str(exc))
            return problems
        if mission is not None:
            for message in window_problems(records, mission.epoch, float(mission.analysis.duration_s), f"{where}.{given[0]}"):
                add(given[0], message)
        return problems

    if entry.source == "satellites":
        if not entry.satellites:
            add("satellites", "the list is empty")
        for k, sat in enumerate(entry.satellites or []):
            perigee = (EARTH_RADIUS_KM + sat.altitude_km) * (1 - sat.eccentricity) - EARTH_RADIUS_KM
            if perigee < MIN_ALTITUDE_KM:
                add(f"satellites[{k}].eccentricity", f"perigee at {perigee:.0f} km is below {MIN_ALTITUDE_KM:.0f} km")
        return problems

    if entry.altitude_km is None:
        add("altitude_km", "is required")
        return problems
    perigee = (EARTH_RADIUS_KM + entry.altitude_km) * (1 - entry.eccentricity) - EARTH_RADIUS_KM
    if perigee < MIN_ALTITUDE_KM:
        add("eccentricity", f"perigee at {perigee:.0f} km is below {MIN_ALTITUDE_KM:.0f} km")
    if entry.source == "cluster":
        return problems

    w = entry.walker_fields()
    planes, per_plane, phasing, inc = w.planes, w.sats_per_plane, w.phasing, w.inclination_deg
    for key, value in (("inclination_deg", inc), ("planes", planes), ("sats_per_plane", per_plane)):
        if value is None:
            add(key, "is required for a Walker shell (or give `walker: \"i:t/p/f\"`)")
    if planes is not None and phasing is not None and not 0 <= phasing <= planes - 1:
        add("phasing", f"must be within 0..{planes - 1} (planes - 1)")
    return problems
