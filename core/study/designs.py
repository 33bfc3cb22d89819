"""Design points: expand a study's parameters into missions, one per point.

A *point* maps each parameter (as written in the study) to one value. Applying it to the base
mission (after the study's ``overrides``) sets each value at the parameter's resolved path in
the mission's plain data; the result is checked with the mission loader (pydantic model,
document checks and orbit checks). A point that does not make a valid mission is kept as an
*invalid* design with the loader's messages as its reason — a trade study reports the corners
of the space that cannot be built rather than dropping them.

A design's id is a stable hash (SHA-256, 16 hex digits) of the full mission it evaluates and
the engine version, so a resumed or extended study recognises the designs it already finished.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from core.mission.errors import MissionError, Problem
from core.study.model import (ANALYSIS_SHORTHANDS, BUS_SHORTHANDS, SHELL_SHORTHANDS, WORKLOAD_SHORTHANDS, LoadedStudy,
                              ParameterSpec)
from core.study.paths import Missing, PathError, format_path, parse_path, set_path

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError


@dataclass
class Design:
    """One point of the study."""

    index: int
    point: dict[str, Any]
    mission: dict | None  # plain data of the mission (None when the point could not be applied)
    design_id: str
    problems: list[str] = field(default_factory=list)  # why the point is not a valid mission

    @property
    def valid(self) -> bool:
        return not self.problems


def resolve_parameter(name: str, base: dict) -> list:
    """The path (parts) a parameter name stands for in the base mission.

    ``altitude_km`` -> ``constellations[0].altitude_km``; ``hardware`` ->
    ``buses[<bus of the first shell>].compute_hardware``; ``duration_s`` ->
    ``analysis.duration_s``; any other name is read as a path.
    """
    from core.mission.bus import Bus

    if name in SHELL_SHORTHANDS:
        return ["constellations", 0, name]
    if name in ANALYSIS_SHORTHANDS:
        return ["analysis", name]
    if name in WORKLOAD_SHORTHANDS:
        return ["workload", name]
    bus_field = BUS_SHORTHANDS.get(name) or (name if name in Bus.model_fields else None)
    if bus_field is not None:
        shells = base.get("constellations") or [{}]
        bus = shells[0].get("bus", "default") if isinstance(shells[0], dict) else "default"
        return ["buses", bus, bus_field]
    return parse_path(name)


def apply_overrides(base: dict, overrides: dict[str, Any]) -> dict:
    data = copy.deepcopy(base)
    for name, value in overrides.items():
        set_path(data, resolve_parameter(name, data), value)
    return data


def design_id(mission: dict) -> str:
    """Stable id of a design: a hash of the mission's canonical JSON and the engine version."""
    from core import __version__

    text = json.dumps({"engine": __version__, "mission": mission}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def point_id(point: dict) -> str:
    text = json.dumps(point, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def expand_points(loaded: LoadedStudy) -> list[dict[str, Any]]:
    """The study's points: every combination (grid, first parameter slowest) or ``samples`` random draws."""
    study = loaded.study
    specs = study.parameter_specs
    names = list(specs)
    if study.mode == "grid":
        axes = [specs[n].grid_values() for n in names]
        return [dict(zip(names, combo)) for combo in itertools.product(*axes)]
    rng = random.Random(study.seed)
    points = []
    for _ in range(study.samples or 0):  # the validator requires samples in random mode
        points.append({n: _draw(specs[n], rng) for n in names})
    return points


def _draw(spec: ParameterSpec, rng: random.Random) -> Any:
    if spec.continuous is not None:
        a, b = spec.continuous
        if all(isinstance(v, int) for v in spec.grid_values()):  # an integer range draws integers
            return rng.randint(int(min(a, b)), int(max(a, b)))
        return round(rng.uniform(a, b), 9)
    return rng.choice(spec.grid_values())


def build_design(index: int, point: dict[str, Any], base: dict, base_dir: Path | None, validate: bool = True) -> Design:
    """Apply a point to the base mission data and check it; problems make the design invalid."""
    mission = copy.deepcopy(base)
    problems: list[str] = []
    for name, value in point.items():
        try:
            set_path(mission, resolve_parameter(name, mission), value)
        except PathError as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        return Design(index, point, None, point_id(point), problems)
    did = design_id(mission)
    if validate:
        problems = mission_problems(mission, base_dir)
    return Design(index, point, mission, did, problems)


def mission_problems(mission: dict, base_dir: Path | None) -> list[str]:
    """The loader's messages for a mission dictionary (empty when it is valid)."""
    from core.mission.io import mission_from_dict
    from core.analysis.mission_checks import engine_problems

    try:
        mission_from_dict(mission, "design", base_dir, extra_check=engine_problems)
    except MissionError as exc:
        return [p.line("").lstrip(": ").strip() if not p.path else f"{p.path}: {p.message}" for p in exc.problems]
    return []


def build_designs(loaded: LoadedStudy, validate: bool = True) -> list[Design]:
    """Every design of the study, in order (grid order, or draw order for random studies)."""
    base = apply_overrides(loaded.base_mission, loaded.study.overrides)
    return [build_design(i, point, base, loaded.base_dir, validate) for i, point in enumerate(expand_points(loaded))]


def check_paths(loaded: LoadedStudy) -> list[Problem]:
    """Problems with the study's parameter and override paths (bad keys, missing shells).

    A path is wrong when setting it fails or when the mission model does not know the key it
    names; a value that is merely out of range is not a study error (that design is infeasible).
    """
    from pydantic import ValidationError

    from core.mission.migrations import migrate
    from core.mission.model import Mission

    problems: list[Problem] = []
    try:
        base = apply_overrides(loaded.base_mission, loaded.study.overrides)
    except PathError as exc:
        return [Problem("overrides", str(exc))]
    except Exception as exc:  # noqa: BLE001 - a malformed base shows here
        return [Problem("overrides", str(exc))]
    # the overridden base itself must be a mission (override values out of range are the study's fault)
    override_errors = _structural_errors(base, Mission, migrate, ValidationError, any_error=True)
    for msg in override_errors:
        problems.append(Problem("overrides", msg))
    for name, spec in loaded.study.parameter_specs.items():
        where = f"parameters.{name}" if "." not in name and "[" not in name else f"parameters[{name!r}]"
        try:
            parts = resolve_parameter(name, base)
        except PathError as exc:
            problems.append(Problem(where, str(exc)))
            continue
        trial = copy.deepcopy(base)
        try:
            set_path(trial, parts, spec.grid_values()[0])
        except Missing as exc:
            problems.append(Problem(where, f"{format_path(parts)}: {exc}"))
            continue
        for msg in _structural_errors(trial, Mission, migrate, ValidationError):
            problems.append(Problem(where, f"{format_path(parts)}: {msg}"))
    return problems


def _structural_errors(data: dict, model: type[BaseModel], migrate: Callable[[dict], dict],
                       validation_error: type[ValidationError], any_error: bool = False) -> list[str]:
    from core.mission.errors import field_path

    try:
        model.model_validate(migrate(copy.deepcopy(data)))
    except validation_error as exc:
        out = []
        for err in exc.errors():
            if any_error or err["type"] == "extra_forbidden":
                msg = "is not a mission field" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
                out.append(f"{field_path(err['loc'])} {msg}")
        return out
    except ValueError as exc:
        return [str(exc)]
    return []
