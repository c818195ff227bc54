"""A project of one's own: the project file (``regkit.yaml``) at a project's root names where its
regulations, organisation profile, seeds, templates, records and outputs are, relative to itself.
Every command finds it from any subfolder (the nearest one upward, as git does); without one the
current folder is the project, laid out as before (``regulations/``, ``templates/``, ``out/``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError, TemplateError, UsageError

PROJECT_FILE = "regkit.yaml"
PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
# The file that tells a templates folder holds a part's layout: a project may restyle one part only.
TEMPLATE_MARKERS = {"document": "document.yaml", "forms": "layout.yaml", "report": "report.html.j2"}


class ProjectFile(BaseModel):
    """The project file ``regkit.yaml``: folders and files relative to it, every key optional."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when a project file is read

    regulations: str = Field("regulations", description="folder of the regulation YAML files")
    org: str | None = Field(None, description="organisation profile; default <regulations>/org.yaml")
    seeds: str = Field("seeds", description="folder of the source texts the clauses cite (source: NNN:line)")
    templates: str = Field("templates", description="restyled layout templates; regkit's own where absent")
    records: str | None = Field(None, description="records `regkit check` audits when given none")
    output: str = Field("out", description="folder `regkit build` and `regkit form` write to")


@dataclass(frozen=True)
class ProjectConfig:
    """Where a project's things are: absolute paths, resolved against its root."""

    root: Path
    file: Path | None  # the project file, or None for a folder laid out by default
    regulations: Path
    org: Path
    seeds: Path
    templates: Path
    records: Path | None
    output: Path

    @classmethod
    def at(cls, root: Path, file: Path | None = None, spec: ProjectFile | None = None) -> ProjectConfig:
        """The configuration of the project rooted at ``root``."""
        s = spec or ProjectFile()
        root = root.resolve()
        regs = root / s.regulations
        return cls(root=root, file=file, regulations=regs, org=root / s.org if s.org else regs / "org.yaml",
                   seeds=root / s.seeds, templates=root / s.templates,
                   records=root / s.records if s.records else None, output=root / s.output)

    def shown(self, path: Path) -> Path:
        """``path`` as a user reads it: relative to the current folder (``../regulations``)."""
        try:
            return Path(os.path.relpath(path))
        except ValueError:  # another drive
            return path


def read_project_file(path: Path) -> ProjectConfig:
    """The configuration in a project file; InputError (file:line:col) if it is invalid."""
    from .loader import _load_model

    shown = Path(os.path.relpath(path)) if path.is_absolute() else path
    spec, _, problems = _load_model(ProjectFile, shown, "the project file is a mapping (regulations:, org:, ...)")
    if problems or spec is None:
        raise InputError(problems or [])
    return ProjectConfig.at(path.parent, path, spec)


def find_project(start: Path | None = None, explicit: Path | None = None) -> ProjectConfig:
    """The project of a command: ``explicit`` (a folder or its project file) if given, else the
    nearest project file from ``start`` (default: the current folder) upward, else ``start``
    itself laid out by default."""
    if explicit is not None:
        if explicit.is_file():
            return read_project_file(explicit)
        if not explicit.is_dir():
            raise UsageError(f"--project {explicit}: no such folder")
        file = explicit / PROJECT_FILE
        return read_project_file(file) if file.is_file() else ProjectConfig.at(explicit)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        file = folder / PROJECT_FILE
        if file.is_file():
            return read_project_file(file)
    return ProjectConfig.at(here)


def template_root(part: str, folder: Path | None = None) -> Path:
    """The templates folder to take ``part`` (document, forms, report) from: ``folder`` if it
    holds that part, else regkit's own (shipped in the package). Real path, links resolved."""
    marker = TEMPLATE_MARKERS[part]
    for candidate in (folder, PACKAGE_TEMPLATES):
        if candidate is not None and (candidate / part / marker).is_file():
            return candidate.resolve()
    raise TemplateError(f"{PACKAGE_TEMPLATES / part / marker}: regkit's own {part} template is missing; "
                        "reinstall regkit")
