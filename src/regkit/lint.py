"""``regkit lint``: every problem of a project in one run (schema, references, expressions,
placeholders, seeds, roles), each as ``file:line:col``; for given files, only theirs, checked
against the rest of the project."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem
from .loader import ORG_FILE, Collected, Project, _clause_paths, collect
from .model import CadenceRule, Form, Org, Regulation
from .project import ProjectConfig
from .yamlsafe import Located, Path_

# Anything in braces is a placeholder to the reader: ``{借款人}`` prints as written, so it is
# checked as well as ``{borrower}``.
PLACEHOLDER_RE = re.compile(r"\{([^{}\s]{1,40})\}")
# Names a rule's message may use besides the form's fields, its parameters and as_of: the values
# each kind of rule computes (check.rules puts them in ``extras``).
MESSAGE_EXTRAS: dict[str, set[str]] = {
    "approval": {"approvers"}, "stub_signatures": {"unsigned"}, "deadline": {"due_date", "overdue_days"},
    "cadence": {"period"}, "requires": set(), "conflict": {"first_id"}, "expr": set(), "outstanding": {"open_ids"},
}


@dataclass(frozen=True)
class LintSummary:
    """What a clean lint saw."""

    regulations: int
    forms: int
    rules: int

    def __str__(self) -> str:
        return f"ok: {self.regulations} regulations, {self.forms} forms, {self.rules} rules"


def lint(cfg: ProjectConfig, paths: Sequence[Path] = (), org: Path | None = None) -> LintSummary:
    """Check the project (no ``paths``), the given folders, or the given files against the
    project; raise InputError with every problem (of the given files only, if files are given)."""
    files = [p for p in paths if not p.is_dir()]
    only: set[Path] | None = None
    if paths and len(files) == len(paths) and all(p.exists() for p in paths):
        only = {p.resolve() for p in files}
        if org is None:
            org = next((p for p in files if p.name == ORG_FILE), None)
        if org is not None:
            only.add(Path(org).resolve())
        base = [cfg.shown(cfg.regulations)] if cfg.regulations.is_dir() else []
        found = collect(base, org, default_org=cfg.shown(cfg.org), extra=[p for p in files if p.name != ORG_FILE])
    elif paths:
        found = collect(paths, org, default_org=cfg.shown(cfg.org))
    else:
        found = collect([cfg.shown(cfg.regulations)], org or cfg.shown(cfg.org))
    problems = [*found.problems, *placeholder_problems(found), *seed_problems(found, cfg), *role_problems(found)]
    if only is not None:
        problems = [p for p in problems if Path(p.file).resolve() in only]
    if problems:
        raise InputError(problems)
    regs = [r for r, _ in found.regs]
    return LintSummary(len(regs), sum(len(r.forms) for r in regs), sum(len(r.rules) for r in regs))


def _unknown(loc: Located, path: Path_, text: str | None, known: set[str], what: str) -> Iterator[Problem]:
    for m in PLACEHOLDER_RE.finditer(text or ""):
        if m.group(1) not in known:
            hint = f" ({what}: {', '.join(sorted(known))})" if known else f" ({what})"
            yield loc.problem(path, f"unknown placeholder {m.group(0)}{hint}")


def placeholder_problems(found: Collected) -> list[Problem]:
    """Placeholders in printed texts that nothing fills: a form's texts may name the regulation's
    parameters, a rule's message also the form's fields and what the rule computes; rule titles
    and parameter labels are printed as written."""
    forms = {f.id: f for r, _ in found.regs for f in r.forms}
    out: list[Problem] = []
    for reg, loc in found.regs:
        params = {p.key for p in reg.parameters}
        for i, par in enumerate(reg.parameters):
            out += _unknown(loc, ("parameters", i, "label"), par.label, set(), "printed as written")
        for c, path in _clause_paths(reg.body, ("body",)):
            out += _unknown(loc, (*path, "num"), c.num, set(), "printed as written")
            for attr in ("title", "text"):
                # {key} of the parameters is the loader's check; the rest is this one's
                text = re.sub(r"\{[a-z][a-z0-9_]*\}", "", getattr(c, attr) or "")
                out += _unknown(loc, (*path, attr), text, params, "parameters")
        for i, fm in enumerate(reg.forms):
            out += _form_placeholders(loc, ("forms", i), fm, params)
        for i, rule in enumerate(reg.rules):
            out += _unknown(loc, ("rules", i, "title"), rule.title, set(), "a rule's title is printed as written")
            names = params | {"as_of"} | MESSAGE_EXTRAS.get(rule.kind, set())
            form = forms.get(rule.form or "")
            if not isinstance(rule, CadenceRule):
                if form is None:
                    continue  # an unknown form is reported; its fields cannot be judged
                names |= {f.key for f in form.fields if f.type != "table"} | {"id"}
            out += _unknown(loc, ("rules", i, "message"), rule.message, names, "known")
    return out


def _form_placeholders(loc: Located, base: Path_, form: Form, params: set[str]) -> Iterator[Problem]:
    yield from _unknown(loc, (*base, "title"), form.title, set(), "a form's title is printed as written")
    yield from _unknown(loc, (*base, "description"), form.description, params, "parameters")
    if form.stub:
        yield from _unknown(loc, (*base, "stub", "title"), form.stub.title, set(), "printed as written")
    for j, fld in enumerate(form.fields):
        fp = (*base, "fields", j)
        yield from _unknown(loc, (*fp, "label"), fld.label, set(), "a label is printed as written")
        yield from _unknown(loc, (*fp, "help"), fld.help, params, "parameters")
        for k, col in enumerate(fld.columns or []):
            yield from _unknown(loc, (*fp, "columns", k, "label"), col.label, set(), "a label is printed as written")
            yield from _unknown(loc, (*fp, "columns", k, "help"), col.help, params, "parameters")


def seed_problems(found: Collected, cfg: ProjectConfig) -> list[Problem]:
    """Seed files that are not in the project's seeds folder, and ``source:`` lines past their end
    or in no seed file. Without a project file, a project without seeds/ is not checked."""
    from .seeds import seed_file, seed_lines

    folder = cfg.seeds
    if not folder.is_dir() and cfg.file is None:
        return []
    out: list[Problem] = []
    counts: dict[int, int | None] = {}

    def lines_of(number: int) -> int | None:
        if number not in counts:
            try:
                counts[number] = len(seed_lines(seed_file(folder, number)))
            except (OSError, UnicodeDecodeError):
                counts[number] = None
        return counts[number]

    shown = cfg.shown(folder)
    for reg, loc in found.regs:
        for i, seed in enumerate(reg.seeds):
            if seed.file != "?" and not (folder / seed.file).is_file():
                out.append(loc.problem(("seeds", i, "file"), f"seed file {seed.file!r} is not in {shown}/"))
        for c, path in _clause_paths(reg.body, ("body",)):
            if not c.source:
                continue
            num, line = (int(x) for x in c.source.split(":"))
            n = lines_of(num)
            if n is None:
                out.append(loc.problem((*path, "source"),
                                       f"source {c.source}: no seed file {num:03d}_*.txt in {shown}/"))
            elif not 1 <= line <= n:
                out.append(loc.problem((*path, "source"), f"source {c.source}: seed {num:03d} has {n} lines"))
    return out


def _needs(reg: Regulation) -> Iterator[tuple[Path_, str, str | None, bool]]:
    """(path, role, department, from a rule) for every role a form or rule of ``reg`` needs."""
    for i, form in enumerate(reg.forms):
        if form.filled_by:
            yield ("forms", i, "filled_by"), form.filled_by, None, False
    for i, rule in enumerate(reg.rules):
        dept = getattr(rule, "department", None)
        role = getattr(rule, "role", None)
        if isinstance(role, str):
            yield ("rules", i, "role"), role, dept, True
        for attr in ("person", "responsible"):
            who = getattr(rule, attr, None)
            if isinstance(who, str) and who.startswith("role:"):
                yield ("rules", i, attr), who[5:], dept, True


def role_problems(found: Collected) -> list[Problem]:
    """Roles a form or rule needs that nobody holds (for that regulation and department), and a
    role that rules of several regulations need, given without saying for which regulation to
    people of several departments (they would answer for all of them)."""
    org = found.org
    if org is None:
        return []
    project = Project([r for r, _ in found.regs], org, found.files)
    out: list[Problem] = []
    users: dict[str, list[str]] = {}
    for reg, loc in found.regs:
        for path, role, dept, rule in _needs(reg):
            if role not in reg.role_names() or (dept and org.head_of(dept) is None):
                continue  # the loader reports an undeclared role or an unknown department
            if not project.holders(role, dept, regulation=reg.id):
                where = f" in {dept}" if dept else ""
                out.append(loc.problem(path, f"nobody in the organisation profile holds {role}{where} for {reg.id}: "
                                             f"add it to someone's roles: (or under roles: for {reg.id})"))
            if rule:
                users.setdefault(role, [])
                if reg.id not in users[role]:
                    users[role].append(reg.id)
    if found.org_loc is not None:
        out += _shared_roles(org, found.org_loc, project, users)
    return out


def _shared_roles(org: Org, loc: Located, project: Project, users: dict[str, list[str]]) -> list[Problem]:
    out: list[Problem] = []
    for role, rids in sorted(users.items()):
        if len(rids) < 2:
            continue
        names = project.role_names(role)
        scoped = {a.regulation for a in org.roles if a.role in names and a.regulation}
        open_ = [r for r in rids if r not in scoped]
        if len(open_) < 2:
            continue
        general = [(i, p) for i, p in enumerate(org.people) if names & set(p.roles)]
        if len({p.department for _, p in general}) < 2:
            continue
        i, person = general[0]
        j = next(k for k, r in enumerate(person.roles) if r in names)
        out.append(loc.problem(
            ("people", i, "roles", j),
            f"{role} is a role in {' and '.join(open_)}, given here to people of "
            f"{'、'.join(sorted({p.department for _, p in general}))} for all of them: say who holds it for which "
            f"regulation (roles: - {{role: {role}, regulation: {open_[0]}, people: [...]}})"))
    return out
