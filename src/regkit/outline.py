"""Summaries of the loaded project: the regulations, their forms and rules (``regkit list``)."""

from __future__ import annotations

from typing import Any

from .loader import Project


def listing(project: Project) -> list[dict[str, Any]]:
    """One entry per regulation with its forms and rules, in id order."""
    out = []
    for reg in sorted(project.regulations, key=lambda r: r.id):
        out.append({
            "id": reg.id,
            "title": reg.title,
            "doc_number": reg.doc_number,
            "version": reg.version,
            "effective": reg.effective.isoformat(),
            "clauses": sum(1 for _ in reg.clauses()),
            "forms": [
                {"id": f.id, "title": f.title, "version": f.version, "fields": len(f.fields),
                 "table": f.table is not None, "stub": f.stub is not None,
                 "citations": [reg.citation(c) for c in f.clauses]}
                for f in reg.forms
            ],
            "rules": [
                {"id": r.id, "kind": r.kind, "title": r.title, "form": r.form,
                 "citations": [_cite(project, reg.id, c) for c in r.clauses]}
                for r in reg.rules
            ],
        })
    return out


def _cite(project: Project, rid: str, ref: str) -> str:
    if ":" in ref:
        rid, ref = ref.split(":", 1)
    reg = project.regulation(rid)
    return reg.citation(ref) if reg else ref
