"""Imported satellites (TLE or CCSDS OMM) as SGP4 records, and their mean elements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sgp4 import omm
from sgp4.api import Satrec

from core.mission.model import Constellation
from core.mission.orbit_files import read_omm_text, read_orbit_file, read_tle_text
from core.orbits import elements as el
from core.orbits.elements import MeanElements


@dataclass(frozen=True)
class SatrecSet:
    names: tuple[str, ...]
    satrecs: list


def satrecs_from_tle_text(text: str) -> SatrecSet:
    records = read_tle_text(text)
    return SatrecSet(tuple(r.name for r in records), [Satrec.twoline2rv(r.line1, r.line2) for r in records])


def satrecs_from_omm_records(records: list[dict]) -> SatrecSet:
    sats = []
    for fields in records:
        sat = Satrec()
        omm.initialize(sat, fields)
        sats.append(sat)
    names = tuple(r.get("OBJECT_NAME") or f"SAT-{r.get('NORAD_CAT_ID', k + 1)}" for k, r in enumerate(records))
    return SatrecSet(names, sats)


def load_satrecs(entry: Constellation, base_dir: Path | None) -> SatrecSet:
    """The SGP4 records of a TLE/OMM constellation entry (paths relative to ``base_dir``)."""
    base = Path(base_dir) if base_dir else Path.cwd()
    if entry.tle is not None:
        return satrecs_from_tle_text(entry.tle)
    if entry.tle_file is not None:
        records = read_orbit_file(base / entry.tle_file, "tle")
        return SatrecSet(tuple(r.name for r in records), [Satrec.twoline2rv(r.line1, r.line2) for r in records])
    if entry.omm_file is not None:
        return satrecs_from_omm_records(read_orbit_file(base / entry.omm_file, "omm"))
    raise ValueError(f"constellation {entry.name!r} imports no TLE or OMM")


def mean_elements_of(satrecs: list, epoch: datetime | None = None) -> MeanElements:
    """Mean (SGP4/Kozai) elements of each record at its own epoch, for display and sizing."""
    n_rad_s = np.array([s.no_kozai for s in satrecs]) / 60.0
    a_km = (el.MU_EARTH_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)
    return MeanElements(
        a_km=a_km,
        e=np.array([s.ecco for s in satrecs]),
        i_rad=np.array([s.inclo for s in satrecs]),
        raan_rad=np.array([s.nodeo for s in satrecs]),
        argp_rad=np.array([s.argpo for s in satrecs]),
        m0_rad=np.array([s.mo for s in satrecs]),
    )


__all__ = ["SatrecSet", "load_satrecs", "mean_elements_of", "satrecs_from_tle_text", "satrecs_from_omm_records", "read_omm_text"]
