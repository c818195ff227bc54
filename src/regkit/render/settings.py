"""The document settings an admin edits in ``templates/document/document.yaml``: the language
editions (OpenCC conversion, file suffix, the PDF's font for each role) and the fixed wording."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ..errors import InputError, Problem
from ..yamlsafe import load_yaml

SETTINGS_FILE = "document.yaml"
ROLES: tuple[str, ...] = ("song", "fang", "hei", "kai")
Role = Literal["song", "fang", "hei", "kai"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FontFile(_Strict):
    """One font: a file and, in a .ttc collection, the face number."""

    file: str
    face: int = Field(0, ge=0, le=255)


def _font_list(value: object) -> object:
    # A role accepts a path, a {file, face} mapping, or a list of those (fallbacks after the first).
    items = value if isinstance(value, list) else [value]
    return [{"file": v} if isinstance(v, str) else v for v in items]


FontStack = Annotated[tuple[FontFile, ...], BeforeValidator(_font_list), Field(min_length=1)]


class Fonts(_Strict):
    """The PDF's fonts by role."""

    song: FontStack
    fang: FontStack
    hei: FontStack
    kai: FontStack

    def stack(self, role: str) -> tuple[FontFile, ...]:
        """The fonts of a role, first choice first."""
        stack: tuple[FontFile, ...] = getattr(self, role)
        return stack


class Language(_Strict):
    """One language edition."""

    suffix: str = Field(pattern=r"^(\.[A-Za-z-]+)?$")
    opencc: str | None = Field(None, pattern=r"^[a-z0-9]+$")
    fonts: Fonts


class Wording(_Strict):
    """Fixed text printed around the regulation."""

    doc_number: str = "{short_name}{doc_number}"
    effective: str = "（{date}起施行）"
    revisions: str = "修订记录"
    revision_columns: tuple[str, str, str, str] = ("版本", "修订日期", "修订人", "修订内容")
    closing_title: str = "附则"
    closing_text: str = "本制度由{department}负责解释，自{date}起施行。"


class Settings(_Strict):
    """The whole of document.yaml."""

    languages: dict[str, Language] = Field(min_length=1)
    wording: Wording = Wording()

    def language(self, lang: str) -> Language:
        """The settings of one edition; InputError if it is not configured."""
        if lang not in self.languages:
            known = ", ".join(sorted(self.languages))
            raise InputError([Problem(SETTINGS_FILE, 1, 1, f"unknown language {lang!r} (configured: {known})")])
        return self.languages[lang]


def load_settings(templates: Path) -> Settings:
    """Read ``<templates>/document/document.yaml``; InputError with file:line:col if invalid."""
    path = (templates / "document" / SETTINGS_FILE).resolve()
    st = path.stat() if path.is_file() else None
    return _load(str(path), st.st_mtime_ns if st else 0, st.st_size if st else -1)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> Settings:
    # keyed by mtime and size so an edited file is read again in a long-lived process
    if size < 0:
        raise InputError([Problem(path, 1, 1, "document settings not found (templates/document/document.yaml)")])
    loc = load_yaml(Path(path))
    try:
        return Settings.model_validate(loc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            problems.append(loc.problem(where, f"{'.'.join(map(str, where)) or 'document'}: {err['msg']}"))
        raise InputError(problems) from None


def font_path(font: FontFile, templates: Path) -> Path:
    """The absolute path of a configured font file; relative paths are from the project folder (the
    folder holding ``templates/``)."""
    p = Path(font.file).expanduser()
    return (p if p.is_absolute() else templates.resolve().parent / p).resolve()
