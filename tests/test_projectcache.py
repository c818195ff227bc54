"""The cache of loaded projects: a hit gives what loading gives, any change to the files is a miss,
and an entry is read only from a folder nobody else can write to."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from regkit import projectcache
from regkit.errors import InputError
from regkit.loader import Project, load_project

REGULATIONS = Path(__file__).parent / "data" / "check" / "regulations"


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "regs"
    folder.mkdir()
    for name in ("org.yaml", "audit-demo.yaml"):
        shutil.copy(REGULATIONS / name, folder / name)
    monkeypatch.setenv("REGKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REGKIT_CACHE", raising=False)
    return folder


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("*.pickle")) if (tmp_path / "cache").is_dir() else []


def _plant(entry: Path, project: Project, company: str) -> None:
    """Replace a stored entry by the same project under another company name."""
    planted = Project(project.regulations, project.org.model_copy(update={"company": company}), project.files)
    entry.write_bytes(pickle.dumps(planted))


def test_a_second_load_is_read_from_the_cache_and_equals_a_fresh_load(project_dir: Path, tmp_path: Path) -> None:
    first = load_project([project_dir])
    [entry] = _entries(tmp_path)
    again = load_project([project_dir])
    assert again.org.model_dump() == first.org.model_dump()
    assert [r.model_dump() for r in again.regulations] == [r.model_dump() for r in first.regulations]
    assert again.files == first.files
    _plant(entry, first, "缓存里的公司")
    assert load_project([project_dir]).org.company == "缓存里的公司"  # it is the entry that was read


def test_any_change_to_a_file_is_a_miss(project_dir: Path, tmp_path: Path) -> None:
    first = load_project([project_dir])
    [entry] = _entries(tmp_path)
    _plant(entry, first, "旧的")
    org = project_dir / "org.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace(first.org.company, "新名称有限公司", 1), encoding="utf-8")
    assert load_project([project_dir]).org.company == "新名称有限公司"
    assert len(_entries(tmp_path)) == 2


def test_a_damaged_entry_is_a_miss_not_an_error(project_dir: Path, tmp_path: Path) -> None:
    first = load_project([project_dir])
    [entry] = _entries(tmp_path)
    entry.write_bytes(b"\x80\x05not a pickle")
    assert load_project([project_dir]).org.company == first.org.company
    assert pickle.loads(entry.read_bytes()).org.company == first.org.company  # stored again


def test_a_folder_others_can_write_to_is_not_read(project_dir: Path, tmp_path: Path) -> None:
    first = load_project([project_dir])
    [entry] = _entries(tmp_path)
    _plant(entry, first, "别人放的")
    os.chmod(tmp_path / "cache", 0o777)
    assert load_project([project_dir]).org.company == first.org.company
    os.chmod(tmp_path / "cache", 0o700)
    assert load_project([project_dir]).org.company == "别人放的"


def test_problems_are_never_cached(project_dir: Path, tmp_path: Path) -> None:
    reg = project_dir / "audit-demo.yaml"
    reg.write_text(reg.read_text(encoding="utf-8") + "\nunknown_key: 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError):
            load_project([project_dir])
    assert _entries(tmp_path) == []


def test_the_cache_can_be_turned_off(project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGKIT_CACHE", "off")
    load_project([project_dir])
    assert projectcache.folder() is None and _entries(tmp_path) == []


def test_a_fifo_among_the_files_is_loaded_the_usual_way(project_dir: Path, tmp_path: Path) -> None:
    os.mkfifo(project_dir / "pipe.yaml")
    with pytest.raises(InputError, match="not a regular file"):
        load_project([project_dir])  # the key never opens it (that would block)
    assert _entries(tmp_path) == []


def test_old_entries_are_pruned(project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(projectcache, "KEEP", 2)
    org = project_dir / "org.yaml"
    text = org.read_text(encoding="utf-8")
    for i in range(4):
        org.write_text(text + f"\n# {i}\n", encoding="utf-8")
        load_project([project_dir])
    assert len(_entries(tmp_path)) == 2


def test_an_audit_from_the_cache_loads_no_yaml_or_xml_reader(project_dir: Path, tmp_path: Path) -> None:
    """Start-up is a share of every audit: a cached project needs no YAML parser, a CSV file no
    XML parser (each costs tens of milliseconds to import), and the engine is DuckDB's compiled
    core without the Python package around it (0.06 s to import instead of 0.25 s)."""
    import subprocess
    import sys

    records = tmp_path / "rec"
    records.mkdir()
    (records / "slip.csv").write_text("id,date,customer\nQF-1,2026-03-01,甲公司\n", encoding="utf-8")
    script = ("import sys\nfrom pathlib import Path\nfrom regkit.loader import load_project\n"
              "from regkit.check import audit\n"
              f"audit(load_project([Path({str(project_dir)!r})]), [Path({str(records)!r})])\n"
              "print(sorted(m for m in ('yaml', 'lxml', 'lxml.etree', 'duckdb') if m in sys.modules))\n")
    env = {**os.environ, "REGKIT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("REGKIT_CACHE", None)
    subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True)  # fills the cache
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]", (done.stdout, done.stderr)
