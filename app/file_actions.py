"""File actions of the main window: new from preset, open, save, save as, recent files, autosave, exports.

:class:`FileActions` holds everything the File menu does, so the window only wires the menu to
it. Replacing the document (open, new) drops the edit burst first and lets the document's
reset start the one analysis of the new mission. The prompts (:meth:`FileActions.ask_save_changes`,
:meth:`FileActions.ask_open_path`, :meth:`FileActions.ask_save_path`) are methods so that tests
can replace them. Exports run from the shown results on an :class:`~app.exports.ExportRunner`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from app.document import load_mission_file, mission_problems
from app.exports import ExportRunner, Writer
from core.mission.model import Mission

if TYPE_CHECKING:
    from app.main_window import MainWindow

APPLICATION = "StarNet Studio"
MAX_RECENT = 8
AUTOSAVE_MS = 60_000
FILE_FILTER = "Mission files (*.yaml *.yml *.json);;All files (*)"


def autosave_dir() -> Path:
    """The folder of the autosave file (the application's data folder)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".starnet") / "autosave"


class FileActions(QObject):
    """What the File menu does, for one window and its document."""

    def __init__(self, window: MainWindow, settings: QSettings, autosave_path: Path | None = None):
        super().__init__(window)
        self.window = window
        self.doc = window.doc
        self.settings = settings
        self.autosave_path = Path(autosave_path) if autosave_path else autosave_dir() / "autosave.yaml"
        self.problem_dialog: QMessageBox | None = None

        self.exports = ExportRunner(window)
        self.exports.finished.connect(window.status)
        self.exports.failed.connect(self._export_failed)
        self.exports.cancelled.connect(lambda: window.status("Export cancelled; nothing was written"))

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

    # -- menus ----------------------------------------------------------------------------------
    def fill_new_menu(self, menu: QMenu) -> None:
        """One entry per preset in File > New from preset."""
        menu.clear()
        try:
            from core import api

            names = api.preset_names()
        except Exception:  # noqa: BLE001
            names = []
        for name in names:
            act = menu.addAction(name)
            act.triggered.connect(lambda _=False, n=name: self.new_from_preset(n))

    def fill_recent_menu(self, menu: QMenu) -> None:
        """One entry per recent file in File > Recent (disabled when there is none)."""
        menu.clear()
        files = self.recent_files()
        for path in files:
            act = menu.addAction(path)
            act.triggered.connect(lambda _=False, p=path: self.open_file(Path(p)))
        menu.setEnabled(bool(files))

    def recent_files(self) -> list[str]:
        """The recent files, newest first."""
        value = self.settings.value("recentFiles", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def _add_recent(self, path: Path) -> None:
        files = [str(path.resolve())] + [f for f in self.recent_files() if f != str(path.resolve())]
        self.settings.setValue("recentFiles", files[:MAX_RECENT])

    # -- prompts (tests replace these) -----------------------------------------------------------
    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Unsaved-changes prompt."""
        return QMessageBox.question(self.window, APPLICATION, f"Save the changes to “{self.doc.title.rstrip(' *')}”?",
                                    QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                                    | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def ask_open_path(self) -> str:
        """The file to open ("" when the user cancels)."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open mission", str(self._dialog_dir()), FILE_FILTER)
        return path

    def ask_save_path(self, caption: str = "Save mission as", filt: str = FILE_FILTER, suffix: str = ".yaml") -> str:
        """The file to write ("" when the user cancels)."""
        start = str(self.doc.path or (self._dialog_dir() / (self.doc.mission.name.replace(' ', '-').lower() + suffix)))
        path, _ = QFileDialog.getSaveFileName(self.window, caption, start, filt)
        return path

    def _dialog_dir(self) -> Path:
        return self.doc.base_dir or Path.cwd()

    def show_problems_dialog(self, source: str, lines: list[str]) -> QMessageBox:
        """The bad-file dialog: non-blocking, lists the validation messages."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Cannot open mission",
                          f"“{Path(source).name}” is not a valid mission file; nothing was changed.",
                          QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("badFileDialog")
        box.setInformativeText("\n".join(lines[:12]) + ("\n…" if len(lines) > 12 else ""))
        box.setDetailedText("\n".join(lines))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.problem_dialog = box
        box.open()
        return box

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document."""
        if not self.doc.is_dirty:
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # -- new, open, save -------------------------------------------------------------------------
    def new_from_preset(self, name: str) -> bool:
        """Start a new, unsaved mission from preset ``name``."""
        if not self.maybe_save():
            return False
        from core import api

        self._start_over(api.load_preset(name), None)
        self.window.status(f"New mission from preset “{name}”")
        return True

    def open_dialog(self) -> bool:
        """Ask for a mission file and open it."""
        if not self.maybe_save():
            return False
        path = self.ask_open_path()
        return self.open_file(Path(path), ask=False) if path else False

    def open_file(self, path: Path, ask: bool = True) -> bool:
        """Open the mission file ``path``; a bad file shows its problems and changes nothing."""
        if ask and not self.maybe_save():
            return False
        try:
            mission = load_mission_file(path)
        except Exception as err:  # noqa: BLE001 - MissionError and friends: shown, nothing changes
            self.show_problems_dialog(str(path), mission_problems(err))
            return False
        self._start_over(mission, path)
        self._add_recent(path)
        self.window.status(f"Opened {path}")
        return True

    def _start_over(self, mission: Mission, path: Path | None) -> None:
        """Replace the document (open / new): its reset computes the new mission once, at once.

        The edit burst of the old mission is dropped first, so the reset is not held back and
        no second run follows when the burst would have ended.
        """
        self.window.analysis.drop_burst()
        self.doc.reset(mission, path)

    def save(self) -> bool:
        """Save to the document's file (asks for one when it has none)."""
        if self.doc.path is None:
            return self.save_as_dialog()
        return self._save_to(self.doc.path)

    def save_as_dialog(self) -> bool:
        """Ask for a file name and save there."""
        path = self.ask_save_path()
        return self._save_to(Path(path)) if path else False

    def _save_to(self, path: Path) -> bool:
        try:
            self.doc.save(path)
        except Exception as err:  # noqa: BLE001
            QMessageBox.critical(self.window, "Save failed", f"Could not save {path}:\n{err}")
            return False
        self._add_recent(path)
        self.window.status(f"Saved {path}")
        self.autosave_path.unlink(missing_ok=True)
        return True

    # -- autosave and recovery ---------------------------------------------------------------------
    def autosave(self) -> Path | None:
        """Write the unsaved document to the autosave file (recovered after a crash)."""
        if not self.doc.is_dirty:
            return None
        from core import api

        self.autosave_path.parent.mkdir(parents=True, exist_ok=True)
        api.save_mission(self.doc.mission, self.autosave_path)
        meta = {"original": str(self.doc.path) if self.doc.path else None, "saved_at": time.time()}
        self.autosave_path.with_suffix(".json").write_text(json.dumps(meta))
        return self.autosave_path

    def close(self) -> None:
        """The window closes normally: finish the export the user asked for, drop the autosave."""
        self.exports.wait()
        self.autosave_timer.stop()
        self.autosave_path.unlink(missing_ok=True)
        self.autosave_path.with_suffix(".json").unlink(missing_ok=True)

    def stop(self) -> None:
        """Cancel any export and stop autosaving (tests, screenshots)."""
        self.exports.cancel()
        self.exports.wait()
        self.autosave_timer.stop()

    # -- exports -----------------------------------------------------------------------------------
    def export_results_dialog(self) -> None:
        """File > Export > Results (JSON)."""
        from core import api

        self._export_file("Export results", "JSON (*.json)", ".json", "Writing the results (JSON)", "Results",
                          lambda results, p: p.write_text(json.dumps(api.results_document(results), indent=2)))

    def export_png_dialog(self) -> None:
        """File > Export > Window picture (PNG)."""
        path = self.ask_save_path("Export picture", "PNG (*.png)", ".png")
        if path:
            self.window.picture().save(path)
            self.window.status(f"Picture written to {path}")

    def export_dialog(self, kind: str) -> None:
        """File > Export > CZML (``kind`` "czml")."""
        from core.export.czml import write_czml

        self._export_file(f"Export {kind.upper()}", f"{kind.upper()} (*.{kind})", f".{kind}", "Writing the CZML", "CZML",
                          write_czml)

    def export_report_dialog(self) -> None:
        """File > Export > Report (PDF or HTML)."""
        from core.export.report import write_report

        self._export_file("Export report", "PDF (*.pdf);;HTML (*.html)", ".pdf", "Writing the report", "Report",
                          write_report)

    def _export_file(self, caption: str, file_filter: str, suffix: str, label: str, what: str,
                     write: Callable[[Any, Path], object]) -> None:
        """Ask for a file and write ``write(results, path)`` there from the shown results (nothing shown: no-op)."""
        results = self.window.results
        if results is None:
            return
        path = self.ask_save_path(caption, file_filter, suffix)
        if path:
            self._export(label, lambda p: write(results, p), Path(path), f"{what} written to {path}")

    def export_outputs_dialog(self) -> None:
        """File > Export > Data folder: CSV, OEM, OMM, TLE and GeoJSON into a new folder."""
        results = self.window.results
        if results is None:
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Export data into a new folder")
        if not folder:
            return
        from core.export.commands import write_outputs

        target = Path(folder) / f"{Path(self.doc.path).stem if self.doc.path else 'mission'}-exports"
        self._export("Writing the data folder", lambda p: write_outputs(results, p), target, f"Data written to {target}")

    def _export(self, label: str, write: Writer, target: Path, done_message: str) -> bool:
        """Run one export from the shown results on a worker thread (progress, cancel); problems become a dialog."""
        if not self.exports.start(label, write, target, done_message):
            self.window.status("An export is still running; wait for it or cancel it")
            return False
        self.window.status(f"{label}…")
        return True

    def _export_failed(self, message: str) -> None:
        self.window.status("Export failed")
        QMessageBox.warning(self.window, "Export", f"The export failed: {message}")
