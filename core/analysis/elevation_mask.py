"""The one test of "is this satellite at or above a site's elevation mask" (numba, inlined),
and of "can this site link to it" (the mask and a slant-range limit).

Access (contact windows) and the network (ground links) both ask it; they must agree.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(inline="always")
def at_or_above_mask(dx, dy, dz, ux, uy, uz, sin_mask):
    """True when the line of sight ``d`` (site -> satellite) rises at least the mask above the
    horizon of the site's local vertical ``u`` (unit): ``d.u / |d| >= sin(mask)``, no square root.

    Negative masks (a site on a mountain looking below its horizon) are allowed.
    """
    h = dx * ux + dy * uy + dz * uz
    r2 = dx * dx + dy * dy + dz * dz
    if sin_mask >= 0.0:
        return h >= 0.0 and h * h >= r2 * sin_mask * sin_mask
    return h >= 0.0 or h * h <= r2 * sin_mask * sin_mask


@njit(inline="always")
def in_ground_link(dx, dy, dz, ux, uy, uz, sin_mask, max_range_km):
    """True when a ground link can exist: the satellite is at or above the mask
    (:func:`at_or_above_mask`) *and* the slant range ``|d|`` is at most ``max_range_km``
    (``inf`` for no limit)."""
    return dx * dx + dy * dy + dz * dz <= max_range_km * max_range_km and at_or_above_mask(dx, dy, dz, ux, uy, uz, sin_mask)


def place_ranges_km(max_range_km: np.ndarray | None, n_place: int) -> np.ndarray:
    """Per-place slant-range limits as a float array, ``inf`` where there is none."""
    if max_range_km is None:
        return np.full(n_place, np.inf)
    out = np.array(np.broadcast_to(np.asarray(max_range_km, dtype=float), (n_place,)))
    out[~np.isfinite(out)] = np.inf
    return out
