"""Finding messages built in SQL: the rule's Chinese message with each ``{name}`` replaced by the
record's value (or a parameter, or a value the rule computes), formatted as ``findings.show``
formats it. Building them in the query keeps a million-record audit from formatting in Python;
the message text and parameter values are constants of the regulations, the record values are
column data concatenated at run time (never SQL text)."""

from __future__ import annotations

from typing import Any

from ..expr import as_sql_literal
from ..model import PARAM_RE, Form
from .accept import quote
from .findings import EMPTY_TEXT, NAME_SEP, show

_EMPTY = as_sql_literal(EMPTY_TEXT)


def shown(kind: str, sql: str) -> str:
    """SQL showing a value of a field type (or ``number``/``days``) as a message does."""
    if kind == "date":
        return f"coalesce(CAST({sql} AS VARCHAR), {_EMPTY})"
    if kind == "amount":
        return (f"CASE WHEN {sql} IS NULL THEN {_EMPTY} WHEN {sql} = trunc({sql}) "
                f"THEN CAST(CAST({sql} AS HUGEINT) AS VARCHAR) ELSE CAST({sql} AS VARCHAR) END")
    if kind == "number":
        return (f"CASE WHEN {sql} IS NULL THEN {_EMPTY} WHEN {sql} = trunc({sql}) "
                f"THEN CAST(CAST({sql} AS HUGEINT) AS VARCHAR) ELSE printf('%.2f', {sql}) END")
    if kind in ("integer", "days"):
        return f"coalesce(CAST({sql} AS VARCHAR), {_EMPTY})"
    if kind in ("list", "multichoice"):
        return f"CASE WHEN {sql} IS NULL OR len({sql}) = 0 THEN {_EMPTY} ELSE array_to_string({sql}, '{NAME_SEP}') END"
    if kind == "boolean":
        return f"CASE WHEN {sql} THEN '是' WHEN NOT {sql} THEN '否' ELSE {_EMPTY} END"
    return f"coalesce(nullif(CAST({sql} AS VARCHAR), ''), {_EMPTY})"


def message_sql(message: str, form: Form | None, constants: dict[str, Any], extras: dict[str, tuple[str, str]],
                alias: str = "r") -> str:
    """SQL building ``message``: ``{field}`` from the record (alias ``alias``), ``{name}`` of an
    extra (SQL, kind) the rule computes, else of a constant (parameters, the audit date); an
    unknown name stays as written."""
    parts: list[str] = []
    pos = 0
    fields = {f.key: f.type for f in form.fields if f.type != "table"} if form else {}
    if form is not None:
        fields.setdefault("id", "text")
    for m in PARAM_RE.finditer(message):
        parts.append(as_sql_literal(message[pos:m.start()]))
        name = m.group(1)
        if name in extras:
            sql, kind = extras[name]
            parts.append(shown(kind, sql))
        elif name in fields:
            parts.append(shown(fields[name], f"{alias}.{quote(name)}"))
        elif name in constants:
            parts.append(as_sql_literal(show(constants[name])))
        else:
            parts.append(as_sql_literal(m.group(0)))
        pos = m.end()
    parts.append(as_sql_literal(message[pos:]))
    kept = [p for p in parts if p != "''"]
    return "concat(" + ", ".join(kept) + ")" if kept else "''"
