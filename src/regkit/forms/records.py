"""Field values of form records: typing them (dates, amounts, lists, table rows), checking them
against a form (types, required fields, choices), and printing them back as form text.

A record is ``{"form": id, "id": number, <field key>: value, ...}``. Canonical value types:
text-like fields ``str``; ``integer`` ``int``; ``amount`` ``Decimal``; ``date`` ``"YYYY-MM-DD"``;
``month`` ``"YYYY-MM"``; ``choice`` ``str`` (one of the choices); ``list``/``multichoice``
``list[str]``; ``boolean`` ``bool``; ``table`` ``list[dict]``. An empty field is ``None`` (``[]``
for lists and tables).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import Form, FormField

TEXT_TYPES = frozenset({"text", "multiline", "person", "department", "phone"})
LIST_TYPES = frozenset({"list", "multichoice"})
RESERVED = ("form", "id")

# Separators people type between list items: ASCII and full-width semicolons and commas, the
# Chinese enumeration comma, and line breaks. The checker's SQL fast path reads the same set.
LIST_SEP = re.compile(r"[;；,，、\n]+")
LIST_JOIN = "、"  # how a form prints a list (the enumeration comma)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_INT_RE = re.compile(r"^[+-]?\d+$")
# numbers written as text in a structured record (JSON/YAML): plain ASCII digits only
_PLAIN_INT = re.compile(r"[+-]?[0-9]{1,18}")
_PLAIN_AMOUNT = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,2})?")
_AMOUNT_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# How a ticked or unticked box is typed; shared with the checker's SQL fast path.
TRUE_WORDS = frozenset({"是", "true", "yes", "y", "1", "√", "✓", "✔", "☑", "☒", "x"})
FALSE_WORDS = frozenset({"否", "false", "no", "n", "0", "☐", ""})
MAX_AMOUNT_PLACES = 2
MAX_RECORD_BYTES = 1 << 20


class ValueProblem(ValueError):
    """A value that does not fit its field; the message names the field. A table's problems are
    all in ``problems`` (one message each)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


def is_empty(value: Any) -> bool:
    """True for a field nobody filled in."""
    return value is None or value == "" or value == [] or value == ()


def empty_value(field: FormField) -> Any:
    """The value of an empty field: ``[]`` for lists and tables, otherwise ``None``."""
    return [] if field.type in LIST_TYPES or field.type == "table" else None


def _norm(text: str) -> str:
    # NFKC turns full-width digits and letters (Chinese input methods) into ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def parse_value(field: FormField, raw: Any, *, lenient: bool = False) -> Any:
    """The canonical value of ``raw`` for ``field``; raise ValueProblem if it does not fit.

    ``lenient`` accepts what people type into a form (``2026年3月5日``, ``是``, ``a；b``);
    record files must use the canonical spellings (ISO dates, YAML/JSON numbers and lists).
    """
    t = field.type
    if raw is None or (isinstance(raw, str) and not raw.strip() and t != "boolean"):
        return empty_value(field)
    if t == "table":
        return _parse_table(field, raw, lenient=lenient)
    if t in TEXT_TYPES:
        if not isinstance(raw, str):
            raise ValueProblem(f"{field.key}: expected text, got {_shown(raw)}{_quote_hint(raw)}")
        return raw.strip("\r\n") if t == "multiline" else raw.strip()
    if t == "integer":
        return _parse_int(field, raw, lenient)
    if t == "amount":
        return _parse_amount(field, raw, lenient)
    if t == "date":
        return _parse_date(field, raw, lenient)
    if t == "month":
        return _parse_month(field, raw, lenient)
    if t == "choice":
        if not isinstance(raw, str):
            raise ValueProblem(f"{field.key}: expected one of {'/'.join(field.choices or [])}, got {_shown(raw)}")
        value = raw.strip()
        if value not in (field.choices or []):
            raise ValueProblem(f"{field.key}: {value!r} is not one of {'/'.join(field.choices or [])}")
        return value
    if t in LIST_TYPES:
        items = _parse_list(field, raw, lenient)
        if t == "multichoice":
            bad = [i for i in items if i not in (field.choices or [])]
            if bad:
                raise ValueProblem(f"{field.key}: {'、'.join(bad)} not among {'/'.join(field.choices or [])}")
        return items
    if t == "boolean":
        return _parse_bool(field, raw, lenient)
    raise ValueProblem(f"{field.key}: unknown field type {t}")  # pragma: no cover - model forbids it


def _shown(raw: Any) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "a mapping"}.get(type(raw))
    if isinstance(raw, dt.date):
        kind = "a date"
    text = repr(raw)
    if len(text) > 40:  # a 5,000-digit number or a pasted page is not repeated whole
        text = f"{text[:30]}… ({len(text)} characters)"
    return f"{kind} ({text})" if kind else text


def _quote_hint(raw: Any) -> str:
    return "; quote it in YAML" if isinstance(raw, (bool, int, float, dt.date)) else ""


def _parse_int(field: FormField, raw: Any, lenient: bool) -> int:
    if isinstance(raw, bool):
        raise ValueProblem(f"{field.key}: expected a whole number, got {_shown(raw)}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and lenient:
        text = _norm(raw).replace(",", "")
        if _INT_RE.match(text) and len(text) <= 18:
            return int(text)
    if isinstance(raw, str) and _PLAIN_INT.fullmatch(raw):  # a number kept as text by a JSON export
        return int(raw)
    if isinstance(raw, (float, Decimal)) and raw == int(raw):
        return int(raw)
    raise ValueProblem(f"{field.key}: {raw!r} is not a whole number")


def _parse_amount(field: FormField, raw: Any, lenient: bool) -> Decimal:
    if isinstance(raw, bool):
        raise ValueProblem(f"{field.key}: expected an amount in yuan, got {_shown(raw)}")
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, str) and _PLAIN_AMOUNT.fullmatch(raw):
        # decimals kept as text, as JSON exports do to keep cents exact ("1200.50"): the same amount
        value = Decimal(raw)
    elif isinstance(raw, str) and lenient:
        text = _norm(raw).replace(",", "").removeprefix("¥").removesuffix("元").strip()
        if not _AMOUNT_RE.match(text) or len(text) > 24:
            raise ValueProblem(f"{field.key}: {raw!r} is not an amount in yuan")
        value = Decimal(text)
    else:
        raise ValueProblem(f"{field.key}: {raw!r} is not an amount in yuan (write a number)")
    try:
        places = -int(value.as_tuple().exponent)
    except (TypeError, ValueError, InvalidOperation):
        raise ValueProblem(f"{field.key}: {raw!r} is not a finite amount") from None
    if places > MAX_AMOUNT_PLACES and value != value.quantize(Decimal("0.01")):
        raise ValueProblem(f"{field.key}: {raw!r} has more than {MAX_AMOUNT_PLACES} decimal places")
    return value


def _parse_date(field: FormField, raw: Any, lenient: bool) -> str:
    if isinstance(raw, dt.datetime):
        raise ValueProblem(f"{field.key}: {raw!r} is a timestamp; write a date YYYY-MM-DD")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, str):
        text = _norm(raw)
        m = _DATE_RE.match(text) if lenient else (_DATE_RE.match(text) if _ISO_DATE.match(text) else None)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                raise ValueProblem(f"{field.key}: {raw!r} is not a valid date") from None
    raise ValueProblem(f"{field.key}: {raw!r} is not a date YYYY-MM-DD")


def _parse_month(field: FormField, raw: Any, lenient: bool) -> str:
    if isinstance(raw, str):
        text = _norm(raw)
        m = _MONTH_RE.match(text)
        if m and (lenient or re.fullmatch(r"\d{4}-\d{2}", text)) and 1 <= int(m[2]) <= 12:
            return f"{int(m[1]):04d}-{int(m[2]):02d}"
    raise ValueProblem(f"{field.key}: {raw!r} is not a month YYYY-MM")


def _parse_list(field: FormField, raw: Any, lenient: bool) -> list[str]:
    if isinstance(raw, str):
        # Record files and forms both write lists as one text with separators (CSV convention).
        return [p.strip() for p in LIST_SEP.split(raw) if p.strip()]
    if isinstance(raw, (list, tuple)):
        out = []
        for item in raw:
            if not isinstance(item, str):
                raise ValueProblem(f"{field.key}: list items are text, got {_shown(item)}")
            if item.strip():
                out.append(item.strip())
        return out
    raise ValueProblem(f"{field.key}: expected a list, got {_shown(raw)}")


def _parse_bool(field: FormField, raw: Any, lenient: bool) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and lenient:
        text = _norm(raw).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False if text else None
    raise ValueProblem(f"{field.key}: {raw!r} is not yes/no (true/false)")


def _parse_table(field: FormField, raw: Any, lenient: bool) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise ValueProblem(f"{field.key}: a table is a list of rows, got {_shown(raw)}")
    cols = {c.key: c for c in field.columns or []}
    rows = []
    problems: list[str] = []
    for i, row in enumerate(raw):
        if not isinstance(row, Mapping):
            problems.append(f"{field.key}[{i}]: a row is a mapping of column keys, got {_shown(row)}")
            continue
        unknown = [str(k) for k in row if k not in cols]
        if unknown:
            problems.append(f"{field.key}[{i}]: unknown column {', '.join(unknown)}")
        out = {}
        for key, col in cols.items():
            try:
                out[key] = parse_value(col, row.get(key), lenient=lenient)
            except ValueProblem as exc:
                problems.append(f"{field.key}[{i}].{exc}")
                out[key] = empty_value(col)
        rows.append(out)
    if problems:
        raise ValueProblem("; ".join(problems), problems)
    return rows


def format_value(field: FormField, value: Any) -> str:
    """A canonical value as the text a form shows (lists joined with ``、`` as Chinese forms do, yes/no as 是/否,
    amounts in yuan with two decimals: 1200.50)."""
    if is_empty(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        if field.type == "amount" and value == value.quantize(Decimal("0.01")):
            return format(value.quantize(Decimal("0.01")), "f")
        return format(value, "f")
    if isinstance(value, list):
        return LIST_JOIN.join(str(v) for v in value)
    return str(value)


def coerce_record(form: Form, record: Mapping[str, Any], *, required: bool = True,
                  lenient: bool = False) -> tuple[dict[str, Any], list[str]]:
    """The record with every field typed (missing fields empty), and the problems found:
    unknown keys, values that do not fit, and (if ``required``) empty required fields."""
    problems: list[str] = []
    out: dict[str, Any] = {"form": form.id}
    if record.get("form") not in (None, form.id):
        problems.append(f"form: record is for {record.get('form')!r}, not {form.id!r}")
    known = {f.key for f in form.fields} | set(RESERVED)
    problems += [f"{k}: unknown field of form {form.id}" for k in record if k not in known]
    if form.field("id") is None:
        out["id"] = _id_value(record.get("id"), problems)
    for f in form.fields:
        try:
            out[f.key] = parse_value(f, record.get(f.key), lenient=lenient)
        except ValueProblem as exc:
            problems += exc.problems
            out[f.key] = empty_value(f)
            continue
        if required and f.required and is_empty(out[f.key]):
            problems.append(f"{f.key}: {f.label} is required")
        if required and f.type == "table":
            for i, row in enumerate(out[f.key]):
                problems += [
                    f"{f.key}[{i}].{c.key}: {c.label} is required"
                    for c in f.columns or [] if c.required and is_empty(row.get(c.key))
                ]
    return out, problems


def _id_value(raw: Any, problems: list[str]) -> Any:
    if raw is None or isinstance(raw, str):
        return raw
    problems.append(f"id: expected text, got {_shown(raw)}")
    return None


def validate_record(form: Form, record: Mapping[str, Any]) -> list[str]:
    """Problems of a record against its form: unknown keys, types, required fields, choices,
    dates; an empty list when the record is valid."""
    return coerce_record(form, record)[1]


def plain(value: Any) -> Any:
    """A record value with Decimal amounts turned into int/float, for YAML and JSON output."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def load_record_file(path: Path) -> dict[str, Any]:
    """One record from a YAML or JSON file (a mapping, or a list holding one mapping)."""
    name = str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():  # a FIFO or a device would block or never end
            raise InputError.at(name, 1, 1, "not a regular file")
        if size > MAX_RECORD_BYTES:
            raise InputError.at(name, 1, 1, f"file is {size} bytes, over the limit of {MAX_RECORD_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.at(name, 1, 1, f"cannot read: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".json":
        data = _load_json(raw, name)
    else:
        from ..yamlsafe import load_yaml

        data = load_yaml(raw, name).data
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise InputError.at(name, 1, 1, "a record is a mapping with form, id and the field keys")
    return data


def _load_json(raw: bytes, name: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                raise ValueError(f"duplicate key {k!r}")
            out[k] = v
        return out

    def constant(c: str) -> Any:
        raise ValueError(f"{c} is not a number regkit accepts")

    try:
        text = raw.decode("utf-8-sig")
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError.at(name, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError.at(name, 1, 1, f"invalid JSON: {str(exc)[:200]}") from None
    except RecursionError:
        raise InputError.at(name, 1, 1, "invalid JSON: nested too deeply") from None


def dump_records(records: list[dict[str, Any]], fmt: str = "yaml") -> str:
    """Records as YAML or JSON text (amounts as plain numbers, Chinese unescaped)."""
    data = [plain(r) for r in records]
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    import yaml

    class Dumper(yaml.SafeDumper):
        """Multi-line text as literal blocks, as people wrote it."""

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value and not value.endswith((" ", "\n")) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return str(yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False))
