"""Undo commands: the only way the mission document changes.

Each command keeps the complete mission before and after the edit (missions are small
pydantic models), so undo and redo restore the exact document, whatever the edit was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from core.mission.model import Mission

if TYPE_CHECKING:
    from app.document import FieldPath, MissionDocument

_SET_FIELD_ID = 1001


class EditCommand(QUndoCommand):
    """Replace the document's mission with ``new`` (undo puts the old one back)."""

    def __init__(self, doc: "MissionDocument", new: Mission, text: str):
        super().__init__(text)
        self.doc = doc
        self.old = doc.mission.model_copy(deep=True)
        self.new = new.model_copy(deep=True)

    def redo(self) -> None:
        self.doc._set_mission(self.new.model_copy(deep=True))

    def undo(self) -> None:
        self.doc._set_mission(self.old.model_copy(deep=True))


class SetFieldCommand(EditCommand):
    """Set one field; successive edits of the same field (typing in a box) merge into one step."""

    def __init__(self, doc: "MissionDocument", new: Mission, path: "FieldPath", text: str | None = None, merge: bool = True):
        label = text or f"Set {'.'.join(str(p) for p in path)}"
        super().__init__(doc, new, label)
        self.path = tuple(path)
        self.merge = merge

    def id(self) -> int:  # noqa: A003 - Qt API
        return _SET_FIELD_ID if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, SetFieldCommand) or other.path != self.path or not other.merge:
            return False
        self.new = other.new
        return True


class AddShellCommand(EditCommand):
    pass


class RemoveShellCommand(EditCommand):
    pass


class AddStationCommand(EditCommand):
    pass


class RemoveStationCommand(EditCommand):
    pass


class ReplaceFromPresetCommand(EditCommand):
    pass


def add_shell(doc: "MissionDocument", entry: dict | None = None) -> Mission:
    data = doc.as_dict()
    shells = data.setdefault("constellations", [])
    names = {c.get("name") for c in shells}
    k = len(shells) + 1
    while f"shell-{k}" in names:
        k += 1
    entry = dict(entry or {"name": f"shell-{k}", "walker": "53:60/6/1", "altitude_km": 550.0})
    shells.append(entry)
    new = doc.build(data)
    doc.undo_stack.push(AddShellCommand(doc, new, f"Add shell {entry['name']}"))
    return new


def remove_shell(doc: "MissionDocument", index: int) -> Mission:
    data = doc.as_dict()
    entry = data["constellations"].pop(index)
    new = doc.build(data)  # a mission needs at least one constellation: EditError otherwise
    doc.undo_stack.push(RemoveShellCommand(doc, new, f"Remove shell {entry.get('name', index)}"))
    return new


def add_station(doc: "MissionDocument", entry: dict | None = None) -> Mission:
    data = doc.as_dict()
    stations = data.setdefault("ground_stations", [])
    names = {s.get("name") for s in stations}
    k = len(stations) + 1
    while f"Station {k}" in names:
        k += 1
    entry = dict(entry or {"name": f"Station {k}", "lat_deg": 0.0, "lon_deg": 0.0})
    stations.append(entry)
    new = doc.build(data)
    doc.undo_stack.push(AddStationCommand(doc, new, f"Add station {entry['name']}"))
    return new


def remove_station(doc: "MissionDocument", index: int) -> Mission:
    data = doc.as_dict()
    entry = data["ground_stations"].pop(index)
    new = doc.build(data)
    doc.undo_stack.push(RemoveStationCommand(doc, new, f"Remove station {entry.get('name', index)}"))
    return new


def replace_from_preset(doc: "MissionDocument", mission: Mission, name: str) -> Mission:
    doc.undo_stack.push(ReplaceFromPresetCommand(doc, mission, f"Replace with preset {name}"))
    return mission
