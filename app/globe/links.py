"""Inter-satellite links between current positions, and the route of the selected city pair."""

from __future__ import annotations

import numpy as np
from vispy import scene

from app.globe.plain_visual import PlainVisual

LINK_RGBA = (0.92, 0.90, 0.82, 0.22)  # a neutral pale white: orbit tracks carry the (saturated) shell colours

_VERTEX = """
attribute vec3 a_position;
void main() {
    gl_Position = $transform(vec4(a_position, 1.0));
}
"""

_FRAGMENT = """
uniform vec4 u_color;
void main() {
    gl_FragColor = u_color;
}
"""


class SegmentsVisual(PlainVisual):
    """Thin line segments of one colour (GL_LINES), depth-tested.

    Tens of thousands of links change every frame; vispy's ``Line`` checks and converts its
    input on each ``set_data``, this visual only uploads the vertex array.
    """

    def __init__(self, rgba=LINK_RGBA):
        super().__init__(vcode=_VERTEX, fcode=_FRAGMENT)
        self._draw_mode = "lines"
        self.set_gl_state("translucent", depth_test=True)
        self.shared_program["u_color"] = tuple(float(c) for c in rgba)
        self.set_segments(np.zeros((0, 3), np.float32))

    def set_segments(self, ends: np.ndarray) -> None:
        """``ends`` (2k, 3): the two ends of each segment, one after the other."""
        self.shared_program["a_position"] = np.ascontiguousarray(ends, dtype=np.float32)
        self.update()


Segments = scene.visuals.create_visual_node(SegmentsVisual)


class LinksAdapter:
    def __init__(self, parent):
        self.lines = Segments(parent=parent)
        self.pairs = np.zeros((0, 2), np.int32)
        self.per_epoch = None
        self.visible = True

    def set_view(self, view) -> None:
        self.pairs = view.link_pairs
        self.per_epoch = view.links_per_epoch

    def set_visible(self, on: bool) -> None:
        self.visible = on
        self.lines.visible = on and self.pairs.size > 0

    def update_time(self, pos: np.ndarray, i_time: int, hidden: np.ndarray) -> None:
        """Links of epoch ``i_time``, less those whose two ends the Earth hides (``hidden`` per satellite)."""
        pairs = self.pairs if self.per_epoch is None else np.asarray(self.per_epoch(i_time), dtype=np.int32).reshape(-1, 2)
        if not self.visible or pairs.size == 0 or pos.shape[0] == 0:
            self.lines.visible = False
            return
        pairs = pairs[~(hidden[pairs[:, 0]] & hidden[pairs[:, 1]])]
        if pairs.size == 0:
            self.lines.visible = False
            return
        self.lines.visible = True
        self.lines.set_segments(pos[pairs.ravel()])


class RouteAdapter:
    """The route of the chosen city pair: a bright polyline city -> satellites -> city."""

    def __init__(self, parent):
        self.line = scene.visuals.Line(parent=parent, method="gl", width=3.0, antialias=False)
        self.line.set_gl_state("translucent", depth_test=True)
        self.line.visible = False
        self.ends = scene.visuals.Markers(parent=parent)
        self.ends.set_gl_state("translucent", depth_test=True)
        self.ends.visible = False

    def update(self, points: np.ndarray | None) -> None:
        if points is None or len(points) < 2:
            self.line.visible = False
            self.ends.visible = False
            return
        self.line.visible = True
        self.line.set_data(pos=np.asarray(points, np.float32), color=(1.0, 0.25, 0.35, 1.0))
        self.ends.visible = True
        self.ends.set_data(np.asarray(points, np.float32)[[0, -1]], face_color=(1.0, 0.25, 0.35, 1.0), size=9, edge_width=0)
