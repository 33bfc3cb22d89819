"""Orbital lifetime of one satellite under J2 and atmospheric drag.

Two steps, each the right tool for its span:

1. **Cowell** (boinor): the satellite's state is integrated numerically with J2 and drag in a
   COESA-76 atmosphere for a short arc (one to five days, long enough to see ~0.3 km of decay). The change of the mean semi-major
   axis over that arc is the measured decay rate at today's altitude.
2. **Orbit-averaged decay** to re-entry: for a near-circular orbit
   ``da/dt = -sqrt(mu a) rho(a - R) B`` with ``B = C_D A / m`` (King-Hele). It is scaled by the
   ratio of the Cowell rate to this formula's rate at the start, so the long integration carries
   what the short numerical arc saw, and stops at 120 km.

A constant (mean solar activity) atmosphere is assumed: real lifetimes vary by a factor of a
few over the solar cycle. Use the figure for comparisons, not for disposal planning.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.orbits import elements as el
from core.constants import WGS84_F

REENTRY_ALTITUDE_KM = 120.0
MAX_YEARS = 200.0


@dataclass(frozen=True)
class Lifetime:
    """The estimate: years to re-entry (``inf`` above ``MAX_YEARS``) and the inputs it used."""

    years: float
    start_altitude_km: float
    decay_km_per_day: float
    ballistic_coefficient_m2_kg: float
    cowell_arc_days: float

    @property
    def text(self) -> str:
        if not np.isfinite(self.years):
            return f"> {MAX_YEARS:.0f} years"
        return f"{self.years * 365.25:.0f} days" if self.years < 1 else f"{self.years:.1f} years"


@lru_cache(maxsize=1)
def _density_table() -> tuple[np.ndarray, np.ndarray]:
    """COESA-76 density (kg/m^3) on a 1-km altitude grid (boinor), for fast interpolation."""
    from astropy import units as u
    from boinor.earth.atmosphere import COESA76

    model = COESA76()
    alt_km = np.arange(80.0, 1000.0 + 1.0, 5.0)
    rho = np.array([model.density(h * u.km).to_value(u.kg / u.m**3) for h in alt_km])
    return alt_km, np.log(rho)


def density_kg_m3(altitude_km: np.ndarray | float) -> np.ndarray:
    """COESA-76 density, log-linear between 5-km nodes; exponential extrapolation above 1,000 km."""
    alt_km, log_rho = _density_table()
    h = np.asarray(altitude_km, dtype=float)
    slope = (log_rho[-1] - log_rho[-2]) / (alt_km[-1] - alt_km[-2])
    inside = np.interp(h, alt_km, log_rho)
    return np.exp(np.where(h > alt_km[-1], log_rho[-1] + slope * (h - alt_km[-1]), inside))


def _king_hele_rate_km_s(a_km: float, b_m2_kg: float) -> float:
    rho = float(density_kg_m3(a_km - el.R_EARTH_KM))
    return -np.sqrt(el.MU_EARTH_KM3_S2 * a_km) * rho * b_m2_kg * 1e3  # (kg/m^3 * m^2/kg) per m -> per km


def _cowell_decay_km_s(r_km: np.ndarray, v_km_s: np.ndarray, b_m2_kg: float, arc_s: float) -> float:
    """Mean semi-major-axis change rate over an arc, from boinor's Cowell integrator."""
    from astropy import units as u
    from boinor.bodies import Earth
    from boinor.core.perturbations import J2_perturbation, atmospheric_drag
    from boinor.core.propagation import func_twobody
    from boinor.twobody import Orbit
    from boinor.twobody.propagation import CowellPropagator

    a_over_m_km2_kg = b_m2_kg / 2.2 * 1e-6  # boinor takes A/m in km^2/kg and C_D separately

    def f(t0, state, k):
        radius = np.linalg.norm(state[:3])
        sin_lat = state[2] / radius
        h = radius - el.R_EARTH_KM * (1.0 - WGS84_F * sin_lat * sin_lat)  # height above the ellipsoid
        rho_kg_km3 = float(density_kg_m3(h)) * 1e9
        ax, ay, az = J2_perturbation(t0, state, k, J2=el.J2, R=el.R_EARTH_KM)
        dx, dy, dz = atmospheric_drag(t0, state, k, C_D=2.2, A_over_m=a_over_m_km2_kg, rho=rho_kg_km3)
        return func_twobody(t0, state, k) + np.array([0, 0, 0, ax + dx, ay + dy, az + dz])

    orbit = Orbit.from_vectors(Earth, r_km * u.km, v_km_s * u.km / u.s)
    period = float(el.period_s(orbit.a.to_value(u.km)))
    one_orbit = np.linspace(0.0, period, 36, endpoint=False)
    times = np.concatenate([one_orbit, arc_s + one_orbit])
    rr, vv = CowellPropagator(rtol=1e-10, f=f).propagate_many(orbit.state, times * u.s)
    r = rr.to_value(u.km)
    v = vv.to_value(u.km / u.s)
    a = 1.0 / (2.0 / np.linalg.norm(r, axis=1) - np.sum(v * v, axis=1) / el.MU_EARTH_KM3_S2)
    # the mean over an orbit averages out J2's short-period oscillation of the osculating a
    return float(a[36:].mean() - a[:36].mean()) / arc_s


def estimate_lifetime(
    r_km: np.ndarray,
    v_km_s: np.ndarray,
    mass_kg: float,
    drag_area_m2: float,
    drag_coefficient: float = 2.2,
    cowell_arc_days: float = 1.0,  # shortest Cowell arc
) -> Lifetime:
    """Years until a satellite with this GCRS state decays to 120 km.

    >>> r, v = np.array([6778.137, 0, 0]), np.array([0, 7.6686, 0])   # 400 km circular
    >>> estimate_lifetime(r, v, mass_kg=60, drag_area_m2=0.5).years  # doctest: +SKIP
    """
    b = drag_coefficient * drag_area_m2 / mass_kg
    a0 = float(1.0 / (2.0 / np.linalg.norm(r_km) - np.dot(v_km_s, v_km_s) / el.MU_EARTH_KM3_S2))
    start_alt = a0 - el.R_EARTH_KM
    if start_alt <= REENTRY_ALTITUDE_KM:
        return Lifetime(0.0, start_alt, float("nan"), b, 0.0)
    model_rate = _king_hele_rate_km_s(a0, b)
    # long enough for ~0.3 km of decay (the orbit-mean a is good to ~0.01 km), at most 5 days
    arc_days = float(np.clip(0.3 / max(-model_rate * 86400.0, 1e-9), cowell_arc_days, 5.0)) if start_alt < 1000.0 else 0.0
    if arc_days > 0 and model_rate < -1e-12:
        measured = _cowell_decay_km_s(np.asarray(r_km, float), np.asarray(v_km_s, float), b, arc_days * 86400.0)
        scale = float(np.clip(measured / model_rate, 0.2, 5.0)) if measured < 0 else 1.0
    else:
        measured, scale = model_rate, 1.0
    # Integrate da/dt in altitude steps: dt = da / rate, with rate from the density at each step.
    a_grid = np.linspace(a0, el.R_EARTH_KM + REENTRY_ALTITUDE_KM, 4000)
    rates = np.array([_king_hele_rate_km_s(a, b) for a in a_grid]) * scale
    mid = 0.5 * (rates[1:] + rates[:-1])
    seconds = float(np.sum(np.diff(a_grid) / mid))
    years = seconds / (365.25 * 86400.0)
    return Lifetime(years if years <= MAX_YEARS else float("inf"), start_alt, measured * 86400.0, b, arc_days)
