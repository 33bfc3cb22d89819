"""Direct manipulation on the 3-D globe: every gesture is one undoable edit of the mission.

* **Click an orbit ring** (or a satellite): select its shell and plane (the Constellation editor shows that
  shell's form; the shell's rings brighten, the plane turns white and its ascending node gets a
  handle). Click empty space to clear the selection.
* **Drag the selected plane** (its ring or its node handle): turn the shell about the Earth's
  axis. A Walker shell's ``raan0_deg`` changes by the angle dragged (every plane moves: the
  pattern keeps its spacing); a shell placed by ``ltan_h`` gets the local time that puts its
  node there (15 deg an hour). Imported orbits (TLE/OMM, custom satellites) are refused with
  a status message: their nodes come from their elements.
* **Shift+drag the selected plane up or down**: raise or lower the shell (``altitude_km``), the
  ring's edge following the mouse, clamped to the mission model's altitude bounds.
* **Shift+click the Earth**: place a ground station there; **drag a station**: move it;
  **Ctrl+click** one station, then another: add the latency pair between them.

While the mouse moves only a preview is drawn: the shell's rings and the satellites of the
current time are turned (a RAAN change turns each orbit exactly so) or scaled and re-phased
(altitude); nothing is computed. On release one command edits the document and the analysis
starts as after a form edit. The geometry is in :mod:`app.globe.gesture_geometry`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal
from vispy import scene
from vispy.util import keys

from app.document import EditError
from app.globe import gesture_geometry as gg
from app.globe.occlusion import hidden_behind_earth
from app.globe.orbits import turned
from app.globe.prepare import RING_POINTS
from app.plots.map_gestures import add_latency_pair, move_station, place_station
from core.mission.model import MAX_ALTITUDE_KM, MIN_ALTITUDE_KM

RING_PICK_PX = 6.0
"""How close (screen pixels) a click must be to an orbit ring to select it."""
HANDLE_PICK_PX = 10.0
"""How close a press must be to the node handle or a station to grab it."""
CLICK_PX = 4.0
"""A press that moves less than this before the release is a click, not a drag."""
LOWEST_KM = MIN_ALTITUDE_KM + 0.1
"""The lowest altitude a drag sets (the model wants more than ``MIN_ALTITUDE_KM``)."""
SELECTED_SHELL_ALPHA = 0.8


@dataclass
class _Drag:
    kind: str  # raan | altitude | station
    press_xy: np.ndarray
    shell: int = -1
    azimuth_deg: float | None = None  # last azimuth the mouse pointed at (raan)
    delta_deg: float = 0.0
    altitude_km: float = 0.0
    new_altitude_km: float = 0.0
    km_per_px: float = 1.0
    station: int = -1
    lat_lon: tuple[float, float] | None = None
    moved: bool = False


class GlobeGestures(QObject):
    """Mouse gestures on ``globe`` (a :class:`~app.globe.canvas.GlobeView`) that edit ``doc``.

    Signals:
        shellSelected(int): a ring was clicked; its shell index (the editor follows it).
        message(str): a sentence for the status bar (why a gesture was refused).
    """

    shellSelected = Signal(int)
    message = Signal(str)

    def __init__(self, globe, doc, parent: QObject | None = None):
        super().__init__(parent or globe)
        self.globe, self.doc = globe, doc
        self.selected: tuple[int, int | None] | None = None  # (shell, plane or None)
        self.drag: _Drag | None = None
        self._press: np.ndarray | None = None
        self._place_pending = False
        self._pair_first: str | None = None
        self._pair_click = False  # the press was a Ctrl+click on a station: the release selects nothing
        self.handle = scene.visuals.Markers(parent=globe.view.scene)
        self.handle.set_gl_state("translucent", depth_test=False)  # on top of the satellite at the node; hidden by the test below
        self.handle.visible = False
        self._vertex_shell = np.zeros(0, np.int64)
        self._vertex_track = np.zeros(0, np.int64)
        ev = globe.canvas.events
        ev.mouse_press.connect(self._on_press)  # connected first: runs before the camera sees the event
        ev.mouse_move.connect(self._on_move)
        ev.mouse_release.connect(self._on_release)
        globe.viewChanged.connect(self._view_changed)
        if globe.data is not None:
            self._view_changed()

    # ---------------------------------------------------------------- selection

    def select(self, shell: int | None, plane: int | None = None) -> None:
        """Select a shell (and one of its planes), highlight it and tell the editor."""
        new = None if shell is None or shell < 0 else (int(shell), plane)
        changed = new != self.selected
        self.selected = new
        self._highlight()
        if changed and new is not None:
            self.shellSelected.emit(new[0])

    def select_shell(self, shell: int) -> None:
        """The editor chose a shell: highlight it (its plane selection is kept if it is the same shell)."""
        if self.selected is not None and self.selected[0] == shell:
            return
        self.selected = (int(shell), None) if shell >= 0 else None
        self._highlight()

    def _highlight(self) -> None:
        self.globe.set_focus(*(self.selected or (None, None)))  # a large run draws only these rings and links
        orbits = self.globe.orbits
        rgba = orbits.base_rgba
        if self.selected is None or rgba.shape[0] != self._vertex_shell.shape[0] or rgba.shape[0] == 0:
            orbits.show_colors(rgba)
            self._place_handle()
            self.globe.canvas.update()
            return
        shell, plane = self.selected
        out = rgba.copy()
        in_shell = self._vertex_shell == shell
        out[in_shell, 3] = SELECTED_SHELL_ALPHA
        if plane is not None:
            out[in_shell & (self._vertex_track == plane)] = (1.0, 1.0, 1.0, 1.0)
        orbits.show_colors(out)
        self._place_handle()
        self.globe.canvas.update()

    def _plane_vertices(self) -> np.ndarray | None:
        if self.selected is None or self.selected[1] is None:
            return None
        shell, plane = self.selected
        idx = np.nonzero((self._vertex_shell == shell) & (self._vertex_track == plane))[0]
        return idx if idx.size else None

    def _node_scene(self) -> np.ndarray | None:
        """The selected plane's ascending node as drawn now (scene units), or None."""
        idx = self._plane_vertices()
        if idx is None:
            return None
        orbits = self.globe.orbits
        return gg.ascending_node(turned(orbits.positions[idx], orbits.drift[idx], self.globe.t))

    def _visible_node(self) -> np.ndarray | None:
        """The selected plane's ascending node, unless the Earth hides it from the camera."""
        node = self._node_scene()
        if node is None or hidden_behind_earth(self.globe.camera_position(), node[None, :])[0]:
            return None
        return node

    def _place_handle(self) -> None:
        node = self._visible_node()
        if node is None:
            self.handle.visible = False
            return
        self.handle.set_data(node[None, :].astype(np.float32), face_color=(1, 1, 1, 0.25), edge_color=(1, 1, 1, 1),
                             size=18, symbol="diamond", edge_width=2)
        self.handle.visible = True

    def _view_changed(self) -> None:
        """New results: index the ring vertices by shell and track; keep the selection and any drag's preview."""
        data = self.globe.data
        shells, tracks = [], []
        for ring in (data.rings if data is not None else []):
            n = ring.pos.shape[0]
            shells.append(np.full(n, ring.shell))
            tracks.append(np.arange(n) // RING_POINTS)
        self._vertex_shell = np.concatenate(shells) if shells else np.zeros(0, np.int64)
        self._vertex_track = np.concatenate(tracks) if tracks else np.zeros(0, np.int64)
        if self.selected is not None and (data is None or self.selected[0] >= len(data.shell_names)):
            self.selected = None
        if self.drag is not None and self.drag.kind in ("raan", "altitude"):
            self._preview()
        self._highlight()

    # ---------------------------------------------------------------- picking

    def ring_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(shell, track) of the visible orbit ring nearest to canvas pixel (x, y), within :data:`RING_PICK_PX`."""
        orbits = self.globe.orbits
        segs = orbits.segments
        if len(segs) == 0 or orbits.positions.shape[0] != self._vertex_shell.shape[0] or not orbits.visible:
            return None
        pts = turned(orbits.positions, orbits.drift, self.globe.t)
        hidden = hidden_behind_earth(self.globe.camera_position(), pts)
        usable = ~(hidden[segs[:, 0]] | hidden[segs[:, 1]])
        k = gg.nearest_segment(self.globe.project(pts), segs, usable, np.array([x, y]), RING_PICK_PX)
        if k is None:
            return None
        v = int(segs[k, 0])
        return int(self._vertex_shell[v]), int(self._vertex_track[v])

    def plane_of(self, sat: int) -> tuple[int, int | None]:
        """(shell, plane) of satellite ``sat``; plane None for sets without planes (imported, custom)."""
        data = self.globe.data
        shell = int(data.shell_index[sat])
        info = data.results.ephemeris.shells[shell]
        if info.planes and info.sats_per_plane:
            return shell, int((sat - info.sat_slice.start) // info.sats_per_plane)
        return shell, None

    def station_at(self, x: float, y: float) -> int | None:
        """Index of the ground station (of the document) drawn within :data:`HANDLE_PICK_PX` of (x, y), not behind the Earth."""
        stations = self.doc.mission.ground_stations
        if not stations or self.globe.data is None:
            return None
        scene_pts = np.array([gg.unit_ecef(s.lat_deg, s.lon_deg) * 1.001 for s in stations]) @ self.globe.ecef_to_scene.T
        hidden = hidden_behind_earth(self.globe.camera_position(), scene_pts)
        d = np.hypot(*(self.globe.project(scene_pts) - [x, y]).T)
        d[hidden] = np.inf
        k = int(np.argmin(d))
        return k if d[k] <= HANDLE_PICK_PX else None

    def _on_selected_plane(self, x: float, y: float) -> bool:
        """Whether (x, y) is on the selected plane's ring or its node handle."""
        node = self._visible_node()
        if node is not None and np.hypot(*(self.globe.project(node[None, :])[0] - [x, y])) <= HANDLE_PICK_PX:
            return True
        hit = self.ring_at(x, y)
        return hit is not None and self.selected is not None and hit == self.selected

    # ---------------------------------------------------------------- events

    def _on_press(self, event) -> None:
        if event.button != 1 or self.globe.data is None:
            return
        x, y = (float(v) for v in event.pos[:2])
        self._press = np.array([x, y])
        self._place_pending = self._pair_click = False
        shift = keys.SHIFT in (event.modifiers or ())
        if keys.CONTROL in (event.modifiers or ()):
            k = self.station_at(x, y)
            if k is not None:
                self._pick_pair(self.doc.mission.ground_stations[k].name)
                self._pair_click = True
                self.globe.view.camera.interactive = False
            return
        if self.selected is not None and self.selected[1] is not None and self._on_selected_plane(x, y):
            self._start_shell_drag("altitude" if shift else "raan", x, y)
        elif (k := self.station_at(x, y)) is not None and not shift:
            self.drag = _Drag("station", self._press, station=k)
        elif shift:
            self._place_pending = True
        else:
            return
        self.globe.view.camera.interactive = False  # the camera must not turn (Shift: pan) under a gesture

    def _pick_pair(self, name: str) -> None:
        if self._pair_first is None or self._pair_first == name:
            self._pair_first = name
            self.message.emit(f"Latency pair from {name}: Ctrl+click the other end")
            return
        first, self._pair_first = self._pair_first, None
        add_latency_pair(self.doc, first, name)

    def _start_shell_drag(self, kind: str, x: float, y: float) -> None:
        shell = self.selected[0]
        entry = self.doc.mission.constellations[shell] if shell < len(self.doc.mission.constellations) else None
        alt = float(entry.altitude_km) if entry is not None and entry.altitude_km is not None else 0.0
        drag = _Drag(kind, self._press, shell=shell, altitude_km=alt, new_altitude_km=alt)
        if kind == "raan":
            drag.azimuth_deg = gg.drag_azimuth_deg(*self.globe.ray_at(x, y), self._shell_radius_er(shell))
        else:
            drag.km_per_px = self._km_per_px()
        self.drag = drag

    def _shell_radius_er(self, shell: int) -> float:
        idx = self._vertex_shell == shell
        pos = self.globe.orbits.base_pos
        return float(np.mean(np.linalg.norm(pos[idx], axis=1))) if np.any(idx) and pos.shape[0] == idx.size else 1.1

    def _km_per_px(self) -> float:
        """Kilometres per screen pixel at the Earth's centre, across the line of sight."""
        eye = self.globe.camera_position()
        look = -eye / np.linalg.norm(eye)
        side = np.cross(look, [0.0, 0.0, 1.0])
        side = side / np.linalg.norm(side) if np.linalg.norm(side) > 1e-9 else np.array([1.0, 0.0, 0.0])
        a, b = self.globe.project(np.array([[0.0, 0.0, 0.0], side]))
        return gg.R_EARTH_KM / max(float(np.hypot(*(b - a))), 1e-6)

    def _on_move(self, event) -> None:
        if self.drag is not None:
            self._follow(*(float(v) for v in event.pos[:2]))

    def _follow(self, x: float, y: float) -> None:
        """The drag's new value for the mouse at (x, y), and its preview."""
        drag = self.drag
        if not drag.moved and np.hypot(x - drag.press_xy[0], y - drag.press_xy[1]) < CLICK_PX:
            return
        drag.moved = True
        if drag.kind == "raan":
            az = gg.drag_azimuth_deg(*self.globe.ray_at(x, y), self._shell_radius_er(drag.shell))
            if az is None:
                return
            if drag.azimuth_deg is not None:
                drag.delta_deg += gg.wrap_deg(az - drag.azimuth_deg)
            drag.azimuth_deg = az
        elif drag.kind == "altitude":
            drag.new_altitude_km = gg.altitude_after_drag_km(drag.altitude_km, float(drag.press_xy[1] - y),
                                                             drag.km_per_px, LOWEST_KM, MAX_ALTITUDE_KM)
        else:
            self._move_station(x, y)
            return
        self._preview()

    def _preview(self) -> None:
        """Draw the shell where the drag would put it: rings and satellites of the current time."""
        drag, globe = self.drag, self.globe
        data = globe.data
        orbits = globe.orbits
        idx = self._vertex_shell == drag.shell
        pos = orbits.base_pos.astype(np.float64)
        sats = np.nonzero(data.shell_index == drag.shell)[0]
        if drag.kind == "raan":
            pos[idx] = gg.rotate_z(pos[idx], drag.delta_deg)
            delta = drag.delta_deg

            def sat_preview(p: np.ndarray, t: float) -> np.ndarray:
                out = p.copy()
                out[sats] = gg.rotate_z(p[sats], delta)
                return out
        else:
            old, new = drag.altitude_km, drag.new_altitude_km
            pos[idx] *= (gg.R_EARTH_KM + new) / (gg.R_EARTH_KM + old)

            def sat_preview(p: np.ndarray, t: float) -> np.ndarray:
                out = p.copy()
                if data.orbit_normal is not None and data.mean_motion is not None:
                    out[sats] = gg.raised_positions(p[sats], data.orbit_normal[sats], data.mean_motion[sats], t, old, new)
                return out
        orbits.show_positions(pos)
        globe.preview_positions = sat_preview
        globe.set_time(globe.t)
        self._place_handle()

    def _move_station(self, x: float, y: float) -> None:
        hit = gg.ray_sphere(*self.globe.ray_at(x, y))
        if hit is None:
            return
        ecef = self.globe.ecef_to_scene.T @ hit
        self.drag.lat_lon = gg.lat_lon_deg(ecef)
        stations = self.doc.mission.ground_stations
        pts = [gg.unit_ecef(s.lat_deg, s.lon_deg) for s in stations]
        pts[self.drag.station] = gg.unit_ecef(*self.drag.lat_lon)
        self.globe.stations.show_stations(np.array(pts) * 1.001)  # preview: the marker only
        self.globe.canvas.update()

    def _on_release(self, event) -> None:
        if event.button != 1:
            return
        self.globe.view.camera.interactive = True
        press, self._press = self._press, None
        x, y = (float(v) for v in event.pos[:2])
        if self.drag is not None:
            self._follow(x, y)  # the release point counts: moves may have been coalesced
        drag, self.drag = self.drag, None
        is_click = press is not None and np.hypot(x - press[0], y - press[1]) < CLICK_PX
        if drag is not None and drag.moved:
            self._commit(drag)
            return
        if not is_click or self.globe.data is None or self._pair_click:
            self._pair_click = False
            return
        if self._place_pending:
            self._place_pending = False
            hit = gg.ray_sphere(*self.globe.ray_at(x, y))
            if hit is not None:
                place_station(self.doc, *gg.lat_lon_deg(self.globe.ecef_to_scene.T @ hit))
            return
        if drag is not None and drag.kind == "station":
            return
        sat = self.globe.pick(x, y)
        if sat is not None:  # the globe selects the satellite; its plane is selected with it
            self.select(*self.plane_of(sat))
            return
        ring = self.ring_at(x, y)
        if ring is None:
            self.select(None)
        else:
            self.select(*ring)

    # ---------------------------------------------------------------- edits

    def _commit(self, drag: _Drag) -> None:
        edited = False
        try:
            if drag.kind == "station":
                if drag.lat_lon is not None:
                    count = self.doc.undo_stack.count()
                    move_station(self.doc, drag.station, *drag.lat_lon)
                    edited = self.doc.undo_stack.count() > count
            elif drag.kind == "raan":
                edited = set_shell_raan(self.doc, drag.shell, drag.delta_deg)
            else:
                edited = set_shell_altitude(self.doc, drag.shell, drag.new_altitude_km)
        except EditError as err:
            self.message.emit("; ".join(f"{p}: {m}" if p else m for p, m in err.problems))
        except GestureRefused as why:
            self.message.emit(str(why))
        if not edited:
            self._end_preview(drag)

    def _end_preview(self, drag: _Drag) -> None:
        """Put back what the drag previewed (no edit was made)."""
        if drag.kind == "station":
            if self.globe.data is not None:
                self.globe.stations.set_view(self.globe.data)
            self.globe.canvas.update()
            return
        self.globe.preview_positions = None
        self.globe.orbits.show_positions(self.globe.orbits.base_pos)
        self.globe.set_time(self.globe.t)
        self._place_handle()


class GestureRefused(Exception):
    """A gesture that cannot become an edit of this entry; the message says why."""


def set_shell_raan(doc, shell: int, delta_deg: float) -> bool:
    """Turn shell ``shell`` about the Earth's axis by ``delta_deg`` (one undoable edit).

    A Walker or cluster entry changes ``raan0_deg`` (every plane keeps its place in the pattern),
    or ``ltan_h`` when the entry is placed by local time. False when the turn rounds to nothing;
    :class:`GestureRefused` for entries whose nodes come from their elements.
    """
    entry = doc.mission.constellations[shell]
    if entry.source not in ("walker", "cluster"):
        raise GestureRefused(f"{entry.name}: its orbits come from {entry.source} elements; "
                             "change their RAAN there (a drag turns only Walker shells and clusters)")
    if entry.ltan_h is not None:
        value = gg.new_ltan_h(entry.ltan_h, delta_deg)
        path, text = "ltan_h", f"Drag {entry.name}: LTAN {entry.ltan_h:g} h -> {value:g} h"
        old = entry.ltan_h
    else:
        value = gg.new_raan0_deg(entry.raan0_deg, delta_deg)
        path, text = "raan0_deg", f"Drag {entry.name}: RAAN {entry.raan0_deg:g} -> {value:g} deg"
        old = entry.raan0_deg
    if value == old:
        return False
    doc.edit_fields({("constellations", shell, path): value}, text)
    return True


def set_shell_altitude(doc, shell: int, altitude_km: float) -> bool:
    """Set shell ``shell``'s ``altitude_km`` (one undoable edit); False when unchanged."""
    entry = doc.mission.constellations[shell]
    if entry.altitude_km is None or entry.source not in ("walker", "cluster"):
        raise GestureRefused(f"{entry.name}: its orbits come from {entry.source} elements; "
                             "a drag sets the altitude of Walker shells and clusters only")
    if altitude_km == entry.altitude_km:
        return False
    doc.edit_fields({("constellations", shell, "altitude_km"): altitude_km},
                    f"Drag {entry.name}: altitude {entry.altitude_km:g} -> {altitude_km:g} km")
    return True


def install_globe_gestures(window) -> GlobeGestures:
    """Attach the gestures to the window's globe and document; the editor and the selection follow each other."""
    gestures = GlobeGestures(window.globe, window.doc, parent=window.globe)
    editor = window.editor
    gestures.shellSelected.connect(lambda k: editor.shell_list.setCurrentRow(k))
    editor.shellSelected.connect(gestures.select_shell)
    gestures.message.connect(window.status)
    return gestures
