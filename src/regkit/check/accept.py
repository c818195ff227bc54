"""The engine's fast path for CSV values: an SQL test that a raw cell is in canonical form
(ISO date, plain decimal, a choice, ...), the SQL storing it, and the SQL exposing it in a view.

The test is conservative by design: it accepts only cells that the Python record checks
(``regkit.forms.records``, lenient mode) accept *with the same value*. Every other row goes to
those Python checks, which either accept it (other spellings: ``2026年3月5日``, ``¥1,200``,
surrounding spaces) or report it with their message. So a record reads the same on both paths,
and every message comes from one place. The tests are chosen for speed (a million rows):
``LIKE`` and a cast rather than a regular expression where that is exact.

The YAML labels, keys and choices written into this SQL are constants of the regulations, never
record values; record values only ever reach DuckDB as data."""

from __future__ import annotations

from ..expr import as_sql_literal
from ..forms.records import FALSE_WORDS, TRUE_WORDS
from ..model import FormField

SQL_TYPES = {
    "text": "VARCHAR", "multiline": "VARCHAR", "person": "VARCHAR", "department": "VARCHAR",
    "phone": "VARCHAR", "choice": "VARCHAR", "month": "VARCHAR", "integer": "BIGINT",
    "amount": "DECIMAL(18,2)", "date": "DATE", "boolean": "BOOLEAN", "list": "VARCHAR[]",
    "multichoice": "VARCHAR[]",
}
LIST_TYPES = ("list", "multichoice")
TEXT_TYPES = ("text", "person", "department", "phone")

# The characters Python's str.strip() removes (str.isspace()), by code point; written out
# because computing them walks every code point (half a second at start-up). A test keeps them
# in step with Python.
WHITESPACE = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, *range(8192, 8203), 8232, 8233, 8239, 8287,
              12288)
_WS_CLASS = "[" + "".join(f"\\x{{{c:x}}}" for c in WHITESPACE) + "]"
# A canonical list cell: items separated by ';' only, no spaces, no empty items. The other
# separators the forms accept (and any whitespace, line breaks included) send the row to the
# Python checks; tests keep this list in step with theirs.
OTHER_SEPARATORS = "；,，、"
_LIST_BAD = "[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in OTHER_SEPARATORS) + _WS_CLASS[1:-1] + "]|;;|^;|;$"
_WS_CODES = "(" + ", ".join(str(c) for c in WHITESPACE) + ")"
# A canonical multiline cell has no line break at either end (the forms strip those) and some
# non-whitespace (a blank cell is empty, so a required field is missing).
_BLANK = f"{_WS_CLASS}*"


def quote(name: str) -> str:
    """An identifier quoted for SQL (keys and form ids are already restricted to [a-z0-9_-])."""
    return '"' + name.replace('"', '""') + '"'


def sql_type(f: FormField) -> str:
    """The DuckDB column type of a (non-table) field as the forms' views show it."""
    return SQL_TYPES[f.type]


def stored_type(f: FormField | None) -> str:
    """The column type a CSV file's table stores (lists as their ';'-joined text)."""
    if f is None or f.type in LIST_TYPES:
        return "VARCHAR"
    return sql_type(f)


def _in(values: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    return "(" + ", ".join(as_sql_literal(v) for v in sorted(values)) + ")"


def cast_type(f: FormField | None) -> str | None:
    """The type a cell of the field is cast to when stored (None: stored as text)."""
    return {"integer": "BIGINT", "amount": "DECIMAL(18,2)", "date": "DATE"}.get(f.type if f else "text")


def _test(f: FormField | None, v: str, cast: str | None = None) -> str:
    """SQL true when the non-null cell ``v`` is canonical for the field; ``cast`` names a column
    holding the cell already cast to ``cast_type(f)`` (NULL where it cannot be), else it is cast
    here."""
    t = f.type if f else "text"
    if t in TEXT_TYPES:  # no whitespace at either end: first and last code points (twice as fast as a regex;
        # v[-1] finds the last from the end, where right(v, 1) counts every character first)
        return f"(unicode({v}) NOT IN {_WS_CODES} AND unicode({v}[-1]) NOT IN {_WS_CODES})"
    if t == "multiline":  # no line break at either end, and something visible
        return (f"(unicode({v}) NOT IN (10, 13) AND NOT ends_with({v}, chr(10)) AND NOT ends_with({v}, chr(13)) AND "
                f"(unicode({v}) NOT IN {_WS_CODES} OR NOT regexp_full_match({v}, {as_sql_literal(_BLANK)})))")
    if t == "choice" and f is not None:
        return f"{v} IN {_in(f.choices or [])}"
    if t == "date":
        return f"({v} LIKE '____-__-__' AND {v} >= '1000' AND {cast or f'try_cast({v} AS DATE)'} IS NOT NULL)"
    if t == "month":
        return f"regexp_full_match({v}, '[0-9]{{4}}-(0[1-9]|1[0-2])')"
    if t == "integer":
        return f"regexp_full_match({v}, '[+-]?[0-9]{{1,17}}')"
    if t == "amount":
        return f"regexp_full_match({v}, '[+-]?[0-9]{{1,15}}([.][0-9]{{1,2}})?')"
    if t == "boolean":
        return f"lower({v}) IN {_in((TRUE_WORDS | FALSE_WORDS) - {''})}"
    if t in LIST_TYPES:
        ok = f"NOT regexp_matches({v}, {as_sql_literal(_LIST_BAD)})"
        if t == "multichoice" and f is not None:
            allowed = "[" + ", ".join(as_sql_literal(c) for c in f.choices or []) + "]"
            ok += f" AND list_has_all({allowed}, string_split({v}, ';'))"
        return ok
    return "FALSE"  # pragma: no cover - every type is handled above


def accept(f: FormField | None, v: str, cast: str | None = None, *, read: bool = False) -> str:
    """SQL true when the raw cell ``v`` (VARCHAR, NULL or '' when empty) is canonical and valid
    for the field, or empty (but for the record's number: ``f`` None, a form without an id field,
    or the ``id`` field). ``cast``: a column holding the cell cast (see ``_test``). ``read``: the
    cell comes from the engine's CSV reader, which gives NULL for every empty cell, quoted or not
    (so the test of '' is left out: a million rows, a dozen columns)."""
    # Only the record's number must be there to read a record; an empty required field is a
    # completeness finding of the checker, so it is accepted here as empty.
    required = f is None or f.key == "id"
    if required:
        return f"({v} IS NOT NULL{'' if read else f' AND {v} <> {EMPTY}'} AND {_test(f, v, cast)})"
    return f"({v} IS NULL{'' if read else f' OR {v} = {EMPTY}'} OR {_test(f, v, cast)})"


EMPTY = "''"


def stored(f: FormField | None, v: str, cast: str | None = None) -> str:
    """SQL storing an accepted raw cell (NULL when empty; casts never fail on other rows);
    ``cast``: a column holding the cell cast (see ``_test``)."""
    t = f.type if f else "text"
    if t == "boolean":
        return f"CASE WHEN {v} = '' THEN NULL ELSE lower({v}) IN {_in(TRUE_WORDS - {''})} END"
    to = cast_type(f)
    # the reader gives NULL for an empty cell, quoted ("") or not (allow_quoted_nulls): text is
    # stored as it is, without a copy
    return (cast or f"try_cast({v} AS {to})") if to else v


def shown(f: FormField | None, column: str) -> str:
    """SQL exposing a stored column in the form's view with the field's type."""
    if f is not None and f.type in LIST_TYPES:
        return f"CASE WHEN {column} IS NULL THEN []::VARCHAR[] ELSE string_split({column}, ';') END"
    return column


def empty(f: FormField | None) -> str:
    """SQL for a field the view does not hold (not in the file, or read by no rule)."""
    if f is None:
        return "CAST(NULL AS VARCHAR)"
    return "[]::VARCHAR[]" if f.type in LIST_TYPES else f"CAST(NULL AS {sql_type(f)})"
