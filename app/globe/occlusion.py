"""Which points the Earth hides from the camera (unit sphere, scene units of Earth radii).

The globe skips what the Earth hides before it reaches OpenGL: on software rendering every
satellite sprite and link drawn behind the planet still costs rasterisation, only to be thrown
away by the depth test. Picking uses the same test, so a hidden satellite is never picked.
"""

from __future__ import annotations

import numpy as np


def hidden_behind_earth(eye: np.ndarray, points: np.ndarray, radius: float = 1.0) -> np.ndarray:
    """Boolean mask, ``(n,)``: True where the segment eye -> point enters the unit sphere first.

    ``eye`` is the camera position (outside the sphere), ``points`` are ``(n, 3)``. A point on
    or above the surface facing the camera is visible; one behind the limb is hidden. A
    ``radius`` below 1 tests against a smaller sphere (hides less: what may be seen near a point).
    """
    e = np.asarray(eye, dtype=np.float64).reshape(3)
    d = np.asarray(points, dtype=np.float64) - e
    dd = np.einsum("ij,ij->i", d, d)
    ed = d @ e
    c = float(e @ e) - radius * radius
    disc = ed * ed - dd * c
    hit = disc > 0.0
    t_near = np.full(dd.shape, np.inf)
    t_near[hit] = (-ed[hit] - np.sqrt(disc[hit])) / np.maximum(dd[hit], 1e-300)
    return hit & (t_near > 0.0) & (t_near < 1.0 - 1e-6)
