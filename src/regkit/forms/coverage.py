"""Every character printed on a PDF form is in one of the fonts its CSS names: a label with a
character none of them has is refused naming it (Pango would otherwise print a box, or a face
from anywhere on the machine), as the official documents' characters are checked."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..errors import RenderError
from ..render.fonts import laid_out_texts

GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


@lru_cache(maxsize=64)
def family_cmap(family: str) -> frozenset[int]:
    """The characters the installed faces of ``family`` have (fontconfig's choice for a generic
    family); empty if fontconfig knows no such family."""
    from ..render.fonts import _cmap

    query = ["fc-match", "--format", "%{file}\t%{index}\n", family] if family in GENERIC else \
        ["fc-list", "--format", "%{file}\t%{index}\n", family]
    try:
        out = subprocess.run(query, capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    chars: set[int] = set()
    for line in sorted(set(out.splitlines())):
        path, _, index = line.partition("\t")
        if not path:
            continue
        try:
            chars |= _cmap(path, int(index or 0))
        except Exception:  # an unreadable font file counts as no font
            continue
    return frozenset(chars)


def check_form_coverage(document: Any, what: str) -> None:
    """RenderError naming each printed character that no font of its CSS font-family list has."""
    missing: dict[str, set[str]] = {}
    for stack, text in _texts(document):
        chars = {c for c in text if not c.isspace() and c.isprintable()}
        if not chars:
            continue
        cmaps = [family_cmap(f) for f in stack]
        lacking = {c for c in chars if not any(ord(c) in cmap for cmap in cmaps)}
        if lacking:
            missing.setdefault(", ".join(stack), set()).update(lacking)
    if missing:
        parts = [f"no font of {fonts} has {' '.join(f'{c} U+{ord(c):04X}' for c in sorted(chars))}"
                 for fonts, chars in sorted(missing.items())]
        raise RenderError(f"{what}: " + "; ".join(parts) + " (change the text, or name a font that has them in "
                          "templates/forms/form.css)")


def _texts(document: Any) -> Iterable[tuple[tuple[str, ...], str]]:
    yield from laid_out_texts(document)
