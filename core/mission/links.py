"""Checks of a mission's network settings that need files or the whole document.

* an imported (TLE/OMM) shell with ``planes``/``sats_per_plane`` (or a Hypatia ``tles.txt``
  header) must hold exactly ``planes x sats_per_plane`` satellites;
* an ``isl_file`` must read as index pairs within its shell;
* traffic demands must name known places, and gravity ``places`` catalogue cities.

Each problem names the file it is about, so a user knows which one to fix.
"""

from __future__ import annotations

from pathlib import Path

from core.mission.errors import Problem
from core.mission.hypatia import LinkFileError, isl_pairs_of_entry, resolve, split_hypatia_header, tle_text_of
from core.mission.model import Constellation, Mission
from core.mission.orbit_files import OrbitFileError, read_orbit_file, read_tle_text


def network_problems(mission: Mission, base_dir: Path | None) -> list[Problem]:
    """Every link-setting and traffic problem of ``mission`` (see the module docstring)."""
    problems: list[Problem] = []
    for i, entry in enumerate(mission.constellations):
        problems += _shell_problems(entry, f"constellations[{i}]", base_dir)
    if mission.traffic is not None:
        problems += _traffic_problems(mission)
    return problems


def shell_size(entry: Constellation, base_dir: Path | None) -> int | None:
    """Number of satellites an entry defines, or ``None`` when it cannot be told (an unreadable file)."""
    source = entry.source
    if source == "satellites":
        return len(entry.satellites or [])
    if source == "cluster":
        return entry.cluster.satellites if entry.cluster else None
    if source == "walker":
        w = entry.walker_fields()
        return w.planes * w.sats_per_plane if w.planes and w.sats_per_plane else None
    try:
        if entry.tle is not None:
            return len(read_tle_text(entry.tle))
        name = entry.tle_file if source == "tle" else entry.omm_file
        if name is None:  # not reached: a tle/omm source has its file
            return None
        return len(read_orbit_file(resolve(name, base_dir), source))
    except OrbitFileError:
        return None  # reported by the document checks


def _shell_problems(entry: Constellation, where: str, base_dir: Path | None) -> list[Problem]:
    problems: list[Problem] = []
    n_sat = shell_size(entry, base_dir)
    if entry.source in ("tle", "omm"):
        label = entry.tle_file or entry.omm_file or "the inline tle"
        field = "tle_file" if entry.tle_file else "omm_file" if entry.omm_file else "tle"
        if (entry.planes is None) != (entry.sats_per_plane is None):
            missing = "sats_per_plane" if entry.sats_per_plane is None else "planes"
            problems.append(Problem(f"{where}.{missing}", f"give both planes and sats_per_plane for {label} (or neither)"))
        grid = (entry.planes, entry.sats_per_plane) if entry.planes and entry.sats_per_plane else None
        path, what = f"{where}.planes", "planes x sats_per_plane ="
        if grid is None and entry.source == "tle":
            text = tle_text_of(entry, base_dir)
            grid = split_hypatia_header(text)[0] if text is not None else None
            path, what = f"{where}.{field}", "its Hypatia header says"
        if grid is not None and n_sat is not None and grid[0] * grid[1] != n_sat:
            problems.append(Problem(path, f"{label}: {n_sat} satellites read, but {what} {grid[0]} x {grid[1]} = {grid[0] * grid[1]}"))
    if entry.isl_file is not None and n_sat is not None:
        try:
            isl_pairs_of_entry(entry, base_dir, n_sat)
        except LinkFileError as exc:
            problems.append(Problem(f"{where}.isl_file", str(exc)))
    return problems


def _traffic_problems(mission: Mission) -> list[Problem]:
    from core.catalog.cities import find_city
    from core.catalog.places import find_place

    traffic = mission.traffic
    problems: list[Problem] = []
    if traffic is None:
        return problems
    for k, demand in enumerate(traffic.demands or []):
        for key, name in (("from", demand.from_), ("to", demand.to)):
            if find_place(mission, name) is None:
                problems.append(Problem(f"traffic.demands[{k}].{key}", f"unknown place {name!r}: not a ground station, a mission city or a catalogue city"))
        if demand.from_ == demand.to:
            problems.append(Problem(f"traffic.demands[{k}]", "both ends are the same place"))
    gravity = traffic.gravity
    if gravity is not None and gravity.places is not None:
        for k, name in enumerate(gravity.places):
            if find_city(name) is None:
                problems.append(Problem(f"traffic.gravity.places[{k}]", f"{name!r} is not a catalogue city (the gravity model needs its population)"))
        if len(set(gravity.places)) < 2:
            problems.append(Problem("traffic.gravity.places", "needs at least two different cities"))
    return problems
