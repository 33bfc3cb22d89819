"""The open mission document: one :class:`~core.mission.model.Mission` plus its undo stack.

Only undo commands (:mod:`app.commands`) change the mission. Every edit builds a complete new
mission from a plain dict (the rules of an edit are the pure functions of :mod:`app.edits`),
validates it with the engine's own rules and, when valid, pushes a command that holds the
mission before and after; undo and redo therefore restore the exact document. Invalid edits
push nothing and raise :class:`EditError` with the problems for the editor to show inline.
"""

from __future__ import annotations


from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from app.edits import Edit, FieldPath, set_in, shell_label, walker_sync, with_changes
from core.mission.model import Mission


class EditError(Exception):
    """An edit that does not validate; ``problems`` is a list of ``(field_path, message)``."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in problems))
        self.problems = problems


# ----------------------------------------------------------------------------- conversions


def mission_to_dict(mission: Mission) -> dict:
    """The mission as plain JSON-like data (what a mission file holds)."""
    from core import api

    return api.mission_to_dict(mission)


def mission_from_dict(data: dict, source: str = "<editor>") -> Mission:
    """Validate plain data into a Mission; raises :class:`EditError` with per-field problems."""
    from core import api
    from core.mission.errors import MissionError

    try:
        return api.mission_from_dict(data, source)
    except MissionError as err:
        raise EditError([(p.path, p.message) for p in err.problems]) from err


def missions_equal(a: Mission, b: Mission) -> bool:
    return a.model_dump(mode="json") == b.model_dump(mode="json")


# ----------------------------------------------------------------------------- document


class MissionDocument(QObject):
    """The mission being edited, its file path and its undo stack.

    Signals:
        missionChanged(): the mission content changed (edit, undo, redo, open, new).
        pathChanged(): the file path changed (open, save as, new).
        dirtyChanged(bool): whether there are unsaved changes.
    """

    missionChanged = Signal()
    pathChanged = Signal()
    dirtyChanged = Signal(bool)

    def __init__(self, mission: Mission, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._mission = mission
        self._path = Path(path) if path else None
        self._force_dirty = False
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(lambda clean: self.dirtyChanged.emit(not clean))

    # -- state --------------------------------------------------------------------------
    @property
    def mission(self) -> Mission:
        return self._mission

    def snapshot(self) -> Mission:
        """A deep copy for a worker thread (the document may change meanwhile)."""
        return self._mission.model_copy(deep=True)

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def base_dir(self) -> Path | None:
        return self._path.parent if self._path else None

    @property
    def is_dirty(self) -> bool:
        return self._force_dirty or not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        name = self._path.name if self._path else (self._mission.name or "untitled")
        return name + (" *" if self.is_dirty else "")

    def as_dict(self) -> dict:
        return mission_to_dict(self._mission)

    # -- used by commands only ------------------------------------------------------------
    def _set_mission(self, mission: Mission) -> None:
        self._mission = mission
        self.missionChanged.emit()

    # -- edits ----------------------------------------------------------------------------
    def build(self, data: dict) -> Mission:
        return mission_from_dict(data, str(self._path or "<editor>"))

    def edit_field(self, path: FieldPath, value: Any, text: str | None = None, merge: bool = True) -> Mission:
        """Set one field (``None`` removes it, so the default applies); raises EditError."""
        from app.commands import SetFieldCommand

        data = set_in(self.as_dict(), path, value)
        new = self.build(data)
        if missions_equal(new, self._mission):
            return new
        self.undo_stack.push(SetFieldCommand(self, new, path, text, merge=merge))
        return new

    def edit_fields(self, changes: dict[FieldPath, Any], text: str) -> Mission:
        """Set several fields in one undoable step."""
        from app.commands import EditCommand

        new = self.build(with_changes(self.as_dict(), changes))
        if not missions_equal(new, self._mission):
            self.undo_stack.push(EditCommand(self, new, text))
        return new

    def edit_shell(self, index: int, key: str, value: Any) -> Mission:
        """Set field ``key`` of shell ``index``, keeping its Walker shorthand in step (:func:`app.edits.walker_sync`)."""
        entry = self.as_dict()["constellations"][index]
        label = shell_label(entry, key)
        sync = walker_sync(entry, key, value)
        if sync is None:
            return self.edit_field(("constellations", index, key), value, label)
        return self.edit_fields({("constellations", index, k): v for k, v in sync.items()}, label)

    def apply(self, edit: Edit) -> Mission:
        """Validate the data of a pure edit (:mod:`app.edits`) and push it as one undo step."""
        from app.commands import EditCommand

        new = self.build(edit.data)
        self.undo_stack.push(EditCommand(self, new, edit.text))
        return new

    def replace_data(self, data: dict, text: str) -> Mission:
        """Replace the whole document from data, as one undoable step."""
        from app.commands import EditCommand

        new = self.build(data)
        self.undo_stack.push(EditCommand(self, new, text))
        return new

    # -- files ----------------------------------------------------------------------------
    def reset(self, mission: Mission, path: Path | None, clean: bool = True) -> None:
        """Start over with another mission (open / new): the undo history is cleared."""
        self.undo_stack.clear()
        self._mission = mission
        self._path = Path(path) if path else None
        self._force_dirty = not clean  # e.g. a recovered autosave: unsaved, with no history
        self.pathChanged.emit()
        self.missionChanged.emit()
        self.dirtyChanged.emit(self.is_dirty)

    def save(self, path: Path | None = None) -> Path:
        """Write the mission (atomically) and mark the document clean."""
        target = Path(path) if path else self._path
        if target is None:
            raise ValueError("no file name")
        save_mission_file(self._mission, target)
        changed = target != self._path
        self._path = target
        self._force_dirty = False
        self.undo_stack.setClean()
        if changed:
            self.pathChanged.emit()
        self.dirtyChanged.emit(False)
        return target


def load_mission_file(path: Path) -> Mission:
    """Load a mission file; raises ``core.mission.errors.MissionError`` (or EditError)."""
    from core import api

    return api.load_mission(Path(path))


def save_mission_file(mission: Mission, path: Path) -> None:
    from core import api

    api.save_mission(mission, Path(path))


def mission_problems(err: Exception) -> list[str]:
    """One line per problem of a failed load, for the bad-file dialog."""
    problems = getattr(err, "problems", None)
    if problems:
        lines = []
        for p in problems:
            if isinstance(p, tuple):
                lines.append(f"{p[0]}: {p[1]}" if p[0] else str(p[1]))
            else:
                path, message = getattr(p, "path", ""), getattr(p, "message", str(p))
                lines.append(f"{path}: {message}" if path else message)
        return lines
    return [line for line in str(err).splitlines() if line.strip()] or [type(err).__name__]
