"""The records inside DuckDB: one view per form (typed columns), one per table field (its rows),
loaded while the engine may still read files, then locked before any rule runs.

Flat CSV files are read by DuckDB itself (all columns as text, then typed in SQL), the way to get
near the speed of merely counting the file. Whether each cell is in canonical form is tested by the
compiled cell test (``cells``) reading the file beside the engine, or where that is not there, in
the same SQL; rows with a cell that is not go back to the Python checks. Other records arrive from
Python through an appender, as data."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Form, FormField
from ..records import CsvTable, Record, Unreadable
from ..records.csvfile import LineCount, NewlineCount
from . import cells
from .accept import LIST_TYPES, accept, cast_type, empty, quote, shown, sql_type, stored
from .engine import duckdb


def columns(form: Form) -> list[tuple[str, FormField | None]]:
    """The columns of a form's view: ``id`` first (a field, or None if the form has none), then
    every other non-table field."""
    cols: list[tuple[str, FormField | None]] = [("id", form.field("id"))]
    cols += [(f.key, f) for f in form.fields if f.key != "id" and f.type != "table"]
    return cols


def missing_sql(form: Form, cells: dict[str, str | None], *, raw: bool) -> str:
    """SQL for the keys of the form's required fields a record leaves empty (NULL when none):
    over a CSV file's raw cells as the engine's reader gives them (``raw``, NULL when empty: it
    reads "" as NULL too; a column the file lacks is empty) or over the typed columns of a form's
    table (an empty list is empty too)."""
    required = [f for f in form.fields if f.required and f.type != "table" and f.key != "id"]
    if not required:
        return "CAST(NULL AS VARCHAR[])"
    tests = []
    for f in required:
        v = cells.get(f.key)
        if v is None:
            tests.append((f.key, "TRUE"))
        elif raw:
            tests.append((f.key, f"({v} IS NULL)"))
        elif f.type in LIST_TYPES:
            tests.append((f.key, f"({v} IS NULL OR len({v}) = 0)"))
        elif sql_type(f) == "VARCHAR":
            tests.append((f.key, f"({v} IS NULL OR {v} = '')"))
        else:
            tests.append((f.key, f"({v} IS NULL)"))
    anyempty = " OR ".join(t for _, t in tests)
    items = ", ".join(f"CASE WHEN {t} THEN '{k}' END" for k, t in tests)
    return f"CASE WHEN {anyempty} THEN list_filter([{items}], lambda x: x IS NOT NULL) END"


def _cell_columns(t: CsvTable) -> list[cells.Column]:
    """The compiled test of each column of the file (one the form does not read is not tested)."""
    fields = dict(columns(t.form))
    return [cells.column(None, form_id=t.form.id) if k == "form" else cells.column(fields[k]) if k in fields
            else cells.Column() for k in t.columns]


def _coltype(f: FormField | None) -> str:
    return sql_type(f) if f is not None else "VARCHAR"


@dataclass
class _Part:
    table: str
    csv: bool = False
    keys: set[str] = field(default_factory=set)
    source: str | None = None  # a CSV file's table holds one source, kept once (in _sources), not per row
    rising: bool = False  # each row's number is above the one before it (so no two are the same)


# The engine's memory budget; beyond it DuckDB writes to the audit's temporary folder. The
# environment variable lets a large machine give it more.
MEMORY_LIMIT = os.environ.get("REGKIT_MEMORY_LIMIT", "1GB")


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never draws a progress bar (it would land in the report on
    standard output)."""
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    # a try_cast of a column read from a CSV file would become the reader's own, strict, typed
    # read, failing the whole file on one odd cell: a row with one is for the Python checks
    con.execute("SET disabled_optimizers = 'type_pushdown'")
    return con


@dataclass
class Store:
    """A DuckDB connection holding the records; ``lock()`` before rule SQL runs."""

    con: duckdb.DuckDBPyConnection = field(default_factory=lambda: connect())
    parts: dict[str, list[_Part]] = field(default_factory=lambda: defaultdict(list))
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    csv_sources: dict[str, tuple[CsvTable, int, LineCount | None]] = field(default_factory=dict)
    n: int = 0

    def spill_to(self, folder: Path, memory_limit: str = MEMORY_LIMIT) -> None:
        """Keep the engine's memory under ``memory_limit``, writing what does not fit to
        ``folder`` (so 10^7 records audit in bounded memory)."""
        self.con.execute("SET temp_directory = $d", {"d": str(folder)})
        self.con.execute("SET memory_limit = $m", {"m": memory_limit})
        self.con.execute("SET preserve_insertion_order = true")

    def _name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def load_csv(self, t: CsvTable, needed: set[str] | None = None) -> list[tuple[int, list[Any]]]:
        """Let DuckDB read a flat CSV file; the rows it did not accept as (position, cells).
        Every column is tested; only the ``needed`` ones (all if None) are stored. Raises
        duckdb.Error if it cannot parse the file, or would read rows otherwise than the Python
        checks do (the caller then reads it in Python)."""
        name = self._name("c")
        raw = [f"c{i}" for i in range(len(t.columns))]
        spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in raw) + "}"
        by_key = {k: raw[i] for i, k in enumerate(t.columns) if k}
        tests, kept, casts = [], [], []
        if "form" in by_key:
            v = by_key["form"]
            tests.append(f"({v} IS NULL OR {v} = $form)")
        for key, f in columns(t.form):
            if key in by_key:
                raw_cell, cast = by_key[key], None
                if cast_type(f) is not None:  # cast once, for the test and for storing
                    cast = f"{raw_cell}_t"
                    casts.append(f"try_cast({raw_cell} AS {cast_type(f)}) AS {cast}")
                tests.append(accept(f, raw_cell, cast, read=True))
                if needed is None or key in needed:
                    kept.append(f"{stored(f, raw_cell, cast)} AS {quote(key)}")
            elif f is None or f.key == "id":
                tests.append("FALSE")  # no column holds the record's number: the Python checks say so

        def sql(test: bool) -> str:
            ok = (" AND ".join(tests) or "TRUE") if test else "TRUE"
            return (
                f"CREATE TEMP TABLE {name} AS SELECT {ok} AS _ok, "
                f"{missing_sql(t.form, {k: by_key.get(k) for k, _ in columns(t.form)}, raw=True)} AS _missing, "
                + (f"CASE WHEN _ok THEN NULL ELSE [{', '.join(raw)}] END" if test else "CAST(NULL AS VARCHAR[])")
                + f" AS _raw{''.join(', ' + k for k in kept)} "
                f"FROM (SELECT *{''.join(', ' + c for c in casts)} "
                f"FROM read_csv($path, header = true, auto_detect = false, columns = {spec}, delim = ',', "
                f"quote = '\"', escape = '\"', strict_mode = true, allow_quoted_nulls = true, encoding = 'utf-8', "
                f"max_line_size = 8388608))"
            )

        params: dict[str, Any] = {"path": str(t.path)}
        if "form" in by_key:
            params["form"] = t.form.id
        # the compiled cell test reads the file beside the engine, which then tests no cell; it
        # also counts the lines, else a thread does while the engine reads the file
        background = counted = None
        if "id" in by_key and cells.library() is not None:
            background = cells.Background(t.path, _cell_columns(t), t.columns.index("id"))
        else:
            counted = NewlineCount(t.path)
        try:
            self.con.execute(sql(background is None), params)
        except duckdb.Error:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
            if background is not None:
                background.wait()
            raise
        found = background.wait() if background is not None else None
        if background is not None and background.python:  # the file is for the Python checks (cells.PYTHON)
            self.con.execute(f"DROP TABLE {name}")
            raise duckdb.InvalidInputException(f"{t.source}: rows the engine reads otherwise than the Python checks")
        total = self.con.execute(f"SELECT count(*) FROM {name}").fetchone()
        if background is not None and (found is None or found.rows != (int(total[0]) if total else 0)):
            # the compiled test could not be sure of the rows: the engine tests the cells after all
            counted = NewlineCount(t.path)
            self.con.execute(f"DROP TABLE {name}")
            self.con.execute(sql(True), params)
            found = None
        self.csv_sources[t.source] = (t, int(total[0]) if total else 0, found or counted)
        stored_keys = {k for k, _ in columns(t.form) if k in by_key and (needed is None or k in needed)}
        self.con.execute("CREATE TEMP TABLE IF NOT EXISTS _sources (part VARCHAR PRIMARY KEY, src VARCHAR)")
        self.con.execute("INSERT INTO _sources VALUES ($part, $src)", {"part": name, "src": t.source})
        self.parts[t.form.id].append(_Part(name, csv=True, keys=stored_keys, source=t.source,
                                           rising=found is not None and found.rising))
        if found is not None:
            if not found.bad:
                return []
            self.con.execute(f"UPDATE {name} SET _ok = FALSE FROM (SELECT unnest($bad) AS p) b "
                             f"WHERE {name}.rowid = b.p", {"bad": found.bad})
            return list(zip(found.bad, cells.raw_rows(t.path, found.offsets), strict=True))
        rows = self.con.execute(f"SELECT rowid, _raw FROM {name} WHERE NOT _ok ORDER BY rowid").fetchall()
        return [(int(r), list(c)) for r, c in rows]

    def load_records(self, records: list[Record]) -> None:
        """Append validated Python records, per form, through DuckDB's appender."""
        by_form: dict[str, list[Record]] = defaultdict(list)
        for r in records:
            by_form[r.form.id].append(r)
        for fid in sorted(by_form):
            recs = by_form[fid]
            form = recs[0].form
            cols = columns(form)
            name = self._name("p")
            ddl = ", ".join(f"{quote(k)} {_coltype(f)}" for k, f in cols)
            self.con.execute(f"CREATE TEMP TABLE {name} (_src VARCHAR, _pos BIGINT, {ddl})")
            with self.con.appender(name) as app:
                app.append_rows([(r.source, r.line, *(r.values.get(k) for k, _ in cols)) for r in recs])
            self.parts[fid].append(_Part(name))
            table = form.table
            if table is not None:
                child = self._name("t")
                tcols = [(c.key, c) for c in table.columns or []]
                cddl = ", ".join(f"{quote(k)} {sql_type(c)}" for k, c in tcols)
                self.con.execute(f"CREATE TEMP TABLE {child} "
                                 f"(_src VARCHAR, _pos BIGINT, _id VARCHAR, _n INTEGER, {cddl})")
                rows = [(r.source, r.line, r.values.get("id"), i + 1, *(row.get(k) for k, _ in tcols))
                        for r in recs for i, row in enumerate(r.values.get(table.key) or [])]
                if rows:
                    with self.con.appender(child) as app:
                        app.append_rows(rows)
                self.children[fid].append(child)

    def create_views(self, forms: list[Form]) -> None:
        """One view per form (all its parts), and ``"<form>.<table>"`` for a table's rows."""
        for form in forms:
            cols = columns(form)
            names = ", ".join(quote(k) for k, _ in cols)
            selects = []
            for p in self.parts.get(form.id, []):
                if p.csv:
                    shown_cols = ", ".join(f"{shown(f, quote(k)) if k in p.keys else empty(f)} AS {quote(k)}"
                                           for k, f in cols)
                    # the file's name joined from its one row in _sources: a scalar subquery
                    # would stop filters on the view from reaching the table (its check that
                    # one row came back keeps the view's columns computed for every record)
                    selects.append(f"SELECT s._name AS _src, {p.table}.rowid AS _pos, {shown_cols}, _missing "
                                   f"FROM {p.table}, (SELECT src AS _name FROM _sources WHERE part = '{p.table}') s "
                                   "WHERE _ok")
                else:
                    typed_missing = missing_sql(form, {k: quote(k) for k, _ in cols}, raw=False)
                    selects.append(f"SELECT _src, _pos, {names}, {typed_missing} AS _missing FROM {p.table}")
            if not selects:
                typed = ", ".join(f"{empty(f)} AS {quote(k)}" for k, f in cols)
                selects = [f"SELECT CAST(NULL AS VARCHAR) AS _src, CAST(NULL AS BIGINT) AS _pos, {typed}, "
                           f"CAST(NULL AS VARCHAR[]) AS _missing WHERE FALSE"]
            self.con.execute(f"CREATE TEMP VIEW {quote(form.id)} AS " + " UNION ALL ".join(selects))
            table = form.table
            if table is not None:
                tcols = [(c.key, c) for c in table.columns or []]
                tnames = ", ".join(quote(k) for k, _ in tcols)
                parts = [f"SELECT _src, _pos, _id AS id, _n, {tnames} FROM {c}" for c in self.children.get(form.id, [])]
                if not parts:
                    typed = ", ".join(f"CAST(NULL AS {sql_type(c)}) AS {quote(k)}" for k, c in tcols)
                    parts = [f"SELECT CAST(NULL AS VARCHAR) AS _src, CAST(NULL AS BIGINT) AS _pos, "
                             f"CAST(NULL AS VARCHAR) AS id, CAST(NULL AS INTEGER) AS _n, {typed} WHERE FALSE"]
                self.con.execute(f"CREATE TEMP VIEW {quote(form.id + '.' + table.key)} AS " + " UNION ALL ".join(parts))

    def duplicates(self, forms: list[Form]) -> list[tuple[str, str, str, int, bool]]:
        """Records whose id another record of the form has: (form, id, source, position, same).
        Copies that hold the same values are one record: all but the first by source and line are
        set aside (``same``). Copies that differ are all set aside: which one is the record is
        not for the order of the rows to decide. They are removed from the views."""
        out: list[tuple[str, str, str, int, bool]] = []
        for form in forms:
            v = quote(form.id)
            parts = self.parts.get(form.id, [])
            if len(parts) == 1 and parts[0].rising:
                continue  # the compiled cell test saw them rise
            # ids that rise from each row to the next (in whatever order the engine reads them)
            # are all different: one pass instead of grouping them, the usual case of a numbered
            # register
            rising = self.con.execute(f"SELECT coalesce(bool_and(id > previous), TRUE) FROM (SELECT id, lag(id) "
                                      f"OVER () AS previous FROM {v} WHERE id IS NOT NULL)").fetchone()
            if rising is not None and rising[0]:
                continue
            sql = f"SELECT id FROM {v} WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1"
            ids = [r[0] for r in self.con.execute(sql).fetchall()]
            if not ids:
                continue
            values = ", ".join(f"{quote(k)} := {quote(k)}" for k, _ in columns(form) if k != "id") or "x := 1"
            rows = self.con.execute(f"SELECT id, _src, _pos, CAST(struct_pack({values}) AS VARCHAR) FROM {v} "
                                    "WHERE list_contains($ids, id)", {"ids": ids}).fetchall()
            lines: dict[tuple[str, int], int] = {}
            for src in {s for _, s, _, _ in rows if s in self.csv_sources}:
                pos = [p for _, s, p, _ in rows if s == src]
                lines.update({(src, p): ln for p, ln in self.unreadable_lines(src, pos).items()})
            keyed = sorted(rows, key=lambda r: (r[0], r[1], lines.get((r[1], r[2]), r[2])))
            contents: dict[str, set[str]] = defaultdict(set)
            for rid, _, _, content in keyed:
                contents[rid].add(content)
            seen: set[str] = set()
            for rid, src, pos, _ in keyed:
                same = len(contents[rid]) == 1
                if rid in seen or not same:
                    out.append((form.id, rid, src, pos, same))
                    self._drop(form.id, src, pos)
                seen.add(rid)
        return out

    def _drop(self, fid: str, src: str, pos: int) -> None:
        for p in self.parts[fid]:
            if p.csv:
                if p.source == src:
                    self.con.execute(f"UPDATE {p.table} SET _ok = FALSE WHERE rowid = $p", {"p": pos})
            else:
                self.con.execute(f"DELETE FROM {p.table} WHERE _src = $s AND _pos = $p", {"s": src, "p": pos})

    def counts(self, forms: list[Form]) -> dict[str, int]:
        """How many records each form's view holds (one query for all)."""
        if not forms:
            return {}
        sql = " UNION ALL ".join(f"SELECT {i} AS i, count(*) AS n FROM {quote(f.id)}" for i, f in enumerate(forms))
        return {forms[int(i)].id: int(n) for i, n in self.con.execute(sql).fetchall()}

    def lock(self) -> None:
        """No file, network or extension access from here on, and no way to turn it back on."""
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")

    def unreadable_lines(self, source: str, positions: list[int]) -> dict[int, int]:
        """Lines of CSV rows by position (for a fast-path source), else the positions as lines."""
        from ..records.csvfile import line_numbers

        if source in self.csv_sources:
            t, total, counted = self.csv_sources[source]
            return line_numbers(t, positions, total, counted)
        return {p: p for p in positions}


def to_unreadable(dups: list[tuple[str, str, str, int, bool]], store: Store) -> list[Unreadable]:
    """Duplicate-id records as unreadable entries with their lines."""
    out = []
    by_src: dict[str, list[int]] = defaultdict(list)
    for _, _, src, pos, _ in dups:
        by_src[src].append(pos)
    lines = {src: store.unreadable_lines(src, pos) for src, pos in by_src.items()}
    copies: dict[tuple[str, str], int] = defaultdict(int)
    for fid, rid, _, _, _ in dups:
        copies[(fid, rid)] += 1
    for fid, rid, src, pos, same in dups:
        if same:
            msg = f"duplicate id {rid!r} of form {fid} (another record has it)"
        else:
            msg = (f"duplicate id {rid!r} of form {fid}: {copies[(fid, rid)]} records with this id differ, none is "
                   "audited (give each record its own id)")
        out.append(Unreadable(src, lines[src].get(pos, pos), msg))
    return out
