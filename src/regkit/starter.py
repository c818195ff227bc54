"""``regkit init``: a new project that works at once (a project file, an example regulation with
forms and rules, an organisation profile, its source text and sample records), and a copy of
regkit's own templates for a project that wants to restyle its documents and forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError
from .files import write_atomic
from .project import PACKAGE_TEMPLATES, PROJECT_FILE, find_project

SCAFFOLD = Path(__file__).resolve().parent / "data" / "scaffold"


@dataclass
class InitResult:
    """What ``init`` wrote, and the project folder."""

    root: Path
    written: list[Path] = field(default_factory=list)


def _tree(folder: Path) -> list[Path]:
    """Every file below ``folder`` (links resolved), relative to it, sorted."""
    folder = folder.resolve()
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def init_project(folder: Path, *, templates: bool = False) -> InitResult:
    """Create a project in ``folder`` (made if missing): refuse if it already is one, unless only
    ``templates`` are asked for, which are then copied into the project's templates folder.
    Refuses to overwrite any file; writes nothing if it refuses."""
    folder = folder.resolve()
    exists = (folder / PROJECT_FILE).is_file()
    if exists and not templates:
        raise UsageError(f"{folder / PROJECT_FILE}: already a regkit project (regkit init --templates copies "
                         "the templates into it)")
    plan: list[tuple[Path, Path]] = []
    if not exists:
        plan += [(SCAFFOLD / rel, folder / rel) for rel in _tree(SCAFFOLD)]
    if templates:
        target = find_project(explicit=folder).templates if exists else folder / "templates"
        plan += [(PACKAGE_TEMPLATES / rel, target / rel) for rel in _tree(PACKAGE_TEMPLATES)]
    clash = [dst for _, dst in plan if dst.exists()]
    if clash:
        shown = ", ".join(str(p) for p in clash[:3]) + (" ..." if len(clash) > 3 else "")
        raise UsageError(f"would overwrite {shown}: move it away first")
    result = InitResult(folder)
    for src, dst in plan:
        write_atomic(dst, src.read_bytes())
        result.written.append(dst)
    return result
