"""Reading the text files a mission names, defensively: bounded size, UTF-8 checked, depth bounded.

:func:`read_text_file` refuses devices (``/dev/zero``), files past a size limit and bytes
that are not UTF-8 text, with a message that gives the byte offset but never the file's
contents. :func:`check_nesting` bounds how deeply parsed YAML/JSON nests, so later
recursive code (validation, messages) never meets a 1,000-level document.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

MiB = 1024 * 1024
MAX_MISSION_BYTES = 128 * MiB
"""Largest mission or study file read (a 1 M-satellite custom list is about 100 MiB of YAML)."""
MAX_ORBIT_FILE_BYTES = 256 * MiB
"""Largest TLE/OMM file read (the whole public catalogue as OMM XML is about 60 MiB)."""
MAX_NESTING = 64
"""Deepest nesting of lists and mappings accepted in a mission, study or OMM JSON file."""


class TextFileError(ValueError):
    """A file that cannot be read as text; the message says why, without quoting the file."""


def read_text_file(path: str | os.PathLike, max_bytes: int) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark dropped), or :class:`TextFileError`."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise TextFileError("no such file") from None
    except OSError as exc:
        raise TextFileError(f"cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise TextFileError("is a folder, not a file")
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
        raise TextFileError("is a device, not a text file")
    if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
        raise TextFileError(f"is {info.st_size / MiB:,.1f} MiB; files up to {max_bytes / MiB:,.0f} MiB are read")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise TextFileError(f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise TextFileError(f"is longer than {max_bytes / MiB:,.0f} MiB, the most that is read")
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """``data`` as UTF-8 text, or :class:`TextFileError` giving the byte offset of the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextFileError(f"not UTF-8 text at byte {exc.start} (save the file as UTF-8)") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise TextFileError(f"not text: a NUL byte at character {nul}")
    return text


def data_depth(data: object) -> int:
    """How deeply parsed YAML/JSON ``data`` nests lists and mappings (iterative: no recursion)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > 10 * MAX_NESTING:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list, tuple)))
    return deepest


def check_nesting(data: object, max_depth: int = MAX_NESTING) -> None:
    """Raise :class:`TextFileError` when ``data`` nests deeper than ``max_depth``."""
    if data_depth(data) > max_depth:
        raise TextFileError(f"lists and mappings nest deeper than {max_depth} levels (a mission needs fewer than 10)")
