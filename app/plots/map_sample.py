"""A large run's map dots of one grid epoch, computed on a background thread.

The 2-D map of a large run draws an even sample of its satellites (:attr:`ViewData.map_sample`)
and the selected one. Their latitudes and longitudes at a grid epoch are propagated from the
ephemeris: 30-80 ms for 3,000 satellites of a ten-shell mission (more on a loaded machine), too
long for the GUI thread at every step of the time slider. :class:`MapSampleBuilder` computes them
on its own thread ("map-sample"); the newest request wins and the result arrives on the GUI
thread as ``ready(MapSample)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.workers import NewestRequestWorker


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


class MapSampleBuilder(NewestRequestWorker):
    """Builds :class:`MapSample` objects on one background thread ("map-sample"): ``request(view, index,
    selected)`` returns at once, ``ready`` arrives on the GUI thread (:class:`~app.workers.NewestRequestWorker`)."""

    thread_name = "map-sample"

    def build(self, view, index: int, selected: int | None) -> MapSample:
        return map_sample(view, int(index), selected)
