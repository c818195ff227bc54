"""The exceptions regkit raises; the CLI turns each into one line per problem and an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in an input file, located as ``file:line:col``."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class RegkitError(Exception):
    """Base of every error regkit reports to a user; never raised directly."""

    exit_code = 2

    def lines(self) -> list[str]:
        """The lines the CLI prints for this error, one per problem."""
        return [str(self)]


class InputError(RegkitError):
    """Raised when an input file (regulation, profile, record, filled form) is invalid.

    Carries every problem found, each with its file, line and column.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, file: str | Path, line: int, col: int, message: str) -> InputError:
        """An error with a single problem."""
        return cls([Problem(str(file), line, col, message)])

    def lines(self) -> list[str]:
        """One line per problem."""
        return [str(p) for p in self.problems]


class TemplateError(RegkitError):
    """Raised when a layout template is missing, malformed or uses an undefined variable."""


class RenderError(RegkitError):
    """Raised when a document cannot be rendered (a font lacks a printed character, a tool fails)."""


class EnvironmentProblem(RegkitError):
    """Raised when the machine lacks something regkit needs (a font, a system library)."""


class OutputError(RegkitError):
    """Raised when an output file cannot be written (disk full, file too large, no permission)."""


class UsageError(RegkitError):
    """Raised when command arguments name something that does not exist (a regulation, a form)."""
