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
        # Update the existing transform in place: assigning a new transform object makes vispy
        # rebuild the line's shader program, which cost ~100 ms a frame for a 100-plane shell.
        for line, drift in self.lines:
            angle = drift * t
            c, s = np.cos(angle), np.sin(angle)
            matrix = np.eye(4)
            matrix[0, 0], matrix[0, 1], matrix[1, 0], matrix[1, 1] = c, s, -s, c  # row-vector convention
            line.transform.matrix = matrix
