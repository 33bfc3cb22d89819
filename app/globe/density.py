"""Where the satellites are, binned on a latitude/longitude grid: the zoomed-out layer of a large run.

:class:`CellIndex` sorts the satellites of one instant into cells of :data:`CELL_DEG` degrees
(in the scene's inertial frame): per cell its count, mean position and mean shell colour, and
the satellites of any set of cells without scanning the others (the globe culls to the view
cell by cell). :func:`density_rgba` turns the counts into a texture and :class:`DensityLayer`
draws it on a sphere at the satellites' mean radius: one draw call whatever the number of
satellites. Everything here but the drawing runs in the globe's frame builder, off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from vispy import gloo, scene

from app.globe.plain_visual import PlainVisual

CELL_DEG = 2.0
"""Edge of a density cell, degrees of latitude and longitude."""
N_LAT = int(round(180 / CELL_DEG))
N_LON = int(round(360 / CELL_DEG))
N_CELLS = N_LAT * N_LON
MESH_LAT, MESH_LON = 48, 96
"""Vertices of the density sphere (the texture, not the mesh, carries the detail)."""


def cells_of(pos: np.ndarray) -> np.ndarray:
    """Cell index (``lat_row * N_LON + lon_col``) of each position ``(n, 3)``; row 0 is the south pole."""
    p = np.asarray(pos, dtype=np.float32)
    r = np.sqrt(np.einsum("ij,ij->i", p, p))
    lat = np.arcsin(np.clip(p[:, 2] / np.maximum(r, 1e-12), -1.0, 1.0))
    lon = np.arctan2(p[:, 1], p[:, 0])
    row = np.clip(((lat + np.pi / 2) * (N_LAT / np.pi)).astype(np.int32), 0, N_LAT - 1)
    col = np.clip(((lon + np.pi) * (N_LON / (2 * np.pi))).astype(np.int32), 0, N_LON - 1)
    return row * N_LON + col


@dataclass(frozen=True)
class CellIndex:
    """The satellites of one instant, sorted by cell.

    Attributes:
        order: satellite indices sorted by cell, ``(n,)``.
        starts: ``order[starts[c]:starts[c + 1]]`` are the satellites of cell ``c``, ``(N_CELLS + 1,)``.
        counts: satellites per cell, ``(N_CELLS,)``.
        centre: mean position of each cell's satellites (scene units; zero where empty), ``(N_CELLS, 3)``.
        rgb: mean shell colour of each cell's satellites, ``(N_CELLS, 3)``.
        radius: mean distance of all satellites from the Earth's centre (Earth radii).
    """

    order: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    centre: np.ndarray
    rgb: np.ndarray
    radius: float

    @classmethod
    def build(cls, pos: np.ndarray, rgb: np.ndarray) -> "CellIndex":
        """Index positions ``(n, 3)`` with their colours ``(n, 3)``."""
        cell = cells_of(pos)
        counts = np.bincount(cell, minlength=N_CELLS)
        order = np.argsort(cell, kind="stable").astype(np.int64)
        starts = np.zeros(N_CELLS + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        safe = np.maximum(counts, 1)[:, None]
        centre = np.stack([np.bincount(cell, weights=pos[:, k], minlength=N_CELLS) for k in range(3)], axis=1) / safe
        colour = np.stack([np.bincount(cell, weights=rgb[:, k], minlength=N_CELLS) for k in range(3)], axis=1) / safe
        radius = float(np.mean(np.linalg.norm(pos, axis=1))) if len(pos) else 1.0
        return cls(order, starts, counts, centre.astype(np.float32), colour.astype(np.float32), radius)

    def members(self, cells: np.ndarray) -> np.ndarray:
        """Satellite indices of ``cells`` (any order), without a loop over cells."""
        cells = np.asarray(cells, dtype=np.int64)
        lengths = self.counts[cells]
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, np.int64)
        first = np.repeat(self.starts[cells] - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        return self.order[first + np.arange(total)]


SMOOTH = np.array([1.0, 2.0, 3.0, 2.0, 1.0]) / 9.0
"""The texture's blur (cells, both axes): a Walker shell's planes are a few cells apart, and the layer
shows how dense the constellation is, not a moire of its planes against the grid."""


def _smooth(grid: np.ndarray) -> np.ndarray:
    """``grid`` ``(N_LAT, N_LON, ...)`` blurred by :data:`SMOOTH`, wrapping in longitude."""
    half = len(SMOOTH) // 2
    out = sum(w * np.roll(grid, k - half, axis=1) for k, w in enumerate(SMOOTH))
    padded = np.concatenate([out[:1].repeat(half, 0), out, out[-1:].repeat(half, 0)], axis=0)
    return sum(w * padded[k : k + grid.shape[0]] for k, w in enumerate(SMOOTH))


def density_rgba(index: CellIndex) -> np.ndarray:
    """``(N_LAT, N_LON, 4)`` uint8 texture: satellites per unit of area, smoothed, in their shells'
    colour, brighter and more opaque where denser (translucent: the Earth shows through; empty is clear)."""
    lat_c = np.radians(-90.0 + CELL_DEG * (np.arange(N_LAT) + 0.5))
    counts = index.counts.reshape(N_LAT, N_LON).astype(float)
    rgb_sum = _smooth(index.rgb.reshape(N_LAT, N_LON, 3) * counts[..., None])
    counts = _smooth(counts)
    density = counts / np.cos(lat_c)[:, None]
    full = np.percentile(density[counts > 0], 99) if np.any(counts > 0) else 1.0
    level = np.clip(np.sqrt(density / max(full, 1e-9)), 0.0, 1.0)[..., None]
    rgb = rgb_sum / np.maximum(counts, 1e-9)[..., None]
    rgb = rgb * (0.75 + 0.25 * level) + 0.25 * level**2
    alpha = np.where(counts[..., None] > 1e-6, 0.04 + 0.36 * level**1.5, 0.0)
    out = np.concatenate([np.clip(rgb, 0, 1), alpha], axis=-1)
    return (out * 255).astype(np.uint8)


_VERTEX = """
attribute vec3 a_position;
attribute vec2 a_texcoord;
uniform float u_radius;
varying vec2 v_texcoord;
void main() {
    v_texcoord = a_texcoord;
    gl_Position = $transform(vec4(a_position * u_radius, 1.0));
}
"""

_FRAGMENT = """
uniform sampler2D u_density;
varying vec2 v_texcoord;
void main() {
    vec4 c = texture2D(u_density, v_texcoord);
    if (c.a < 0.01) discard;
    gl_FragColor = c;
}
"""


def sphere_mesh(n_lat: int = MESH_LAT, n_lon: int = MESH_LON) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit-sphere vertices ``(k, 3)``, their texture coordinates ``(k, 2)`` (longitude, latitude
    from 0 to 1) and triangles ``(m, 3)``, counter-clockwise seen from outside."""
    lat = np.linspace(-np.pi / 2, np.pi / 2, n_lat + 1)
    lon = np.linspace(-np.pi, np.pi, n_lon + 1)
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    pos = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1).reshape(-1, 3)
    uv = np.stack([(lo + np.pi) / (2 * np.pi), (la + np.pi / 2) / np.pi], axis=-1).reshape(-1, 2)
    a = (np.arange(n_lat)[:, None] * (n_lon + 1) + np.arange(n_lon)[None, :]).ravel()
    b, c, d = a + 1, a + n_lon + 1, a + n_lon + 2
    tris = np.concatenate([np.stack([a, b, d], 1), np.stack([a, d, c], 1)])
    return pos.astype(np.float32), uv.astype(np.float32), tris.astype(np.uint32)


class DensityVisual(PlainVisual):
    """The density texture on a sphere: its near side only (back faces culled: on software OpenGL
    every fragment counts), depth-tested against the Earth, not writing depth."""

    def __init__(self):
        super().__init__(vcode=_VERTEX, fcode=_FRAGMENT)
        self._draw_mode = "triangles"
        self.set_gl_state("translucent", depth_test=True, depth_mask=False, cull_face=True)
        pos, uv, tris = sphere_mesh()
        self.n_vertices = int(pos.shape[0])
        self.shared_program["a_position"] = pos
        self.shared_program["a_texcoord"] = uv
        self._index_buffer = gloo.IndexBuffer(tris)
        self.texture = gloo.Texture2D(np.zeros((N_LAT, N_LON, 4), np.uint8), interpolation="linear",
                                      wrapping="clamp_to_edge")
        self.shared_program["u_density"] = self.texture
        self.shared_program["u_radius"] = 1.1

    def set_density(self, rgba: np.ndarray, radius_er: float) -> None:
        """Upload the ``(N_LAT, N_LON, 4)`` texture and the sphere's radius (Earth radii)."""
        self.texture.set_data(np.ascontiguousarray(rgba))
        self.shared_program["u_radius"] = float(radius_er)
        self.update()


Density = scene.visuals.create_visual_node(DensityVisual)
