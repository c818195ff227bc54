"""The rule expression language: a small, safe, statically typed subset of Python expression
syntax, compiled to SQL so rules are evaluated over columns (DuckDB), never per record.

Names are the form's field keys, the regulation's parameters and ``as_of``; ``other.key`` is the
matched record in ``requires`` rules. Operators: ``and or not``, comparisons, ``in [..]``,
``is None``/``is not None``, ``+ - * /`` and parentheses on numbers (amounts stay exact decimals;
a quotient is exact to 10 places), ``+ -`` on dates with days. Functions: ``len(list)``,
``days(a, b)`` (b - a in days), ``workdays(a, b)`` (working days after a up to b, over the
profile's holiday calendar), ``empty(x)``, ``month(date)`` (``YYYY-MM``),
``day_of_next_month(date, n)`` (the nth of the month after), ``next_year(date, month, day)`` (that
day of the year after), ``head(x)`` (the head of a department, or of a person's department),
``department(person)``, ``number(text)`` (the first number in a text such as ``120元/吨``, else
None). Nothing else parses: no attribute access but ``other.``, no calls but these, no subscripts,
no lambdas.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Form, Org, Regulation

FIELD_TYPES = {
    "text": "text", "multiline": "text", "choice": "text", "person": "text", "department": "text",
    "phone": "text", "month": "text", "integer": "number", "amount": "number", "date": "date",
    "boolean": "boolean", "list": "list", "multichoice": "list", "table": "table",
}
MAX_LITERAL = 10**18  # a number in a rule fits a 64-bit integer, as the engine's columns do
PARAM_TYPES = {"integer": "number", "decimal": "number", "text": "text", "choice": "text"}


class ExprError(Exception):
    """Raised when an expression does not parse, names something unknown or mixes types."""


@dataclass
class Scope:
    """What an expression may name: fields (with types), parameters, and the matched ``other``."""

    fields: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)
    other: dict[str, str] | None = None
    choices: dict[str, list[str]] = field(default_factory=dict)
    by_person: set[str] = field(default_factory=set)  # parameters that differ by role or rank

    @classmethod
    def for_form(cls, form: Form, reg: Regulation, regs: dict[str, Regulation] | None = None) -> Scope:
        """The scope of a rule reading ``form`` in regulation ``reg``."""
        return cls(
            fields={f.key: FIELD_TYPES[f.type] for f in form.fields},
            params={p.key: PARAM_TYPES[p.type] for p in reg.parameters},
            choices={f.key: list(f.choices) for f in form.fields if f.choices},
            by_person={p.key for p in reg.parameters if p.by},
        )

    def with_other(self, other: Form) -> Scope:
        """This scope plus ``other.*`` naming the fields of the matched record."""
        return Scope(self.fields, self.params, {f.key: FIELD_TYPES[f.type] for f in other.fields}, self.choices,
                     self.by_person)


@dataclass(frozen=True)
class Compiled:
    """An expression compiled to SQL, with its type, the parameters it reads and the profile's
    data it needs bound (``binds``: see ``bindings``)."""

    sql: str
    type: str
    params: frozenset[str] = frozenset()
    binds: frozenset[str] = frozenset()


# The profile's data an expression may need, bound as SQL parameters: the holiday calendar for
# workdays(), the departments' heads for head() and department().
CALENDAR = ("cal_start", "cal_adj")
ORG = ("org_names", "org_heads", "org_people", "org_depts")
# Numbers from parameters: exact decimals, as amounts are.
NUMBER_SQL = "DECIMAL(18,4)"
# 1900-01-01 was a Monday: weekdays are counted from it in closed form.
_EPOCH = "DATE '1900-01-01'"


_OPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_CMP = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def compile_expr(source: str, scope: Scope, *, want: str | None = None, this: str = "r", other: str = "o") -> Compiled:
    """Parse, type-check and compile an expression to SQL over table aliases ``this``/``other``.
    Parameters become ``$p_<key>`` and the audit date ``$as_of``."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
        c = _Compiler(scope, this, other)
        sql, typ = c.visit(tree.body)
    except SyntaxError as exc:
        if "Exceeds the limit" in str(exc.msg):  # Python's own cap on digits (4300)
            raise ExprError(f"a number in {source[:30]!r}... has too many digits") from None
        at = f" at column {exc.offset}" if exc.offset else ""  # 0 means at the end
        raise ExprError(f"syntax error{at} ({exc.msg}) in {source!r}") from None
    except RecursionError:  # both the parser and the compiler recurse per nesting level
        raise ExprError(f"expression nested too deeply: {source[:40]!r}...") from None
    if want and typ != want and not (want == "boolean" and typ == "null"):
        raise ExprError(f"{source!r} is {typ}, a rule needs {want}")
    return Compiled(sql, typ, frozenset(c.params), frozenset(c.binds))


class _Compiler:
    def __init__(self, scope: Scope, this: str, other: str) -> None:
        self.scope, self.this, self.other = scope, this, other
        self.params: set[str] = set()
        self.binds: set[str] = set()

    def visit(self, node: ast.AST) -> tuple[str, str]:
        method = getattr(self, "v_" + type(node).__name__, None)
        if method is None:
            raise ExprError(f"{type(node).__name__.lower()} is not allowed in rule expressions")
        result: tuple[str, str] = method(node)
        return result

    def v_Constant(self, node: ast.Constant) -> tuple[str, str]:
        v = node.value
        if v is None:
            return "NULL", "null"
        if isinstance(v, bool):
            return ("TRUE" if v else "FALSE"), "boolean"
        if isinstance(v, int) and abs(v) >= MAX_LITERAL:
            raise ExprError(f"the number {str(v)[:12]}... is too large (at most {len(str(MAX_LITERAL)) - 1} digits)")
        if isinstance(v, float) and not math.isfinite(v):
            raise ExprError("a number too large to compute with")
        if isinstance(v, (int, float)):
            return repr(v), "number"
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'", "text"
        raise ExprError(f"constant {v!r} is not allowed")

    def v_Name(self, node: ast.Name) -> tuple[str, str]:
        n = node.id
        if n == "as_of":
            return "CAST($as_of AS DATE)", "date"
        if n in self.scope.fields:
            typ = self.scope.fields[n]
            if typ == "table":
                raise ExprError(f"table field {n!r} cannot be used in an expression")
            return f'{self.this}."{n}"', typ
        if n in self.scope.params:
            self.params.add(n)
            typ = self.scope.params[n]
            return (f"CAST($p_{n} AS {NUMBER_SQL})" if typ == "number" else f"CAST($p_{n} AS VARCHAR)"), typ
        raise ExprError(f"unknown name {n!r} (not a field, parameter or as_of)")

    def v_Attribute(self, node: ast.Attribute) -> tuple[str, str]:
        if not (isinstance(node.value, ast.Name) and node.value.id == "other"):
            raise ExprError("only other.<field> may use a dot")
        if self.scope.other is None:
            raise ExprError("other.<field> is only for requires rules")
        if node.attr not in self.scope.other:
            raise ExprError(f"unknown field other.{node.attr}")
        return f'{self.other}."{node.attr}"', self.scope.other[node.attr]

    def v_BoolOp(self, node: ast.BoolOp) -> tuple[str, str]:
        parts = []
        for v in node.values:
            sql, typ = self.visit(v)
            self._need(typ, "boolean", v)
            parts.append(sql)
        op = " AND " if isinstance(node.op, ast.And) else " OR "
        return "(" + op.join(parts) + ")", "boolean"

    def v_IfExp(self, node: ast.IfExp) -> tuple[str, str]:
        cs, ct = self.visit(node.test)
        self._need(ct, "boolean", node.test)
        bs, bt = self.visit(node.body)
        es, et = self.visit(node.orelse)
        if bt != et and "null" not in (bt, et):
            raise ExprError(f"both results of 'if ... else' must have one type, not {bt} and {et}")
        # as in Python, a test that is null (an empty field compared) takes the 'else'
        return f"(CASE WHEN coalesce({cs}, FALSE) THEN {bs} ELSE {es} END)", et if bt == "null" else bt

    def v_UnaryOp(self, node: ast.UnaryOp) -> tuple[str, str]:
        sql, typ = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            self._need(typ, "boolean", node.operand)
            return f"(NOT {sql})", "boolean"
        if isinstance(node.op, ast.USub):
            self._need(typ, "number", node.operand)
            return f"(-{sql})", "number"
        raise ExprError("unary operator not allowed")

    def v_BinOp(self, node: ast.BinOp) -> tuple[str, str]:
        ls, lt = self.visit(node.left)
        rs, rt = self.visit(node.right)
        if isinstance(node.op, ast.Mult) and lt == rt == "number":
            return f"({ls} * {rs})", "number"
        if isinstance(node.op, ast.Div) and lt == rt == "number":
            # DuckDB divides decimals in floating point: round the quotient back to exact decimals
            return f"CAST(CAST({ls} AS DOUBLE) / nullif(CAST({rs} AS DOUBLE), 0) AS DECIMAL(38,10))", "number"
        if isinstance(node.op, ast.Add):
            if lt == rt == "number":
                return f"({ls} + {rs})", "number"
            if lt == "date" and rt == "number":
                return f"({ls} + CAST({rs} AS INTEGER))", "date"
        elif isinstance(node.op, ast.Sub):
            if lt == rt == "number":
                return f"({ls} - {rs})", "number"
            if lt == "date" and rt == "number":
                return f"({ls} - CAST({rs} AS INTEGER))", "date"
            if lt == rt == "date":
                return f"date_diff('day', {rs}, {ls})", "number"
        op = _OPS.get(type(node.op))
        if op is None:
            raise ExprError(f"operator {ast.unparse(node)!r} is not allowed: use + - * / and parentheses")
        hint = " (days(a, b) counts the days between two dates)" if lt == rt == "date" else ""
        raise ExprError(f"cannot apply {op} to {lt} and {rt} in {ast.unparse(node)!r}{hint}")

    def v_Compare(self, node: ast.Compare) -> tuple[str, str]:
        parts = []
        left = node.left
        ls, lt = self.visit(left)
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.Is, ast.IsNot)):
                if not (isinstance(right, ast.Constant) and right.value is None):
                    raise ExprError("'is' only compares with None")
                parts.append(f"({ls} IS {'NOT ' if isinstance(op, ast.IsNot) else ''}NULL)")
                continue
            if isinstance(op, (ast.In, ast.NotIn)):
                if not isinstance(right, (ast.List, ast.Tuple)):
                    if lt == "text":
                        rs, rt = self.visit(right)
                        if rt == "list":
                            self._check_choice(right, left)  # '其他' in kinds: one of the multichoice's
                            neg = "NOT " if isinstance(op, ast.NotIn) else ""
                            parts.append(f"({neg}list_contains({rs}, {ls}))")
                            continue
                    raise ExprError("'in' takes a list literal [..] or a list field")
                items = []
                for elt in right.elts:
                    s, t = self.visit(elt)
                    self._comparable(lt, t, elt)
                    self._check_choice(left, elt)
                    items.append(s)
                neg = "NOT " if isinstance(op, ast.NotIn) else ""
                parts.append(f"({ls} {neg}IN ({', '.join(items)}))")
                continue
            rs, rt = self.visit(right)
            self._comparable(lt, rt, right)
            self._check_choice(left, right)
            self._check_choice(right, left)
            parts.append(f"({ls} {_CMP[type(op)]} {rs})")
            left, ls, lt = right, rs, rt
        return ("(" + " AND ".join(parts) + ")" if len(parts) > 1 else parts[0]), "boolean"

    def v_Call(self, node: ast.Call) -> tuple[str, str]:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise ExprError(f"only {', '.join(f + '()' for f in _FUNCTIONS)} may be called")
        name, args = node.func.id, [self.visit(a) for a in node.args]
        if name in self.scope.by_person:
            # a parameter that differs by role or rank, for the person named: meal_limit(claimant)
            if len(args) != 1:
                raise ExprError(f"{name}(person) takes one argument, the person")
            self._need(args[0][1], "text", node.args[0])
            self.params.add(name)
            self.binds.add("by_" + name)
            cast = NUMBER_SQL if self.scope.params[name] == "number" else "VARCHAR"
            return (f"coalesce(CAST($by_{name}_v AS {cast}[])[list_position(CAST($by_{name}_p AS VARCHAR[]), "
                    f"{args[0][0]})], CAST($p_{name} AS {cast}))"), self.scope.params[name]
        if name not in _FUNCTIONS:
            raise ExprError(f"unknown function {name}() (known: {', '.join(_FUNCTIONS)})")
        want = _FUNCTIONS[name]
        if len(args) != len(want):
            raise ExprError(f"{name}() takes {len(want)} argument(s)")
        for (_, got), need, arg in zip(args, want, node.args, strict=True):
            if need != "any":
                self._need(got, need, arg)
        a = [sql for sql, _ in args]
        if name == "len":
            return f"coalesce(len({a[0]}), 0)", "number"
        if name == "days":
            return f"date_diff('day', {a[0]}, {a[1]})", "number"
        if name == "month":
            return f"strftime({a[0]}, '%Y-%m')", "text"
        if name == "number":
            return (f"TRY_CAST(nullif(regexp_extract(replace({a[0]}, ',', ''), '-?[0-9]+(\\.[0-9]+)?'), '') "
                    f"AS DOUBLE)"), "number"
        if name == "workdays":
            self.binds.update(CALENDAR)
            return f"({_weekdays(a[1])} - {_weekdays(a[0])} + {_adjusted(a[1])} - {_adjusted(a[0])})", "number"
        if name == "day_of_next_month":
            return (f"CAST(CAST(date_trunc('month', {a[0]}) + INTERVAL 1 MONTH AS DATE) + CAST({a[1]} AS INTEGER) - 1 "
                    "AS DATE)"), "date"
        if name == "next_year":
            y, m, d = (f"CAST({x} AS BIGINT)" for x in (f"year({a[0]}) + 1", a[1], a[2]))
            return f"make_date({y}, {m}, {d})", "date"
        if name == "head":
            self.binds.update(ORG)
            return (f"coalesce(CAST($org_heads AS VARCHAR[])[list_position(CAST($org_names AS VARCHAR[]), {a[0]})], "
                    f"CAST($org_heads AS VARCHAR[])[list_position(CAST($org_names AS VARCHAR[]), "
                    f"CAST($org_depts AS VARCHAR[])[list_position(CAST($org_people AS VARCHAR[]), {a[0]})])])"), "text"
        if name == "department":
            self.binds.update(ORG)
            return (f"CAST($org_depts AS VARCHAR[])[list_position(CAST($org_people AS VARCHAR[]), {a[0]})]"), "text"
        sql, typ = args[0]
        if typ == "list":
            return f"({sql} IS NULL OR len({sql}) = 0)", "boolean"
        if typ == "text":
            return f"({sql} IS NULL OR {sql} = '')", "boolean"
        return f"({sql} IS NULL)", "boolean"

    def _need(self, got: str, want: str, node: ast.AST) -> None:
        if got != want and got != "null":
            raise ExprError(f"{ast.unparse(node)!r} is {got}, expected {want}")

    def _comparable(self, a: str, b: str, node: ast.AST) -> None:
        if a != b and "null" not in (a, b):
            raise ExprError(f"cannot compare {a} with {b} ({ast.unparse(node)!r})")

    def _check_choice(self, left: ast.AST, right: ast.AST) -> None:
        if isinstance(left, ast.Name) and isinstance(right, ast.Constant) and isinstance(right.value, str):
            choices = self.scope.choices.get(left.id)
            if choices and right.value not in choices:
                raise ExprError(f"{right.value!r} is not a choice of {left.id} ({' / '.join(choices)})")


# The functions and the types of their arguments.
_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "len": ("list",), "days": ("date", "date"), "workdays": ("date", "date"), "empty": ("any",),
    "month": ("date",), "day_of_next_month": ("date", "number"), "next_year": ("date", "number", "number"),
    "head": ("text",), "department": ("text",), "number": ("text",),
}


def _weekdays(date_sql: str) -> str:
    """SQL counting the Mondays to Fridays from 1900-01-01 up to a date, inclusive."""
    n = f"(date_diff('day', {_EPOCH}, {date_sql}) + 1)"
    return f"(5 * ({n} // 7) + least({n} % 7, 5))"


def _adjusted(date_sql: str) -> str:
    """SQL for the calendar's adjustment up to a date: weekend days worked minus weekday holidays,
    looked up in a per-day running total (constant time per record)."""
    at = f"date_diff('day', CAST($cal_start AS DATE), {date_sql}) + 2"
    return f"CAST($cal_adj AS INTEGER[])[least(greatest({at}, 1), len(CAST($cal_adj AS INTEGER[])))]"


def calendar_totals(org: Org) -> tuple[dt.date, list[int]]:
    """The running total of (weekend days worked - weekday holidays) for each day from the day
    before the calendar's first date to its last: index 1 is that day before, always 0."""
    cal = org.calendar
    off = {d for d in (cal.holidays if cal else []) if d.weekday() < 5}
    on = {d for d in (cal.workdays if cal else []) if d.weekday() >= 5}
    if not off and not on:
        return dt.date(2000, 1, 1), [0]
    start, end = min(off | on), max(off | on)
    totals, run, day = [0], 0, start
    while day <= end:
        run += (day in on) - (day in off)
        totals.append(run)
        day += dt.timedelta(days=1)
    return start, totals


def bindings(names: frozenset[str] | set[str], org: Org) -> dict[str, Any]:
    """The SQL parameters the profile's data is bound as, for the ``binds`` of compiled
    expressions: weekday holidays and weekend working days (调休) of the calendar, heads."""
    out: dict[str, Any] = {}
    if names & set(CALENDAR):
        out["cal_start"], out["cal_adj"] = calendar_totals(org)
    if names & set(ORG):
        heads = [(d.name, d.head) for d in org.departments]
        out["org_names"] = [n for n, _ in heads]
        out["org_heads"] = [h for _, h in heads]
        out["org_people"] = [p.name for p in org.people]
        out["org_depts"] = [p.department for p in org.people]
    return {k: v for k, v in out.items() if k in names}


def references(source: str) -> set[str]:
    """The bare names an expression uses (for documentation and coverage tables)."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def as_sql_literal(value: Any) -> str:
    """A constant from a rule (never a record value) as SQL text."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
