"""Sun and shadow: beta angle, eclipse fraction and duration, sunlit state of satellites.

Conventions
-----------
* The *beta angle* is the angle between an orbit plane and the direction to the Sun,
  positive when the Sun is on the side of the orbit normal ``h = r x v``:
  ``beta = asin(h_unit . sun_unit)`` with
  ``h_unit = (sin i sin RAAN, -sin i cos RAAN, cos i)`` in the inertial (GCRS) frame.
* *Cylindrical shadow*: the Earth (radius 6,378.137 km) casts a cylinder of shadow
  away from the Sun; a satellite is eclipsed when it is behind the Earth
  (``r . s < 0``) and within one Earth radius of the shadow axis. For a circular orbit
  the eclipse fraction has the closed form (SMAD)
  ``f = acos( sqrt(h^2 + 2 R h) / ((R + h) cos beta) ) / pi`` for
  ``|beta| < beta_crit = asin(R / (R + h))``, else 0.
* *Conical shadow*: umbra and penumbra from the apparent discs of the Sun and the Earth
  seen from the satellite (Montenbruck & Gill, *Satellite Orbits*, 3.4.2); the
  illumination fraction runs from 0 (umbra) to 1 (full Sun).

Everything is vectorised over satellites and epochs; lengths in km, angles in degrees
in public names (radians inside).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from core.orbits.elements import R_EARTH_KM, j2_rates, period_s

R_SUN_KM = 695_700.0
"""Nominal solar radius (IAU 2015 B3)."""
AU_KM = 149_597_870.7
"""Astronomical unit; the Sun's distance used by the conical shadow."""


# ---------------------------------------------------------------------------------- closed forms
def critical_beta_deg(altitude_km) -> np.ndarray:
    """Beta angle above which a circular orbit at ``altitude_km`` sees no eclipse, ``asin(R/(R+h))``."""
    return np.degrees(np.arcsin(R_EARTH_KM / (R_EARTH_KM + np.asarray(altitude_km, dtype=float))))


def eclipse_fraction_closed_form(altitude_km, beta_deg) -> np.ndarray:
    """Fraction of a circular orbit spent in the cylindrical shadow (SMAD closed form).

    >>> round(float(eclipse_fraction_closed_form(700.0, 0.0)), 4)
    0.3572
    """
    h = np.asarray(altitude_km, dtype=float)
    beta = np.radians(np.asarray(beta_deg, dtype=float))
    ratio = np.sqrt(h**2 + 2 * R_EARTH_KM * h) / ((R_EARTH_KM + h) * np.maximum(np.cos(beta), 1e-300))
    frac = np.arccos(np.clip(ratio, -1.0, 1.0)) / np.pi
    return np.where(np.abs(beta) < np.arcsin(R_EARTH_KM / (R_EARTH_KM + h)), frac, 0.0)


def eclipse_duration_closed_form_s(altitude_km, beta_deg) -> np.ndarray:
    """Eclipse duration per orbit (s): closed-form fraction times the Keplerian period."""
    h = np.asarray(altitude_km, dtype=float)
    return eclipse_fraction_closed_form(h, beta_deg) * period_s(R_EARTH_KM + h)


# ---------------------------------------------------------------------------------- shadow models
def illumination_cylindrical(r_km: np.ndarray, sun_unit: np.ndarray) -> np.ndarray:
    """1.0 where the satellite is in sunlight, 0.0 in the cylindrical shadow.

    ``r_km`` is ``(..., 3)`` (e.g. ``(n_sat, n_time, 3)``); ``sun_unit`` broadcasts against it
    (``(n_time, 3)`` for an ephemeris).
    """
    along = np.einsum("...k,...k->...", r_km, np.broadcast_to(sun_unit, r_km.shape))
    perp2 = np.einsum("...k,...k->...", r_km, r_km) - along**2
    shadow = (along < 0) & (perp2 < R_EARTH_KM**2)
    return np.where(shadow, 0.0, 1.0)


def illumination_conical(r_km: np.ndarray, sun_unit: np.ndarray, sun_distance_km: float = AU_KM) -> np.ndarray:
    """Fraction of the solar disc visible from the satellite (0 umbra, between 0 and 1 penumbra).

    The Sun sits at ``sun_distance_km`` along ``sun_unit``; discs of apparent radius
    ``a = asin(R_sun / |r_sun - r|)`` (Sun) and ``b = asin(R_E / |r|)`` (Earth) separated by
    the angle ``c`` between the directions to their centres overlap by the area of two
    circular segments (Montenbruck & Gill eq. 3.89-3.94).
    """
    sun = np.broadcast_to(sun_unit, r_km.shape) * sun_distance_km
    to_sun = sun - r_km
    d_sun = np.linalg.norm(to_sun, axis=-1)
    d_earth = np.linalg.norm(r_km, axis=-1)
    a = np.arcsin(np.clip(R_SUN_KM / d_sun, -1, 1))
    b = np.arcsin(np.clip(R_EARTH_KM / d_earth, -1, 1))
    cos_c = np.einsum("...k,...k->...", -r_km, to_sun) / (d_earth * d_sun)
    c = np.arccos(np.clip(cos_c, -1.0, 1.0))
    out = np.ones_like(c)
    umbra = c <= b - a
    annular = (c <= a - b) & ~umbra
    partial = (c < a + b) & ~umbra & ~annular
    out[umbra] = 0.0
    out[annular] = 1.0 - (b[annular] / a[annular]) ** 2
    if partial.any():
        ap, bp, cp = a[partial], b[partial], c[partial]
        x = (cp**2 + ap**2 - bp**2) / (2 * cp)
        y = np.sqrt(np.maximum(ap**2 - x**2, 0.0))
        area = ap**2 * np.arccos(np.clip(x / ap, -1, 1)) + bp**2 * np.arccos(np.clip((cp - x) / bp, -1, 1)) - cp * y
        out[partial] = np.clip(1.0 - area / (np.pi * ap**2), 0.0, 1.0)
    return out


def illumination(r_km: np.ndarray, sun_unit: np.ndarray, model: str = "cylindrical") -> np.ndarray:
    """Illumination fraction of satellites, by ``model`` ``"cylindrical"`` or ``"conical"``."""
    if model == "conical":
        return illumination_conical(r_km, sun_unit)
    if model == "cylindrical":
        return illumination_cylindrical(r_km, sun_unit)
    raise ValueError(f"unknown shadow model {model!r}")


# ---------------------------------------------------------------------------------- one orbit
def circular_orbit_in_sun_frame(altitude_km: float, beta_deg: float, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (km) over one circular orbit in a frame with the Sun along +x.

    The orbit normal is ``(sin beta, 0, cos beta)``; the argument of latitude starts at 0 on
    the terminator (the satellite crosses into the Earth's shadow half-way through the orbit
    when beta = 0). Returns ``(u_rad (n_steps,), r_km (n_steps, 3))``.
    """
    a = R_EARTH_KM + altitude_km
    beta = np.radians(beta_deg)
    u = np.arange(n_steps) * (2 * np.pi / n_steps)
    e1 = np.array([0.0, 1.0, 0.0])
    e2 = np.array([-np.cos(beta), 0.0, np.sin(beta)])
    r = a * (np.cos(u)[:, None] * e1 + np.sin(u)[:, None] * e2)
    return u, r


def eclipse_fraction_numerical(altitude_km: float, beta_deg: float, model: str = "cylindrical", n_steps: int = 100_000) -> float:
    """Time-averaged shadow (1 - illumination) over one circular orbit, by sampling.

    With the cylindrical model this converges to :func:`eclipse_fraction_closed_form`; with the
    conical model it is the energy-equivalent eclipse fraction (penumbra counted pro rata).
    """
    _, r = circular_orbit_in_sun_frame(altitude_km, beta_deg, n_steps)
    return float(1.0 - illumination(r, np.array([1.0, 0.0, 0.0]), model).mean())


# ---------------------------------------------------------------------------------- beta over time
def orbit_normal_unit(i_rad, raan_rad) -> np.ndarray:
    """Unit orbit normal ``(sin i sin RAAN, -sin i cos RAAN, cos i)``, shape ``broadcast + (3,)``."""
    i_rad, raan_rad = np.broadcast_arrays(np.asarray(i_rad, float), np.asarray(raan_rad, float))
    return np.stack([np.sin(i_rad) * np.sin(raan_rad), -np.sin(i_rad) * np.cos(raan_rad), np.cos(i_rad)], axis=-1)


def beta_angle_deg(i_rad, raan_rad, sun_unit) -> np.ndarray:
    """Beta angle (deg) of orbit planes with inclination/RAAN (rad) against Sun unit vectors.

    Shapes broadcast: e.g. ``i_rad`` ``(n_sat, 1)``, ``raan_rad`` ``(n_sat, n_time)``,
    ``sun_unit`` ``(n_time, 3)`` give ``(n_sat, n_time)``.
    """
    normal = orbit_normal_unit(i_rad, raan_rad)
    s = np.asarray(sun_unit, dtype=float)
    dot = np.einsum("...k,...k->...", normal, np.broadcast_to(s, normal.shape))
    return np.degrees(np.arcsin(np.clip(dot, -1.0, 1.0)))


def sun_unit_at(epoch, offsets_s: np.ndarray) -> np.ndarray:
    """Sun direction (GCRS unit vectors) at ``epoch + offsets_s``, ``(n, 3)``, read-only.

    Uses astropy's ``get_sun`` through :func:`core.orbits.frames.sun_direction_gcrs`. The
    answer depends on the times only, so the last few are kept: an edit of the constellation
    re-runs the power budget on the same days and need not ask astropy again (~35 ms a year).
    """
    from core.orbits.timegrid import to_time

    t = to_time(epoch)
    offsets = np.ascontiguousarray(offsets_s, dtype=float)
    return _sun_unit_cached(float(t.tai.jd1), float(t.tai.jd2), offsets.tobytes())


@lru_cache(maxsize=16)
def _sun_unit_cached(jd1_tai: float, jd2_tai: float, offsets_bytes: bytes) -> np.ndarray:
    from astropy import units as u
    from astropy.time import Time

    from core.orbits.frames import sun_direction_gcrs

    offsets = np.frombuffer(offsets_bytes, dtype=float)
    times = Time(jd1_tai, jd2_tai, format="jd", scale="tai").utc + offsets * u.s
    out = sun_direction_gcrs(times)
    out.setflags(write=False)
    return out


def beta_over_year_deg(elements, epoch, days: float = 365.0, step_days: float = 1.0, sun_unit: np.ndarray | None = None):
    """Beta angle of every satellite over ``days`` from ``epoch``, ``(n_sat, n_days)``.

    The RAAN drifts at the J2 secular rate of each satellite's mean elements
    (``dRAAN/dt = -1.5 n J2 (R/p)^2 cos i``), whatever propagator the analysis used, because
    over a year that drift is what moves the beta angle (a sun-synchronous orbit keeps it
    nearly fixed). Returns ``(offsets_days (n_days,), beta_deg (n_sat, n_days))``.
    ``sun_unit`` may supply the Sun directions at those days (tests, reuse).
    """
    t_days = np.arange(0.0, days + 1e-9, step_days)
    if sun_unit is None:
        sun_unit = sun_unit_at(epoch, t_days * 86400.0)
    raan_dot, _, _ = j2_rates(elements.a_km, elements.e, elements.i_rad)
    raan = np.asarray(elements.raan_rad, float)[:, None] + np.asarray(raan_dot)[:, None] * (t_days * 86400.0)[None, :]
    beta = beta_angle_deg(np.asarray(elements.i_rad, float)[:, None], raan, sun_unit)
    return t_days, beta


# ---------------------------------------------------------------------------------- from a grid
def eclipse_runs_max_s(lit: np.ndarray, step_s: float) -> np.ndarray:
    """Longest run of consecutive shadowed epochs per row of a ``(n, n_time)`` bool array, in s.

    A run of ``k`` shadowed samples counts ``k * step_s`` (the grid resolution bounds the error).
    """
    shadow = ~np.asarray(lit, bool)
    n, m = shadow.shape
    if m == 0:
        return np.zeros(n)
    pad = np.zeros((n, 1), bool)
    edges = np.diff(np.concatenate([pad, shadow, pad], axis=1).astype(np.int8), axis=1)
    best = np.zeros(n)
    rows_s, cols_s = np.nonzero(edges == 1)
    rows_e, cols_e = np.nonzero(edges == -1)
    # starts and ends appear in the same row-major order, one end per start
    if rows_s.size:
        lengths = cols_e - cols_s
        np.maximum.at(best, rows_s, lengths.astype(float))
    return best * step_s
