"""The globe's first frame builds every layer's shaders, so a mission's first view builds none.

vispy writes and compiles a visual's program on the visual's first draw; on software OpenGL that
was 0.3-0.6 s on the GUI thread when a globe drew its first data (benchmarks/globe_scale.py
measures it). Here the builds are counted: none when the first data is drawn, and the warm-up
leaves nothing on screen.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def small_view():
    from app.globe.prepare import prepare_ephemeris_view
    from core import api
    from core.orbits.ephemeris import build_ephemeris

    mission = api.load_preset("default")
    return prepare_ephemeris_view(build_ephemeris(mission, None, lazy=True), mission)


def test_the_first_data_builds_no_shader_and_the_warm_up_leaves_nothing_drawn(qtbot, monkeypatch, small_view):
    from vispy.visuals.shaders.program import ModularProgram

    from app.globe.canvas import GlobeView
    from app.main import make_app

    builds: list[str] = []
    build = ModularProgram._build

    def counted(self):
        builds.append(self.vert.name if hasattr(self.vert, "name") else "?")
        return build(self)

    monkeypatch.setattr(ModularProgram, "_build", counted)
    make_app()
    g = GlobeView(size=(640, 480))
    g.resize(640, 480)
    qtbot.addWidget(g)
    g.show()
    qtbot.waitUntil(g.canvas.native.isExposed)
    g.repaint_now()
    assert g.warmed_up and len(builds) >= 10  # the Earth and every layer, on the empty globe's first frame
    assert all(v == 0 for v in g.layer_vertices().values())  # the warm-up's items are gone
    hidden = (g.density, g.satellites.selected, g.route.line, g.route.ends, g.footprint.line, g.stations.stations,
              g.stations.cities, g.stations.labels, g.links.loaded)
    assert not any(v.visible for v in hidden)
    assert g.satellites.markers.shared_program["a_position"].size == 0
    builds.clear()
    g.set_view(small_view)
    assert g.settle(60)
    g.select(int(np.argmax(small_view.shell_index == 0)))  # the selected ring marker and the footprint too
    g.repaint_now()
    assert g.layer_vertices()["points"] > 0 and g.stations.labels.visible and g.footprint.line.visible
    assert builds == []  # nothing written or compiled when the data came
    g.frames.close()
    g.canvas.close()


def test_data_before_the_first_frame_is_drawn_as_it_is(qtbot, small_view):
    """A view handed over before the globe's first frame: that frame draws the data (the warm-up stands
    aside, and clears nothing)."""
    from app.globe.canvas import GlobeView
    from app.main import make_app

    make_app()
    g = GlobeView(size=(640, 480))
    g.resize(640, 480)
    qtbot.addWidget(g)
    g.set_view(small_view)
    g.show()
    qtbot.waitUntil(g.canvas.native.isExposed)
    assert g.settle(60)
    g.repaint_now()
    g.repaint_now()
    drawn = g.layer_vertices()
    assert drawn["points"] > 0 and g.stations.labels.text  # satellites and station labels still there
    g.frames.close()
    g.canvas.close()
