"""YAML and JSON record files: one record (a mapping) or a list of records, each with its line.

JSON is read strictly: duplicate keys, NaN/Infinity and over-long integers are refused (the
standard library silently accepts the first two and raises without a location on the third).
A JSON list is decoded element by element, so one bad record does not hide the others; in a
YAML list, a value YAML reads but a record may not hold makes only its own record unreadable."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, Problem
from . import RawRecord, Unreadable

if TYPE_CHECKING:  # the YAML reader is imported when a YAML file is read
    from ..yamlsafe import Located

MAX_JSON_BYTES = 64 << 20
MAX_RECORDS = 200_000  # per JSON file: larger sets belong in CSV files, which the engine reads itself
MAX_INT_DIGITS = 30
MAX_NUMBER_CHARS = 100


class _Refused(ValueError):
    """A value JSON's grammar allows but a record may not hold; the ``nth`` match of ``needle``
    (outside strings if ``bare``) finds it in the text."""

    def __init__(self, message: str, needle: str, *, nth: int = 1, bare: bool = False) -> None:
        super().__init__(message)
        self.needle, self.nth, self.bare = needle, nth, bare


def read_yaml(path: Path, source: str, default_form: str | None) -> tuple[list[RawRecord], list[Unreadable]]:
    """The records of a YAML file, each with the line it starts on."""
    try:
        from ..yamlsafe import load_yaml

        loc = load_yaml(path, name=source, keep_going=True)
    except InputError as exc:
        return [], [_unreadable(p) for p in exc.problems]
    data = loc.data
    if isinstance(data, list):
        # a value YAML reads but a record may not hold (.nan, a 5,000-digit number, a duplicate
        # key) makes its own record unreadable, not the file
        bad_items: dict[int, list[Problem]] = {}
        for p in loc.problems:
            bad_items.setdefault(_item_of(loc, p, len(data)), []).append(p)
        keep = [i for i in range(len(data)) if i not in bad_items]
        records, bad = _items([data[i] for i in keep], source, lambda j: loc.where((keep[j],))[0], default_form,
                              numbers=keep)
        for _, problems in sorted(bad_items.items()):
            bad += [_unreadable(p) for p in problems]
        return records, bad
    if loc.problems:
        return [], [_unreadable(p) for p in loc.problems]
    if isinstance(data, dict):
        return [RawRecord(data, source, loc.where(())[0], default_form)], []
    return [], [Unreadable(source, 1, "a record file holds a record (a mapping) or a list of records")]


def _unreadable(p: Problem) -> Unreadable:
    return Unreadable(p.file, p.line, f"{p.message} (column {p.col})")


def _item_of(loc: Located, problem: Problem, count: int) -> int:
    """The index of the list item a problem's line falls in (-1 before the first)."""
    starts = [loc.where((i,))[0] for i in range(count)]
    return bisect_right(starts, problem.line) - 1


Read = tuple[list[RawRecord], list[Unreadable]]


def _items(data: list[Any], source: str, line_of: Any, default_form: str | None,
           numbers: list[int] | None = None) -> Read:
    records, bad = [], []
    for i, item in enumerate(data):
        if isinstance(item, dict):
            records.append(RawRecord(item, source, line_of(i), default_form))
        else:
            n = numbers[i] if numbers is not None else i
            bad.append(Unreadable(source, line_of(i), f"item {n + 1} is not a record (a mapping of field keys)"))
    return records, bad


def read_json(path: Path, source: str, default_form: str | None) -> tuple[list[RawRecord], list[Unreadable]]:
    """The records of a JSON file, each with the line it starts on.

    A top-level list is decoded element by element (the decoder's own end offset gives the next
    element's start, so the work is linear in the file's size); a record holding a value JSON
    allows but a record may not (NaN, a duplicate key, an over-long integer) is unreadable by
    itself and the others are kept."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            return [], [Unreadable(source, 1, f"file is {size} bytes, over the limit of {MAX_JSON_BYTES}")]
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Unreadable(source, 1, f"cannot read: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [Unreadable(source, line, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})")]
    lines = _Lines(text)
    i = _skip(text, 0)
    if not text.startswith("[", i):
        try:
            data = _strict().decode(text)
        except json.JSONDecodeError as exc:
            return [], [Unreadable(source, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")]
        except _Refused as exc:
            return [], [Unreadable(source, _line_of(text, lines, exc, 0, len(text)), f"invalid JSON: {exc}")]
        except RecursionError:
            return [], [Unreadable(source, 1, "invalid JSON: nesting too deep")]
        if isinstance(data, dict):
            return [RawRecord(data, source, lines.at(i), default_form)], []
        return [], [Unreadable(source, 1, "a record file holds a record (an object) or a list of records")]
    return _array(text, i + 1, lines, source, default_form)


def _array(text: str, i: int, lines: _Lines, source: str, default_form: str | None) -> Read:
    """The elements of the top-level array starting after its ``[`` at ``i``."""
    strict, plain = _strict(), _plain()
    records: list[RawRecord] = []
    bad: list[Unreadable] = []
    n = 0
    i = _skip(text, i)
    if text.startswith("]", i):
        return _end(text, i + 1, lines, source, records, bad)
    while True:
        n += 1
        if n > MAX_RECORDS:
            return [], [Unreadable(source, lines.at(i), f"over {MAX_RECORDS} records in one file: split it, or "
                                   "write a CSV file (read by the engine)")]
        try:
            try:
                item, end = strict.raw_decode(text, i)
            except _Refused as exc:
                _, end = plain.raw_decode(text, i)  # where the element ends, to go on after it
                bad.append(Unreadable(source, _line_of(text, lines, exc, i, end), f"invalid JSON: {exc}"))
                item = None
        except json.JSONDecodeError as exc:
            return [], [Unreadable(source, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")]
        except RecursionError:
            return [], [Unreadable(source, lines.at(i), "invalid JSON: nesting too deep")]
        if isinstance(item, dict):
            records.append(RawRecord(item, source, lines.at(i), default_form))
        elif item is not None or text.startswith("null", i):
            bad.append(Unreadable(source, lines.at(i), f"item {n} is not a record (an object of field keys)"))
        i = _skip(text, end)
        if text.startswith(",", i):
            i = _skip(text, i + 1)
            continue
        if text.startswith("]", i):
            return _end(text, i + 1, lines, source, records, bad)
        line, col = lines.at(i), i - text.rfind("\n", 0, i)
        return [], [Unreadable(source, line, f"invalid JSON: Expecting ',' delimiter (column {col})")]


def _end(text: str, i: int, lines: _Lines, source: str, records: list[RawRecord], bad: list[Unreadable]) -> Read:
    i = _skip(text, i)
    if i < len(text):
        col = i - text.rfind("\n", 0, i)
        return [], [Unreadable(source, lines.at(i), f"invalid JSON: Extra data (column {col})")]
    return records, bad


_WS = re.compile(r"[ \t\r\n]*")


def _skip(text: str, i: int) -> int:
    m = _WS.match(text, i)
    return m.end() if m else i


class _Lines:
    """Line numbers of offsets in a text, from its newline offsets (found once)."""

    def __init__(self, text: str) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def at(self, pos: int) -> int:
        """The 1-based line holding offset ``pos``."""
        return bisect_right(self.newlines, pos - 1) + 1


def _hooks() -> dict[str, Any]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) == len(items):
            return out
        seen: set[str] = set()
        for k, _ in items:
            if k in seen:
                needle = '"' + re.escape(json.dumps(k, ensure_ascii=False)[1:-1]) + r'"\s*:'
                raise _Refused(f"duplicate key {_short(k)}", needle, nth=2)
            seen.add(k)
        return out  # pragma: no cover - a repeated key was found above

    def constant(c: str) -> Any:
        raise _Refused(f"{c} is not a number a record may hold", re.escape(c), bare=True)

    def integer(s: str) -> int:
        if len(s.lstrip("-")) > MAX_INT_DIGITS:
            raise _Refused(f"a number of {len(s)} digits is too long", rf"-?\d{{{MAX_INT_DIGITS + 1},}}", bare=True)
        return int(s)

    def decimal(s: str) -> Decimal:
        if len(s) > MAX_NUMBER_CHARS:
            raise _Refused(f"a number of {len(s)} characters is too long", r"-?\d[\d.eE+-]{" +
                           str(MAX_NUMBER_CHARS) + ",}", bare=True)
        return Decimal(s)

    return {"object_pairs_hook": pairs, "parse_constant": constant, "parse_int": integer, "parse_float": decimal}


def _strict() -> json.JSONDecoder:
    return json.JSONDecoder(**_hooks())


def _plain() -> json.JSONDecoder:
    # only to find where a refused element ends: accepts what _strict refuses
    return json.JSONDecoder(parse_constant=lambda c: None, parse_int=lambda s: 0, parse_float=lambda s: 0)


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:30]!r}…"


def _line_of(text: str, lines: _Lines, exc: _Refused, start: int, end: int) -> int:
    """The line where the refused value is, inside text[start:end]."""
    pattern = r'"(?:[^"\\]|\\.)*"|(' + exc.needle + ")" if exc.bare else "(" + exc.needle + ")"
    hits = [m.start(1) for m in re.finditer(pattern, text[start:end], re.DOTALL) if m.group(1)]
    pos = start + hits[exc.nth - 1] if len(hits) >= exc.nth else start
    return lines.at(_skip(text, pos))
