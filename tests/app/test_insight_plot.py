"""The insight plot says in words when a path cannot keep up; its tooltip gives the engine's reason and growth."""

from __future__ import annotations

from app.plots.insight import InsightPlot
from core.api import analyze, load_preset
from core.catalog.presets import preset_path


def test_title_says_the_downlink_cannot_keep_up(qtbot):
    mission = load_preset("default")
    mission.analysis.duration_s = 3 * 3600.0
    results = analyze(mission, preset_path("default").parent)
    trad = results.insight.to_json()["traditional"]
    assert trad["stable"] is False  # the default imager out-produces one antenna per station
    plot = InsightPlot()
    qtbot.addWidget(plot)
    plot.set_results(results)
    title = plot.plot.titleLabel.text
    assert "ground: can't keep up" in title and "undelivered" not in title
    assert trad["reason"].startswith("the downlink cannot keep up")
    assert f"ground: {trad['reason']}" in plot.toolTip()  # the engine's words, growth figure included
