"""CSV record files: the encoding (UTF-8 with or without BOM, or GBK/GB18030 as Chinese Excel
writes, detected or given), the header and the form, then either a plan for the engine to read a
flat form's file itself (fast) or a careful Python read that locates every broken row.

Python's csv module lets an unmatched quote swallow the rest of the file and then fails without a
line number; here the row's first line is tracked and reported instead."""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from ..loader import Project
from . import Collected, CsvTable, Unreadable, validate
from .tabular import find_form_column, form_column_value, headings, map_header, resolve_form, rows_to_records

HEAD_BYTES = 1 << 16
MAX_FIELD = 1 << 20
CHUNK = 1 << 22
MAX_PYTHON_BYTES = 256 << 20  # a file read row by row in Python (the engine reads flat forms' files of any size)
_SAFE_PATH = re.compile(r"^[\w./\- \u4e00-\u9fff]+$")

csv.field_size_limit(MAX_FIELD)


class CsvProblem(Exception):
    """A CSV file that cannot be read at all, located by line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def check_encoding(encoding: str) -> str:
    """The codec name of an ``--encoding`` given by the user; InputError if it is not a text
    encoding Python knows (``rot13`` and ``hex`` are codecs, but not of text files)."""
    from ..errors import InputError

    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputError.at("--encoding", 1, 1, f"unknown encoding {encoding!r} (CSV files are UTF-8 or "
                            "GBK/GB18030; give one of utf-8, gbk, gb18030, big5, utf-16)") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError.at("--encoding", 1, 1, f"{encoding!r} is not a text encoding (give one of utf-8, gbk, "
                            "gb18030, big5, utf-16)")
    return info.name


def looks_utf8(data: bytes) -> bool:
    """True if ``data`` is UTF-8, damaged or not: its non-ASCII characters decode as UTF-8 far more
    often than not (GBK text almost never does), so a stray byte is reported where it is instead
    of the whole file being read as GB18030."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if not bad:
        return True
    good = len(_NON_ASCII.findall(text)) - bad
    return good >= 4 * bad


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def detect_encoding(head: bytes, forced: str | None) -> str:
    """The file's encoding: the one given, else UTF-8 (a BOM, or bytes that are UTF-8 but for a
    stray one), else GB18030."""
    if forced:
        return "utf-8-sig" if codecs.lookup(forced).name == "utf-8" else forced
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "utf-8-sig" if looks_utf8(head) else "gb18030"


def plan_csv(project: Project, path: Path, source: str, *, workdir: Path, encoding: str | None) -> Collected:
    """Read a CSV file: a flat form's file becomes a CsvTable for the engine; a table form's
    (and any file the engine cannot take) is read here, row by row."""
    out = Collected(files=1)
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        enc = detect_encoding(head, encoding)
        header, first, blank_first = _first_rows(head, enc)
    except (OSError, LookupError) as exc:
        out.unreadable.append(Unreadable(source, 1, f"cannot read: {getattr(exc, 'strerror', None) or exc}"))
        return out
    except CsvProblem as exc:
        out.unreadable.append(Unreadable(source, exc.line, str(exc)))
        return out
    if not header:
        return out  # an empty file holds no records
    fc = find_form_column(header)
    named = None
    if fc is not None:
        named = form_column_value(["form" if i == fc else "" for i in range(len(header))], first)
    hit = resolve_form(project, named) if named else resolve_form(project, path.stem)
    if hit is None:
        why = f"unknown form {named!r} in the form column" if named else (
            f"cannot tell the form: name the file after a form id (e.g. arrears-approval.csv) or add a form column"
            f" ({path.stem!r} is not a form id or title)")
        out.unreadable.append(Unreadable(source, 2 if named else 1, why))
        return out
    reg, form = hit
    keys, problems = map_header(form, header)
    if problems:
        out.unreadable += [Unreadable(source, 1, p) for p in problems]
        return out
    if form.table is None and not blank_first:  # the engine would take a blank first line for the header
        try:
            target = utf8_copy(path, enc, workdir) if enc != "utf-8-sig" else safe_path(path, workdir)
        except CsvProblem as exc:
            out.unreadable.append(Unreadable(source, exc.line, str(exc)))
            return out
        out.tables.append(CsvTable(target, path, source, enc, reg, form, keys, headings(keys, header)))
        return out
    return read_python(project, path, source, enc, keys)


def read_python(project: Project, path: Path, source: str, encoding: str, keys: list[str] | None = None) -> Collected:
    """Read the whole file here: every row validated, every broken row reported with its line."""
    from ..errors import InputError
    from ..forms.safety import contained

    try:
        with contained(source, "CSV"):
            return _read_python(project, path, source, encoding, keys)
    except InputError as exc:
        return Collected(unreadable=[Unreadable(source, p.line, p.message) for p in exc.problems], files=1)


def _read_python(project: Project, path: Path, source: str, encoding: str, keys: list[str] | None) -> Collected:
    out = Collected(files=1)
    try:
        size = path.stat().st_size
        if size > MAX_PYTHON_BYTES:
            out.unreadable.append(Unreadable(source, 1, f"file is {size} bytes, over the limit of "
                                             f"{MAX_PYTHON_BYTES >> 20} MB for a file read row by row (a table "
                                             "form's, or one the engine could not take): split it"))
            return out
        text = _decode(path.read_bytes(), encoding)
    except OSError as exc:
        out.unreadable.append(Unreadable(source, 1, f"cannot read: {exc.strerror or exc}"))
        return out
    except CsvProblem as exc:
        out.unreadable.append(Unreadable(source, exc.line, str(exc)))
        return out
    rows = _rows(text, out.unreadable, source)
    header = next(rows, None)
    if header is None:
        return out
    fc = find_form_column(header[1])
    body = list(rows)
    named = next((form_column_value(["form" if i == fc else "" for i in range(len(c))], c) for _, c in body), None) \
        if fc is not None else None
    hit = resolve_form(project, named) if named else resolve_form(project, path.stem)
    if hit is None:
        out.unreadable.append(Unreadable(source, 1, f"cannot tell the form of {path.name}"))
        return out
    form = hit[1]
    if keys is None:
        keys, problems = map_header(form, header[1])
        if problems:
            out.unreadable += [Unreadable(source, 1, p) for p in problems]
            return out
    raws, bad = rows_to_records(form, keys, body, source, lenient=True, exact=True, names=headings(keys, header[1]))
    out.unreadable += bad
    out.add(validate(project, raws))
    return out


def _first_rows(head: bytes, enc: str) -> tuple[list[str], list[str], bool]:
    """The header and first record of the file (blank lines skipped, as the Python read does),
    and whether its first line is blank."""
    try:
        text = codecs.getincrementaldecoder(enc)().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise _undecodable(head, exc, enc) from None
    except UnicodeError as exc:  # e.g. UTF-16 without a byte order mark
        raise CsvProblem(1, f"cannot decode as {_enc_name(enc)}: {exc} (give the file's encoding with "
                         "--encoding)") from None
    if "\n" not in text and len(head) == HEAD_BYTES:
        raise CsvProblem(1, f"the header line is longer than {HEAD_BYTES} bytes")
    reader = (row for row in csv.reader(io.StringIO(text, newline="")) if row)
    header: list[str] = []
    try:
        header = next(reader, [])
        first = next(reader, [])
    except csv.Error:
        first = []
    return header, first, text.startswith(("\n", "\r"))


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(raw, exc, encoding) from None
    except UnicodeError as exc:
        raise CsvProblem(1, f"cannot decode as {_enc_name(encoding)}: {exc} (give the file's encoding with "
                         "--encoding)") from None


def _undecodable(raw: bytes, exc: UnicodeDecodeError, encoding: str, line0: int = 0) -> CsvProblem:
    """Where a byte that is not ``encoding`` is: its line and its byte in the line (1-based).
    ``raw`` is the whole file, or a chunk of it after ``line0`` lines."""
    pos = max(exc.start, 0)
    line = line0 + raw.count(b"\n", 0, pos) + 1
    start = raw.rfind(b"\n", 0, pos) + 1
    where = f" at byte {pos - start + 1} of the line" if start or not line0 else ""
    hint = " (give --encoding if the file is not UTF-8)" if encoding == "utf-8-sig" else " (give --encoding)"
    return CsvProblem(line, f"cannot decode as {_enc_name(encoding)}: byte 0x{raw[pos]:02x}{where}{hint}")


def _enc_name(encoding: str) -> str:
    return "UTF-8" if encoding == "utf-8-sig" else encoding.upper()


def _rows(text: str, bad: list[Unreadable], source: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each row; broken rows are reported and skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    while True:
        start = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            msg = str(exc)
            if "unexpected end of data" in msg:
                msg = "unmatched quote: the quoted field opened in this row never closes"
                bad.append(Unreadable(source, start, msg))
                return
            if "field larger than field limit" in msg:
                bad.append(Unreadable(source, start, f"a field runs over {MAX_FIELD} bytes (an unmatched quote?)"))
                return
            bad.append(Unreadable(source, start, f"malformed CSV row: {msg}"))
            last = reader.line_num
            continue
        last = reader.line_num
        if cells:
            yield start, cells


def utf8_copy(path: Path, encoding: str, workdir: Path) -> Path:
    """A UTF-8 copy of the file in the work folder (for the engine, which reads UTF-8)."""
    target = workdir / f"t{len(list(workdir.iterdir()))}.csv"
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(CHUNK):
            try:
                dst.write(decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                raise _undecodable(chunk, exc, encoding, line0=lines) from None
            except UnicodeError as exc:
                raise CsvProblem(lines + 1, f"cannot decode as {_enc_name(encoding)}: {exc}") from None
            lines += chunk.count(b"\n")
        try:
            dst.write(decoder.decode(b"", final=True))
        except UnicodeError:
            raise CsvProblem(lines + 1, f"the file ends inside a {_enc_name(encoding)} character") from None
    return target


def safe_path(path: Path, workdir: Path) -> Path:
    """The path itself, or a link to it with a plain name (the engine reads globs in names)."""
    if _SAFE_PATH.match(str(path)) and not str(path).startswith(("-", " ")):
        return path
    link = workdir / f"l{len(list(workdir.iterdir()))}.csv"
    link.symlink_to(path.resolve())
    return link


class LineCount(Protocol):
    """What turns row positions into lines: the file's line breaks and last byte, or that each
    row is one line."""

    one_row_per_line: bool

    def result(self) -> tuple[int, bytes] | None:
        """(line breaks, last byte), or None if the file could not be read."""


class NewlineCount:
    """How many line breaks a file holds and its last byte, counted on a thread of its own: it
    reads the file while the engine parses it (which leaves the interpreter free), so the count
    that turns row positions into lines costs no time of its own."""

    def __init__(self, path: Path) -> None:
        self._result: tuple[int, bytes] | None = None
        self.one_row_per_line = False
        self._thread = threading.Thread(target=self._count, args=(path,), daemon=True)
        self._thread.start()

    def _count(self, path: Path) -> None:
        newlines, last = 0, b""
        try:
            with path.open("rb") as fh:
                self.one_row_per_line = _one_row_per_line(fh)
                if self.one_row_per_line:
                    return
                fh.seek(0)
                while chunk := fh.read(CHUNK):
                    newlines += chunk.count(b"\n")
                    last = chunk[-1:]
        except (OSError, ValueError):
            return  # the file the engine read is gone: line_numbers reads it itself, and says so
        self._result = (newlines, last)

    def result(self) -> tuple[int, bytes] | None:
        """(line breaks, last byte), or None if the file could not be read."""
        self._thread.join()
        return self._result


def _one_row_per_line(fh: BinaryIO) -> bool:
    """True when no row of the file can span lines or be skipped: no quote (a quoted line break),
    no carriage return and no blank line. Each is a fast search of a chunk, where counting every
    line break would take longer (chunks, not a mapping of the file: mapped pages would count as
    this process's memory)."""
    previous = b"\n"  # a file that starts with a line break starts with a blank line
    found_any = False
    while chunk := fh.read(CHUNK):
        found_any = True
        if b'"' in chunk or b"\r" in chunk or b"\n\n" in chunk or (previous == b"\n" and chunk[:1] == b"\n"):
            return False
        previous = chunk[-1:]
    return found_any


def line_numbers(table: CsvTable, rows: list[int], total_rows: int,
                 counted: LineCount | None = None) -> dict[int, int]:
    """The first line of the data rows at these 0-based positions, the engine having read
    ``total_rows`` rows (it skips blank lines; a quoted line break keeps a row going)."""
    wanted = set(rows)
    if not wanted:
        return {}
    if counted is None:
        counted = NewlineCount(table.path)
    got = counted.result()
    newlines, last = got or (-1, b"")
    if counted.one_row_per_line or total_rows + 1 == newlines + (0 if last == b"\n" else 1):
        return {r: r + 2 for r in wanted}  # one row per line after the header
    out: dict[int, int] = {}
    text = table.path.read_text(encoding="utf-8-sig")
    for i, (line, _) in enumerate(_rows(text, [], table.source)):
        if i - 1 in wanted:
            out[i - 1] = line
            if len(out) == len(wanted):
                break
    return out
