"""Orbit tracks: one ring per plane, one line visual per shell, turned by the shell's J2 drift."""

from __future__ import annotations

import numpy as np
from vispy import scene
from vispy.visuals.transforms import MatrixTransform


class OrbitsAdapter:
    def __init__(self, parent):
        self.parent = parent
        self.lines: list[tuple[scene.visuals.Line, float]] = []
        self.visible = True

    def set_view(self, view) -> None:
        for line, _ in self.lines:
            line.parent = None
        self.lines = []
        for ring in view.rings:
            rgb = view.shell_rgb[ring.shell]
            line = scene.visuals.Line(pos=ring.pos, connect=ring.connect, color=(*rgb, 0.35), width=1.0,
                                      method="gl", antialias=False, parent=self.parent)
            line.set_gl_state("translucent", depth_test=True)
            line.transform = MatrixTransform()
            line.visible = self.visible
            self.lines.append((line, ring.drift_rad_per_s))

    def set_visible(self, on: bool) -> None:
        self.visible = on
        for line, _ in self.lines:
            line.visible = on

    def update_time(self, t: float) -> None:
        for line, drift in self.lines:
            m = MatrixTransform()
            m.rotate(np.degrees(drift * t), (0, 0, 1))
            line.transform = m
