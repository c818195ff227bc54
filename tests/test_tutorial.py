"""docs/tutorial.md stays true: every command in its console blocks is run in order (regkit through
CliRunner, the others as programs) and prints what the tutorial shows; every YAML excerpt is in
the file `regkit init` writes."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from regkit.cli import main

TUTORIAL = (Path(__file__).parent.parent / "docs" / "tutorial.md").read_text(encoding="utf-8")


def console_steps(text: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every ``$ `` line of the console blocks, in order."""
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
    return steps


def matches(expected: list[str], actual: list[str]) -> bool:
    """Each expected line matches the next actual line (``*`` is any text); a ``...`` line skips
    any number of lines."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    pattern = head.replace("[", "[[]").replace("?", "[?]")  # only * is a wildcard
    return bool(actual) and fnmatch.fnmatchcase(actual[0], pattern) and matches(rest, actual[1:])


def test_every_command_of_the_tutorial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steps = console_steps(TUTORIAL)
    assert len(steps) >= 12
    cwd = tmp_path
    for command, expected in steps:
        args = shlex.split(command)
        if args[0] == "cd":
            cwd = (cwd / args[1]).resolve()
            assert cwd.is_dir(), command
            continue
        monkeypatch.chdir(cwd)
        if args[0] == "regkit":
            result = CliRunner().invoke(main, args[1:], obj={})
            assert result.exit_code in (0, 1, 2), (command, result.output)
            out = result.output
        else:
            proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60,
                                  env={**os.environ, "LC_ALL": "C.UTF-8"})
            assert proc.returncode == 0, (command, proc.stderr)
            out = proc.stdout
        assert matches(expected, out.splitlines()), f"$ {command}\n--- expected\n" + "\n".join(expected) + \
            "\n--- got\n" + out


def test_every_yaml_excerpt_is_in_the_example(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path / "p")], obj={}).exit_code == 0
    blocks = re.findall(r"```yaml\n# (\S+)\n(.*?)```", TUTORIAL, flags=re.S)
    assert len(blocks) >= 8
    for name, excerpt in blocks:
        assert excerpt in (tmp_path / "p" / name).read_text(encoding="utf-8"), excerpt
