"""The engine's fast path for CSV values: an SQL test that a raw cell is in canonical form
(ISO date, plain decimal, a choice, ...) and the SQL that types it.

The test is conservative by design: it accepts only cells that the Python record checks
(``regkit.forms.records``, lenient mode) accept *with the same value*. Every other row goes to
those Python checks, which either accept it (other spellings: ``2026年3月5日``, ``¥1,200``) or
report it with its message. So a record reads the same on both paths, and messages come from one
place. The YAML labels, keys and choices written into this SQL are constants of the regulations,
never record values; record values only ever reach DuckDB as data."""

from __future__ import annotations

from ..expr import as_sql_literal
from ..forms.records import _FALSE, _LIST_SEP, _TRUE
from ..model import FormField

SQL_TYPES = {
    "text": "VARCHAR", "multiline": "VARCHAR", "person": "VARCHAR", "department": "VARCHAR",
    "phone": "VARCHAR", "choice": "VARCHAR", "month": "VARCHAR", "integer": "BIGINT",
    "amount": "DECIMAL(18,2)", "date": "DATE", "boolean": "BOOLEAN", "list": "VARCHAR[]",
    "multichoice": "VARCHAR[]",
}
LIST_TYPES = ("list", "multichoice")

# Every character Python's str.strip() removes; a cell with one at either end (or, for lists,
# anywhere) goes to the Python checks, which strip exactly as the forms do.
_WS = "[\\t\\n\\x{0b}\\x{0c}\\r\\x{1c}-\\x{1f} \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}" \
      "\\x{202f}\\x{205f}\\x{3000}]"
_EDGE = f"^{_WS}|{_WS}$"
_SEP = _LIST_SEP.pattern


def quote(name: str) -> str:
    """An identifier quoted for SQL (keys and form ids are already restricted to [a-z0-9_-])."""
    return '"' + name.replace('"', '""') + '"'


def sql_type(f: FormField) -> str:
    """The DuckDB column type of a (non-table) field."""
    return SQL_TYPES[f.type]


def _in(values: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    return "(" + ", ".join(as_sql_literal(v) for v in sorted(values)) + ")"


def _list(v: str) -> str:
    return f"list_filter(regexp_split_to_array({v}, {as_sql_literal(_SEP)}), lambda x: x <> '')"


def accept(f: FormField | None, v: str, *, required: bool | None = None) -> str:
    """SQL true when the raw cell ``v`` (VARCHAR, NULL if empty) is canonical and valid for the
    field; ``f`` None is the record id of a form without an id field (required text)."""
    needed = (f.required if f else True) if required is None else required
    empty = f"({v} IS NULL OR {v} = '')"
    t = f.type if f else "text"
    edge = f"NOT regexp_matches({v}, {as_sql_literal(_EDGE)})"
    checks = {
        "integer": f"regexp_full_match({v}, '[+-]?[0-9]{{1,17}}')",
        "amount": f"regexp_full_match({v}, '[+-]?[0-9]{{1,15}}([.][0-9]{{1,2}})?')",
        "date": f"(regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND {v} >= '0001' "
                f"AND try_cast({v} AS DATE) IS NOT NULL)",
        "month": f"regexp_full_match({v}, '[0-9]{{4}}-(0[1-9]|1[0-2])')",
        "boolean": f"lower({v}) IN {_in((_TRUE | _FALSE) - {''})}",
    }
    if t == "choice" and f is not None:
        ok = f"{v} IN {_in(f.choices or [])}"
    elif t in LIST_TYPES:
        ok = f"NOT regexp_matches({v}, {as_sql_literal(_WS)})"
        if t == "multichoice" and f is not None:
            allowed = "[" + ", ".join(as_sql_literal(c) for c in f.choices or []) + "]"
            ok += f" AND len(list_filter({_list(v)}, lambda x: NOT list_contains({allowed}, x))) = 0"
    else:
        ok = checks.get(t, "TRUE")
    return f"(CASE WHEN {empty} THEN {'FALSE' if needed else 'TRUE'} ELSE {edge} AND {ok} END)"


def value(f: FormField | None, v: str) -> str:
    """SQL typing an accepted raw cell ``v`` for the field (NULL, or [] for lists, when empty)."""
    t = f.type if f else "text"
    empty = f"({v} IS NULL OR {v} = '')"
    if t in LIST_TYPES:
        return f"(CASE WHEN {empty} THEN []::VARCHAR[] ELSE {_list(v)} END)"
    if t == "boolean":
        return f"(CASE WHEN {empty} THEN NULL ELSE lower({v}) IN {_in(_TRUE - {''})} END)"
    cast = {"integer": "BIGINT", "amount": "DECIMAL(18,2)", "date": "DATE"}.get(t)
    body = f"CAST({v} AS {cast})" if cast else v
    return f"(CASE WHEN {empty} THEN NULL ELSE {body} END)"


def empty(f: FormField) -> str:
    """SQL for a field no column of the file holds."""
    return "[]::VARCHAR[]" if f.type in LIST_TYPES else f"CAST(NULL AS {sql_type(f)})"
