"""Reading Hypatia's satellite-network files: ``tles.txt`` and ``isls.txt``.

Hypatia (Kassing et al., IMC 2020, https://github.com/snkas/hypatia) describes a shell by

* ``tles.txt``: a first line ``<orbits> <satellites per orbit>``, then one block per satellite
  ``<name> <id>`` / TLE line 1 / TLE line 2, satellites orbit by orbit (id = orbit * n + slot);
* ``isls.txt``: one inter-satellite link per line, ``<a> <b>`` with ``a < b`` satellite ids.

A mission reads ``tles.txt`` as an ordinary ``tle_file``: the header is recognised (two
integers on the first line, followed by a name line), it sets the shell's ``planes`` and
``sats_per_plane`` unless the mission gives them. ``isl_file`` takes the ``isls.txt`` format
(any order of the two ids, ``#`` comments and blank lines allowed).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.mission.model import Constellation

_HEADER_RE = re.compile(r"^\s*(\d+)\s+(\d+)\s*$")


class LinkFileError(ValueError):
    """An ``isl_file`` that cannot be used; the message names the file and the line."""


def split_hypatia_header(text: str) -> tuple[tuple[int, int] | None, str]:
    """``((orbits, sats_per_orbit), rest)`` when ``text`` starts with Hypatia's header line,
    else ``(None, text)``. The header is two integers followed by a name line (not a TLE
    line 1), so a satellite that happens to be called "12 34" in a three-line file still reads
    as a name."""
    lines = text.replace("\r", "").split("\n")
    first = next((k for k, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        return None, text
    match = _HEADER_RE.match(lines[first])
    if not match:
        return None, text
    following = next((ln for ln in lines[first + 1:] if ln.strip()), "")
    if following.startswith("1 "):
        return None, text
    return (int(match[1]), int(match[2])), "\n".join(lines[first + 1:])


def resolve(path: str, base_dir: Path | None) -> Path:
    """A mission-relative path (``base_dir`` is the mission file's folder; the working
    folder when ``None``)."""
    p = Path(path)
    return p if p.is_absolute() else (Path(base_dir) if base_dir else Path.cwd()) / p


def tle_text_of(entry: Constellation, base_dir: Path | None) -> str | None:
    """The TLE text of a ``tle``/``tle_file`` entry (``None`` for other sources or an unreadable file)."""
    if entry.tle is not None:
        return entry.tle
    if entry.tle_file is None:
        return None
    try:
        return resolve(entry.tle_file, base_dir).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def grid_of_entry(entry: Constellation, base_dir: Path | None) -> tuple[int, int] | None:
    """``(planes, sats_per_plane)`` of an imported (TLE/OMM) entry: the mission's values when
    it gives both, else the Hypatia header of its TLE file, else ``None`` (no plane structure)."""
    if entry.planes is not None and entry.sats_per_plane is not None:
        return int(entry.planes), int(entry.sats_per_plane)
    text = tle_text_of(entry, base_dir)
    if text is None:
        return None
    header, _ = split_hypatia_header(text)
    return header


def read_isl_pairs(text: str, n_sat: int | None, where: str) -> np.ndarray:
    """Links of an ``isl_file`` as a ``(k, 2)`` int64 array of shell-local indices, each
    ``(min, max)``, in file order.

    Raises :class:`LinkFileError` (naming ``where`` and the line) for a line that is not two
    non-negative integers, a self-link, an index beyond ``n_sat`` or a repeated link.
    """
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for number, raw in enumerate(text.replace("\r", "").split("\n"), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise LinkFileError(f"{where}: line {number}: expected two satellite indices 'a b', got {line!r}")
        a, b = int(parts[0]), int(parts[1])
        if a == b:
            raise LinkFileError(f"{where}: line {number}: links satellite {a} to itself")
        if n_sat is not None and max(a, b) >= n_sat:
            raise LinkFileError(f"{where}: line {number}: satellite {max(a, b)} does not exist (the shell has {n_sat}, 0..{n_sat - 1})")
        key = (min(a, b), max(a, b))
        if key in seen:
            raise LinkFileError(f"{where}: line {number}: link {key[0]} {key[1]} is given twice")
        seen.add(key)
        pairs.append(key)
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def isl_pairs_of_entry(entry: Constellation, base_dir: Path | None, n_sat: int) -> np.ndarray:
    """The links of an entry's ``isl_file`` (see :func:`read_isl_pairs`); the entry must name one."""
    if entry.isl_file is None:
        raise LinkFileError(f"shell {entry.name!r} has no isl_file")
    path = resolve(entry.isl_file, base_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LinkFileError(f"{entry.isl_file}: cannot read it: {getattr(exc, 'strerror', None) or exc}") from None
    return read_isl_pairs(text, n_sat, entry.isl_file)
