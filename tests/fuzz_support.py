"""A seeded mutator for the readers: filled-in forms (DOCX, XLSX, PDF) and record files (CSV,
JSON, YAML, XLSX), plus regulation YAML, mutated byte by byte and inside their containers (a zip
member's XML rewritten and re-zipped with a correct CRC, a PDF's objects edited), then fed to
``extract_file``, ``audit`` (and its JUnit report) and ``load_project``. Anything but a regkit
error, any warning or log line on stderr, or a malformed JUnit report is a crash.

Used by tests/test_fuzz.py (bounded) and bench/fuzz_readers.py (as many as you like)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import re
import shutil
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REGULATIONS = ROOT / "regulations"
EXAMPLES = ROOT / "examples" / "records"

KINDS = ("docx", "pdf", "xlsx-form", "xlsx", "csv", "json", "yaml", "regulation")

# Values that have broken readers before: huge numbers, NaN, control characters, deep nesting.
NASTY = [b"1" * 5000, b".nan", b"NaN", b"-Infinity", b"1e999999", b"\x0b", b"\x00", b"\xff\xfe", b"\xe4\xb8",
         b"[" * 300, b"{" * 300, b'"', b"'", b"\r", b"\n\n", b",", b"\t", b"-1", b"99999999999999999999",
         b"2026-02-30", b"\xef\xbb\xbf", b"&lt;", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"*a", b"&a", b"!!python/object"]
PDF_TOKENS = [b"/T", b"/V", b"/FT", b"/Kids", b"/Parent", b"/Ff", b"/Opt", b"/AS", b"/Fields", b"/AcroForm",
              b"/Length", b"/Filter", b"/Size", b"/Root", b"/Info", b"/Type", b"/Subtype", b"/DA"]
PDF_VALUES = [b"12", b"-1", b"99999999999", b"(x)", b"<FEFF00410042>", b"/Off", b"/Yes", b"/Btn", b"/Ch", b"/Tx",
              b"[1 2 3]", b"<< >>", b"null", b"true", b"1 0 R", b"9999 0 R", b"(\\(a\\))", b"/#E7#8E#B0"]


@dataclass
class Counts:
    """How a fuzz run went."""

    inputs: Counter[str] = field(default_factory=Counter)
    regkit_errors: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line per kind and a total."""
        lines = [f"{k:11} inputs {self.inputs[k]:6}  regkit errors {self.regkit_errors[k]:6}  "
                 f"accepted {self.accepted[k]:6}" for k in KINDS if self.inputs[k]]
        lines.append(f"total inputs {sum(self.inputs.values())}, crashes: {len(self.crashes)}")
        return "\n".join(lines)


def make_seeds(workdir: Path) -> dict[str, list[tuple[str, bytes]]]:
    """Valid inputs of every kind: filled forms written by regkit, the example records, a regulation."""
    from regkit.forms.api import render_form
    from regkit.loader import load_project

    project = load_project([REGULATIONS])
    seeds: dict[str, list[tuple[str, bytes]]] = {k: [] for k in KINDS}
    for form_id, record in _form_records(project):
        for fmt, kind in (("docx", "docx"), ("pdf", "pdf"), ("xlsx", "xlsx-form")):
            seeds[kind].append((f"{form_id}.{fmt}", render_form(project, form_id, fmt, record)))
    for path in sorted(EXAMPLES.iterdir()):
        kind = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".xlsx": "xlsx"}.get(path.suffix)
        if kind:
            seeds[kind].append((path.name, path.read_bytes()))
    seeds["docx"] += [(p.name, p.read_bytes()) for p in sorted((EXAMPLES / "forms").glob("*.docx"))]
    for path in sorted(REGULATIONS.glob("*.yaml")):
        if path.name != "org.yaml":
            seeds["regulation"].append((path.name, path.read_bytes()))
    workdir.mkdir(parents=True, exist_ok=True)
    return seeds


def _form_records(project: Any) -> list[tuple[str, dict[str, Any]]]:
    """Filled-in records of forms of different shapes (choices, lists, a table, booleans)."""
    from forms_support import SPEC_RECORDS

    return [(r["form"], dict(r)) for r in SPEC_RECORDS] + [("patrol-record", {"form": "patrol-record"})]


# -- mutations -------------------------------------------------------------------------------

def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """One to four blind edits: flipped bits, random bytes, cut, repeated or nasty spans."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not b:
            b += rng.choice(NASTY)
            continue
        i = rng.randrange(len(b))
        op = rng.randrange(7)
        if op == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[i] = rng.randrange(256)
        elif op == 2:
            del b[i:i + rng.randint(1, 64)]
        elif op == 3:
            b[i:i] = b[i:i + rng.randint(1, 64)]
        elif op == 4:
            b[i:i] = rng.choice(NASTY)
        elif op == 5:
            del b[i:]
        else:
            j = rng.randrange(len(b))
            b[i:i + 8], b[j:j + 8] = b[j:j + 8], b[i:i + 8]
    return bytes(b)


def mutate_text(rng: random.Random, data: bytes) -> bytes:
    """Edits at token boundaries: a value replaced by a nasty one, a line dropped or repeated."""
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 3)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.randrange(5)
        if op == 0:
            line = lines[i]
            spans = [m.span() for m in re.finditer(rb"[^\s,:\[\]{}\"]+", line)]
            if spans:
                s, e = rng.choice(spans)
                lines[i] = line[:s] + rng.choice(NASTY) + line[e:]
        elif op == 1:
            del lines[i]
        elif op == 2:
            lines.insert(i, lines[i])
        elif op == 3:
            lines[i] = mutate_bytes(rng, lines[i])
        else:
            lines[i] = lines[i] + rng.choice(NASTY)
    return b"\n".join(lines)


def mutate_zip(rng: random.Random, data: bytes) -> bytes:
    """Rewrite one member (its XML edited as text) and zip again, CRCs correct: the damage reaches
    the XML and the library reading it, not only the zip layer."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(i, zf.read(i)) for i in zf.infolist()]
    except Exception:
        return mutate_bytes(rng, data)
    if not members:
        return data
    k = rng.randrange(len(members))
    xml = [i for i, (info, _) in enumerate(members) if info.filename.endswith((".xml", ".rels"))]
    if xml and rng.random() < 0.8:
        k = rng.choice(xml)
    info, body = members[k]
    op = rng.randrange(5)
    if op == 0:
        body = mutate_bytes(rng, body)
    elif op == 1:
        body = mutate_text(rng, body.replace(b">", b">\n"))
    elif op == 2:  # an attribute value or text node replaced
        spans = [m.span(1) for m in re.finditer(rb'="([^"]*)"', body)] + [m.span(1) for m in
                                                                          re.finditer(rb">([^<]+)<", body)]
        if spans:
            s, e = rng.choice(spans)
            body = body[:s] + rng.choice([*NASTY, b"", b"x", b"999999999", b"-5", b"A1:ZZZ99999"]) + body[e:]
    elif op == 3:  # an element removed or repeated
        tags = [m.span() for m in re.finditer(rb"<([a-zA-Z0-9:]+)[^<>]*/>|<([a-zA-Z0-9:]+)[^<>]*>[^<]*</[^<>]+>", body)]
        if tags:
            s, e = rng.choice(tags)
            body = body[:s] + (body[s:e] * 2 if rng.random() < 0.5 else b"") + body[e:]
    else:  # a member dropped or renamed
        if rng.random() < 0.5:
            del members[k]
        else:
            info = zipfile.ZipInfo(info.filename + "x", date_time=info.date_time)
    if op < 4:
        members[k] = (info, body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (inf, b) in enumerate(members):
            zf.writestr(inf.filename if isinstance(inf, zipfile.ZipInfo) else str(inf), b)
            del i
    return out.getvalue()


def mutate_pdf(rng: random.Random, data: bytes) -> bytes:
    """Edits next to the PDF's own keys (field names, values, types, kids), so damage reaches the
    form fields and not only the cross-reference table."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        hits = [m.end() for tok in PDF_TOKENS for m in re.finditer(re.escape(tok) + rb"[ \(\[</]", bytes(b))]
        if not hits or rng.random() < 0.2:
            return mutate_bytes(rng, bytes(b))
        i = rng.choice(hits)
        end = i
        while end < len(b) and end - i < 40 and b[end:end + 1] not in (b"/", b">", b"\n"):
            end += 1
        b[i - 1:end] = b" " + rng.choice(PDF_VALUES) + b" "
    return bytes(b)


def mutate_pdf_fields(rng: random.Random, data: bytes) -> bytes:
    """The PDF rewritten by pypdf with its form fields edited as objects: names, values, types and
    flags of another type, fields repeated or moved under a parent, kids that are not fields."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NullObject,
        NumberObject,
        TextStringObject,
    )

    try:
        writer = PdfWriter(clone_from=io.BytesIO(data))
        fields = writer._root_object["/AcroForm"]["/Fields"]
    except Exception:
        return mutate_bytes(rng, data)
    values = [NumberObject(12), FloatObject(1.5), NameObject("/Off"), NameObject("/Yes"), NameObject("/X"),
              TextStringObject(""), TextStringObject("1" * 40), TextStringObject("\x0b"),
              ArrayObject([TextStringObject("a"), NumberObject(1)]), DictionaryObject(), NullObject(),
              NumberObject(-1), NumberObject(1 << 15), NumberObject(1 << 16)]
    for _ in range(rng.randint(1, 3)):
        if not len(fields):
            break
        field = fields[rng.randrange(len(fields))].get_object()
        op = rng.randrange(5)
        if op == 0:
            field[NameObject(rng.choice(["/T", "/V", "/FT", "/Ff", "/Opt", "/Kids"]))] = rng.choice(values)
        elif op == 1:
            del_key = rng.choice(["/T", "/V", "/FT", "/Kids"])
            if del_key in field:
                del field[del_key]
        elif op == 2:  # the same field listed twice
            fields.append(fields[rng.randrange(len(fields))])
        elif op == 3:  # moved under a new parent: a.<name>
            parent = DictionaryObject({NameObject("/T"): TextStringObject("a"),
                                       NameObject("/Kids"): ArrayObject([writer._add_object(field)])})
            fields.append(writer._add_object(parent))
        else:
            field[NameObject("/FT")] = NameObject(rng.choice(["/Btn", "/Ch", "/Tx", "/Sig"]))
            field[NameObject("/Ff")] = NumberObject(rng.choice([0, 1 << 15, 1 << 16, 1 << 17]))
    out = io.BytesIO()
    try:
        writer.write(out)
    except Exception:
        return mutate_bytes(rng, data)
    return out.getvalue()


def mutate(rng: random.Random, kind: str, data: bytes) -> bytes:
    """A mutated copy of ``data`` for an input of ``kind``."""
    if kind in ("docx", "xlsx", "xlsx-form"):
        return mutate_zip(rng, data) if rng.random() < 0.75 else mutate_bytes(rng, data)
    if kind == "pdf":
        r = rng.random()
        if r < 0.5:
            return mutate_pdf_fields(rng, data)
        return mutate_pdf(rng, data) if r < 0.8 else mutate_bytes(rng, data)
    return mutate_text(rng, data) if rng.random() < 0.6 else mutate_bytes(rng, data)


# -- running ---------------------------------------------------------------------------------

def _suffix(kind: str) -> str:
    return {"xlsx-form": ".xlsx", "regulation": ".yaml"}.get(kind, "." + kind)


def run_one(kind: str, name: str, data: bytes, project: Any, workdir: Path, *, check: bool) -> str | None:
    """Feed one input to its readers; a description of the crash, or None if only regkit errors
    (or valid results) came out."""
    from regkit.errors import RegkitError

    folder = workdir / "case"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    stem = name.rsplit(".", 1)[0]
    path = folder / (stem + _suffix(kind))
    if kind == "regulation":  # linted beside the other regulations it refers to
        for other in REGULATIONS.glob("*.yaml"):
            if other.name not in ("org.yaml", path.name):
                shutil.copy(other, folder / other.name)
    path.write_bytes(data)
    stderr = io.StringIO()
    outcome = "ok"
    try:
        with contextlib.redirect_stderr(stderr), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for step in _steps(kind, path, project, folder, check):
                try:
                    step()
                except RegkitError:
                    outcome = "regkit"
    except Exception:
        return f"{kind} {name}: {traceback.format_exc(limit=-6)}"
    if stderr.getvalue().strip():
        return f"{kind} {name}: wrote to stderr: {stderr.getvalue().strip()[:500]}"
    if caught:
        return f"{kind} {name}: warning: {caught[0].category.__name__}: {caught[0].message}"
    return outcome


def _steps(kind: str, path: Path, project: Any, folder: Path, check: bool) -> list[Callable[[], None]]:
    from regkit.check import audit
    from regkit.forms.extract import extract_file
    from regkit.loader import load_project
    from regkit.report import render

    def extract() -> None:
        extract_file(path, project)

    def run_check() -> None:
        report = audit(project, [path], as_of=dt.date(2026, 11, 30))
        junit = render(report, "junit")
        from lxml import etree

        try:
            etree.fromstring(junit)
        except etree.XMLSyntaxError as exc:
            raise AssertionError(f"JUnit report is not well-formed XML: {exc}") from None
        render(report, "json")

    def lint() -> None:
        load_project([path.parent], REGULATIONS / "org.yaml")

    def read() -> None:
        from regkit.records import collect

        collect(project, [path], workdir=folder)

    if kind == "regulation":
        return [lint]
    if kind in ("docx", "pdf", "xlsx-form"):
        return [extract, run_check] if check else [extract]
    return [run_check] if check else [read]


def fuzz(iterations: int, seed: int, workdir: Path, *, check_every: int = 3,
         kinds: tuple[str, ...] = KINDS, progress: Callable[[int], None] | None = None,
         seeds: dict[str, list[tuple[str, bytes]]] | None = None) -> Counts:
    """``iterations`` mutated inputs per kind. Every ``check_every``-th round runs the whole
    audit (and its reports) on each input; the other rounds only its readers (``extract_file``
    for forms, ``collect`` for record files), which is where the damage is met."""
    from regkit.loader import load_project

    project = load_project([REGULATIONS])
    seeds = seeds or make_seeds(workdir / "seeds")
    rng = random.Random(seed)
    counts = Counts()
    for n in range(iterations):
        for kind in kinds:
            if not seeds.get(kind):
                continue
            name, data = rng.choice(seeds[kind])
            bad = mutate(rng, kind, data)
            counts.inputs[kind] += 1
            got = run_one(kind, name, bad, project, workdir, check=n % check_every == 0)
            if got == "regkit":
                counts.regkit_errors[kind] += 1
            elif got == "ok":
                counts.accepted[kind] += 1
            elif got is not None:
                counts.crashes.append(got)
                (workdir / f"crash-{len(counts.crashes)}{_suffix(kind)}").write_bytes(bad)
        if progress:
            progress(n)
    return counts
