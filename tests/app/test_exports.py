"""Exports run off the GUI thread: the window keeps responding, Cancel leaves nothing behind."""

from __future__ import annotations

import json
import threading
import time

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def runner(qtbot):
    from PySide6.QtWidgets import QWidget

    from app.exports import ExportRunner
    from app.main import make_app

    make_app()
    parent = QWidget()
    qtbot.addWidget(parent)
    r = ExportRunner(parent)
    yield r
    r.cancel()
    r.wait()


def _slow_writer(seconds: float, gate: threading.Event | None = None):
    def write(path):
        if gate is not None:
            gate.wait(10)
        time.sleep(seconds)
        path.write_text("done")

    return write


def test_export_runs_while_the_event_loop_keeps_turning(runner, qtbot, tmp_path):
    from PySide6.QtCore import QTimer

    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    target = tmp_path / "out" / "report.txt"
    with qtbot.waitSignal(runner.finished, timeout=10_000) as done:
        assert runner.start("Writing", _slow_writer(0.6), target, "written")
        assert runner.is_running()
    timer.stop()
    assert done.args == ["written"]
    assert target.read_text() == "done"
    assert len(ticks) >= 10  # the GUI thread ran its timer during the 0.6 s write
    assert [p.name for p in target.parent.iterdir()] == ["report.txt"]  # no staging folder left


def test_cancel_leaves_the_target_untouched(runner, qtbot, tmp_path):
    target = tmp_path / "x.czml"
    target.write_text("old")
    gate = threading.Event()
    assert runner.start("Writing", _slow_writer(0.1, gate), target, "written")
    assert not runner.start("Again", _slow_writer(0.0), tmp_path / "y", "no")  # one at a time
    with qtbot.waitSignal(runner.cancelled, timeout=10_000):
        runner.cancel()
        gate.set()
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.czml"]


def test_a_failing_writer_reports_its_message(runner, qtbot, tmp_path):
    def broken(path):
        raise OSError("disk full")

    with qtbot.waitSignal(runner.failed, timeout=10_000) as failed:
        runner.start("Writing", broken, tmp_path / "r.pdf", "written")
    assert failed.args == ["disk full"]
    assert list(tmp_path.iterdir()) == []


def test_czml_export_from_the_window(make_window, small_mission, wait_full, qtbot, tmp_path):
    w = make_window(small_mission)
    wait_full(w)
    target = tmp_path / "m.czml"
    w.files.ask_save_path = lambda *a, **k: str(target)
    with qtbot.waitSignal(w.files.exports.finished, timeout=60_000):
        w.files.export_dialog("czml")
        assert w.files.exports.is_running()  # returned at once: the write goes on in the background
    doc = json.loads(target.read_text())
    assert doc[0]["id"] == "document"
    assert sum(1 for p in doc if "position" in p) >= w.results.ephemeris.n_sat  # satellites (and stations)


def test_results_json_export_from_the_window(make_window, small_mission, wait_full, qtbot, tmp_path):
    w = make_window(small_mission, start=False)
    asked = []
    w.files.ask_save_path = lambda *a, **k: asked.append(a) or str(tmp_path / "r.json")
    w.files.export_results_dialog()
    assert asked == []  # nothing is shown yet: nothing to export, no prompt
    w.analysis.recompute()
    wait_full(w)
    with qtbot.waitSignal(w.files.exports.finished, timeout=60_000) as done:
        w.files.export_results_dialog()
    assert asked and asked[0][2] == ".json"
    assert done.args == [f"Results written to {tmp_path / 'r.json'}"]
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["mission"]["name"] == small_mission.name
    assert doc["mission"]["satellites"] == w.results.ephemeris.n_sat and doc["mission"]["duration_s"] == 7200.0
