"""Outputs are whole or not at all: a failed write (file too large, not a folder, no permission)
is one line and exit 2 with the old file intact and no temporary file left; temporary files a
killed run left are cleaned on the next write; file names made from record ids are cut by bytes;
a closed pipe on stdout is not an error."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from regkit.cli import main
from regkit.errors import OutputError
from regkit.files import clean_stale, write_atomic
from regkit.forms.output import MAX_NAME_BYTES, safe_name

ROOT = Path(__file__).resolve().parent.parent
REGKIT = str(Path(sys.executable).with_name("regkit"))
REGULATIONS = ROOT / "regulations"
RECORDS = ROOT / "examples" / "records"


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_file_too_large_is_one_line_and_keeps_the_old_report(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    out.write_text("OLD", encoding="utf-8")

    def small_files() -> None:  # the kernel's own limit: writing past it fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    proc = subprocess.run([REGKIT, "check", str(RECORDS), "--regulations", str(REGULATIONS), "--as-of",
                           "2026-11-30", "--format", "json", "-o", str(out)],
                          capture_output=True, text=True, preexec_fn=small_files, cwd=tmp_path, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"{out}: cannot write: File too large (the file is larger than this system or its limits "
                     "allow)"], proc.stderr
    assert out.read_text(encoding="utf-8") == "OLD"
    assert _temps(tmp_path) == []


def test_writing_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write: a folder on the way is a file"):
        write_atomic(tmp_path / "a-file" / "report.json", b"{}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_no_permission_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "r.json").write_text("OLD", encoding="utf-8")
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="Permission denied"):
            write_atomic(folder / "r.json", b"{}")
    finally:
        folder.chmod(0o755)
    assert (folder / "r.json").read_text(encoding="utf-8") == "OLD"


def test_a_killed_runs_temporary_files_are_cleaned_on_the_next_write(tmp_path: Path) -> None:
    stale = [".report.json.ab12cd_3.tmp", ".report.json.zz99zz99.tmp", ".form.pdf.a1b2c3d4.tmp"]
    keep = ["report.json.tmp", ".report.json.x.y.tmp", "notes.txt", ".report.json.longer.abcdefgh.tmp"]
    for name in stale + keep:
        (tmp_path / name).write_text("half", encoding="utf-8")
        os.utime(tmp_path / name, (1, 1))  # left long ago by a killed run
    young = tmp_path / ".report.json.young123.tmp"  # another process writing the same file now
    young.write_text("half", encoding="utf-8")
    write_atomic(tmp_path / "report.json", b"{}")
    assert young.exists()
    assert not (tmp_path / stale[0]).exists() and not (tmp_path / stale[1]).exists()
    assert (tmp_path / stale[2]).exists()  # another file's: cleaned when the folder is cleaned
    assert all((tmp_path / n).exists() for n in keep)
    clean_stale(tmp_path)
    assert not (tmp_path / stale[2]).exists()
    assert (tmp_path / "report.json").read_bytes() == b"{}"


def test_a_long_record_id_makes_a_file_name_cut_by_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = "编号" * 60  # 360 bytes of UTF-8
    assert len(safe_name(rid).encode("utf-8")) <= MAX_NAME_BYTES
    assert safe_name("é" * 200).encode("utf-8").decode("utf-8")  # never cut inside a character
    record = tmp_path / "rec.yaml"
    record.write_text(yaml.safe_dump({"form": "arrears-approval", "id": rid}, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["form", "arrears-approval", "--format", "docx", "--data", str(record),
                                       "--regulations", str(REGULATIONS)])
    assert result.exit_code == 0, result.output
    written = list((tmp_path / "out" / "forms").iterdir())
    assert len(written) == 1 and len(written[0].name.encode("utf-8")) <= 255


@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["schema"],
                                  ["check", str(RECORDS), "--as-of", "2026-11-30"]])
def test_a_closed_pipe_is_not_an_error(args: list[str]) -> None:
    # `regkit list | head -1`: the reader has gone before everything is written
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([REGKIT, *args, "--regulations", str(REGULATIONS)] if args[0] != "schema"
                              else [REGKIT, *args], stdout=write, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                              check=False)
    finally:
        os.close(write)
    assert proc.stderr == ""
    assert proc.returncode == 0


@pytest.mark.parametrize("text", ["[" * 100000, "\udcff", "{\"targets\": 1}", "null"])
def test_a_damaged_build_cache_is_no_cache(tmp_path: Path, text: str) -> None:
    from regkit.render.build import _read_cache

    path = tmp_path / ".regkit-cache.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert _read_cache(path) == {}


def test_an_output_that_is_a_folder_or_a_device_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "report.json").mkdir()
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic(tmp_path / "report.json", b"{}")
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic(Path("/dev/null"), b"{}")
    assert Path("/dev/null").is_char_device()


def test_disk_full_is_one_line_and_keeps_the_old_report(tmp_path: Path) -> None:
    # an 8 KiB file system of its own (a private mount namespace: nothing to clean up after)
    small = tmp_path / "small"
    small.mkdir()
    script = (f'mount -t tmpfs -o size=8k tmpfs "{small}" || exit 99; printf OLD > "{small}/audit.json"; '
              f'"{REGKIT}" check "{RECORDS}" --regulations "{REGULATIONS}" --as-of 2026-11-30 --format json '
              f'-o "{small}/audit.json"; code=$?; cat "{small}/audit.json"; ls -a "{small}"; exit $code')
    try:
        proc = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, cwd=tmp_path,
                              check=False, timeout=300)
    except FileNotFoundError:
        pytest.skip("no unshare")
    if proc.returncode == 99 or "unshare:" in proc.stderr:
        pytest.skip("cannot mount a small file system here")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [f"{small}/audit.json: cannot write: No space left on device (the "
                                                "disk is full: free some space and run again)"]
    assert proc.stdout.startswith("OLD")
    assert ".tmp" not in proc.stdout


def test_a_page_cache_that_cannot_be_written_only_costs_time(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    monkeypatch.setenv("REGKIT_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    out = tmp_path / "blank.pdf"
    result = CliRunner().invoke(main, ["form", "arrears-approval", "-o", str(out), "--regulations", str(REGULATIONS)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
