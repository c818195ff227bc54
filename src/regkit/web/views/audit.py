"""The auditor's pages: the checker run over the stored records, exports (CSV/XLSX, one sheet
per form), and record files imported."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from ...errors import InputError
from ...records.sources import RECORD_SUFFIXES
from .. import access, service
from .. import export as exporter
from ..dbaudit import audit_database
from ..importer import import_paths
from ..models import StoredRecord
from .common import page

MAX_FILES = 20


def _auditor_or_403(request: HttpRequest) -> HttpResponse | None:
    if not access.audits(request):
        return page(request, "error.html", status=403, message="只有审计人员可以查看此页")
    return None


@login_required
@require_GET
def audit_page(request: HttpRequest) -> HttpResponse:
    """The findings of the checker over every stored record, as of a date."""
    refused = _auditor_or_403(request)
    if refused:
        return refused
    raw = request.GET.get("as_of", "")
    try:
        as_of = dt.date.fromisoformat(raw) if raw else service.today()
    except ValueError:
        as_of = service.today()
    project = access.project()
    if not StoredRecord.objects.exists():  # the checker refuses to audit nothing
        return page(request, "error.html", message="数据库中还没有记录，暂无可审计的内容")
    only = request.GET.get("only", "")
    if only and project.form(only) is None and project.regulation(only) is None:
        only = ""
    try:
        report = audit_database(project, as_of=as_of, only=[only] if only else [])
    except InputError:  # a form no rule reads: the whole audit
        only = ""
        report = audit_database(project, as_of=as_of)
    return page(request, "audit.html", report=report, summary=report.summary(), as_of=as_of.isoformat(),
                form_titles={f.id: f.title for _, f in project.forms()}, only=only,
                rule_titles={r.id: r.title for r in report.rules}, links=_links(report))


def _links(report: Any) -> dict[tuple[str, str], int]:
    """The stored record each finding is about: (form, number) -> its page."""
    wanted = {(f.form, f.record) for f in report.findings if f.form and f.record}
    forms = {f for f, _ in wanted}
    rows = StoredRecord.objects.filter(form_id__in=forms).values_list("form_id", "number", "pk")
    return {(fid, number): pk for fid, number, pk in rows if (fid, number) in wanted}


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every stored record of a form (``?form=ID``) as CSV or as its XLSX register."""
    refused = _auditor_or_403(request)
    if refused:
        return refused
    project = access.project()
    hit = project.form(request.GET.get("form", ""))
    if hit is None or fmt not in ("csv", "xlsx"):
        raise Http404("没有这个表单或格式")
    form = hit[1]
    if fmt == "csv":
        response = HttpResponse(exporter.csv_bytes(project, form), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exporter.xlsx_bytes(project, form),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{form.id}.{fmt}"'
    return response


@login_required
@require_POST
def import_files(request: HttpRequest) -> HttpResponse:
    """Record files (YAML/JSON/CSV/XLSX, filled-in forms) read by the checker's readers and stored;
    what cannot be read is listed with its line, nothing is dropped silently."""
    refused = _auditor_or_403(request)
    if refused:
        return refused
    me = access.name_of(request)
    files = request.FILES.getlist("files")[:MAX_FILES]
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="regkit-import-") as tmp:
        folder = Path(tmp)
        paths, names = [], {}
        for i, up in enumerate(files):
            name = Path(up.name or "").name
            if Path(name).suffix.lower() not in RECORD_SUFFIXES:
                problems.append(f"{name}: 不支持的文件类型")
                continue
            if up.size and up.size > settings.REGKIT_MAX_UPLOAD_BYTES:
                problems.append(f"{name}: 文件过大")
                continue
            path = folder / f"{i:02d}{Path(name).suffix.lower()}"
            with path.open("wb") as fh:
                for chunk in up.chunks():
                    fh.write(chunk)
            paths.append(path)
            names[path.as_posix()] = name
        stored, more = import_paths(access.project(), paths, me, folder / "work", names)
    return page(request, "imported.html", stored=stored, problems=problems + more)
