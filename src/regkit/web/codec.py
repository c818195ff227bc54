"""Record values between the library and the database: the library's canonical values (amounts
``Decimal``, dates ``YYYY-MM-DD``) stored as JSON (amounts as text), and typed for the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..forms.records import coerce_record
from ..model import Form, FormField


def to_json(values: dict[str, Any]) -> dict[str, Any]:
    """Canonical values as JSON-safe data (Decimal as its text, so no amount turns into a float)."""
    return {k: _json(v) for k, v in values.items()}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def from_json(form: Form, stored: dict[str, Any]) -> dict[str, Any]:
    """Stored values back as the library's canonical values (by the forms library's own parser)."""
    values, _ = coerce_record(form, stored, required=False, lenient=True)
    values["id"] = stored.get("id")
    return values


def engine_values(form: Form, values: dict[str, Any]) -> dict[str, Any]:
    """Canonical values as the checker's engine types them (dates as ``date``)."""
    out = dict(values)
    for f in form.fields:
        if f.type == "table":
            cols = {c.key: c for c in f.columns or []}
            out[f.key] = [{k: _typed(cols[k], v) if k in cols else v for k, v in row.items()}
                          for row in values.get(f.key) or []]
        else:
            out[f.key] = _typed(f, values.get(f.key))
    return out


def _typed(f: FormField, value: Any) -> Any:
    if f.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value
