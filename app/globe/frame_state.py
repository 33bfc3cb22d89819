"""The satellites of one displayed instant, and the thread that computes them for a large run.

A :class:`FrameState` holds every satellite's position and sunlit flag at time ``t`` and, for a
run with more satellites than the globe ever draws as points, their :class:`CellIndex` and
density texture. For a small run the globe builds it on the GUI thread (about a millisecond);
for a large one :class:`FrameStateBuilder` builds it on its own thread (propagating a grid epoch
of a million satellites takes about 0.4 s) and hands it to the GUI thread when done. The newest
request wins: while the time slider moves, instants nobody waits for any more are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QObject

from app.globe.density import CellIndex, density_rgba
from app.workers import NewestRequestWorker

POINTS_ON_SCREEN_MAX = 12_000
"""Level of detail: more satellites than this on screen are drawn as the density layer, fewer as points
(a point sprite costs about 1.8 us on software OpenGL at 1280x800: 12,000 keep a frame near 25 ms)."""


@dataclass(frozen=True)
class FrameState:
    """Every satellite at offset ``t`` of ``data`` (a :class:`~app.globe.prepare.ViewData`)."""

    data: Any
    t: float
    pos: np.ndarray  # (n_sat, 3) float32, GCRS Earth radii
    sunlit: np.ndarray  # (n_sat,) bool
    index: CellIndex | None  # None when every satellite can be drawn as a point
    density: np.ndarray | None  # (N_LAT, N_LON, 4) uint8 texture, with index


def satellite_rgb(data) -> np.ndarray:
    """Shell colour of every satellite, ``(n_sat, 3)`` float32."""
    return np.asarray(data.shell_rgb, np.float32)[data.shell_index] if data.n_sat else np.zeros((0, 3), np.float32)


def build_frame_state(data, t: float, rgb: np.ndarray | None = None,
                      preview: Callable[[np.ndarray, float], np.ndarray] | None = None) -> FrameState:
    """Positions, sunlit flags and (for more than :data:`POINTS_ON_SCREEN_MAX` satellites) the cell
    index and density texture at ``t``. ``preview`` transforms the positions (a gesture's preview)."""
    pos = data.positions_eci(t)
    if preview is not None:
        pos = np.asarray(preview(pos, t), dtype=np.float32)
    sunlit = data.sunlit_at(t, pos)
    index = density = None
    if data.n_sat > POINTS_ON_SCREEN_MAX:
        index = CellIndex.build(pos, satellite_rgb(data) if rgb is None else rgb)
        density = density_rgba(index)
    return FrameState(data, float(t), pos, sunlit, index, density)


class FrameStateBuilder(NewestRequestWorker):
    """Builds frame states on one background thread ("globe-frames"): ``request(data, t)`` returns at
    once, ``ready(FrameState)`` arrives on the GUI thread (see :class:`~app.workers.NewestRequestWorker`)."""

    thread_name = "globe-frames"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rgb: tuple[Any, np.ndarray] | None = None  # the shell colours of the last view built

    def build(self, data, t: float) -> FrameState:
        if self._rgb is None or self._rgb[0] is not data:
            self._rgb = (data, satellite_rgb(data))
        return build_frame_state(data, float(t), self._rgb[1])
