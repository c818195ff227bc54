"""Writing output files: whole or not at all. The single atomic writer: every output goes through
a temporary file in the target's folder and a rename; a failed write (disk full, file too large,
no permission) is one line naming the file, the old file stays as it was, and no temporary file is
left behind. Temporary files a killed run left are removed on the next write to that folder."""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from pathlib import Path

from .errors import OutputError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; outputs get the usual mode a plain open() would give
_MODE = 0o666 & ~_umask()
# the names mkstemp gives our temporary files: .<name>.<8 random characters>.tmp
_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")

_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EFBIG: "the file is larger than this system or its limits allow",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "not allowed to write there",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the file name is too long",
}


def write_error(path: Path, exc: OSError) -> OutputError:
    """The one line a failed write of ``path`` is reported as."""
    reason = exc.strerror or str(exc)
    hint = _HINTS.get(exc.errno or 0)
    return OutputError(f"{path}: cannot write: {reason}" + (f" ({hint})" if hint else ""))


STALE_AFTER = 600  # seconds: a temporary file of ``name`` this old is no writer's any more


def clean_stale(folder: Path, name: str | None = None) -> list[Path]:
    """Remove the temporary files a killed run left in ``folder``: all of them (at the start of a
    build, which owns its folder), or those of ``name`` older than STALE_AFTER (before a write:
    another process may be writing the same file right now, e.g. a shared cache)."""
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not _TEMP.match(entry.name) or (name is not None and not entry.name.startswith(f".{name}.")):
            continue
        if name is not None and entry.name[len(name) + 2:].count(".") != 1:
            continue  # .<name>.xxxxxxxx.tmp exactly, not the temporary file of a longer name
        try:
            if name is not None and now - entry.stat(follow_symlinks=False).st_mtime < STALE_AFTER:
                continue
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``, so
    a reader (or a failed build) never sees a half-written file; OutputError if it cannot be written."""
    try:
        if path.exists() and not path.is_file():  # a folder, a device (-o /dev/full) or a FIFO: never replaced
            raise OutputError(f"{path}: cannot write: not a regular file")
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(path.parent, path.name)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"{path}: cannot write: a folder on the way is a file") from None
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        os.fchmod(fd, _MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
