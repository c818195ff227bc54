"""The three named forms filled with Chinese by the programs staff use, saved, and read back by
``regkit extract`` with every value intact: LibreOffice Writer and Calc (typing into the form
through UNO, saving as DOCX/XLSX and as ODT/ODS) and pdftk-java (iText) for the PDF form."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from forms_support import SPEC_RECORDS
from office_support import Office, office, pdftk, typed, xfdf  # noqa: F401  (office: the session fixture)
from regkit.cli import main
from regkit.forms.api import render_form
from regkit.forms.extract import extract_file
from regkit.forms.layout import header_date
from regkit.forms.records import dump_records
from regkit.forms.xlsx import sheet_columns
from regkit.loader import Project, load_project

pytestmark = pytest.mark.office
REGULATIONS = Path(__file__).parent.parent / "regulations"
IDS = [r["form"] for r in SPEC_RECORDS]


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project([REGULATIONS])


@pytest.fixture(autouse=True, scope="module")
def _page_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def _writer_spec(project: Project, record: dict[str, Any]) -> dict[str, Any]:
    """What a person types into the Word/Writer form: the number line, each labelled cell, the rows."""
    _, form = project.form(record["form"])  # type: ignore[misc]
    head = header_date(form)
    spec: dict[str, Any] = {"header": {"编号：": record["id"]}, "fields": {}, "table": {"rows": []}}
    if head is not None:
        spec["header"][f"{head.label}："] = typed(record[head.key])
    for f in form.fields:
        value = record.get(f.key)
        if f.key in ("id", head.key if head else "") or value in (None, [], ""):
            continue
        if f.type == "table":
            labels = {c.key: c.label for c in f.columns or []}
            spec["table"]["rows"] = [{labels[k]: typed(v) for k, v in row.items() if v not in (None, "")}
                                     for row in value]
        else:
            spec["fields"][f.label] = typed(value)
    return spec


def _calc_spec(project: Project, record: dict[str, Any]) -> dict[str, Any]:
    """What a person types into the register: one row, or one per table row."""
    _, form = project.form(record["form"])  # type: ignore[misc]
    cols = sheet_columns(form)
    table_rows = record.get(form.table.key) if form.table else None
    rows = []
    for trow in table_rows or [None]:
        row = {}
        for col in cols:
            value = (trow or {}).get(col.field.key) if col.table else record.get(col.field.key)
            if value not in (None, [], ""):
                row[col.header] = typed(value)
        rows.append(row)
    return {"sheet": form.id[:31], "rows": rows}


@pytest.mark.parametrize("saved_as", ["docx", "odt"])
@pytest.mark.parametrize("record", SPEC_RECORDS, ids=IDS)
def test_writer_fills_and_saves_the_word_form(project: Project, office: Office, tmp_path: Path,  # noqa: F811
                                              record: dict[str, Any], saved_as: str) -> None:
    # LibreOffice 7.4 drops the content controls' tags and retypes the properties: the fields are
    # found by the form's layout.
    blank = tmp_path / f"{record['form']}.docx"
    blank.write_bytes(render_form(project, record["form"], "docx"))
    filled = tmp_path / f"filled.{saved_as}"
    office.fill(blank, filled, _writer_spec(project, record))
    assert extract_file(filled, project) == [record]


@pytest.mark.parametrize("saved_as", ["xlsx", "ods"])
@pytest.mark.parametrize("record", SPEC_RECORDS, ids=IDS)
def test_calc_fills_and_saves_the_register(project: Project, office: Office, tmp_path: Path,  # noqa: F811
                                           record: dict[str, Any], saved_as: str) -> None:
    # Calc saves the RegkitFormVersion property as a decimal and types dates and amounts.
    blank = tmp_path / f"{record['form']}.xlsx"
    blank.write_bytes(render_form(project, record["form"], "xlsx"))
    filled = tmp_path / f"filled.{saved_as}"
    office.fill(blank, filled, _calc_spec(project, record))
    assert extract_file(filled, project) == [record]


def _pdf_values(record: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in record.items():
        if key == "form" or value in (None, [], ""):
            continue
        if key == "rows":
            for i, row in enumerate(value):
                out.update({f"rows_{i}_{col}": typed(cell) for col, cell in row.items() if cell not in (None, "")})
        else:
            out[key] = typed(value)
    return out


FONT = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"


@pytest.mark.parametrize("options", [[], ["need_appearances"], ["replacement_font", FONT]],
                         ids=["plain", "need_appearances", "replacement_font"])
@pytest.mark.parametrize("record", SPEC_RECORDS, ids=IDS)
def test_pdftk_fills_the_pdf_form(project: Project, tmp_path: Path, record: dict[str, Any],
                                  options: list[str]) -> None:
    # pdftk-java's iText 2 cannot use the predefined STSong-Light (it wrote a 0-byte file): the
    # field font is an embedded subset it accepts.
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(render_form(project, record["form"], "pdf"))
    data = tmp_path / "values.xfdf"
    data.write_bytes(xfdf(_pdf_values(record)))
    filled = tmp_path / "filled.pdf"
    done = subprocess.run([pdftk(), str(blank), "fill_form", str(data), "output", str(filled), *options],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and filled.stat().st_size > 0, done.stderr
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(filled), "--regulations", str(REGULATIONS)], obj={})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == dump_records([record])


def test_pdftk_filled_value_shows_in_poppler(project: Project, tmp_path: Path) -> None:
    # With a replacement font pdftk draws every character; pdftoppm shows ink in the field's box.
    record = SPEC_RECORDS[0]
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(render_form(project, record["form"], "pdf"))
    data = tmp_path / "values.xfdf"
    data.write_bytes(xfdf({"customer": "上海浦东新贸易有限公司"}))
    filled = tmp_path / "filled.pdf"
    subprocess.run([pdftk(), str(blank), "fill_form", str(data), "output", str(filled), "replacement_font", FONT],
                   check=True, capture_output=True, timeout=120)
    ink = {}
    for name, path in (("blank", blank), ("filled", filled)):
        reader = PdfReader(path)
        widget = next(a.get_object() for a in reader.pages[0]["/Annots"]
                      if a.get_object().get("/Parent", {}).get("/T") == "customer"
                      or a.get_object().get("/T") == "customer")
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        height = float(reader.pages[0].mediabox.height)
        scale = 100 / 72
        crop = ["-x", str(int(x0 * scale) + 2), "-y", str(int((height - y1) * scale) + 2),
                "-W", str(int((x1 - x0) * scale) - 4), "-H", str(int((y1 - y0) * scale) - 4)]
        subprocess.run(["pdftoppm", "-r", "100", "-gray", *crop, str(path), str(tmp_path / name)], check=True)
        pgm = next(tmp_path.glob(f"{name}-*.pgm")).read_bytes()
        ink[name] = sum(1 for b in pgm.split(b"\n", 3)[3] if b < 128)
    assert ink["blank"] == 0 and ink["filled"] > 100, ink
