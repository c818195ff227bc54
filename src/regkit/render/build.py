"""``regkit build``: every output file is a *target* (output path, the inputs its bytes depend on,
a render function). Targets whose inputs are unchanged since the last build are skipped (a content
hash cache in the output folder); the others render on all cores; outputs are written only when
every target succeeded, each atomically.

Other parts of regkit add their files by adding a provider to ``TARGET_PROVIDERS``: a function
``(BuildContext) -> list[Target]`` named as ``"package.module:function"``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import RegkitError, UsageError
from ..files import clean_stale
from ..loader import DEFAULT_DIR, ORG_FILE, Project, load_project
from ..model import Regulation
from ..project import template_root
from .reproducible import write_atomic
from .settings import ROLES, Settings, font_path, load_settings
from .workers import render_all

CACHE_FILE = ".regkit-cache.json"
FORMATS = ("docx", "pdf")
# "module:function" of every target provider; regkit.forms adds its blank forms here.
TARGET_PROVIDERS: tuple[str, ...] = ("regkit.render.build:document_targets", "regkit.forms.build:form_targets")

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Target:
    """One output file: where it goes (relative to the output folder), the strings its bytes depend
    on (file digests, options), and a function returning the bytes (run in a forked worker, so it
    need not be picklable)."""

    path: Path
    inputs: tuple[str, ...]
    render: Callable[[], bytes]
    label: str = ""
    # Run once in the parent before the workers that render this target are forked (import an
    # engine, load fonts), so that they inherit it; share one object between targets.
    warm: Callable[[], None] | None = None
    cost: float = 0.05                      # about the seconds the render takes, to schedule it

    @property
    def key(self) -> str:
        """The content hash of the inputs: equal keys mean equal bytes."""
        h = hashlib.sha256()
        for part in (str(self.path), *self.inputs):
            h.update(part.encode() + b"\0")
        return h.hexdigest()


@dataclass(frozen=True)
class BuildOptions:
    """What to build and from where."""

    regulations: tuple[str, ...] = ()        # regulation ids; empty: all
    formats: tuple[str, ...] = FORMATS
    langs: tuple[str, ...] = ("zh-Hans",)
    pdfa: bool = False
    out: Path = Path("out")
    source: Path = DEFAULT_DIR              # folder of regulation YAML files
    org: Path | None = None
    templates: Path = Path("templates")
    jobs: int | None = None                 # worker processes; None: one per core
    force: bool = False                     # ignore the cache

    @property
    def document_templates(self) -> Path:
        """The templates folder the documents' layout comes from: ``templates`` if it restyles
        them, else regkit's own."""
        return template_root("document", self.templates)


@dataclass
class BuildResult:
    """What a build did."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the terminal."""
        return (f"built {len(self.written)} file(s), {len(self.skipped)} unchanged, "
                f"in {self.seconds:.2f} s")


class Digests:
    """Content hashes of input files and folders, each computed once per build."""

    def __init__(self) -> None:
        self._files: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        """sha256 of a file's bytes ('missing' if it does not exist)."""
        path = path.resolve()
        if path not in self._files:
            self._files[path] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
        return self._files[path]

    def tree(self, folder: Path, pattern: str = "*") -> str:
        """sha256 over the relative names and contents of every file below ``folder`` (matching
        ``pattern``)."""
        h = hashlib.sha256()
        if folder.is_dir():
            for p in sorted(q for q in folder.rglob(pattern) if q.is_file()):
                h.update(f"{p.relative_to(folder).as_posix()}\0{self.file(p)}\0".encode())
        return h.hexdigest()

    @staticmethod
    def stat(path: Path) -> str:
        """Name, size and modification time of a big file (fonts), cheaper than hashing it."""
        try:
            st = path.stat()
        except OSError:
            return f"{path}:missing"
        return f"{path}:{st.st_size}:{st.st_mtime_ns}"


@dataclass
class BuildContext:
    """What a target provider gets: the loaded project, the options, the document settings and
    the digests of shared inputs."""

    project: Project
    options: BuildOptions
    settings: Settings
    digests: Digests

    @cached_property
    def selected(self) -> list[Regulation]:
        """The regulations to build, in id order."""
        regs = sorted(self.project.regulations, key=lambda r: r.id)
        if not self.options.regulations:
            return regs
        known = {r.id for r in regs}
        unknown = [r for r in self.options.regulations if r not in known]
        if unknown:
            raise UsageError(f"unknown regulation(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return [r for r in regs if r.id in self.options.regulations]

    @cached_property
    def common(self) -> tuple[str, ...]:
        """Inputs every target depends on: regkit's version and code, the date stamp, the profile."""
        org = self.options.org or self.options.source / ORG_FILE
        return (f"regkit {__version__}", code_digest(self.digests),
                f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}", self.digests.file(org))

    def fonts_digest(self, lang: str) -> str:
        """Identity of the font files a language edition prints with."""
        fonts = self.settings.language(lang).fonts
        parts = [f"{role}:{f.face}:{Digests.stat(font_path(f, self.options.document_templates))}"
                 for role in ROLES for f in fonts.stack(role)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def code_digest(digests: Digests) -> str:
    """Hash of regkit's own source, so a changed renderer invalidates the cache between releases."""
    root = Path(__file__).resolve().parent.parent
    return digests.tree(root, "*.py") if (root / "__init__.py").is_file() else __version__


def document_targets(ctx: BuildContext) -> list[Target]:
    """The official documents: one target per regulation, language edition and format."""
    opts = ctx.options
    folder = opts.document_templates
    templates = ctx.digests.tree(folder / "document")
    warm = {lang: partial(_warm_up, folder, (lang,)) for lang in opts.langs}
    targets = []
    for reg in ctx.selected:
        source = ctx.digests.file(Path(ctx.project.files[reg.id]))
        for lang in opts.langs:
            suffix = ctx.settings.language(lang).suffix
            for fmt in opts.formats:
                inputs = (*ctx.common, source, templates, f"format={fmt}", f"lang={lang}")
                if fmt == "pdf":
                    inputs += (ctx.fonts_digest(lang), f"pdfa={opts.pdfa}")
                render = partial(render_document, ctx.project, reg.id, lang, fmt, folder, opts.pdfa)
                name = f"{reg.id}{suffix}.{fmt}"
                if fmt == "pdf":
                    targets.append(Target(Path(name), inputs, render, name, warm[lang], 0.3))
                else:
                    targets.append(Target(Path(name), inputs, render, name, cost=0.05))
    return targets


def render_document(project: Project, rid: str, lang: str, fmt: str, templates: Path, pdfa: bool) -> bytes:
    """The bytes of one official document (runs in a worker process)."""
    from .context import build_document

    reg = project.regulation(rid)
    if reg is None:  # pragma: no cover - targets are made from the project's own ids
        raise UsageError(f"unknown regulation {rid}")
    doc = build_document(project, reg, lang, load_settings(templates))
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(doc, templates)
    from .pdf import render_pdf

    return render_pdf(doc, templates, pdfa=pdfa)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the requested outputs into ``options.out``; raise the first error and write nothing
    if any target fails."""
    start = time.perf_counter()
    _check_options(options)
    out = options.out
    for folder in (out, out / "forms"):
        clean_stale(folder)  # what a killed build left
    cache = _read_cache(out / CACHE_FILE)
    digests = Digests()
    settings = load_settings(options.document_templates)
    for lang in options.langs:
        if lang not in settings.languages:
            raise UsageError(f"unknown language {lang!r} (document.yaml has: {', '.join(settings.languages)})")
    fingerprint = _fingerprint(options, settings, digests)
    if not options.force and cache.get("fingerprint") == fingerprint and _outputs_intact(out, cache):
        unchanged = [Path(p) for p in cache.get("last", [])]
        if progress:
            progress(len(unchanged), len(unchanged), "unchanged")
        return BuildResult([], unchanged, time.perf_counter() - start)

    return _build(options, settings, digests, cache, fingerprint, progress, start)


def _build(options: BuildOptions, settings: Settings, digests: Digests, cache: dict[str, Any], fingerprint: str,
           progress: Progress | None, start: float) -> BuildResult:
    out = options.out
    project = load_project([options.source], options.org)
    ctx = BuildContext(project, options, settings, digests)
    targets = collect_targets(ctx)
    todo: list[Target] = []
    skipped: list[Target] = []
    for target in targets:
        entry = cache.get("targets", {}).get(str(target.path))
        intact = entry and entry.get("key") == target.key and _intact(out / target.path, entry.get("sha256"))
        (skipped if intact and not options.force else todo).append(target)
    done = len(skipped)
    if progress and skipped:
        progress(done, len(targets), "unchanged")

    def tick(t: Target) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(targets), t.label or str(t.path))

    outputs = render_all(todo, options.jobs, tick)
    for target in todo:
        write_atomic(out / target.path, outputs[target.path])
    entries = {str(t.path): {"key": t.key, "sha256": hashlib.sha256(outputs[t.path]).hexdigest()} for t in todo}
    for target in skipped:
        entries[str(target.path)] = cache["targets"][str(target.path)]
    # a partial build (some regulations) keeps the other entries but cannot vouch for the whole
    kept = {k: v for k, v in cache.get("targets", {}).items() if k not in entries}
    state = {"fingerprint": fingerprint, "last": sorted(str(t.path) for t in targets),
             "targets": dict(sorted({**kept, **entries}.items()))}
    write_atomic(out / CACHE_FILE, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode())
    return BuildResult([t.path for t in todo], [t.path for t in skipped], time.perf_counter() - start)


def collect_targets(ctx: BuildContext) -> list[Target]:
    """The targets of every provider in TARGET_PROVIDERS; UsageError on two with the same path."""
    targets: list[Target] = []
    for name in TARGET_PROVIDERS:
        module, _, func = name.partition(":")
        provider = getattr(importlib.import_module(module), func)
        targets.extend(provider(ctx))
    seen: set[Path] = set()
    for t in targets:
        if t.path in seen or t.path.is_absolute() or ".." in t.path.parts:
            raise UsageError(f"build target {t.path} is duplicated or outside the output folder")
        seen.add(t.path)
    return targets


def _warm_up(templates: Path, langs: tuple[str, ...]) -> None:
    """Import WeasyPrint, load the fonts and lay out a few lines in every role (Pango's first
    layout costs ~0.2 s), in the parent before the PDF workers are forked."""
    if not langs:
        return
    import datetime as dt

    from .context import Block, Document
    from .pdf import render_pdf

    blocks = (Block("chapter", "第一章　总则", bookmark=1), Block("heading1", "一、"), Block("heading2", "（一）"),
              Block("lead_hei", "第一条　", "制度1"), Block("lead_kai", "（二）", "制度"))
    for lang in langs:
        doc = Document("warm-up", lang, "制度", "公司", "〔2026〕1号", "施行", "1", blocks, "修订", ("版本",), (),
                       dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        try:
            render_pdf(doc, templates)
        except RegkitError:
            pass  # the real render reports it, with its context


def _check_options(options: BuildOptions) -> None:
    bad = [f for f in options.formats if f not in FORMATS]
    if bad or not options.formats:
        raise UsageError(f"unknown format(s) {', '.join(bad) or '(none)'}: choose from {', '.join(FORMATS)}")
    if not options.langs:
        raise UsageError("no language given")
    if options.jobs is not None and options.jobs < 1:
        raise UsageError("--jobs must be at least 1")


def _fingerprint(options: BuildOptions, settings: Settings, digests: Digests) -> str:
    """Everything a build reads, hashed without loading the project: if it is unchanged and the
    outputs are intact, the build has nothing to do."""
    org = options.org or options.source / ORG_FILE
    sources = sorted(options.source.glob("*.y*ml")) if options.source.is_dir() else [options.source]
    fonts = [Digests.stat(font_path(f, options.document_templates))
             for lang in options.langs for role in ROLES for f in settings.language(lang).fonts.stack(role)]
    parts: Iterable[str] = (
        __version__, code_digest(digests), os.environ.get("SOURCE_DATE_EPOCH", ""),
        *(f"{p.name}={digests.file(p)}" for p in sources), f"org={digests.file(org)}",
        f"templates={digests.tree(options.document_templates)}",
        f"forms={digests.tree(template_root('forms', options.templates))}", *fonts,
        repr((options.regulations, options.formats, options.langs, options.pdfa)), *TARGET_PROVIDERS,
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # a damaged cache is no cache
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("targets"), dict) else {}


def _intact(path: Path, sha256: object) -> bool:
    try:
        return isinstance(sha256, str) and hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def _outputs_intact(out: Path, cache: dict[str, Any]) -> bool:
    targets, last = cache.get("targets", {}), cache.get("last")
    return isinstance(last, list) and bool(last) and all(
        isinstance(targets.get(p), dict) and _intact(out / p, targets[p].get("sha256")) for p in last)


__all__ = ["TARGET_PROVIDERS", "BuildContext", "BuildOptions", "BuildResult", "Target", "build"]
