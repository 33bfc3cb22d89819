"""Direct manipulation on the 2D map: every gesture is one undoable edit of the mission.

* **Shift+click** an empty spot: place a ground station there (``Station k``; edit its fields in
  the form afterwards).
* **Drag** a station marker: move it. While dragging only the marker moves (nothing is computed);
  on release one command sets the station's latitude and longitude, and the analysis starts as
  after a form edit.
* **Ctrl+click** one station, then another: add the latency pair between them.
* **Alt+drag**: draw a box; on release it becomes the coverage region (``analysis.region``).
* **Alt+click** points one after another: draw a polygon; Alt+click its first point again (at
  least three points) to close it, and it becomes the coverage region (``region.polygon``).
  Escape, or a plain click, drops an unfinished polygon.

The document's stations are the source of truth for hit-testing (not what was last drawn), so a
gesture always acts on the mission as it is. :func:`install_map_gestures` attaches the gestures
to a :class:`~app.plots.map2d.MapPanel` and a :class:`~app.document.MissionDocument`.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt

from app.commands import add_entry
from app.document import EditError

HIT_RADIUS_PX = 10.0
"""How close (in screen pixels) a press must be to a station marker to grab it."""


class MapGestures(QObject):
    """Mouse gestures on ``panel``'s map that edit ``doc`` (see the module docstring)."""

    def __init__(self, panel, doc, parent: QObject | None = None):
        super().__init__(parent or panel)
        self.panel, self.doc = panel, doc
        self._drag: int | None = None  # station index being dragged
        self._drag_to: tuple[float, float] | None = None
        self._pair_first: str | None = None
        self._box_from: tuple[float, float] | None = None
        self._box_to: tuple[float, float] | None = None
        self.polygon_points: list[tuple[float, float]] = []  # (lat_deg, lon_deg) of an unfinished polygon
        self.box = panel.plot.plot([], [], pen=pg.mkPen("#ffd84d", width=2, style=Qt.PenStyle.DashLine))
        self.box.setZValue(5)
        panel.widget.viewport().installEventFilter(self)
        panel.widget.installEventFilter(self)  # Escape reaches the view, not its viewport

    # ---------------------------------------------------------------- geometry

    def to_map(self, pos) -> tuple[float, float]:
        """(lat_deg, lon_deg) under the viewport pixel ``pos``."""
        scene = self.panel.widget.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos)
        view = self.panel.plot.vb.mapSceneToView(scene)
        return float(view.y()), float(view.x())

    def to_pixel(self, lat_deg: float, lon_deg: float) -> QPointF:
        """The viewport pixel of a place (for tests and hit-testing)."""
        scene = self.panel.plot.vb.mapViewToScene(QPointF(lon_deg, lat_deg))
        return QPointF(self.panel.widget.mapFromScene(scene))

    def station_at(self, pos) -> int | None:
        """Index of the station whose marker is within :data:`HIT_RADIUS_PX` of ``pos`` (the nearest), or None."""
        best, best_d = None, HIT_RADIUS_PX
        for i, st in enumerate(self.doc.mission.ground_stations):
            p = self.to_pixel(st.lat_deg, st.lon_deg)
            d = math.hypot(p.x() - pos.x(), p.y() - pos.y())
            if d <= best_d:
                best, best_d = i, d
        return best

    # ---------------------------------------------------------------- events

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            return self._press(event)
        if kind == QEvent.Type.MouseMove and self._box_from is not None:
            self._box_to = _clamp(*self.to_map(event.position()))
            (a, b), (c, d) = self._box_from, self._box_to
            self.box.setData([b, d, d, b, b], [a, a, c, c, a])  # preview: the outline only
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._box_from is not None:
            start, end = self._box_from, self._box_to
            self._box_from = self._box_to = None
            self.box.setData([], [])
            if end is not None and abs(end[0] - start[0]) > 0 and abs(end[1] - start[1]) > 0:
                self.polygon_points = []
                set_region_box(self.doc, start, end)
            elif end is None or end == start:
                self._polygon_click(event.position(), start)
            return True
        if kind == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape and self.polygon_points:
            self._drop_polygon()
            return True
        if kind == QEvent.Type.MouseMove and self._drag is not None:
            self._move(event)
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._drag is not None:
            self._release(event)
            return True
        return False

    def _press(self, event) -> bool:
        pos = event.position()
        mods = event.modifiers()
        hit = self.station_at(pos)
        if self.polygon_points and not mods & Qt.KeyboardModifier.AltModifier:
            self._drop_polygon()
        if mods & Qt.KeyboardModifier.AltModifier:
            self._box_from, self._box_to = _clamp(*self.to_map(pos)), None
            return True
        if mods & Qt.KeyboardModifier.ControlModifier:
            if hit is not None:
                self._pick_pair(self.doc.mission.ground_stations[hit].name)
            return True
        if mods & Qt.KeyboardModifier.ShiftModifier and hit is None:
            lat, lon = self.to_map(pos)
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                place_station(self.doc, lat, lon)
            return True
        if hit is not None:
            self._drag, self._drag_to = hit, None
            return True  # the view does not pan while a station is held
        return False

    def _polygon_click(self, pos, point: tuple[float, float]) -> None:
        """An Alt+click: add a polygon vertex, or close the polygon on its first vertex."""
        pts = self.polygon_points
        if len(pts) >= 3:
            first = self.to_pixel(*pts[0])
            if math.hypot(first.x() - pos.x(), first.y() - pos.y()) <= HIT_RADIUS_PX:
                self._drop_polygon()
                try:
                    set_region_polygon(self.doc, pts)
                except EditError:
                    pass  # no area (points on one line): nothing to set
                return
        pts.append(point)
        lats = [p[0] for p in pts]
        lons = [p[1] for p in pts]
        self.box.setData(lons, lats)  # preview: the open outline

    def _drop_polygon(self) -> None:
        self.polygon_points = []
        self.box.setData([], [])

    def _move(self, event) -> None:
        lat, lon = _clamp(*self.to_map(event.position()))
        self._drag_to = (lat, lon)
        stations = self.doc.mission.ground_stations
        lats = [s.lat_deg for s in stations]
        lons = [s.lon_deg for s in stations]
        lats[self._drag], lons[self._drag] = lat, lon
        self.panel.ground.setData(lons, lats)  # preview: the marker only

    def _release(self, event) -> None:
        index, target = self._drag, self._drag_to
        self._drag, self._drag_to = None, None
        if target is not None:
            move_station(self.doc, index, *target)

    def _pick_pair(self, name: str) -> None:
        if self._pair_first is None or self._pair_first == name:
            self._pair_first = name
            return
        first, self._pair_first = self._pair_first, None
        add_latency_pair(self.doc, first, name)


# ------------------------------------------------------------------------------------------
# The edits (one undoable command each)
# ------------------------------------------------------------------------------------------


def place_station(doc, lat_deg: float, lon_deg: float):
    """Add a station at a place, with a free ``Station k`` name."""
    data = doc.as_dict()
    names = {s.get("name") for s in data.get("ground_stations", [])}
    k = len(names) + 1
    while f"Station {k}" in names:
        k += 1
    return add_entry(doc, "ground_stations", {"name": f"Station {k}", "lat_deg": round(lat_deg, 4), "lon_deg": round(lon_deg, 4)})


def move_station(doc, index: int, lat_deg: float, lon_deg: float):
    """Move station ``index`` to a place."""
    name = doc.mission.ground_stations[index].name
    return doc.edit_fields({("ground_stations", index, "lat_deg"): round(lat_deg, 4),
                            ("ground_stations", index, "lon_deg"): round(lon_deg, 4)}, f"Move station {name}")


def add_latency_pair(doc, a: str, b: str):
    """Add the latency pair ``[a, b]`` (nothing when it is already there, either way round)."""
    pairs = [list(p) for p in doc.mission.latency_pairs]
    if [a, b] in pairs or [b, a] in pairs:
        return doc.mission
    return doc.edit_fields({("latency_pairs",): [*pairs, [a, b]]}, f"Add latency pair {a} - {b}")


def set_region_box(doc, corner_a: tuple[float, float], corner_b: tuple[float, float]):
    """Make the box between two (lat_deg, lon_deg) corners the coverage region."""
    (a, b), (c, d) = corner_a, corner_b
    box = {"lat_min_deg": round(min(a, c), 2), "lat_max_deg": round(max(a, c), 2),
           "lon_min_deg": round(min(b, d), 2), "lon_max_deg": round(max(b, d), 2)}
    return doc.edit_fields({("analysis", "region"): box},
                           f"Coverage region {box['lat_min_deg']:g}..{box['lat_max_deg']:g} deg lat, "
                           f"{box['lon_min_deg']:g}..{box['lon_max_deg']:g} deg lon")


def set_region_polygon(doc, vertices: list[tuple[float, float]]):
    """Make the polygon of (lat_deg, lon_deg) vertices the coverage region (EditError if it has no area)."""
    polygon = [[round(lat, 2), round(lon, 2)] for lat, lon in vertices]
    return doc.edit_fields({("analysis", "region"): {"polygon": polygon}},
                           f"Coverage region: polygon of {len(polygon)} points")


def _clamp(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    return max(-90.0, min(90.0, lat_deg)), max(-180.0, min(180.0, lon_deg))


def install_map_gestures(panel, doc) -> MapGestures:
    """Attach the gestures to the map panel (kept alive by the panel)."""
    return MapGestures(panel, doc, parent=panel)
