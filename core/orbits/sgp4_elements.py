"""SGP4 records from the engine's mean elements, consistent with the J2 propagator.

The engine's mean elements live in the GCRS; SGP4 works in TEME (true equator, mean equinox
of date). :func:`satrecs_from_elements` rotates the orbit plane into TEME at the epoch and
chooses the Kozai mean motion so that SGP4's own (un-Kozai'd) mean motion equals the
engine's. A Walker shell propagated with ``sgp4`` then follows the ``j2`` propagator to a few
kilometres over a day (SGP4 adds short-period terms the mean model leaves out), and the OMM
and TLE exports describe the same orbits.
"""

from __future__ import annotations

import numpy as np
from astropy.time import Time

from core.constants import WGS72_A_KM, WGS72_J2, WGS72_MU_KM3_S2
from core.orbits import elements as el
from core.orbits import frames
from core.orbits.elements import MeanElements

TWO_PI = 2.0 * np.pi
ALPHA5_MAX = 339_999
"""The largest catalogue number SGP4 records and TLEs hold (alpha-5: A0000 .. Z9999 after 99999)."""


def epoch_days_1950(epoch: Time) -> float:
    """Days since 1949-12-31 00:00 UTC, as ``sgp4init`` wants them."""
    return float(epoch.utc.jd1 - 2433281.5) + float(epoch.utc.jd2)


def kozai_mean_motion(no_unkozai: float, ecco: float, inclo: float) -> float:
    """The Kozai mean motion (rad/min) whose SGP4 un-Kozai'd value is ``no_unkozai``.

    Inverts SGP4's ``initl`` (WGS-72 constants) by fixed-point iteration.
    """
    xke = 60.0 / np.sqrt(WGS72_A_KM**3 / WGS72_MU_KM3_S2)
    j2 = WGS72_J2
    cosio = np.cos(inclo)
    omeosq = 1.0 - ecco * ecco
    d1 = 0.75 * j2 * (3.0 * cosio * cosio - 1.0) / (np.sqrt(omeosq) * omeosq)
    n = no_unkozai
    for _ in range(50):
        ak = (xke / n) ** (2.0 / 3.0)
        delta = d1 / (ak * ak)
        adel = ak * (1.0 - delta * delta - delta * (1.0 / 3.0 + 134.0 * delta * delta / 81.0))
        delta = d1 / (adel * adel)
        target = no_unkozai * (1.0 + delta)
        if abs(target - n) < 1e-15:
            break
        n = target
    return float(n)


def gcrs_to_teme_angles(elements: MeanElements, epoch: Time) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inclination, RAAN and argument of perigee (rad) of GCRS mean elements, seen in TEME at ``epoch``."""
    i, raan, argp = elements.i_rad, elements.raan_rad, elements.argp_rad
    co, so, cw, sw, ci, si = np.cos(raan), np.sin(raan), np.cos(argp), np.sin(argp), np.cos(i), np.sin(i)
    p = np.stack([co * cw - so * sw * ci, so * cw + co * sw * ci, sw * si], axis=-1)
    w = np.stack([so * si, -co * si, ci], axis=-1)
    m = frames.teme_to_gcrs_matrices(epoch)[0]  # r_gcrs = m @ r_teme
    p_t = p @ m  # m.T @ p, row by row
    w_t = w @ m
    inc = np.arccos(np.clip(w_t[:, 2], -1.0, 1.0))
    node = np.arctan2(w_t[:, 0], -w_t[:, 1])
    n_vec = np.stack([np.cos(node), np.sin(node), np.zeros_like(node)], axis=-1)
    arg = np.arctan2(np.einsum("ij,ij->i", np.cross(n_vec, p_t), w_t), np.einsum("ij,ij->i", n_vec, p_t))
    return inc, node, arg


def init_satrec(satnum: int, epoch_days: float, ecco: float, argpo: float, inclo: float, mo: float, no_kozai: float,
                nodeo: float, bstar: float = 0.0, ndot: float = 0.0, nddot: float = 0.0):
    """One ``Satrec`` through ``sgp4init`` (WGS-72, improved mode); numbers above alpha-5 become 0."""
    from sgp4.api import WGS72, Satrec

    rec = Satrec()
    rec.sgp4init(WGS72, "i", int(satnum) if 0 < satnum <= ALPHA5_MAX else 0, epoch_days, bstar, ndot, nddot,
                 float(ecco), float(np.mod(argpo, TWO_PI)), float(inclo), float(np.mod(mo, TWO_PI)), float(no_kozai),
                 float(np.mod(nodeo, TWO_PI)))
    return rec


def satrecs_from_elements(elements: MeanElements, epoch: Time, satnums: list[int] | None = None) -> list:
    """SGP4 records (no drag) for mean elements in the GCRS."""
    inc, node, argp = gcrs_to_teme_angles(elements, epoch)
    n_rad_min = el.mean_motion_rad_s(elements.a_km) * 60.0
    days = epoch_days_1950(epoch)
    numbers = satnums or list(range(1, elements.n + 1))
    return [
        init_satrec(numbers[k], days, elements.e[k], argp[k], inc[k], elements.m0_rad[k],
                    kozai_mean_motion(float(n_rad_min[k]), float(elements.e[k]), float(inc[k])), node[k])
        for k in range(elements.n)
    ]
