"""The shell form shows the document's values (never a fallback), and budgets keep their digits."""

from __future__ import annotations

import pytest

from app.panels.budgets import significant
from app.panels.shell_values import shown_shell
from core import api
from core.mission.io import mission_to_dict


def _entry(preset: str, k: int = 0):
    m = api.load_preset(preset)
    return mission_to_dict(m)["constellations"][k], m


@pytest.mark.parametrize("value, text", [(1.5, "1.5"), (0.55, "0.55"), (0.33, "0.33"), (275.4, "275"), (35.63, "35.6"),
                                         (1.0213, "1.02"), (12345.6, "12,346"), (0.0, "0"), (120.0, "120"), (-23.44, "-23.4")])
def test_budget_figures_keep_significant_digits(value, text):
    assert significant(value) == text


def test_custom_satellite_shows_its_own_altitude():
    entry, m = _entry("starcloud-1")
    v = shown_shell(entry, m.epoch).values
    assert v["altitude_km"] == 325.0  # the preset's orbit, not a 550 km fallback
    assert v["inclination_deg"] == 53.0
    assert v["planes"] is None and v["ltan_h"] is None


def test_sso_shell_shows_the_sun_synchronous_inclination():
    entry, m = _entry("default")
    v = shown_shell(entry, m.epoch).values
    # Published: a circular sun-synchronous orbit at 550 km is inclined about 97.6 deg.
    assert v["sso"] and v["inclination_deg"] == pytest.approx(97.6, abs=0.05)


def test_ltan_sets_the_raan_shown_for_a_cluster():
    entry, m = _entry("suncatcher")
    shown = shown_shell(entry, m.epoch)
    # Dawn-dusk (LTAN 06:00) at the March equinox: the Sun's right ascension is ~0 deg, so the
    # ascending node sits ~90 deg west of it, near 270 deg (269 with the Sun just short of 0).
    assert shown.values["raan0_deg"] == pytest.approx(269.4, abs=0.6)
    assert "raan0_deg" not in shown.editable and "LTAN" in shown.notes["raan0_deg"]
    assert {"altitude_km", "ltan_h", "sso"} <= shown.editable  # the cluster's reference orbit can be edited


@pytest.fixture
def editor(qtbot):
    from app.document import MissionDocument
    from app.main import make_app
    from app.panels.editor import ConstellationEditor

    make_app()

    def make(preset: str) -> ConstellationEditor:
        ed = ConstellationEditor(MissionDocument(api.load_preset(preset), None))
        qtbot.addWidget(ed)
        return ed

    return make


def test_form_after_another_mission_shows_no_stale_inclination(editor):
    from app.panels.editor import ShellForm

    form = ShellForm()
    starlink, m1 = _entry("starlink-shell-1")
    form.load(starlink, [], m1.epoch)
    assert form.fields["inclination_deg"].value() == pytest.approx(53.0)
    sso, m2 = _entry("default")
    form.load(sso, [], m2.epoch)
    assert form.fields["inclination_deg"].value() == pytest.approx(97.59, abs=0.01)
    assert not form.fields["inclination_deg"].isEnabled()
    starcloud, m3 = _entry("starcloud-1")
    form.load(starcloud, [], m3.epoch)
    assert form.fields["altitude_km"].value() == pytest.approx(325.0)
    assert form.fields["planes"].text() == "—"  # not a Walker shell: nothing invented


def test_too_low_altitude_is_refused_with_a_message(editor):
    ed = editor("starlink-shell-1")
    box = ed.form.fields["altitude_km"]
    box.setValue(150.0)
    assert box.value() == pytest.approx(150.0)  # the box takes it; the engine says why not
    assert ed.error.isVisibleTo(ed) and "160" in ed.error.text()
    assert ed.doc.mission.constellations[0].altitude_km == pytest.approx(550.0)


def test_validation_message_goes_when_the_walker_text_is_put_back(editor):
    ed = editor("starlink-shell-1")
    good = ed.form.walker.text()
    ed.form.walker.setText("53:100/7/1")  # 100 is not a multiple of 7
    ed.form.walker.editingFinished.emit()
    assert ed.error.isVisibleTo(ed)
    ed.form.walker.setText(good)
    ed.form.walker.editingFinished.emit()
    assert not ed.error.isVisibleTo(ed)


@pytest.mark.parametrize("size", [(420, 180), (300, 420), (600, 300)])
def test_map_shows_the_whole_world_at_any_dock_shape(qtbot, size):
    from app.main import make_app
    from app.plots.map2d import MapPanel

    make_app()
    panel = MapPanel()
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(20)
    (x0, x1), (y0, y1) = panel.plot.vb.viewRange()
    assert y0 <= -90 and y1 >= 90, (y0, y1)
    assert x0 <= -180 and x1 >= 180, (x0, x1)
    w, h = panel.plot.vb.width(), panel.plot.vb.height()
    assert (x1 - x0) / w == pytest.approx((y1 - y0) / h, rel=0.02)  # a degree is as long in x as in y
