#!/usr/bin/env python3
"""Time `regkit build` and compare it, in the same run, with LibreOffice converting the DOCX files
the build wrote.

    .venv/bin/python bench/build_bench.py [--repeat 3] [--regulations regulations]

Prints, each the best of --repeat runs (medians in brackets), for `regkit build` as it is (the
official documents and the blank forms) and for the official documents alone:
- cold build: into an empty folder, no cache; a fresh process, as a user runs it;
- unchanged rebuild: the same command again (content-hash cache);
- LibreOffice: one `soffice --headless --convert-to pdf` of all the DOCX files that build wrote, with
  a warmed-up user profile (its first start, creating the profile, is not counted);
then the PDF step (HTML, layout, glyph check, PDF) of the longest regulation and of a ~25-page
document made of all regulations' clauses, in a warm process.
LibreOffice is not a regkit dependency: install it with
    apt-get install -y libreoffice-writer-nogui
(`make bench` does when run as root); without it that comparison is skipped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REGKIT = [sys.executable, "-m", "regkit"]


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) wall seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def run(cmd: list[str], **kw: object) -> None:
    """Run a command; stop the bench with its output if it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kw)  # type: ignore[call-overload]
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")


def fmt(best: float, median: float) -> str:
    """Seconds, best and median."""
    return f"{best:6.2f} s  (median {median:.2f} s)"


# `regkit build` limited to the official documents (no blank forms), for the documents-only rows
DOCUMENTS_ONLY = ("import sys, regkit.render.build as b; "
                  "b.TARGET_PROVIDERS = ('regkit.render.build:document_targets',); "
                  "from regkit.cli import main; sys.exit(main(sys.argv[1:], obj={}))")


def main() -> int:
    """Run the bench and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--regulations", default="regulations")
    args = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    work = Path(tempfile.mkdtemp(prefix="regkit-bench-"))
    print(f"regkit build bench — {os.cpu_count()} cores, SOURCE_DATE_EPOCH={os.environ['SOURCE_DATE_EPOCH']}, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    scenarios = {
        "everything (documents + blank forms)": [*REGKIT, "build"],
        "official documents only": [sys.executable, "-c", DOCUMENTS_ONLY, "build"],
    }
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("  LibreOffice: not installed, comparison skipped "
              "(apt-get install -y libreoffice-writer-nogui, or `make bench` as root)")
    else:
        version = subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"  LibreOffice: {version}, one `soffice --headless --convert-to pdf` of all the DOCX files")
    for i, (label, cmd) in enumerate(scenarios.items()):
        out = work / f"out{i}"
        build = [*cmd, "--regulations", args.regulations, "-o", str(out)]

        def cold(out: Path = out, build: list[str] = build) -> None:
            shutil.rmtree(out, ignore_errors=True)
            run(build)

        cold_best, cold_med = timed(cold, args.repeat)
        docx = sorted(out.rglob("*.docx"))
        others = len([p for p in out.rglob("*") if p.is_file() and p.suffix != ".json"]) - len(docx)
        print(f"{label}: {len(docx)} DOCX + {others} other files")
        print(f"  regkit cold build:      {fmt(cold_best, cold_med)}")
        re_best, re_med = timed(partial(run, build), args.repeat)
        print(f"  unchanged rebuild:      {fmt(re_best, re_med)}   goal < 0.5 s")
        if soffice is None:
            continue
        lo_out = work / f"lo{i}"
        convert = [soffice, f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless",
                   "--convert-to", "pdf", "--outdir", str(lo_out), *map(str, docx)]
        run(convert)  # the first start creates the profile: not counted

        def lo(lo_out: Path = lo_out, convert: list[str] = convert) -> None:
            shutil.rmtree(lo_out, ignore_errors=True)
            run(convert)

        lo_best, lo_med = timed(lo, args.repeat)
        ratio = cold_best / lo_best
        print(f"  LibreOffice, DOCX->PDF: {fmt(lo_best, lo_med)}")
        print(f"  regkit / LibreOffice:   {ratio:6.2f}   goal <= 0.50 ({'met' if ratio <= 0.5 else 'not met'})")
        if i == 0:
            for forms in (False, True):
                floor_best, floor_med = weasyprint_floor(args.regulations, work / f"floor{forms}", args.repeat,
                                                         forms=forms)
                what = "the 5 documents and the 33 form pages" if forms else "the 5 documents only"
                print(f"  WeasyPrint alone, {what}: {fmt(floor_best, floor_med)} = {floor_best / lo_best:.2f} of "
                      "LibreOffice's time for everything (import, fonts, layout and PDF on every core; no DOCX, "
                      "no XLSX, no form fields, no glyph check)")
    for name, pages, whole, layout, write in pdf_step(args.regulations, args.repeat):
        print(f"PDF step, {name} ({pages} pages): {whole:.2f} s  (layout + glyph check {layout:.2f} s, "
              f"writing the PDF {write:.2f} s; warm process)   goal < 0.5 s for 25 pages")
    shutil.rmtree(work, ignore_errors=True)
    return 0


# A fresh process doing only what no build of the PDFs through WeasyPrint can skip: import it,
# load the fonts, lay out the HTML pages and write their PDFs, on every core (forked workers, the
# longest pages first). argv: the folder of <id>.html files and fonts.css, the template folder
# (form pages carry their stylesheet inline).
FLOOR = r'''
import os, sys
from pathlib import Path
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
work, base = Path(sys.argv[1]), Path(sys.argv[2])
fonts = FontConfiguration()
sheet = CSS(string=(work / "fonts.css").read_text(encoding="utf-8"), font_config=fonts)
docs = sorted(work.glob("*.html"), key=lambda p: -p.stat().st_size)
cores = os.cpu_count() or 1
pids = []
for k in range(cores):
    pid = os.fork()
    if pid == 0:
        for doc in docs[k::cores]:
            html = HTML(string=doc.read_text(encoding="utf-8"), base_url=base.as_uri() + "/")
            (work / (doc.stem + ".pdf")).write_bytes(html.render(stylesheets=[sheet], font_config=fonts).write_pdf())
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
'''


def weasyprint_floor(source: str, work: Path, repeat: int, *, forms: bool = False) -> tuple[float, float]:
    """(best, median) seconds of a fresh process that only renders the official documents' HTML
    (and with ``forms`` the blank forms' pages) to PDF with WeasyPrint (FLOOR): what those PDFs
    cost whatever else a build does."""
    from regkit.loader import load_project
    from regkit.render.context import build_document
    from regkit.render.fonts import FontSet
    from regkit.render.html import render_html
    from regkit.render.settings import load_settings

    templates = ROOT / "templates"
    folder = (templates / "document").resolve()
    project = load_project([ROOT / source])
    settings = load_settings(templates)
    work.mkdir(parents=True, exist_ok=True)
    fonts = FontSet.from_settings(settings.language("zh-Hans").fonts, templates)
    (work / "fonts.css").write_text(fonts.css(), encoding="utf-8")
    for reg in project.regulations:
        html = render_html(build_document(project, reg, "zh-Hans", settings), folder, fonts)
        (work / f"{reg.id}.html").write_text(html, encoding="utf-8")
    pages = len(project.regulations)
    if forms:
        from regkit.forms.layout import build_layout
        from regkit.forms.pdf import CSS_FILE, page_html
        from regkit.forms.style import load_style

        style = load_style(templates)
        css = (style.folder / CSS_FILE).read_text(encoding="utf-8")
        for reg in project.regulations:
            for form in reg.forms:
                layout = build_layout(reg, form, project.org.company, style, None)
                html = page_html(layout, style, list(layout.controls()))
                (work / f"form-{form.id}.html").write_text(html.replace("</head>", f"<style>{css}</style></head>", 1),
                                                           encoding="utf-8")
                pages += 1
    best, median = timed(partial(run, [sys.executable, "-c", FLOOR, str(work), str(folder)]), repeat)
    if len(list(work.glob("*.pdf"))) != pages:
        sys.exit("the WeasyPrint floor did not write every PDF")
    return best, median


def pdf_step(source: str, repeat: int) -> list[tuple[str, int, float, float, float]]:
    """For the longest regulation and a ~25-page document made of all regulations' clauses: its
    name, pages, and the best seconds of the whole PDF step, of the layout and of writing the PDF,
    in a warm process."""
    import dataclasses
    import io

    import pypdf
    from weasyprint import HTML

    from regkit.loader import load_project
    from regkit.render.context import Document, build_document
    from regkit.render.fonts import FontSet, check_coverage, laid_out_texts
    from regkit.render.html import render_html
    from regkit.render.pdf import _engine, render_pdf
    from regkit.render.settings import load_settings

    templates = ROOT / "templates"
    folder = templates / "document"
    project = load_project([ROOT / source])
    settings = load_settings(templates)
    docs = [build_document(project, r, "zh-Hans", settings) for r in project.regulations]
    longest = max(docs, key=lambda d: len(d.printed_text()))
    everything = dataclasses.replace(longest, id="all-clauses", blocks=tuple(b for d in docs for b in d.blocks))

    def pages(doc: Document) -> int:
        return len(pypdf.PdfReader(io.BytesIO(render_pdf(doc, templates))).pages)

    total = pages(everything)
    blocks = everything.blocks[: max(1, len(everything.blocks) * 25 // total + 1)]
    synthetic = dataclasses.replace(everything, id="synthetic", blocks=blocks)
    fonts = FontSet.from_settings(settings.language("zh-Hans").fonts, templates)
    font_config, sheet, fetcher = _engine(str(folder.resolve()), fonts)

    def layout(doc: Document) -> Any:
        source = render_html(doc, folder, fonts)
        html = HTML(string=source, base_url=folder.resolve().as_uri() + "/", url_fetcher=fetcher)
        laid = html.render(stylesheets=[sheet], font_config=font_config)
        check_coverage(laid_out_texts(laid), fonts, "bench")
        return laid

    rows = []
    for doc in (longest, synthetic):
        n = pages(doc)  # also the warm-up
        whole = timed(partial(render_pdf, doc, templates), max(repeat, 5))[0]
        lay = timed(partial(layout, doc), max(repeat, 5))[0]
        write = timed(layout(doc).write_pdf, max(repeat, 5))[0]
        rows.append((doc.id, n, whole, lay, write))
    return rows


if __name__ == "__main__":
    sys.exit(main())
