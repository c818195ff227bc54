"""Strict YAML reading: safe constructors only, no aliases or custom tags, duplicate keys refused,
limits on size and depth, and a location (line, column) for every value."""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem

MAX_BYTES = 1 << 20
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
}


@dataclass
class Located:
    """A loaded document with the location of each value and each mapping key, by path."""

    data: Any
    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    plain: dict[Path_, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The (line, col) of the value (or its key) at ``path``, or of its nearest ancestor."""
        p = tuple(path)
        while True:
            if key and p in self.keys:
                return self.keys[p]
            if p in self.values:
                return self.values[p]
            if not p:
                return (1, 1)
            p = p[:-1]

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        """A problem located at ``path``."""
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, message)


# libyaml when present: the pure-Python composer costs ~0.2 s per regulation at every start-up.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _screen(text: str) -> None:
    """Refuse aliases, anchors, unknown tags and deep nesting from the event stream, before any
    node is built (the composer recurses per level; alias graphs blow up when walked)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, "aliases (*name) are not allowed")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(event.start_mark, f"anchors (&{anchor}) are not allowed")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in _ALLOWED_TAGS:
            raise _Refused(event.start_mark, f"tag {tag} is not allowed")
        if isinstance(event, (yaml.CollectionStartEvent, yaml.ScalarEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(event, (yaml.CollectionEndEvent, yaml.ScalarEvent)):
            depth -= 1


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise InputError.at(name, 1, 1, f"file is {len(raw)} bytes, over the limit of {MAX_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        # columns count characters, as editors do, not bytes
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise InputError.at(name, line, col, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    for n, line_text in enumerate(text.splitlines(), 1):
        stripped = line_text.lstrip(" \t")
        indent = line_text[: len(line_text) - len(stripped)]
        if "\t" in indent and stripped:
            raise InputError.at(name, n, indent.index("\t") + 1, "tab in indentation; indent with spaces")
    return text


def load_yaml(source: str | Path | bytes, name: str | None = None, *, keep_going: bool = False) -> Located:
    """Read one YAML document strictly, returning its data and locations; raise InputError.

    With ``keep_going``, problems with single values (duplicate keys, unreadable scalars) are
    returned in ``problems`` beside the rest of the data instead of raised, so that a caller can
    validate the data too and report everything at once."""
    if isinstance(source, bytes):
        raw, fname = source, name or "<string>"
    else:
        fname = name or str(source)
        try:
            if not stat.S_ISREG(os.stat(source).st_mode):  # a FIFO or a device would block or never end
                raise InputError.at(fname, 1, 1, "not a regular file")
            with open(source, "rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise InputError.at(fname, 1, 1, f"file is {os.stat(source).st_size} bytes, over the limit of "
                                    f"{MAX_BYTES}")
        except OSError as exc:
            raise InputError.at(fname, 1, 1, f"cannot read: {exc.strerror or exc}") from None
    text = _decode(raw, fname)
    loader = _Loader(text)
    try:
        _screen(text)
        node = loader.get_single_node()
    except _Refused as exc:
        raise InputError.at(fname, exc.mark.line + 1, exc.mark.column + 1, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = (exc.problem or exc.context or "invalid YAML").strip()
        if "nesting depth" in msg:
            # PyYAML >= 6.0.4 refuses deep flow nesting in its scanner, before our event screen
            # sees the level that is too deep: say it in regkit's words at the parser's place
            raise InputError.at(fname, line, col, f"nesting deeper than {MAX_DEPTH} levels") from None
        raise InputError.at(fname, line, col, f"invalid YAML: {msg}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow in a file, by position
        before = text[: exc.position]
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        if not (exc.position < len(text) and text[exc.position] == char):
            before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")  # libyaml counts bytes
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise InputError.at(fname, line, col, f"invalid YAML: character {what} is not allowed in a YAML file "
                            "(remove it, or write it escaped in double quotes)") from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        raise InputError.at(fname, 1, 1, f"invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise InputError.at(fname, 1, 1, "nesting too deep") from None
    finally:
        loader.dispose()
    located = Located(None, fname)
    if node is not None:
        located.data = _convert(node, (), located, loader, located.problems)
    if located.problems and not keep_going:
        raise InputError(located.problems)
    return located


def _convert(node: Node, path: Path_, loc: Located, loader: yaml.SafeLoader, problems: list[Problem]) -> Any:
    loc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, ScalarNode):
                problems.append(_p(loc, knode, "mapping keys must be plain text"))
                continue
            key = knode.value
            if key == "<<" and knode.tag.endswith(":merge"):
                problems.append(_p(loc, knode, "merge keys (<<) are not allowed"))
                continue
            if key in out:
                first = loc.keys[(*path, key)]
                problems.append(_p(loc, knode, f"duplicate key {key!r} (first at line {first[0]})"))
                continue
            loc.keys[(*path, key)] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            out[key] = _convert(vnode, (*path, key), loc, loader, problems)
        return out
    if isinstance(node, SequenceNode):
        return [_convert(v, (*path, i), loc, loader, problems) for i, v in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    if not node.style and node.tag != "tag:yaml.org,2002:str":  # libyaml marks plain as ""
        loc.plain[path] = node.value
    try:
        value = loader.construct_object(node, deep=True)
    except (yaml.constructor.ConstructorError, ValueError) as exc:
        if "Exceeds the limit" in str(exc):  # Python's cap on digits
            problems.append(_p(loc, node, f"a number of {len(node.value)} characters is too long (quote it to "
                               "mean text)"))
        else:
            problems.append(_p(loc, node, f"cannot read value {_short(node.value)}: {str(exc)[:120]}"))
        return None
    if isinstance(value, float) and value != value:  # NaN never means anything in a regulation
        problems.append(_p(loc, node, f"{node.value!r} is not a number regkit accepts"))
    if isinstance(value, dt.datetime):
        problems.append(_p(loc, node, f"{node.value!r} is a timestamp; write a date (YYYY-MM-DD) or quote it"))
    return value


def _short(text: str, limit: int = 40) -> str:
    """``text`` quoted, cut if long (a 5,000-digit number is not repeated whole)."""
    return repr(text) if len(text) <= limit else f"{text[:limit - 10]!r}… ({len(text)} characters)"


def _p(loc: Located, node: Node, message: str) -> Problem:
    return Problem(loc.file, node.start_mark.line + 1, node.start_mark.column + 1, message)


def implicit_hint(loc: Located, path: Path_, value: Any) -> str:
    """Explain how YAML read an unquoted scalar, for messages about text fields."""
    raw = loc.plain.get(tuple(path))
    if raw is None:
        return ""
    kind = (
        "a boolean" if isinstance(value, bool)
        else "a date" if isinstance(value, dt.date)
        else "nothing (null)" if value is None
        else "a number"
    )
    shown = "" if isinstance(value, dt.date) or value is None else f" ({value!r})"
    return f"; YAML reads unquoted {raw} as {kind}{shown}: quote it to mean text"
