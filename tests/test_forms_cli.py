"""``regkit form`` and the blank forms of every regulation."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from pypdf import PdfReader

from forms_support import ARREARS, DATA
from regkit.cli import main
from regkit.forms.api import write_blank_forms
from regkit.forms.records import plain
from regkit.loader import load_project

REGULATIONS = Path(__file__).resolve().parent.parent / "regulations"


@pytest.fixture(autouse=True, scope="module")
def _page_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--regulations", str(DATA)], obj={})


def _record(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "rec.yaml"
    path.write_text(yaml.safe_dump(plain(dict(ARREARS, **changes)), allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_form_with_data_shows_the_values(tmp_path: Path) -> None:
    out = tmp_path / "qf.pdf"
    result = _run("form", "arrears-approval", "--data", str(_record(tmp_path)), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out}"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "上海浦东" in text and "12345.67" in text and "QF-2026-001" in text
    _run("form", "arrears-approval", "--data", str(_record(tmp_path, amount=Decimal("1200.5"), paid_amount=1200)),
         "-o", str(out))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "1200.50" in text and "1200.00" in text  # yuan with two decimals, as money is written


def test_form_formats_and_default_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("form", "lost-customer-analysis", "--format", "docx,xlsx")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "forms").iterdir()) == [
        "lost-customer-analysis.docx", "lost-customer-analysis.xlsx"]
    result = _run("form", "arrears-approval", "--data", str(_record(tmp_path, id="../../etc/QF 1")),
                  "--format", "pdf,docx")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "forms" / "arrears-approval-etc_QF_1.pdf").is_file()
    result = _run("form", "arrears-approval", "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 0 and (tmp_path / "x.docx").is_file()


@pytest.mark.parametrize(("changes", "message"), [
    ({"amount": "很多"}, "amount"),
    ({"form": "lost-customer-analysis"}, "not 'arrears-approval'"),
    ({"colour": "红"}, "unknown field"),
])
def test_bad_record_writes_nothing(tmp_path: Path, changes: dict[str, object], message: str) -> None:
    out = tmp_path / "x.pdf"
    result = _run("form", "arrears-approval", "--data", str(_record(tmp_path, **changes)), "-o", str(out),
                  "--format", "pdf,docx,xlsx")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "rec.yaml"]


def test_unknown_form_and_format(tmp_path: Path) -> None:
    result = _run("form", "no-such-form")
    assert result.exit_code == 2 and "unknown form 'no-such-form'" in result.stderr
    result = _run("form", "arrears-approval", "--format", "odt", "-o", str(tmp_path / "x"))
    assert result.exit_code == 2 and "unknown form format 'odt'" in result.stderr


@pytest.mark.skipif(not (REGULATIONS / "market-department.yaml").is_file(), reason="regulations not written yet")
def test_every_regulation_form_builds_blank_in_every_format(tmp_path: Path) -> None:
    project = load_project([REGULATIONS])
    forms = [f.id for _, f in project.forms()]
    assert len(forms) >= 15
    paths = write_blank_forms(project, tmp_path, ["docx", "pdf", "xlsx"], jobs=2)
    assert len(paths) == 3 * len(forms)
    for fid in forms:
        pdf = tmp_path / f"{fid}.pdf"
        reader = PdfReader(pdf)
        assert reader.get_fields(), fid
        assert reader.metadata is not None and reader.metadata["/RegkitForm"] == fid
        if len(reader.pages) == 1:
            assert pdf.stat().st_size < 300_000, fid
        assert (tmp_path / f"{fid}.docx").stat().st_size > 3000
        assert (tmp_path / f"{fid}.xlsx").stat().st_size > 3000
    for spec in ("arrears-approval", "new-customer-notice", "lost-customer-analysis"):
        assert spec in forms


def test_regkit_build_writes_the_blank_forms(tmp_path: Path) -> None:
    from regkit.render.build import BuildOptions, build

    templates = Path(__file__).resolve().parent.parent / "templates"
    options = BuildOptions(formats=("pdf",), out=tmp_path / "out", source=DATA, templates=templates, jobs=1)
    result = build(options)
    forms = sorted(p.name for p in (tmp_path / "out" / "forms").iterdir())
    assert "arrears-approval.pdf" in forms and "arrears-approval.xlsx" in forms
    assert "arrears-approval.docx" not in forms  # only the asked document formats, plus Excel
    assert len(forms) == 2 * 4
    assert Path("forms/lost-customer-analysis.pdf") in result.written


def test_build_leaves_the_form_pages_for_regkit_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from regkit.render.build import BuildOptions, build

    cache = tmp_path / "cache"
    monkeypatch.setenv("REGKIT_CACHE_DIR", str(cache))
    templates = Path(__file__).resolve().parent.parent / "templates"
    build(BuildOptions(formats=("pdf",), out=tmp_path / "out", source=DATA, templates=templates, jobs=2))
    pages = sorted(p.suffix for p in (cache / "form-pages").iterdir())
    assert pages == [".json"] * 4 + [".pdf"] * 4  # the four forms of the test regulation
    out = tmp_path / "blank.pdf"
    assert _run("form", "arrears-approval", "-o", str(out)).exit_code == 0
    assert out.read_bytes() == (tmp_path / "out" / "forms" / "arrears-approval.pdf").read_bytes()


def test_form_reuses_its_rendered_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("REGKIT_CACHE_DIR", str(cache))
    record = str(_record(tmp_path))
    outs = []
    for i, env in enumerate(({}, {}, {"REGKIT_NO_CACHE": "1"})):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        out = tmp_path / f"{i}.pdf"
        assert _run("form", "arrears-approval", "--data", record, "-o", str(out)).exit_code == 0
        outs.append(out.read_bytes())
    assert sorted(p.suffix for p in (cache / "form-pages").iterdir()) == [".json", ".pdf"]
    assert outs[0] == outs[1] == outs[2]  # a cached page gives the same bytes as a fresh one
