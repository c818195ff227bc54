"""The seed texts the regulations were encoded from, and the checks that tie an encoding to its
seed: every clause of a seed appears in its regulation, every ``source:`` cites a seed line that
holds the clause, and no Traditional characters, pinyin artefacts or mangled bytes survive.

Texts are compared after ``normalise``, which removes what differs between a seed and a clean
encoding but is not wording: script, pinyin artefacts, punctuation, spacing, blanks to fill.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from .model import PARAM_RE, Clause, Regulation

# Regulation id of each seed (interfaces.md, "Regulation ids").
SEED_REGULATIONS: dict[int, str] = {
    0: "duty-manager",
    1: "customer-management",
    2: "market-department",
    3: "sales-site",
    4: "market-office",
}

# Seeds whose lines hold several clauses: 001 is an outline of "heading: content" items (and one
# line of seven headings), 004 is a whole regulation flattened into one line.
SPLIT_SEEDS = frozenset({1, 4})

# Lines that are not regulation text, with the text they must start with (so a changed seed fails
# loudly instead of silently skipping a clause) and the reason.
SKIPPED: dict[int, dict[int, tuple[str, str]]] = {
    1: {
        1: ("篇1", "label of the outline that is the regulation itself (seeds[].part)"),
    },
    2: {
        1: ("市場部的管理制度", "the site's page title"),
        3: ("時間:", "the site's date line and 我要投稿 banner"),
        5: ("市場部的管理制度", "the site's page title, repeated"),
        7: ("在社會一步步向前發", "the site editor's introduction (小编)"),
        9: ("市場部的管理制度", "the site's page title, repeated"),
        11: ("市場部的管理制度1", "label of version 1 in the site's collection (seeds[].part)"),
        35: ("市場部的管理制度2", "label of version 2 in the site's collection (seeds[].part)"),
        51: ("市場部的管理制度3", "label of version 3 in the site's collection (seeds[].part)"),
    },
}

# Multi-byte characters split by the source sites and decoded as GBK, with what they were. Keys
# are matched after pinyin artefacts are removed.
MANGLED: dict[str, str] = {
    "!缎拢ㄖ兀┻M": "《新(重)進",  # 002 §8 二.2: a second copy of the form title
    "確?;顒禹樌\ue38cM行": "確保活動順利進行",  # 004 二(三)2
}

PARAM_MARK = "□"  # a blank to fill: ``[X]`` in a seed, ``{key}`` in a regulation

TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_RE = re.compile(rf"\([a-zü]*[{TONE_MARKS}][a-zü]*\)")
_BLANK_RE = re.compile(r"\[[^\[\]\n]{1,12}\]")
_DOUBLED_TITLE_RE = re.compile(r"(《[^《》]{1,40}》)\1+")
# Numbering that starts a clause inside a line: 一、 (一) （一） 1. 1、
_NUMBERING_RE = re.compile(
    r"[一二三四五六七八九十]{1,3}、"
    r"|[(（][一二三四五六七八九十]{1,3}[)）]"
    r"|(?<![0-9.])[0-9]{1,2}[.．、](?![0-9])"
)
_SENTENCE_END_RE = re.compile(r"(?<=[。:：])")
_SEED_NAME_RE = re.compile(r"^(\d{3})_")


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc  # slow to load; only the seed checks need it

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` converted to Simplified Chinese (OpenCC t2s)."""
    converted: str = _t2s().convert(text)  # type: ignore[attr-defined]
    return converted


def strip_artefacts(text: str) -> str:
    """``text`` without pinyin artefacts (``規(guī)范`` -> ``規范``) and with mangled characters
    restored."""
    text = _PINYIN_RE.sub("", text)
    for bad, good in MANGLED.items():
        text = text.replace(bad, good)
    return text


def normalise(text: str) -> str:
    """The comparable form of a text: artefacts removed, Simplified, NFKC, case-folded, blanks
    (``[X]``, ``{key}``) as one mark, a doubled 《title》 once, no punctuation or whitespace."""
    text = strip_artefacts(text)
    text = _BLANK_RE.sub(PARAM_MARK, PARAM_RE.sub(PARAM_MARK, text))
    text = _DOUBLED_TITLE_RE.sub(r"\1", text)
    text = unicodedata.normalize("NFKC", to_simplified(text)).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZC" or ch == PARAM_MARK)


def seed_number(path: Path) -> int:
    """The seed number of a seed file (``001_3b4f....txt`` -> 1)."""
    m = _SEED_NAME_RE.match(path.name)
    if m is None:
        raise ValueError(f"{path.name}: a seed file name starts with its three-digit number")
    return int(m.group(1))


def seed_file(seeds_dir: Path, number: int) -> Path:
    """The seed file with this number in ``seeds_dir``."""
    hits = sorted(seeds_dir.glob(f"{number:03d}_*.txt"))
    if len(hits) != 1:
        raise FileNotFoundError(f"{seeds_dir}: expected one seed file {number:03d}_*.txt, found {len(hits)}")
    return hits[0]


def seed_lines(path: Path) -> list[str]:
    """The lines of a seed file, as read (line N is item N-1)."""
    return path.read_text(encoding="utf-8").splitlines()


def split_line(line: str) -> list[str]:
    """The clauses of one line of an outline or flattened text: cut before each number (which is
    dropped: the encoding renumbers outline items) and after each 。 or ：."""
    pieces = _NUMBERING_RE.split(line)
    out = []
    for piece in pieces:
        out += [s.strip() for s in _SENTENCE_END_RE.split(piece)]
    return [s for s in out if s]


def seed_clauses(path: Path) -> list[tuple[int, str]]:
    """The clauses of a seed with their 1-based line numbers, as the seed writes them. Empty and
    skipped lines (``SKIPPED``) give none; lines of ``SPLIT_SEEDS`` give one per numbered item
    and sentence."""
    number = seed_number(path)
    skipped = SKIPPED.get(number, {})
    out: list[tuple[int, str]] = []
    for i, raw in enumerate(seed_lines(path), start=1):
        line = raw.strip()
        if i in skipped:
            start, reason = skipped[i]
            if not line.startswith(start):
                raise ValueError(f"{path.name}:{i}: expected a line starting {start!r} ({reason}), got {line[:30]!r}")
            continue
        if not line:
            continue
        parts = split_line(line) if number in SPLIT_SEEDS else [line]
        out += [(i, p) for p in parts if normalise(p)]
    return out


def _clause_strings(c: Clause) -> str:
    return "".join(s for s in (c.num, c.title, c.text) if s)


def _render(text: str, values: dict[str, str]) -> str:
    return PARAM_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _variants(reg: Regulation) -> list[dict[str, str]]:
    """Ways to fill the ``{key}`` blanks: left blank, the default value, the value and its unit."""
    plain = {p.key: str(p.default) for p in reg.parameters if p.default is not None}
    unit = {p.key: str(p.default) + (p.unit or "") for p in reg.parameters if p.default is not None}
    return [{}, plain, unit]


def regulation_texts(reg: Regulation) -> list[str]:
    """The regulation's title and every clause's number, title and text in document order,
    normalised once per way of filling its blanks (``_variants``)."""
    raw = reg.title + "".join(_clause_strings(c) for c in reg.clauses())
    return [normalise(_render(raw, v)) for v in _variants(reg)]


def uncovered(seed: Path, reg: Regulation) -> list[tuple[int, str]]:
    """The clauses of ``seed`` that appear nowhere in ``reg`` (line, seed text)."""
    texts = regulation_texts(reg)
    return [(line, s) for line, s in seed_clauses(seed) if not any(normalise(s) in t for t in texts)]


def _longest_prefix(needle: str, hay: str) -> int:
    lo, hi = 0, len(needle)
    while lo < hi:  # a prefix occurs if any longer one does
        mid = (lo + hi + 1) // 2
        if needle[:mid] in hay:
            lo = mid
        else:
            hi = mid - 1
    return lo


# A clause may begin on the line it cites and run on into the next ones (a list joined into one
# clause): this much of its start must be on the cited line.
MIN_PREFIX = 16


def source_problems(reg: Regulation, seeds_dir: Path) -> list[str]:
    """Clauses whose ``source:`` does not hold them: the text (or, for a heading, the title, else
    the number) normalised must be on the cited seed line, or at least its first ``MIN_PREFIX``
    characters."""
    problems: list[str] = []
    variants = _variants(reg)
    for c in reg.clauses():
        if not c.source:
            continue
        num_s, line_s = c.source.split(":")
        where = f"{reg.id} clause {c.id} (source {c.source})"
        try:
            lines = seed_lines(seed_file(seeds_dir, int(num_s)))
        except FileNotFoundError as exc:
            problems.append(f"{where}: {exc}")
            continue
        line_no = int(line_s)
        if not 1 <= line_no <= len(lines):
            problems.append(f"{where}: seed {num_s} has {len(lines)} lines")
            continue
        hay = normalise(lines[line_no - 1])
        own = c.text or c.title or c.num or ""
        best = max((normalise(_render(own, v)) for v in variants), key=lambda n: (n in hay, _longest_prefix(n, hay)))
        found = _longest_prefix(best, hay)
        if found < len(best) and found < MIN_PREFIX:
            problems.append(
                f"{where}: not on the cited line; {found} of its {len(best)} characters match "
                f"(clause: {best[:40]!r}, line: {hay[:40]!r})"
            )
    return problems


def regulation_strings(reg: Regulation) -> Iterator[tuple[str, str]]:
    """Every Chinese-facing string of a regulation with where it is (``body a5.text``,
    ``forms x.fields.y.label``, ...): clauses first, then the rest."""
    for c in reg.clauses():
        for attr in ("num", "title", "text"):
            value = getattr(c, attr)
            if value:
                yield f"body {c.id}.{attr}", value
    yield "title", reg.title
    yield "department", reg.department
    for p in reg.parameters:
        yield f"parameters {p.key}.label", p.label
        yield from ((f"parameters {p.key}.{a}", v) for a in ("unit", "description") if (v := getattr(p, a)))
        yield from ((f"parameters {p.key}.choices", v) for v in p.choices or [])
    for r in reg.roles:
        yield from ((f"roles {r.name}", v) for v in (r.name, *r.aliases, r.description or "") if v)
    for f in reg.forms:
        yield f"forms {f.id}.title", f.title
        if f.description:
            yield f"forms {f.id}.description", f.description
        for fld in f.fields:
            for sub in (fld, *(fld.columns or [])):
                base = f"forms {f.id}.fields.{fld.key}" + (f".{sub.key}" if sub is not fld else "")
                yield f"{base}.label", sub.label
                yield from ((f"{base}.help", v) for v in [sub.help] if v)
                yield from ((f"{base}.choices", v) for v in sub.choices or [])
    for rule in reg.rules:
        yield f"rules {rule.id}.title", rule.title
        yield f"rules {rule.id}.message", rule.message


def traditional_problems(strings: Iterator[tuple[str, str]]) -> list[str]:
    """Strings that OpenCC t2s would change, with each changed character."""
    problems = []
    for where, s in strings:
        simple = to_simplified(s)
        if simple != s:
            pairs = sorted({f"{a}→{b}" for a, b in zip(s, simple, strict=False) if a != b})
            problems.append(f"{where}: Traditional characters {' '.join(pairs)} in {s[:40]!r}")
    return problems


# (pattern, what it is, whether only printed clause text counts: a parameter's description may
# quote the seed's blank)
_ARTEFACT_RES = [
    (re.compile(rf"[{TONE_MARKS}]"), "pinyin artefact", False),
    (re.compile("[\ufffd\ue000-\uf8ff]"), "replacement or private-use character (mangled text)", False),
    (re.compile("缎拢|顒禹"), "mangled characters from the seed", False),
    (_BLANK_RE, "a seed blank [..] left as text (make it a {parameter})", True),
]


def artefact_problems(strings: Iterator[tuple[str, str]]) -> list[str]:
    """Strings that still carry pinyin artefacts, mangled characters or (in clauses) unfilled
    seed blanks."""
    problems = []
    for where, s in strings:
        for pattern, what, body_only in _ARTEFACT_RES:
            m = pattern.search(s)
            if m and not (body_only and not where.startswith("body ")):
                problems.append(f"{where}: {what} {m.group(0)!r} in {s[max(0, m.start() - 10):m.end() + 10]!r}")
    return problems
