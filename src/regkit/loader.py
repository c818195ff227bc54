"""Loading regulations and the organisation profile: strict YAML, schema validation, and every
cross-reference resolved. Every problem is reported with its YAML location, then loading stops."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import expr
from .errors import InputError, Problem
from .model import (
    PARAM_RE,
    PERIODS,
    ApprovalRule,
    CadenceRule,
    Clause,
    ConflictRule,
    DeadlineRule,
    ExprRule,
    Form,
    Org,
    OutstandingRule,
    Regulation,
    RequiresRule,
    StubRule,
)

if TYPE_CHECKING:  # the YAML reader is imported when a file is read (a cached project needs none)
    from .yamlsafe import Located, Path_

M = TypeVar("M", bound=BaseModel)

DEFAULT_DIR = Path("regulations")
ORG_FILE = "org.yaml"
RULE_KINDS = ("approval", "stub_signatures", "deadline", "cadence", "requires", "conflict", "expr", "outstanding")


@dataclass
class Project:
    """The regulations and the organisation profile, loaded and cross-checked."""

    regulations: list[Regulation]
    org: Org
    files: dict[str, str]  # regulation id -> file it came from

    def regulation(self, rid: str) -> Regulation | None:
        """The regulation with this id, or None."""
        return next((r for r in self.regulations if r.id == rid), None)

    def forms(self) -> Iterator[tuple[Regulation, Form]]:
        """Every form with its regulation."""
        for r in self.regulations:
            for f in r.forms:
                yield r, f

    def form(self, fid: str) -> tuple[Regulation, Form] | None:
        """The form with this id and its regulation, or None."""
        return next(((r, f) for r, f in self.forms() if f.id == fid), None)

    def param(self, reg: Regulation, key: str) -> Any:
        """The value of a parameter: the profile's, else the regulation's default. ``key`` may be
        qualified as ``regulation-id:key``."""
        if ":" in key:
            rid, key = key.split(":", 1)
            other = self.regulation(rid)
            if other is None:
                raise KeyError(rid)
            reg = other
        p = reg.parameter(key)
        if p is None:
            raise KeyError(key)
        return self.org.parameters.get(reg.id, {}).get(key, p.default)

    def role_names(self, role: str) -> set[str]:
        """A role's name and every alias any regulation gives it."""
        names = {role}
        for reg in self.regulations:
            for r in reg.roles:
                if role in (group := {r.name, *r.aliases}):
                    names |= group
        return names

    def holders(self, role: str, department: str | None = None, *, regulation: str | None = None) -> list[str]:
        """The people holding a role (under any of its names), for a regulation and in (or for) a
        department if given, sorted (``check.rules.holders`` is this, for the rule compiler)."""
        return sorted(self.org.holders(role, department, regulation=regulation, names=self.role_names(role)))

    def params(self, reg: Regulation) -> dict[str, Any]:
        """All parameter values of a regulation."""
        return {p.key: self.param(reg, p.key) for p in reg.parameters}


def _validate(model: type[M], loc: Located) -> tuple[M | None, list[Problem]]:
    try:
        return model.model_validate(loc.data), []
    except ValidationError as exc:
        groups: dict[Path_, list[Any]] = {}
        for err in exc.errors():
            path = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.endswith("Rule")))
            path = _data_path(path, loc)
            if err["type"] == "union_tag_invalid":
                path += ("kind",)  # point at the wrong kind, not at the whole rule
            groups.setdefault(path, []).append(err)
        problems = []
        for path, errs in groups.items():
            # a value that fits none of a union's members: one line saying what each would take
            wants = [w for w in (_expected(e) for e in errs) if w]
            if len(errs) > 1 and path and path[-1] in _UNION_WANTS:
                wants = [_UNION_WANTS[str(path[-1])]]
            if len(errs) > 1 and wants and len(wants) in (1, len(errs)):
                problems.append(loc.problem(path, _wanted(path, loc, errs[0].get("input"), wants)))
                continue
            problems += [loc.problem(path, _message(err, path, loc), key=err["type"] == "extra_forbidden")
                         for err in errs]
        return None, problems


def _data_path(path: tuple[Any, ...], loc: Located) -> Path_:
    # pydantic puts the discriminator tag ("approval") into loc paths of union members, and the
    # member's name ("int", "constrained-str") after the value's path
    out: list[Any] = []
    node: Any = loc.data
    for part in path:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and part not in node and part in RULE_KINDS:
            continue
        elif out and not isinstance(node, (dict, list)) and node is not None:
            break  # a scalar has no parts: the rest names union members
        else:
            out.append(part)
            node = None
    return tuple(out)


# What the patterns of model.py mean, in words an author understands.
_PATTERNS = {
    r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$": "lowercase letters and digits joined by hyphens, e.g. arrears-approval",
    r"^[a-z0-9]+([.-][a-z0-9]+)*$": "lowercase letters and digits joined by dots, e.g. s8.3.3",
    r"^[a-z][a-z0-9_]*$": "lowercase letters, digits and _, e.g. approved_by",
    r"^([a-z][a-z0-9-]*:)?[a-z0-9][a-z0-9._-]*$":
        "a key or clause id, or regulation-id:key, e.g. market-department:s11.1",
    r"^-?([a-z][a-z0-9-]*:)?[a-z0-9][a-z0-9._-]*$":
        "a parameter key, e.g. claim_days, or -claim_days for that many days before",
    r"^\d{3}:\d+$": 'seed number and line in quotes, e.g. "002:88"',
    r"^[A-Z]{1,6}$": "capital letters, e.g. QF",
}
# What a key that takes one of several kinds of value takes, said once.
_UNION_WANTS = {
    "period": "day, week, month, quarter or year (or 每日, 每周, 每月, 每季度, 每年), or a parameter key holding one",
    "default": "a number or text",
}
_EXPECTED = {
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "model_attributes_type": "expected a mapping (key: value)",
}


def _expected(err: Any) -> str | None:
    """What one schema type takes, in the author's words with an example; None if unknown."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "a whole number, e.g. 30"
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return "a number, e.g. 200 or 12.5"
    if kind in ("bool_parsing", "bool_type"):
        return "true or false"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "a date written YYYY-MM-DD, e.g. 2026-01-31"
    if kind == "literal_error":
        return "one of " + str(ctx.get("expected", "")).replace("'", "")
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(ctx.get("pattern", ""))
    if kind == "greater_than_equal":
        return f"a number of at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"a number of at most {ctx.get('le')}"
    if kind == "greater_than":
        return f"a number above {ctx.get('gt')}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"at least {n} item{'s' if n != 1 else ''}"
    return None


def _shown(path: Path_, loc: Located, value: Any) -> str:
    """A value as the author wrote it."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    raw = loc.plain.get(path)
    return repr(value) if raw is None or isinstance(value, str) else raw


def _wanted(path: Path_, loc: Located, value: Any, wants: list[str]) -> str:
    said = [w.replace(", e.g. ", " (e.g. ", 1) + ")" if ", e.g. " in w else w for w in dict.fromkeys(wants)]
    return f"{_name(path)}: expected {' or '.join(said)}; got {_shown(path, loc, value)}"


def _name(path: Path_) -> str:
    name: Any = path[-1] if path else "document"
    if isinstance(name, int):
        name = f"{path[-2]}[{name}]" if len(path) > 1 else f"item {name}"
    return str(name)


def _message(err: Any, path: Path_, loc: Located) -> str:
    kind = err["type"]
    name = _name(path)
    if kind == "extra_forbidden":
        return f"unknown key {name!r}"
    if kind == "missing":
        return f"missing required key {name!r}"
    if kind == "union_tag_invalid":
        kind_value = err["input"].get("kind") if isinstance(err["input"], dict) else None
        return f"unknown rule kind {kind_value!r} (one of {', '.join(RULE_KINDS)})"
    if kind == "union_tag_not_found":
        return f"missing required key 'kind' (one of {', '.join(RULE_KINDS)})"
    value = err.get("input")
    if kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") in _PATTERNS:
        return f"{name}: {value!r} is not valid here; write {_PATTERNS[err['ctx']['pattern']]}"
    if kind not in _EXPECTED and (want := _expected(err)):
        return _wanted(path, loc, value, [want])
    msg = f"{name}: {_EXPECTED.get(kind, err['msg'])}"
    if kind in _EXPECTED and isinstance(value, (list, dict)):
        msg += ", got a list" if isinstance(value, list) else ", got a mapping"
    if kind in ("string_type", "string_pattern_mismatch"):
        from .yamlsafe import implicit_hint

        msg += implicit_hint(loc, path, value)
    return msg.replace("Value error, ", "")


def _load_model(model: type[M], path: Path, not_mapping: str) -> tuple[M | None, Located | None, list[Problem]]:
    try:
        from .yamlsafe import load_yaml

        loc = load_yaml(path, keep_going=True)
    except InputError as exc:
        return None, None, exc.problems
    if not isinstance(loc.data, dict):
        return None, loc, [*loc.problems, loc.problem((), not_mapping)]
    obj, problems = _validate(model, loc)
    # a value YAML could not read is None to the schema: report it once, as YAML's problem
    spots = {(p.line, p.col) for p in loc.problems}
    return obj, loc, [*loc.problems, *(p for p in problems if (p.line, p.col) not in spots)]


def load_regulation_file(path: Path) -> tuple[Regulation | None, Located | None, list[Problem]]:
    """Read and schema-check one regulation file; references are checked by ``load_project``.

    The regulation is returned even when YAML-level problems (duplicate keys) were found."""
    return _load_model(Regulation, path, "a regulation file is a mapping (id:, title:, ...)")


def discover(paths: Iterable[Path]) -> tuple[list[Path], Path | None]:
    """Regulation files and the organisation profile among the given files and folders."""
    regs: list[Path] = []
    org: Path | None = None
    for p in paths:
        files = sorted(p.glob("*.y*ml")) if p.is_dir() else [p]
        for f in files:
            if f.name == ORG_FILE:
                org = f
            else:
                regs.append(f)
    return regs, org


@dataclass
class Collected:
    """Everything loading found: the regulations and profile that could be read (a file that fails
    the schema is represented by what is intact in it) and every problem."""

    regs: list[tuple[Regulation, Located]]
    org: Org | None
    org_loc: Located | None
    org_path: Path
    files: dict[str, str]
    problems: list[Problem]
    reg_files: list[Path]


def collect(paths: Iterable[Path | str] = (DEFAULT_DIR,), org: Path | str | None = None, *,
            default_org: Path | str | None = None, extra: Iterable[Path] = ()) -> Collected:
    """Read and cross-check regulations and the profile, reporting every problem in one pass:
    schema, references, expressions and placeholders, also of the intact parts of broken files.
    ``extra`` files are read besides ``paths`` (``regkit lint FILE`` in a project)."""
    from .salvage import salvage

    plist = [Path(p) for p in paths]
    for p in plist:
        if not p.exists():
            raise InputError.at(str(p), 1, 1, "no such file or folder")
    reg_files, found_org = discover(plist)
    seen = {f.resolve() for f in reg_files}
    for f in extra:
        if f.resolve() not in seen and f.name != ORG_FILE:
            reg_files.append(f)
            seen.add(f.resolve())
    org_path = Path(org) if org else found_org or (Path(default_org) if default_org else DEFAULT_DIR / ORG_FILE)
    problems: list[Problem] = []
    regs: list[tuple[Regulation, Located]] = []
    files: dict[str, str] = {}
    dropped: set[str] = set()
    partial = False  # a regulation failed to load: references into it cannot be judged
    for f in reg_files:
        reg, loc, probs = load_regulation_file(f)
        problems += probs
        if reg is None and loc is not None and isinstance(loc.data, dict):
            try:
                Regulation.model_validate(loc.data)
            except ValidationError as exc:
                kept = salvage(Regulation, loc, exc.errors(), _data_path)
                if kept is not None:
                    assert isinstance(kept.model, Regulation)
                    reg, loc = kept.model, kept.loc
                    dropped |= kept.dropped
                    partial = partial or kept.stand_ins
        partial = partial or reg is None
        if reg is not None and loc is not None:
            if reg.id in files:
                problems.append(loc.problem(("id",), f"regulation id {reg.id!r} also defined in {files[reg.id]}"))
            files[reg.id] = str(f)
            regs.append((reg, loc))
    org_model: Org | None = None
    org_loc: Located | None = None
    if not org_path.exists():
        problems.append(Problem(str(org_path), 1, 1, "organisation profile not found (give --org FILE)"))
    else:
        org_model, org_loc, probs = _load_model(
            Org, org_path, "the organisation profile is a mapping (company:, departments:, ...)")
        problems += probs
        if org_model is None and org_loc is not None and isinstance(org_loc.data, dict):
            try:
                Org.model_validate(org_loc.data)
            except ValidationError as exc:
                kept = salvage(Org, org_loc, exc.errors(), _data_path)
                if kept is not None:
                    assert isinstance(kept.model, Org)
                    org_model, org_loc = kept.model, kept.loc
                    dropped |= kept.dropped
    # a broken profile only skips the checks that need it
    problems += [p for p in check_references(regs, org_model, org_loc, partial=partial)
                 if not _about_dropped(p.message, dropped)]
    return Collected(regs, org_model, org_loc, org_path, files, problems, reg_files)


_UNKNOWN_RE = re.compile(r"^unknown (clause|form|field|parameter|role|department) (?:'([^']+)'|\{([^}]+)\})")


_UNKNOWN_NAME_RE = re.compile(r"^expression: unknown (?:name '|field other\.)([a-z0-9_]+)")


def _about_dropped(message: str, dropped: set[str]) -> bool:
    """An 'unknown X' about something a broken item declared: the item's own error says enough."""
    m = _UNKNOWN_RE.match(message)
    if m is None:
        e = _UNKNOWN_NAME_RE.search(message)
        return e is not None and ("*field" in dropped or e.group(1) in dropped)
    name = m.group(2) or m.group(3)
    return "*" + m.group(1) in dropped or name in dropped or name.split(":")[-1] in dropped


def load_project(paths: Iterable[Path | str] = (DEFAULT_DIR,), org: Path | str | None = None, *,
                 default_org: Path | str | None = None) -> Project:
    """Load and cross-check regulations and the organisation profile; raise InputError with every
    problem found. The profile is ``org``, else an ``org.yaml`` among ``paths``, else
    ``default_org`` (the project's), else ``regulations/org.yaml``."""
    from . import projectcache

    plist = [Path(p) for p in paths]
    name = None
    if all(p.exists() for p in plist):  # else collect says which is missing
        reg_files, found_org = discover(plist)
        org_path = Path(org) if org else found_org or (Path(default_org) if default_org else DEFAULT_DIR / ORG_FILE)
        name = projectcache.key([*reg_files, org_path])
        cached = projectcache.get(name)
        if isinstance(cached, Project):
            return cached
    found = collect(plist, org, default_org=default_org)
    if found.problems:
        raise InputError(found.problems)
    assert found.org is not None
    project = Project([r for r, _ in found.regs], found.org, found.files)
    projectcache.put(name, project)
    return project


def _clause_paths(nodes: list[Clause], base: Path_) -> Iterator[tuple[Clause, Path_]]:
    for i, c in enumerate(nodes):
        yield c, (*base, i)
        yield from _clause_paths(c.children, (*base, i, "children"))


def check_references(
    regs: list[tuple[Regulation, Located]], org: Org | None, org_loc: Located | None, *, partial: bool = False
) -> list[Problem]:
    """Every reference resolved: clauses, forms, fields, parameters, roles; every id unique. Without
    a profile (``None``), what needs it is not checked; with ``partial`` (some regulation did not
    load), neither are references that might point into the missing regulation."""
    problems: list[Problem] = []
    by_id = {r.id: r for r, _ in regs}
    forms: dict[str, tuple[Regulation, Form]] = {}
    rule_ids: dict[str, str] = {}
    all_roles = {n for r, _ in regs for n in r.role_names()}

    def missing(found: object, ref: str) -> bool:
        """Not found, and not possibly in a regulation that failed to load."""
        return found is None and not (partial and ":" in ref and ref.split(":", 1)[0] not in by_id)

    for reg, loc in regs:
        seen: dict[str, Path_] = {}
        for c, path in _clause_paths(reg.body, ("body",)):
            if c.id in seen:
                problems.append(loc.problem((*path, "id"), f"duplicate clause id {c.id!r}"))
            seen[c.id] = path
            for attr in ("title", "text"):
                for m in PARAM_RE.finditer(getattr(c, attr) or ""):
                    if reg.parameter(m.group(1)) is None:
                        problems.append(loc.problem((*path, attr), f"unknown parameter {{{m.group(1)}}}"))
        problems.extend(_unique(loc, "parameters", [p.key for p in reg.parameters], "parameter"))
        for i, par in enumerate(reg.parameters):
            if par.type == "choice" and not par.choices:
                problems.append(loc.problem(("parameters", i, "type"), f"parameter {par.key}: a choice needs choices"))
            path = ("parameters", i, "default")
            raw = _raw(loc, path, par.default)
            why = None if raw is None else _value_problem(par.type, par.choices, raw, loc, path)
            if why:
                problems.append(loc.problem(path, f"default: {why}"))
            if par.by == "role":
                for name in par.values or {}:
                    if name not in reg.role_names():
                        problems.append(loc.problem(("parameters", i, "values", name),
                                                    f"unknown role {name!r} (declare it under roles:)", key=True))
        problems.extend(_unique(loc, "roles", [r.name for r in reg.roles], "role"))
        for i, f in enumerate(reg.forms):
            if f.id in forms:
                problems.append(loc.problem(("forms", i, "id"), f"duplicate form id {f.id!r}"))
            forms.setdefault(f.id, (reg, f))  # the first wins, so rules are checked against it
        for i, rule in enumerate(reg.rules):
            if rule.id in rule_ids:
                problems.append(loc.problem(("rules", i, "id"), f"duplicate rule id {rule.id!r}"))
            rule_ids.setdefault(rule.id, reg.id)
    for reg, loc in regs:
        roles = reg.role_names()

        def role_ok(name: str | None, path: Path_, roles: set[str] = roles, loc: Located = loc) -> None:
            if name is not None and name not in roles:
                problems.append(loc.problem(path, f"unknown role {name!r} (declare it under roles:)"))

        for i, fm in enumerate(reg.forms):
            fp: Path_ = ("forms", i)
            for j, cid in enumerate(fm.clauses):
                if reg.clause(cid) is None:
                    problems.append(loc.problem((*fp, "clauses", j), f"unknown clause {cid!r}"))
            role_ok(fm.filled_by, (*fp, "filled_by"))
            if fm.fine is not None:
                if missing(_param(by_id, reg, fm.fine.amount), fm.fine.amount):
                    problems.append(loc.problem((*fp, "fine", "amount"), f"unknown parameter {fm.fine.amount!r}"))
                if missing(_clause(by_id, reg, fm.fine.clause), fm.fine.clause):
                    problems.append(loc.problem((*fp, "fine", "clause"), f"unknown clause {fm.fine.clause!r}"))
            problems.extend(_unique(loc, (*fp, "fields"), [f.key for f in fm.fields], "field"))
            for j, fld in enumerate(fm.fields):
                role_ok(fld.role, (*fp, "fields", j, "role"))
                for k, col in enumerate(fld.columns or []):
                    role_ok(col.role, (*fp, "fields", j, "columns", k, "role"))
                if fld.columns:
                    problems.extend(_unique(loc, (*fp, "fields", j, "columns"), [c.key for c in fld.columns], "column"))
            if fm.stub:
                for j, key in enumerate(fm.stub.fields):
                    if fm.field(key) is None:
                        problems.append(
                            loc.problem((*fp, "stub", "fields", j), f"unknown field {key!r} of form {fm.id}"))
            if fm.period and fm.field(fm.period) is None:
                problems.append(loc.problem((*fp, "period"), f"unknown field {fm.period!r} of form {fm.id}"))
        for i, rule in enumerate(reg.rules):
            rp: Path_ = ("rules", i)

            def bad(path: Path_, msg: str, rp: Path_ = rp, loc: Located = loc) -> None:
                problems.append(loc.problem(rp + path, msg))

            for j, ref in enumerate(rule.clauses):
                if missing(_clause(by_id, reg, ref), ref):
                    bad(("clauses", j), f"unknown clause {ref!r}")
            form: Form | None = None
            if rule.form is not None:
                hit = forms.get(rule.form)
                if hit is not None:
                    form = hit[1]
                elif not partial:
                    bad(("form",), f"unknown form {rule.form!r}")
            elif not isinstance(rule, CadenceRule):
                bad(("form",), "missing required key 'form'")

            def field_ok(key: str | None, path: Path_, of: Form | None = form, **_: Any) -> None:
                if key is not None and of is not None and of.field(key) is None:
                    bad(path, f"unknown field {key!r} of form {of.id}")

            if rule.person:
                if rule.person.startswith("role:"):
                    role_ok(rule.person[5:], (*rp, "person"))
                else:
                    field_ok(rule.person, ("person",))
            scope = expr.Scope.for_form(form, reg, by_id) if form else None
            if rule.fine:
                computed = rule.fine.expression(form)
                if computed is None and missing(_param(by_id, reg, rule.fine.amount), rule.fine.amount):
                    bad(("fine", "amount"), f"unknown parameter {rule.fine.amount!r}")
                elif computed is not None and scope:
                    _expr_ok(computed, scope, ("fine", "amount"), bad, want="number")
                if missing(_clause(by_id, reg, rule.fine.clause), rule.fine.clause):
                    bad(("fine", "clause"), f"unknown clause {rule.fine.clause!r}")
            scope = expr.Scope.for_form(form, reg, by_id) if form else None
            if rule.when and scope:
                _expr_ok(rule.when, scope, ("when",), bad)
            if rule.act and scope:
                _expr_ok(rule.act, scope, ("act",), bad, want="text")
            for j, ref in enumerate(rule.same_as):
                rid, _, other_rule = ref.rpartition(":")
                target = by_id.get(rid or reg.id)
                if target is None and partial:
                    continue
                if target is None or not any(r.id == other_rule for r in target.rules):
                    bad(("same_as", j), f"unknown rule {ref!r}")
            if rule.loss and scope:
                _expr_ok(rule.loss, scope, ("loss",), bad, want="number")
            if isinstance(rule, ApprovalRule):
                field_ok(rule.field, ("field",))
                field_ok(rule.date_field, ("date_field",))
                field_ok(rule.not_after, ("not_after",))
                role_ok(rule.role, (*rp, "role"))
                if org and rule.department and not any(d.name == rule.department for d in org.departments):
                    bad(("department",), f"unknown department {rule.department!r}")
            elif isinstance(rule, StubRule):
                field_ok(rule.departments_field, ("departments_field",))
                field_ok(rule.signed_field, ("signed_field",))
            elif isinstance(rule, DeadlineRule):
                field_ok(rule.due, ("due",))
                field_ok(rule.done, ("done",))
                if isinstance(rule.days, str) and missing(_param(by_id, reg, rule.days.lstrip("-")), rule.days):
                    bad(("days",), f"unknown parameter {rule.days.lstrip('-')!r}")
            elif isinstance(rule, CadenceRule):
                field_ok(rule.date_field, ("date_field",))
                if rule.period not in PERIODS and missing(_param(by_id, reg, rule.period), rule.period):
                    bad(("period",), f"unknown parameter {rule.period!r}")
                dated = form.field(rule.date_field) if form is not None else None
                if rule.period == "day" and dated is not None and dated.type != "date":
                    bad(("period",), f"a daily duty needs a date field; {rule.date_field} is a {dated.type} field")
                if rule.responsible:
                    if not rule.responsible.startswith("role:"):
                        bad(("responsible",), "responsible is written role:NAME")
                    else:
                        role_ok(rule.responsible[5:], (*rp, "responsible"))
                if isinstance(rule.grace, str) and missing(_param(by_id, reg, rule.grace), rule.grace):
                    bad(("grace",), f"unknown parameter {rule.grace!r}")
                field_ok(rule.each, ("each",))
                if rule.roster is not None:
                    roster = forms.get(rule.roster.form)
                    if roster is None and not partial:
                        bad(("roster", "form"), f"unknown form {rule.roster.form!r}")
                    elif roster is not None:
                        cols = {c.key for c in roster[1].table.columns or []} if roster[1].table else set()
                        keys = cols | {f.key for f in roster[1].fields}
                        for part in ("date", "person"):
                            if getattr(rule.roster, part) not in keys:
                                bad(("roster", part), f"unknown field {getattr(rule.roster, part)!r} of "
                                    f"{rule.roster.form}")
                    sw = rule.roster.swaps
                    swap_form = forms.get(sw.form) if sw is not None else None
                    if sw is not None and swap_form is None and not partial:
                        bad(("roster", "swaps", "form"), f"unknown form {sw.form!r}")
                    elif sw is not None and swap_form is not None:
                        for part in ("date", "person", "substitute", "approved", "exchange"):
                            key = getattr(sw, part)
                            if key is not None and swap_form[1].field(key) is None:
                                bad(("roster", "swaps", part), f"unknown field {key!r} of {sw.form}")
            elif isinstance(rule, RequiresRule):
                other = forms.get(rule.other)
                if other is None and not partial:
                    bad(("other",), f"unknown form {rule.other!r}")
                for mine, theirs in rule.match.items():
                    field_ok(mine, ("match", mine))
                    if other:
                        field_ok(theirs, ("match", mine), of=other[1])
                if rule.where and scope and other:
                    _expr_ok(rule.where, scope.with_other(other[1]), ("where",), bad)
            elif isinstance(rule, ConflictRule):
                for j, key in enumerate(rule.key):
                    field_ok(key, ("key", j))
                for j, key in enumerate(rule.agree):
                    field_ok(key, ("agree", j))
            elif isinstance(rule, OutstandingRule):
                for attr in ("by", "opened", "closed"):
                    field_ok(getattr(rule, attr), (attr,))
                for attr in ("opened", "closed"):
                    dated = form.field(getattr(rule, attr)) if form is not None else None
                    if dated is not None and dated.type != "date":
                        bad((attr,), f"{attr} needs a date field; {dated.key} is a {dated.type} field")
            elif isinstance(rule, ExprRule) and scope:
                _expr_ok(rule.check, scope, ("assert",), bad)
    if org is not None and org_loc is not None:
        problems.extend(_check_org(org, org_loc, by_id, all_roles, partial))
    return problems


def _expr_ok(source: str, scope: expr.Scope, path: Path_, bad: Any, want: str = "boolean") -> None:
    try:
        expr.compile_expr(source, scope, want=want)
    except expr.ExprError as exc:
        bad(path, f"expression: {exc}")


def _unique(loc: Located, base: str | Path_, names: list[str], what: str) -> list[Problem]:
    base_t: Path_ = (base,) if isinstance(base, str) else base
    seen: set[str] = set()
    out = []
    for i, n in enumerate(names):
        if n in seen:
            out.append(loc.problem((*base_t, i), f"duplicate {what} {n!r}"))
        seen.add(n)
    return out


def _qualified(by_id: dict[str, Regulation], reg: Regulation, ref: str) -> tuple[Regulation | None, str]:
    if ":" in ref:
        rid, key = ref.split(":", 1)
        return by_id.get(rid), key
    return reg, ref


def _clause(by_id: dict[str, Regulation], reg: Regulation, ref: str) -> Clause | None:
    target, key = _qualified(by_id, reg, ref)
    return target.clause(key) if target else None


def _param(by_id: dict[str, Regulation], reg: Regulation, ref: str) -> Any:
    target, key = _qualified(by_id, reg, ref)
    return target.parameter(key) if target else None


def _check_org(org: Org, loc: Located, regs: dict[str, Regulation], roles: set[str], partial: bool) -> list[Problem]:
    problems: list[Problem] = []
    names = [d.name for d in org.departments]
    problems += _unique(loc, "departments", names, "department")
    problems += _unique(loc, "people", [p.name for p in org.people], "person")
    for i, person in enumerate(org.people):
        if person.department not in names:
            problems.append(loc.problem(("people", i, "department"), f"unknown department {person.department!r}"))
        for j, role in enumerate(person.roles):
            if role not in roles and not partial:
                problems.append(
                    loc.problem(("people", i, "roles", j), f"unknown role {role!r}: no regulation names it"))
    people = {p.name for p in org.people}
    for i, grant in enumerate(org.roles):
        gp: Path_ = ("roles", i)
        if grant.regulation is not None and grant.regulation not in regs:
            if not partial:
                problems.append(loc.problem((*gp, "regulation"), f"unknown regulation {grant.regulation!r}"))
        elif grant.regulation is not None and grant.role not in regs[grant.regulation].role_names():
            problems.append(loc.problem((*gp, "role"), f"unknown role {grant.role!r}: {grant.regulation} does not "
                                                       "name it"))
        elif grant.role not in roles and not partial:
            problems.append(loc.problem((*gp, "role"), f"unknown role {grant.role!r}: no regulation names it"))
        if grant.department is not None and grant.department not in names:
            problems.append(loc.problem((*gp, "department"), f"unknown department {grant.department!r}"))
        for j, who in enumerate(grant.people):
            if who not in people:
                problems.append(loc.problem((*gp, "people", j), f"unknown person {who!r} (not under people:)"))
    for i, rid in enumerate(org.regulations or []):
        if rid not in regs and not partial:
            problems.append(loc.problem(("regulations", i), f"unknown regulation {rid!r} in force"))
    if org.regulations is not None and not org.regulations:
        problems.append(loc.problem(("regulations",), "no regulation in force: list at least one (or leave the "
                                    "key out: all are in force)"))
    for rid, values in org.parameters.items():
        reg = regs.get(rid)
        if reg is None:
            if not partial:
                problems.append(loc.problem(("parameters", rid), f"unknown regulation {rid!r}", key=True))
            continue
        for key, value in values.items():
            p = reg.parameter(key)
            path: Path_ = ("parameters", rid, key)
            if p is None:
                problems.append(loc.problem(path, f"unknown parameter {key!r} of {rid}", key=True))
            else:
                # the value as YAML read it: pydantic has already turned a YAML boolean into 0 or 1
                raw = _raw(loc, path, value)
                bad = _value_problem(p.type, p.choices, raw, loc, path)
                if bad:
                    problems.append(loc.problem(path, f"{key}: {bad}"))
    return problems


def _raw(loc: Located, path: Path_, default: Any) -> Any:
    node: Any = loc.data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def _value_problem(ptype: str, choices: list[str] | None, value: Any, loc: Located, path: Path_) -> str | None:
    """What is wrong with a parameter value for its declared type, or None."""
    shown = loc.plain.get(path, repr(value))  # as written: yes, not True
    if ptype == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"expected an integer, got {shown}"
    if ptype == "decimal" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return f"expected a number, got {shown}"
    if ptype in ("text", "choice") and not isinstance(value, str):
        from .yamlsafe import implicit_hint

        return f"expected text, got {shown}{implicit_hint(loc, path, value)}"
    if ptype == "choice" and choices and value not in choices:
        return f"{value!r} is not one of {', '.join(choices)}"
    return None
