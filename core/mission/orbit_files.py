"""Reading the orbit files a mission may import: TLE text and CCSDS OMM (XML, KVN, JSON).

These readers only parse and check text; :mod:`core.orbits.tle` turns the records into
SGP4 satellites. Problems raise :class:`OrbitFileError` with a message that says which
record and which line is wrong. A message about a *file* never quotes its contents (a
mission may point ``tle_file`` at any file, and an error message must not print it): it
gives record and line numbers only. Inline ``tle:`` text, which the user wrote in the
mission, is quoted by a short escaped satellite name.

Files are read through :func:`core.mission.textfile.read_text_file` (size limit, UTF-8
checked); OMM epochs are accepted in every CCSDS form (with or without fractional seconds,
a trailing ``Z``, or as day of year) and normalised for SGP4.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from core.mission.textfile import (
    MAX_NESTING,
    MAX_ORBIT_FILE_BYTES,
    TextFileError,
    check_nesting,
    read_text_file,
)


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


def _short(name: str) -> str:
    """A satellite name for a message: at most 40 characters, escaped."""
    text = name if len(name) <= 40 else name[:37] + "..."
    return ascii(text)[1:-1] if not text.isprintable() else text


def read_tle_text(text: str, quote: bool = True) -> list[TleRecord]:
    """Parse two-line or three-line (named) element sets; checks structure, checksums and SGP4 init.

    ``quote=False`` (text from a file) keeps record names out of messages: they give line numbers.
    """
    from sgp4.api import Satrec

    from core.mission.hypatia import split_hypatia_header

    header, body = split_hypatia_header(text)  # Hypatia's tles.txt: "orbits sats_per_orbit" first
    skipped = text.replace("\r", "").count("\n") - body.count("\n") if header else 0  # lines before the body
    numbered = [(n + 1 + skipped, ln.rstrip()) for n, ln in enumerate(body.replace("\r", "").split("\n")) if ln.strip()]
    lines = [ln for _, ln in numbered]
    records: list[TleRecord] = []
    k = 0
    while k < len(lines):
        name = ""
        first_line = numbered[k][0]
        if not lines[k].startswith("1 "):
            name = lines[k].strip()
            if name.startswith("0 "):
                name = name[2:].strip()
            k += 1
        if quote:
            where = f"TLE record {len(records) + 1}" + (f" ({_short(name)})" if name else "")
        else:
            where = f"TLE record {len(records) + 1} (line {first_line})"
        if k >= len(lines):
            raise OrbitFileError(f"{where}: missing lines 1 and 2")
        if k + 1 >= len(lines):
            raise OrbitFileError(f"{where}: missing line 2")
        line1, line2 = lines[k], lines[k + 1]
        _check_line(line1, "1", where)
        _check_line(line2, "2", where)
        if line1[2:7] != line2[2:7]:
            numbers = f" ({_short(line1[2:7].strip())} vs {_short(line2[2:7].strip())})" if quote else ""
            raise OrbitFileError(f"{where}: lines 1 and 2 name different satellites{numbers}")
        try:
            sat = Satrec.twoline2rv(line1, line2)
        except Exception:  # noqa: BLE001 - sgp4 raises ValueError/IndexError on malformed fields, quoting them
            raise OrbitFileError(f"{where}: a field of lines 1-2 is not a number where the TLE format needs one") from None
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


_OMM_NUMBERS = {
    "MEAN_MOTION": (0.0, 20.0, "rev/day, more than 0"), "ECCENTRICITY": (0.0, 1.0, "0 to below 1"),
    "INCLINATION": (0.0, 180.0, "0 to 180 deg"), "RA_OF_ASC_NODE": (-360.0, 360.0, "deg"),
    "ARG_OF_PERICENTER": (-360.0, 360.0, "deg"), "MEAN_ANOMALY": (-360.0, 360.0, "deg"),
    "BSTAR": (-1.0, 1.0, "1/earth radii"), "MEAN_MOTION_DOT": (-1.0, 1.0, "rev/day^2"),
    "MEAN_MOTION_DDOT": (-1.0, 1.0, "rev/day^3"),
}
_OMM_INTEGERS = ("EPHEMERIS_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH")
_EPOCH_RE = re.compile(r"^(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?$")


def omm_epoch(text: str) -> datetime:
    """A CCSDS epoch (``YYYY-MM-DDThh:mm:ss[.d...][Z]`` or ``YYYY-DDDThh:mm:ss...``) as a naive UTC datetime."""
    match = _EPOCH_RE.match(text.strip())
    if not match:
        raise ValueError("must look like 2024-03-20T12:00:00[.000000][Z] or 2024-080T12:00:00")
    year, month, day, doy, hh, mm, ss, frac = match.groups()
    micro = round(float("0." + frac) * 1e6) if frac else 0
    if doy is not None:
        base = datetime(int(year), 1, 1) + timedelta(days=int(doy) - 1)
        if base.year != int(year) or int(doy) < 1:
            raise ValueError(f"day of year {doy} does not exist in {year}")
        month, day = base.month, base.day
    return datetime(int(year), int(month), int(day), int(hh), int(mm), int(ss)) + timedelta(microseconds=micro)


def _complete(fields: dict, where: str) -> dict:
    if not isinstance(fields, dict):
        raise OrbitFileError(f"{where}: must be an object of OMM keywords (EPOCH, MEAN_MOTION, ...), not {type(fields).__name__}")
    missing = [k for k in _OMM_REQUIRED if k not in fields]
    if missing:
        raise OrbitFileError(f"{where}: missing {', '.join(missing)}")
    for key, value in fields.items():
        if key in _OMM_KEYS and isinstance(value, (dict, list)):
            raise OrbitFileError(f"{where}: {key} must be a single value, not a {type(value).__name__}")
    out = {k: str(v).strip() for k, v in fields.items() if k in _OMM_KEYS}
    try:
        out["EPOCH"] = omm_epoch(out["EPOCH"]).strftime("%Y-%m-%dT%H:%M:%S.%f")
    except (ValueError, OverflowError) as exc:
        raise OrbitFileError(f"{where}: EPOCH {exc}") from None
    for key, (lo, hi, allowed) in _OMM_NUMBERS.items():
        if key not in out:
            continue
        try:
            number = float(out[key])
        except ValueError:
            raise OrbitFileError(f"{where}: {key} is not a number") from None
        open_hi = key in ("ECCENTRICITY",)
        if not math.isfinite(number) or number < lo or number > hi or (open_hi and number >= hi) or (key == "MEAN_MOTION" and number <= 0):
            raise OrbitFileError(f"{where}: {key} is {number:g}; allowed: {allowed}")
    for key in _OMM_INTEGERS:
        if key in out and not re.fullmatch(r"[+-]?\d{1,9}", out[key]):
            raise OrbitFileError(f"{where}: {key} must be a whole number")
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
        sat = Satrec()
        try:
            omm.initialize(sat, fields)
        except (ValueError, KeyError, TypeError, OverflowError):
            raise OrbitFileError(f"OMM record {k + 1}: SGP4 cannot use its fields") from None
        if sat.error:
            raise OrbitFileError(f"OMM record {k + 1}: SGP4 cannot initialise it (error {sat.error})")
    return records


def _parse_omm(text: str) -> list[dict]:
    stripped = text.lstrip()
    if stripped.startswith("<"):
        try:
            root = ET.fromstring(stripped)
        except ET.ParseError as exc:
            raise OrbitFileError(f"OMM XML: {exc}") from None
        records: list[dict] = []
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
            check_nesting(data)
        except json.JSONDecodeError as exc:
            raise OrbitFileError(f"OMM JSON: invalid at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except (RecursionError, TextFileError):
            raise OrbitFileError(f"OMM JSON: lists and objects nest deeper than {MAX_NESTING} levels") from None
        data = data if isinstance(data, list) else [data]
        if not data:
            raise OrbitFileError("OMM JSON: the list holds no records")
        return [_complete(d, f"OMM record {k + 1} ([{k}])") for k, d in enumerate(data)]
    records = []
    current: dict[str, str] = {}
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
    """Read ``kind`` ("tle" or "omm") records from a file; errors name the file, never quote it."""
    try:
        text = read_text_file(path, MAX_ORBIT_FILE_BYTES)
    except TextFileError as exc:
        raise OrbitFileError(f"cannot read {path}: {exc}") from None
    try:
        return read_tle_text(text, quote=False) if kind == "tle" else read_omm_text(text)
    except OrbitFileError as exc:
        raise OrbitFileError(f"{Path(path).name}: {exc}") from None


STALE_AFTER_DAYS = 30.0
"""Element sets further than this from the mission epoch draw a warning (SGP4 error grows ~1-3 km/day)."""

_SGP4_ERRORS = {
    1: "mean eccentricity out of range", 2: "mean motion below zero", 3: "perturbed eccentricity out of range",
    4: "semi-latus rectum below zero", 6: "the orbit has decayed",
}


def window_problems(records: list, epoch: datetime, duration_s: float, where: str, samples: int = 25) -> list[str]:
    """Check imported element sets against the analysis window.

    A record SGP4 cannot propagate through the window (a decayed orbit, an element set far
    from the epoch) is a problem, returned as a message; element sets more than
    :data:`STALE_AFTER_DAYS` from the epoch draw a :class:`~core.mission.errors.MissionWarning`.
    """
    import warnings

    import numpy as np
    from sgp4 import omm
    from sgp4.api import Satrec, SatrecArray, jday

    from core.mission.errors import MissionWarning

    sats = []
    for record in records:
        if isinstance(record, TleRecord):
            sats.append(Satrec.twoline2rv(record.line1, record.line2))
        else:
            sat = Satrec()
            omm.initialize(sat, record)
            sats.append(sat)
    if not sats:
        return []
    t = epoch.astimezone(timezone.utc) if epoch.tzinfo else epoch
    jd0, fr0 = jday(t.year, t.month, t.day, t.hour, t.minute, t.second + t.microsecond / 1e6)
    offsets_day = np.linspace(0.0, duration_s / 86400.0, samples)
    jd = np.full(samples, jd0)
    fr = fr0 + offsets_day
    errors, _, _ = SatrecArray(sats).sgp4(jd, fr)
    problems = []
    ages = np.array([(jd0 + fr0) - (s.jdsatepoch + s.jdsatepochF) for s in sats])
    bad = np.flatnonzero(errors.any(axis=1))
    for k in bad[:5]:
        first = int(np.flatnonzero(errors[k])[0])
        code = int(errors[k, first])
        problems.append(f"record {k + 1}: SGP4 fails {offsets_day[first]:.2f} days into the analysis window "
                        f"({_SGP4_ERRORS.get(code, f'error {code}')}); its epoch is {ages[k]:+.0f} days from the "
                        "mission epoch: use a fresher element set, move the epoch, or drop the record")
    if len(bad) > 5:
        problems.append(f"... and {len(bad) - 5} more records SGP4 cannot propagate through the analysis window")
    stale = np.abs(ages) > STALE_AFTER_DAYS
    if stale.any() and not problems:
        worst = int(np.argmax(np.abs(ages)))
        warnings.warn(MissionWarning(
            f"{where}: {int(stale.sum())} of {len(sats)} element set(s) are more than {STALE_AFTER_DAYS:.0f} days from the "
            f"mission epoch (record {worst + 1}: {ages[worst]:+.0f} days); SGP4 errors grow by kilometres per day"),
            stacklevel=2)
    return problems
