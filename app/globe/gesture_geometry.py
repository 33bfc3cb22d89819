"""Geometry of the globe's gestures, free of Qt and vispy (scene units: Earth radii, GCRS axes).

A gesture starts from a ray: the camera position and the direction through the pixel under the
mouse. These helpers intersect it with the Earth or an orbit sphere and with the equatorial
plane, find the orbit ring nearest to the mouse on screen, and turn a drag into the new value of
a mission field (RAAN, local time of the ascending node, altitude), plus the quick preview of
positions while the mouse moves (no engine run).
"""

from __future__ import annotations

import math

import numpy as np

from core.constants import EARTH_RADIUS_KM

R_EARTH_KM = EARTH_RADIUS_KM
"""Scene unit (one Earth equatorial radius) in km, as in :mod:`app.globe.prepare`."""


def ray_sphere(origin: np.ndarray, direction: np.ndarray, radius_er: float = 1.0) -> np.ndarray | None:
    """The first point where the ray ``origin + s * direction`` (s > 0) meets the sphere of ``radius_er``
    about the Earth's centre, or None when it misses (or the sphere is behind the origin)."""
    o = np.asarray(origin, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    d = d / np.linalg.norm(d)
    b = float(o @ d)
    c = float(o @ o) - radius_er * radius_er
    disc = b * b - c
    if disc < 0.0:
        return None
    root = math.sqrt(disc)
    for s in (-b - root, -b + root):
        if s > 0.0:
            return o + s * d
    return None


def ray_equator(origin: np.ndarray, direction: np.ndarray) -> np.ndarray | None:
    """Where the ray meets the equatorial plane z = 0 in front of the origin, or None (parallel, or behind)."""
    o = np.asarray(origin, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    if abs(d[2]) < 1e-12:
        return None
    s = -o[2] / d[2]
    return o + s * d if s > 0.0 else None


def azimuth_deg(point: np.ndarray) -> float:
    """Right ascension of a point, 0..360 deg (of a point on the equator: the RAAN of a node there)."""
    return float(math.degrees(math.atan2(point[1], point[0])) % 360.0)


def wrap_deg(angle_deg: float) -> float:
    """An angle folded into -180 < a <= 180 deg."""
    a = (angle_deg + 180.0) % 360.0 - 180.0
    return 180.0 if a == -180.0 else a


def drag_azimuth_deg(origin: np.ndarray, direction: np.ndarray, radius_er: float) -> float | None:
    """The right ascension the mouse points at: on the equatorial plane (a node slides along the
    equator: under the mouse wherever it goes), else, for a ray that never comes down to the plane,
    on the orbit sphere of ``radius_er``; None when the ray meets neither."""
    hit = ray_equator(origin, direction)
    if hit is None:
        hit = ray_sphere(origin, direction, radius_er)
    return None if hit is None else azimuth_deg(hit)


def segment_distances_px(xy: np.ndarray, segments: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Screen distance (px) from ``point`` to each segment ``xy[segments[k, 0]] - xy[segments[k, 1]]``."""
    a = xy[segments[:, 0]].astype(np.float64)
    b = xy[segments[:, 1]].astype(np.float64)
    p = np.asarray(point, dtype=np.float64)
    ab = b - a
    ll = np.einsum("ij,ij->i", ab, ab)
    s = np.where(ll > 0, np.einsum("ij,ij->i", p - a, ab) / np.maximum(ll, 1e-300), 0.0)
    s = np.clip(s, 0.0, 1.0)
    closest = a + s[:, None] * ab
    return np.hypot(closest[:, 0] - p[0], closest[:, 1] - p[1])


def nearest_segment(xy: np.ndarray, segments: np.ndarray, usable: np.ndarray, point: np.ndarray,
                    max_px: float) -> int | None:
    """Index of the usable segment nearest to ``point`` on screen, if within ``max_px``; else None."""
    if len(segments) == 0 or not np.any(usable):
        return None
    d = segment_distances_px(xy, segments, point)
    d = np.where(usable, d, np.inf)
    k = int(np.argmin(d))
    return k if d[k] <= max_px else None


def rotate_z(points: np.ndarray, angle_deg: float) -> np.ndarray:
    """Points turned about the Earth's axis by ``angle_deg`` (a RAAN change turns a whole orbit so)."""
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    p = np.asarray(points, dtype=np.float64)
    return np.stack([c * p[:, 0] - s * p[:, 1], s * p[:, 0] + c * p[:, 1], p[:, 2]], axis=1)


def ascending_node(track: np.ndarray) -> np.ndarray | None:
    """The ascending node of a closed ring of points (in order of motion): where z turns from
    negative to non-negative, linearly interpolated; None for an equatorial ring."""
    z = track[:, 2]
    nxt = np.roll(np.arange(len(track)), -1)
    up = np.nonzero((z < 0.0) & (z[nxt] >= 0.0))[0]
    if up.size == 0:
        return None
    k = int(up[0])
    a, b = track[k].astype(np.float64), track[nxt[k]].astype(np.float64)
    f = -a[2] / (b[2] - a[2])
    return a + f * (b - a)


def new_raan0_deg(raan0_deg: float, delta_deg: float) -> float:
    """``raan0_deg`` after turning the pattern by ``delta_deg``, in 0..360 deg (to 1e-3 deg)."""
    return round((raan0_deg + delta_deg) % 360.0, 3) % 360.0


def new_ltan_h(ltan_h: float, delta_deg: float) -> float:
    """The local time of the ascending node after turning the node east by ``delta_deg``.

    RAAN = RA_sun(epoch) + (LTAN - 12 h) * 15 deg/h, so a turn of ``delta_deg`` adds
    ``delta_deg / 15`` hours (modulo 24 h; to 1e-4 h, 0.36 s).
    """
    return round((ltan_h + delta_deg / 15.0) % 24.0, 4) % 24.0


def altitude_after_drag_km(altitude_km: float, up_px: float, km_per_px: float, lo_km: float, hi_km: float) -> float:
    """The altitude after moving the mouse ``up_px`` pixels up (down: negative), clamped to ``lo..hi``
    (to 0.1 km)."""
    return round(min(hi_km, max(lo_km, altitude_km + up_px * km_per_px)), 1)


def raised_positions(pos_er: np.ndarray, normal: np.ndarray, mean_motion_rad_s: np.ndarray, t_s: float,
                     altitude_km: float, new_altitude_km: float) -> np.ndarray:
    """Preview of satellites moved from ``altitude_km`` to ``new_altitude_km`` at time ``t_s`` after the epoch.

    Circular two-body motion: each satellite keeps its plane and its place at the epoch; its radius
    scales with the semi-major axis and it has travelled ``(n' - n) t`` further along the orbit
    (the mean motion n scales as a^-1.5). The J2 drift of the new altitude is left to the analysis.
    """
    ratio = (R_EARTH_KM + new_altitude_km) / (R_EARTH_KM + altitude_km)
    k = np.asarray(normal, dtype=np.float64)
    r = np.asarray(pos_er, dtype=np.float64)
    ang = np.asarray(mean_motion_rad_s, dtype=np.float64) * (ratio ** -1.5 - 1.0) * t_s
    c, s = np.cos(ang)[:, None], np.sin(ang)[:, None]
    kr = np.sum(k * r, axis=1, keepdims=True)
    turned = r * c + np.cross(k, r) * s + k * kr * (1.0 - c)
    return turned * ratio


def lat_lon_deg(point_ecef: np.ndarray) -> tuple[float, float]:
    """Latitude and longitude (deg, spherical, as the globe draws places) of an Earth-fixed point."""
    x, y, z = (float(v) for v in point_ecef)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def unit_ecef(lat_deg: float, lon_deg: float) -> np.ndarray:
    """The Earth-fixed unit vector of a place (the inverse of :func:`lat_lon_deg`)."""
    la, lo = math.radians(lat_deg), math.radians(lon_deg)
    return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
