"""Two-line element sets (three-line form, with a name line) for the satellites that fit.

A TLE holds catalogue numbers up to 99999, or up to 339999 in the alpha-5 form (``A0000`` ..
``Z9999``); satellites beyond that are skipped and reported, and are in the OMM export
instead. Elements are written with python-sgp4's exporter from the records of
:mod:`core.export.elements` (TEME mean elements at each record's epoch).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.export._files import ExportError, atomic_write_text
from core.export.elements import ElementSet, element_sets
from core.orbits.sgp4_elements import ALPHA5_MAX
from core.orbits.ephemeris import Ephemeris


@dataclass(frozen=True)
class TleExport:
    """What a TLE export wrote and what it left out (name, reason)."""

    text: str
    written: int
    skipped: tuple[tuple[str, str], ...]


def tle_lines(es: ElementSet) -> tuple[str, str]:
    """The two element lines of one element set."""
    from sgp4.exporter import export_tle

    return export_tle(es.satrec)


def tle_export(eph: Ephemeris, max_number: int = ALPHA5_MAX) -> TleExport:
    """Three-line element sets of every satellite whose catalogue number fits a TLE (``<= max_number``)."""
    lines: list[str] = []
    skipped: list[tuple[str, str]] = []
    written = 0
    for es in element_sets(eph):
        if not 0 < es.norad_cat_id <= max_number:
            skipped.append((es.name, f"catalogue number {es.norad_cat_id} does not fit a TLE (at most {max_number:,})"))
            continue
        try:
            l1, l2 = tle_lines(es)
        except ValueError as exc:
            skipped.append((es.name, str(exc)))
            continue
        lines += [es.name[:24], l1, l2]
        written += 1
    return TleExport("\n".join(lines) + ("\n" if lines else ""), written, tuple(skipped))


def write_tle(eph: Ephemeris, path: str | Path) -> TleExport:
    """Write the three-line element sets to ``path``; raises :class:`ExportError` if none fits."""
    result = tle_export(eph)
    if result.written == 0:
        raise ExportError(f"{path}: no satellite fits a TLE; use --omm instead")
    atomic_write_text(path, result.text)
    return result
