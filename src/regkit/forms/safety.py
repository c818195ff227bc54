"""Opening untrusted containers safely: ZIP archives checked before anything is inflated (member
count, declared sizes, compression ratio) and XML parsed without entities, DTDs or huge trees;
and the damage boundary every reader of an input file runs inside (``contained``)."""

from __future__ import annotations

import logging
import os
import stat
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lxml is imported when XML is parsed: most readers never parse any
    from lxml import etree

from ..errors import InputError, RegkitError

MAX_FILE_BYTES = 20 << 20
MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 64 << 20
MAX_TOTAL_BYTES = 200 << 20
MAX_RATIO = 200  # uncompressed / compressed, for members big enough to matter
RATIO_FLOOR = 1 << 20


def read_limited(path: str, data: bytes | None = None) -> bytes:
    """The file's bytes, refusing files over MAX_FILE_BYTES."""
    if data is not None:
        return data
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or a device would block or never end
            raise InputError.at(path, 1, 1, "not a regular file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError.at(path, 1, 1, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError.at(path, 1, 1, f"file is over the limit of {MAX_FILE_BYTES >> 20} MB")
    return raw


def zip_problem(
    infos: list[zipfile.ZipInfo], *, max_members: int = MAX_MEMBERS, max_member: int = MAX_MEMBER_BYTES,
    max_total: int = MAX_TOTAL_BYTES, max_ratio: int = MAX_RATIO,
) -> str | None:
    """Why a zip's directory is refused before anything is inflated (member count, declared sizes,
    compression ratio, encryption), or None. Shared by form read-back and record workbooks."""
    if len(infos) > max_members:
        return f"zip holds {len(infos)} members, over the limit of {max_members}"
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > max_member or total > max_total:
            return f"zip member {info.filename} inflates to {info.file_size} bytes (over the limit: possible zip bomb)"
        if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            return f"zip member {info.filename} compresses {info.file_size}:{info.compress_size} (possible zip bomb)"
        if info.flag_bits & 0x1:
            return "encrypted zip members are not supported"
    return None


def open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    """A ZipFile over ``data`` whose members passed the bomb checks; InputError otherwise."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError.at(name, 1, 1, f"not a readable DOCX/XLSX (damaged or truncated zip: {exc})") from None
    problem = zip_problem(infos)
    if problem:
        raise InputError.at(name, 1, 1, problem)
    return zf


def refuse_dtds(name: str, zf: zipfile.ZipFile) -> None:
    """InputError if any XML member declares a DTD (entities live there): checked on the prolog,
    where a DOCTYPE must stand, before a library that might expand it reads the file."""
    for info in zf.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as fh:
            head = fh.read(4096)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
            raise InputError.at(name, 1, 1, f"{info.filename}: XML with a DTD or entities is not accepted")


def one_line(exc: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split())[:300]


def read_member(name: str, zf: zipfile.ZipFile, member: str) -> bytes:
    """One member's bytes (the declared size bounds what is inflated; zipfile checks the CRC)."""
    try:
        with zf.open(member) as fh:
            return fh.read(MAX_MEMBER_BYTES + 1)
    except KeyError:
        raise InputError.at(name, 1, 1, f"not a regkit form: no {member} in the file") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError.at(name, 1, 1, f"damaged or truncated file ({member}: {exc})") from None


def _parser() -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           recover=False, remove_comments=True, remove_pis=True)


def parse_xml(name: str, member: str, data: bytes) -> etree._Element:
    """Parse XML that must not carry a DTD (no entities, external or internal)."""
    from lxml import etree

    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError.at(name, 1, 1, f"{member}: invalid XML ({exc.msg})") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise InputError.at(name, 1, 1, f"{member}: XML with a DTD or entities is not accepted")
    return root


@contextmanager
def quiet() -> Iterator[None]:
    """No library warning or log line reaches stderr while reading an input file: libraries log
    or warn about damage they work around (pypdf through logging, openpyxl through warnings), and
    what they see there is either reported as the file's problem or harmless."""
    level = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(level)


def damage(exc: BaseException, what: str) -> str:
    """What is wrong with a file, in the user's terms, from the exception a library raised on it."""
    text = one_line(exc)
    name = type(exc).__name__
    if name == "DependencyError" or "cryptography" in text or "AES" in text:
        return "encrypted PDF: regkit reads only unencrypted forms (save a copy without a password)"
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)) or "seek" in text:
        return f"damaged or truncated {what} (the zip container is broken: {text})"
    if isinstance(exc, RecursionError):
        return f"damaged {what}: nested too deeply to read"
    if isinstance(exc, MemoryError):
        return f"{what} too large to read"
    return f"damaged {what} ({name}: {text})" if text else f"damaged {what} ({name})"


@contextmanager
def contained(name: str, what: str) -> Iterator[None]:
    """The damage boundary of one input file: regkit's own errors pass, any exception of the
    library reading it (zipfile, zlib, lxml, openpyxl, pypdf ...) becomes the file's one-line
    InputError, and nothing the library warns or logs reaches stderr."""
    with quiet():
        try:
            yield
        except RegkitError:
            raise
        except Exception as exc:  # RecursionError and MemoryError included
            raise InputError.at(name, 1, 1, damage(exc, what)) from exc
