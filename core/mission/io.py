"""Loading and saving mission files (YAML, or JSON with the same structure).

Loading never raises anything but :class:`~core.mission.errors.MissionError`, whose lines
name the file and the field. Saving is atomic: the document goes to a temporary file in the
same folder, which then replaces the target in one rename, so a failed save never leaves a
half-written file or loses the old one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Callable

import yaml
from pydantic import ValidationError

from core.mission.errors import MissionError, Problem, problems_from_validation
from core.mission.migrations import migrate
from core.mission.model import SCHEMA_VERSION, Mission
from core.mission.validate import document_problems

ExtraCheck = Callable[[Mission], list[Problem]]


_HIDDEN_LOC = frozenset({"float", "int", "str", "literal['sso']", "tuple[float, float]"})


def mission_from_dict(data: object, source: str = "<mission>", base_dir: Path | None = None, extra_check: ExtraCheck | None = None) -> Mission:
    """Validate a parsed document (after migration) into a :class:`Mission`."""
    if not isinstance(data, dict):
        raise MissionError(source, [Problem("", "the document must be a mapping of keys (name, epoch, constellations, ...)")])
    try:
        data = migrate(dict(data))
    except ValueError as exc:
        raise MissionError(source, [Problem("schema_version", str(exc))]) from None
    try:
        mission = Mission.model_validate(data)
    except ValidationError as exc:
        raise MissionError(source, problems_from_validation(exc, _HIDDEN_LOC)) from None
    problems = document_problems(mission, base_dir)
    if extra_check is not None and not problems:
        problems = extra_check(mission)
    if problems:
        raise MissionError(source, problems)
    return mission


def parse_text(text: str, source: str) -> object:
    """YAML or JSON text to plain data; syntax errors become a :class:`MissionError` with the line."""
    try:
        if source.lower().endswith(".json"):
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise MissionError(source, [Problem("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise MissionError(source, [Problem("", f"invalid YAML{where}: {reason}")]) from None


def loads_mission(text: str, source: str = "<text>", base_dir: Path | None = None, extra_check: ExtraCheck | None = None) -> Mission:
    """A mission from YAML/JSON text; ``source`` names it in messages."""
    return mission_from_dict(parse_text(text, source), source, base_dir, extra_check)


def load_mission(path: str | os.PathLike, extra_check: ExtraCheck | None = None) -> Mission:
    """A mission from a file; relative orbit files are resolved against its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissionError(str(path), [Problem("", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MissionError(str(path), [Problem("", f"cannot read the file: {getattr(exc, 'strerror', None) or exc}")]) from None
    return loads_mission(text, path.name, path.parent, extra_check)


def mission_to_dict(mission: Mission) -> dict:
    """The document as plain data, defaults left out (what a user would write), version first."""
    data = mission.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    data.pop("schema_version", None)
    ordered = {"schema_version": SCHEMA_VERSION, "name": mission.name}
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


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and one rename (never half-written)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_mission(mission: Mission, path: str | os.PathLike) -> None:
    """Save atomically; JSON when the name ends in ``.json``, YAML otherwise."""
    path = Path(path)
    atomic_write_text(path, dumps_mission(mission, "json" if path.suffix.lower() == ".json" else "yaml"))
