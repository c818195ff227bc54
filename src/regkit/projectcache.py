"""A cache of loaded projects, so that a command does not parse and cross-check the same
regulations again at every start (about a tenth of a second, a third of ``regkit check``'s fixed
cost). Sphinx keeps its environment the same way.

An entry is keyed by the bytes and names of every regulation file and the profile, by regkit's
own code (each module's size and modification time) and by the Python and pydantic versions: any
change is a miss, and the project is loaded and checked in full. Only projects without problems
are stored. Entries are pickles, so they are read only from a folder that the user owns and
nobody else may write to, as Jinja does for its bytecode cache; anything odd (a damaged entry, a
file that is not a regular file) is a miss, never an error.

The folder is ``$REGKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/regkit/projects``, else
``~/.cache/regkit/projects``;
``REGKIT_CACHE=off`` turns the cache off."""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

KEEP = 32  # entries kept; the oldest go first
MAX_FILE = 1 << 20  # the YAML reader's own limit: a larger file is loaded (and refused) the usual way
_PACKAGE = Path(__file__).resolve().parent


def folder() -> Path | None:
    """Where entries are kept, or None when the cache is off."""
    if os.environ.get("REGKIT_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    given = os.environ.get("REGKIT_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "regkit" / "projects"


def _code_signature() -> bytes:
    """regkit's modules by name, size and modification time (a pickle holds their classes)."""
    parts = []
    for root, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(root, name))
                parts.append(f"{os.path.relpath(os.path.join(root, name), _PACKAGE)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts).encode()


def key(files: Iterable[Path]) -> str | None:
    """The entry's name for a project read from ``files`` (regulations and profile), or None when
    one of them is not a small regular file (loading it reports that)."""
    import pydantic

    h = hashlib.sha256()
    h.update(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    h.update(_code_signature())
    for f in files:
        try:
            st = os.stat(f)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE:
                return None
            data = f.read_bytes()
        except OSError:
            return None
        h.update(b"\0" + os.fsencode(str(f)) + b"\0" + str(len(data)).encode() + b"\0" + data)
    return h.hexdigest()


def _trusted(where: Path) -> bool:
    """The folder is ours and nobody else can write to it (an entry is code when unpickled)."""
    try:
        st = os.stat(where)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def get(name: str | None) -> Any:
    """The cached object, or None."""
    where = folder()
    if name is None or where is None or not _trusted(where):
        return None
    path = where / f"{name}.pickle"
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            return None
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:  # a damaged or foreign entry is a miss
        return None


def put(name: str | None, value: Any) -> None:
    """Store ``value`` (atomically; a folder that cannot be written is no error)."""
    where = folder()
    if name is None or where is None:
        return
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(where):
            return
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, where / f"{name}.pickle")
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(where)
    except (OSError, pickle.PicklingError):
        return


def _prune(where: Path) -> None:
    entries = sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
