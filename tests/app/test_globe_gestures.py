"""Gestures on the 3-D globe: simulated mouse events on the GL window make the expected undoable edits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(scope="module")
def analysed():
    """The default preset (an LTAN-placed SSO star shell, 6 planes) and a Walker twin placed by raan0_deg
    with a second, small shell higher up, analysed once for the module over 20 minutes."""
    from app.globe.prepare import prepare_view
    from app.workers import run_analysis
    from core import api

    m = api.load_preset("default")
    m = m.model_copy(update={"analysis": m.analysis.model_copy(update={"duration_s": 1200.0, "step_s": 60.0})})
    shell = m.constellations[0].model_copy(update={"ltan_h": None, "raan0_deg": 20.0, "inclination_deg": 60.0})
    high = shell.model_copy(update={"name": "high", "altitude_km": 1500.0, "planes": 2, "sats_per_plane": 4,
                                    "phasing": 0, "inclination_deg": 30.0, "pattern": "delta"})
    walker = m.model_copy(update={"constellations": [shell, high]})
    return {"ltan": (m, prepare_view(run_analysis(m, None))), "raan": (walker, prepare_view(run_analysis(walker, None)))}


@pytest.fixture
def globe_doc(qtbot, analysed):
    from app.document import MissionDocument
    from app.globe.canvas import GlobeView
    from app.globe.gestures import GlobeGestures
    from app.main import make_app

    make_app()
    made = []

    def make(kind: str):
        mission, view = analysed[kind]
        doc = MissionDocument(mission)
        g = GlobeView(size=(640, 480))
        qtbot.addWidget(g)
        g.resize(640, 480)
        g.show()
        qtbot.waitExposed(g)
        qtbot.waitUntil(g.canvas.native.isExposed)
        g.set_view(view)
        gestures = GlobeGestures(g, doc)
        made.append((g, doc))
        return g, doc, gestures

    yield make
    for g, doc in made:
        doc.undo_stack.cleanChanged.disconnect()
        g.canvas.close()


def _pt(xy) -> QPoint:
    return QPoint(round(float(xy[0])), round(float(xy[1])))


def _visible_ring_point(g, gestures, shell: int, plane: int) -> np.ndarray:
    """Screen pixel of a visible vertex of a plane's ring, away from the other rings."""
    from app.globe.occlusion import hidden_behind_earth
    from app.globe.orbits import turned

    o = g.orbits
    pts = turned(o.positions, o.drift, g.t)
    xy = g.project(pts)
    mine = (gestures._vertex_shell == shell) & (gestures._vertex_track == plane)
    ok = mine & ~hidden_behind_earth(g.camera_position(), pts)
    best, best_gap = None, -1.0
    for v in np.nonzero(ok)[0]:
        others = xy[~mine]
        gap = float(np.min(np.hypot(*(others - xy[v]).T)))
        inside = 20 < xy[v, 0] < 620 and 20 < xy[v, 1] < 460
        if inside and gap > best_gap:
            best, best_gap = v, gap
    assert best is not None and best_gap > 8.0
    return xy[best]


def _select_plane(qtbot, g, gestures, plane: int) -> None:
    xy = _visible_ring_point(g, gestures, 0, plane)
    qtbot.mouseClick(g.canvas.native, LEFT, NONE, _pt(xy))
    assert gestures.selected == (0, plane)


def _drag(qtbot, g, start, end, modifier=NONE, steps: int = 6, during=None) -> None:
    w = g.canvas.native
    qtbot.mousePress(w, LEFT, modifier, _pt(start))
    for k in range(1, steps + 1):
        qtbot.mouseMove(w, _pt(np.asarray(start) + (np.asarray(end) - np.asarray(start)) * k / steps))
        qtbot.wait(15)  # vispy drops a move that comes within 10 ms of the last one
    if during is not None:
        during()
    qtbot.mouseRelease(w, LEFT, modifier, _pt(end))


def _node_turned_px(g, gestures, delta_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """The selected plane's node handle on screen, and where it goes turned east by ``delta_deg``."""
    from app.globe.gesture_geometry import rotate_z
    from app.globe.occlusion import hidden_behind_earth

    node = gestures._visible_node()
    assert node is not None
    ends = np.vstack([node, rotate_z(node[None, :], delta_deg)])
    assert not hidden_behind_earth(g.camera_position(), ends).any()
    a, b = g.project(ends)
    return a, b


def _plane_with_node_in_view(g, gestures, delta_deg: float) -> int:
    """A plane of shell 0 whose ascending node is in view before and after turning by ``delta_deg``."""
    from app.globe.gesture_geometry import ascending_node, rotate_z
    from app.globe.occlusion import hidden_behind_earth
    from app.globe.orbits import turned

    o = g.orbits
    for plane in range(int(gestures._vertex_track.max()) + 1):
        idx = np.nonzero((gestures._vertex_shell == 0) & (gestures._vertex_track == plane))[0]
        node = ascending_node(turned(o.positions[idx], o.drift[idx], g.t))
        ends = np.vstack([node, rotate_z(node[None, :], delta_deg)])
        xy = g.project(ends)
        if not hidden_behind_earth(g.camera_position(), ends).any() and np.all((xy > 30) & (xy < [610, 450])):
            return plane
    raise AssertionError("no plane's node is in view")


def test_clicking_a_ring_selects_its_plane_and_highlights_it(qtbot, globe_doc):
    g, doc, gestures = globe_doc("ltan")
    picked = []
    gestures.shellSelected.connect(picked.append)
    plane = 2
    _select_plane(qtbot, g, gestures, plane)
    assert picked == [0]
    rgba = g.orbits.colors
    mine = (gestures._vertex_shell == 0) & (gestures._vertex_track == plane)
    assert gestures.handle.visible
    assert np.allclose(rgba[mine], 1.0)  # the plane is white
    assert np.allclose(rgba[~mine, 3], 0.8) and np.allclose(g.orbits.base_rgba[:, 3], 0.35)  # its shell brighter
    # clicking empty sky clears the selection; nothing was edited
    qtbot.mouseClick(g.canvas.native, LEFT, NONE, QPoint(5, 5))
    assert gestures.selected is None and not gestures.handle.visible
    assert doc.undo_stack.count() == 0


def test_clicking_a_satellite_selects_its_plane(qtbot, globe_doc):
    from app.globe.occlusion import hidden_behind_earth

    g, _doc, gestures = globe_doc("raan")
    xy = g.screen_positions()
    seen = ~hidden_behind_earth(g.camera_position(), g._pos)
    inside = np.all((xy > 20) & (xy < [620, 460]), axis=1)
    first_shell = np.arange(len(xy)) < 60
    lonely = [s for s in np.nonzero(seen & inside & first_shell)[0] if np.sort(np.hypot(*(xy - xy[s]).T))[1] > 20]
    sat = int(lonely[0])
    qtbot.mouseClick(g.canvas.native, LEFT, NONE, _pt(xy[sat]))
    assert g.selected == sat
    assert gestures.selected == (0, sat // 10)  # 10 satellites a plane


def test_the_editor_and_the_globe_follow_each_other(qtbot, globe_doc):
    from types import SimpleNamespace

    from app.globe.gestures import install_globe_gestures
    from app.panels.editor import ConstellationEditor

    g, doc, plain = globe_doc("raan")
    plain.deleteLater()  # this test wires its own, as the main window does
    g.canvas.events.mouse_press.disconnect(plain._on_press)
    g.canvas.events.mouse_release.disconnect(plain._on_release)
    g.canvas.events.mouse_move.disconnect(plain._on_move)
    editor = ConstellationEditor(doc)
    qtbot.addWidget(editor)
    said = []
    gestures = install_globe_gestures(SimpleNamespace(globe=g, doc=doc, editor=editor, status=said.append))
    gestures._view_changed()
    plane = 1
    qtbot.mouseClick(g.canvas.native, LEFT, NONE, _pt(_visible_ring_point(g, gestures, 1, plane)))
    assert gestures.selected == (1, plane)
    assert editor.current_shell == 1 and editor.shell_list.currentRow() == 1
    assert editor.form.fields["name"].text() == "high"  # the form follows the selection
    editor.shell_list.setCurrentRow(0)  # the editor's choice highlights that shell on the globe
    assert gestures.selected == (0, None)
    assert np.allclose(g.orbits.colors[gestures._vertex_shell == 0, 3], 0.8)
    assert np.allclose(g.orbits.colors[gestures._vertex_shell == 1, 3], 0.35)


def test_dragging_a_node_turns_a_walker_shell_and_undo_restores(qtbot, globe_doc):
    from app.document import mission_to_dict
    from app.globe.gesture_geometry import rotate_z

    g, doc, gestures = globe_doc("raan")
    before = mission_to_dict(doc.mission)
    _select_plane(qtbot, g, gestures, _plane_with_node_in_view(g, gestures, 25.0))
    start, end = _node_turned_px(g, gestures, 25.0)
    base = g.data.positions_eci(g.t).astype(float)
    seen = {}

    def during():  # mid-drag: the document waits; the satellites and rings are turned, nothing computed
        seen["count"] = doc.undo_stack.count()
        seen["doc"] = mission_to_dict(doc.mission)
        seen["pos"] = g._pos.astype(float).copy()
        seen["delta"] = gestures.drag.delta_deg

    _drag(qtbot, g, start, end, during=during)
    assert seen["count"] == 0 and seen["doc"] == before
    assert abs(seen["delta"] - 25.0) < 1.0
    first = g.data.shell_index == 0
    assert np.allclose(seen["pos"][first], rotate_z(base[first], seen["delta"]), atol=1e-5)  # a RAAN change turns each orbit
    assert np.array_equal(seen["pos"][~first], base[~first])  # the other shell stays
    assert doc.undo_stack.count() == 1
    raan = doc.mission.constellations[0].raan0_deg
    assert abs(raan - (20.0 + 25.0)) < 1.0
    assert g.preview_positions is not None  # the preview stays until the new analysis arrives
    doc.undo_stack.undo()
    assert mission_to_dict(doc.mission) == before


def test_dragging_an_ltan_shell_sets_its_local_time(qtbot, globe_doc):
    from app.document import mission_to_dict

    g, doc, gestures = globe_doc("ltan")
    before = mission_to_dict(doc.mission)
    _select_plane(qtbot, g, gestures, _plane_with_node_in_view(g, gestures, -30.0))
    start, end = _node_turned_px(g, gestures, -30.0)  # 30 deg west: two hours earlier
    _drag(qtbot, g, start, end)
    entry = doc.mission.constellations[0]
    assert entry.raan0_deg == 0.0 and abs(entry.ltan_h - 8.5) < 0.07
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert mission_to_dict(doc.mission) == before


def test_shift_drag_raises_the_shell_and_is_clamped(qtbot, globe_doc):
    from app.document import mission_to_dict
    from app.globe.gestures import LOWEST_KM

    g, doc, gestures = globe_doc("raan")
    before = mission_to_dict(doc.mission)
    _select_plane(qtbot, g, gestures, 0)
    start = _visible_ring_point(g, gestures, 0, 0)
    km_per_px = gestures._km_per_px()
    radius = {}

    def during():
        v = (gestures._vertex_shell == 0)
        radius["ring"] = float(np.mean(np.linalg.norm(g.orbits.positions[v], axis=1)))
        radius["new_km"] = gestures.drag.new_altitude_km

    _drag(qtbot, g, start, start - np.array([0.0, 40.0]), SHIFT, during=during)
    alt = doc.mission.constellations[0].altitude_km
    assert alt == pytest.approx(550.0 + 40.0 * km_per_px, abs=km_per_px + 0.1)  # a pixel of rounding
    assert radius["ring"] == pytest.approx((6378.137 + radius["new_km"]) / 6378.137, rel=2e-3)  # the ring grew in the preview
    assert doc.undo_stack.count() == 1
    # far down: clamped at the model's floor
    g.set_view(g.data)
    gestures.select(0, 0)
    start = _visible_ring_point(g, gestures, 0, 0)
    _drag(qtbot, g, start, np.array([start[0], 475.0]), SHIFT)
    assert doc.mission.constellations[0].altitude_km == pytest.approx(LOWEST_KM)  # clamped at the model's floor
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert mission_to_dict(doc.mission) == before


def test_refused_drag_says_why_and_restores_the_rings(qtbot, globe_doc):
    from app.globe.gestures import GestureRefused, _Drag, set_shell_raan

    g, doc, gestures = globe_doc("raan")
    data = doc.as_dict()  # a set of custom satellites has no raan0_deg to turn
    data["constellations"].append({"name": "custom", "satellites": [{"name": "c1", "altitude_km": 700.0, "inclination_deg": 98.0}]})
    doc.replace_data(data, "add custom")
    with pytest.raises(GestureRefused, match="custom: its orbits come from satellites elements"):
        set_shell_raan(doc, 2, 10.0)
    said = []
    gestures.message.connect(said.append)
    gestures.drag = _Drag("raan", np.zeros(2), shell=0, delta_deg=40.0, moved=True)
    gestures._preview()  # the rings turned ...
    assert not np.allclose(g.orbits.positions, g.orbits.base_pos)
    gestures.drag = None
    count = doc.undo_stack.count()
    gestures._commit(_Drag("raan", np.zeros(2), shell=2, delta_deg=40.0, moved=True))  # ... onto the custom set
    assert said and "custom" in said[0] and doc.undo_stack.count() == count
    assert g.preview_positions is None and np.array_equal(g.orbits.positions, g.orbits.base_pos)


def test_shift_click_places_a_station_and_drag_moves_it(qtbot, globe_doc):
    from app.document import mission_to_dict
    from app.globe import gesture_geometry as gg

    g, doc, _gestures = globe_doc("raan")
    before = mission_to_dict(doc.mission)
    # the point of the Earth under the centre of the view
    centre = np.array([320.0, 240.0])
    hit = gg.ray_sphere(*g.ray_at(*centre))
    lat, lon = gg.lat_lon_deg(g.ecef_to_scene.T @ hit)
    qtbot.mouseClick(g.canvas.native, LEFT, SHIFT, _pt(centre))
    st = doc.mission.ground_stations[-1]
    assert len(doc.mission.ground_stations) == len(before["ground_stations"]) + 1
    assert st.lat_deg == pytest.approx(lat, abs=0.5) and st.lon_deg == pytest.approx(lon, abs=0.5)
    # drag it 30 px right: it lands where the ray through that pixel meets the Earth
    k = len(doc.mission.ground_stations) - 1
    start = g.project((gg.unit_ecef(st.lat_deg, st.lon_deg) * 1.001) @ g.ecef_to_scene.T)[0]
    end = start + np.array([30.0, 0.0])
    target = gg.lat_lon_deg(g.ecef_to_scene.T @ gg.ray_sphere(*g.ray_at(*_pt_xy(end))))
    count = doc.undo_stack.count()
    _drag(qtbot, g, start, end)
    assert doc.undo_stack.count() == count + 1
    moved = doc.mission.ground_stations[k]
    assert moved.lat_deg == pytest.approx(target[0], abs=0.05) and moved.lon_deg == pytest.approx(target[1], abs=0.05)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert mission_to_dict(doc.mission) == before


def _pt_xy(xy) -> tuple[float, float]:
    p = _pt(xy)
    return float(p.x()), float(p.y())


def test_window_editor_follows_and_nothing_is_computed_during_a_drag(qtbot, make_window, wait_full, small_mission):
    w = make_window(small_mission)
    wait_full(w)
    g, gestures = w.globe, w.globe_gestures
    qtbot.waitUntil(g.canvas.native.isExposed)
    w.editor.shell_list.setCurrentRow(0)
    plane = _plane_with_node_in_view(g, gestures, 20.0)
    xy = _visible_ring_point(g, gestures, 0, plane)
    qtbot.mouseClick(g.canvas.native, LEFT, NONE, _pt(xy))
    assert gestures.selected == (0, plane) and w.editor.current_shell == 0
    generation = w.runner.generation
    start, end = _node_turned_px(g, gestures, 20.0)
    seen = {}
    _drag(qtbot, g, start, end, steps=10, during=lambda: seen.setdefault("gen", w.runner.generation))
    assert seen["gen"] == generation  # no analysis ran while the mouse moved
    assert w.runner.generation == generation + 1  # one on release, as after a form edit
    ltan = w.doc.mission.constellations[0].ltan_h
    assert math.isclose(ltan, 10.5 + 20.0 / 15.0, abs_tol=0.07)
    assert w.editor.form.isEnabled()
    wait_full(w)
    assert g.preview_positions is None  # the new analysis replaced the preview


def test_ctrl_click_two_stations_adds_a_latency_pair(qtbot, globe_doc):
    from app.document import mission_to_dict
    from app.globe import gesture_geometry as gg
    from app.globe.occlusion import hidden_behind_earth

    g, doc, gestures = globe_doc("raan")
    before = mission_to_dict(doc.mission)
    # two new stations in front of the camera, under two pixels of the view
    for px in ((260.0, 240.0), (380.0, 260.0)):
        qtbot.mouseClick(g.canvas.native, LEFT, SHIFT, _pt(px))
    a, b = doc.mission.ground_stations[-2:]
    ends = [(gg.unit_ecef(s.lat_deg, s.lon_deg) * 1.001) @ g.ecef_to_scene.T for s in (a, b)]
    assert not hidden_behind_earth(g.camera_position(), np.array(ends)).any()
    ctrl = Qt.KeyboardModifier.ControlModifier
    gestures.select(0, 0)
    for end in ends:
        qtbot.mouseClick(g.canvas.native, LEFT, ctrl, _pt(g.project(end[None, :])[0]))
    assert [list(p) for p in doc.mission.latency_pairs][-1] == [a.name, b.name]
    assert gestures.selected == (0, 0)  # a Ctrl+click on a station leaves the selection alone
    for _ in range(3):
        doc.undo_stack.undo()
    assert mission_to_dict(doc.mission) == before
