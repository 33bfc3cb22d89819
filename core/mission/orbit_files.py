"""Reading the orbit files a mission may import: TLE text and CCSDS OMM (XML, KVN, JSON).

These readers only parse and check text; :mod:`core.orbits.tle` turns the records into
SGP4 satellites. Problems raise :class:`OrbitFileError` with a message that says which
record and which line is wrong.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


class OrbitFileError(ValueError):
    """A TLE or OMM file that cannot be read; the message names the record."""


@dataclass(frozen=True)
class TleRecord:
    name: str
    line1: str
    line2: str


def tle_checksum(line: str) -> int:
    """The modulo-10 checksum of a TLE line's first 68 characters (digits, '-' counts 1)."""
    total = 0
    for ch in line[:68]:
        if ch.isdigit():
            total += int(ch)
        elif ch == "-":
            total += 1
    return total % 10


def _check_line(line: str, number: str, where: str) -> None:
    if len(line) < 69:
        raise OrbitFileError(f"{where}: line {number} has {len(line)} characters, a TLE line needs 69")
    if line[0] != number or line[1] != " ":
        raise OrbitFileError(f"{where}: line {number} must start with '{number} '")
    if not line[68].isdigit():
        raise OrbitFileError(f"{where}: line {number} has no checksum digit in column 69")
    expected = tle_checksum(line)
    if int(line[68]) != expected:
        raise OrbitFileError(f"{where}: line {number} checksum is {line[68]}, the line sums to {expected}")


def read_tle_text(text: str) -> list[TleRecord]:
    """Parse two-line or three-line (named) element sets; checks structure, checksums and SGP4 init."""
    from sgp4.api import Satrec

    from core.mission.hypatia import split_hypatia_header

    _, text = split_hypatia_header(text)  # Hypatia's tles.txt: "orbits sats_per_orbit" first
    lines = [ln.rstrip() for ln in text.replace("\r", "").split("\n") if ln.strip()]
    records: list[TleRecord] = []
    k = 0
    while k < len(lines):
        name = ""
        if not lines[k].startswith("1 "):
            name = lines[k].strip()
            if name.startswith("0 "):
                name = name[2:].strip()
            k += 1
        where = f"TLE record {len(records) + 1}" + (f" ({name})" if name else "")
        if k >= len(lines):
            raise OrbitFileError(f"{where}: missing lines 1 and 2")
        if k + 1 >= len(lines):
            raise OrbitFileError(f"{where}: missing line 2")
        line1, line2 = lines[k], lines[k + 1]
        _check_line(line1, "1", where)
        _check_line(line2, "2", where)
        if line1[2:7] != line2[2:7]:
            raise OrbitFileError(f"{where}: lines 1 and 2 name different satellites ({line1[2:7].strip()} vs {line2[2:7].strip()})")
        try:
            sat = Satrec.twoline2rv(line1, line2)
        except Exception as exc:  # sgp4 raises ValueError/IndexError on malformed fields
            raise OrbitFileError(f"{where}: {exc}") from None
        if sat.error:
            raise OrbitFileError(f"{where}: SGP4 cannot initialise it (error {sat.error})")
        records.append(TleRecord(name or f"SAT-{line1[2:7].strip()}", line1, line2))
        k += 2
    if not records:
        raise OrbitFileError("no TLE records found")
    return records


_OMM_KEYS = (
    "OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID",
    "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT",
)
_OMM_REQUIRED = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY")


def _complete(fields: dict, where: str) -> dict:
    missing = [k for k in _OMM_REQUIRED if k not in fields]
    if missing:
        raise OrbitFileError(f"{where}: missing {', '.join(missing)}")
    out = {k: str(v) for k, v in fields.items() if k in _OMM_KEYS}
    defaults = {"OBJECT_NAME": "", "OBJECT_ID": "", "EPHEMERIS_TYPE": "0", "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": "0",
                "ELEMENT_SET_NO": "999", "REV_AT_EPOCH": "0", "BSTAR": "0", "MEAN_MOTION_DOT": "0", "MEAN_MOTION_DDOT": "0"}
    for key, value in defaults.items():
        out.setdefault(key, value)
    return out


def read_omm_text(text: str) -> list[dict]:
    """CCSDS OMM records as dicts of OMM keywords, from XML (ndm/omm), KVN or JSON text.

    Every record is checked by initialising SGP4 from it, so a record that parses but cannot
    be propagated is reported here, with its number.
    """
    records = _parse_omm(text)
    from sgp4 import omm
    from sgp4.api import Satrec

    for k, fields in enumerate(records):
        try:
            omm.initialize(Satrec(), fields)
        except (ValueError, KeyError, TypeError) as exc:
            name = fields.get("OBJECT_NAME") or fields.get("NORAD_CAT_ID")
            raise OrbitFileError(f"OMM record {k + 1} ({name}): SGP4 cannot use it: {exc}") from None
    return records


def _parse_omm(text: str) -> list[dict]:
    stripped = text.lstrip()
    if stripped.startswith("<"):
        try:
            root = ET.fromstring(stripped)
        except ET.ParseError as exc:
            raise OrbitFileError(f"OMM XML: {exc}") from None
        records = []
        for omm in root.iter():
            if omm.tag.split("}")[-1] != "omm":
                continue
            fields = {el.tag.split("}")[-1]: (el.text or "").strip() for el in omm.iter()}
            records.append(_complete(fields, f"OMM record {len(records) + 1}"))
        if not records:
            raise OrbitFileError("OMM XML: no <omm> element")
        return records
    if stripped.startswith("[") or stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise OrbitFileError(f"OMM JSON: {exc}") from None
        data = data if isinstance(data, list) else [data]
        return [_complete(d, f"OMM record {k + 1}") for k, d in enumerate(data)]
    records, current = [], {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("COMMENT") or "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        value = value.split("[")[0].strip()  # drop units like [deg]
        if key == "CCSDS_OMM_VERS" and current:
            records.append(_complete(current, f"OMM record {len(records) + 1}"))
            current = {}
        current[key] = value
    if current:
        records.append(_complete(current, f"OMM record {len(records) + 1}"))
    if not records:
        raise OrbitFileError("no OMM records found")
    return records


def read_orbit_file(path: Path, kind: str) -> list:
    """Read ``kind`` ("tle" or "omm") records from a file; errors name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise OrbitFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    return read_tle_text(text) if kind == "tle" else read_omm_text(text)
