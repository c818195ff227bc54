"""``regkit serve`` with no set-up in a new project; database URLs; the history cannot be rewritten."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from web_support import ROOT, free_port, regkit

from regkit.errors import UsageError
from regkit.web.dburl import database_settings, redact
from regkit.web.server import default_shape


def test_serve_zero_setup(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    regkit("init", str(project))
    port = free_port()
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "REGKIT_CACHE_DIR": str(cache)}
    proc = subprocess.Popen([sys.executable, "-m", "regkit", "serve", "--port", str(port)], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body = b""
        for _ in range(150):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else b""
                time.sleep(0.3)
        assert "登录".encode() in body
        # each worker printed a form when it started (the PDF machinery is loaded before a record asks)
        pages = cache / "form-pages"
        for _ in range(100):
            if pages.is_dir() and any(p.is_file() for p in pages.rglob("*")):
                break
            time.sleep(0.3)
        assert any(p.is_file() for p in pages.rglob("*")), "no worker warmed up the PDF printing"
        data = project / ".regkit"
        assert (data / "regkit.sqlite3").is_file()
        key = data / "secret_key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) >= 64
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0].decode()
    assert f"serving http://127.0.0.1:{port}/" in out
    # the same key on the next start; the schema is already there
    r = regkit("db", "upgrade", "--project", str(project))
    assert "0 migrations applied" in r.stdout
    assert key.read_text() == (project / ".regkit" / "secret_key").read_text()


def test_database_urls(tmp_path: Path) -> None:
    s = database_settings("sqlite:///regkit.sqlite3", tmp_path)
    assert s["ENGINE"].endswith("sqlite3") and s["NAME"] == str(tmp_path / "regkit.sqlite3")
    assert database_settings("sqlite:////var/x.db", tmp_path)["NAME"] == "/var/x.db"
    assert database_settings("data.db", tmp_path)["NAME"] == str(tmp_path / "data.db")
    p = database_settings("postgresql://u:p%40ss@db.internal:5433/regkit?sslmode=require", tmp_path)
    assert (p["ENGINE"], p["NAME"], p["USER"], p["PASSWORD"], p["HOST"], p["PORT"]) == (
        "regkit.web.postgres", "regkit", "u", "p@ss", "db.internal", "5433")
    assert p["OPTIONS"] == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 5}
    pooled = database_settings("postgresql://u@h/regkit?prepare_threshold=none", tmp_path)
    assert pooled["OPTIONS"]["prepare_threshold"] is None
    sock = database_settings("postgresql://regkit@/db?host=/run/postgresql&port=5432", tmp_path)
    assert sock["HOST"] == "/run/postgresql" and sock["PORT"] == "5432"
    assert redact("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
    for bad in ("mysql://h/db", "postgresql://h/", "postgresql://h/db?prepare_threshold=soon"):
        with pytest.raises(UsageError):
            database_settings(bad, tmp_path)


APPEND_ONLY = """
import sys
from pathlib import Path
from regkit.web.cli import web_config
from regkit.web.server import upgrade
upgrade(web_config(Path(sys.argv[1]), None, Path(sys.argv[2]), None))
from django.utils import timezone
from regkit.web.models import AppendOnly, Event, StoredRecord
now = timezone.now()
rec = StoredRecord.objects.create(form_id="arrears-approval", number="QF-1", status="pending", created_by="李娜",
                                  created_at=now, updated_at=now)
e = Event(record=rec, at=now, actor="李娜", action="created")
e.save()
refused = []
e.comment = "rewritten"
for attempt in (e.save, e.delete):
    try:
        attempt()
    except AppendOnly:
        refused.append(attempt.__name__)
print(",".join(refused), Event.objects.get(pk=e.pk).comment == "")
"""


def test_history_is_append_only(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", APPEND_ONLY, str(ROOT / "regulations"), str(tmp_path)],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "save,delete True"


def test_default_shape() -> None:
    # SQLite's writers take turns: few processes; PostgreSQL: two processes per core, 4 threads each
    assert default_shape("sqlite") == (2, 8)
    workers, threads = default_shape("postgresql")
    assert threads == 4 and workers == max(2, min(8, 2 * len(os.sched_getaffinity(0))))


NUMBERING = """
import sys
from pathlib import Path
from regkit.web.cli import web_config
from regkit.web.server import upgrade
upgrade(web_config(Path(sys.argv[1]), None, Path(sys.argv[2]), None))
from regkit.web import access, service
from regkit.web.models import Counter
project = access.project()
_, form = project.form("arrears-approval")
slip = {"date": "2026-11-02", "customer": "编号测试", "settlement": "现金", "amount": "800", "reason": "测试",
        "promised_date": "2026-12-05", "handler": "李娜", "departments": ["财务部"]}
service.import_record(project, dict(slip, form=form.id, id=f"{form.number_prefix}-0007"), "林涛")
made = [service.create(project, form.id, service.check_values(project, form, slip, None), "李娜").number]
# a counter behind the stored numbers (records imported before imports moved it): the taken ones are skipped
Counter.objects.filter(form_id=form.id).update(last=6)
made.append(service.create(project, form.id, service.check_values(project, form, slip, None), "李娜").number)
print(form.number_prefix, *made)
"""


def test_numbers_follow_imported_ones(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", NUMBERING, str(ROOT / "regulations"), str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    prefix, after_import, after_reset = proc.stdout.split()
    assert (after_import, after_reset) == (f"{prefix}-0008", f"{prefix}-0009")
