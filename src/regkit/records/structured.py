"""YAML and JSON record files: one record (a mapping) or a list of records, each with its line.

JSON is read strictly: duplicate keys, NaN/Infinity and over-long integers are refused (the
standard library silently accepts the first two and raises without a location on the third).
A JSON list is split into its elements first, so one bad record does not hide the others."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..yamlsafe import load_yaml
from . import RawRecord, Unreadable

MAX_JSON_BYTES = 64 << 20
MAX_INT_DIGITS = 30

# A JSON string (escapes included) or one structural character; everything else is skipped.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.DOTALL)


class _Refused(ValueError):
    """A value JSON's grammar allows but a record may not hold; the ``nth`` match of ``needle``
    (outside strings if ``bare``) finds it in the text."""

    def __init__(self, message: str, needle: str, *, nth: int = 1, bare: bool = False) -> None:
        super().__init__(message)
        self.needle, self.nth, self.bare = needle, nth, bare


def read_yaml(path: Path, source: str, default_form: str | None) -> tuple[list[RawRecord], list[Unreadable]]:
    """The records of a YAML file, each with the line it starts on."""
    try:
        loc = load_yaml(path, name=source)
    except InputError as exc:
        return [], [Unreadable(p.file, p.line, f"{p.message} (column {p.col})") for p in exc.problems]
    data = loc.data
    if isinstance(data, dict):
        return [RawRecord(data, source, loc.where(())[0], default_form)], []
    if isinstance(data, list):
        return _items(data, source, lambda i: loc.where((i,))[0], default_form)
    return [], [Unreadable(source, 1, "a record file holds a record (a mapping) or a list of records")]


Read = tuple[list[RawRecord], list[Unreadable]]


def _items(data: list[Any], source: str, line_of: Any, default_form: str | None) -> Read:
    records, bad = [], []
    for i, item in enumerate(data):
        if isinstance(item, dict):
            records.append(RawRecord(item, source, line_of(i), default_form))
        else:
            bad.append(Unreadable(source, line_of(i), f"item {i + 1} is not a record (a mapping of field keys)"))
    return records, bad


def read_json(path: Path, source: str, default_form: str | None) -> tuple[list[RawRecord], list[Unreadable]]:
    """The records of a JSON file, each with the line it starts on."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Unreadable(source, 1, f"cannot read: {exc.strerror or exc}")]
    if len(raw) > MAX_JSON_BYTES:
        return [], [Unreadable(source, 1, f"file is {len(raw)} bytes, over the limit of {MAX_JSON_BYTES}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [Unreadable(source, line, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})")]
    try:
        data = _loads(text)
    except json.JSONDecodeError as exc:
        return [], [Unreadable(source, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")]
    except _Refused as exc:
        spans = _elements(text)
        if spans is None:
            return [], [Unreadable(source, _line_of(text, exc, 0, len(text)), f"invalid JSON: {exc}")]
        return _split(text, spans, source, default_form)
    except RecursionError:
        return [], [Unreadable(source, 1, "invalid JSON: nesting too deep")]
    if isinstance(data, dict):
        return [RawRecord(data, source, _first_line(text), default_form)], []
    if isinstance(data, list):
        spans = _elements(text) or []
        starts = [_start_line(text, s) for s, _ in spans]
        return _items(data, source, lambda i: starts[i] if i < len(starts) else 1, default_form)
    return [], [Unreadable(source, 1, "a record file holds a record (an object) or a list of records")]


def _split(text: str, spans: list[tuple[int, int]], source: str, default_form: str | None) -> Read:
    records, bad = [], []
    for i, (start, end) in enumerate(spans):
        line = _start_line(text, start)
        try:
            item = _loads(text[start:end])
        except _Refused as exc:
            bad.append(Unreadable(source, _line_of(text, exc, start, end), f"invalid JSON: {exc}"))
            continue
        except (json.JSONDecodeError, RecursionError) as exc:
            bad.append(Unreadable(source, line, f"invalid JSON: {exc}"))
            continue
        if isinstance(item, dict):
            records.append(RawRecord(item, source, line, default_form))
        else:
            bad.append(Unreadable(source, line, f"item {i + 1} is not a record (an object of field keys)"))
    return records, bad


def _loads(text: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                needle = '"' + re.escape(json.dumps(k, ensure_ascii=False)[1:-1]) + r'"\s*:'
                raise _Refused(f"duplicate key {k!r}", needle, nth=2)
            out[k] = v
        return out

    def constant(c: str) -> Any:
        raise _Refused(f"{c} is not a number a record may hold", re.escape(c), bare=True)

    def integer(s: str) -> int:
        if len(s.lstrip("-")) > MAX_INT_DIGITS:
            raise _Refused(f"a number of {len(s)} digits is too long", rf"-?\d{{{MAX_INT_DIGITS + 1},}}", bare=True)
        return int(s)

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_int=integer, parse_float=Decimal)


def _line_of(text: str, exc: _Refused, start: int, end: int) -> int:
    """The line where the refused value is, inside text[start:end]."""
    pattern = r'"(?:[^"\\]|\\.)*"|(' + exc.needle + ")" if exc.bare else "(" + exc.needle + ")"
    hits = [m.start(1) for m in re.finditer(pattern, text[start:end], re.DOTALL) if m.group(1)]
    pos = start + hits[exc.nth - 1] if len(hits) >= exc.nth else start
    return text.count("\n", 0, pos) + 1


def _elements(text: str) -> list[tuple[int, int]] | None:
    """Spans of the elements of a top-level JSON array, or None if the text is not one."""
    i = len(text) - len(text.lstrip())
    if not text.startswith("[", i):
        return None
    spans: list[tuple[int, int]] = []
    depth, begin = 0, i + 1
    for m in _TOKEN.finditer(text, i):
        tok = m.group()
        if tok[0] == '"':
            continue
        if tok in "[{":
            depth += 1
        elif tok in "]}":
            depth -= 1
            if depth == 0:
                if text[begin : m.start()].strip():
                    spans.append((begin, m.start()))
                return spans
        elif depth == 1:
            spans.append((begin, m.start()))
            begin = m.end()
    return None


def _start_line(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return text.count("\n", 0, pos) + 1


def _first_line(text: str) -> int:
    return _start_line(text, 0)
