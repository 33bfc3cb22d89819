"""Gestures on the 2D map: simulated mouse events make the expected undoable edits, undo restores the mission."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

pytestmark = pytest.mark.gui


@pytest.fixture
def map_and_doc(qtbot, small_mission):
    from app.document import MissionDocument
    from app.plots.map2d import MapPanel
    from app.plots.map_gestures import install_map_gestures

    doc = MissionDocument(small_mission)
    panel = MapPanel()
    panel.resize(900, 500)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    gestures = install_map_gestures(panel, doc)
    yield panel, doc, gestures
    doc.undo_stack.cleanChanged.disconnect()  # the stack outlives the document's Python wrapper at teardown


def _px(gestures, lat, lon) -> QPoint:
    return gestures.to_pixel(lat, lon).toPoint()


def test_pixel_and_map_coordinates_round_trip(map_and_doc):
    _panel, _doc, g = map_and_doc
    lat, lon = g.to_map(_px(g, 40.0, -100.0))
    assert abs(lat - 40.0) < 0.6 and abs(lon + 100.0) < 0.6  # one pixel of a 900 px wide map is ~0.4 deg


def test_shift_click_places_a_station_and_undo_restores(qtbot, map_and_doc):
    panel, doc, g = map_and_doc
    before = doc.as_dict()
    qtbot.mouseClick(panel.widget.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, _px(g, -33.9, 18.4))
    stations = doc.mission.ground_stations
    assert len(stations) == len(before["ground_stations"]) + 1
    new = stations[-1]
    assert new.name == "Station 5" and abs(new.lat_deg + 33.9) < 0.6 and abs(new.lon_deg - 18.4) < 0.6
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.as_dict() == before


def test_dragging_a_station_moves_it_in_one_command(qtbot, map_and_doc):
    panel, doc, g = map_and_doc
    before = doc.as_dict()
    hb = doc.mission.ground_stations[2]  # Hartebeesthoek
    vp = panel.widget.viewport()
    start, end = _px(g, hb.lat_deg, hb.lon_deg), _px(g, 10.0, 40.0)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 6):  # several moves: only the marker follows, the document waits for the release
        qtbot.mouseMove(vp, start + (end - start) * k / 5)
    assert doc.undo_stack.count() == 0 and doc.as_dict() == before
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    moved = doc.mission.ground_stations[2]
    assert moved.name == hb.name and abs(moved.lat_deg - 10.0) < 0.6 and abs(moved.lon_deg - 40.0) < 0.6
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == f"Move station {hb.name}"
    doc.undo_stack.undo()
    assert doc.as_dict() == before
    doc.undo_stack.redo()
    assert doc.mission.ground_stations[2].lat_deg == moved.lat_deg


def test_ctrl_click_two_stations_adds_a_latency_pair(qtbot, map_and_doc):
    panel, doc, g = map_and_doc
    before = doc.as_dict()
    a, b = doc.mission.ground_stations[0], doc.mission.ground_stations[3]
    vp = panel.widget.viewport()
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, ctrl, _px(g, a.lat_deg, a.lon_deg))
    assert doc.undo_stack.count() == 0
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, ctrl, _px(g, b.lat_deg, b.lon_deg))
    assert [list(p) for p in doc.mission.latency_pairs][-1] == [a.name, b.name]
    doc.undo_stack.undo()
    assert doc.as_dict() == before


def test_alt_drag_draws_the_coverage_region(qtbot, map_and_doc):
    panel, doc, g = map_and_doc
    before = doc.as_dict()
    vp = panel.widget.viewport()
    alt = Qt.KeyboardModifier.AltModifier
    start, end = _px(g, 50.0, -10.0), _px(g, 30.0, 40.0)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, alt, start)
    qtbot.mouseMove(vp, (start + end) / 2)
    qtbot.mouseMove(vp, end)
    assert doc.undo_stack.count() == 0 and len(g.box.getData()[0]) == 5  # only the outline while drawing
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, alt, end)
    region = doc.mission.analysis.region
    assert abs(region.lat_min_deg - 30) < 0.6 and abs(region.lat_max_deg - 50) < 0.6
    assert abs(region.lon_min_deg + 10) < 0.6 and abs(region.lon_max_deg - 40) < 0.6
    assert doc.undo_stack.count() == 1
    outline = g.box.getData()[0]
    assert outline is None or len(outline) == 0  # the outline goes once the region is set
    doc.undo_stack.undo()
    assert doc.as_dict() == before and doc.mission.analysis.region is None


def test_alt_clicks_draw_a_polygon_region(qtbot, map_and_doc):
    panel, doc, g = map_and_doc
    before = doc.as_dict()
    vp = panel.widget.viewport()
    alt = Qt.KeyboardModifier.AltModifier
    corners = [(10.0, 0.0), (40.0, 20.0), (0.0, 50.0)]
    for lat, lon in corners:
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, alt, _px(g, lat, lon))
    assert doc.undo_stack.count() == 0 and len(g.box.getData()[0]) == 3  # the open outline, no edit yet
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, alt, _px(g, *corners[0]))  # back on the first point: closed
    polygon = doc.mission.analysis.region.polygon
    assert len(polygon) == 3
    for (lat, lon), (want_lat, want_lon) in zip(polygon, corners):
        assert abs(lat - want_lat) < 0.6 and abs(lon - want_lon) < 0.6
    assert doc.undo_stack.count() == 1 and g.polygon_points == []
    doc.undo_stack.undo()
    assert doc.as_dict() == before


def test_a_plain_click_drops_an_unfinished_polygon(qtbot, map_and_doc):
    panel, doc, g = map_and_doc
    vp = panel.widget.viewport()
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, alt, _px(g, 10.0, 0.0))
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, alt, _px(g, 20.0, 10.0))
    assert len(g.polygon_points) == 2
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _px(g, -60.0, 100.0))
    assert g.polygon_points == [] and doc.undo_stack.count() == 0
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, alt, _px(g, 10.0, 0.0))
    assert len(g.polygon_points) == 1
    qtbot.keyClick(panel.widget, Qt.Key.Key_Escape)  # Escape drops it too
    assert g.polygon_points == [] and doc.undo_stack.count() == 0
