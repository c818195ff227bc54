"""The command line: parse arguments, call one library function, format its result, pick the exit
code. Errors are converted here, once."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import RegkitError
from .loader import DEFAULT_DIR, Project, load_project

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Converts RegkitError to its lines and exit code; other exceptions to exit 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RegkitError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            for line in exc.lines():
                click.echo(line, err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # the one place unexpected errors are reported
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.echo(f"regkit: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                       err=True)
            ctx.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="regkit")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """regkit: regulations (规章制度) as data — lint, print, generate forms, audit records."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def org_option(f: F) -> F:
    """The --org option shared by commands that need the organisation profile."""
    return click.option(
        "--org", "org", type=click.Path(path_type=Path), default=None,
        help="Organisation profile (组织档案) YAML; default regulations/org.yaml.",
    )(f)


def regulations_option(f: F) -> F:
    """The --regulations option: where the regulation YAML files are."""
    return click.option(
        "--regulations", "regdir", type=click.Path(path_type=Path), default=DEFAULT_DIR, show_default=True,
        help="Folder of regulation (规章制度) YAML files.",
    )(f)


def load(regdir: Path, org: Path | None) -> Project:
    """Load the project for a command."""
    return load_project([regdir], org)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@org_option
def lint(paths: tuple[Path, ...], org: Path | None) -> None:
    """Validate regulation YAML files and the organisation profile.

    Every problem is printed as file:line:col: message; exit 2 if any.
    """
    project = load_project(paths or (DEFAULT_DIR,), org)
    n_forms = sum(len(r.forms) for r in project.regulations)
    n_rules = sum(len(r.rules) for r in project.regulations)
    click.echo(f"ok: {len(project.regulations)} regulations, {n_forms} forms, {n_rules} rules")


@main.command()
@click.option("--org", "kind", flag_value="org", help="Print the schema of the organisation profile instead.")
@click.option("--regulation", "kind", flag_value="regulation", default=True, help="The regulation schema (default).")
def schema(kind: str) -> None:
    """Print the JSON Schema of the regulation YAML format (for editors)."""
    from .schema import dumps

    click.echo(dumps(kind), nl=False)


@main.command(name="list")
@regulations_option
@org_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_(regdir: Path, org: Path | None, as_json: bool) -> None:
    """List the regulations, their forms and their rules."""
    from .outline import listing

    data = listing(load(regdir, org))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for reg in data:
        click.echo(f"{reg['id']}  {reg['title']}  ({reg['doc_number']}, v{reg['version']}, {reg['clauses']} clauses)")
        for f in reg["forms"]:
            click.echo(f"  form {f['id']}  《{f['title']}》  {f['fields']} fields")
        for r in reg["rules"]:
            click.echo(f"  rule {r['id']}  [{r['kind']}] {r['title']}  — {', '.join(r['citations'])}")


@main.command()
@click.argument("regulation_ids", nargs=-1, metavar="[REGULATION]...")
@click.option("--format", "formats", default="docx,pdf", show_default=True, metavar="FORMATS",
              help="docx, pdf, or both comma-separated.")
@click.option("--lang", "langs", default="zh-Hans", show_default=True, metavar="LANGS",
              help="Editions, comma-separated: zh-Hans, zh-Hant (converted with OpenCC; see document.yaml).")
@click.option("--pdfa", is_flag=True, help="Write PDF/A-2b (for archiving).")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("out"),
              show_default=True, help="Output folder.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False), default=Path("templates"),
              show_default=True, help="Layout templates folder.")
@click.option("-j", "--jobs", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("--force", is_flag=True, help="Rebuild even what the cache says is unchanged.")
@regulations_option
@org_option
def build(regulation_ids: tuple[str, ...], formats: str, langs: str, pdfa: bool, out: Path, templates: Path,
          jobs: int | None, force: bool, regdir: Path, org: Path | None) -> None:
    """Write the official documents (正式文件) of the regulations, OUT/<id>.docx and .pdf, and
    their blank forms (OUT/forms/).

    Unchanged outputs are skipped (content-hash cache in OUT/.regkit-cache.json); nothing is
    written if any file fails.
    """
    import sys

    from .render.build import BuildOptions
    from .render.build import build as run_build

    options = BuildOptions(
        regulations=regulation_ids, formats=_csv(formats), langs=_csv(langs), pdfa=pdfa, out=out,
        source=regdir, org=org, templates=templates, jobs=jobs, force=force)
    bar: list[Any] = []

    def progress(done: int, total: int, label: str) -> None:
        if not bar:
            bar.append(click.progressbar(length=total, label="building", show_pos=True,
                                         item_show_func=lambda s: s))
            bar[0].__enter__()
        bar[0].update(done - bar[0].pos, label)

    try:
        result = run_build(options, progress if sys.stdout.isatty() else None)
    finally:
        if bar:
            bar[0].__exit__(None, None, None)
    click.echo(result.summary())


def _csv(value: str) -> tuple[str, ...]:
    """A comma-separated option as a tuple of its non-empty items."""
    return tuple(v.strip() for v in value.split(",") if v.strip())


@main.command()
@click.argument("form_id")
@click.option("--format", "formats", default=None, metavar="FORMATS",
              help="docx, pdf or xlsx, or several comma-separated (default: from -o's suffix, else pdf).")
@click.option("--data", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A record (YAML/JSON) to fill the form in with.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Output file (default out/forms/FORM-ID[-RECORD-ID].FORMAT).")
@regulations_option
@org_option
def form(form_id: str, formats: str | None, data: Path | None, output: Path | None, regdir: Path,
         org: Path | None) -> None:
    """Write one form (表单), blank or filled in from a record."""
    from .forms.api import form_command, parse_formats

    fmts = parse_formats(formats or (output.suffix if output is not None and output.suffix else "pdf"))
    for path in form_command(load(regdir, org), form_id, fmts, data, output):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="Output format of the records.")
@regulations_option
@org_option
def extract(files: tuple[Path, ...], fmt: str, regdir: Path, org: Path | None) -> None:
    """Read filled-in DOCX/PDF/XLSX forms back into records (exit 2 if any is unreadable)."""
    from .forms.api import extract_files
    from .forms.records import dump_records

    records, notes = extract_files(list(files), load(regdir, org))
    for note in notes:
        click.echo(f"note: {note}", err=True)
    click.echo(dump_records(records, fmt), nl=False)


@main.command()
@click.argument("records", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
              help="Start of the audit window, YYYY-MM-DD (default: the earliest record).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
              help="Audit date, end of the audit window, YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "junit", "csv"]), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the report to this file (default: standard output).")
@click.option("--encoding", default=None, help="Encoding of CSV files (default: detected; UTF-8 or GBK/GB18030).")
@click.option("--only", "only", multiple=True, metavar="ID",
              help="Audit only the rules of this regulation, form or rule id; glob patterns such as 'arrears-*' "
                   "allowed; repeatable. Every record is still read and validated.")
@regulations_option
@org_option
@click.pass_context
def check(ctx: click.Context, records: tuple[Path, ...], date_from: Any, as_of: Any, fmt: str, output: Path | None,
          encoding: str | None, only: tuple[str, ...], regdir: Path, org: Path | None) -> None:
    """Audit records (YAML/JSON/CSV/XLSX files, filled-in forms, folders) against every rule.

    Exit 0 if clean, 1 if there are findings, 2 if any input is bad or unreadable (the report is
    still written, listing what could not be read).
    """
    import sys

    from .check import audit
    from .report import render, write_atomic

    report = audit(load(regdir, org), records, date_from=date_from.date() if date_from else None,
                   as_of=as_of.date() if as_of else None, encoding=encoding, only=only)
    color = fmt == "text" and output is None and sys.stdout.isatty()
    data = render(report, fmt, color=color)
    if output is not None:
        write_atomic(output, data)
        s = report.summary()
        click.echo(f"wrote {output}: {s['findings']} findings, {s['unreadable']} unreadable, "
                   f"{s['checked']} records checked", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False, color=color)
    ctx.exit(report.exit_code)


def run() -> None:
    """Console-script entry point."""
    main(obj={})


if __name__ == "__main__":  # pragma: no cover
    run()
