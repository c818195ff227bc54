"""The blank forms of ``regkit build``: a target provider for ``regkit.render.build`` writing
``out/forms/<form-id>.<format>`` for every form of the selected regulations, in the requested
document formats plus Excel (which has no document counterpart)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..loader import Project
from ..project import template_root

if TYPE_CHECKING:
    from ..render.build import BuildContext, Target

FORMS_DIR = "forms"
# Seconds a blank form takes in each format, roughly: the build schedules the long ones first.
COSTS = {"pdf": 0.1, "xlsx": 0.025, "docx": 0.005}


def form_targets(ctx: BuildContext) -> list[Target]:
    """One target per form of the selected regulations and per format."""
    from ..render.build import Target

    opts = ctx.options
    formats = [f for f in opts.formats if f in ("docx", "pdf")] + ["xlsx"]
    folder = template_root("forms", opts.templates)
    templates = ctx.digests.tree(folder / "forms")
    warm = partial(warm_up, folder)
    targets = []
    for reg in ctx.selected:
        source = ctx.digests.file(Path(ctx.project.files[reg.id]))
        for form in reg.forms:
            for fmt in formats:
                path = Path(FORMS_DIR) / f"{form.id}.{fmt}"
                inputs = (*ctx.common, source, templates, f"form={form.id}", f"format={fmt}")
                render = partial(render_blank, ctx.project, form.id, fmt, folder)
                if fmt == "pdf":  # WeasyPrint: warmed up once, in the parent
                    targets.append(Target(path, inputs, render, str(path), warm, COSTS[fmt]))
                else:
                    targets.append(Target(path, inputs, render, str(path), cost=COSTS[fmt]))
    return targets


def warm_up(templates: Path | None) -> None:
    """Import WeasyPrint and pypdf and load the form stylesheet's fonts (in the build's parent
    process, before it forks the workers that render PDF forms)."""
    from . import acroform, api, layout  # noqa: F401  # imported here once rather than in every worker
    from .pdf import warm_up as warm_pdf
    from .style import load_style

    warm_pdf(load_style(templates))


def render_blank(project: Project, form_id: str, fmt: str, templates: Path) -> bytes:
    """The bytes of one blank form (runs in a build worker). A PDF's page goes to the page cache
    too, so that ``regkit form --data`` after a build need not start WeasyPrint."""
    from .api import render_form
    from .style import load_style

    return render_form(project, form_id, fmt, None, load_style(templates), keep_page=True)
