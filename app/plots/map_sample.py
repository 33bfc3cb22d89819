"""A large run's map dots of one grid epoch, computed on a background thread.

The 2-D map of a large run draws an even sample of its satellites (:attr:`ViewData.map_sample`)
and the selected one. Their latitudes and longitudes at a grid epoch are propagated from the
ephemeris: 30-80 ms for 3,000 satellites of a ten-shell mission (more on a loaded machine), too
long for the GUI thread at every step of the time slider. :class:`MapSampleBuilder` computes them
on its own thread ("map-sample"); the newest request wins and the result arrives on the GUI
thread as ``ready(MapSample)``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class MapSample:
    """The map's dots of ``view`` at grid epoch ``index``: the sample's and the selected satellite's."""

    view: Any
    index: int
    selected: int | None
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    selected_lat_lon_deg: tuple[float, float] | None


def map_sample(view, index: int, selected: int | None) -> MapSample:
    """Latitudes and longitudes of ``view.map_sample`` (and of ``selected``) at grid epoch ``index``."""
    lat, lon, _ = view.geodetic_of(view.map_sample, index)
    sel = None
    if selected is not None and 0 <= selected < view.n_sat:
        la, lo, _ = view.geodetic_of([selected], index)
        sel = (float(la[0]), float(lo[0]))
    return MapSample(view, int(index), selected, np.asarray(lat, float), np.asarray(lon, float), sel)


class MapSampleBuilder(QObject):
    """Builds :class:`MapSample` objects on one background thread; ``ready`` arrives on the GUI thread."""

    ready = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._want: tuple[Any, int, int | None] | None = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self.failures: list[str] = []

    def request(self, view, index: int, selected: int | None) -> None:
        """Compute the dots of ``view`` at ``index`` next (replacing any request not yet started)."""
        with self._cond:
            self._want = (view, int(index), selected)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="map-sample", daemon=True)
                self._thread.start()
            self._cond.notify()

    def idle(self) -> bool:
        """True when nothing is waiting or being computed."""
        with self._cond:
            return self._want is None and not self._busy

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._want is None:
                    self._cond.wait()
                view, index, selected = self._want
                self._want = None
                self._busy = True
            try:
                sample: MapSample | None = map_sample(view, index, selected)
            except Exception as exc:  # noqa: BLE001 - a failed epoch is skipped; the next request retries
                self.failures.append(f"{type(exc).__name__}: {exc}")
                sample = None
            try:
                if sample is not None:
                    self.ready.emit(sample)
            except RuntimeError:  # the map was deleted meanwhile
                return
            finally:
                with self._cond:
                    self._busy = False
                view = sample = None  # hold no view while waiting (a large one keeps its ephemeris alive)
