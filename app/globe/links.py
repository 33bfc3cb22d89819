"""Inter-satellite links between current positions, and the route of the selected city pair.

With a ``traffic`` result, links that carry traffic at the current epoch are drawn in a second,
per-vertex coloured layer from amber (lightly used) to red (full), see :func:`utilisation_rgba`.
"""

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

_VERTEX_RGBA = """
attribute vec3 a_position;
attribute vec4 a_color;
varying vec4 v_color;
void main() {
    v_color = a_color;
    gl_Position = $transform(vec4(a_position, 1.0));
}
"""

_FRAGMENT_RGBA = """
varying vec4 v_color;
void main() {
    gl_FragColor = v_color;
}
"""


class ColouredSegmentsVisual(PlainVisual):
    """Line segments with a colour per vertex (GL_LINES), depth-tested."""

    def __init__(self):
        super().__init__(vcode=_VERTEX_RGBA, fcode=_FRAGMENT_RGBA)
        self._draw_mode = "lines"
        self.set_gl_state("translucent", depth_test=True)
        self.set_segments(np.zeros((0, 3), np.float32), np.zeros((0, 4), np.float32))

    def set_segments(self, ends: np.ndarray, rgba: np.ndarray) -> None:
        """``ends`` (2k, 3) and ``rgba`` (2k, 4): both ends of each segment with their colours."""
        self.shared_program["a_position"] = np.ascontiguousarray(ends, dtype=np.float32)
        self.shared_program["a_color"] = np.ascontiguousarray(rgba, dtype=np.float32)
        self.update()


ColouredSegments = scene.visuals.create_visual_node(ColouredSegmentsVisual)

LOW_USE_RGBA = np.array([1.0, 0.8, 0.2, 0.6], np.float32)
FULL_USE_RGBA = np.array([1.0, 0.1, 0.1, 0.95], np.float32)


def utilisation_rgba(utilisation: np.ndarray) -> np.ndarray:
    """``(k, 4)`` colours of links carrying traffic: amber for a light load to red when full
    (utilisation clipped to 0..1)."""
    u = np.clip(np.asarray(utilisation, dtype=np.float32), 0.0, 1.0)[:, None]
    return LOW_USE_RGBA * (1.0 - u) + FULL_USE_RGBA * u


def epoch_utilisation(traffic, topology, i_time: int) -> np.ndarray | None:
    """Utilisation of the links :meth:`Topology.links_at` gives at ``i_time`` (same order),
    or ``None`` without a traffic result."""
    if traffic is None or topology is None or traffic.isl_utilisation.shape[1] != topology.n_edge:
        return None
    return traffic.isl_utilisation[i_time][topology.isl_active[i_time]]


class LinksAdapter:
    def __init__(self, parent):
        self.lines = Segments(parent=parent)
        self.loaded = ColouredSegments(parent=parent)
        self.loaded.visible = False
        self.pairs = np.zeros((0, 2), np.int32)
        self.per_epoch = None
        self.traffic = None
        self.topology = None
        self.visible = True
        self.drawn = 0

    def set_view(self, view) -> None:
        self.pairs = view.link_pairs
        self.per_epoch = view.links_per_epoch
        results = getattr(view, "results", None)
        self.traffic = getattr(results, "traffic", None)
        self.topology = getattr(results, "topology", None)

    def set_visible(self, on: bool) -> None:
        self.visible = on
        self.lines.visible = on and self.pairs.size > 0
        self.loaded.visible = self.loaded.visible and on

    def update_time(self, pos: np.ndarray, i_time: int, hidden: np.ndarray, focus: np.ndarray | None = None) -> None:
        """Links of epoch ``i_time``, less those whose two ends the Earth hides (``hidden`` per satellite).

        ``focus`` (a mask per satellite; a large run's selected plane or shell) keeps only the links
        with an end in it."""
        self.drawn = 0
        pairs = self.pairs if self.per_epoch is None else np.asarray(self.per_epoch(i_time), dtype=np.int32).reshape(-1, 2)
        self.loaded.visible = False
        if not self.visible or pairs.size == 0 or pos.shape[0] == 0 or (focus is not None and not focus.any()):
            self.lines.visible = False
            return
        use = epoch_utilisation(self.traffic, self.topology, i_time) if self.per_epoch is not None else None
        shown = ~(hidden[pairs[:, 0]] & hidden[pairs[:, 1]])
        if focus is not None:
            shown &= focus[pairs[:, 0]] | focus[pairs[:, 1]]
        pairs = pairs[shown]
        if pairs.size == 0:
            self.lines.visible = False
            return
        if use is not None and use.size == shown.size:
            use = use[shown]
            busy = use > 0
            if busy.any():
                self.loaded.visible = True
                self.loaded.set_segments(pos[pairs[busy].ravel()], np.repeat(utilisation_rgba(use[busy]), 2, axis=0))
            pairs = pairs[~busy]
        self.lines.visible = pairs.size > 0
        self.drawn = int(shown.sum())
        if pairs.size:
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
