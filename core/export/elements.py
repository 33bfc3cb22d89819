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
from typing import TYPE_CHECKING


from core.orbits.sgp4_elements import init_satrec, satrecs_from_elements
from core.orbits.ephemeris import Ephemeris

if TYPE_CHECKING:
    from sgp4.api import Satrec



@dataclass(frozen=True)
class ElementSet:
    """One satellite's SGP4 record with the names an exchange format needs."""

    index: int
    name: str
    shell: str
    satrec: Satrec
    norad_cat_id: int
    object_id: str
    origin: str
    """``imported`` (record as read), ``sgp4`` (the engine's own SGP4 record) or
    ``converted`` (analytic mean elements rotated into TEME, see the module docstring)."""


def _renumbered(rec: Satrec, satnum: int) -> Satrec:
    """A copy of an SGP4 record with another catalogue number."""
    epoch_days = float(rec.jdsatepoch - 2433281.5) + float(rec.jdsatepochF)
    return init_satrec(satnum, epoch_days, rec.ecco, rec.argpo, rec.inclo, rec.mo, rec.no_kozai, rec.nodeo,
                       rec.bstar, rec.ndot, rec.nddot)


def element_sets(eph: Ephemeris) -> list[ElementSet]:
    """One :class:`ElementSet` per satellite, in the ephemeris' order."""
    from core.orbits.propagate import Sgp4Propagator

    epoch = eph.time.epoch
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
        numbers = [next_number() for _ in range(shell.n_sat)]
        for k, rec in enumerate(satrecs_from_elements(shell.elements, epoch, numbers)):
            out.append(ElementSet(start + k, shell.sat_names[k], shell.name, rec, numbers[k], f"STARNET-{numbers[k]}", "converted"))
    return out


def _object_id(intldesg: str) -> str:
    """COSPAR id ``YYYY-NNNP`` from a TLE international designator ``YYNNNP``."""
    if len(intldesg) < 5 or not intldesg[:2].isdigit():
        return ""
    year = int(intldesg[:2])
    year += 1900 if year >= 57 else 2000
    return f"{year}-{intldesg[2:]}"


def satrec_epoch_iso(rec: Satrec) -> str:
    """The record's epoch as ISO 8601 UTC with microseconds (no zone letter, as OMM writes it)."""
    from sgp4.conveniences import sat_epoch_datetime

    return sat_epoch_datetime(rec).strftime("%Y-%m-%dT%H:%M:%S.%f")
