"""The font of a PDF form's fields: a TrueType subset embedded as a Type0/Identity-H font.

Why embedded: pdftk (iText 2) cannot use a predefined CJK font such as STSong-Light (it writes a
0-byte file), and a viewer without that font shows nothing. iText, pypdf and poppler draw a
field's appearance with the default-resources font of its ``/DA``, through its ``/ToUnicode`` map;
so the field font carries the characters the form is likely to be filled with (the printable
ASCII, Chinese punctuation, the text of the form's own regulation, most frequent first, up to a
budget) and, in a form regkit fills, the characters of the values. A character the first font
lacks is drawn from the next configured one; a character no configured font has is refused with
the character named, as the documents do.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import EnvironmentProblem, RegkitError, RenderError, TemplateError
from ..render.fonts import Face
from .style import Style

# Always in the field font: what any filler may type besides Chinese words.
BASE_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "，。、；：？！“”‘’（）《》【】〔〕—…·％＋－×÷￥　０１２３４５６７８９"
    + "年月日时分号元角整是否无有已未第项个人次至及与或等各的一二三四五六七八九十百千万亿零〇"
)


@dataclass(frozen=True)
class SubsetFont:
    """One embedded subset: the font file and how characters map to its glyphs."""

    face: Face
    data: bytes
    gids: dict[int, int]  # code point -> glyph id in the subset
    widths: dict[int, int]  # glyph id -> advance in 1/1000 em
    tag: str  # the six-letter subset prefix of the font name

    @property
    def base_name(self) -> str:
        """The PostScript name with the subset prefix (``ABCDEF+ARPLSungtiLGB``)."""
        raw = "".join(ch for ch in self.face.name if ch.isascii() and ch.isalnum()) or "RegkitField"
        return f"{self.tag}+{raw}"

    def has(self, char: str) -> bool:
        """True if the subset draws ``char``."""
        return ord(char) in self.gids

    def advance(self, char: str) -> int:
        """Advance of ``char`` in 1/1000 em (a full em if absent)."""
        gid = self.gids.get(ord(char))
        return self.widths.get(gid, 1000) if gid is not None else 1000

    def encode(self, text: str) -> str:
        """``text`` as Identity-H glyph codes in hex (characters the subset lacks are left out)."""
        return "".join(f"{self.gids[ord(c)]:04X}" for c in text if ord(c) in self.gids)


def field_faces(style: Style) -> list[Face]:
    """The configured field fonts, first choice first (``pdf_fields.fonts`` in layout.yaml)."""
    faces = []
    for entry in style.get("pdf_fields.fonts"):
        if isinstance(entry, str):
            path, index = entry, 0
        elif isinstance(entry, dict) and isinstance(entry.get("file"), str):
            path, index = entry["file"], int(entry.get("face", 0))
        else:
            raise TemplateError(f"{style.source}: pdf_fields.fonts entries are a file or {{file, face}}")
        p = Path(path).expanduser()
        if not p.is_absolute():
            p = style.folder.parent.parent / p
        if not p.is_file():
            raise EnvironmentProblem(f"PDF field font not found: {p} ({style.source}: pdf_fields.fonts; "
                                     "scripts/system-deps.sh installs the default fonts)")
        faces.append(Face(p, index))
    if not faces:
        raise TemplateError(f"{style.source}: pdf_fields.fonts names no font")
    return faces


def common_chars(texts: Iterable[str], budget: int) -> str:
    """The ``budget`` most frequent non-ASCII characters of ``texts`` (ties by code point)."""
    counts = Counter(ch for t in texts for ch in t if ord(ch) > 0x7F and not ch.isspace())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(ch for ch, _ in ranked[:budget])


def missing(faces: list[Face], text: str) -> list[str]:
    """The characters of ``text`` no face has (line breaks aside)."""
    return sorted({ch for ch in text if ch not in "\r\n\t" and not any(f.covers(ch) for f in faces)})


def check_chars(faces: list[Face], text: str, where: str) -> None:
    """RenderError naming every character of ``text`` no field font has."""
    absent = missing(faces, text)
    if absent:
        shown = "、".join(f"{c} (U+{ord(c):04X})" for c in absent[:10])
        names = ", ".join(f.name for f in faces)
        raise RenderError(f"{where}: no PDF field font has the character(s) {shown} (fonts: {names}; "
                          "add one that has them to pdf_fields.fonts in templates/forms/layout.yaml)")


def split_by_face(faces: list[Face], chars: str) -> list[str]:
    """``chars`` distributed over ``faces``: each character to the first face that has it."""
    out = [""] * len(faces)
    for ch in sorted(set(chars)):
        for i, face in enumerate(faces):
            if face.covers(ch):
                out[i] += ch
                break
    return out


# Subsetting a CJK font takes a fraction of a second to seconds (the font is megabytes): subsets
# are kept beside the form page cache (see ``pdf.page_cache``), keyed by the font file and the
# characters, so ``regkit form`` after ``regkit build`` reuses them.
_CACHE_FORMAT = "1"


@lru_cache(maxsize=16)
def subset(face: Face, chars: str) -> SubsetFont:
    """A subset of ``face`` holding ``chars`` (sorted, without duplicates, for the cache)."""
    folder = _cache_folder()
    key = _cache_key(face, chars) if folder is not None else ""
    if folder is not None:
        hit = _cache_get(folder, key, face)
        if hit is not None:
            return hit
    made = _subset(face, chars)
    if folder is not None:
        _cache_put(folder, key, made)
    return made


def _cache_folder() -> Path | None:
    from .pdf import page_cache

    pages = page_cache()
    return None if pages is None else pages.parent / "field-fonts"


def _cache_key(face: Face, chars: str) -> str:
    from importlib.metadata import version

    try:
        stat = face.path.stat()
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        stamp = "?"
    digest = hashlib.sha256()
    for part in (_CACHE_FORMAT, version("fonttools"), str(face.path), str(face.index), stamp, chars):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:40]


def _cache_get(folder: Path, key: str, face: Face) -> SubsetFont | None:
    import json

    try:
        data = (folder / f"{key}.ttf").read_bytes()
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        gids = {int(k): int(v) for k, v in meta["gids"].items()}
        widths = {int(k): int(v) for k, v in meta["widths"].items()}
        tag = str(meta["tag"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        return None
    return SubsetFont(face, data, gids, widths, tag)


def _cache_put(folder: Path, key: str, font: SubsetFont) -> None:
    import json

    from .output import atomic_write

    meta = {"gids": font.gids, "widths": font.widths, "tag": font.tag,
            "sha256": hashlib.sha256(font.data).hexdigest()}
    try:
        atomic_write(folder / f"{key}.ttf", font.data)
        atomic_write(folder / f"{key}.json", json.dumps(meta).encode("utf-8"))
    except (OSError, RegkitError):  # OutputError: a cache that cannot be written only costs time
        pass


def _subset(face: Face, chars: str) -> SubsetFont:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    opts = ft_subset.Options()
    opts.glyph_names = False
    opts.name_IDs = [1, 2, 4, 6]
    opts.name_languages = [0x409]
    opts.notdef_outline = True
    opts.hinting = True  # kept: dropping it recompiles every glyph (seconds for a CJK subset)
    opts.layout_features = []
    opts.drop_tables += ["FFTM", "BDF", "mort", "morx", "GSUB", "GPOS", "GDEF", "vhea", "vmtx", "DSIG", "EBDT",
                         "EBLC", "EBSC", "gasp", "kern"]
    # fontTools logs table quirks of the Debian fonts (padding, dropped tables) on stderr.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        font = TTFont(io.BytesIO(face.data()), recalcBBoxes=False, recalcTimestamp=False)
    except Exception as exc:  # fontTools raises many types on a broken file
        raise EnvironmentProblem(f"{face.path}: not a readable font ({type(exc).__name__})") from None
    if "glyf" not in font:
        raise EnvironmentProblem(f"{face.path}: PDF field fonts must be TrueType (glyf) fonts")
    sub = ft_subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    per_em = font["head"].unitsPerEm
    cmap = font.getBestCmap() or {}
    order = {name: i for i, name in enumerate(font.getGlyphOrder())}
    gids = {cp: order[name] for cp, name in cmap.items()}
    hmtx = font["hmtx"].metrics
    widths = {order[name]: round(hmtx[name][0] * 1000 / per_em) for name in order}
    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    digest = hashlib.sha256(data).digest()
    tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
    return SubsetFont(face, data, gids, widths, tag)


def to_unicode(font: SubsetFont) -> bytes:
    """The ToUnicode CMap of a subset: glyph id -> character (UTF-16BE)."""
    pairs = sorted((gid, cp) for cp, gid in font.gids.items())
    seen: set[int] = set()
    lines = []
    for gid, cp in pairs:
        if gid in seen:
            continue
        seen.add(gid)
        lines.append(f"<{gid:04X}> <{chr(cp).encode('utf-16-be').hex().upper()}>")
    chunks = [lines[i:i + 100] for i in range(0, len(lines), 100)]
    body = "".join(f"{len(c)} beginbfchar\n" + "\n".join(c) + "\nendbfchar\n" for c in chunks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{body}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def metrics(font: SubsetFont) -> dict[str, Any]:
    """The font descriptor's numbers, from the subset's head/hhea/OS2 tables (1/1000 em)."""
    from fontTools.ttLib import TTFont

    tt = TTFont(io.BytesIO(font.data), lazy=True)
    per_em = tt["head"].unitsPerEm

    def k(v: float) -> int:
        out: int = round(float(v) * 1000 / per_em)
        return out

    head, hhea = tt["head"], tt["hhea"]
    os2 = tt["OS/2"] if "OS/2" in tt else None
    cap = getattr(os2, "sCapHeight", 0) if os2 is not None else 0
    return {"bbox": [k(head.xMin), k(head.yMin), k(head.xMax), k(head.yMax)], "ascent": k(hhea.ascent),
            "descent": k(hhea.descent), "cap": k(cap or hhea.ascent * 0.7)}
