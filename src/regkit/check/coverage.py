"""The rules-coverage table (docs/rules-coverage.md): every clause of the regulations that states
something, with the rules that enforce it, or why submitted records cannot show it.

Regenerate after changing rules: ``python -m regkit.check.coverage > docs/rules-coverage.md``
(a test fails while the committed table is out of date)."""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from ..loader import Project, load_project
from ..model import Clause, Regulation

# Why a clause without a rule cannot be checked from records, by what the clause is. The first
# matching kind wins; the texts are the regulations' own words.
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("cross-reference to another clause", re.compile(r"^[（(]见")),
    ("outline or aim of a topic: its checkable duties are the clauses that spell it out",
     re.compile(r"^(定义|规定|设定|设立|设计|建立|明确|制定|维护|确保|提升|提高|加强|完善|优化)")),
    ("purpose, scope or final provisions: no duty to check",
     re.compile(r"为加强|为了|为规范|为提高|特制[订定]|本(制度|办法)(自|由|适用|解释|未尽|如有)|适用于|解释权|生效|施行|最终解释")),
    ("conduct or attitude (courtesy, diligence, discipline): no record shows it",
     re.compile(r"热情|礼貌|积极|态度|尽最大努力|争吵|服从|遵守|道德|秘密|保密|畅通|熟悉|掌握|努力|认真|主动|耐心|诚信|形象|仪表|着装|纪律")),
    ("statement of responsibility: checked through the operating rules that name a record, not by itself",
     re.compile(r"负责|主持|协助|协调|督促|配合|组织|指导|监督|职责")),
]
_DEFAULT = "no form or register records this duty, so submitted records cannot show whether it was done"


def _cited(project: Project) -> dict[tuple[str, str], list[str]]:
    """(regulation, clause) -> the rules citing it (as an enforced clause or as their fine), and
    the completeness rule of each form for the clauses requiring the form (its required fields
    are findings when empty)."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for reg in project.regulations:
        for form in reg.forms:
            if any(f.required and f.key != "id" for f in form.fields):
                for cid in form.clauses:
                    out[(reg.id, cid)].append(f"{form.id}:required")
    for reg in project.regulations:
        for rule in reg.rules:
            refs = list(rule.clauses) + ([rule.fine.clause] if rule.fine else [])
            for ref in refs:
                rid, cid = ref.split(":", 1) if ":" in ref else (reg.id, ref)
                if rule.id not in out[(rid, cid)]:
                    out[(rid, cid)].append(rule.id)
    return out


def _excerpt(c: Clause, width: int = 36) -> str:
    text = re.sub(r"\s+", "", c.text or c.title or "").replace("|", "｜")
    return text if len(text) <= width else text[:width] + "…"


def _why(c: Clause) -> str:
    if c.coverage:
        return c.coverage
    text = c.text or ""
    return next((why for why, pattern in _KINDS if pattern.search(text)), _DEFAULT)


def _rows(project: Project, reg: Regulation, cited: dict[tuple[str, str], list[str]]) -> list[tuple[str, str, str]]:
    rows = []
    for c in reg.clauses():
        if not c.text:
            continue
        rules = cited.get((reg.id, c.id), [])
        how = ", ".join(f"`{r}`" for r in rules) if rules else "—"
        rows.append((f"{reg.citation(c.id)} ({c.id})", _excerpt(c), how if rules else f"— {_why(c)}"))
    return rows


def coverage_markdown(project: Project) -> str:
    """The whole coverage document."""
    cited = _cited(project)
    regs = sorted(project.regulations, key=lambda r: r.id)
    lines = [
        "# Rules coverage",
        "",
        "Every clause of the five regulations that states something, with the rules of `regkit check` that",
        "enforce it, or why submitted records cannot show it. A clause counts as enforced when a rule lists",
        "it under `clauses` or imposes its fine (第十一节 of market-department). Generated from",
        "`regulations/*.yaml` by `python -m regkit.check.coverage > docs/rules-coverage.md`; a test keeps it",
        "current. A form's completeness rule (`<form>:required`: its required fields left empty are",
        "findings) counts for the clauses requiring the form. Where a clause says why no record can show",
        "it (`coverage:` in the YAML, written by reading the clause), that reason is given; elsewhere the",
        "reason is by kind of clause (purpose, conduct, responsibility, no record kept).",
        "",
        "| regulation | clauses with text | enforced by rules | rules |",
        "|---|---:|---:|---:|",
    ]
    for reg in regs:
        rows = _rows(project, reg, cited)
        enforced = sum(1 for _, _, how in rows if not how.startswith("—"))
        lines.append(f"| `{reg.id}` {reg.title} | {len(rows)} | {enforced} | {len(reg.rules)} |")
    for reg in regs:
        lines += ["", f"## {reg.title} (`{reg.id}`)", "", "| clause | text | rules, or why records cannot show it |",
                  "|---|---|---|"]
        lines += [f"| {cite} | {text} | {how} |" for cite, text, how in _rows(project, reg, cited)]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the coverage document of the regulations in ./regulations (or the folder given)."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("regulations")
    sys.stdout.write(coverage_markdown(load_project([folder])))


if __name__ == "__main__":
    main()
