"""Orbit tracks: every plane's ring in one line visual, each shell turned by its J2 node drift.

All rings share one vertex buffer and one draw call; each vertex carries its shell's drift rate
(rad/s) and the vertex shader turns it about the z axis by ``drift * t``. Per frame only the
time uniform changes. (One vispy ``Line`` per shell cost a draw call, a program update and a
transform upload each: about 9 ms a frame for a 100-plane shell on software OpenGL.)
"""

from __future__ import annotations

import numpy as np
from vispy import gloo, scene

from app.globe.occlusion import hidden_behind_earth
from app.globe.plain_visual import PlainVisual
from app.globe.prepare import RING_POINTS

_VERTEX = """
attribute vec3 a_position;
attribute vec4 a_color;
attribute float a_drift;
uniform float u_t;
varying vec4 v_color;
void main() {
    float ang = a_drift * u_t;
    float c = cos(ang);
    float s = sin(ang);
    vec3 p = vec3(c * a_position.x - s * a_position.y, s * a_position.x + c * a_position.y, a_position.z);
    gl_Position = $transform(vec4(p, 1.0));
    v_color = a_color;
}
"""

_FRAGMENT = """
varying vec4 v_color;
void main() {
    gl_FragColor = v_color;
}
"""

RING_ALPHA = 0.35


class RingsVisual(PlainVisual):
    """Line segments (GL_LINES) of all rings, depth-tested, turned on the GPU by a time uniform."""

    def __init__(self):
        super().__init__(vcode=_VERTEX, fcode=_FRAGMENT)
        self._draw_mode = "lines"
        self.set_gl_state("translucent", depth_test=True)
        self.shared_program["u_t"] = 0.0
        self.set_rings(np.zeros((0, 3), np.float32), np.zeros((0, 4), np.float32), np.zeros(0, np.float32),
                       np.zeros((0, 2), np.uint32))

    def set_rings(self, pos: np.ndarray, rgba: np.ndarray, drift: np.ndarray, segments: np.ndarray) -> None:
        self.shared_program["a_position"] = np.ascontiguousarray(pos, dtype=np.float32)
        self.shared_program["a_color"] = np.ascontiguousarray(rgba, dtype=np.float32)
        self.shared_program["a_drift"] = np.ascontiguousarray(drift, dtype=np.float32)
        self.set_segments(segments)

    def set_segments(self, segments: np.ndarray) -> None:
        """Which segments (vertex index pairs) to draw."""
        self._index_buffer = gloo.IndexBuffer(np.ascontiguousarray(segments, dtype=np.uint32)) if len(segments) else None
        self.update()

    def set_time(self, t: float) -> None:
        self.shared_program["u_t"] = float(t)
        self.update()

    def _prepare_draw(self, view) -> bool:
        return self._index_buffer is not None


Rings = scene.visuals.create_visual_node(RingsVisual)


def pack_rings(view) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate ``view.rings`` into one buffer: positions, colours, drift rates, segment indices."""
    pos, rgba, drift, segs = [], [], [], []
    base = 0
    for ring in view.rings:
        n = ring.pos.shape[0]
        pos.append(ring.pos)
        rgba.append(np.tile([*view.shell_rgb[ring.shell], RING_ALPHA], (n, 1)))
        drift.append(np.full(n, ring.drift_rad_per_s))
        segs.append(np.asarray(ring.connect, dtype=np.int64) + base)
        base += n
    if not pos:
        return (np.zeros((0, 3), np.float32), np.zeros((0, 4), np.float32), np.zeros(0, np.float32),
                np.zeros((0, 2), np.uint32))
    return (np.concatenate(pos).astype(np.float32), np.concatenate(rgba).astype(np.float32),
            np.concatenate(drift).astype(np.float32), np.concatenate(segs).astype(np.uint32))


def turned(pos: np.ndarray, drift_rad_per_s: np.ndarray, t: float) -> np.ndarray:
    """Ring vertices turned about z by ``drift * t`` (what the vertex shader draws)."""
    ang = drift_rad_per_s.astype(np.float64) * t
    c, s = np.cos(ang), np.sin(ang)
    x, y = pos[:, 0].astype(np.float64), pos[:, 1].astype(np.float64)
    return np.stack([c * x - s * y, s * x + c * y, pos[:, 2]], axis=1)


class OrbitsAdapter:
    """The rings of every plane; segments the Earth hides from the camera are left out.

    With ``restrict`` (a large run) only the focused plane's ring, or the focused shell's rings
    when no plane is, are drawn: ``focus`` is ``(shell, plane or None)`` or None (no rings).
    """

    def __init__(self, parent):
        self.visual = Rings(parent=parent)
        self.visible = True
        self._pos = np.zeros((0, 3), np.float32)
        self._drift = np.zeros(0, np.float32)
        self._segments = np.zeros((0, 2), np.uint32)
        self.base_pos = self._pos
        self.base_rgba = np.zeros((0, 4), np.float32)
        self.colors = self.base_rgba
        self.restrict = False
        self.focus: tuple[int, int | None] | None = None
        self._segment_shell = np.zeros(0, np.int64)
        self._segment_track = np.zeros(0, np.int64)
        self.drawn_segments = 0

    def set_view(self, view) -> None:
        pos, rgba, drift, segs = pack_rings(view)
        self._pos, self._drift, self._segments = pos, drift, segs
        self.base_pos, self.base_rgba = pos, rgba
        self.colors = rgba
        shell = np.concatenate([np.full(r.pos.shape[0], r.shell) for r in view.rings]) if view.rings else np.zeros(0, np.int64)
        track = (np.concatenate([np.arange(r.pos.shape[0]) // RING_POINTS for r in view.rings]) if view.rings
                 else np.zeros(0, np.int64))
        self._segment_shell = shell[segs[:, 0]] if len(segs) else np.zeros(0, np.int64)
        self._segment_track = track[segs[:, 0]] if len(segs) else np.zeros(0, np.int64)
        self.restrict = bool(getattr(view, "large", False))
        shown = self._focused(segs)  # a large run's first frame must not draw every ring (2,250 at a million: 0.1 s)
        self.visual.set_rings(pos, rgba, drift, shown)
        self.drawn_segments = len(shown)
        self.visual.visible = self.visible and len(segs) > 0

    def _focused(self, segs: np.ndarray) -> np.ndarray:
        """``segs`` of the focused plane, else of the focused shell, else none, for a large run; all otherwise."""
        if not self.restrict:
            return segs
        if self.focus is None:
            return segs[:0]
        keep = self._segment_shell == self.focus[0]
        if self.focus[1] is not None:
            keep &= self._segment_track == self.focus[1]
        return segs[keep]

    def cull(self, t: float, eye: np.ndarray) -> None:
        """Draw only the segments with at least one end the Earth does not hide from ``eye``
        (and, with ``restrict``, only the focused shell's)."""
        segs = self._focused(self._segments)  # large run: the selected plane's ring, or the selected shell's rings
        if len(segs) == 0:
            self.drawn_segments = 0
            self.visual.set_segments(segs)
            return
        used = np.unique(segs)
        hidden = np.zeros(self._pos.shape[0], bool)
        hidden[used] = hidden_behind_earth(eye, turned(self._pos[used], self._drift[used], t))
        segs = segs[~(hidden[segs[:, 0]] & hidden[segs[:, 1]])]
        self.drawn_segments = len(segs)
        self.visual.set_segments(segs)

    @property
    def positions(self) -> np.ndarray:
        """The ring vertices as drawn at the epoch ``(n, 3)`` (before the J2 turn by ``drift * t``)."""
        return self._pos

    @property
    def drift(self) -> np.ndarray:
        return self._drift

    @property
    def segments(self) -> np.ndarray:
        return self._segments

    def show_positions(self, pos: np.ndarray) -> None:
        """Draw the rings' epoch vertices at ``pos`` (a gesture's preview; ``base_pos`` restores)."""
        self._pos = np.ascontiguousarray(pos, dtype=np.float32)
        self.visual.shared_program["a_position"] = self._pos
        self.visual.update()

    def show_colors(self, rgba: np.ndarray) -> None:
        """Colour the ring vertices (the selection's highlight; ``base_rgba`` restores)."""
        self.colors = rgba
        self.visual.shared_program["a_color"] = np.ascontiguousarray(rgba, dtype=np.float32)
        self.visual.update()

    def set_visible(self, on: bool) -> None:
        self.visible = on
        self.visual.visible = on

    def update_time(self, t: float) -> None:
        self.visual.set_time(t)
