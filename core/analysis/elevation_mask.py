"""The one test of "is this satellite at or above a site's elevation mask" (numba, inlined).

Access (contact windows) and the network (ground links) both ask it; they must agree.
"""

from __future__ import annotations

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
