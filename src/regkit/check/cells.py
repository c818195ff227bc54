"""The compiled canonical-cell test of the CSV fast path (``cells.c``, built by ``make setup``
into ``_cells.so`` beside it). It reads the file once, beside the engine's own read, and finds
the rows with a cell not in canonical form, so the engine's read tests no cell itself: a million
rows of fourteen tests cost the engine about as much as reading them.

Without the library (no C compiler where regkit was installed), or where the file's rows may not
be the engine's, ``scan`` gives None and the same test runs as SQL (``regkit.check.accept``)."""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..forms.records import FALSE_WORDS, TRUE_WORDS
from ..model import FormField
from .accept import WHITESPACE

LIBRARY = Path(__file__).with_name("_cells.so")
# the codes of cells.c's enum
TYPES = {"text": 1, "person": 1, "department": 1, "phone": 1, "multiline": 2, "choice": 3, "date": 4, "month": 5,
         "integer": 6, "amount": 7, "boolean": 8, "list": 9, "multichoice": 10}
SKIP, CHOICE = 0, 3
# beyond this many rows with an odd cell the SQL test is as quick, and keeps no list of them
MAX_BAD = 1 << 16
# cells.c's R_PYTHON: DuckDB takes rows that Python's csv module reads otherwise ('"x" ,', ' "x"',
# '"x" "y"', an extra empty cell): the file is for the Python checks, so that both readings are one
PYTHON = -4

_lib: ctypes.CDLL | None = None
_tried = False


def library() -> ctypes.CDLL | None:
    """The compiled test, or None where it was not built from this version of cells.c (or
    ``REGKIT_NO_C_CELLS`` is set)."""
    global _lib, _tried
    if not _tried:
        _tried = True
        if LIBRARY.exists() and not os.environ.get("REGKIT_NO_C_CELLS"):
            try:
                lib = ctypes.CDLL(str(LIBRARY))
            except OSError:
                lib = None
            if lib is not None and not _built_from_this_source(lib):
                lib = None  # built from another version of cells.c: make setup builds it again
            if lib is not None:
                fn = lib.regkit_scan_cells
                fn.restype = ctypes.c_long
                ints, i64 = ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int64)
                fn.argtypes = [ctypes.c_char_p, ctypes.c_int, ints, ints, ctypes.POINTER(ctypes.c_char_p),
                               ctypes.POINTER(ctypes.c_int32), ctypes.c_int, ctypes.c_int, i64, i64, ctypes.c_long,
                               ctypes.POINTER(_Facts)]
                _lib = lib
    return _lib


def _built_from_this_source(lib: ctypes.CDLL) -> bool:
    import hashlib

    try:
        built = lib.regkit_cells_source
    except AttributeError:
        return False
    built.restype = ctypes.c_char_p
    source = hashlib.sha256(LIBRARY.with_name("cells.c").read_bytes()).hexdigest()[:16]
    return bool(built() == source.encode())


class _Facts(ctypes.Structure):
    _fields_ = [("rows", ctypes.c_int64), ("newlines", ctypes.c_int64), ("last", ctypes.c_int),
                ("rising", ctypes.c_int)]


@dataclass
class Column:
    """How one column of the file is tested."""

    type: int = SKIP
    required: bool = False
    words: list[str] | None = None


def column(f: FormField | None, *, form_id: str | None = None) -> Column:
    """The test of a field's column (``f`` None: the record's number of a form without an id
    field; ``form_id``: the form column, empty or naming the form)."""
    if form_id is not None:
        return Column(CHOICE, False, [form_id])
    if f is None:
        return Column(TYPES["text"], True)
    words: list[str] | None = None
    if f.type in ("choice", "multichoice"):
        words = list(f.choices or [])
    elif f.type == "boolean":
        words = sorted((TRUE_WORDS | FALSE_WORDS) - {""})
    return Column(TYPES[f.type], f.key == "id", words)


@dataclass
class Scan:
    """What a scan found: the rows of a file (header left out), the positions and file offsets
    of those with a cell not in canonical form, the file's line breaks and last byte (to turn
    positions into lines) and whether every row's number is above the one before it."""

    rows: int
    bad: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    newlines: int = 0
    last: bytes = b""
    rising: bool = False
    one_row_per_line: bool = False  # the interface of records.csvfile.NewlineCount

    def result(self) -> tuple[int, bytes]:
        """(line breaks, last byte), as NewlineCount gives them."""
        return self.newlines, self.last


def scan(path: Path, cols: list[Column], id_col: int = -1) -> Scan | None:
    """Test every cell of the UTF-8 CSV file (and whether the numbers in column ``id_col`` rise);
    None where the compiled test is not there or cannot be sure of the rows (the SQL test
    decides then)."""
    got = _scan(path, cols, id_col)
    return got if isinstance(got, Scan) else None


def _scan(path: Path, cols: list[Column], id_col: int) -> Scan | int:
    """The scan, or what the library answered instead (-1 where it is not there)."""
    lib = library()
    if lib is None:
        return -1
    n = len(cols)
    types = (ctypes.c_int * n)(*(c.type for c in cols))
    required = (ctypes.c_int * n)(*(int(c.required) for c in cols))
    blobs = [None if c.words is None else b"".join(w.encode() + b"\0" for w in c.words) + b"\0" for c in cols]
    choices = (ctypes.c_char_p * n)(*blobs)
    ws = (ctypes.c_int32 * len(WHITESPACE))(*WHITESPACE)
    bad = (ctypes.c_int64 * MAX_BAD)()
    offsets = (ctypes.c_int64 * MAX_BAD)()
    facts = _Facts()
    got = lib.regkit_scan_cells(os.fsencode(path), n, types, required, choices, ws, len(WHITESPACE), id_col, bad,
                                offsets, MAX_BAD, ctypes.byref(facts))
    if got < 0:
        return int(got)
    return Scan(int(facts.rows), list(bad[:got]), list(offsets[:got]), int(facts.newlines),
                bytes([facts.last]) if facts.last >= 0 else b"", bool(facts.rising))


class Background(threading.Thread):
    """``scan`` in a thread of its own (the library lets go of the interpreter while it reads),
    beside the engine reading the same file."""

    def __init__(self, path: Path, cols: list[Column], id_col: int = -1) -> None:
        super().__init__(daemon=True)
        self.path, self.cols, self.id_col = path, cols, id_col
        self.result: Scan | None = None
        self.python = False  # the file is for the Python checks (see PYTHON)
        self.start()

    def run(self) -> None:
        """Scan the file."""
        got = _scan(self.path, self.cols, self.id_col)
        self.result = got if isinstance(got, Scan) else None
        self.python = got == PYTHON

    def wait(self) -> Scan | None:
        """The scan's result, once it is done."""
        self.join()
        return self.result


def raw_rows(path: Path, offsets: list[int]) -> list[list[str | None]]:
    """The cells of the rows starting at these file offsets, as the engine's reader gives them
    (an empty cell, quoted or not, is None)."""
    import csv
    import io

    out: list[list[str | None]] = []
    with path.open("rb") as fh:
        for off in offsets:
            fh.seek(off)
            text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
            row = next(csv.reader(text, strict=True), [])
            text.detach()
            out.append([c if c != "" else None for c in row])
    return out
