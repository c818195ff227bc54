"""A project of one's own: `regkit init`, the project file found from any subfolder, `--project`,
templates shipped in the package; through CliRunner and through the installed script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document

from regkit.cli import main
from regkit.project import PACKAGE_TEMPLATES, PROJECT_FILE, TEMPLATE_MARKERS, find_project

ROOT = Path(__file__).parent.parent
SCRIPT = Path(sys.executable).parent / "regkit"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj={})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    result = run("init", str(tmp_path / "proj"))
    assert result.exit_code == 0, result.output
    return tmp_path / "proj"


def test_init_writes_a_working_project(project: Path) -> None:
    names = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert names == ["records/借款单.yaml", "records/费用报销单.csv", "regkit.yaml", "regulations/expense.yaml",
                     "regulations/org.yaml", "seeds/000_expense.txt"]


def test_lint_build_check_from_a_subfolder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "records")
    assert run("lint").output == "ok: 1 regulations, 2 forms, 12 rules\n"
    built = run("build", "--format", "docx", "-j", "1")
    assert built.exit_code == 0, built.output
    assert (project / "out" / "expense.docx").is_file()
    assert (project / "out" / "forms" / "loan.xlsx").is_file()
    text = "\n".join(p.text for p in Document(str(project / "out" / "expense.docx")).paragraphs)
    assert "业务招待费每人每次不超过200元，部门负责人不超过300元" in text
    audit = run("check", "--as-of", "2026-06-30", "--format", "json")
    assert audit.exit_code == 1, audit.output
    report = json.loads(audit.output)
    assert report["summary"]["records"] == 12
    assert sorted((f["record"], f["rule"]) for f in report["findings"]) == [
        ("BX-002", "meal-limit"), ("BX-003", "claim-in-time"), ("BX-004", "big-claim-approved"),
        ("BX-005", "claim-approved-by-head"), ("BX-007", "claim-approved-by-head"), ("BX-007", "claim-paid-in-time"),
        ("BX-008", "false-claim"), ("JK-002", "loan-paid-in-time"), ("JK-002", "loan-repaid"),
        ("JK-004", "loan-outstanding")]
    # a path typed on the command line is relative to the current folder
    one = run("check", "借款单.yaml", "--as-of", "2026-06-30", "--format", "json")
    assert sorted(f["record"] for f in json.loads(one.output)["findings"]) == ["JK-002", "JK-002", "JK-004"]


def test_problems_are_shown_relative_to_the_current_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reg = project / "regulations" / "expense.yaml"
    reg.write_text(reg.read_text(encoding="utf-8").replace("form: loan\n", "form: loans\n", 1), encoding="utf-8")
    monkeypatch.chdir(project / "records")
    result = run("lint")
    assert result.exit_code == 2
    assert result.output.startswith("../regulations/expense.yaml:")
    assert "unknown form 'loans'" in result.output


def test_project_option_from_elsewhere(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert run("lint").exit_code == 2  # no project here: regulations/ is missing
    assert run("--project", str(project), "lint").exit_code == 0
    assert run("lint", "--project", str(project)).exit_code == 0
    assert run("list", "--project", str(project / PROJECT_FILE), "--json").exit_code == 0
    missing = run("lint", "--project", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "no such folder" in missing.output


def test_project_file_paths_are_relative_to_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "regulations").rename(project / "制度")
    (project / PROJECT_FILE).write_text("regulations: 制度\nrecords: records\noutput: 输出\n", encoding="utf-8")
    monkeypatch.chdir(project / "records")
    cfg = find_project()
    assert cfg.org == project.resolve() / "制度" / "org.yaml"
    assert cfg.templates == project.resolve() / "templates"
    assert run("lint").exit_code == 0
    assert run("form", "loan", "--format", "docx").exit_code == 0
    assert (project / "输出" / "forms" / "loan.docx").is_file()


def test_bad_project_file_is_one_clear_line(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / PROJECT_FILE).write_text("regulations: regulations\nrecord: records\n", encoding="utf-8")
    monkeypatch.chdir(project)
    result = run("lint")
    assert result.exit_code == 2
    assert result.output == "regkit.yaml:2:1: unknown key 'record'\n"


def test_init_refuses_to_overwrite(project: Path) -> None:
    again = run("init", str(project))
    assert again.exit_code == 2 and "already a regkit project" in again.output
    clash = project.parent / "clash"
    (clash / "regulations").mkdir(parents=True)
    (clash / "regulations" / "org.yaml").write_text("company: 我的公司\n", encoding="utf-8")
    refused = run("init", str(clash))
    assert refused.exit_code == 2 and "would overwrite" in refused.output
    assert not (clash / PROJECT_FILE).exists()  # nothing written
    assert (clash / "regulations" / "org.yaml").read_text(encoding="utf-8") == "company: 我的公司\n"


def test_restyled_templates_are_used(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    assert run("init", "--templates").exit_code == 0
    for part, marker in TEMPLATE_MARKERS.items():
        assert (project / "templates" / part / marker).is_file()
    settings = project / "templates" / "document" / "document.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("负责解释", "负责解释和修订"), encoding="utf-8")
    # the example has a 附则 of its own; drop it so the closing text is printed
    reg = project / "regulations" / "expense.yaml"
    text = reg.read_text(encoding="utf-8")
    reg.write_text(text[:text.index("  - id: c4")] + text[text.index("forms:"):], encoding="utf-8")
    assert run("build", "--format", "docx", "-j", "1").exit_code == 0
    doc = "\n".join(p.text for p in Document(str(project / "out" / "expense.docx")).paragraphs)
    assert "本制度由财务部负责解释和修订" in doc
    assert run("init", "--templates").exit_code == 2  # would overwrite the restyled copy


def test_default_templates_ship_in_the_package() -> None:
    for part, marker in TEMPLATE_MARKERS.items():
        assert (PACKAGE_TEMPLATES / part / marker).is_file()
    # the repository's templates/ is the copy regkit ships: one copy, edited in one place
    assert PACKAGE_TEMPLATES.resolve() == (ROOT / "templates").resolve()


def test_the_repository_is_a_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "docs")
    cfg = find_project()
    assert cfg.file == ROOT.resolve() / PROJECT_FILE
    assert cfg.records == ROOT.resolve() / "examples" / "records"
    assert run("lint").output.startswith("ok: 5 regulations")


def test_wheel_carries_templates_and_the_example(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    names = zipfile.ZipFile(next(tmp_path.glob("regkit-*.whl"))).namelist()
    for part, marker in TEMPLATE_MARKERS.items():
        assert f"regkit/templates/{part}/{marker}" in names
    assert "regkit/templates/document/regulation.docx" in names
    assert "regkit/data/scaffold/regulations/expense.yaml" in names


@pytest.mark.skipif(not SCRIPT.is_file(), reason="regkit is not installed as a script next to this Python")
def test_the_installed_script(tmp_path: Path) -> None:
    def script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=300)

    assert script("init", "p", cwd=tmp_path).returncode == 0
    sub = tmp_path / "p" / "records"
    assert script("lint", cwd=sub).stdout == "ok: 1 regulations, 2 forms, 12 rules\n"
    assert script("build", "--format", "docx", "-j", "1", cwd=sub).returncode == 0
    audit = script("check", "--as-of", "2026-06-30", "--format", "json", cwd=sub)
    assert audit.returncode == 1, audit.stderr
    assert json.loads(audit.stdout)["summary"]["findings"] == 10
    shutil.rmtree(tmp_path / "p")


def test_extract_from_the_output_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    (project / "jk.yaml").write_text(
        "form: loan\nid: JK-009\ndate: 2026-05-06\nborrower: 王磊\namount: 300.00\npurpose: 样品\n", encoding="utf-8")
    assert run("form", "loan", "--data", "jk.yaml", "--format", "docx").exit_code == 0
    monkeypatch.chdir(project / "out")  # the issue: regulations:1:1: no such file or folder
    result = run("extract", "forms/loan-JK-009.docx")
    assert result.exit_code == 0, result.output
    assert "id: JK-009" in result.stdout and "borrower: 王磊" in result.stdout
