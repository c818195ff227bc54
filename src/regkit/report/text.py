"""The text report: a summary first (by regulation, by rule title, fines by person), then a table
of findings per regulation and person (rule titles, the record's file and row), then what could
not be read. Columns are aligned by display width (a Chinese character is two columns);
colour only when asked (the CLI asks on a terminal)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from itertools import groupby

import click

from ..check.findings import Finding, Report, show

UNNAMED = "（未指明责任人）"
HEAD = ("记录", "规则", "条款", "罚款", "说明")
SUMMARY_HEAD = ("", "问题", "罚款（元）")


def width(text: str) -> int:
    """Display width: wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, cols: int) -> str:
    """``text`` padded with spaces to ``cols`` display columns."""
    return text + " " * max(cols - width(text), 0)


def render_text(report: Report, *, color: bool = False) -> str:
    """The whole text report."""
    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]

    s = report.summary()
    total = s["total_penalty"]
    lines = [
        style(f"合规检查报告　{report.company}", bold=True),
        f"检查日期 {report.as_of.isoformat()}，检查期间 {report.date_from.isoformat()} 至 {report.as_of.isoformat()}",
        f"记录 {s['records']} 条：已检查 {s['checked']} 条，无法读取 {s['unreadable']} 条；"
        f"发现问题 {s['findings']} 项；罚款合计 {show(total)} 元",
    ]
    if report.in_force:
        lines.append("检查制度：" + "、".join(report.titles.get(r, r) for r in report.in_force))
    if report.not_supplied:
        names = {r.id: r.title for r in report.rules}
        shown = [names.get(r, r) for r in sorted(report.not_supplied)]
        lines.append(f"未提供记录、未检查的定期职责 {len(shown)} 项" + ("：" + "、".join(shown) if len(shown) <= 3 else
                                                                 "（见 JSON 报告的 not_supplied）"))
    if report.findings:
        lines += ["", style("■ 汇总", bold=True)]
        lines += _summary("按制度", [(f"{r['title']}（{r['regulation']}）", r["findings"], r["penalty"])
                                    for r in s["by_regulation"]])
        lines += _summary("按规则", [(r["title"], r["findings"], r["penalty"]) for r in s["by_rule"]])
        unnamed = sum(1 for f in report.findings if not f.person)
        people = [(p, sum(1 for f in report.findings if f.person == p), v) for p, v in s["penalties"].items()]
        if unnamed:
            people.append((UNNAMED, unnamed, sum(f.penalty for f in report.findings if not f.person)))
        lines += _summary("罚款按责任人", people)
    titles = report.titles
    for rid, group in groupby(report.findings, key=lambda f: f.regulation):
        found = list(group)
        lines += ["", style(f"■ {titles.get(rid, rid)}（{rid}）　{len(found)} 项", bold=True)]
        by_person = sorted(found, key=lambda f: (f.person or "\uffff", f.sort_key()))
        for person, items in groupby(by_person, key=lambda f: f.person or UNNAMED):
            rows = list(items)
            fine = sum(f.penalty for f in rows)
            lines += ["", style(f"  {person}　{len(rows)} 项" + (f"，罚款 {show(fine)} 元" if fine else ""), bold=True)]
            lines += _table(rows, style)
    if report.unreadable:
        lines += ["", style(f"■ 无法读取（{len(report.unreadable)}）", bold=True, fg="red")]
        lines += [f"  {u.source}:{u.line}: {u.error}" for u in report.unreadable]
    if not report.findings and not report.unreadable:
        lines += ["", style("未发现问题。", fg="green")]
    return "\n".join(lines) + "\n"


def _summary(title: str, rows: list[tuple[str, int, int | float]]) -> list[str]:
    """A summary table: name, findings, fines (aligned by display width)."""
    if not rows:
        return []
    w0 = max(width(name) for name, _, _ in rows)
    w1 = max(len(f"{n} 项") for _, n, _ in rows)
    out = [f"  {title}"]
    for name, n, fine in rows:
        out.append(f"    {pad(name, w0)}  {pad(f'{n} 项', w1)}" + (f"  罚款 {show(fine)} 元" if fine else ""))
    return out


def _table(rows: list[Finding], style: Callable[..., str]) -> list[str]:
    cells = [(f.what, f.title or f.rule, f.citation, show(f.penalty) if f.penalty else "", f) for f in rows]
    w = [max([width(HEAD[i])] + [width(str(c[i])) for c in cells]) for i in range(4)]
    out = ["    " + "  ".join(pad(HEAD[i], w[i]) for i in range(4)) + "  " + HEAD[4]]
    for rec, rule, cite, fine, f in cells:
        msg = f.message + (f"（损失 {show(f.loss)} 元）" if f.loss is not None else "")
        mark = style("!", fg="red") if f.severity == "error" else style("?", fg="yellow")
        where = f"  [{f.where}]" if f.where else ""
        out.append(f"  {mark} " + "  ".join([pad(rec, w[0]), pad(rule, w[1]), pad(cite, w[2]), pad(fine, w[3])])
                   + "  " + msg + where)
    return out
