"""Start-up: the QApplication, settings, the main window, crash recovery, screenshots."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.document import MissionDocument, load_mission_file
from app.main_time import BadSize, time_offset_s
from app.main_window import APPLICATION, ORGANIZATION, MainWindow, dispose
from app.theme import dark_palette

ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "starnet.png"


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        # Qt waits 5 ms before serving a window's update request; the globe's clock already
        # paces frames, so draw as soon as one is asked for.
        os.environ.setdefault("QT_QPA_UPDATE_IDLE_TIME", "0")
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        app = QApplication(argv or [sys.argv[0]])
        dark_palette(app)
        if ICON.exists():
            app.setWindowIcon(QIcon(str(ICON)))
    return app  # type: ignore[return-value]


def resolve_mission(name: str | None):
    """(mission, path) for a file path, a preset name, or None (the default preset)."""
    from core import api

    if name is None:
        return api.load_preset(api.preset_names()[0]), None
    path = Path(name)
    if path.exists():
        return load_mission_file(path), path
    if name in api.preset_names():
        return api.load_preset(name), None
    return load_mission_file(path), path  # raises MissionError "no such file"


def offer_recovery(window: MainWindow) -> bool:
    """After a crash the autosave file is still there: offer to open it."""
    path = window.files.autosave_path
    if not path.exists():
        return False
    answer = QMessageBox.question(window, "Recover unsaved work",
                                  "StarNet Studio did not close normally. Recover the unsaved mission from the autosave?",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
    if answer != QMessageBox.StandardButton.Yes:
        path.unlink(missing_ok=True)
        return False
    return recover(window)


def recover(window: MainWindow) -> bool:
    import json

    path = window.files.autosave_path
    try:
        mission = load_mission_file(path)
    except Exception:  # noqa: BLE001
        return False
    meta = path.with_suffix(".json")
    original = None
    if meta.exists():
        try:
            original = json.loads(meta.read_text()).get("original")
        except ValueError:
            original = None
    window.doc.reset(mission, Path(original) if original else None, clean=False)
    window.status("Recovered the autosaved mission")
    return True


def run_gui(mission_name: str | None = None) -> int:
    app = make_app()
    try:
        mission, path = resolve_mission(mission_name)
    except Exception as err:  # noqa: BLE001
        print(str(err), file=sys.stderr)
        return 2
    doc = MissionDocument(mission, path)
    window = MainWindow(doc)
    if not window.settings.value("window/geometry"):  # first start: fit the screen, globe first on a laptop
        screen = app.primaryScreen().availableGeometry()
        window.fit_to(min(1600, screen.width()), min(1000, screen.height()))
    window.show()
    QTimer.singleShot(300, lambda: offer_recovery(window))
    code = app.exec()
    window.runner.cancel()
    window.runner.wait(30)
    dispose(window)
    return code


def parse_size(text: str | None) -> tuple[int, int]:
    if not text:
        return 1600, 1000
    w, _, h = text.lower().partition("x")
    return int(w), int(h)


def picture_window(doc: MissionDocument, size: tuple[int, int], settings_dir: Path) -> MainWindow:
    """A main window for pictures: exactly ``size``, fresh settings, no autosave, not computing."""
    app = make_app()
    settings = QSettings(str(Path(settings_dir) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(doc, settings=settings, autosave_path=Path(settings_dir) / "autosave.yaml", restore_layout=False, start=False)
    window.fit_to(*size)
    window.show()
    app.processEvents()
    window.fit_to(*size)  # the second pass sizes the docks once the window is laid out on screen
    app.processEvents()
    return window


def show_for_picture(window: MainWindow, results, t_s: float = 0.0, select: int | None = None) -> None:
    """Show ``results`` at ``t_s`` seconds from the epoch, one satellite selected and in view."""
    app = make_app()
    from app.globe.prepare import prepare_view

    window.apply_results(results, prepare_view(results))
    window.timebar.set_time(t_s)
    if select is None and results.ephemeris.n_sat:
        select = 0
    window.select_satellite(select)
    if select is not None and select >= 0:  # keep the selected satellite in view, on the lit side if it can be
        sat = window.view_data.positions_eci(t_s)[select]
        sun = window.view_data.sun_eci_at(t_s)
        window.globe.aim_at_sun(sat / np.linalg.norm(sat) + 0.35 * sun, offset_deg=0.0)
        window.globe.set_time(t_s)
    window.show_dock("budgetsDock")  # a picture is for results: budgets in front of the welcome panel
    window.show_dock("plotsDock")
    window.analysis.stage_label.setText(f"Computed in {sum(results.timings_s.values()):.2f} s")
    window.globe.settle()  # a large run's positions come from the globe's frame builder
    for _ in range(10):
        app.processEvents()
    window.globe.canvas.update()
    app.processEvents()


def render_screenshot(mission_name: str, out: Path, time_iso: str | None = None, size: str | None = None,
                      select: int | None = None) -> Path:
    """Open the main window on a mission, compute it, and save a picture of the window."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    app = make_app()
    mission, path = resolve_mission(mission_name)
    doc = MissionDocument(mission, path)
    t = 0.0
    if time_iso:
        t = time_offset_s(mission, time_iso)
    wanted = parse_size(size)
    window = picture_window(doc, wanted, Path(tempfile.mkdtemp(prefix="starnet-shot-")))
    if (window.width(), window.height()) != wanted:
        got = f"{window.width()}x{window.height()}"
        smallest = window.minimumSizeHint()
        window.shutdown()
        raise BadSize(f"--size: the window cannot be {wanted[0]}x{wanted[1]} (it became {got}; "
                      f"the smallest it can be is {smallest.width()}x{smallest.height()})")
    from app.workers import run_analysis

    results = run_analysis(doc.snapshot(), doc.base_dir)
    show_for_picture(window, results, t, select)
    deadline = time.monotonic() + 60.0  # let the selected satellite's lifetime estimate arrive
    while window.details.labels["lifetime"].text().startswith("estimating") and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    for _ in range(5):
        app.processEvents()
    image = window.picture()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(str(out))
    window.shutdown()
    app.processEvents()
    return out
