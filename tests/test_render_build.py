"""regkit build: both formats say the same, same bytes twice, cache, atomic outputs, CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from regkit.cli import main
from regkit.errors import InputError, RenderError, UsageError
from regkit.loader import load_project
from regkit.render.build import CACHE_FILE, BuildOptions, build
from regkit.render.reproducible import write_atomic

HERE = Path(__file__).parent
ROOT = HERE.parent
DATA = HERE / "data" / "render"
TEMPLATES = ROOT / "templates"
REGULATIONS = ROOT / "regulations"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(autouse=True, scope="module")
def _page_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A build keeps the pages of its PDF forms for `regkit form`: here, not in ~/.cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def _opts(out: Path, source: Path = DATA, **kw: object) -> BuildOptions:
    return BuildOptions(out=out, source=source, templates=TEMPLATES, jobs=1, **kw)  # type: ignore[arg-type]


def docx_text(path: Path) -> str:
    """The text of document.xml, in order."""
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"), etree.XMLParser(resolve_entities=False))
    return "".join(t.text or "" for t in root.iter(f"{W}t"))


def pdf_text(path: Path) -> str:
    """The PDF's text in content order (cells of a table one after the other)."""
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def normalise(text: str) -> str:
    """Without page numbers ("— 3 —") and white space."""
    return re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", text))


def _same_text(out: Path, stem: str) -> None:
    a, b = normalise(docx_text(out / f"{stem}.docx")), normalise(pdf_text(out / f"{stem}.pdf"))
    where = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    assert a == b, f"{stem}: DOCX and PDF differ at {where}: {a[where - 9:where + 9]!r} / {b[where - 9:where + 9]!r}"
    assert len(a) > 100


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = build(_opts(out, langs=("zh-Hans", "zh-Hant")))
    assert sorted(p.name for p in result.written) == [
        "handbook.docx", "handbook.pdf", "handbook.zh-Hant.docx", "handbook.zh-Hant.pdf"]
    return out


@pytest.mark.parametrize("stem", ["handbook", "handbook.zh-Hant"])
def test_docx_and_pdf_say_the_same(built: Path, stem: str) -> None:
    _same_text(built, stem)


def test_real_regulations_end_to_end(tmp_path: Path) -> None:
    try:
        project = load_project([REGULATIONS])
    except InputError as exc:  # the regulations are being written; lint reports them
        pytest.skip(f"regulations/ does not load yet: {exc.problems[0]}")
    result = build(BuildOptions(out=tmp_path, source=REGULATIONS, templates=TEMPLATES))  # both cores
    documents = [p for p in result.written if p.parent == Path(".")]  # forms go to forms/
    assert len(documents) == 2 * len(project.regulations)
    for reg in project.regulations:
        _same_text(tmp_path, reg.id)
        assert f"{project.org.short_name}{reg.doc_number}" in pdf_text(tmp_path / f"{reg.id}.pdf")


def test_unchanged_rebuild_is_skipped_and_fast(built: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in built.iterdir()}
    start = time.perf_counter()
    result = build(_opts(built, langs=("zh-Hans", "zh-Hant")))
    assert time.perf_counter() - start < 0.5
    assert result.written == [] and len(result.skipped) == 4
    assert {p.name: p.stat().st_mtime_ns for p in built.iterdir()} == before


def test_changed_inputs_and_damaged_outputs_rebuild(tmp_path: Path) -> None:
    src = tmp_path / "regs"
    shutil.copytree(DATA, src)
    out = tmp_path / "out"
    build(_opts(out, src, formats=("docx",)))
    (out / "handbook.docx").write_bytes(b"damaged")
    assert [p.name for p in build(_opts(out, src, formats=("docx",))).written] == ["handbook.docx"]
    org = src / "org.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("notice_days: 5", "notice_days: 7"), encoding="utf-8")
    assert [p.name for p in build(_opts(out, src, formats=("docx",))).written] == ["handbook.docx"]
    assert "请假需提前7天申请" in docx_text(out / "handbook.docx")
    assert build(_opts(out, src, formats=("docx",), force=True)).written


def test_failed_build_leaves_previous_outputs(tmp_path: Path) -> None:
    src = tmp_path / "regs"
    shutil.copytree(DATA, src)
    out = tmp_path / "out"
    build(_opts(out, src))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    yaml = src / "handbook.yaml"
    # the DOCX would render, the PDF cannot (no font has 樌): nothing is written
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("按时上下班。", "按时上下班樌。"), encoding="utf-8")
    with pytest.raises(RenderError, match="樌"):
        build(_opts(out, src))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp files either


def test_same_bytes_from_two_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build(_opts(tmp_path / "a"))
    build(BuildOptions(out=tmp_path / "b", source=DATA, templates=TEMPLATES, jobs=2))  # in worker processes
    for name in ("handbook.docx", "handbook.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_progress_reports_every_target(tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    build(_opts(tmp_path, formats=("docx",)), progress=lambda d, n, label: seen.append((d, n, label)))
    assert seen == [(1, 1, "handbook.docx")]


def test_bad_options(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown regulation"):
        build(_opts(tmp_path, regulations=("nope",)))
    with pytest.raises(UsageError, match="unknown format"):
        build(_opts(tmp_path, formats=("odt",)))
    with pytest.raises(UsageError, match="unknown language"):
        build(_opts(tmp_path, langs=("en",)))


def test_cli_build(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["build", "handbook", "--regulations", str(DATA), "--templates", str(TEMPLATES), "-o", str(tmp_path),
            "--format", "docx", "-j", "1"]
    result = runner.invoke(main, args, obj={})
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"built 1 file\(s\), 0 unchanged, in [\d.]+ s\n", result.output)
    assert (tmp_path / "handbook.docx").is_file() and (tmp_path / CACHE_FILE).is_file()
    again = runner.invoke(main, args, obj={})
    assert "built 0 file(s), 1 unchanged" in again.output
    bad = runner.invoke(main, ["build", "nope", "--regulations", str(DATA), "-o", str(tmp_path)], obj={})
    assert bad.exit_code == 2 and "unknown regulation(s): nope" in bad.output


def test_write_atomic_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    target.write_bytes(b"old")

    with pytest.raises(TypeError):
        write_atomic(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and oct(target.stat().st_mode & 0o777) != "0o600"
