"""The 3-D globe: a vispy scene in the inertial frame (GCRS, Earth radii) inside a Qt widget.

The Earth, ground stations, cities and the selected satellite's footprint hang under one node
whose transform is the ITRS -> GCRS rotation of the current time, so they turn with the Earth.
Satellites, orbit rings, links and the route are drawn at inertial positions. Each kind of
object has its own small adapter (see the sibling modules); this widget only routes the current
time and selection to them.

Level of detail: when more than :data:`~app.globe.frame_state.POINTS_ON_SCREEN_MAX` satellites
would be on screen, the density layer (a texture of satellites per cell) is drawn instead of
the points; zoomed in, the satellites in view are drawn as points, culled cell by cell. A
large run (see :mod:`app.globe.prepare`) gets each instant's positions from a background
thread and draws rings and links of the selected shell or plane only.
"""

from __future__ import annotations

import time

import numpy as np
import vispy

vispy.use("pyside6")

from PySide6.QtCore import QCoreApplication, QEventLoop, Signal  # noqa: E402
from PySide6.QtGui import QImage, QWindow  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402
from vispy import scene  # noqa: E402
from vispy.visuals.transforms import MatrixTransform  # noqa: E402

from app.globe.density import CELL_DEG, Density  # noqa: E402
from app.globe.earth import EarthAdapter  # noqa: E402
from app.globe.footprints import FootprintAdapter  # noqa: E402
from app.globe.frame_state import POINTS_ON_SCREEN_MAX, FrameState, FrameStateBuilder, build_frame_state  # noqa: E402
from app.globe.links import LinksAdapter, RouteAdapter  # noqa: E402
from app.globe.native_window import NativeSceneCanvas  # noqa: E402
from app.globe.occlusion import hidden_behind_earth  # noqa: E402
from app.globe.orbits import OrbitsAdapter  # noqa: E402
from app.globe.prepare import R_EARTH_KM  # noqa: E402
from app.globe.satellites import SatellitesAdapter  # noqa: E402
from app.globe.stations import StationsAdapter  # noqa: E402
from app.globe import warm_up  # noqa: E402

BACKGROUND = "#04060c"
PICK_RADIUS_PX = 10.0
VIEW_MARGIN_PX = 8.0
"""A satellite this far outside the canvas still counts as in view (its dot may reach in)."""
FOCUS_LINKS_MAX = 20_000
"""A large run draws the links of the selected plane, or of the selected shell up to this many satellites."""


class GlobeView(QWidget):
    """The central 3-D view. ``satellitePicked(int)`` is emitted on a click (-1: nothing)."""

    satellitePicked = Signal(int)
    viewChanged = Signal()
    """New view data was drawn (the gestures re-apply their selection and preview)."""

    def __init__(self, parent: QWidget | None = None, size: tuple[int, int] = (800, 600)):
        super().__init__(parent)
        self._window_owner = QWindow()  # see NativeSceneCanvas: the GL window must not be owned by Python
        self.canvas = NativeSceneCanvas(keys=None, bgcolor=BACKGROUND, size=size, show=False, parent=self._window_owner)
        self.view = self.canvas.central_widget.add_view()
        self.view.camera = scene.TurntableCamera(fov=30.0, distance=5.6, elevation=22.0, azimuth=-60.0, up="+z")
        self.view.camera.center = (0.0, 0.0, 0.0)
        self.earth_node = scene.Node(parent=self.view.scene)
        self.earth_node.transform = MatrixTransform()
        self.earth = EarthAdapter(self.earth_node)
        self.stations = StationsAdapter(self.earth_node)
        self.footprint = FootprintAdapter(self.earth_node)
        self.density = Density(parent=self.view.scene)  # before the rings and dots: they are drawn over the haze
        self.density.visible = False
        self.orbits = OrbitsAdapter(self.view.scene)
        self.links = LinksAdapter(self.view.scene)
        self.route = RouteAdapter(self.view.scene)
        self.satellites = SatellitesAdapter(self.view.scene)
        self.frames = FrameStateBuilder(self)
        self.frames.ready.connect(self._apply_state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.container = QWidget.createWindowContainer(self.canvas.native, self)
        self.container.setMinimumSize(200, 150)
        layout.addWidget(self.container)
        self.data = None
        self.t = 0.0
        self.selected: int | None = None
        self.route_pair: int | None = 0
        self._pos = np.zeros((0, 3), np.float32)
        self._press = None
        self._camera_aimed = False
        self._sunlit = np.zeros(0, bool)
        self._cull_eye: np.ndarray | None = None
        self._state: FrameState | None = None
        self._density_of: FrameState | None = None  # the state whose texture is uploaded
        self.lod = "points"
        """What the satellites were drawn as in the last cull: ``points`` or ``density``."""
        self.on_screen = 0
        """Satellites the last cull counted in view (the level-of-detail criterion)."""
        self.cull_tested = 0
        """Positions (satellites and cells) the last cull tested on the GUI thread."""
        self.focus: tuple[int, int | None] | None = None
        self._lod_key: tuple | None = None  # (state, zoom, view) of the last cell test
        self.ecef_to_scene = np.eye(3)
        self.frames_drawn = 0
        self.preview_positions = None  # callable(pos, t) -> pos while a gesture previews an edit
        self.canvas.events.draw.connect(self._on_draw_first, position="first")
        self.warmed_up = False
        """True once the first frame drew every layer once (their shaders built before any data; see warm_up)."""
        warm_up.arm(self)
        self.canvas.events.mouse_press.connect(self._on_press)
        self.canvas.events.mouse_release.connect(self._on_release)

    # -- data ---------------------------------------------------------------------------------
    def set_view(self, data) -> None:
        """New results arrived (already prepared in the worker)."""
        self.data = data
        self._state = None
        self._density_of = None
        if self.selected is not None and (data is None or self.selected >= data.n_sat):
            self.selected = None
        if data is not None and not self._camera_aimed:
            self.aim_at_sun(data.sun_eci_at(self.t))
        if data is not None:
            self.satellites.set_view(data)
            self.orbits.focus = self.focus
            self.orbits.set_view(data)
            self.links.set_view(data)
            self.stations.set_view(data)
        self.preview_positions = None  # new data holds the edit a gesture previewed
        self.set_time(self.t)
        self.viewChanged.emit()

    def set_time(self, t: float) -> None:
        """Move every object to offset ``t`` (seconds from the epoch) and redraw.

        A large run's satellites follow when the frame builder has their positions (the GUI
        thread never propagates them); until then the last instant stays on screen.
        """
        self.t = float(t)
        data = self.data
        if data is None or data.n_time == 0:
            self.canvas.update()
            return
        if data.large:
            state = self._state
            if state is None or state.data is not data or state.t != self.t:
                self.frames.request(data, self.t)
            if state is not None:
                self._show_state(self._state, self.t)
            return
        self._show_state(build_frame_state(data, self.t, preview=self.preview_positions), self.t)

    def _apply_state(self, state: FrameState) -> None:
        """A frame state arrived from the builder (GUI thread): show it if it is still wanted."""
        if state.data is not self.data:
            return
        self._show_state(state, state.t)  # the Earth at the satellites' instant: one consistent picture

    def _show_state(self, state: FrameState, t: float) -> None:
        """Draw ``state``'s satellites; the Earth, rings and footprint at ``t``."""
        data = self.data
        self._state = state
        m = data.eci_to_ecef_at(t)  # r_ecef = M r_eci
        tr = np.eye(4)
        tr[:3, :3] = m  # row vectors: r_eci^T = r_ecef^T M
        self.earth_node.transform.matrix = tr
        self.ecef_to_scene = m.T
        self.earth.update_time(m @ data.sun_eci_at(t))
        pos = state.pos
        self._pos = pos
        self._sunlit = state.sunlit
        self._cull()
        self.orbits.update_time(t)
        self._update_route(m, pos)
        if self.selected is not None and self.selected < pos.shape[0]:
            sub = m @ pos[self.selected]
            self.footprint.update(sub, float(data.footprint_rad[self.selected]))
        else:
            self.footprint.update(None)
        self.canvas.update()

    def settle(self, timeout_s: float = 60.0) -> bool:
        """Process events until the satellites shown are those of the current time (tests, pictures)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self._state
            if self.data is None or not self.data.large or (state is not None and state.data is self.data
                                                            and state.t == self.t and self.frames.idle()):
                return True
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)
        return False

    def set_focus(self, shell: int | None, plane: int | None = None) -> None:
        """The selected shell and plane (the gestures' selection): a large run draws only their rings and links."""
        self.focus = None if shell is None or shell < 0 else (int(shell), plane)
        self.orbits.focus = self.focus
        if self._state is not None:
            self._cull()
            self.canvas.update()

    def _focus_sats(self) -> np.ndarray | None:
        """Satellites of the focused plane (or of the focused shell when no plane is), or None."""
        data = self.data
        if self.focus is None or data is None or self.focus[0] >= len(data.shell_names):
            return None
        shell, plane = self.focus
        eph = data.ephemeris if data.ephemeris is not None else data.results.ephemeris
        sl = eph.shells[shell].sat_slice
        if plane is None:
            return np.arange(sl.start, sl.stop)
        return sl.start + np.nonzero(np.asarray(eph.plane_index[sl]) == plane)[0]

    def _cull(self) -> None:
        """Hand satellites, links and rings to their visuals, less what the Earth hides from the camera
        and what is out of view; choose points or the density layer by the count on screen."""
        eye = self.camera_position()
        self._cull_eye = eye
        state = self._state
        pos = self._pos
        m = self._canvas_matrix()
        if state is None or state.index is None:  # every satellite may be drawn
            shown = ~hidden_behind_earth(eye, pos) & self._in_view(pos, m=m)
            self.cull_tested = pos.shape[0]
            self.on_screen = int(shown.sum())
            self.lod = "points"
            sats = np.nonzero(shown)[0]
        else:
            index = state.index
            cam = self.view.camera
            key = (id(state), float(cam.distance or 0.0), float(cam.fov), tuple(np.round(cam.center, 6)), tuple(self.canvas.size))
            if key == self._lod_key and self.lod == "density":
                self.cull_tested = 0  # turning the camera at the same zoom over the same instant keeps the density
            else:
                cells = np.nonzero(index.counts)[0]
                centre = index.centre[cells]
                maybe = ~hidden_behind_earth(eye, centre, radius=0.9) & self._in_view(centre, self._cell_margin_px(centre, m), m)
                cells = cells[maybe]
                self.on_screen = int(index.counts[cells].sum())
                self.cull_tested = int(np.count_nonzero(index.counts))
                self._lod_key = key
            if self.on_screen > POINTS_ON_SCREEN_MAX:
                self.lod = "density"
                focus = self._focus_sats() if self.focus is not None and self.focus[1] is not None else None
                sats = np.zeros(0, np.int64) if focus is None else focus  # the selected plane stays as points
            else:
                self.lod = "points"
                sats = index.members(cells)
            if sats.size:
                self.cull_tested += int(sats.size)
                sats = sats[~hidden_behind_earth(eye, pos[sats]) & self._in_view(pos[sats], m=m)]
        self.satellites.update_time(pos, self._sunlit, self.selected, sats)
        self._show_density(state)
        self._cull_links(eye)
        self.orbits.cull(self.t, eye)
        self.stations.cull(eye, self.ecef_to_scene)

    def _show_density(self, state: FrameState | None) -> None:
        on = self.lod == "density" and state is not None and state.density is not None
        self.density.visible = on
        if on and self._density_of is not state:
            self.density.set_density(state.density, state.index.radius)
            self._density_of = state

    def _cull_links(self, eye: np.ndarray) -> None:
        data, pos = self.data, self._pos
        i_time = data.nearest(self.t)
        if not data.large:
            self.links.update_time(pos, i_time, hidden_behind_earth(eye, pos))
            return
        focus = self._focus_sats()
        mask = np.zeros(pos.shape[0], bool)
        hidden = np.zeros(pos.shape[0], bool)
        if focus is not None and focus.size <= FOCUS_LINKS_MAX:
            mask[focus] = True
            hidden[focus] = hidden_behind_earth(eye, pos[focus])
        self.links.update_time(pos, i_time, hidden, focus=mask)

    def _canvas_matrix(self) -> np.ndarray:
        """The scene -> canvas transform as one ``(4, 4)`` matrix (row vectors: ``[x, y, z, 1] @ m``).

        Every transform of the chain is linear in homogeneous coordinates; mapping the basis once
        and multiplying in numpy is many times faster than mapping each array through the chain."""
        return np.asarray(self.satellites.markers.get_transform("visual", "canvas").map(np.eye(4)), dtype=float)

    def _to_canvas(self, points: np.ndarray, m: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Canvas pixels ``(n, 2)`` (inf behind the camera) and clip ``w`` ``(n,)`` of scene points."""
        m = self._canvas_matrix() if m is None else m
        p = np.asarray(points, dtype=float).reshape(-1, 3) @ m[:3] + m[3]
        w = p[:, 3]
        front = w > 1e-9
        xy = np.where(front[:, None], p[:, :2] / np.where(front, w, 1.0)[:, None], np.inf)
        return xy, w

    def _in_view(self, points: np.ndarray, margin_px: np.ndarray | float = VIEW_MARGIN_PX,
                 m: np.ndarray | None = None) -> np.ndarray:
        """Which scene points project in front of the camera and within the canvas (plus ``margin_px``)."""
        if len(points) == 0:
            return np.zeros(0, bool)
        xy, _ = self._to_canvas(points, m)
        width, height = self.canvas.size
        x, y = xy[:, 0], xy[:, 1]
        return (x >= -margin_px) & (x <= width + margin_px) & (y >= -margin_px) & (y <= height + margin_px)

    def _cell_margin_px(self, centre: np.ndarray, m: np.ndarray | None = None) -> np.ndarray:
        """About a cell's size on screen, pixels (a cell is in view if any of it may be)."""
        m = self._canvas_matrix() if m is None else m
        r = np.linalg.norm(centre, axis=1, keepdims=True)
        east = np.cross(np.array([0.0, 0.0, 1.0], np.float32), centre)
        n = np.linalg.norm(east, axis=1, keepdims=True)
        east = np.where(n > 1e-6, east / np.maximum(n, 1e-6), np.array([1.0, 0.0, 0.0], np.float32))
        north = np.cross(centre / np.maximum(r, 1e-6), east)
        half = np.radians(CELL_DEG) * r * 1.5  # a cell's diagonal: its satellites' mean may sit in a corner
        a, _ = self._to_canvas(centre, m)
        b, _ = self._to_canvas(centre + east * half, m)
        c, _ = self._to_canvas(centre + north * half, m)
        margin = np.maximum(np.linalg.norm(b - a, axis=1), np.linalg.norm(c - a, axis=1)) + VIEW_MARGIN_PX
        return np.where(np.isfinite(margin), margin, np.inf)

    def layer_vertices(self) -> dict[str, int]:
        """Vertices each satellite-scale layer hands to OpenGL per frame (0 when hidden): the test of the
        level of detail (every layer is one draw call)."""
        return {
            "points": self.satellites.drawn if self.satellites.markers.visible else 0,
            "density": self.density.n_vertices if self.density.visible else 0,
            "rings": 2 * self.orbits.drawn_segments if self.orbits.visual.visible else 0,
            "links": 2 * self.links.drawn if self.links.lines.visible else 0,
        }

    def _on_draw_first(self, event) -> None:
        """Count the frame; if the camera turned since the last cull, cull again before drawing."""
        self.frames_drawn += 1
        if self.data is None or self._pos.shape[0] == 0 or self._cull_eye is None:
            return
        if not np.allclose(self.camera_position(), self._cull_eye, rtol=0.0, atol=1e-6):
            self._cull()

    def _update_route(self, m: np.ndarray, pos: np.ndarray) -> None:
        net = getattr(self.data.results, "network", None) if self.data is not None else None
        if net is None or self.route_pair is None or self.route_pair >= net.n_pair:
            self.route.update(None)
            return
        sats = net.route_at(self.route_pair, self.data.nearest(self.t))
        if not sats:
            self.route.update(None)
            return
        a = net.place_ecef_km[net.pair_from[self.route_pair]] / R_EARTH_KM
        b = net.place_ecef_km[net.pair_to[self.route_pair]] / R_EARTH_KM
        pts = np.vstack([m.T @ a * 1.002, pos[sats], m.T @ b * 1.002])
        self.route.update(pts)

    def aim_at_sun(self, sun_eci: np.ndarray, offset_deg: float = 35.0) -> None:
        """Turn the camera so that it looks at the day side (the Sun a little to one side).

        The eye turns about the z axis with the azimuth: two camera updates give its direction at
        every azimuth (a camera update costs milliseconds; one per candidate stalled the GUI thread)."""
        cam = self.view.camera
        a = np.arctan2(sun_eci[1], sun_eci[0]) + np.radians(offset_deg)
        target = np.array([np.cos(a), np.sin(a)])
        cam.azimuth = 0.0
        e0 = self.camera_position()[:2]
        cam.azimuth = 90.0
        e90 = self.camera_position()[:2]
        az = np.arange(-180, 180, 3, dtype=float)
        eye = np.cos(np.radians(az))[:, None] * e0 + np.sin(np.radians(az))[:, None] * e90
        n = np.linalg.norm(eye, axis=1)
        dot = np.where(n > 0, eye @ target / np.maximum(n, 1e-12), -2.0)
        cam.azimuth = float(az[int(np.argmax(dot))])
        self._camera_aimed = True

    def set_route_pair(self, pair: int | None) -> None:
        self.route_pair = pair
        self.set_time(self.t)

    def select(self, sat: int | None) -> None:
        self.selected = None if sat is None or sat < 0 else int(sat)
        self.set_time(self.t)

    def set_layer_visible(self, name: str, on: bool) -> None:
        if name == "orbits":
            self.orbits.set_visible(on)
        elif name == "links":
            self.links.set_visible(on)
            self.set_time(self.t)
        self.canvas.update()

    # -- picking ------------------------------------------------------------------------------
    def _on_press(self, event) -> None:
        self._press = np.array(event.pos[:2], dtype=float)

    def _on_release(self, event) -> None:
        if self._press is None or event.button != 1:
            return
        moved = np.linalg.norm(np.array(event.pos[:2], dtype=float) - self._press)
        self._press = None
        if moved > 4:
            return  # a drag (camera rotation), not a click
        sat = self.pick(event.pos[0], event.pos[1])
        self.select(sat)
        self.satellitePicked.emit(-1 if sat is None else sat)

    def screen_positions(self) -> np.ndarray:
        """Canvas pixel positions of the satellites, ``(n, 2)`` (logical pixels)."""
        if self._pos.shape[0] == 0:
            return np.zeros((0, 2))
        return self.project(self._pos)

    def project(self, points: np.ndarray) -> np.ndarray:
        """Canvas pixel positions ``(n, 2)`` of scene (GCRS, Earth radii) points ``(n, 3)``."""
        p = self.satellites.markers.get_transform("visual", "canvas").map(np.asarray(points).reshape(-1, 3))
        return p[:, :2] / p[:, 3:4]

    def ray_at(self, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
        """The ray from the camera through canvas pixel (x, y): origin and unit direction (scene units)."""
        eye = self.camera_position()
        q = np.asarray(self.satellites.markers.get_transform("canvas", "visual").map([x, y, 0.5, 1.0]), float)
        d = q[:3] / q[3] - eye
        return eye, d / np.linalg.norm(d)

    def pick(self, x: float, y: float) -> int | None:
        """The satellite under canvas pixel (x, y) that is not hidden by the Earth, or None.

        Nearest on screen first, nearest to the camera on a tie. Only satellites in the cells
        around the click are projected (a large run has a cell index), so a click costs the same
        at a million satellites as at a thousand.
        """
        if self._pos.shape[0] == 0:
            return None
        cand = self._pick_candidates(x, y)
        if cand.size == 0:
            return None
        xy, _ = self._to_canvas(self._pos[cand])
        d = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
        near = np.isfinite(d) & (d <= PICK_RADIUS_PX)
        cand, d = cand[near], d[near]
        if cand.size == 0:
            return None
        eye = self.camera_position()
        seen = ~hidden_behind_earth(eye, self._pos[cand])
        cand, d = cand[seen], d[seen]
        if cand.size == 0:
            return None
        depth = np.linalg.norm(self._pos[cand].astype(float) - eye, axis=1)
        return int(cand[np.lexsort((depth, d))[0]])

    def _pick_candidates(self, x: float, y: float) -> np.ndarray:
        """Satellites that may be within :data:`PICK_RADIUS_PX` of pixel (x, y)."""
        state = self._state
        n = self._pos.shape[0]
        if state is None or state.index is None or state.pos is not self._pos:
            return np.arange(n)
        index = state.index
        cells = np.nonzero(index.counts)[0]
        centre = index.centre[cells]
        m = self._canvas_matrix()
        xy, _ = self._to_canvas(centre, m)
        reach = 2.0 * self._cell_margin_px(centre, m) + PICK_RADIUS_PX
        near = cells[np.hypot(xy[:, 0] - x, xy[:, 1] - y) <= reach]
        return index.members(near)

    def camera_position(self) -> np.ndarray:
        """Eye position in scene (GCRS, Earth radii) coordinates."""
        cam = self.view.camera
        tr = cam.transform
        return np.asarray(tr.map([0, 0, 0, 1]))[:3] / max(np.asarray(tr.map([0, 0, 0, 1]))[3], 1e-12)

    def repaint_now(self, timeout_s: float = 5.0) -> None:
        """Ask for a frame and process events until it is drawn (benchmarks, screenshots)."""
        if not self.canvas.native.isExposed():
            return
        drawn = self.frames_drawn
        self.canvas.update()
        deadline = time.monotonic() + timeout_s
        while self.frames_drawn == drawn and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def grab_image(self) -> QImage:
        """The globe as drawn now (a native GL window escapes ``QWidget.grab()``)."""
        return self.canvas.native.grab_frame()
