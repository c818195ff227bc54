"""The library functions behind ``regkit serve``, ``regkit db ...`` and ``regkit check --database``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..check import Report, audit
from ..loader import Project, load_project
from .config import WebConfig
from .dburl import DEFAULT_DATABASE


def web_config(regdir: Path, org: Path | None, data_dir: Path, database: str | None,
               templates: Path | None = None) -> WebConfig:
    """The configuration of a project's web application (SQLite in the data folder by default)."""
    return WebConfig(regulations=regdir, org=org, data_dir=data_dir,
                     database=database or f"sqlite:///{DEFAULT_DATABASE}", templates=templates)


def _ready(config: WebConfig, *, migrate: bool = True) -> Project:
    from .server import upgrade

    project = load_project([config.regulations], config.org)
    upgrade(config, apply=migrate)
    return project


def set_password(config: WebConfig, names: Sequence[str], password: str) -> None:
    """Set people's password (all checked to be people of the profile first)."""
    project = _ready(config)
    from . import accounts

    for name in names:
        accounts.ensure_user(project, name)
    for name in names:
        accounts.set_password(project, name, password)


def issue_links(config: WebConfig, names: Sequence[str], base_url: str) -> list[tuple[str, str]]:
    """A first-login link per person."""
    project = _ready(config)
    from . import accounts

    return [(n, f"{base_url.rstrip('/')}/login/link/{accounts.issue_link(project, n)}/") for n in names]


def grant_duty(config: WebConfig, name: str, duty: str, *, revoke: bool = False) -> None:
    """Give or take back a web duty."""
    project = _ready(config)
    from . import accounts

    accounts.grant(project, name, duty, revoke=revoke)


def import_files(config: WebConfig, files: list[Path], actor: str) -> tuple[int, list[str]]:
    """Store record files in the database."""
    project = _ready(config)
    from .importer import import_paths

    with tempfile.TemporaryDirectory(prefix="regkit-import-") as tmp:
        return import_paths(project, files, actor, Path(tmp))


def audit_stored(config: WebConfig, records: Sequence[Path], *, date_from: dt.date | None = None,
                 as_of: dt.date | None = None, encoding: str | None = None, only: Sequence[str] = ()) -> Report:
    """Audit the stored records (and any record files given besides) with the checker; the
    database is only read (no key file written, no migration applied)."""
    project = _ready(dataclasses.replace(config, keep_secret=False), migrate=False)
    from .dbaudit import audit_database, renamed, stored_records, write_record_files

    if not records:
        return audit_database(project, date_from=date_from, as_of=as_of, only=only)
    with tempfile.TemporaryDirectory(prefix="regkit-db-") as tmp:
        folder = Path(tmp)
        where = write_record_files(stored_records(project), folder)
        report = audit(project, [*records, folder], date_from=date_from, as_of=as_of, encoding=encoding, only=only)
    return renamed(report, folder, where)
