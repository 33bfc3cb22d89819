"""Small things a user notices: the help's shortcuts, the pause button, labels at the limb, colours."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def test_f1_lists_only_bound_shortcuts(make_window, small_mission):
    from PySide6.QtGui import QAction, QKeySequence

    w = make_window(small_mission, start=False)
    from app.menus import shortcut_lines

    lines = shortcut_lines(w)
    bound = {a.shortcut().toString(QKeySequence.SequenceFormat.NativeText) for a in w.findChildren(QAction)} - {""}
    listed = {line.split("\t")[0] for line in lines}
    assert listed == bound
    assert "Ctrl+N" not in listed  # nothing is bound to it
    assert {"Ctrl+O", "Ctrl+S", "F5", "Space", "F1"} <= listed


def test_pause_button_shows_a_drawn_icon(qtbot):
    from app.main import make_app
    from app.panels.timebar import TimeBar

    make_app()
    bar = TimeBar()
    qtbot.addWidget(bar)
    bar.set_window(3600.0)
    play = bar.play_button.icon().pixmap(16, 16).toImage()
    bar.play(True)
    pause = bar.play_button.icon().pixmap(16, 16).toImage()
    bar.play(False)
    assert not pause.isNull() and pause != play  # an icon from the style, not a font glyph that may be missing
    assert bar.play_button.text() == ""


def test_labels_behind_the_earth_are_not_drawn():
    from vispy import scene

    from app.globe.stations import StationsAdapter

    class Place:
        def __init__(self, name, lon_deg):
            self.name, self.kind = name, "station"
            lon = np.radians(lon_deg)
            self.ecef_er = np.array([np.cos(lon), np.sin(lon), 0.0])

    class View:
        def __init__(self):
            self.ground = [Place("Near", 0.0), Place("Limb", 80.0), Place("Far", 180.0)]

    st = StationsAdapter(scene.Node())
    st.set_view(View())
    eye = np.array([5.0, 0.0, 0.0])  # looking at longitude 0 from 5 Earth radii
    assert st.cull(eye, np.eye(3)) == ["Near", "Limb"]
    # turn the Earth half a revolution: the far side faces the camera
    turn = np.diag([-1.0, -1.0, 1.0])
    assert st.cull(eye, turn) == ["Far"]
    assert st.labels._vshare.gl_state["depth_test"] is False  # a shown label is drawn whole, never cut by the globe


def test_links_and_orbit_tracks_differ_in_colour():
    from app.globe.links import LINK_RGBA
    from app.globe.prepare import SHELL_COLORS

    link = np.asarray(LINK_RGBA[:3])
    assert np.min(np.linalg.norm(SHELL_COLORS - link, axis=1)) > 0.25
