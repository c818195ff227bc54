"""The command line: parse arguments, call one library function, format its result, pick the exit
code. Errors are converted here, once."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import RegkitError, UsageError
from .loader import Project, load_project
from .project import PROJECT_FILE, ProjectConfig, find_project

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Converts RegkitError to its lines and exit code, a command's usage error to one line (exit 2),
    other exceptions to exit 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return result
        except click.exceptions.Exit:
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _stdout_closed()
            raise
        except RegkitError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            for line in exc.lines():
                click.echo(line, err=True)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:  # a wrong option or argument: one line, as any other bad input
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            click.echo(f"{where}: {exc.format_message()} ({where} --help lists the options)", err=True)
            ctx.exit(exc.exit_code)
        except (click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            _stdout_closed()
            ctx.exit(0)
        except Exception as exc:  # the one place unexpected errors are reported
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.echo(f"regkit: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                       err=True)
            ctx.exit(3)


class _Date(click.DateTime):
    """An ISO date option whose error says what is wrong with the day (2026-02-30 has the format
    but is no date)."""

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value
        try:
            return dt.datetime.strptime(str(value).strip(), "%Y-%m-%d")
        except ValueError:
            self.fail(f"{value!r} is not a date: write it YYYY-MM-DD, e.g. 2026-11-30", param, ctx)


DATE = _Date()


def _set_project(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)
        ctx.find_root().obj["project_dir"] = value


def project_option(f: F) -> F:
    """--project DIR: the project folder (or its regkit.yaml), before or after the command name."""
    return click.option(
        "--project", type=click.Path(path_type=Path), default=None, expose_value=False, is_eager=True,
        callback=_set_project,
        help="Project folder or its regkit.yaml (default: the nearest regkit.yaml from here upward).",
    )(f)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="regkit")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@project_option
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """regkit: regulations (规章制度) as data — lint, print, generate forms, audit records.

    Every command works on the project around the current folder: the nearest regkit.yaml upward
    (see regkit init), or the current folder laid out as regulations/, templates/, out/.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def config() -> ProjectConfig:
    """The project of the running command (found once)."""
    obj = click.get_current_context().find_root().obj
    if "config" not in obj:
        obj["config"] = find_project(explicit=obj.get("project_dir"))
    cfg: ProjectConfig = obj["config"]
    return cfg


def sources(regdir: Path | None, org: Path | None) -> tuple[Path, Path | None]:
    """The regulations folder and profile a command reads: as given, else the project's. A given
    folder keeps its own org.yaml."""
    if regdir is not None:
        return regdir, org
    cfg = config()
    return cfg.shown(cfg.regulations), org or cfg.shown(cfg.org)


def org_option(f: F) -> F:
    """The --org option shared by commands that need the organisation profile (and --project)."""
    return project_option(click.option(
        "--org", "org", type=click.Path(path_type=Path), default=None,
        help="Organisation profile (组织档案) YAML; default the project's (regulations/org.yaml).",
    )(f))


def regulations_option(f: F) -> F:
    """The --regulations option: where the regulation YAML files are."""
    return click.option(
        "--regulations", "regdir", type=click.Path(path_type=Path), default=None,
        help="Folder of regulation (规章制度) YAML files (default: the project's, regulations/).",
    )(f)


def load(regdir: Path | None, org: Path | None) -> Project:
    """Load the project for a command."""
    folder, profile = sources(regdir, org)
    return load_project([folder], profile)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@org_option
def lint(paths: tuple[Path, ...], org: Path | None) -> None:
    """Validate regulation YAML files and the organisation profile: schema, references,
    expressions, placeholders, seed files and lines, roles. With FILEs, only their problems
    (checked against the rest of the project).

    Every problem is printed as file:line:col: message; exit 2 if any.
    """
    from .lint import lint as run_lint

    click.echo(str(run_lint(config(), paths, org)))


@main.command()
@click.option("--org", "kind", flag_value="org", help="Print the schema of the organisation profile instead.")
@click.option("--regulation", "kind", flag_value="regulation", default=True, help="The regulation schema (default).")
@project_option
def schema(kind: str) -> None:
    """Print the JSON Schema of the regulation YAML format (for editors)."""
    from .schema import dumps

    click.echo(dumps(kind), nl=False)


@main.command(name="list")
@regulations_option
@org_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_(regdir: Path | None, org: Path | None, as_json: bool) -> None:
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
@click.option("-o", "--output", "out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder (default: the project's, out/).")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Layout templates folder (default: the project's templates/, else regkit's own).")
@click.option("-j", "--jobs", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("--force", is_flag=True, help="Rebuild even what the cache says is unchanged.")
@regulations_option
@org_option
def build(regulation_ids: tuple[str, ...], formats: str, langs: str, pdfa: bool, out: Path | None,
          templates: Path | None, jobs: int | None, force: bool, regdir: Path | None, org: Path | None) -> None:
    """Write the official documents (正式文件) of the regulations, OUT/<id>.docx and .pdf, and
    their blank forms (OUT/forms/).

    Unchanged outputs are skipped (content-hash cache in OUT/.regkit-cache.json); nothing is
    written if any file fails.
    """

    from .render.build import BuildOptions
    from .render.build import build as run_build

    cfg = config()
    folder, profile = sources(regdir, org)
    options = BuildOptions(
        regulations=regulation_ids, formats=_csv(formats), langs=_csv(langs), pdfa=pdfa,
        out=out or cfg.shown(cfg.output), source=folder, org=profile, templates=templates or cfg.shown(cfg.templates),
        jobs=jobs, force=force)
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
              help="Output file (default: the project's out/forms/FORM-ID[-RECORD-ID].FORMAT).")
@regulations_option
@org_option
def form(form_id: str, formats: str | None, data: Path | None, output: Path | None, regdir: Path | None,
         org: Path | None) -> None:
    """Write one form (表单), blank or filled in from a record."""
    from .forms.api import form_command, parse_formats

    fmts = parse_formats(formats or (output.suffix if output is not None and output.suffix else "pdf"))
    cfg = config()
    notes: list[str] = []
    for path in form_command(load(regdir, org), form_id, fmts, data, output, outdir=cfg.shown(cfg.output) / "forms",
                             templates=cfg.shown(cfg.templates), notes=notes):
        click.echo(f"wrote {path}")
    for note in notes:
        click.echo(f"note: {note}", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="Output format of the records.")
@regulations_option
@org_option
def extract(files: tuple[Path, ...], fmt: str, regdir: Path | None, org: Path | None) -> None:
    """Read filled-in DOCX/PDF/XLSX (or ODT/ODS) forms back into records, file by file: every
    readable file's records are printed and each unreadable one listed (exit 2 if any is)."""
    from .forms.api import read_forms
    from .forms.records import dump_records

    got = read_forms(list(files), load(regdir, org))
    for note in got.notes:
        click.echo(f"note: {note}", err=True)
    if got.records or not got.problems:
        click.echo(dump_records(got.records, fmt), nl=False)
    for problem in sorted(set(got.problems)):
        click.echo(str(problem), err=True)
    if got.problems:
        click.get_current_context().exit(2)


@main.command()
@click.argument("records", nargs=-1, type=click.Path(path_type=Path))
@click.option("--from", "date_from", type=DATE, default=None, metavar="DATE",
              help="Start of the audit window, YYYY-MM-DD (default: the earliest record).")
@click.option("--as-of", "as_of", type=DATE, default=None, metavar="DATE",
              help="Audit date, end of the audit window, YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "junit", "csv"]), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the report to this file (default: standard output).")
@click.option("--encoding", default=None, help="Encoding of CSV files (default: detected; UTF-8 or GBK/GB18030).")
@click.option("--only", "only", multiple=True, metavar="ID",
              help="Audit only the rules of this regulation, form or rule id; glob patterns such as 'arrears-*' "
                   "allowed; repeatable. Every record is still read and validated.")
@click.option("--database", default=None, metavar="URL",
              help="Audit the records stored by the web application (sqlite:///FILE or postgresql://...) "
                   "instead of, or besides, RECORDS.")
@regulations_option
@org_option
@click.pass_context
def check(ctx: click.Context, records: tuple[Path, ...], date_from: Any, as_of: Any, fmt: str, output: Path | None,
          encoding: str | None, only: tuple[str, ...], database: str | None, regdir: Path | None,
          org: Path | None) -> None:
    """Audit records (YAML/JSON/CSV/XLSX files, filled-in forms, folders) against every rule;
    with none given, the project's records folder (records: in regkit.yaml), or with --database
    the records the web application stored.

    Exit 0 if clean, 1 if there are findings, 2 if any input is bad or unreadable (the report is
    still written, listing what could not be read), or if there is nothing to audit (no records,
    a path that does not exist, no rule selected).
    """

    from .check import audit
    from .report import render, write_atomic

    cfg = config()
    window = {"date_from": date_from.date() if date_from else None, "as_of": as_of.date() if as_of else None}
    if database is not None:
        from .web.cli import audit_stored

        report = audit_stored(_web(regdir, org, None, database), records, encoding=encoding, only=only, **window)
    else:
        if not records:
            if cfg.records is None:
                raise UsageError("give the records to audit (files or folders), or name them as records: in "
                                 "regkit.yaml, or audit the web application's records with --database URL")
            records = (cfg.shown(cfg.records),)
        report = audit(load(regdir, org), records, encoding=encoding, only=only, **window)
    color = fmt == "text" and output is None and sys.stdout.isatty()
    data = render(report, fmt, color=color, templates=cfg.shown(cfg.templates))
    if output is not None:
        write_atomic(output, data)
        click.echo(f"wrote {output}: {len(report.findings)} findings, {len(report.unreadable)} unreadable, "
                   f"{report.checked} records checked", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False, color=color)
    if database is None:
        ctx.find_root().obj["done"] = True  # nothing left open: the process may end at once (run)
    ctx.exit(report.exit_code)


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("--templates", is_flag=True,
              help="Copy regkit's own templates into the project (templates/), to restyle documents and forms.")
def init(folder: Path, templates: bool) -> None:
    """Create a project in FOLDER (default: here): regkit.yaml, an example regulation
    (费用报销及借款管理制度) with two forms and its rules, the organisation profile (org.yaml),
    its source text and sample records. In a project, --templates only copies the templates.
    """
    import os

    from .starter import init_project

    result = init_project(folder, templates=templates)
    for path in result.written:
        click.echo(f"wrote {os.path.relpath(path)}")
    if result.root / PROJECT_FILE in result.written:
        click.echo(f"next: cd {os.path.relpath(result.root)} && regkit lint && regkit build && regkit check")


def _web_options(f: F) -> F:
    """The options shared by the web application's commands: project, data folder, database."""
    f = click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                     help="Data folder (secret key, default SQLite file); default .regkit in the project.")(f)
    f = click.option("--database", default=None, metavar="URL", envvar="REGKIT_DATABASE_URL",
                     help="sqlite:///FILE (default: regkit.sqlite3 in the data folder) or "
                          "postgresql://user:password@host:port/name; also $REGKIT_DATABASE_URL.")(f)
    return org_option(regulations_option(f))


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface; put HTTPS in front then).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes [default: 2 on SQLite; on PostgreSQL two per core, from 2 to 8].")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Threads per worker [default: 8 on SQLite, 4 on PostgreSQL].")
@_web_options
def serve(port: int, host: str, workers: int | None, threads: int | None, data_dir: Path | None, database: str | None,
          regdir: Path | None, org: Path | None) -> None:
    """Serve the web application: staff fill in forms (表单), approvers approve, department heads
    sign stubs (存根), auditors audit. SQLite file by default; schema upgraded on start."""
    from .web.server import serve as run_server

    config = _web(regdir, org, data_dir, database)

    def ready(url: str) -> None:
        click.echo(f"regkit: serving {url} (database {_shown_db(config.database)}); Ctrl-C stops", err=True)

    run_server(config, host=host, port=port, workers=workers, threads=threads, ready=ready)


def _web(regdir: Path | None, org: Path | None, data_dir: Path | None, database: str | None) -> Any:
    """The web application's configuration for the command's project."""
    from .web.cli import web_config

    cfg = config()
    folder, profile = sources(regdir, org)
    return web_config(folder, profile, data_dir or cfg.root / ".regkit", database, cfg.templates)


def _shown_db(url: str) -> str:
    from .web.dburl import redact

    return redact(url)


@main.group()
def db() -> None:
    """The web application's database: schema upgrades, accounts, imports."""


@db.command()
@_web_options
def upgrade(data_dir: Path | None, database: str | None, regdir: Path | None, org: Path | None) -> None:
    """Apply the schema migrations the database lacks."""
    from .web.server import upgrade as run_upgrade

    config = _web(regdir, org, data_dir, database)
    done = run_upgrade(config)
    click.echo(f"database {_shown_db(config.database)}: {len(done)} migrations applied, schema up to date")


@db.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@_web_options
def password(names: tuple[str, ...], password_stdin: bool, data_dir: Path | None, database: str | None,
             regdir: Path | None, org: Path | None) -> None:
    """Set the password of NAME, a person of the organisation profile (asks for it twice); with
    several names, each gets the same password (to be changed at first sign-in)."""
    import sys

    from .web.cli import set_password

    if password_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = click.prompt(f"password for {', '.join(names)}", hide_input=True, confirmation_prompt=True)
    set_password(_web(regdir, org, data_dir, database), names, secret)
    click.echo(f"password of {', '.join(names)} set")


@db.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="Address people open.")
@_web_options
def link(names: tuple[str, ...], base_url: str, data_dir: Path | None, database: str | None, regdir: Path | None,
         org: Path | None) -> None:
    """Print a one-time first-login link (valid 72 hours) for each NAME of the profile."""
    from .web.cli import issue_links

    for name, url in issue_links(_web(regdir, org, data_dir, database), names, base_url):
        click.echo(f"{name}\t{url}")


@db.command()
@click.argument("name")
@click.argument("duty", type=click.Choice(["auditor", "admin"]))
@click.option("--revoke", is_flag=True, help="Take the duty back.")
@_web_options
def grant(name: str, duty: str, revoke: bool, data_dir: Path | None, database: str | None, regdir: Path | None,
          org: Path | None) -> None:
    """Give NAME a duty in the web application: auditor (reads every record, runs the audit)."""
    from .web.cli import grant_duty

    grant_duty(_web(regdir, org, data_dir, database), name, duty, revoke=revoke)
    click.echo(f"{name}: {duty} {'revoked' if revoke else 'granted'}")


@db.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--as", "actor", default="", help="Name recorded in the history as importing (default: system).")
@_web_options
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], actor: str, data_dir: Path | None, database: str | None,
            regdir: Path | None, org: Path | None) -> None:
    """Store record files (YAML/JSON/CSV/XLSX, filled-in forms) in the database; exit 2 if any
    record could not be read or stored (each listed with its line)."""
    from .web.cli import import_files

    stored, problems = import_files(_web(regdir, org, data_dir, database), list(files), actor or "system")
    for p in problems:
        click.echo(p, err=True)
    click.echo(f"{stored} records stored, {len(problems)} not")
    ctx.exit(2 if problems else 0)


def _stdout_closed() -> None:
    """The reader of our output went away (``regkit list | head -1``): nothing more to say, and
    the interpreter must not fail flushing what is left at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (e.g. under a test runner)
        pass


def run() -> None:
    """Console-script entry point (and ``python -m regkit``)."""
    obj: dict[str, Any] = {}
    try:
        main(obj=obj)
    except BrokenPipeError:  # pragma: no cover - raised outside a command (click's own output)
        _stdout_closed()
        sys.exit(0)
    except SystemExit as exc:
        if obj.get("done") and isinstance(exc.code, int):
            _leave(exc.code)
        raise


def _leave(code: int) -> None:
    """End the process now, the command's output flushed: tearing down what an audit built (a
    million records in the engine, every module) takes a tenth of a second that nobody waits for.
    Only commands that set ``done`` come here: they hold no child process, open file or
    connection that needs closing."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # pragma: no cover - the reader went away
        pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
