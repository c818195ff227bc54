"""The JSON Schemas editors use: committed files equal `regkit schema`, every YAML file names its
schema on the first line, and every file validates against it with the jsonschema package."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from regkit.cli import main
from regkit.yamlsafe import load_yaml

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
REGULATIONS = sorted(p for p in (ROOT / "regulations").glob("*.yaml") if p.name != "org.yaml")
MODELINE = "# yaml-language-server: $schema={}"


def schema_file(kind: str) -> Path:
    """The committed schema of ``kind`` (regulation or org)."""
    return ROOT / "schema" / f"{kind}.schema.json"


def validator(kind: str) -> jsonschema.Draft202012Validator:
    """A validator for the committed schema of ``kind``."""
    schema = json.loads(schema_file(kind).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def as_editor_sees(value: Any) -> Any:
    """YAML data as an editor's YAML 1.2 reading gives it to the schema: dates are strings."""
    if isinstance(value, dict):
        return {k: as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def errors(kind: str, path: Path) -> list[str]:
    """The schema errors of a YAML file, as path: message."""
    data = as_editor_sees(load_yaml(path).data)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(kind).iter_errors(data)]


@pytest.mark.parametrize(("kind", "args"), [("regulation", ["schema"]), ("org", ["schema", "--org"])])
def test_committed_schema_is_current(kind: str, args: list[str]) -> None:
    result = CliRunner().invoke(main, args, obj={})
    assert result.exit_code == 0, result.output
    committed = schema_file(kind).read_text(encoding="utf-8")
    assert committed == result.stdout, f"schema/{kind}.schema.json is stale: run `make schema`"


def test_schema_describes_the_format() -> None:
    schema = json.loads(schema_file("regulation").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"id", "title", "body", "seeds", "revisions"}
    assert "assert" in schema["$defs"]["ExprRule"]["properties"]  # the YAML key, not the Python name


def test_there_are_regulations() -> None:
    assert REGULATIONS, "no regulations/*.yaml yet"


@pytest.mark.parametrize("path", REGULATIONS, ids=[p.name for p in REGULATIONS])
def test_regulation_names_its_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE.format("../schema/regulation.schema.json")


def test_org_names_its_schema() -> None:
    first = (ROOT / "regulations" / "org.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE.format("../schema/org.schema.json")


def test_test_data_names_an_existing_schema() -> None:
    first = (DATA / "mini.yaml").read_text(encoding="utf-8").splitlines()[0]
    target = first.removeprefix(MODELINE.format(""))
    assert (DATA / target).resolve() == schema_file("regulation").resolve()


@pytest.mark.parametrize("path", [*REGULATIONS, DATA / "mini.yaml"], ids=[*(p.name for p in REGULATIONS), "mini"])
def test_regulation_validates_against_the_json_schema(path: Path) -> None:
    assert errors("regulation", path) == []


@pytest.mark.parametrize("path", [ROOT / "regulations" / "org.yaml", DATA / "org.yaml"], ids=["project", "mini"])
def test_org_validates_against_the_json_schema(path: Path) -> None:
    assert errors("org", path) == []


def test_json_schema_catches_what_lint_catches(tmp_path: Path) -> None:
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace("department: 市场部\n", "department: 市场部\ncolour: 红\n", 1)
        .replace("number_prefix: SL", "number_prefix: sl", 1)
        .replace("kind: approval", "kind: approve", 1),
        encoding="utf-8",
    )
    found = errors("regulation", bad)
    assert any(e.startswith(": Additional properties are not allowed ('colour'") for e in found), found
    assert any(e.startswith("forms/0/number_prefix: 'sl' does not match") for e in found), found
    assert any(e.startswith("rules/0: ") for e in found), found
