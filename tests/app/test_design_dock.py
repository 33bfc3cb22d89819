"""The requirements dock: load a requirements file, search off the GUI thread, open the best design."""

from __future__ import annotations

import threading

import pytest
import yaml

pytestmark = pytest.mark.gui

TINY = {
    "schema": "starnet.requirements/1",
    "name": "tiny",
    "base": "default",
    "analysis": {"duration_s": 7200, "step_s": 120, "coverage_grid_deg": 6},
    "requirements": {"coverage": {"region": {"lat_min_deg": -30, "lat_max_deg": 30}, "min_elevation_deg": 5}},
    "design_space": {"altitude_km": [1500], "inclination_deg": [45], "planes": {"min": 5, "max": 6},
                     "sats_per_plane": {"min": 3, "max": 5}, "bus": ["eo-orin"]},
    "objective": "satellites",
}


def test_dock_designs_off_the_gui_thread_and_opens_the_best(qtbot, tmp_path):
    from app.panels.design_dock import DesignDock

    dock = DesignDock()
    qtbot.addWidget(dock)
    assert dock.objectName() == "designDock" and not dock.run_button.isEnabled()
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**TINY, "design_space": {**TINY["design_space"], "bus": ["nope"]}}))
    assert not dock.load_requirements(bad)
    assert "bad.yaml: design_space.bus[0]" in dock.status.text() and not dock.run(workers=0)

    good = tmp_path / "tiny.yaml"
    good.write_text(yaml.safe_dump(TINY))
    assert dock.load_requirements(good) and dock.run_button.isEnabled()
    with qtbot.waitSignal(dock.designFinished, timeout=120_000) as blocker:
        assert dock.run(workers=0)  # the inline executor, inside the dock's worker thread
    outcome = blocker.args[0]
    dock.wait()
    assert dock.sweep.job.worker_thread_id not in (None, threading.get_ident())  # the search ran off the GUI thread
    assert outcome.best is not None and outcome.best.point.satellites == 24
    assert "Best: 45:24/6/1" in dock.report.toPlainText() and "Next smaller:" in dock.report.toPlainText()
    assert dock.open_best_button.isEnabled()
    with qtbot.waitSignal(dock.designChosen, timeout=2_000) as chosen:
        dock.open_best_button.click()
    shell = chosen.args[0]["constellations"][0]
    assert (shell["planes"], shell["sats_per_plane"], shell["phasing"]) == (6, 4, 1)
