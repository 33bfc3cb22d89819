"""Satellites as dots, coloured by shell and dimmed in eclipse; the selected one ringed."""

from __future__ import annotations

import numpy as np
from vispy import scene

from app.globe.points import Dots

ECLIPSE_DIM = 0.38


class SatellitesAdapter:
    def __init__(self, parent):
        self.markers = Dots(parent=parent)
        self.selected = scene.visuals.Markers(parent=parent)
        self.selected.set_gl_state("translucent", depth_test=True)
        self.selected.visible = False
        self._rgba: np.ndarray | None = None
        self._dim: np.ndarray | None = None
        self._shell = np.zeros(0, np.int32)
        self.size = 5.0
        self.drawn = 0
        """Satellites handed to the point visual by the last update (its vertex count)."""

    def set_view(self, view) -> None:
        """Colours per shell (looked up for the satellites drawn: O(1) here at any number of satellites)."""
        n = view.n_sat
        rgb = np.asarray(view.shell_rgb, np.float32).reshape(-1, 3)
        self._rgba = np.concatenate([rgb, np.ones((rgb.shape[0], 1), np.float32)], axis=1)
        self._dim = self._rgba.copy()
        self._dim[:, :3] *= ECLIPSE_DIM
        self._shell = np.asarray(view.shell_index)
        self.size = 9.0 if n <= 300 else (6.0 if n <= 3000 else (4.0 if n <= 8000 else 3.0))

    def update_time(self, pos: np.ndarray, sunlit: np.ndarray, selected: int | None, shown: np.ndarray) -> None:
        """Draw the satellites ``shown`` picks (a mask, or indices: those in view the Earth does not hide)."""
        if self._rgba is None or pos.shape[0] == 0:
            self.markers.visible = False
            self.selected.visible = False
            self.drawn = 0
            return
        shell = self._shell[shown]
        colors = np.where(sunlit[shown, None], self._rgba[shell], self._dim[shell])
        self.drawn = int(colors.shape[0])
        self.markers.visible = self.drawn > 0
        self.markers.set_data(pos[shown], colors, self.size)
        if selected is not None and 0 <= selected < pos.shape[0]:
            self.selected.visible = True
            self.selected.set_data(pos[selected : selected + 1], face_color=(1, 1, 1, 1), edge_width=0,
                                   size=16, symbol="ring")
        else:
            self.selected.visible = False
