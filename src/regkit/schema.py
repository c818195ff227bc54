"""The JSON Schema of the regulation format and of the organisation profile, for editors."""

from __future__ import annotations

import json
from typing import Any

from .model import Org, Regulation

SCHEMA_URL = "https://regkit.invalid/schema/{name}.schema.json"


def json_schema(kind: str = "regulation") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a regulation file or of the organisation profile."""
    model = Org if kind == "org" else Regulation
    schema = model.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL.format(name=kind),
        **schema,
    }


def dumps(kind: str = "regulation") -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
