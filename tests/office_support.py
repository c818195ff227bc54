"""The real office programs for the round-trip tests: one LibreOffice (soffice, headless, listening
on a pipe) per test session, driven by tests/office/lo_fill.py under Debian's /usr/bin/python3
(python3-uno); pdftk-java for PDF forms. These tests are marked ``office``: skip them locally with
``-m "not office"``; CI runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

FILLER = Path(__file__).parent / "office" / "lo_fill.py"
UNO_PYTHON = "/usr/bin/python3"
FILTERS = {"docx": "MS Word 2007 XML", "odt": "writer8", "xlsx": "Calc MS Excel 2007 XML", "ods": "calc8"}


class Office:
    """A running soffice and how to make it fill a form."""

    def __init__(self, pipe: str, workdir: Path) -> None:
        self.pipe = pipe
        self.workdir = workdir

    def fill(self, src: Path, dst: Path, spec: dict[str, Any]) -> None:
        """Open ``src`` in LibreOffice, type the values of ``spec`` (see lo_fill.py), save as ``dst``
        in the format its suffix names."""
        spec_path = self.workdir / f"{dst.name}.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run([UNO_PYTHON, str(FILLER), self.pipe, str(src), str(dst), FILTERS[dst.suffix[1:]],
                               str(spec_path)], capture_output=True, text=True, timeout=180)
        assert done.returncode == 0 and dst.is_file(), done.stderr[-2000:]


def _require(what: str, ok: bool) -> None:
    if not ok:
        pytest.fail(f"{what} is needed for the office tests (scripts/system-deps.sh installs it; "
                    "skip these tests with -m 'not office')")


@pytest.fixture(scope="session")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """One headless LibreOffice for the whole session (starting it costs seconds)."""
    soffice = shutil.which("soffice")
    _require("LibreOffice (soffice)", soffice is not None)
    _require("python3-uno", subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0)
    work = tmp_path_factory.mktemp("office")
    pipe = f"regkit_test_{os.getpid()}"
    proc = subprocess.Popen(
        [str(soffice), "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation={(work / 'profile').as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield Office(pipe, work)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def pdftk() -> str:
    """The pdftk program (fails the test if it is missing)."""
    path = shutil.which("pdftk")
    _require("pdftk (pdftk-java)", path is not None)
    assert path is not None
    return path


def typed(value: Any) -> str:
    """A record value as a person types it: lists with 、, amounts with two decimals."""
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def xfdf(values: dict[str, str]) -> bytes:
    """An XFDF file setting PDF form fields (what pdftk fill_form reads)."""
    from xml.sax.saxutils import escape, quoteattr

    fields = "".join(f"<field name={quoteattr(k)}><value>{escape(v)}</value></field>" for k, v in values.items())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<xfdf xmlns="http://ns.adobe.com/xfdf/" '
            f'xml:space="preserve"><fields>{fields}</fields></xfdf>\n').encode()
