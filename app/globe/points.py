"""A lean point-sprite visual for thousands of satellites.

vispy's ``Markers`` draws every point through a signed-distance-field shader with edges and
antialiasing; on software OpenGL (Mesa llvmpipe) that costs ~55 ms a frame for 10,000 points
at 1280x800. Satellites need only a round dot of one colour: this visual is a bare
``GL_POINTS`` program with a circular cut-out, about three times faster there.
"""

from __future__ import annotations

import numpy as np
from vispy import scene

from app.globe.plain_visual import PlainVisual

_VERTEX = """
attribute vec3 a_position;
attribute vec4 a_color;
uniform float u_size;
varying vec4 v_color;
void main() {
    gl_Position = $transform(vec4(a_position, 1.0));
    gl_PointSize = u_size;
    v_color = a_color;
}
"""

_FRAGMENT = """
varying vec4 v_color;
void main() {
    vec2 d = gl_PointCoord - vec2(0.5);
    float r2 = dot(d, d);
    if (r2 > 0.25) discard;
    gl_FragColor = vec4(v_color.rgb * (1.0 - 0.6 * r2), v_color.a);  // a hint of shading at the rim
}
"""


class DotsVisual(PlainVisual):
    """Round dots of one pixel size, a colour per dot, depth-tested against the globe."""

    def __init__(self):
        super().__init__(vcode=_VERTEX, fcode=_FRAGMENT)
        self._draw_mode = "points"
        self.set_gl_state("translucent", depth_test=True)
        self.set_data(np.zeros((0, 3), np.float32), np.zeros((0, 4), np.float32), 5.0)

    def set_data(self, positions: np.ndarray, colors: np.ndarray, size: float) -> None:
        self.shared_program["a_position"] = np.ascontiguousarray(positions, dtype=np.float32)
        self.shared_program["a_color"] = np.ascontiguousarray(colors, dtype=np.float32)
        self.shared_program["u_size"] = float(size)
        self.update()


Dots = scene.visuals.create_visual_node(DotsVisual)
