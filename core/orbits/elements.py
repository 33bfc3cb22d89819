"""Classical orbital elements as arrays, Kepler's equation, and J2 secular rates.

Everything here is vectorised over satellites and works in km, s and radians. The Earth's
constants come from :mod:`core.constants` (WGS-84 / EGM-96, the ones SGP4 and boinor use).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import EARTH_RADIUS_KM as R_EARTH_KM
from core.constants import J2, MU_EARTH_KM3_S2
SIDEREAL_YEAR_DAYS = 365.2421897  # tropical year: the Sun's mean motion in right ascension
SUN_RAAN_RATE_RAD_S = 2 * np.pi / (SIDEREAL_YEAR_DAYS * 86400.0)
"""Rate that keeps an orbit plane fixed relative to the mean Sun (sun-synchronous)."""


@dataclass(frozen=True, eq=False)
class MeanElements:
    """Mean classical elements of ``n`` satellites at the epoch (angles in radians)."""

    a_km: np.ndarray
    e: np.ndarray
    i_rad: np.ndarray
    raan_rad: np.ndarray
    argp_rad: np.ndarray
    m0_rad: np.ndarray

    @property
    def n(self) -> int:
        return int(self.a_km.size)

    def subset(self, index: np.ndarray) -> "MeanElements":
        return MeanElements(*(np.asarray(getattr(self, f))[index] for f in ("a_km", "e", "i_rad", "raan_rad", "argp_rad", "m0_rad")))

    @staticmethod
    def concat(parts: list["MeanElements"]) -> "MeanElements":
        fields = ("a_km", "e", "i_rad", "raan_rad", "argp_rad", "m0_rad")
        return MeanElements(*(np.concatenate([np.atleast_1d(getattr(p, f)) for p in parts]) for f in fields))


def mean_motion_rad_s(a_km: np.ndarray | float) -> np.ndarray:
    """Keplerian mean motion ``sqrt(mu / a^3)``."""
    return np.sqrt(MU_EARTH_KM3_S2 / np.asarray(a_km, dtype=float) ** 3)


def period_s(a_km: np.ndarray | float) -> np.ndarray:
    """Keplerian period ``2 pi sqrt(a^3 / mu)``."""
    return 2 * np.pi / mean_motion_rad_s(a_km)


def j2_rates(a_km, e, i_rad):
    """J2 secular rates (rad/s) of RAAN, argument of perigee and mean anomaly.

    ``dRAAN/dt = -1.5 n J2 (R/p)^2 cos i``;
    ``domega/dt = 0.75 n J2 (R/p)^2 (5 cos^2 i - 1)``;
    ``dM/dt = n (1 + 0.75 J2 (R/p)^2 sqrt(1-e^2) (3 cos^2 i - 1))``.
    """
    a_km, e, i_rad = (np.asarray(x, dtype=float) for x in (a_km, e, i_rad))
    n = mean_motion_rad_s(a_km)
    p = a_km * (1 - e**2)
    k = J2 * (R_EARTH_KM / p) ** 2
    cos_i = np.cos(i_rad)
    raan_dot = -1.5 * n * k * cos_i
    argp_dot = 0.75 * n * k * (5 * cos_i**2 - 1)
    m_dot = n * (1 + 0.75 * k * np.sqrt(1 - e**2) * (3 * cos_i**2 - 1))
    return raan_dot, argp_dot, m_dot


def sso_inclination_deg(altitude_km: float, eccentricity: float = 0.0) -> float:
    """Inclination that makes the J2 node drift equal the Sun's mean motion (+0.9856 deg/day).

    Raises ``ValueError`` above ~5,970 km, where no sun-synchronous orbit exists.
    """
    a = R_EARTH_KM + altitude_km
    n = float(mean_motion_rad_s(a))
    p = a * (1 - eccentricity**2)
    cos_i = -SUN_RAAN_RATE_RAD_S / (1.5 * n * J2 * (R_EARTH_KM / p) ** 2)
    if cos_i < -1:
        raise ValueError(f"no sun-synchronous orbit exists at {altitude_km:.0f} km")
    return float(np.degrees(np.arccos(cos_i)))


def true_from_mean(m_rad: np.ndarray, e: np.ndarray) -> np.ndarray:
    """True anomaly from mean anomaly (Kepler's equation by vectorised Newton iteration)."""
    m_rad, e = np.broadcast_arrays(np.asarray(m_rad, dtype=float), np.asarray(e, dtype=float))
    ea = np.where(e < 0.8, m_rad, np.pi)
    for _ in range(60):
        step = (ea - e * np.sin(ea) - m_rad) / (1.0 - e * np.cos(ea))
        ea = ea - step
        if np.all(np.abs(step) < 1e-14):
            break
    return 2 * np.arctan2(np.sqrt(1 + e) * np.sin(ea / 2), np.sqrt(1 - e) * np.cos(ea / 2))


def mean_from_true(nu_rad: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Mean anomaly from true anomaly."""
    nu_rad, e = np.asarray(nu_rad, dtype=float), np.asarray(e, dtype=float)
    ea = 2 * np.arctan2(np.sqrt(1 - e) * np.sin(nu_rad / 2), np.sqrt(1 + e) * np.cos(nu_rad / 2))
    return ea - e * np.sin(ea)
