"""Writing export files so that a failure never leaves half a file (or half a folder) behind.

A file goes to a temporary name in its own folder and is renamed over the target in one
step. A folder of files (OEM per satellite, CSV tables) is written into a temporary sibling
folder first; only when every file is written are they moved into the target folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class ExportError(ValueError):
    """Something the user can fix (a path, a format, an empty selection); the CLI exits with 2."""


def check_file_target(path: str | os.PathLike) -> Path:
    """``path`` as a ``Path`` whose folder exists and is writable, or :class:`ExportError`."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise ExportError(f"{path}: is a folder, a file name is needed")
    if not folder.is_dir():
        raise ExportError(f"{path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"{path}: the folder {folder} is not writable")
    return target


def check_dir_target(path: str | os.PathLike) -> Path:
    """A folder that exists and is writable, or whose parent exists and is writable (it is created)."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{path}: exists and is not a folder")
    if target.is_dir():
        if not os.access(target, os.W_OK):
            raise ExportError(f"{path}: the folder is not writable")
        return target
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"{path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise ExportError(f"{path}: the folder {parent} is not writable")
    return target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and one rename (ordinary permissions)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def staged_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success its files move into ``target``.

    ``target`` is created if missing; files already there with other names are left alone.
    On any error the temporary folder is removed and ``target`` is unchanged.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    try:
        yield stage
        mask = _umask()
        for item in stage.rglob("*"):
            os.chmod(item, (0o777 if item.is_dir() else 0o666) & ~mask)
        if not target.exists():
            os.chmod(stage, 0o777 & ~mask)
            os.replace(stage, target)
            return
        for item in sorted(stage.rglob("*")):
            if item.is_file():
                dest = target / item.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, dest)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def safe_name(name: str) -> str:
    """A file-name-safe version of a satellite or place name."""
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name.strip())
    return keep.strip("._") or "unnamed"
