"""Strict YAML reading: every PyYAML trap of shared/spec/traps.md refused or explained, with its place."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from regkit.errors import InputError
from regkit.yamlsafe import MAX_BYTES, MAX_DEPTH, implicit_hint, load_yaml

DATA = Path(__file__).parent / "data"


def problems(source: bytes) -> list[str]:
    """The problems load_yaml reports for a document, as ``file:line:col: message`` lines."""
    with pytest.raises(InputError) as info:
        load_yaml(source, "t.yaml")
    return info.value.lines()


def test_values_and_keys_are_located() -> None:
    loc = load_yaml(DATA / "mini.yaml")
    assert loc.data["forms"][0]["id"] == "mini-slip"
    assert loc.where(("forms", 0, "id")) == (28, 9)
    assert loc.where(("forms", 0, "id"), key=True) == (28, 5)
    assert loc.where(("rules", 0, "when")) == (48, 11)
    # a path that is not there falls back to its nearest ancestor
    assert loc.where(("rules", 0, "nothere")) == (40, 5)
    assert loc.problem(("title",), "m").__str__() == f"{DATA / 'mini.yaml'}:3:8: m"


def test_byte_order_mark_is_accepted() -> None:
    raw = (DATA / "mini.yaml").read_bytes()
    with_bom = load_yaml(b"\xef\xbb\xbf" + raw, "bom.yaml")
    assert with_bom.data == load_yaml(raw, "plain.yaml").data
    assert with_bom.where(("id",), key=True) == (2, 1)


def test_invalid_utf8_is_located_in_characters() -> None:
    # the bad byte follows 4 characters (7 bytes) on line 2: editors show column 5
    assert problems("a: b\nc: 中".encode() + b"\xff\n") == ["t.yaml:2:5: invalid UTF-8 (byte 0xff)"]


def test_gbk_file_is_refused_not_misread() -> None:
    assert problems("title: 制度\n".encode("gbk")) == ["t.yaml:1:8: invalid UTF-8 (byte 0xd6)"]


def test_billion_laughs_is_refused_fast() -> None:
    bomb = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]\n"
    start = time.perf_counter()
    assert problems(bomb.encode()) == ["t.yaml:1:4: anchors (&a) are not allowed"]
    assert time.perf_counter() - start < 1.0


def test_alias_is_refused() -> None:
    assert problems(b"a: 1\nb: *x\n") == ["t.yaml:2:4: aliases (*name) are not allowed"]


def test_python_tag_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    doc = f'title: !!python/object/apply:os.system ["touch {marker}"]\n'.encode()
    assert problems(doc) == ["t.yaml:1:8: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"]
    assert not marker.exists()


@pytest.mark.parametrize(("doc", "tag"), [
    (b"a: !include other.yaml\n", "!include"),
    (b"a: !!binary aGVsbG8=\n", "tag:yaml.org,2002:binary"),
    (b"a: !!set {x, y}\n", "tag:yaml.org,2002:set"),
    (b"a: !!omap [x: 1]\n", "tag:yaml.org,2002:omap"),
])
def test_custom_and_unsafe_tags_are_refused(doc: bytes, tag: str) -> None:
    assert problems(doc) == [f"t.yaml:1:4: tag {tag} is not allowed"]


def test_5000_levels_are_refused_without_recursion_error() -> None:
    doc = b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n"
    # the document mapping is level 1, so the 64th bracket is one level too many; PyYAML >= 6.0.4
    # refuses in its scanner first (at its own column), older versions reach regkit's screen
    got = problems(doc)
    assert len(got) == 1
    file, line, col, message = got[0].split(":", 3)
    assert (file, line, message) == ("t.yaml", "1", f" nesting deeper than {MAX_DEPTH} levels")
    assert int(col) in (4 + MAX_DEPTH - 1, 1003)


def nested(levels: int) -> bytes:
    """A block mapping ``levels`` keys deep with a scalar at the bottom."""
    return ("".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "v: 1\n").encode()


def test_block_nesting_up_to_the_limit_is_read() -> None:
    # every node counts: the document, MAX_DEPTH - 2 mappings below it, and the scalar 1
    data = load_yaml(nested(MAX_DEPTH - 2), "t.yaml").data
    for i in range(MAX_DEPTH - 2):
        data = data[f"k{i}"]
    assert data == {"v": 1}
    assert problems(nested(MAX_DEPTH - 1)) == [
        f"t.yaml:{MAX_DEPTH}:{2 * MAX_DEPTH - 1}: nesting deeper than {MAX_DEPTH} levels"
    ]


def test_duplicate_keys_are_each_reported() -> None:
    doc = b"a: 1\nb:\n  c: 1\n  c: 2\na: 3\n"
    assert problems(doc) == [
        "t.yaml:4:3: duplicate key 'c' (first at line 3)",
        "t.yaml:5:1: duplicate key 'a' (first at line 1)",
    ]


def test_keep_going_returns_the_data_with_the_problems() -> None:
    loc = load_yaml(b"a: 1\na: 2\nb: 3\n", "t.yaml", keep_going=True)
    assert loc.data == {"a": 1, "b": 3}  # the first value stays, not the last as in PyYAML
    assert [str(p) for p in loc.problems] == ["t.yaml:2:1: duplicate key 'a' (first at line 1)"]


def test_yaml_11_implicit_types_are_explained() -> None:
    loc = load_yaml(b"a: NO\nb: 1:20\nc: 2024-01-01\nd: 'NO'\ne: ~\n", "t.yaml")
    assert loc.data == {"a": False, "b": 80, "c": dt.date(2024, 1, 1), "d": "NO", "e": None}
    assert implicit_hint(loc, ("a",), False) == "; YAML reads unquoted NO as a boolean (False): quote it to mean text"
    assert implicit_hint(loc, ("b",), 80) == "; YAML reads unquoted 1:20 as a number (80): quote it to mean text"
    assert implicit_hint(loc, ("c",), loc.data["c"]) == (
        "; YAML reads unquoted 2024-01-01 as a date: quote it to mean text")
    assert implicit_hint(loc, ("e",), None) == "; YAML reads unquoted ~ as nothing (null): quote it to mean text"
    assert implicit_hint(loc, ("d",), "NO") == ""  # quoted: text as written


def test_timestamps_and_nan_are_refused() -> None:
    assert problems(b"a: 2026-01-01 08:00:00\nb: .nan\n") == [
        "t.yaml:1:4: '2026-01-01 08:00:00' is a timestamp; write a date (YYYY-MM-DD) or quote it",
        "t.yaml:2:4: '.nan' is not a number regkit accepts",
    ]


def test_impossible_date_is_located() -> None:
    assert problems(b"a: 1\nb: 2026-02-30\n") == [
        "t.yaml:2:4: cannot read value '2026-02-30': day is out of range for month"
    ]


def test_merge_keys_and_complex_keys_are_refused() -> None:
    assert problems(b"a: {<<: {x: 1}, y: 2}\n? [k]\n: v\n") == [
        "t.yaml:1:5: merge keys (<<) are not allowed",
        "t.yaml:2:3: mapping keys must be plain text",
    ]


def test_tab_in_indentation_is_located() -> None:
    assert problems(b"a:\n  b: 1\n \tc: 2\n") == ["t.yaml:3:2: tab in indentation; indent with spaces"]


def test_tab_before_a_comment_is_refused_clearly() -> None:
    # PyYAML refuses it too, as "found character '\\t' that cannot start any token"
    assert problems(b"a: 1\n\t# note\n") == ["t.yaml:2:1: tab in indentation; indent with spaces"]


def test_file_over_the_size_limit_is_refused_before_parsing() -> None:
    doc = b"a: [" + b"1," * (MAX_BYTES // 2) + b"]\n"
    start = time.perf_counter()
    assert problems(doc) == [f"t.yaml:1:1: file is {len(doc)} bytes, over the limit of {MAX_BYTES}"]
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(("doc", "line"), [
    (b"a: [1, 2\nb: 3\n", "t.yaml:2:2: invalid YAML: did not find expected ',' or ']'"),
    (b"a: 1\n---\nb: 2\n", "t.yaml:2:1: invalid YAML: but found another document"),
    (b"a: 'open\n", "t.yaml:2:1: invalid YAML: found unexpected end of stream"),
])
def test_syntax_errors_are_located(doc: bytes, line: str) -> None:
    assert problems(doc) == [line]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_yaml(tmp_path / "missing.yaml")
    assert info.value.lines() == [f"{tmp_path / 'missing.yaml'}:1:1: cannot read: No such file or directory"]


def test_empty_document_is_none() -> None:
    assert load_yaml(b"# only a comment\n", "t.yaml").data is None


@pytest.mark.parametrize(("text", "where"), [("id: x\ntitle: a\x07bc\n", (2, 9)),
                                             ("id: x\n\ntitle: 甲乙\x07bc\n", (3, 10)),
                                             ("\x00", (1, 1))])
def test_a_control_character_is_one_line_at_its_place(text: str, where: tuple[int, int]) -> None:
    with pytest.raises(InputError) as info:
        load_yaml(text.encode("utf-8"), "t.yaml")
    lines = info.value.lines()
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith(f"t.yaml:{where[0]}:{where[1]}: invalid YAML: character U+00")
