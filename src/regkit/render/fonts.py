"""The PDF's fonts: the configured font of each role, served to WeasyPrint through @font-face, and
the check that every printed character is in the font chosen for it (no tofu, no silent fallback
to whatever fontconfig finds)."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import EnvironmentProblem, RenderError
from .settings import ROLES, Fonts, font_path

FAMILY_PREFIX = "regkit-"


@dataclass(frozen=True)
class Face:
    """One configured font face: a file and, in a collection, the face number."""

    path: Path
    index: int = 0

    @property
    def url(self) -> str:
        """The URL the @font-face rule names; the fetcher serves exactly these."""
        url = self.path.as_uri()
        return f"{url}#face={self.index}" if self.is_collection else url

    @property
    def is_collection(self) -> bool:
        """True for .ttc/.otc files (several faces in one file)."""
        return self.path.suffix.lower() in (".ttc", ".otc")

    @property
    def name(self) -> str:
        """The face's full name, for messages."""
        return _face_name(str(self.path), self.index)

    def covers(self, char: str) -> bool:
        """True if the face's cmap maps ``char`` to a glyph."""
        return ord(char) in self.cmap()

    def cmap(self) -> frozenset[int]:
        """The code points the face's cmap maps to a glyph."""
        return _cmap(str(self.path), self.index)

    def advance(self, char: str) -> float | None:
        """The advance width of ``char`` in em, or None if the face lacks it."""
        return _advances(str(self.path), self.index).get(ord(char))

    def data(self) -> bytes:
        """The face as a standalone font file (a collection's face extracted)."""
        return _face_bytes(str(self.path), self.index, self.is_collection)


@dataclass(frozen=True)
class FontSet:
    """The faces of every role for one language edition, first choice first."""

    roles: tuple[tuple[str, tuple[Face, ...]], ...]

    @classmethod
    def from_settings(cls, fonts: Fonts, templates: Path) -> FontSet:
        """Resolve the configured files; EnvironmentProblem if one is missing or unreadable."""
        roles = []
        for role in ROLES:
            faces = []
            for f in fonts.stack(role):
                face = Face(font_path(f, templates), f.face)
                if not face.path.is_file():
                    raise EnvironmentProblem(
                        f"font for role {role} not found: {face.path} (templates/document/document.yaml; "
                        "scripts/system-deps.sh installs the default fonts)")
                faces.append(face)
            roles.append((role, tuple(faces)))
        return cls(tuple(roles))

    def stack(self, role: str) -> tuple[Face, ...]:
        """The faces of one role."""
        return dict(self.roles)[role]

    def families(self) -> dict[str, Face]:
        """CSS family name -> face, e.g. regkit-fang (first choice), regkit-fang-2 (its fallback).
        A face serving several roles gets one family (loading a CJK font costs ~0.1 s)."""
        out: dict[str, Face] = {}
        for role, faces in self.roles:
            for i, face in enumerate(faces):
                if face not in out.values():
                    out[family_name(role, i)] = face
        return out

    def stack_families(self, role: str) -> tuple[str, ...]:
        """The CSS family names of a role's faces, first choice first (its --role variable)."""
        name = {face: fam for fam, face in self.families().items()}
        return tuple(name[f] for f in self.stack(role))

    def text_width(self, text: str, role: str, size: float, spacing: float = 0) -> float:
        """The width of ``text`` set on one line in the role's faces (each character in the
        first face that has it) at ``size``, with ``spacing`` between characters; in the unit
        of ``size``. A character no face has counts 1 em (the glyph check reports it)."""
        faces = self.stack(role)
        width = 0.0
        for char in text:
            em = next((a for a in (f.advance(char) for f in faces) if a is not None), 1.0)
            width += em * size
        return width + spacing * max(len(text) - 1, 0)

    def roles_of(self, face: Face) -> list[str]:
        """The roles a face serves."""
        return [role for role, faces in self.roles if face in faces]

    def faces(self) -> set[Face]:
        """Every configured face."""
        return {f for _, faces in self.roles for f in faces}

    def css(self) -> str:
        """@font-face rules for every face and a --song/--fang/--hei/--kai variable per role, which
        the template's CSS uses as ``font-family: var(--fang)``."""
        families = self.families()
        name = {face: fam for fam, face in families.items()}
        rules = [f'@font-face {{ font-family: "{fam}"; src: url("{face.url}"); }}' for fam, face in families.items()]
        stacks = [f"  --{role}: {', '.join(repr(name[f]) for f in faces)};" for role, faces in self.roles]
        return "\n".join([*rules, ":root {", *stacks, "}"]).replace("'", '"')


def family_name(role: str, i: int) -> str:
    """The CSS family name of a role's i-th font."""
    return f"{FAMILY_PREFIX}{role}" + (f"-{i + 1}" if i else "")


def check_coverage(texts: Iterable[tuple[tuple[str, ...], str]], fonts: FontSet, what: str) -> None:
    """Raise RenderError unless each character of each (font-family list, text) pair is in one of
    the configured faces the list names, naming the missing characters and the font."""
    families = fonts.families()
    printed: dict[tuple[str, ...], set[str]] = {}
    for stack, text in texts:
        printed.setdefault(stack, set()).update(text)
    missing: dict[tuple[str, ...], set[str]] = {}
    unknown: set[str] = set()
    for stack, text_chars in printed.items():
        known = [families[fam] for fam in stack if fam in families]
        chars = {c for c in text_chars if not c.isspace() and c.isprintable()}
        if chars and len(known) < len(stack):
            # a family regkit does not serve means fontconfig's choice: refuse it even where ours cover
            unknown.update(fam for fam in stack if fam not in families)
            continue
        cmaps = [f.cmap() for f in known]
        lacking = {c for c in chars if not any(ord(c) in cmap for cmap in cmaps)}
        if lacking:
            missing[stack] = lacking
    if unknown:
        raise RenderError(
            f"{what}: text is set in font-family {', '.join(sorted(unknown))}, which document.yaml does not "
            "configure; the CSS must use var(--song), var(--fang), var(--hei) or var(--kai)")
    if missing:
        lines = []
        for stack, chars in sorted(missing.items()):
            faces = [families[f] for f in stack if f in families]
            names = " / ".join(f"{f.name} ({f.path})" for f in faces)
            roles = "/".join(fonts.roles_of(faces[0])) if faces else "?"
            listed = " ".join(f"{c} U+{ord(c):04X}" for c in sorted(chars))
            lines.append(f"font {names} (role {roles}) lacks {len(chars)} character(s): {listed}")
        raise RenderError(f"{what}: " + "; ".join(lines)
                          + " — configure a font that has them in templates/document/document.yaml")


def laid_out_texts(document: Any) -> Iterable[tuple[tuple[str, ...], str]]:
    """(font-family list, text) of every text box of a laid-out WeasyPrint document, page margin
    boxes (page numbers) and the text of inline SVG images (the stroked title) included."""
    from weasyprint.formatting_structure.boxes import ReplacedBox, TextBox

    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, TextBox):
                yield tuple(box.style["font_family"]), box.text
            elif isinstance(box, ReplacedBox):
                svg = getattr(box.replacement, "_svg", None)
                if svg is not None:
                    yield from _svg_texts(svg.tree._etree_node, ())


def _svg_texts(element: Any, families: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], str]]:
    """(font-family list, text) of the text in an SVG element tree (font-family inherits)."""
    declared = element.get("font-family")
    if declared:
        families = tuple(f.strip().strip("'\"") for f in declared.split(",") if f.strip())
    tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
    if tag in ("text", "tspan") and element.text:
        yield families or ("serif",), element.text
    for child in element:
        yield from _svg_texts(child, families)
        if tag in ("text", "tspan") and child.tail:
            yield families or ("serif",), child.tail


@lru_cache(maxsize=32)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@lru_cache(maxsize=8)
def _advances(path: str, index: int) -> dict[int, float]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        per_em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        return {cp: metrics[glyph][0] / per_em for cp, glyph in (font.getBestCmap() or {}).items()
                if glyph in metrics}
    finally:
        font.close()


@lru_cache(maxsize=32)
def _face_name(path: str, index: int) -> str:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return str(font["name"].getDebugName(4) or Path(path).name)
    finally:
        font.close()


@lru_cache(maxsize=8)
def _face_bytes(path: str, index: int, collection: bool) -> bytes:
    data = Path(path).read_bytes()
    # WeasyPrint registers every face of a collection under the @font-face family, and fontconfig
    # would then pick one of them; a standalone copy of the configured face removes the guess.
    return extract_face(data, index, path) if collection else data


def extract_face(data: bytes, index: int, name: str = "font") -> bytes:
    """One face of a TrueType/OpenType collection as a standalone font file: its table directory
    and tables copied byte for byte (fontTools' save takes ~0.3 s on a CJK collection; this ~0.04 s)."""
    try:
        tag, _version, count = struct.unpack_from(">4sLL", data, 0)
        if tag != b"ttcf" or not 0 <= index < count:
            raise ValueError(f"face {index} of {count}")
        (offset,) = struct.unpack_from(">L", data, 12 + 4 * index)
        flavor, ntables = struct.unpack_from(">LH", data, offset)
        entries = sorted(struct.unpack_from(">4sLLL", data, offset + 12 + 16 * i) for i in range(ntables))
    except (struct.error, ValueError) as exc:
        raise EnvironmentProblem(f"{name}: not a font collection with face {index} ({exc})") from None
    pos = 12 + 16 * ntables
    directory, tables = [], []
    for tag, checksum, start, length in entries:
        directory.append(struct.pack(">4sLLL", tag, checksum, pos, length))
        padded = data[start:start + length] + b"\0" * (-length % 4)
        tables.append(padded)
        pos += len(padded)
    selector = max(ntables.bit_length() - 1, 0)
    search = 16 << selector
    header = struct.pack(">LHHHH", flavor, ntables, search, selector, ntables * 16 - search)
    return header + b"".join(directory) + b"".join(tables)
