"""The blank forms of ``regkit build``: a target provider for ``regkit.render.build`` writing
``out/forms/<form-id>.<format>`` for every form of the selected regulations, in the requested
document formats plus Excel (which has no document counterpart)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..loader import Project

if TYPE_CHECKING:
    from ..render.build import BuildContext, Target

FORMS_DIR = "forms"


def form_targets(ctx: BuildContext) -> list[Target]:
    """One target per form of the selected regulations and per format."""
    from ..render.build import Target

    opts = ctx.options
    formats = [f for f in opts.formats if f in ("docx", "pdf")] + ["xlsx"]
    templates = ctx.digests.tree(opts.templates / "forms")
    targets = []
    for reg in ctx.selected:
        source = ctx.digests.file(Path(ctx.project.files[reg.id]))
        for form in reg.forms:
            for fmt in formats:
                path = Path(FORMS_DIR) / f"{form.id}.{fmt}"
                inputs = (*ctx.common, source, templates, f"form={form.id}", f"format={fmt}")
                render = partial(render_blank, ctx.project, form.id, fmt, opts.templates)
                targets.append(Target(path, inputs, render, str(path)))
    return targets


def render_blank(project: Project, form_id: str, fmt: str, templates: Path) -> bytes:
    """The bytes of one blank form (runs in a build worker)."""
    from .api import render_form
    from .style import load_style

    return render_form(project, form_id, fmt, None, load_style(templates))
