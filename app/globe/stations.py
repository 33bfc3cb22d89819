"""Ground stations (triangles) and cities (dots) with labels, fixed to the turning Earth.

Labels are drawn whole, on top (no depth test), and only for places the Earth does not hide
from the camera: a depth-tested label near the limb would be cut by the globe ("irbanks").
Their glyphs come from the process's cache (:mod:`app.globe.glyphs`), rendered off the GUI thread.
"""

from __future__ import annotations

import numpy as np
from vispy import scene

from app.globe import glyphs
from app.globe.occlusion import hidden_behind_earth


class StationsAdapter:
    def __init__(self, earth_node):
        self.stations = scene.visuals.Markers(parent=earth_node)
        self.cities = scene.visuals.Markers(parent=earth_node)
        glyphs.start_warming()  # the labels' glyphs, once per process, off the GUI thread
        self.labels = scene.visuals.Text(parent=earth_node, color=(0.95, 0.95, 0.85, 0.9), font_size=7,
                                         anchor_x="left", anchor_y="bottom", face=glyphs.LABEL_FACE,
                                         font_manager=glyphs.font_manager())
        for v in (self.stations, self.cities):
            v.set_gl_state("translucent", depth_test=True)
        self.labels.set_gl_state("translucent", depth_test=False)
        self.names: list[str] = []
        self.anchors_ecef = np.zeros((0, 3))
        self.shown: list[str] = []

    def set_view(self, view) -> None:
        st = [g for g in view.ground if g.kind == "station"]
        ct = [g for g in view.ground if g.kind == "city"]
        if st:
            self.show_stations(np.array([g.ecef_er for g in st]))
        if ct:
            self.cities.set_data(np.array([g.ecef_er for g in ct]), face_color=(1.0, 1.0, 1.0, 1.0), size=6,
                                 edge_color=(0, 0, 0, 1), edge_width=1)
        self.stations.visible = bool(st)
        self.cities.visible = bool(ct)
        pts = st + ct
        self.names = [" " + g.name for g in pts]
        self.anchors_ecef = np.array([g.ecef_er * 1.01 for g in pts]).reshape(-1, 3)
        self.shown = []
        if pts:
            self.labels.text = self.names
            self.labels.pos = self.anchors_ecef
            self.labels.visible = True
        else:
            self.labels.visible = False

    def show_stations(self, ecef_er: np.ndarray) -> None:
        """Draw the station triangles at Earth-fixed ``(n, 3)`` points (also a drag's preview)."""
        self.stations.set_data(np.asarray(ecef_er, dtype=np.float32).reshape(-1, 3), face_color=(1.0, 0.85, 0.2, 1.0),
                               size=9, symbol="triangle_up", edge_color=(0, 0, 0, 1), edge_width=1)

    def cull(self, eye_scene: np.ndarray, ecef_to_scene: np.ndarray) -> list[str]:
        """Blank the labels of places behind the Earth as seen from ``eye_scene``; the shown names."""
        if not self.names:
            return []
        hidden = hidden_behind_earth(eye_scene, self.anchors_ecef @ ecef_to_scene.T)
        shown = [name if not h else "" for name, h in zip(self.names, hidden)]
        if shown != self.shown:
            self.shown = shown
            self.labels.text = shown
        return [n.strip() for n in shown if n]
