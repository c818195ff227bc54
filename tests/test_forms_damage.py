"""Damaged filled-in forms: whatever the library reading them raises (zip CRC and inflate errors,
bad seeks, odd PDF objects, unknown XML in a sheet) is that file's one line, exit 2; the other
files are still read; no library warning reaches stderr."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from forms_support import ARREARS, DATA
from regkit.check import audit
from regkit.cli import main
from regkit.forms.api import render_form
from regkit.loader import Project, load_project


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project([DATA])


@pytest.fixture(autouse=True, scope="module")
def _page_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def filled(project: Project) -> dict[str, bytes]:
    return {fmt: render_form(project, "arrears-approval", fmt, ARREARS) for fmt in ("docx", "pdf", "xlsx")}


def flip_in_member(data: bytes, member: str, where: float = 0.5) -> bytes:
    """One bit flipped inside a member's compressed bytes (the zip directory left intact)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    off = info.header_offset
    start = off + 30 + int.from_bytes(data[off + 26:off + 28], "little") + int.from_bytes(data[off + 28:off + 30],
                                                                                           "little")
    b = bytearray(data)
    b[start + int(info.compress_size * where)] ^= 0x01
    return bytes(b)


def rezip(data: bytes, member: str, edit: object) -> bytes:
    """The zip with one member's text edited (CRCs correct)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            zf.writestr(info.filename, edit(body) if info.filename == member else body)  # type: ignore[operator]
    return out.getvalue()


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


def extract(path: Path) -> tuple[int, str, str]:
    return run(["extract", "--regulations", str(DATA), str(path)])


def one_problem_line(path: Path, stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"{path}:1:1: "), stderr
    assert "internal error" not in lines[0] and "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(("fmt", "member", "where"), [
    ("docx", "word/document.xml", 0.5),   # inflate error (zlib.error)
    ("docx", "word/document.xml", 0.97),  # near the end: Bad CRC-32 or inflate error
    ("docx", "docProps/custom.xml", 0.5),
    ("xlsx", "xl/worksheets/sheet1.xml", 0.5),
    ("xlsx", "xl/worksheets/sheet1.xml", 0.98),
    ("xlsx", "docProps/custom.xml", 0.5),
])
def test_a_flipped_bit_in_a_zip_member_is_one_line(filled: dict[str, bytes], tmp_path: Path, fmt: str,
                                                   member: str, where: float) -> None:
    path = tmp_path / f"bad.{fmt}"
    path.write_bytes(flip_in_member(filled[fmt], member, where))
    code, _, err = extract(path)
    assert code == 2, err
    one_problem_line(path, err)


def test_a_local_header_pointing_before_the_file_is_one_line(filled: dict[str, bytes], tmp_path: Path) -> None:
    # the central directory's offset of a member rewritten: "negative seek value" in zipfile
    data = bytearray(filled["docx"])
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 42:cd + 46] = (0xFFFFFF00).to_bytes(4, "little")
    path = tmp_path / "seek.docx"
    path.write_bytes(bytes(data))
    code, _, err = extract(path)
    assert code == 2, err
    one_problem_line(path, err)


def test_an_unknown_attribute_in_the_sheet_xml_is_one_line(filled: dict[str, bytes], tmp_path: Path) -> None:
    path = tmp_path / "attr.xlsx"
    path.write_bytes(rezip(filled["xlsx"], "xl/worksheets/sheet1.xml",
                           lambda b: re.sub(rb"<c r=", b'<c bogus="1" t="zz" r=', b, count=3)))
    code, _, err = extract(path)
    assert code == 2, err
    one_problem_line(path, err)


def _pdf_with(data: bytes, tmp_path: Path, name: str, edit: object) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(data))
    for ref in writer._root_object["/AcroForm"]["/Fields"]:
        edit(ref.get_object())  # type: ignore[operator]
    path = tmp_path / name
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def test_a_pdf_field_named_by_a_number_is_one_line(filled: dict[str, bytes], tmp_path: Path) -> None:
    from pypdf.generic import NameObject, NumberObject

    def edit(field: dict) -> None:  # type: ignore[type-arg]
        if field.get("/T") == "customer":
            field[NameObject("/T")] = NumberObject(12)

    path = _pdf_with(filled["pdf"], tmp_path, "numt.pdf", edit)
    code, _, err = extract(path)
    assert code == 2, err
    assert "12" in one_problem_line(path, err)


def test_pdf_warnings_do_not_reach_stderr(filled: dict[str, bytes], tmp_path: Path) -> None:
    # "Superfluous whitespace found in object header" and friends, logged by pypdf
    data = re.sub(rb"\n(\d+) 0 obj", rb"\n\1  0 obj", filled["pdf"])
    path = tmp_path / "spaces.pdf"
    path.write_bytes(data)
    code, _, err = extract(path)
    assert "Superfluous" not in err and "whitespace" not in err
    if code == 2:
        one_problem_line(path, err)
    else:
        assert code == 0 and not err.strip(), err


def test_check_reads_the_other_files_when_one_is_damaged(project: Project, filled: dict[str, bytes],
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "a-good.docx").write_bytes(filled["docx"])
    (folder / "b-bad.docx").write_bytes(flip_in_member(filled["docx"], "word/document.xml"))
    (folder / "c-bad.xlsx").write_bytes(flip_in_member(filled["xlsx"], "xl/worksheets/sheet1.xml"))
    report = audit(project, [folder], as_of=dt.date(2026, 11, 30))
    assert report.checked == 1
    assert sorted(u.source.rsplit("/", 1)[-1] for u in report.unreadable) == ["b-bad.docx", "c-bad.xlsx"]


# -- nothing silently lost ---------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _retag(data: bytes, old: str, new: str | None) -> bytes:
    """The DOCX with the content control tagged ``old`` retagged ``new`` (or its tag removed)."""
    def edit(xml: bytes) -> bytes:
        needle = f'<w:tag w:val="{old}"/>'.encode()
        assert needle in xml
        return xml.replace(needle, b"" if new is None else f'<w:tag w:val="{new}"/>'.encode(), 1)

    return rezip(data, "word/document.xml", edit)


@pytest.mark.parametrize(("new", "message"), [
    (None, "field customer (客户名称): not found in the file"),
    ("date", "field customer (客户名称): not found in the file"),
])
def test_a_docx_control_whose_tag_was_removed_or_duplicated_is_named(filled: dict[str, bytes], tmp_path: Path,
                                                                     new: str | None, message: str) -> None:
    path = tmp_path / "tag.docx"
    path.write_bytes(_retag(filled["docx"], "customer", new))
    code, out, err = extract(path)
    assert code == 2 and out == "", err
    assert any(line.startswith(f"{path}:1:1: {message}") for line in err.splitlines()), err
    if new == "date":
        assert f"{path}:1:1: field date (填写日期): found 2 times in the file, the form has it once" in err.splitlines()


def test_a_pdf_field_deleted_is_named(filled: dict[str, bytes], tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(filled["pdf"]))
    fields = writer._root_object["/AcroForm"]["/Fields"]
    keep = [f for f in fields if f.get_object().get("/T") != "customer"]
    assert len(keep) == len(fields) - 1
    fields.clear()
    fields.extend(keep)
    path = tmp_path / "gone.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    code, _, err = extract(path)
    assert code == 2
    assert f"{path}:1:1: field customer (客户名称): not found in the file (was it deleted, or its name changed by " \
           "an editor?)" in err.splitlines()


def test_a_pdf_field_listed_twice_is_named(filled: dict[str, bytes], tmp_path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=io.BytesIO(filled["pdf"]))
    fields = writer._root_object["/AcroForm"]["/Fields"]
    twin = DictionaryObject({NameObject("/T"): TextStringObject("customer"), NameObject("/FT"): NameObject("/Tx"),
                             NameObject("/V"): TextStringObject("另一家公司")})
    fields.append(writer._add_object(twin))
    path = tmp_path / "twice.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    code, _, err = extract(path)
    assert code == 2
    assert f"{path}:1:1: field customer (客户名称): found 2 times in the file, the form has it once" in err.splitlines()


def _move_under_parent(data: bytes, key: str, *, keep_original: bool) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=io.BytesIO(data))
    fields = writer._root_object["/AcroForm"]["/Fields"]
    ref = next(f for f in fields if f.get_object().get("/T") == key)
    parent = writer._add_object(DictionaryObject({NameObject("/T"): TextStringObject("a"),
                                                  NameObject("/Kids"): ArrayObject([ref])}))
    ref.get_object()[NameObject("/Parent")] = parent
    if not keep_original:
        fields.remove(ref)
    fields.append(parent)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_field_moved_under_a_parent_still_reads(project: Project, filled: dict[str, bytes],
                                                      tmp_path: Path) -> None:
    from regkit.forms.extract import extract_file

    path = tmp_path / "dotted.pdf"
    path.write_bytes(_move_under_parent(filled["pdf"], "customer", keep_original=False))
    notes: list[str] = []
    [record] = extract_file(path, project, notes=notes)
    assert record["customer"] == ARREARS["customer"]
    assert notes == []


def _as_radio_group(data: bytes, key: str, chosen: str) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, NumberObject

    writer = PdfWriter(clone_from=io.BytesIO(data))
    for ref in writer._root_object["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == key:
            field[NameObject("/FT")] = NameObject("/Btn")
            field[NameObject("/Ff")] = NumberObject(1 << 15)
            field[NameObject("/V")] = NameObject("/" + chosen)
            del field["/Opt"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_choice_saved_as_a_radio_group_reads_as_its_option(project: Project, filled: dict[str, bytes],
                                                             tmp_path: Path) -> None:
    from regkit.forms.extract import extract_file

    path = tmp_path / "radio.pdf"
    path.write_bytes(_as_radio_group(filled["pdf"], "settlement", "月结"))
    [record] = extract_file(path, project)
    assert record["settlement"] == "月结"
    path.write_bytes(_as_radio_group(filled["pdf"], "settlement", "Off"))
    [record] = extract_file(path, project)
    assert record["settlement"] is None


def test_a_radio_group_choosing_no_option_of_the_field_is_named(filled: dict[str, bytes], tmp_path: Path) -> None:
    path = tmp_path / "radio.pdf"
    path.write_bytes(_as_radio_group(filled["pdf"], "settlement", "Choice3"))
    code, _, err = extract(path)
    assert code == 2 and "settlement" in err and "Choice3" in err, err


def test_an_aes256_encrypted_pdf_says_encrypted(filled: dict[str, bytes], tmp_path: Path) -> None:
    # pypdf needs the cryptography package for AES-256 (DependencyError, not a PdfReadError)
    from pypdf import PdfWriter
    from pypdf.generic import ByteStringObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter(clone_from=io.BytesIO(filled["pdf"]))
    n = NameObject
    std = DictionaryObject({n("/CFM"): n("/AESV3"), n("/AuthEvent"): n("/DocOpen"), n("/Length"): NumberObject(32)})
    ref = writer._add_object(DictionaryObject({
        n("/Filter"): n("/Standard"), n("/V"): NumberObject(5), n("/R"): NumberObject(6),
        n("/Length"): NumberObject(256), n("/P"): NumberObject(-4), n("/O"): ByteStringObject(b"\x01" * 48),
        n("/U"): ByteStringObject(b"\x02" * 48), n("/OE"): ByteStringObject(b"\x03" * 32),
        n("/UE"): ByteStringObject(b"\x04" * 32), n("/Perms"): ByteStringObject(b"\x05" * 16),
        n("/CF"): DictionaryObject({n("/StdCF"): std}), n("/StmF"): n("/StdCF"), n("/StrF"): n("/StdCF")}))
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    at = data.index(b"<<", data.rfind(b"trailer")) + 2
    path = tmp_path / "aes256.pdf"
    path.write_bytes(data[:at] + f" /Encrypt {ref.idnum} 0 R ".encode() + data[at:])
    code, _, err = extract(path)
    assert code == 2
    assert "encrypted PDF" in one_problem_line(path, err)


def test_numbers_inside_pdf_values(project: Project, filled: dict[str, bytes], tmp_path: Path) -> None:
    # a filler that writes /V 12 (a number object) into a text field
    from decimal import Decimal

    from pypdf.generic import NameObject, NumberObject

    from regkit.forms.extract import extract_file

    def amount(field: dict) -> None:  # type: ignore[type-arg]
        if field.get("/T") == "amount":
            field[NameObject("/V")] = NumberObject(12)

    path = _pdf_with(filled["pdf"], tmp_path, "num.pdf", amount)
    [record] = extract_file(path, project)
    assert record["amount"] == Decimal("12")


def test_a_record_nested_too_deeply_to_fill_a_form_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "deep.json"
    data.write_text('{"form": "arrears-approval", "id": "QF-1", "reason": ' + "[" * 100000 + "]" * 100000 + "}",
                    encoding="utf-8")
    code, _, err = run(["form", "arrears-approval", "--data", str(data), "-o", str(tmp_path / "x.docx"),
                        "--regulations", str(DATA)])
    assert code == 2 and err.strip() == f"{data}:1:1: invalid JSON: nested too deeply"


def test_a_form_sheet_over_the_row_limit_is_refused_not_cut_short(project: Project, filled: dict[str, bytes],
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    import regkit.forms.readers as readers
    from regkit.errors import InputError
    from regkit.forms.extract import extract_file

    wb = openpyxl.load_workbook(io.BytesIO(filled["xlsx"]))
    ws = wb["arrears-approval"]
    for i in range(5):
        ws.append([f"QF-{i:03d}", "2026-03-05"])
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    monkeypatch.setattr(readers, "MAX_SHEET_ROWS", 4)
    with pytest.raises(InputError, match="over 4 rows"):
        extract_file(path, project)
