"""The one way StarNet writes a file: all of it or none of it, with the permissions a user expects.

Every writer (mission save, results JSON, exports, study tables) goes through
:func:`atomic_write_bytes` or :func:`atomic_path`: the data goes to a temporary file in the
target's folder, is flushed to disk, and replaces the target in one ``rename``. A crash or
``kill -9`` at any moment leaves either the old file or the new one, never half of one.

* A new file gets the ordinary permissions (``0666`` less the umask), not ``mkstemp``'s
  ``0600``; an existing file keeps its mode.
* A target that is a symbolic link is written *through* the link: the file it points to is
  replaced and the link stays.
* Temporary files are named ``.NAME.PID.starnet.tmp``; ones left by a killed process are
  removed by the next write to the same target.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_SUFFIX = ".starnet.tmp"


def current_umask() -> int:
    """The process umask (read without changing it for more than an instant)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (ours or another user's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def resolve_target(path: str | os.PathLike) -> Path:
    """The file that writing ``path`` really changes: a symbolic link is followed to its target."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def remove_stale_temporaries(target: Path) -> None:
    """Delete ``.NAME.PID.starnet.tmp`` files and folders beside ``target`` whose writer is gone."""
    import shutil

    folder = target.parent if str(target.parent) else Path(".")
    prefix = f".{target.name}."
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(TMP_SUFFIX)):
            continue
        middle = name[len(prefix):-len(TMP_SUFFIX)].split(".")[0]
        if middle.isdigit() and not pid_alive(int(middle)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def temporary_name(target: Path, tag: str = "") -> Path:
    """``.NAME.PID[.tag].starnet.tmp`` beside ``target``."""
    extra = f".{tag}" if tag else ""
    return target.with_name(f".{target.name}.{os.getpid()}{extra}{TMP_SUFFIX}")


@contextmanager
def atomic_path(path: str | os.PathLike, make_parents: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one rename.

    For writers that want a file name (pandas, pyarrow). On any error the temporary file is
    removed and ``path`` is unchanged. ``make_parents`` creates missing folders first.
    """
    target = resolve_target(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    tmp = temporary_name(target)
    try:
        old_mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        old_mode = None
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, old_mode if old_mode is not None else 0o666 & ~current_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes, make_parents: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file and one rename (see the module notes)."""
    with atomic_path(path, make_parents) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)


def atomic_write_text(path: str | os.PathLike, text: str, make_parents: bool = False) -> None:
    """Write ``text`` as UTF-8 atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), make_parents)
