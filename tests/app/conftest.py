"""Fixtures for the GUI tests (pytest-qt under pytest-xvfb).

Settings, autosave and standard paths point into a temporary folder; dialogs that would block
are replaced on the window object.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")  # vispy needs a real (X) GL context: Xvfb, not offscreen

pytest.importorskip("PySide6")
pytest.importorskip("vispy")
pytest.importorskip("pytestqt")


@pytest.fixture(scope="session", autouse=True)
def _test_paths(tmp_path_factory):
    from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    base = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(base))
    QCoreApplication.setOrganizationName("StarNet")
    QCoreApplication.setApplicationName("StarNet Studio Tests")
    yield


@pytest.fixture
def small_mission():
    """The default preset over a 2-hour window (fast to analyse)."""
    from core import api

    m = api.load_preset("default")
    return m.model_copy(update={"analysis": m.analysis.model_copy(update={"duration_s": 7200.0, "step_s": 60.0})})


@pytest.fixture
def make_window(qtbot, tmp_path):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from app.document import MissionDocument
    from app.main import make_app
    from app.main_window import MainWindow

    make_app()
    windows = []

    def make(mission, path=None, start=True, settings_file="settings.ini"):
        doc = MissionDocument(mission, path)
        settings = QSettings(str(tmp_path / settings_file), QSettings.Format.IniFormat)
        w = MainWindow(doc, settings=settings, autosave_path=tmp_path / "autosave" / "autosave.yaml",
                       restore_layout=True, start=start)
        w.files.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make
    from PySide6.QtWidgets import QApplication

    import gc

    for w in windows:
        w.shutdown()
    QApplication.processEvents()
    windows.clear()
    gc.collect()
    QApplication.processEvents()


@pytest.fixture
def wait_full(qtbot):
    """Wait until the newest request delivered its full (not preview) results."""

    def wait(window, timeout=120_000, after: int | None = None):
        if after is not None:
            qtbot.waitUntil(lambda: window.runner.generation > after, timeout=timeout)
        qtbot.waitUntil(lambda: window.results is not None and window.results_generation == window.runner.generation
                        and not window.preview, timeout=timeout)

    return wait


@pytest.fixture
def wait_any(qtbot):
    """Wait until the newest request delivered results (the preview counts)."""

    def wait(window, timeout=120_000):
        qtbot.waitUntil(lambda: window.results is not None and window.results_generation == window.runner.generation,
                        timeout=timeout)

    return wait
