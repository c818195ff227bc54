"""The Jinja environment of the pages: autoescaped, StrictUndefined (a misspelt name fails loudly),
with ``url()`` and ``static()``."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment, StrictUndefined


def environment(**options: Any) -> Environment:
    """The environment Django's Jinja2 backend renders with."""
    options["undefined"] = StrictUndefined
    options["autoescape"] = True
    env = Environment(**options)
    env.globals.update({"url": lambda name, *args: reverse(name, args=args), "static": static})
    return env
