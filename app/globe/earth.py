"""The Earth: a textured sphere (NASA Blue Marble) lit from the true Sun direction.

The mesh is built in Earth-fixed coordinates (Earth radii); the globe puts it under a node
whose transform is the ITRS -> GCRS rotation of the current time, so it turns with simulation
time. The night side is darkened with a soft terminator; the Sun's angle is computed per
vertex (a linear blend across a triangle of 5 deg is invisible at the terminator's width).
Back faces are culled: on software OpenGL the hidden hemisphere cost as much as the visible one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from vispy import gloo
from vispy.scene.visuals import create_visual_node
from vispy.visuals import Visual

TEXTURE = Path(__file__).resolve().parents[2] / "resources" / "textures" / "earth_2048x1024.jpg"

_VERT = """
attribute vec3 a_position;
attribute vec2 a_texcoord;
uniform vec3 u_sun;
varying vec2 v_texcoord;
varying float v_sun;
void main() {
    v_texcoord = a_texcoord;
    v_sun = dot(a_position, u_sun);  // cosine of the Sun's zenith angle (unit sphere)
    gl_Position = $transform(vec4(a_position, 1.0));
}
"""

_FRAG = """
uniform sampler2D u_texture;
uniform float u_ambient;
varying vec2 v_texcoord;
varying float v_sun;
void main() {
    vec3 color = texture2D(u_texture, v_texcoord).rgb;
    float d = v_sun;
    float day = smoothstep(-0.12, 0.10, d);
    vec3 night = color * u_ambient + vec3(0.01, 0.015, 0.04);
    vec3 lit = color * (0.35 + 0.75 * clamp(d, 0.0, 1.0));
    gl_FragColor = vec4(mix(night, lit, day), 1.0);
}
"""


def sphere_mesh(n_lat: int = 36, n_lon: int = 72) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices (Earth-fixed, unit radius), texture coordinates and triangle indices."""
    lat = np.linspace(90.0, -90.0, n_lat + 1)
    lon = np.linspace(-180.0, 180.0, n_lon + 1)
    lo, la = np.meshgrid(np.radians(lon), np.radians(lat))
    pos = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1).reshape(-1, 3)
    u = (lon + 180.0) / 360.0
    v = (90.0 - lat) / 180.0
    uu, vv = np.meshgrid(u, v)
    tex = np.stack([uu, vv], axis=-1).reshape(-1, 2)
    idx = np.arange((n_lat + 1) * (n_lon + 1)).reshape(n_lat + 1, n_lon + 1)
    a, b, c, d = idx[:-1, :-1], idx[:-1, 1:], idx[1:, :-1], idx[1:, 1:]
    faces = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([b, c, d], -1).reshape(-1, 3)])
    return pos.astype(np.float32), tex.astype(np.float32), faces.astype(np.uint32)


def load_texture(path: Path = TEXTURE) -> np.ndarray:
    try:
        from PIL import Image

        return np.asarray(Image.open(path).convert("RGB"))
    except Exception:  # noqa: BLE001 - a plain blue-green planet if the texture is missing
        img = np.zeros((64, 128, 3), np.uint8)
        img[..., 2] = 120
        img[..., 1] = 60
        return img


class EarthVisual(Visual):
    def __init__(self, texture: np.ndarray | None = None, n_lat: int = 36, n_lon: int = 72):
        super().__init__(vcode=_VERT, fcode=_FRAG)
        pos, tex, faces = sphere_mesh(n_lat, n_lon)
        self._index_buffer = gloo.IndexBuffer(faces)
        self.shared_program["a_position"] = gloo.VertexBuffer(pos)
        self.shared_program["a_texcoord"] = gloo.VertexBuffer(tex)
        img = load_texture() if texture is None else texture
        self.shared_program["u_texture"] = gloo.Texture2D(img, interpolation="linear", wrapping="clamp_to_edge")
        self.shared_program["u_sun"] = (1.0, 0.0, 0.0)
        self.shared_program["u_ambient"] = 0.10
        self.set_gl_state("opaque", depth_test=True, cull_face="back")  # faces wind counter-clockwise seen from outside
        self._draw_mode = "triangles"

    def set_sun(self, sun_ecef: np.ndarray) -> None:
        self.shared_program["u_sun"] = tuple(float(x) for x in sun_ecef)
        self.update()

    def _prepare_transforms(self, view):
        view.view_program.vert["transform"] = view.get_transform()

    def _prepare_draw(self, view):
        pass

    def _compute_bounds(self, axis, view):
        return (-1.0, 1.0)


Earth = create_visual_node(EarthVisual)


class EarthAdapter:
    """Draws the Earth under the Earth-fixed node; lit by the Sun of the current time."""

    def __init__(self, earth_node):
        self.visual = Earth(parent=earth_node)

    def update_time(self, sun_ecef: np.ndarray) -> None:
        self.visual.set_sun(sun_ecef)
