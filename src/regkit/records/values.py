"""Validating one record against its form and typing its values for the engine.

The field rules themselves (types, required fields, choices, date formats) are the forms
package's ``coerce_record``, so a record reads the same whether it came from a filled form or a
record file; this module adds what the engine's columns need (ranges, dates as dates, an id)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..forms.records import coerce_record
from ..model import Form, FormField

# The engine stores amounts as DECIMAL(18,2) and integers as BIGINT.
MAX_AMOUNT = Decimal(10) ** 15
MAX_INTEGER = 2**63 - 1


def check_record(form: Form, data: Mapping[str, Any], *, lenient: bool) -> tuple[dict[str, Any] | None, list[str]]:
    """The record's values typed for the engine (dates as ``date``), or None and the problems.
    Empty required fields are kept empty: they are findings, not problems of reading.

    ``lenient`` accepts what people type into spreadsheets (``2026年3月5日``, ``¥1,200``);
    YAML and JSON records must use the canonical spellings."""
    # An empty required field is what the record shows (a completeness finding of the checker),
    # not a reason it cannot be read; only the record's number places it.
    values, problems = coerce_record(form, data, lenient=lenient, required=False)
    if not str(values.get("id") or "").strip():
        label = f.label if (f := form.field("id")) is not None else "number"
        problems.append(f"id: the record's {label} is required (it names the record)")
    for f in form.fields:
        problems += _range_problems(f, values.get(f.key), f.key)
        if f.type == "table":
            for i, row in enumerate(values.get(f.key) or []):
                for col in f.columns or []:
                    problems += _range_problems(col, row.get(col.key), f"{f.key}[{i}].{col.key}")
    if problems:
        return None, problems
    return {k: _engine_value(form, k, v) for k, v in values.items()}, []


def _range_problems(f: FormField, value: Any, where: str) -> list[str]:
    if f.type == "amount" and isinstance(value, Decimal) and abs(value) >= MAX_AMOUNT:
        return [f"{where}: {value} is too large an amount"]
    if f.type == "integer" and isinstance(value, int) and abs(value) > MAX_INTEGER:
        return [f"{where}: {value} is too large a number"]
    return []


def _engine_value(form: Form, key: str, value: Any) -> Any:
    f = form.field(key)
    if f is None:
        return value
    if f.type == "table":
        cols = {c.key: c for c in f.columns or []}
        return [{k: _typed(cols[k], v) if k in cols else v for k, v in row.items()} for row in value or []]
    return _typed(f, value)


def _typed(f: FormField, value: Any) -> Any:
    if f.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if f.type == "amount" and isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value
