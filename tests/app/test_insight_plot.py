"""The insight plot's title says in words when a path cannot keep up, with the engine's growth figure."""

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
    assert f"ground: cannot keep up (+{trad['backlog_growth_gbit_per_day'] / 1000:,.0f} Tbit/day)" in title
    assert "undelivered" not in title
