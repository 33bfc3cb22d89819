"""Ground stations (triangles) and cities (dots) with labels, fixed to the turning Earth."""

from __future__ import annotations

import numpy as np
from vispy import scene


class StationsAdapter:
    def __init__(self, earth_node):
        self.stations = scene.visuals.Markers(parent=earth_node)
        self.cities = scene.visuals.Markers(parent=earth_node)
        self.labels = scene.visuals.Text(parent=earth_node, color=(0.95, 0.95, 0.85, 0.9), font_size=7,
                                         anchor_x="left", anchor_y="bottom")
        for v in (self.stations, self.cities):
            v.set_gl_state("translucent", depth_test=True)
        self.labels.set_gl_state("translucent", depth_test=True)

    def set_view(self, view) -> None:
        st = [g for g in view.ground if g.kind == "station"]
        ct = [g for g in view.ground if g.kind == "city"]
        if st:
            self.stations.set_data(np.array([g.ecef_er for g in st]), face_color=(1.0, 0.85, 0.2, 1.0), size=9,
                                   symbol="triangle_up", edge_color=(0, 0, 0, 1), edge_width=1)
        if ct:
            self.cities.set_data(np.array([g.ecef_er for g in ct]), face_color=(1.0, 1.0, 1.0, 1.0), size=6,
                                 edge_color=(0, 0, 0, 1), edge_width=1)
        self.stations.visible = bool(st)
        self.cities.visible = bool(ct)
        pts = st + ct
        if pts:
            self.labels.text = [" " + g.name for g in pts]
            self.labels.pos = np.array([g.ecef_er * 1.01 for g in pts])
            self.labels.visible = True
        else:
            self.labels.visible = False
