"""What can still be checked in a file that fails the schema: the file without its broken items
(a rule, a field, a clause), so that lint reports the references, expressions and placeholders of
everything else in the same run instead of stopping at the first schema error."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .yamlsafe import Located, Path_

M = TypeVar("M", bound=BaseModel)

# Stand-ins for required top-level keys that are broken: the rest of the file is still checked.
_STAND_INS: dict[str, Any] = {
    "id": "broken", "title": "?", "doc_number": "?", "version": "?", "effective": dt.date(2000, 1, 1),
    "department": "?", "seeds": [{"file": "?"}], "company": "?", "departments": [{"name": "?", "head": "?"}],
    "revisions": [{"version": "?", "date": dt.date(2000, 1, 1), "by": "?", "change": "?"}],
    "body": [{"id": "broken", "title": "?", "added": True}],
}
_NAME_KEYS = ("id", "key", "name", "aliases")
# Stand-ins for required keys inside items (a form's number_prefix, a field's label).
_NESTED_STAND_INS: dict[str, Any] = {
    "title": "?", "label": "?", "message": "?", "number_prefix": "XX", "change": "?", "by": "?", "head": "?",
    "department": "?", "date": dt.date(2000, 1, 1), "version": "?",
}
MAX_ROUNDS = 30
_CATEGORY = {"forms": "form", "body": "clause", "children": "clause", "fields": "field", "columns": "field",
             "parameters": "parameter", "roles": "role", "departments": "department"}


@dataclass
class Salvaged:
    """A model of what is intact, its located data, and the names the dropped items declared (so
    a reference to one of them is not reported as unknown)."""

    model: BaseModel
    loc: Located
    dropped: set[str] = field(default_factory=set)
    stand_ins: bool = False  # a required top-level key was replaced: the file's id may be wrong


def salvage(model: type[M], loc: Located, errors: list[Any], data_path: Any) -> Salvaged | None:
    """``loc``'s data without the items ``errors`` point into, validated as ``model``; None if
    nothing sensible is left. ``data_path`` maps a pydantic error location to a data path."""
    work = Located(copy.deepcopy(loc.data), loc.file, dict(loc.values), dict(loc.keys), dict(loc.plain))
    out = Salvaged(model.model_construct(), work)
    for _ in range(MAX_ROUNDS):
        drops: set[Path_] = set()
        for e in errors:
            p = data_path(tuple(e["loc"]), work)
            parent = _get(work.data, p[:-1]) if p else None
            key = p[-1] if p else None
            if isinstance(parent, dict) and isinstance(key, str) and key not in _NAME_KEYS:
                if e["type"] == "missing":
                    stand_in = (_STAND_INS if len(p) == 1 else _NESTED_STAND_INS).get(key)
                    if stand_in is not None:
                        parent[key] = copy.deepcopy(stand_in)
                        out.stand_ins = out.stand_ins or len(p) == 1
                        continue
                elif key in parent:
                    # a wrong or unknown value: without it the item may still be valid, or the
                    # next round says it is missing and it gets a stand-in
                    _names(parent[key], out.dropped)
                    del parent[key]
                    continue
            cut = _cut(p, work.data)
            if len(p) > len(cut) and p[len(cut)] in _NAME_KEYS and len(cut) > 1 and cut[-2] in _CATEGORY:
                # the item's own name is what is wrong: what refers to it cannot be judged
                out.dropped.add("*" + _CATEGORY[str(cut[-2])])
            drops.add(cut)
        for cut in sorted(drops, key=_order, reverse=True):
            if not cut or (len(cut) == 1 and isinstance(cut[0], str)):
                return None  # a required top-level key that has no stand-in
            _names(_get(work.data, cut), out.dropped)
            _drop(work, cut)
        try:
            out.model = model.model_validate(work.data)
            return out
        except ValidationError as exc:
            errors = exc.errors()
    return None


def _order(path: Path_) -> list[tuple[int, int, str]]:
    return [(0, x, "") if isinstance(x, int) else (1, 0, x) for x in path]


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _cut(path: Path_, data: Any) -> Path_:
    """The item to drop for an error at ``path``: the deepest list item on it, else its top key."""
    node, last = data, -1
    for i, part in enumerate(path):
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            last = i
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if last >= 0:
        return tuple(path[:last + 1])
    return tuple(path[:1])


def _names(node: Any, into: set[str]) -> None:
    """Every id, key and name declared in a dropped subtree."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in _NAME_KEYS and isinstance(v, str):
                into.add(v)
            elif k in _NAME_KEYS and isinstance(v, list):
                into.update(x for x in v if isinstance(x, str))
            _names(v, into)
    elif isinstance(node, list):
        for v in node:
            _names(v, into)


def _drop(loc: Located, path: Path_) -> None:
    """Delete the value at ``path`` and renumber the locations of the list items after it."""
    parent = _get(loc.data, path[:-1])
    last = path[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
        return
    if not isinstance(parent, list) or not isinstance(last, int) or last >= len(parent):
        return
    del parent[last]
    n = len(path)
    for table in (loc.values, loc.keys, loc.plain):
        moved: dict[Path_, Any] = {}
        for p, v in table.items():
            index = p[n - 1] if len(p) >= n else None
            if isinstance(index, int) and p[:n - 1] == path[:-1] and index >= last:
                if index == last:
                    continue
                moved[(*p[:n - 1], index - 1, *p[n:])] = v
            else:
                moved[p] = v
        table.clear()
        table.update(moved)
