"""The compliance checker: read the records, load them into DuckDB, lock it, run every rule of
the regulations as SQL, and report each breach with its clause, person and fine.

An incomplete audit never looks clean: whatever could not be read is in the report's
``unreadable`` list and makes the exit code 2, even when there are findings too."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from pathlib import Path

from ..errors import InputError
from ..loader import Project
from ..model import Form, Regulation, Rule
from ..records import Collected, CsvTable, Unreadable, collect, validate
from ..records.csvfile import CsvProblem, read_python, utf8_copy
from ..records.sources import NO_SUCH_PATH
from ..records.tabular import rows_to_records
from .accept import quote
from .engine import duckdb
from .findings import Finding, Report, RuleInfo, citation
from .rules import needed_fields, run
from .store import Store, to_unreadable

__all__ = ["Finding", "Report", "audit", "select_rules"]

# The dates an audit window may span (periods are counted day by day across it).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def audit(project: Project, paths: Iterable[Path | str], *, date_from: dt.date | None = None,
          as_of: dt.date | None = None, encoding: str | None = None, only: Sequence[str] = ()) -> Report:
    """Audit the records under ``paths`` against every rule of ``project``.

    ``date_from``..``as_of`` is the audit window of cadence rules (default: from the earliest
    record to today); ``encoding`` forces the encoding of CSV files (default: detected);
    ``only`` limits the audit to the rules of these regulations, forms or rule ids (glob
    patterns; every record is still read and validated)."""
    as_of = as_of or dt.date.today()
    for option, day in (("--from", date_from), ("--as-of", as_of)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise InputError.at(option, 1, 1, f"{day} is outside the dates an audit covers ({EARLIEST} to {LATEST})")
    if date_from is not None and date_from > as_of:
        raise InputError.at("--from", 1, 1, f"the audit window starts ({date_from}) after it ends ({as_of})")
    selected = select_rules(project, only)
    store = Store()
    given = [Path(p) for p in paths]
    with tempfile.TemporaryDirectory(prefix="regkit-check-") as tmp:
        store.spill_to(Path(tmp))
        got = collect(project, given, workdir=Path(tmp), encoding=encoding)
        unreadable = list(got.unreadable)
        records = list(got.records)
        for table in got.tables:
            more = load_table(project, store, table, Path(tmp), forced=encoding is not None)
            records += more.records
            unreadable += more.unreadable
        store.load_records(records)
        forms = [f for _, f in project.forms()]
        store.create_views(forms)
        unreadable += to_unreadable(store.duplicates(forms), store)
        counts = store.counts(forms)
        checked = sum(counts.values())
        if not checked:
            _nothing_to_audit(given, unreadable)
        if not unreadable:
            _nothing_in_scope(project, given, counts, selected, bool(only), select_forms(project, only))
        store.lock()
        # a record dated in year 1 does not make the audit walk two thousand years of periods
        start = date_from or max(_earliest(store, forms) or as_of, EARLIEST)
        skipped: list[str] = []
        found = run(store.con, project, as_of, min(start, as_of), counts, selected, skipped,
                    select_forms(project, only))
        findings = with_lines(found, store)
    rules = [RuleInfo(r.id, reg.id, r.title, r.kind, citation(project, reg, r.clauses[0]), i)
             for reg in project.regulations for i, r in enumerate(reg.rules) if selected(reg, r)]
    titles = {r.id: r.title for r in project.regulations}
    in_force = tuple(sorted({reg.id for reg in project.regulations for r in reg.rules if selected(reg, r)}))
    return Report(as_of, min(start, as_of), project.org.company, checked, findings, unreadable, rules, titles,
                  in_force, tuple(skipped))


def with_lines(findings: list[Finding], store: Store) -> list[Finding]:
    """Findings with the line of their record in its source (a CSV row's first line)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for f in findings:
        if f.source is not None and f.line is not None:
            wanted[f.source].add(f.line)
    lines = {src: store.unreadable_lines(src, sorted(pos)) for src, pos in wanted.items()}
    for f in findings:
        if f.source is not None and f.line is not None:
            f.line = lines[f.source].get(f.line, f.line)
    return findings


def _nothing_to_audit(paths: list[Path], unreadable: list[Unreadable]) -> None:
    """An audit of no record never looks clean: when nothing was read at all (an empty folder,
    a path that does not exist), one line saying why (exit 2). Records that could not be read
    are listed in the report instead (also exit 2)."""
    gone = [u for u in unreadable if u.error == NO_SUCH_PATH]
    if len(gone) < len(unreadable):
        return
    if gone:
        first = min(gone)
        raise InputError.at(first.source, first.line, 1, f"{NO_SUCH_PATH}: nothing to audit")
    where = "、".join(str(p) for p in paths) or "."
    raise InputError.at(where, 1, 1, "no records to audit: no record file (.yaml, .json, .csv, .xlsx, filled-in "
                        ".docx/.pdf) here holds a record")


def _nothing_in_scope(project: Project, paths: list[Path], counts: dict[str, int],
                      selected: Callable[[Regulation, Rule], bool], only: bool,
                      forms: Callable[[Regulation, Form], bool] | None = None) -> None:
    """An audit whose records no chosen rule reads (records of a regulation not in force only, or
    ``--only`` naming rules of forms nobody supplied) audited nothing: one line saying so (exit 2)
    rather than a clean report."""
    for reg in project.regulations:
        chosen = [rule for rule in reg.rules if selected(reg, rule)]
        read = {rule.form for rule in chosen} | {getattr(rule, "other", None) for rule in chosen}
        if not only and chosen:  # the completeness of every form of a regulation in force
            read |= {f.id for f in reg.forms}
        if forms is not None:  # forms whose completeness --only chose (<form>:required)
            read |= {f.id for f in reg.forms if forms(reg, f)}
        if any(counts.get(fid or "", 0) for fid in read):
            return
    held = sorted({reg.id for reg in project.regulations for f in reg.forms if counts.get(f.id, 0)})
    where = "、".join(str(p) for p in paths) or "."
    what = "the rules chosen with --only" if only else "the regulations in force (the profile's regulations:)"
    raise InputError.at(where, 1, 1, f"nothing to audit: the records belong to {', '.join(held)}, "
                        f"and none of {what} reads them")


def select_rules(project: Project, only: Sequence[str] = ()) -> Callable[[Regulation, Rule], bool]:
    """Whether a rule is audited: every rule of the regulations in force (the profile's
    ``regulations``, default all), or with ``only`` those whose regulation id, form id or own id
    matches one of the glob patterns. InputError for a pattern that matches nothing (a typo
    would otherwise give a clean audit)."""
    force = project.org.regulations
    if force is not None:
        unknown = [r for r in force if project.regulation(r) is None]
        if unknown:
            raise InputError.at("--org", 1, 1, f"unknown regulation {unknown[0]!r} among the regulations in force")
        if not force:
            raise InputError.at("--org", 1, 1, "no regulation is in force: nothing to audit")
    active = set(force) if force is not None else {r.id for r in project.regulations}

    def hit(pattern: str, reg: Regulation, rule: Rule) -> bool:
        return any(fnmatchcase(name, pattern) for name in (reg.id, rule.id, rule.form or ""))

    for pattern in only:
        if any(fnmatchcase(f"{form.id}:required", pattern) for _, form in project.forms()):
            continue
        if not any(hit(pattern, reg, rule) for reg in project.regulations for rule in reg.rules):
            raise InputError.at("--only", 1, 1, f"no regulation, form or rule matches {pattern!r}")
        if not any(hit(pattern, reg, rule) for reg in project.regulations for rule in reg.rules if reg.id in active):
            raise InputError.at("--only", 1, 1, f"{pattern!r} matches only regulations not in force")
    if not only:
        return lambda reg, rule: reg.id in active
    return lambda reg, rule: reg.id in active and any(hit(p, reg, rule) for p in only)


def select_forms(project: Project, only: Sequence[str] = ()) -> Callable[[Regulation, Form], bool]:
    """Whether the completeness of a form's records is audited: every form of the regulations
    in force, or with ``only`` those whose regulation id, form id or ``<form>:required`` matches."""
    force = project.org.regulations
    active = set(force) if force is not None else {r.id for r in project.regulations}

    def chosen(reg: Regulation, form: Form) -> bool:
        names = (reg.id, form.id, f"{form.id}:required")
        return reg.id in active and (not only or any(fnmatchcase(n, p) for p in only for n in names))

    return chosen


def load_table(project: Project, store: Store, table: CsvTable, workdir: Path, *, forced: bool) -> Collected:
    """Let DuckDB read a flat CSV file; rows it does not take go through the Python checks, and a
    file it cannot parse is read in Python (which locates the broken rows)."""
    try:
        rejected = store.load_csv(table, needed_fields(project, table.form))
    except duckdb.Error:
        if not forced and table.encoding == "utf-8-sig" and not _is_utf8(table.path) and not _looks_utf8(table.path):
            try:  # the first bytes looked like UTF-8 but the file is not: Chinese Excel's GBK
                gbk = CsvTable(utf8_copy(table.original, "gb18030", workdir), table.original, table.source,
                               "gb18030", table.regulation, table.form, table.columns)
            except CsvProblem:
                return read_python(project, table.original, table.source, table.encoding, table.columns)
            return load_table(project, store, gbk, workdir, forced=True)
        return read_python(project, table.original, table.source, table.encoding, table.columns)
    out = Collected()
    if rejected:
        lines = store.unreadable_lines(table.source, [p for p, _ in rejected])
        rows = [(lines.get(p, p + 2), cells) for p, cells in rejected]
        raws, bad = rows_to_records(table.form, table.columns, rows, table.source, lenient=True, names=table.headings)
        out.unreadable += bad
        checked = validate(project, raws)
        out.unreadable += checked.unreadable
        # the engine places this file's records by their 0-based position (and turns positions
        # into lines once, when reporting), so a record read here is stored by its position too
        position = {line: p for p, (line, _) in zip((p for p, _ in rejected), rows, strict=True)}
        out.records += [replace(r, line=position.get(r.line, r.line)) for r in checked.records]
    return out


def _looks_utf8(path: Path) -> bool:
    """UTF-8 with a stray byte (reported where it is), not GBK to be read again."""
    from ..records.csvfile import looks_utf8

    with path.open("rb") as fh:
        return looks_utf8(fh.read(1 << 24))


def _is_utf8(path: Path) -> bool:
    import codecs

    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                dec.decode(chunk)
        dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _earliest(store: Store, forms: list[Form]) -> dt.date | None:
    """The earliest day the records speak of: a periodic record's period (the September
    analysis filed in October opens the window on 1 September), else a record's ``date`` field,
    else its first date field."""
    best: dt.date | None = None
    for form in forms:
        date = form.field("date")
        if date is None or date.type != "date":
            date = next((f for f in form.fields if f.type == "date"), None)
        pf = form.field(form.period) if form.period else None
        if pf is not None and pf.type == "month":
            expr = f"CAST(r.{quote(pf.key)} || '-01' AS DATE)"
        elif pf is not None and pf.type == "date":
            expr = f"r.{quote(pf.key)}"
        elif date is not None:
            expr = f"r.{quote(date.key)}"
        else:
            continue
        row = store.con.execute(f"SELECT min({expr}) FROM {quote(form.id)} r").fetchone()
        if row and row[0] is not None and (best is None or row[0] < best):
            best = row[0]
    return best
