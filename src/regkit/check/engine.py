"""DuckDB, the engine the checker runs on, imported as its compiled core.

``import duckdb`` loads the Python package around the core too (its relational API, the pandas
and Arrow hooks, its version read through importlib.metadata): 0.25 s at the start of every audit,
which uses none of it, where the core alone takes 0.06 s. The core is what the package re-exports
as its API (``connect``, the connection, the errors, the appender). Should a DuckDB lay its core
out otherwise, the package is imported as usual."""

from __future__ import annotations

try:
    import _duckdb as duckdb
except ImportError:  # pragma: no cover - a DuckDB wheel without a top-level core module
    import duckdb  # type: ignore[no-redef]

__all__ = ["duckdb"]
