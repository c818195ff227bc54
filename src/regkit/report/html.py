"""The HTML report: ``templates/report/report.html.j2`` filled with the report and three bar
charts (findings by rule, by person, by month) drawn as inline SVG, so the page needs nothing
from outside itself. The template escapes everything and refuses undefined names."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

import jinja2

from .. import __version__
from ..check.findings import Report, show
from ..errors import TemplateError
from ..project import PACKAGE_TEMPLATES
from ..templating import environment as confined_environment

TEMPLATE = "report.html.j2"
BAR_HEIGHT = 22
LABEL_WIDTH = 260
BAR_WIDTH = 420


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, positioned in the SVG's coordinates."""

    label: str
    count: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart."""

    title: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH


def chart(title: str, counts: list[tuple[str, int]]) -> Chart:
    """A chart of (label, count) pairs in the given order, the longest bar BAR_WIDTH wide."""
    top = max((c for _, c in counts), default=0) or 1
    bars = [Bar(label, c, i * BAR_HEIGHT, max(1, round(BAR_WIDTH * c / top))) for i, (label, c) in enumerate(counts)]
    return Chart(title, bars, max(len(bars), 1) * BAR_HEIGHT)


def templates_dir(explicit: Path | None = None) -> Path:
    """The folder holding ``report/``: the one given, else ``./templates``, else regkit's own (package data)."""
    for candidate in (explicit, Path("templates"), PACKAGE_TEMPLATES):
        if candidate is not None and (candidate / "report" / TEMPLATE).is_file():
            return candidate / "report"
    raise TemplateError(f"{(explicit or Path('templates')) / 'report' / TEMPLATE}: report template not found")


def charts(report: Report) -> list[Chart]:
    """Findings by rule, by person and by month."""
    by_rule = Counter(f.title or f.rule for f in report.findings)
    people = Counter(p for f in report.findings for p in (f.people() or ["（未指明）"]))
    months = Counter(f.month or "（无日期）" for f in report.findings)
    return [
        chart("按规则", sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
        chart("按责任人", sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))),
        chart("按月份", sorted(months.items())),
    ]


def context(report: Report) -> dict[str, Any]:
    """What the template sees."""
    s = report.summary()
    groups = []
    for rid, items in groupby(report.findings, key=lambda f: f.regulation):
        groups.append({"id": rid, "title": report.titles.get(rid, rid), "findings": list(items)})
    return {
        "report": report, "summary": s, "groups": groups, "charts": charts(report), "show": show,
        "total_penalty": show(s["total_penalty"]), "generator": f"regkit {__version__}",
    }


def render_html(report: Report, templates: Path | None = None) -> str:
    """The filled-in page; TemplateError naming the template and the problem."""
    folder = templates_dir(templates)
    where = folder / TEMPLATE
    env = confined_environment(folder, keep_trailing_newline=True)
    try:
        return env.get_template(TEMPLATE).render(**context(report))
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"{where}: template not found: {exc.name}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or where}:{exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{where}: undefined variable: {exc.message}") from None
