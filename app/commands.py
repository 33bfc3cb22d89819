"""Undo commands: the only way the mission document changes.

Each command keeps the complete mission before and after the edit (missions are small
pydantic models), so undo and redo restore the exact document, whatever the edit was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from app import edits
from core.mission.model import Mission

if TYPE_CHECKING:
    from app.document import MissionDocument
    from app.edits import FieldPath

_SET_FIELD_ID = 1001


class EditCommand(QUndoCommand):
    """Replace the document's mission with ``new`` (undo puts the old one back)."""

    def __init__(self, doc: "MissionDocument", new: Mission, text: str):
        super().__init__(text)
        self.doc = doc
        self.old = doc.mission.model_copy(deep=True)
        self.new = new.model_copy(deep=True)

    def redo(self) -> None:
        self.doc._set_mission(self.new.model_copy(deep=True))  # noqa: SLF001 - the document's own undo command

    def undo(self) -> None:
        self.doc._set_mission(self.old.model_copy(deep=True))  # noqa: SLF001 - the document's own undo command


class SetFieldCommand(EditCommand):
    """Set one field; successive edits of the same field (typing in a box) merge into one step."""

    def __init__(self, doc: "MissionDocument", new: Mission, path: "FieldPath", text: str | None = None, merge: bool = True):
        label = text or f"Set {'.'.join(str(p) for p in path)}"
        super().__init__(doc, new, label)
        self.path = tuple(path)
        self.merge = merge

    def id(self) -> int:
        return _SET_FIELD_ID if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, SetFieldCommand) or other.path != self.path or not other.merge:
            return False
        self.new = other.new
        return True


def add_entry(doc: "MissionDocument", key: str, entry: dict | None = None) -> Mission:
    """Append ``entry`` (or a default one with a free name) to the mission's list ``key``, undoably."""
    return doc.apply(edits.added_entry(doc.as_dict(), key, entry))


def remove_entry(doc: "MissionDocument", key: str, index: int) -> Mission:
    """Remove entry ``index`` of the mission's list ``key``, undoably (EditError if the result is invalid,
    e.g. a mission without any constellation)."""
    return doc.apply(edits.removed_entry(doc.as_dict(), key, index))


def replace_from_preset(doc: "MissionDocument", mission: Mission, name: str) -> Mission:
    doc.undo_stack.push(EditCommand(doc, mission, f"Replace with preset {name}"))
    return mission
