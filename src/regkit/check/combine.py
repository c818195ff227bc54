"""One breach, one finding, one fine: the same act seen through several records is fined once
(``act``), and one obligation encoded in two regulations is one finding citing both
(``same_as``)."""

from __future__ import annotations

from dataclasses import replace

from ..loader import Project
from .findings import Finding


def fine_acts_once(findings: list[Finding]) -> list[Finding]:
    """Of the findings naming the same act (same fine clause, person and ``act``), only the
    first (in report order) carries the fine; the others say where it was charged."""
    first: dict[tuple[str | None, str | None, str], Finding] = {}
    out = []
    for f in sorted(findings, key=Finding.sort_key):
        if f.act is not None and f.penalty:
            key = (f.fine_citation, f.person, f.act)
            if key in first:
                head = first[key]
                f = replace(f, penalty=0, message=f"{f.message}（与{head.record or head.period}为同一行为，已计罚款）")
            else:
                first[key] = f
        out.append(f)
    return out


def merge_same_obligation(findings: list[Finding], project: Project) -> list[Finding]:
    """A finding of a rule declaring ``same_as`` another rule is folded into that rule's
    findings on the same record (or period), which then cite both clauses; the other rule's
    findings name the responsible people (a duty of each holder keeps one finding per holder)."""
    titles = {r.id: r.title for r in project.regulations}
    pairs: dict[str, list[str]] = {}
    for reg in project.regulations:
        for rule in reg.rules:
            for ref in rule.same_as:
                pairs.setdefault(rule.id, []).append(ref.rpartition(":")[2])

    def key(f: Finding) -> tuple[str | None, str | None, str | None]:
        return (f.form, f.record, f.period)

    if not pairs:
        return findings
    targets = {t for ts in pairs.values() for t in ts}
    index: dict[tuple[str, str | None, str | None, str | None], list[int]] = {}
    for i, f in enumerate(findings):
        if f.rule in targets:
            index.setdefault((f.rule, *key(f)), []).append(i)
    out = list(findings)
    dropped: set[int] = set()
    for i, f in enumerate(findings):
        if f.rule not in pairs:
            continue
        for target in pairs[f.rule]:
            hits = [j for j in index.get((target, *key(f)), []) if j not in dropped]
            if not hits and f.record is None and f.periods:
                hits = covering(findings, target, f, dropped)
            if not hits:
                continue
            extra = f"{titles.get(f.regulation, f.regulation)} {f.citation}"
            for j in hits:
                if extra not in out[j].citation:
                    out[j] = replace(out[j], citation=f"{out[j].citation}；{extra}")
            dropped.add(i)
            break
    return [f for i, f in enumerate(out) if i not in dropped]


def covering(findings: list[Finding], target: str, f: Finding, dropped: set[int]) -> list[int]:
    """The findings of ``target`` on the form of the missed periods ``f`` whose periods cover all
    of f's, when their runs are cut differently (each holder's run against the department's)."""
    want = set(f.periods)
    hits = [j for j, g in enumerate(findings) if j not in dropped and g.rule == target and g.form == f.form
            and g.record is None and want & set(g.periods)]
    got = {p for j in hits for p in findings[j].periods}
    return hits if want <= got else []
