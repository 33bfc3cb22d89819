"""The Trade study dock: build a study from the table, run it off the GUI thread, plot, pick a design."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_parse_values_forms():
    from app.panels.study_dock import parse_values

    assert parse_values("500, 550, 600") == {"values": [500, 550, 600]}
    assert parse_values("4:8:2") == {"start": 4, "stop": 8, "step": 2}
    assert parse_values("50..60 x3") == {"range": [50, 60], "count": 3}
    assert parse_values("none, plus-grid") == {"values": ["none", "plus-grid"]}
    with pytest.raises(ValueError):
        parse_values("4:8")


def test_dock_runs_a_study_and_emits_the_clicked_design(qtbot, small_mission):
    from app.panels.study_dock import TradeStudyDock
    from core.study.model import StudyError

    dock = TradeStudyDock()
    qtbot.addWidget(dock)
    assert dock.objectName() == "tradeStudyDock"
    dock.set_mission(small_mission)
    dock.set_parameters({"altitude_km": "500, 600", "planes": "foo:bar"})
    with pytest.raises(StudyError):
        dock.build_study()
    assert not dock.run(workers=0) and "parameters.planes" in dock.status.text()
    dock.set_parameters({"altitud_km": "500, 600"})
    assert not dock.run(workers=0) and "is not a mission field" in dock.status.text()

    dock.set_parameters({"altitude_km": "500, 600"})
    with qtbot.waitSignal(dock.studyFinished, timeout=90_000) as blocker:
        assert dock.run(workers=0)  # in the worker thread, no processes
        assert dock.is_running() or blocker.signal_triggered
    outcome = blocker.args[0]
    assert len(outcome.table) == 2 and (outcome.table.status == "ok").all()
    assert dock.outcome is outcome
    dock.set_axes("coverage.mean_percent", "cost[*].constellation_usd", "max", "min")
    assert len(dock.points.data) == 2
    front = dock.front_rows()
    assert front and len(dock.front_points.data) == len(front)
    with qtbot.waitSignal(dock.designChosen, timeout=2_000) as chosen:
        dock.choose_row(1)
    assert chosen.args[0]["constellations"][0]["altitude_km"] == 600
    assert chosen.args[0]["analysis"]["duration_s"] == 7200  # the quick window the study ran with
    dock.wait()
    assert not dock.is_running() and dock.run_button.isEnabled()


def test_axis_titles_carry_units():
    from app.panels.study_dock import axis_title

    assert axis_title("altitude_km") == "altitude [km]"
    assert axis_title("coverage.mean_percent") == "coverage mean [%]"
    assert axis_title("cost[*].constellation_usd") == "cost constellation [USD]"
    assert axis_title("planes") == "planes"


def test_money_axes_are_scaled_to_readable_units():
    import numpy as np

    from app.panels.study_dock import scaled

    values, title = scaled(np.array([5.3e6, 8.0e6, np.nan]), "cost constellation [USD]")
    assert title == "cost constellation [M$]" and np.allclose(values[:2], [5.3, 8.0])
    same, km = scaled(np.array([500.0, 600.0]), "altitude [km]")
    assert km == "altitude [km]" and np.allclose(same, [500.0, 600.0])
