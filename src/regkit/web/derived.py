"""What follows from the project files alone (a form's system fields, its stub rule, the people
of a role, a rule's compiled condition), worked out once per process and project: the files do
not change while the application runs, and every page would otherwise work them out again."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ..loader import Project

T = TypeVar("T")

_CACHES: dict[int, dict[Hashable, Any]] = {}  # by id(project); dropped when the project is collected
_LOCK = threading.Lock()


def cached(project: Project, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for this project and key, remembered (the value is shared: never change it)."""
    cache = _CACHES.get(id(project))
    if cache is None:
        with _LOCK:
            cache = _CACHES.get(id(project))
            if cache is None:
                cache = _CACHES[id(project)] = {}
                weakref.finalize(project, _CACHES.pop, id(project), None)
    try:
        value: T = cache[key]
    except KeyError:
        value = cache[key] = compute()  # two threads may both compute it: the same value
    return value
