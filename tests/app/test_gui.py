"""The desktop app end to end: presets, edits, undo, files, cancel, picking, screenshots."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.globe.occlusion import hidden_behind_earth

pytestmark = pytest.mark.gui


def test_docks_have_stable_names(make_window, small_mission):
    w = make_window(small_mission, start=False)
    names = {d.objectName() for d in w.docks.values()}
    assert {"editorDock", "detailsDock", "mapDock", "plotsDock", "budgetsDock", "timeDock"} <= names
    menus = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Help"]


def test_open_every_preset(make_window, small_mission, wait_any):
    from core import api

    from app.workers import Cancelled, run_analysis
    from tests.preset_sizes import ANALYSED_PRESETS

    w = make_window(small_mission, start=False)

    def preview_only(mission, base_dir, progress=None, cancel=None):
        # the quick pass of every preset runs for real; the full passes are skipped to keep this short
        if mission.analysis.duration_s / mission.analysis.step_s > 30:
            raise Cancelled
        return run_analysis(mission, base_dir, progress, cancel)

    w.runner.analyze = preview_only
    previews = 0
    for name in ANALYSED_PRESETS:  # the 1M-satellite preset is analysed in benchmarks/scale.py
        assert w.files.new_from_preset(name)
        mission = api.load_preset(name)
        assert w.doc.mission.name == mission.name
        assert w.editor.shell_list.count() == len(mission.constellations)
        assert w.runner.generation > 0
        wait_any(w)  # the quick pass of every preset draws
        assert w.results.ephemeris.n_sat > 0
        assert w.globe.data is not None and w.globe.data.n_sat == w.results.ephemeris.n_sat
        for _title, plot in w.plots.plots:
            assert ("preview" in plot.plot.titleLabel.text) == w.preview  # the coarse pass says so
        previews += w.preview
        w.runner.wait(60)
    assert previews > 0


def test_edit_shell_changes_count_and_plots(make_window, small_mission, wait_full, qtbot):
    w = make_window(small_mission)
    wait_full(w)
    n0 = w.results.ephemeris.n_sat
    sats0 = np.array(w.coverage_plot.sats.yData, dtype=float)
    assert "60 satellites" in w.analysis.count_label.text()
    g = w.runner.generation
    w.editor.form.fields["planes"].setValue(12)  # 12 planes x 10 = 120 satellites
    assert w.doc.mission.constellations[0].planes == 12
    assert w.editor.form.count.text() == "120"
    wait_full(w, after=g)
    assert w.results.ephemeris.n_sat == 2 * n0
    assert "120 satellites" in w.analysis.count_label.text()
    assert "preview" not in w.coverage_plot.plot.titleLabel.text
    sats1 = np.array(w.coverage_plot.sats.yData, dtype=float)
    assert sats1.mean() > sats0.mean() * 1.5  # twice the satellites, about twice as many in view
    assert w.analysis.last_refresh_s is not None


def test_invalid_edit_is_shown_inline_and_changes_nothing(make_window, small_mission):
    w = make_window(small_mission, start=False)
    before = w.doc.mission.model_dump(mode="json")
    w.editor.form.walker.setText("53:100/7/1")  # 100 is not a multiple of 7
    w.editor.form.walker.editingFinished.emit()
    assert w.editor.error.isVisible() or not w.editor.error.isHidden()
    assert "multiple" in w.editor.error.text()
    assert "ff5c5c" in w.editor.form.walker.styleSheet()
    assert w.doc.mission.model_dump(mode="json") == before
    assert w.doc.undo_stack.count() == 0


def test_undo_redo_round_trip(make_window, small_mission):
    from app import commands

    w = make_window(small_mission, start=False)
    doc = w.doc
    original = doc.mission.model_dump(mode="json")
    doc.edit_field(("constellations", 0, "altitude_km"), 600.0)
    w.editor.form.fields["sats_per_plane"].setValue(12)
    commands.add_entry(doc, "constellations")
    doc.edit_field(("constellations", 1, "isl"), "plus-grid")
    commands.add_entry(doc, "ground_stations")
    commands.remove_entry(doc, "ground_stations", 0)
    doc.edit_field(("name",), "Changed")
    final = doc.mission.model_dump(mode="json")
    assert final != original
    n = doc.undo_stack.count()
    assert n == 7
    for _ in range(n):
        doc.undo_stack.undo()
    assert doc.mission.model_dump(mode="json") == original
    assert not doc.is_dirty
    for _ in range(n):
        doc.undo_stack.redo()
    assert doc.mission.model_dump(mode="json") == final
    # The editor follows undo/redo
    assert w.editor.mission_name.text() == "Changed"
    assert w.editor.shell_list.count() == 2


def test_save_and_load_through_gui(make_window, small_mission, tmp_path):
    w = make_window(small_mission, start=False)
    w.doc.edit_field(("constellations", 0, "altitude_km"), 612.0)
    assert w.doc.is_dirty and w.isWindowModified()
    target = tmp_path / "saved mission.yaml"
    w.files.ask_save_path = lambda *a, **k: str(target)
    assert w.files.save_as_dialog()
    assert target.exists() and not w.doc.is_dirty and w.doc.path == target
    assert str(target.resolve()) in w.files.recent_files()
    saved = w.doc.mission.model_dump(mode="json")
    w.files.new_from_preset("three-body")
    assert w.doc.mission.model_dump(mode="json") != saved
    w.files.ask_open_path = lambda: str(target)
    assert w.files.open_dialog()
    assert w.doc.mission.model_dump(mode="json") == saved
    assert w.doc.path == target and not w.doc.is_dirty


def test_bad_file_shows_messages_and_changes_nothing(make_window, small_mission, tmp_path):
    w = make_window(small_mission, start=False)
    w.doc.edit_field(("name",), "Work in progress")
    before = w.doc.mission.model_dump(mode="json")
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: bad\nepoch: '2026-03-20T00:00:00Z'\n"
                   "constellations:\n  - name: s\n    walker: '53:10/2/1'\n    altitude_km: 100\n")
    w.files.ask_open_path = lambda: str(bad)
    assert not w.files.open_dialog()
    box = w.files.problem_dialog
    assert box is not None and box.isVisible()
    assert "altitude_km" in box.informativeText()
    assert w.doc.mission.model_dump(mode="json") == before and w.doc.is_dirty
    box.close()


def test_cancel_a_long_computation(make_window, small_mission, qtbot):
    from core import api

    w = make_window(small_mission, start=False)
    big = api.load_preset("starlink-shell-1")  # 1,584 satellites over a day
    with qtbot.waitSignal(w.runner.started, timeout=10_000):
        w.doc.reset(big, None)
        w.analysis.recompute()
    assert w.analysis.cancel_button.isVisible()
    with qtbot.waitSignal(w.runner.cancelled, timeout=120_000):
        qtbot.mouseClick(w.analysis.cancel_button, Qt.MouseButton.LeftButton)
    assert "cancelled" in w.analysis.stage_label.text().lower()
    assert not w.analysis.progress.isVisible()


def test_newest_edit_cancels_older_work(make_window, small_mission, qtbot, wait_full):
    w = make_window(small_mission, start=False)
    first = w.analysis.recompute()
    with qtbot.waitSignal(w.runner.cancelled, timeout=120_000, check_params_cb=lambda g: g == first):
        w.doc.edit_field(("constellations", 0, "planes"), 3)
        w.analysis.recompute()
    wait_full(w)
    assert w.results.ephemeris.n_sat == 30


def test_pick_a_satellite(make_window, small_mission, wait_full, qtbot):
    w = make_window(small_mission)
    wait_full(w)
    w.timebar.set_time(0.0)
    qtbot.wait(50)
    xy = w.globe.screen_positions()
    eye = w.globe.camera_position()
    size = w.globe.canvas.size
    hidden = hidden_behind_earth(eye, w.globe._pos)
    visible = [k for k in range(len(xy)) if not hidden[k] and 5 < xy[k, 0] < size[0] - 5 and 5 < xy[k, 1] < size[1] - 5]
    assert visible
    k = min(visible, key=lambda j: np.linalg.norm(w.globe._pos[j] - eye))
    with qtbot.waitSignal(w.globe.satellitePicked, timeout=5000) as sig:
        qtbot.mouseClick(w.globe.canvas.native, Qt.MouseButton.LeftButton, pos=QPoint(int(xy[k, 0]), int(xy[k, 1])))
    picked = sig.args[0]
    assert picked >= 0
    name = w.results.ephemeris.names[picked]
    assert name in w.details.labels["name"].text()
    assert "km" in w.details.labels["altitude"].text()
    assert w.details.labels["state"].text() in ("☀ sunlit", "● eclipse")
    assert w.globe.footprint.line.visible
    # a click on empty space clears the selection
    with qtbot.waitSignal(w.globe.satellitePicked, timeout=5000) as sig:
        qtbot.mouseClick(w.globe.canvas.native, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert sig.args[0] == -1


def test_layout_is_saved_and_restored(make_window, small_mission):
    w = make_window(small_mission, start=False)
    w.docks["mapDock"].hide()
    w.close()
    w2 = make_window(small_mission, start=False)
    assert not w2.docks["mapDock"].isVisible()
    assert w2.docks["editorDock"].isVisible()


def test_autosave_and_recovery(make_window, small_mission):
    from app.main import recover

    w = make_window(small_mission, start=False)
    assert w.files.autosave() is None  # nothing unsaved
    w.doc.edit_field(("name",), "Unsaved work")
    path = w.files.autosave()
    assert path is not None and path.exists()
    w2 = make_window(small_mission, start=False)
    assert recover(w2)
    assert w2.doc.mission.name == "Unsaved work" and w2.doc.is_dirty


def test_time_bar_moves_everything(make_window, small_mission, wait_full, qtbot):
    w = make_window(small_mission)
    wait_full(w)
    pos0 = w.globe._pos.copy()
    w.timebar.set_time(1800.0)
    assert w.timebar.utc.text().startswith("2026-03-20T00:30:00Z")
    assert abs(w.coverage_plot.cursor.value() - 0.5) < 1e-9
    assert not np.allclose(pos0, w.globe._pos)
    w.timebar.set_speed(3600)
    w.timebar.play(True)
    qtbot.wait(300)
    w.timebar.play(False)
    assert w.timebar.current != 1800.0


def test_budgets_and_plots_show_results(make_window, small_mission, wait_full):
    w = make_window(small_mission)
    wait_full(w)
    t = w.budgets.table
    assert t.columnCount() == len(w.doc.mission.constellations)
    values = [t.item(r, 0).text() for r in range(t.rowCount())]
    assert sum(v != "—" for v in values) >= 10
    assert len(w.latency_plot.curve.yData) == w.results.network.n_time
    assert len(w.power_plot.curve.yData) > 10
    assert w.map.heat.image is not None


def test_screenshot_is_not_blank(tmp_path):
    from PIL import Image

    from app.main import render_screenshot
    from core import api

    m = api.load_preset("default")
    m = m.model_copy(update={"analysis": m.analysis.model_copy(update={"duration_s": 3600.0})})
    mission_file = tmp_path / "m.yaml"
    api.save_mission(m, mission_file)
    out = render_screenshot(str(mission_file), tmp_path / "shot.png", "2026-03-20T00:30:00Z", "1280x800")
    img = np.asarray(Image.open(out).convert("RGB")).astype(float)
    assert img.shape[1] >= 1280
    assert img.std() > 20
    h, wd = img.shape[:2]
    centre = img[h // 3: 2 * h // 3, wd // 3: 2 * wd // 3]
    assert centre.std() > 15  # the globe (not a flat background) is drawn


def test_opening_a_mission_runs_the_analysis_once(make_window, small_mission, tmp_path, qtbot):
    """new_from_preset / open_file: the document reset triggers the one analysis run (none extra)."""
    from core import api
    from app.analysis_controller import DEBOUNCE_MS

    w = make_window(small_mission, start=False)
    path = tmp_path / "small.yaml"
    api.save_mission(small_mission, path)

    before = w.runner.generation
    assert w.files.open_file(path)
    assert w.runner.generation == before + 1
    before = w.runner.generation
    assert w.files.new_from_preset("three-body")
    assert w.runner.generation == before + 1

    # Right after an edit (its debounce still running) an open is computed at once, and once.
    w.doc.edit_field(("constellations", 0, "altitude_km"), 612.0)
    assert w.analysis.debounce.isActive()
    before = w.runner.generation
    assert w.files.open_file(path)
    assert w.runner.generation == before + 1
    qtbot.wait(DEBOUNCE_MS + 200)
    assert w.runner.generation == before + 1
