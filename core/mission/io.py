"""Loading and saving mission files (YAML, or JSON with the same structure).

Loading never raises anything but :class:`~core.mission.errors.MissionError`, whose lines
name the file and the field. Saving is atomic (:mod:`core.mission.atomic`): the document
goes to a temporary file in the same folder, which then replaces the target in one rename,
so a failed save never leaves a half-written file or loses the old one; a failed save also
raises :class:`MissionError`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import ValidationError

from core.mission.atomic import atomic_write_text
from core.mission.errors import MissionError, Problem, problems_from_validation
from core.mission.migrations import migrate
from core.mission.model import SCHEMA_VERSION, Mission
from core.mission.textfile import (
    MAX_MISSION_BYTES,
    MAX_NESTING,
    TextFileError,
    check_nesting,
    read_text_file,
)
from core.mission.validate import document_problems

ExtraCheck = Callable[[Mission], list[Problem]]


_HIDDEN_LOC = frozenset({"float", "int", "str", "literal['sso']", "tuple[float, float]"})


def mission_from_dict(data: object, source: str = "<mission>", base_dir: Path | None = None, extra_check: ExtraCheck | None = None) -> Mission:
    """Validate a parsed document (after migration) into a :class:`Mission`."""
    if not isinstance(data, dict):
        raise MissionError(source, [Problem("", "the document must be a mapping of keys (name, epoch, constellations, ...)")])
    try:
        check_nesting(data)
    except TextFileError as exc:
        raise MissionError(source, [Problem("", str(exc))]) from None
    try:
        data = migrate(dict(data))
    except ValueError as exc:
        raise MissionError(source, [Problem("schema_version", str(exc))]) from None
    try:
        mission = Mission.model_validate(data)
    except ValidationError as exc:
        raise MissionError(source, problems_from_validation(exc, _HIDDEN_LOC, model=Mission)) from None
    problems = document_problems(mission, base_dir)
    if extra_check is not None and not problems:
        problems = extra_check(mission)
    if problems:
        raise MissionError(source, problems)
    return mission


class _DuplicateKey(ValueError):
    """A mapping that names the same key twice (YAML would silently keep the last)."""


_YamlBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when present: ~10x faster


class _UniqueKeyLoader(_YamlBase):  # type: ignore[misc, valid-type]
    """The safe YAML loader, refusing a key given twice in one mapping."""


def _unique_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key (a list): the constructor reports it
            continue
        if first is not None:
            raise _DuplicateKey(f"invalid YAML at line {key_node.start_mark.line + 1}: the key {str(key)[:60]!r} is "
                                f"given twice in one mapping (first at line {first}); only one can count")
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"invalid JSON: the key {key[:60]!r} is given twice in one object; only one can count")
        out[key] = value
    return out


def parse_text(text: str, source: str) -> object:
    """YAML or JSON text to plain data; syntax errors become a :class:`MissionError` with the line.

    Refused as well: a key given twice in one mapping, and nesting deeper than
    :data:`~core.mission.textfile.MAX_NESTING` levels.
    """
    try:
        if source.lower().endswith(".json"):
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        else:
            data = yaml.load(text, Loader=_UniqueKeyLoader)  # a safe loader (the C one when present)
        check_nesting(data)
        return data
    except json.JSONDecodeError as exc:
        raise MissionError(source, [Problem("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0][:200]
        raise MissionError(source, [Problem("", f"invalid YAML{where}: {reason}")]) from None
    except (_DuplicateKey, TextFileError) as exc:
        raise MissionError(source, [Problem("", str(exc))]) from None
    except RecursionError:
        raise MissionError(source, [Problem("", f"lists and mappings nest deeper than {MAX_NESTING} levels")]) from None
    except (ValueError, OverflowError) as exc:  # e.g. a YAML timestamp with day 32, an int too long to convert
        raise MissionError(source, [Problem("", f"invalid value: {str(exc)[:200]}")]) from None


def loads_mission(text: str, source: str = "<text>", base_dir: Path | None = None, extra_check: ExtraCheck | None = None) -> Mission:
    """A mission from YAML/JSON text; ``source`` names it in messages."""
    return mission_from_dict(parse_text(text, source), source, base_dir, extra_check)


def load_mission(path: str | os.PathLike, extra_check: ExtraCheck | None = None) -> Mission:
    """A mission from a file; relative orbit files are resolved against its folder.

    Without ``extra_check`` only the document is checked; :func:`core.api.load_mission` (and
    every engine caller) passes :func:`core.analysis.mission_checks.engine_problems`, the full check.
    """
    path = Path(path)
    try:
        text = read_text_file(path, MAX_MISSION_BYTES)
    except TextFileError as exc:
        raise MissionError(str(path), [Problem("", str(exc))]) from None
    return loads_mission(text, path.name, path.parent, extra_check)


def input_files(mission: Mission, path: str | os.PathLike | None, base_dir: Path | None) -> list[Path]:
    """The files a run of ``mission`` reads: the mission file itself and its TLE/OMM files."""
    files = [Path(path)] if path is not None else []
    for entry in mission.constellations:
        for name in (entry.tle_file, entry.omm_file):
            if name:
                files.append(Path(name) if Path(name).is_absolute() else (Path(base_dir) if base_dir else Path.cwd()) / name)
    return files


def mission_to_dict(mission: Mission) -> dict:
    """The document as plain data, defaults left out (what a user would write), version first."""
    data = mission.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    data.pop("schema_version", None)
    ordered: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": mission.name}
    ordered.update({k: v for k, v in data.items() if k != "name"})
    if "latency_pairs" in ordered:
        ordered["latency_pairs"] = [list(p) for p in ordered["latency_pairs"]]
    return ordered


def dumps_mission(mission: Mission, fmt: str = "yaml") -> str:
    """The document as YAML (default) or JSON text."""
    data = mission_to_dict(mission)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save_mission(mission: Mission, path: str | os.PathLike) -> None:
    """Save atomically; JSON when the name ends in ``.json``, YAML otherwise."""
    path = Path(path)
    text = dumps_mission(mission, "json" if path.suffix.lower() == ".json" else "yaml")
    try:
        atomic_write_text(path, text)
    except FileNotFoundError:
        raise MissionError(str(path), [Problem("", f"cannot save: the folder {path.parent} does not exist")]) from None
    except IsADirectoryError:
        raise MissionError(str(path), [Problem("", "cannot save: it is a folder")]) from None
    except OSError as exc:
        raise MissionError(str(path), [Problem("", f"cannot save: {exc.strerror or exc}")]) from None
