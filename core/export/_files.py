"""Writing export files so that a failure never leaves half a file (or half a folder) behind.

A file goes through :func:`core.mission.atomic.atomic_write_bytes`, the one writer every
output shares: a temporary name in its own folder, renamed over the target in one step.
A folder of files (OEM per satellite, CSV tables) is written complete as a new sibling
folder, then swapped with the old one in one step (an atomic exchange on Linux), so a
crash or ``kill -9`` leaves either the old folder or the new one, never a mix; files an
earlier export left there do not linger. A folder is only replaced when it is empty or was
written by a StarNet export (it holds a ``.starnet-export`` marker): a folder with other
files is refused, so an export never deletes files it did not write.

Output paths are checked before any work: each must be writable and none may be (or
link to, or contain) a file the run reads (:func:`refuse_overwriting_inputs`).
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.mission.atomic import (
    TMP_SUFFIX,
    atomic_write_bytes,
    atomic_write_text,
    current_umask,
    pid_alive,
    remove_stale_temporaries,
    temporary_name,
)

MARKER = ".starnet-export"
"""The file that marks a folder as written by a StarNet export (and so replaceable)."""


class ExportError(ValueError):
    """Something the user can fix (a path, a format, an empty selection); the CLI exits with 2."""


def _existing_ancestor(folder: Path) -> Path:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def check_file_target(path: str | os.PathLike, make_parents: bool = False) -> Path:
    """``path`` as a ``Path`` that can be written, or :class:`ExportError`.

    Its folder must exist and be writable (with ``make_parents``, the nearest existing folder
    above it must be writable: the missing ones are created when the file is written). An
    existing file must itself be writable (a read-only file is the user's "do not touch").
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise ExportError(f"{path}: is a folder, a file name is needed")
    if target.exists() and not os.access(target, os.W_OK):
        raise ExportError(f"{path}: the file is not writable")
    real_folder = Path(os.path.realpath(target)).parent if target.is_symlink() else folder
    if not real_folder.is_dir():
        if not make_parents:
            raise ExportError(f"{path}: the folder {folder} does not exist")
        base = _existing_ancestor(real_folder)
        if not base.is_dir():
            raise ExportError(f"{path}: {base} is not a folder")
        real_folder = base
    if not os.access(real_folder, os.W_OK):
        raise ExportError(f"{path}: the folder {real_folder} is not writable")
    return target


def check_dir_target(path: str | os.PathLike) -> Path:
    """A folder that can be replaced by an export, or whose parent exists and is writable (it is created)."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{path}: exists and is not a folder")
    if target.is_symlink():
        raise ExportError(f"{path}: is a symbolic link; give the real folder")
    if target.is_dir():
        if not os.access(target, os.W_OK):
            raise ExportError(f"{path}: the folder is not writable")
        _check_replaceable(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"{path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise ExportError(f"{path}: the folder {parent} is not writable (the export is written beside it, then swapped in)")
    return target


def _check_replaceable(target: Path) -> None:
    try:
        names = [p.name for p in target.iterdir()]
    except OSError as exc:
        raise ExportError(f"{target}: cannot list the folder: {exc.strerror or exc}") from None
    if names and MARKER not in names:
        raise ExportError(f"{target}: the folder holds files no StarNet export wrote ({len(names)} entries); an export "
                          "replaces the whole folder, so give a new or empty folder")


def refuse_overwriting_inputs(outputs: Iterable[tuple[str, str | os.PathLike, bool]], inputs: Iterable[str | os.PathLike]) -> None:
    """Refuse, before any work, an output that is (or links to, or as a folder contains) an input.

    ``outputs`` are ``(option, path, is_folder)``; ``inputs`` the files the run reads (the
    mission file, its TLE/OMM files). Raises :class:`ExportError` naming the option.
    """
    real_inputs = [(Path(p), os.path.realpath(p)) for p in inputs if p is not None and Path(p).exists()]
    for option, path, is_folder in outputs:
        real_out = os.path.realpath(path)
        for given, real_in in real_inputs:
            same = real_out == real_in or (Path(path).exists() and _samefile(path, given))
            inside = is_folder and (real_in + os.sep).startswith(real_out.rstrip(os.sep) + os.sep)
            if same or inside:
                what = "is" if same else "contains"
                raise ExportError(f"{path}: {option} {what} the input file {given}; the run would overwrite its own input "
                                  "(choose another output path)")


def _samefile(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where not available."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


def _recover(target: Path) -> None:
    """After a crash between the two renames of the fallback swap, put the old folder back."""
    folder = target.parent if str(target.parent) else Path(".")
    if target.exists():
        return
    prefix = f".{target.name}."
    for entry in folder.glob(f"{prefix}*.old{TMP_SUFFIX}"):
        pid = entry.name[len(prefix):].split(".")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            os.rename(entry, target)
            return


@contextmanager
def staged_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a new folder beside ``target``; on success it replaces ``target`` as a whole.

    ``target`` (and missing folders above it) is created if missing. On any error the new
    folder is removed and ``target`` is unchanged. Leftovers of a killed export are cleaned
    up first.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    _recover(target)
    remove_stale_temporaries(target)
    if target.is_dir():
        _check_replaceable(target)
    stage = temporary_name(target, "stage")
    stage.mkdir()
    try:
        yield stage
        (stage / MARKER).write_text("written by a StarNet Studio export; the folder is replaced as a whole on the next export\n",
                                    encoding="utf-8")
        mask = current_umask()
        for item in stage.rglob("*"):
            os.chmod(item, (0o777 if item.is_dir() else 0o666) & ~mask)
        if not target.exists():
            os.rename(stage, target)
            return
        os.chmod(stage, stat.S_IMODE(os.stat(target).st_mode))
        if not _exchange(stage, target):
            old = temporary_name(target, "old")
            os.rename(target, old)
            os.rename(stage, target)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def safe_name(name: str) -> str:
    """A file-name-safe version of a satellite or place name."""
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name.strip())
    return keep.strip("._") or "unnamed"


__all__ = ["MARKER", "ExportError", "atomic_write_bytes", "atomic_write_text", "check_dir_target", "check_file_target",
           "refuse_overwriting_inputs", "safe_name", "staged_dir"]
