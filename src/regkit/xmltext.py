"""Text that XML 1.0 cannot hold: the C0 control characters but tab, line feed and carriage return,
lone surrogates, U+FFFE and U+FFFF. A record value may carry them (a ``\\v`` pasted from a
spreadsheet); written into DOCX, XLSX or JUnit XML they make a file Word, Excel and CI parsers
refuse. Writers drop them (and say so) or show them escaped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def invalid_chars(text: str) -> list[str]:
    """The characters of ``text`` XML cannot hold, as ``U+000B``, in order and without repeats."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in _INVALID.findall(text)))


def drop_invalid(text: str) -> str:
    """``text`` without the characters XML cannot hold."""
    return _INVALID.sub("", text)


def escape_invalid(text: str) -> str:
    """``text`` with each character XML cannot hold shown as ``\\x0b`` (so a reader sees it was there)."""
    return _INVALID.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else
                        f"\\u{ord(m.group()):04x}", text)


def clean_record(record: Mapping[str, Any], where: str = "") -> tuple[dict[str, Any], list[str]]:
    """The record with the characters XML cannot hold dropped from every text value (lists and
    table rows included), and a note per field that had some."""
    notes: list[str] = []

    def clean(value: Any, path: str) -> Any:
        if isinstance(value, str):
            bad = invalid_chars(value)
            if bad:
                notes.append(f"{where}{path}: removed control characters {', '.join(bad)} (a form cannot hold them)")
                return drop_invalid(value)
            return value
        if isinstance(value, list):
            return [clean(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: clean(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        return value

    return clean(dict(record), ""), notes
