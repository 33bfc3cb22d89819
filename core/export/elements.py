"""SGP4 element sets of every satellite, for the OMM and TLE exports.

Each satellite becomes one python-sgp4 ``Satrec``:

* satellites imported from TLE/OMM keep their own record (their epoch, drag terms and
  catalogue number), so an export reproduces them exactly;
* Walker, custom and cluster satellites propagated with ``sgp4`` get the record the engine
  itself propagates (``core.orbits.propagate.satrecs_from_elements``), renumbered;
* satellites propagated with the analytic ``j2``/``two-body`` models have mean elements in
  the GCRS. They are rotated into TEME (the SGP4 frame) at the epoch and the Kozai mean
  motion is chosen so that SGP4's own (un-Kozai'd) mean motion equals the engine's. SGP4
  then adds its short-period J2 terms and its own secular rates, so it follows the engine's
  J2-secular orbit to within a few kilometres over a day in LEO, not exactly.

Catalogue numbers: imported satellites keep theirs; the others are numbered 1, 2, 3, ... in
satellite order, skipping numbers already taken by imported ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.orbits import elements as el
from core.orbits import frames
from core.orbits.ephemeris import Ephemeris

TWO_PI = 2.0 * np.pi
ALPHA5_MAX = 339_999
"""The largest catalogue number a TLE can hold (alpha-5: A0000 .. Z9999 after 99999)."""


@dataclass(frozen=True)
class ElementSet:
    """One satellite's SGP4 record with the names an exchange format needs."""

    index: int
    name: str
    shell: str
    satrec: object
    norad_cat_id: int
    object_id: str
    origin: str
    """``imported`` (record as read), ``sgp4`` (the engine's own SGP4 record) or
    ``converted`` (analytic mean elements rotated into TEME, see the module docstring)."""


def _wrap(angle: float) -> float:
    return float(np.mod(angle, TWO_PI))


def _epoch_days(epoch) -> float:
    """Days since 1949-12-31 00:00 UTC, as ``sgp4init`` wants them."""
    return float(epoch.utc.jd1 - 2433281.5) + float(epoch.utc.jd2)


def _init(satnum: int, epoch_days: float, bstar: float, ndot: float, nddot: float, ecco: float, argpo: float,
          inclo: float, mo: float, no_kozai: float, nodeo: float):
    from sgp4.api import WGS72, Satrec

    rec = Satrec()
    rec.sgp4init(WGS72, "i", int(satnum), epoch_days, bstar, ndot, nddot, float(ecco), _wrap(argpo), float(inclo),
                 _wrap(mo), float(no_kozai), _wrap(nodeo))
    return rec


def _renumbered(rec, satnum: int):
    """A copy of an SGP4 record with another catalogue number."""
    epoch_days = float(rec.jdsatepoch - 2433281.5) + float(rec.jdsatepochF)
    return _init(satnum, epoch_days, rec.bstar, rec.ndot, rec.nddot, rec.ecco, rec.argpo, rec.inclo, rec.mo,
                 rec.no_kozai, rec.nodeo)


def _kozai_for(no_unkozai: float, ecco: float, inclo: float) -> float:
    """The Kozai mean motion (rad/min) whose SGP4 un-Kozai'd value is ``no_unkozai``.

    Inverts SGP4's ``initl`` (WGS-72 constants) by fixed-point iteration.
    """
    xke = 60.0 / np.sqrt(6378.135**3 / 398600.8)
    j2 = 0.001082616
    cosio = np.cos(inclo)
    eccsq = ecco * ecco
    omeosq = 1.0 - eccsq
    rteosq = np.sqrt(omeosq)
    x3thm1 = 3.0 * cosio * cosio - 1.0
    d1 = 0.75 * j2 * x3thm1 / (rteosq * omeosq)
    n = no_unkozai
    for _ in range(50):
        ak = (xke / n) ** (2.0 / 3.0)
        del_ = d1 / (ak * ak)
        adel = ak * (1.0 - del_ * del_ - del_ * (1.0 / 3.0 + 134.0 * del_ * del_ / 81.0))
        del_ = d1 / (adel * adel)
        target = no_unkozai * (1.0 + del_)
        if abs(target - n) < 1e-15:
            break
        n = target
    return float(n)


def _teme_elements(elements, epoch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inclination, RAAN and argument of perigee (rad) of GCRS mean elements, seen in TEME at ``epoch``."""
    i, raan, argp = elements.i_rad, elements.raan_rad, elements.argp_rad
    co, so, cw, sw, ci, si = np.cos(raan), np.sin(raan), np.cos(argp), np.sin(argp), np.cos(i), np.sin(i)
    p = np.stack([co * cw - so * sw * ci, so * cw + co * sw * ci, sw * si], axis=-1)
    w = np.stack([so * si, -co * si, ci], axis=-1)
    m = frames.teme_to_gcrs_matrices(epoch)[0]  # r_gcrs = m @ r_teme
    p_t = p @ m  # m.T @ p for each row
    w_t = w @ m
    inc = np.arccos(np.clip(w_t[:, 2], -1.0, 1.0))
    node = np.arctan2(w_t[:, 0], -w_t[:, 1])
    # argument of perigee: angle from the node line n = (cos node, sin node, 0) to P, in the orbit plane
    n_vec = np.stack([np.cos(node), np.sin(node), np.zeros_like(node)], axis=-1)
    cross = np.cross(n_vec, p_t)
    arg = np.arctan2(np.einsum("ij,ij->i", cross, w_t), np.einsum("ij,ij->i", n_vec, p_t))
    return inc, node, arg


def element_sets(eph: Ephemeris) -> list[ElementSet]:
    """One :class:`ElementSet` per satellite, in the ephemeris' order."""
    from core.orbits.propagate import Sgp4Propagator

    epoch = eph.time.epoch
    epoch_days = _epoch_days(epoch)
    taken: set[int] = set()
    for shell, prop in zip(eph.shells, eph.propagators):
        if shell.source in ("tle", "omm") and isinstance(prop, Sgp4Propagator):
            taken.update(int(rec.satnum) for rec in prop.satrecs)
    counter = 0

    def next_number() -> int:
        nonlocal counter
        counter += 1
        while counter in taken:
            counter += 1
        return counter

    year = epoch.utc.datetime.year
    out: list[ElementSet] = []
    for shell, prop in zip(eph.shells, eph.propagators):
        start = shell.sat_slice.start
        if shell.source in ("tle", "omm") and isinstance(prop, Sgp4Propagator):
            for k, rec in enumerate(prop.satrecs):
                intl = (getattr(rec, "intldesg", "") or "").strip()
                object_id = _object_id(intl) or f"{year}-{start + k + 1:03d}"
                out.append(ElementSet(start + k, shell.sat_names[k], shell.name, rec, int(rec.satnum), object_id, "imported"))
            continue
        if isinstance(prop, Sgp4Propagator):
            for k, rec in enumerate(prop.satrecs):
                num = next_number()
                out.append(ElementSet(start + k, shell.sat_names[k], shell.name, _renumbered(rec, num), num,
                                      f"STARNET-{num}", "sgp4"))
            continue
        e = shell.elements
        inc, node, argp = _teme_elements(e, epoch)
        n_rad_min = el.mean_motion_rad_s(e.a_km) * 60.0
        for k in range(e.n):
            num = next_number()
            kozai = _kozai_for(float(n_rad_min[k]), float(e.e[k]), float(inc[k]))
            rec = _init(num, epoch_days, 0.0, 0.0, 0.0, e.e[k], argp[k], inc[k], e.m0_rad[k], kozai, node[k])
            out.append(ElementSet(start + k, shell.sat_names[k], shell.name, rec, num, f"STARNET-{num}", "converted"))
    return out


def _object_id(intldesg: str) -> str:
    """COSPAR id ``YYYY-NNNP`` from a TLE international designator ``YYNNNP``."""
    if len(intldesg) < 5 or not intldesg[:2].isdigit():
        return ""
    year = int(intldesg[:2])
    year += 1900 if year >= 57 else 2000
    return f"{year}-{intldesg[2:]}"


def satrec_epoch_iso(rec) -> str:
    """The record's epoch as ISO 8601 UTC with microseconds (no zone letter, as OMM writes it)."""
    from sgp4.conveniences import sat_epoch_datetime

    return sat_epoch_datetime(rec).strftime("%Y-%m-%dT%H:%M:%S.%f")
