"""The 3-D globe: a vispy scene in the inertial frame (GCRS, Earth radii) inside a Qt widget.

The Earth, ground stations, cities and the selected satellite's footprint hang under one node
whose transform is the ITRS -> GCRS rotation of the current time, so they turn with the Earth.
Satellites, orbit rings, links and the route are drawn at inertial positions. Each kind of
object has its own small adapter (see the sibling modules); this widget only routes the current
time and selection to them.
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

from app.globe.earth import EarthAdapter  # noqa: E402
from app.globe.footprints import FootprintAdapter  # noqa: E402
from app.globe.links import LinksAdapter, RouteAdapter  # noqa: E402
from app.globe.native_window import NativeSceneCanvas  # noqa: E402
from app.globe.occlusion import hidden_behind_earth  # noqa: E402
from app.globe.orbits import OrbitsAdapter  # noqa: E402
from app.globe.prepare import R_EARTH_KM  # noqa: E402
from app.globe.satellites import SatellitesAdapter  # noqa: E402
from app.globe.stations import StationsAdapter  # noqa: E402

BACKGROUND = "#04060c"
PICK_RADIUS_PX = 10.0


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
        self.orbits = OrbitsAdapter(self.view.scene)
        self.links = LinksAdapter(self.view.scene)
        self.route = RouteAdapter(self.view.scene)
        self.satellites = SatellitesAdapter(self.view.scene)
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
        self.ecef_to_scene = np.eye(3)
        self.frames_drawn = 0
        self.preview_positions = None  # callable(pos, t) -> pos while a gesture previews an edit
        self.canvas.events.draw.connect(self._on_draw_first, position="first")
        self.canvas.events.mouse_press.connect(self._on_press)
        self.canvas.events.mouse_release.connect(self._on_release)

    # -- data ---------------------------------------------------------------------------------
    def set_view(self, data) -> None:
        """New results arrived (already prepared in the worker)."""
        self.data = data
        if self.selected is not None and (data is None or self.selected >= data.n_sat):
            self.selected = None
        if data is not None and not self._camera_aimed:
            self.aim_at_sun(data.sun_eci_at(self.t))
        if data is not None:
            self.satellites.set_view(data)
            self.orbits.set_view(data)
            self.links.set_view(data)
            self.stations.set_view(data)
        self.preview_positions = None  # new data holds the edit a gesture previewed
        self.set_time(self.t)
        self.viewChanged.emit()

    def set_time(self, t: float) -> None:
        """Move every object to offset ``t`` (seconds from the epoch) and redraw."""
        self.t = float(t)
        data = self.data
        if data is None or data.n_time == 0:
            self.canvas.update()
            return
        m = data.eci_to_ecef_at(self.t)  # r_ecef = M r_eci
        tr = np.eye(4)
        tr[:3, :3] = m  # row vectors: r_eci^T = r_ecef^T M
        self.earth_node.transform.matrix = tr
        self.ecef_to_scene = m.T
        self.earth.update_time(m @ data.sun_eci_at(self.t))
        pos = data.positions_eci(self.t)
        if self.preview_positions is not None:
            pos = self.preview_positions(pos, self.t).astype(np.float32)
        self._pos = pos
        self._sunlit = data.sunlit_at(self.t, pos)
        self._cull()
        self.orbits.update_time(self.t)
        self._update_route(m, pos)
        if self.selected is not None and self.selected < pos.shape[0]:
            sub = m @ pos[self.selected]
            self.footprint.update(sub, float(data.footprint_rad[self.selected]))
        else:
            self.footprint.update(None)
        self.canvas.update()

    def _cull(self) -> None:
        """Hand satellites, links and rings to their visuals, less what the Earth hides from the camera."""
        eye = self.camera_position()
        self._cull_eye = eye
        hidden = hidden_behind_earth(eye, self._pos)
        self.satellites.update_time(self._pos, self._sunlit, self.selected, ~hidden)
        self.links.update_time(self._pos, self.data.nearest(self.t), hidden)
        self.orbits.cull(self.t, eye)
        self.stations.cull(eye, self.ecef_to_scene)

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
        """Turn the camera so that it looks at the day side (the Sun a little to one side)."""
        cam = self.view.camera
        a = np.arctan2(sun_eci[1], sun_eci[0]) + np.radians(offset_deg)
        target = np.array([np.cos(a), np.sin(a)])
        best, best_dot = cam.azimuth, -2.0
        for az in range(-180, 180, 3):
            cam.azimuth = float(az)
            eye = self.camera_position()[:2]
            n = np.linalg.norm(eye)
            dot = float(eye @ target / n) if n > 0 else -2.0
            if dot > best_dot:
                best, best_dot = float(az), dot
        cam.azimuth = best
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
        """The satellite under canvas pixel (x, y) that is not hidden by the Earth, or None."""
        if self._pos.shape[0] == 0:
            return None
        xy = self.screen_positions()
        d = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
        cand = np.nonzero(d <= PICK_RADIUS_PX)[0]
        if cand.size == 0:
            return None
        eye = self.camera_position()
        hidden = hidden_behind_earth(eye, self._pos[cand])
        best, best_key = None, None
        for k, behind in zip(cand, hidden):
            if behind:
                continue
            p = self._pos[k].astype(float)
            key = (d[k], np.linalg.norm(p - eye))
            if best_key is None or key < best_key:
                best, best_key = int(k), key
        return best

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
