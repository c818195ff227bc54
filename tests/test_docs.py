"""README.md and docs/format.md stay true to the code: their YAML reads, the README's tour is the
test regulation, every command and every key of the format is documented."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from regkit import model
from regkit.cli import main
from regkit.yamlsafe import load_yaml

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FORMAT = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")


def yaml_blocks(text: str) -> list[str]:
    """The ```yaml blocks of a Markdown text."""
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_readme_tour_is_the_test_regulation() -> None:
    tour = next(b for b in yaml_blocks(README) if b.startswith("# yaml-language-server"))
    mini = Path(__file__).parent / "data" / "mini.yaml"
    assert load_yaml(tour.encode(), "README.md").data == load_yaml(mini).data


def test_every_yaml_example_reads_strictly() -> None:
    blocks = yaml_blocks(README) + yaml_blocks(FORMAT)
    assert len(blocks) > 10
    for block in blocks:
        load_yaml(block.encode(), "example")  # raises InputError on a duplicate key, a tab, ...


def test_readme_names_every_command() -> None:
    for name in main.commands:
        assert f"regkit {name}" in README, name
    for name in ("lint", "list", "schema", "build", "form", "extract", "check"):
        assert f"\nregkit {name}" in README, name


def test_format_reference_names_every_key() -> None:
    models = [m for m in vars(model).values()
              if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == model.__name__]
    missing = [f"{m.__name__}.{info.alias or name}"
               for m in models for name, info in m.model_fields.items()
               if not re.search(rf"\b{re.escape(info.alias or name)}\b", FORMAT)]
    assert missing == []


def test_format_reference_names_every_field_type_and_rule_kind() -> None:
    for kind in typing.get_args(model.FieldType):
        assert f"`{kind}`" in FORMAT, kind
    for kind in ("approval", "stub_signatures", "deadline", "cadence", "requires", "conflict", "expr", "outstanding"):
        assert f"### {kind}" in FORMAT, kind
