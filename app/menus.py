"""The window's menu bar: File, Edit, View and Help, wired to the window's parts.

File entries call :class:`~app.file_actions.FileActions`, Recompute and Cancel the
:class:`~app.analysis_controller.AnalysisController`, View the docks and the globe's layers.
:func:`shortcut_lines` lists the bound shortcuts for the F1 help, from the actions themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from app.file_actions import APPLICATION

if TYPE_CHECKING:
    from app.main_window import MainWindow


def add_action(menu: QMenu, text: str, slot: Callable[..., object],
               shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None, name: str | None = None) -> QAction:
    """A menu entry that calls ``slot``, with its shortcut and object name."""
    act = QAction(text, menu)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
    if name:
        act.setObjectName(name)
    act.triggered.connect(slot)
    menu.addAction(act)
    return act


def build_menus(window: MainWindow) -> None:
    """File, Edit, View and Help of ``window``'s menu bar (the window's menus wiring)."""
    bar = window.menuBar()
    f = bar.addMenu("&File")
    f.setObjectName("fileMenu")
    new_menu = f.addMenu("&New from preset")
    new_menu.setObjectName("newFromPresetMenu")
    new_menu.aboutToShow.connect(lambda: window.files.fill_new_menu(new_menu))
    window.files.fill_new_menu(new_menu)
    add_action(f, "&Open…", window.files.open_dialog, QKeySequence.StandardKey.Open, "actionOpen")
    add_action(f, "&Save", window.files.save, QKeySequence.StandardKey.Save, "actionSave")
    add_action(f, "Save &As…", window.files.save_as_dialog, QKeySequence.StandardKey.SaveAs, "actionSaveAs")
    recent_menu = f.addMenu("&Recent")
    recent_menu.setObjectName("recentMenu")
    recent_menu.aboutToShow.connect(lambda: window.files.fill_recent_menu(recent_menu))
    window.files.fill_recent_menu(recent_menu)
    export = f.addMenu("&Export")
    add_action(export, "Results (JSON)…", window.files.export_results_dialog, None, "actionExportJson")
    add_action(export, "Window picture (PNG)…", window.files.export_png_dialog, None, "actionExportPng")
    add_action(export, "CZML (Cesium)…", lambda: window.files.export_dialog("czml"), None, "actionExportCzml")
    add_action(export, "Report (PDF or HTML)…", window.files.export_report_dialog, None, "actionExportReport")
    add_action(export, "Data folder (CSV, OEM, OMM, TLE, GeoJSON)…", window.files.export_outputs_dialog, None, "actionExportData")
    f.addSeparator()
    add_action(f, "&Quit", window.close, QKeySequence.StandardKey.Quit, "actionQuit")

    e = bar.addMenu("&Edit")
    undo = window.doc.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    undo.setObjectName("actionUndo")
    redo = window.doc.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    redo.setObjectName("actionRedo")
    e.addAction(undo)
    e.addAction(redo)
    e.addSeparator()
    add_action(e, "Recompute now", window.analysis.recompute, "F5", "actionRecompute")
    add_action(e, "Cancel computation", window.analysis.cancel, "Esc", "actionCancel")

    v = bar.addMenu("&View")
    for dock in window.docks.values():
        v.addAction(dock.toggleViewAction())
    v.addSeparator()
    orbits = add_action(v, "Orbit tracks", lambda on: window.globe.set_layer_visible("orbits", on), "O", "actionOrbits")
    orbits.setCheckable(True)
    orbits.setChecked(True)
    links = add_action(v, "Inter-satellite links", lambda on: window.globe.set_layer_visible("links", on), "L", "actionLinks")
    links.setCheckable(True)
    links.setChecked(True)
    add_action(v, "Play / pause", lambda: window.timebar.play(not window.timebar.is_playing()), "Space", "actionPlay")
    add_action(v, "Reset layout", window.reset_layout, None, "actionResetLayout")

    h = bar.addMenu("&Help")
    add_action(h, "About StarNet Studio", lambda: about(window), None, "actionAbout")
    add_action(h, "Keyboard shortcuts", lambda: shortcuts_help(window), "F1", "actionShortcuts")


def about(window: QWidget) -> None:
    """Help > About."""
    from core import __version__

    QMessageBox.about(window, APPLICATION, f"<b>{APPLICATION}</b> {__version__}<br>Design computing constellations.<br>"
                      "Earth imagery: NASA Earth Observatory / Blue Marble Next Generation.")


def shortcut_lines(window: QWidget) -> list[str]:
    """``"Ctrl+O  Open"`` for every menu action that has a shortcut: the list cannot name an unbound key."""
    lines = []
    for act in window.findChildren(QAction):
        keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and act.text():
            lines.append(f"{keys}\t{act.text().replace('&', '').rstrip('…')}")
    return sorted(set(lines))


def shortcuts_help(window: QWidget) -> None:
    """Help > Keyboard shortcuts (F1)."""
    QMessageBox.information(window, "Keyboard shortcuts", "\n".join(shortcut_lines(window))
                            + "\n\nMouse: drag to rotate, wheel to zoom, click a satellite to select it")
