"""Fillable forms: every form a regulation defines as Word, PDF and Excel, blank or filled in from
a record, and filled-in forms read back into records.

Public API (imported lazily, so ``regkit.forms.records`` stays light):

- ``render_form(project, form_id, fmt, record=None) -> bytes`` and ``write_blank_forms(project,
  outdir, formats)`` (``api``);
- ``extract_file(path, project) -> list[record]`` (``extract``): InputError for anything that is
  not a readable regkit form; ``read_forms(paths, project)`` (``api``): every file's records, and
  the unreadable files' problems;
- ``validate_record(form, record) -> list[str]`` and ``coerce_record(form, record, lenient=...)``
  (``records``): the field rules (types, required, choices, dates) shared with the checker.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "render_form": "api", "write_blank_forms": "api", "form_command": "api", "extract_files": "api",
    "read_forms": "api",
    "extract_file": "extract", "validate_record": "records", "coerce_record": "records",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
