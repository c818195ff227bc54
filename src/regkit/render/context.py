"""The one document model both renderers print: every string of the official document, already
numbered, with parameter values filled in and converted to the edition's script, so the DOCX and
the PDF say exactly the same thing. Templates only place these strings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ..errors import RenderError
from ..loader import Project
from ..model import PARAM_RE, Clause, Form, FormField, Regulation
from .reproducible import source_datetime
from .settings import Settings

# How a block is printed. chapter: centred heading (第X章/第X节/附录, bookmark); heading1: 一、 line
# in 黑体; heading2: （一） line in 楷体; lead_hei / lead_kai: a body paragraph whose number (and
# title) is in 黑体 / 楷体; para: a body paragraph in the body face.
Kind = Literal["chapter", "heading1", "heading2", "lead_hei", "lead_kai", "para"]

_CN_NUM = "一二三四五六七八九十百零〇两"
_CHAPTER = re.compile(rf"^(第[{_CN_NUM}\d]+[章节篇编]|第[{_CN_NUM}\d]+部分|附录.*|附件.*|附表.*)$")
_ARTICLE = re.compile(rf"^第[{_CN_NUM}\d]+条$")
_LEVEL1 = re.compile(rf"^[{_CN_NUM}]+[、．.]$")
_LEVEL2 = re.compile(rf"^[（(][{_CN_NUM}]+[）)]$")
_APPENDIX = re.compile(r"^(附录|附件|附表)")
_SPACE = "\u3000"  # ideographic space, one character wide on the grid
_ENDS_WITH_PUNCT = re.compile(r"[：:。；;，,、！？!?]$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # not XML text, or (\t \a \f \n) markup to docxtpl


@dataclass(frozen=True)
class Block:
    """One printed paragraph: ``lead`` (number, title) in the kind's lead face, then ``text``."""

    kind: Kind
    lead: str
    text: str = ""
    bookmark: int = 0  # PDF outline level (0: none); Word uses the style's outline level

    @property
    def plain(self) -> str:
        """The paragraph as printed."""
        return self.lead + self.text


@dataclass(frozen=True)
class Revision:
    """One row of the revision record table, printed as is."""

    version: str
    date: str
    by: str
    change: str


@dataclass(frozen=True)
class Document:
    """Everything an official document prints, plus its metadata."""

    id: str
    lang: str
    title: str
    company: str
    doc_number: str
    effective_line: str
    version: str
    blocks: tuple[Block, ...]
    revisions_title: str
    revision_columns: tuple[str, ...]
    revisions: tuple[Revision, ...]
    timestamp: dt.datetime  # metadata only (SOURCE_DATE_EPOCH or the latest revision date)

    @property
    def iso_timestamp(self) -> str:
        """The metadata timestamp in W3C form, e.g. 2026-01-01T00:00:00Z."""
        return self.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def printed_text(self) -> str:
        """All printed text in reading order (without page numbers), for comparisons."""
        parts = [self.company, self.doc_number, self.title, self.effective_line]
        parts += [b.plain for b in self.blocks]
        parts += [self.revisions_title, *self.revision_columns]
        for r in self.revisions:
            parts += [r.version, r.date, r.by, r.change]
        return "".join(parts)


def cn_date(d: dt.date) -> str:
    """A date as printed in Chinese official documents: 2026年1月1日."""
    return f"{d.year}年{d.month}月{d.day}日"


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def build_document(project: Project, reg: Regulation, lang: str, settings: Settings) -> Document:
    """The document model of one regulation in one language edition."""
    edition = settings.language(lang)
    conv = _converter(edition.opencc).convert if edition.opencc else (lambda s: s)
    wording = settings.wording

    def out(s: str) -> str:
        return str(conv(_CONTROL.sub("", s)))

    effective = cn_date(reg.effective)
    fields = {"short_name": project.org.short_name or "", "doc_number": reg.doc_number,
              "date": effective, "department": reg.department, "company": project.org.company}
    blocks = _blocks(project, reg)
    if not any(c.title and c.title.strip() == wording.closing_title for c in reg.clauses()):
        closing = [Block("chapter", wording.closing_title, bookmark=1),
                   Block("para", "", _fill(wording.closing_text, fields))]
        at = next((i for i, (b, top) in enumerate(blocks) if top and _APPENDIX.match(b.lead)), len(blocks))
        blocks[at:at] = [(b, False) for b in closing]
    latest = max([reg.effective, *(r.date for r in reg.revisions)])
    return Document(
        id=reg.id,
        lang=lang,
        title=out(reg.title),
        company=out(project.org.company),
        doc_number=out(_fill(wording.doc_number, fields)),
        effective_line=out(_fill(wording.effective, fields)),
        version=out(reg.version),
        blocks=tuple(Block(b.kind, out(b.lead), out(b.text), b.bookmark) for b, _ in blocks),
        revisions_title=out(wording.revisions),
        revision_columns=tuple(out(c) for c in wording.revision_columns),
        revisions=tuple(Revision(out(r.version), out(cn_date(r.date)), out(r.by), out(r.change))
                        for r in reg.revisions),
        timestamp=source_datetime(latest),
    )


def _fill(template: str, fields: dict[str, str]) -> str:
    # str.format would choke on stray braces an admin types; only {known} names are replaced
    return re.sub(r"\{([a-z_]+)\}", lambda m: fields.get(m.group(1), m.group(0)), template)


def _blocks(project: Project, reg: Regulation) -> list[tuple[Block, bool]]:
    """The body as printed blocks, each flagged whether it starts a top-level clause."""
    out: list[tuple[Block, bool]] = []

    def sub(s: str | None) -> str:
        return _substitute(project, reg, s or "")

    def walk(c: Clause, depth: int, under_chapter: bool) -> None:
        num = (c.num or "").strip()
        title = sub(c.title).strip()
        paras = [p.strip() for p in sub(c.text).split("\n") if p.strip()]
        start = len(out)
        if (num and _CHAPTER.match(num)) or (depth == 0 and not num and title):
            out.append((Block("chapter", _SPACE.join(x for x in (num, title) if x), bookmark=1), False))
            out.extend((Block("para", "", p), False) for p in paras)
            chapter = True
        elif _LEVEL1.match(num) or _LEVEL2.match(num):
            first = bool(_LEVEL1.match(num))
            heading: Kind = "heading1" if first else "heading2"
            if title:
                level = (2 if under_chapter else 1) if first else 0
                out.append((Block(heading, num + title, bookmark=level), False))
                out.extend((Block("para", "", p), False) for p in paras)
            else:
                _lead_paras(out, "lead_hei" if first else "lead_kai", num, paras)
            chapter = under_chapter
        elif _ARTICLE.match(num):
            lead = num + _SPACE + (title + _SPACE if title else "")
            _lead_paras(out, "lead_hei", lead if paras else lead.rstrip(_SPACE), paras)
            chapter = under_chapter
        else:
            # 1. / 1、 / （1） / unnumbered items: all in the body face, title run in before the text
            head = num + title
            if title and paras and not _ENDS_WITH_PUNCT.search(title):
                head += "："
            if paras:
                out.append((Block("para", "", head + paras[0]), False))
                out.extend((Block("para", "", p), False) for p in paras[1:])
            elif head:
                out.append((Block("para", "", head), False))
            chapter = under_chapter
        if depth == 0 and len(out) > start:
            out[start] = (out[start][0], True)
        for child in c.children:
            walk(child, depth + 1, chapter)

    for clause in reg.body:
        walk(clause, 0, False)
    return out


def _lead_paras(out: list[tuple[Block, bool]], face: Kind, lead: str, paras: list[str]) -> None:
    out.append((Block(face, lead, paras[0] if paras else ""), False))
    out.extend((Block("para", "", p), False) for p in paras[1:])


def _substitute(project: Project, reg: Regulation, text: str) -> str:
    """Replace each ``{key}`` by the parameter's value (the organisation profile's, else the default),
    followed by its unit unless the text already prints the unit right after it."""

    def value(m: re.Match[str]) -> str:
        p = reg.parameter(m.group(1))
        if p is None:  # the loader refuses unknown placeholders; keep the text if one slips through
            return m.group(0)
        v = project.param(reg, p.key)
        if v is None:
            raise RenderError(
                f"{reg.id}: parameter {p.key} ({p.label}) has no value: set parameters: {reg.id}: {p.key}: "
                "in the organisation profile or give it a default")
        shown = _format_value(v)
        if p.unit and not text.startswith(p.unit, m.end()):
            shown += p.unit
        return shown

    return PARAM_RE.sub(value, text)


def _format_value(v: Any) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def fill_parameters(project: Project, reg: Regulation, text: str) -> str:
    """``text`` with each ``{key}`` of the regulation's parameters replaced by its value and unit."""
    return _substitute(project, reg, text)


def printed_form(project: Project, reg: Regulation, form: Form) -> Form:
    """The form as it is printed: ``{parameter}`` in its help texts and description filled in
    like the regulation's clauses (labels are printed as written; lint refuses placeholders there)."""

    def fill(text: str | None) -> str | None:
        return _substitute(project, reg, text) if text and "{" in text else text

    def field(f: FormField) -> FormField:
        cols = [field(c) for c in f.columns] if f.columns else f.columns
        return f.model_copy(update={"help": fill(f.help), "columns": cols})

    return form.model_copy(update={"description": fill(form.description), "fields": [field(f) for f in form.fields]})
