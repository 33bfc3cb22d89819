"""The welcome panel and the guided tour, on their own (the main window wires them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot):
    from app.panels.welcome import WelcomePanel

    w = WelcomePanel()
    qtbot.addWidget(w)
    w.resize(360, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_panel_lists_every_preset_default_first(panel):
    from core import api

    assert panel.objectName() == "welcomeDock"
    assert panel.preset_keys() == api.preset_names()
    assert panel.preset_keys()[0] == "default"
    item = panel.preset_list.item(0)
    assert "Demo" in item.text()  # the preset's title, not only its file name
    assert item.toolTip()  # the description


def test_double_click_and_button_emit_preset_name(panel, qtbot):
    keys = panel.preset_keys()
    target = keys.index("starlink-shell-1")
    with qtbot.waitSignal(panel.presetChosen, timeout=1000) as sig:
        panel.preset_list.itemActivated.emit(panel.preset_list.item(target))
    assert sig.args == ["starlink-shell-1"]

    panel.preset_list.setCurrentRow(keys.index("three-body"))
    with qtbot.waitSignal(panel.presetChosen, timeout=1000) as sig:
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["three-body"]

    with qtbot.waitSignal(panel.presetChosen, timeout=1000) as sig:
        panel.choose("suncatcher")
    assert sig.args == ["suncatcher"]
    with pytest.raises(KeyError):
        panel.choose("no-such-preset")


def test_tour_button_emits(panel, qtbot):
    with qtbot.waitSignal(panel.tourRequested, timeout=1000):
        qtbot.mouseClick(panel.tour_button, Qt.MouseButton.LeftButton)


def test_custom_presets_and_empty_list(qtbot):
    from app.panels.welcome import PresetInfo, WelcomePanel

    w = WelcomePanel(presets=[PresetInfo("a", "Alpha", "first"), PresetInfo("b", "b")])
    qtbot.addWidget(w)
    assert w.preset_keys() == ["a", "b"]
    assert w.preset_list.item(1).text() == "b"
    w.set_presets([])
    assert not w.open_button.isEnabled()


def test_show_at_startup_is_remembered(qtbot, tmp_path):
    from app.panels.welcome import WelcomePanel

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = WelcomePanel(settings=settings)
    qtbot.addWidget(w)
    assert w.show_at_startup()
    w.show_at_startup_box.setChecked(False)
    settings.sync()
    again = WelcomePanel(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert not again.show_at_startup()
    assert not again.show_at_startup_box.isChecked()


def test_guided_tour_steps_through_four_pages(qtbot):
    from app.panels.welcome import GuidedTour

    tour = GuidedTour()
    qtbot.addWidget(tour)
    seen = []
    tour.highlightRequested.connect(seen.append)
    tour.start()
    assert tour.isVisible()
    assert len(tour.pages) == 4
    titles = [p.title for p in tour.pages]
    for word in ("shell", "coverage", "compute", "insight"):
        assert any(word in t.lower() for t in titles), word
    assert tour.index == 0 and not tour.back_button.isEnabled()
    for i in range(1, 4):
        qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
        assert tour.index == i
        assert tour.position.text() == f"{i + 1} of 4"
    assert tour.next_button.text() == "Finish"
    qtbot.mouseClick(tour.back_button, Qt.MouseButton.LeftButton)
    assert tour.index == 2
    assert seen == ["editorDock", "plotsDock", "budgetsDock", "plotsDock", "budgetsDock"]
    tour.go_to(3)
    with qtbot.waitSignal(tour.finished_tour, timeout=1000):
        tour.next()
    assert not tour.isVisible()


def test_tour_pages_name_real_docks():
    """Each page highlights a dock the main window really has."""
    from app.panels.welcome import TOUR_PAGES

    known = {"editorDock", "detailsDock", "mapDock", "budgetsDock", "plotsDock", "timeDock"}
    assert {p.dock for p in TOUR_PAGES} <= known


def test_docs_links_point_at_existing_files(panel):
    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QLabel

    text = panel.findChild(QLabel, "welcomeDocs").text()
    urls = re.findall(r'href="([^"]+)"', text)
    names = {Path(QUrl(u).toLocalFile()).name for u in urls}
    assert {"user-guide.md", "tutorial.md", "mission-file.md"} <= names
    assert all(Path(QUrl(u).toLocalFile()).is_file() for u in urls)
