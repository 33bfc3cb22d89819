"""Reference frames: inertial (GCRS) to Earth-fixed (ITRS), geodetic coordinates, the Sun.

The inertial-to-Earth-fixed rotation is taken exactly from astropy (precession, nutation,
Earth rotation angle and polar motion from the bundled IERS tables), one 3x3 matrix per
epoch, and applied to all satellites at once with ``einsum``. A bare Earth-rotation-angle
(or GMST) rotation of GCRS positions is 17-43 km off at LEO because it ignores precession
and nutation since J2000.
"""

from __future__ import annotations

import numpy as np
from astropy import units as u
from astropy.coordinates import GCRS, ITRS, TEME, CartesianRepresentation, get_sun
from astropy.time import Time

from core.orbits import iers_offline  # noqa: F401  (no network at run time)

try:  # astropy's exact per-epoch matrices (same ones its GCRS -> ITRS transform uses)
    from astropy.coordinates.builtin_frames import intermediate_rotation_transforms as _astropy_mats
except ImportError:  # pragma: no cover - depends on the astropy version
    _astropy_mats = None

from core.constants import WGS84_A_KM, WGS84_E2

_BASIS_KM = 1.0e4  # length of the basis vectors pushed through astropy (well inside any parallax effect)


def _matrices(frame_from, frame_to, times: Time) -> np.ndarray:
    """Rotation matrices ``(n_time, 3, 3)`` between two geocentric frames, from astropy itself.

    The three basis vectors are transformed for every epoch; the images are the columns.
    """
    times = Time(times)
    n = times.size
    flat = times.reshape(-1) if times.shape else times.reshape((1,))
    cols = []
    for axis in range(3):
        xyz = np.zeros((3, n))
        xyz[axis] = _BASIS_KM
        rep = CartesianRepresentation(xyz * u.km)
        src = frame_from(rep, obstime=flat)
        dst = src.transform_to(frame_to(obstime=flat))
        cols.append(dst.cartesian.xyz.to_value(u.km).T / _BASIS_KM)  # (n, 3)
    return np.stack(cols, axis=-1)


def gcrs_to_itrs_matrices(times: Time) -> np.ndarray:
    """Exact GCRS -> ITRS rotation for each epoch, ``(n_time, 3, 3)``.

    Uses astropy's own matrix builders (the ones its frame graph composes); where a future
    astropy moves them, the same matrices come from transforming basis vectors.
    """
    times = _flat(times)
    if _astropy_mats is not None:
        return _astropy_mats.cirs_to_itrs_mat(times) @ _astropy_mats.gcrs_to_cirs_mat(times)
    return _matrices(GCRS, ITRS, times)


def teme_to_gcrs_matrices(times: Time) -> np.ndarray:
    """TEME (the SGP4 output frame) -> GCRS rotation for each epoch, ``(n_time, 3, 3)``."""
    times = _flat(times)
    if _astropy_mats is not None:
        return np.swapaxes(gcrs_to_itrs_matrices(times), -1, -2) @ _astropy_mats.teme_to_itrs_mat(times)
    return _matrices(TEME, GCRS, times)


def _flat(times: Time) -> Time:
    times = Time(times)
    return times.reshape(-1) if times.shape else times.reshape((1,))


def apply_rotation(matrices: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Rotate positions ``(n_sat, n_time, 3)`` by per-epoch matrices ``(n_time, 3, 3)``."""
    return np.einsum("tij,stj->sti", matrices, r, optimize=True)


def geodetic_from_ecef(r_ecef_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS-84 geodetic latitude (deg), longitude (deg, -180..180) and height (km).

    Fixed-point iteration on latitude (converged to float precision for any height above
    the Earth's centre region), with the height from Bowring's formula, which stays stable
    at the poles.
    """
    x, y, z = r_ecef_km[..., 0], r_ecef_km[..., 1], r_ecef_km[..., 2]
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    a, e2 = WGS84_A_KM, WGS84_E2
    lat = np.arctan2(z, p * (1 - e2))
    for _ in range(5):
        sin_lat = np.sin(lat)
        n = a / np.sqrt(1 - e2 * sin_lat**2)
        h = p * np.cos(lat) + z * sin_lat - a * a / n
        lat = np.arctan2(z, p * (1 - e2 * n / (n + h)))
    sin_lat = np.sin(lat)
    h = p * np.cos(lat) + z * sin_lat - a * np.sqrt(1 - e2 * sin_lat**2)
    return np.degrees(lat), np.degrees(lon), h


def ecef_from_geodetic(lat_deg, lon_deg, alt_km=0.0) -> np.ndarray:
    """Earth-fixed position (km) of geodetic points on WGS-84, shape ``(..., 3)``."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    alt = np.asarray(alt_km, dtype=float)
    n = WGS84_A_KM / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
    x = (n + alt) * np.cos(lat) * np.cos(lon)
    y = (n + alt) * np.cos(lat) * np.sin(lon)
    z = (n * (1 - WGS84_E2) + alt) * np.sin(lat)
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def up_vector(lat_deg, lon_deg) -> np.ndarray:
    """Geodetic local vertical (unit, Earth-fixed) at the given points, ``(..., 3)``."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    return np.stack(np.broadcast_arrays(np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), axis=-1)


def elevation_deg(r_sat_ecef_km: np.ndarray, site_ecef_km: np.ndarray, site_up: np.ndarray) -> np.ndarray:
    """Elevation (deg) of satellites seen from a site; arrays broadcast over leading axes."""
    d = r_sat_ecef_km - site_ecef_km
    rng = np.linalg.norm(d, axis=-1)
    return np.degrees(np.arcsin(np.clip(np.sum(d * site_up, axis=-1) / rng, -1.0, 1.0)))


def sun_direction_gcrs(times: Time) -> np.ndarray:
    """Unit vector from the Earth's centre to the Sun (GCRS), ``(n_time, 3)``."""
    times = Time(times)
    flat = times.reshape(-1) if times.shape else times.reshape((1,))
    xyz = get_sun(flat).cartesian.xyz.to_value(u.km).T
    return xyz / np.linalg.norm(xyz, axis=-1, keepdims=True)


def sun_right_ascension_rad(time: Time) -> float:
    """Apparent right ascension of the Sun (rad) at one time, for LTAN -> RAAN."""
    s = sun_direction_gcrs(time)[0]
    return float(np.arctan2(s[1], s[0]))
