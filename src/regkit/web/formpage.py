"""A form of the regulation as an HTML form: one input per field (its type, choices, required,
help, table rows, the 存根 part), and the submitted inputs back as the raw record the library's
parser reads. Each input name occurs once (checkboxes and table cells carry their index)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..forms.layout import stub_fields
from ..forms.records import LIST_SEP, format_value
from ..loader import Project
from ..model import Form, FormField
from . import workflow

EXTRA_ROWS = 3
MAX_ROWS = 200


@dataclass
class Widget:
    """One input of the page."""

    key: str
    label: str
    kind: str  # text textarea date month number select checkboxes table readonly
    required: bool
    help: str
    value: str = ""
    choices: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    stub: bool = False
    inputmode: str = ""
    columns: list[Widget] = field(default_factory=list)
    rows: list[list[Widget]] = field(default_factory=list)
    editable: bool = True


def _people(project: Project, f: FormField) -> list[str]:
    if f.role:
        return list(workflow.people_of(project, f.role))
    return [p.name for p in project.org.people]


def _kind(project: Project, form: Form, f: FormField) -> tuple[str, list[str], str]:
    stub = workflow.stub_rule(project, form)
    if f.type == "multiline":
        return "textarea", [], ""
    if f.type in ("date", "month"):
        return f.type, [], ""
    if f.type in ("amount", "integer"):
        return "text", [], "decimal" if f.type == "amount" else "numeric"
    if f.type == "phone":
        return "text", [], "tel"
    if f.type == "choice":
        return "select", list(f.choices or []), ""
    if f.type == "boolean":
        return "select", ["是", "否"], ""
    if f.type == "person":
        return "select", _people(project, f), ""
    if f.type == "department":
        return "select", [d.name for d in project.org.departments], ""
    if f.type == "multichoice":
        return "checkboxes", list(f.choices or []), ""
    if f.type == "list" and stub is not None and f.key == stub.departments_field:
        return "checkboxes", [d.name for d in project.org.departments], ""
    if f.type == "list":
        return "textarea", [], ""
    return "text", [], ""


def _widget(project: Project, form: Form, f: FormField, value: Any, editable: bool, stub_keys: set[str]) -> Widget:
    kind, choices, mode = _kind(project, form, f)
    w = Widget(f.key, f.label, kind if editable else "readonly", f.required, f.help or "", choices=choices,
               stub=f.key in stub_keys, inputmode=mode, editable=editable)
    if kind == "checkboxes":
        w.checked = {str(v) for v in value or []}
        w.value = format_value(f, value)
    elif f.type == "list":
        w.value = "\n".join(str(v) for v in value or []) if editable else format_value(f, value)
    else:
        w.value = format_value(f, value)
    if kind == "select" and w.value and w.value not in w.choices:
        w.choices = [w.value, *w.choices]
    return w


def widgets(project: Project, form: Form, values: Mapping[str, Any], editable: set[str],
            problems: Mapping[str, list[str]] | None = None) -> list[Widget]:
    """The page's inputs for ``values``; fields outside ``editable`` are shown, not edited."""
    stub_keys = {f.key for f in stub_fields(form)} if form.stub else set()
    out = []
    for f in form.fields:
        if f.key == "id":
            continue
        on = f.key in editable
        if f.type == "table":
            w = Widget(f.key, f.label, "table" if on else "readonly-table", f.required, f.help or "", editable=on)
            w.columns = [_widget(project, form, c, None, on, set()) for c in f.columns or []]
            rows = list(values.get(f.key) or [])
            blank = EXTRA_ROWS if on else 0
            for row in [*rows, *([{}] * blank)]:
                w.rows.append([_widget(project, form, c, row.get(c.key), on, set()) for c in f.columns or []])
        else:
            w = _widget(project, form, f, values.get(f.key), on, stub_keys)
        w.errors = list((problems or {}).get(f.key, []))
        out.append(w)
    return out


def raw_record(form: Form, post: Mapping[str, str], editable: set[str]) -> dict[str, Any]:
    """The submitted inputs as a raw record for the library's lenient parser (what a person types)."""
    raw: dict[str, Any] = {}
    for f in form.fields:
        if f.key not in editable:
            continue
        if f.type == "table":
            raw[f.key] = _rows(f, post)
        elif f.type in ("multichoice", "list") and any(k.startswith(f.key + ".") for k in post):
            raw[f.key] = [post[k] for k in sorted((k for k in post if k.startswith(f.key + ".")),
                                                  key=lambda k: _index(k.rsplit(".", 1)[1]))]
        elif f.type == "list":
            raw[f.key] = [p.strip() for p in LIST_SEP.split(post.get(f.key, "")) if p.strip()]
        else:
            raw[f.key] = post.get(f.key, "")
    return raw


def _index(text: str) -> int:
    return int(text) if text.isdigit() else 10**9


def _rows(f: FormField, post: Mapping[str, str]) -> list[dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    cols = {c.key for c in f.columns or []}
    for name, value in post.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == f.key and parts[1].isdigit() and parts[2] in cols:
            n = int(parts[1])
            if n < MAX_ROWS:
                rows.setdefault(n, {})[parts[2]] = value
    return [row for _, row in sorted(rows.items()) if any(v.strip() for v in row.values())]
