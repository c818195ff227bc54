"""The HTML audit report prints well: chromium (the browser staff print from) lays it out on A4
by the report's print stylesheet, every finding's text on the printed pages."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from regkit.check import audit
from regkit.loader import load_project
from regkit.report import render

ROOT = Path(__file__).parent.parent


@pytest.mark.browser
def test_audit_report_prints_on_a4(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is needed (scripts/system-deps.sh installs it; skip with -m 'not browser')")
    report = audit(load_project([ROOT / "regulations"]), [ROOT / "examples" / "records"], as_of=dt.date(2026, 11, 30))
    page = tmp_path / "audit.html"
    page.write_bytes(render(report, "html"))
    pdf = tmp_path / "audit.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info, info  # from the print stylesheet's @page, not the browser's Letter default
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "合规检查报告" in text
    # every finding's row printed (its severity word stands alone in the first column)
    assert report.findings and text.count("错误") + text.count("提醒") >= len(report.findings)
