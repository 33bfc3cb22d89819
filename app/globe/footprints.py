"""The selected satellite's coverage footprint: a circle on the ground at the mission's elevation mask."""

from __future__ import annotations

import numpy as np
from vispy import scene

_N = 96


def footprint_ring(sub_ecef: np.ndarray, half_angle_rad: float) -> np.ndarray:
    """Points (Earth radii, just above the surface) at ``half_angle`` around the unit vector ``sub_ecef``."""
    c = sub_ecef / np.linalg.norm(sub_ecef)
    ref = np.array([0.0, 0.0, 1.0]) if abs(c[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    e1 = np.cross(c, ref)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(c, e1)
    a = np.linspace(0, 2 * np.pi, _N + 1)
    pts = np.cos(half_angle_rad) * c[None, :] + np.sin(half_angle_rad) * (np.cos(a)[:, None] * e1 + np.sin(a)[:, None] * e2)
    return (pts * 1.003).astype(np.float32)


class FootprintAdapter:
    def __init__(self, earth_node):
        self.line = scene.visuals.Line(parent=earth_node, method="gl", width=2.0, antialias=False)
        self.line.set_gl_state("translucent", depth_test=True)
        self.line.visible = False

    def update(self, sub_ecef: np.ndarray | None, half_angle_rad: float = 0.0) -> None:
        if sub_ecef is None or half_angle_rad <= 0:
            self.line.visible = False
            return
        self.line.visible = True
        self.line.set_data(pos=footprint_ring(sub_ecef, half_angle_rad), color=(1.0, 1.0, 1.0, 0.85))
