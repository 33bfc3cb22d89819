"""Edit rules of the mission, as pure functions on its plain data (no Qt here).

The editor's widgets say *what* the user changed; the functions here say what that change does to
the mission data: keep a shell's Walker shorthand in step with the field that was changed, add a
shell or a station with a free name, remove one, count a shell's satellites. They return new data
(the input is never changed) and the undo text; :class:`~app.document.MissionDocument` validates
the result and pushes it as one undo command, the way glue keeps its command stack outside the UI.

The Walker string is read and written by :class:`core.mission.model.WalkerShorthand` only.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Any

from core.mission.model import WALKER_FIELDS, WalkerShorthand, walker_fields

FieldPath = tuple[str | int, ...]
"""Where a value sits in the mission data: ``("constellations", 0, "altitude_km")``."""


@dataclass(frozen=True)
class Edit:
    """New mission data and the undo text that describes the change."""

    data: dict
    text: str


# ----------------------------------------------------------------------------- plain data


def set_in(data: dict, path: FieldPath, value: Any) -> dict:
    """A deep copy of ``data`` with ``path`` set to ``value`` (``None`` removes the key)."""
    out = copy.deepcopy(data)
    node: Any = out
    for key in path[:-1]:
        if isinstance(node, dict) and key not in node:
            node[key] = {}
        node = node[key]
    last = path[-1]
    if value is None and isinstance(node, dict):
        node.pop(last, None)
    else:
        node[last] = value
    return out


def get_in(data: Any, path: FieldPath, default: Any = None) -> Any:
    """The value at ``path`` in ``data``, or ``default`` where the path does not lead anywhere."""
    node = data
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def with_changes(data: dict, changes: dict[FieldPath, Any]) -> dict:
    """A copy of ``data`` with every ``path: value`` of ``changes`` set (``None`` removes)."""
    for path, value in changes.items():
        data = set_in(data, path, value)
    return data


# ----------------------------------------------------------------------------- shells


def walker_parts(entry: dict) -> dict[str, Any]:
    """The Walker numbers of a shell entry: the shorthand first, explicit keys win; phasing 0 when unset."""
    out: dict[str, Any] = {k: v for k, v in asdict(walker_fields(entry)).items() if v is not None}
    out.setdefault("phasing", 0)
    return out


def satellite_count(entry: dict) -> int | None:
    """How many satellites a shell entry stands for; ``None`` for a TLE/OMM file (known once it is read)."""
    if any(entry.get(k) for k in ("tle", "tle_file", "omm_file")):
        return None
    if entry.get("satellites"):
        return len(entry["satellites"])
    if entry.get("cluster"):
        return int(entry["cluster"].get("satellites", 0))
    w = walker_parts(entry)
    if w.get("planes") and w.get("sats_per_plane"):
        return int(w["planes"]) * int(w["sats_per_plane"])
    return None


def walker_sync(entry: dict, key: str, value: Any) -> dict[str, Any] | None:
    """The keys of shell ``entry`` to set (``None``: remove) when its field ``key`` becomes ``value``.

    ``None`` when no Walker rule applies and the field is simply set. Two rules:

    * a new ``walker`` shorthand becomes the single source: the explicit Walker keys are dropped;
    * a Walker number (inclination, planes, sats per plane, phasing) changed on a shell written as a
      shorthand rewrites the shorthand, its total recounted as planes x sats per plane.
    """
    if key == "walker":
        changes: dict[str, Any] = {"walker": value}
        if value:
            changes.update(dict.fromkeys(WALKER_FIELDS))
        return changes
    if key in WALKER_FIELDS and entry.get("walker"):
        w = walker_parts(entry)
        w[key] = value
        planes, per_plane = int(w["planes"]), int(w["sats_per_plane"])
        text = WalkerShorthand(w["inclination_deg"], planes * per_plane, planes, int(w["phasing"])).text()
        return {"walker": text, **dict.fromkeys(WALKER_FIELDS)}
    return None


def shell_label(entry: dict, key: str) -> str:
    """The undo text of setting ``key`` on a shell."""
    return f"Set {entry.get('name', 'shell')} {key}"


# ----------------------------------------------------------------------------- lists

LISTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "constellations": ("shell", "shell-{k}", {"walker": "53:60/6/1", "altitude_km": 550.0}),
    "ground_stations": ("station", "Station {k}", {"lat_deg": 0.0, "lon_deg": 0.0}),
}
"""The lists the editor grows and shrinks: noun of the undo text, name pattern and rest of a new entry."""


def free_name(data: dict, key: str) -> str:
    """The first name of the list's pattern, counting from its length + 1, that no entry of ``key`` has."""
    pattern = LISTS[key][1]
    items = data.get(key) or []
    names = {item.get("name") for item in items}
    k = len(items) + 1
    while pattern.format(k=k) in names:
        k += 1
    return pattern.format(k=k)


def added_entry(data: dict, key: str, entry: dict | None = None) -> Edit:
    """``data`` with ``entry`` (or a default one with a free name) appended to its list ``key``."""
    noun, _pattern, defaults = LISTS[key]
    entry = dict(entry or {"name": free_name(data, key), **defaults})
    out = copy.deepcopy(data)
    out.setdefault(key, []).append(entry)
    return Edit(out, f"Add {noun} {entry['name']}")


def removed_entry(data: dict, key: str, index: int) -> Edit:
    """``data`` without entry ``index`` of its list ``key`` (validating it is the document's job)."""
    out = copy.deepcopy(data)
    entry = out[key].pop(index)
    return Edit(out, f"Remove {LISTS[key][0]} {entry.get('name', index)}")
