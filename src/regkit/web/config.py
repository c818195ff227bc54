"""Where the web application finds its project and keeps its data: read from the environment that
``regkit serve`` sets, so every worker process of the server agrees."""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENV_DATABASE = "REGKIT_DATABASE_URL"
ENV_DATA = "REGKIT_DATA_DIR"
ENV_REGULATIONS = "REGKIT_REGULATIONS"
ENV_ORG = "REGKIT_ORG"
ENV_TEMPLATES = "REGKIT_TEMPLATES"
ENV_SECURE = "REGKIT_SECURE_COOKIES"
ENV_HOSTS = "REGKIT_ALLOWED_HOSTS"
ENV_EPHEMERAL = "REGKIT_EPHEMERAL_SECRET"
DEFAULT_DATA = Path(".regkit")
SECRET_FILE = "secret_key"


@dataclass(frozen=True)
class WebConfig:
    """The web application's paths and database."""

    regulations: Path
    org: Path | None
    data_dir: Path
    database: str
    templates: Path | None = None
    keep_secret: bool = True  # False: a reader (check --database) writes no key file

    def export(self) -> None:
        """Put this configuration into the environment the Django settings read."""
        os.environ[ENV_REGULATIONS] = str(self.regulations.resolve())
        if self.org is not None:
            os.environ[ENV_ORG] = str(self.org.resolve())
        os.environ[ENV_DATA] = str(self.data_dir.resolve())
        os.environ[ENV_DATABASE] = self.database
        if self.templates is not None:
            os.environ[ENV_TEMPLATES] = str(self.templates.resolve())
        if not self.keep_secret:
            os.environ[ENV_EPHEMERAL] = "1"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regkit.web.settings")


def from_environment() -> WebConfig:
    """The configuration ``export`` wrote (defaults: ./regulations, ./.regkit, SQLite there)."""
    data = Path(os.environ.get(ENV_DATA) or DEFAULT_DATA)
    org = os.environ.get(ENV_ORG)
    templates = os.environ.get(ENV_TEMPLATES)
    return WebConfig(
        regulations=Path(os.environ.get(ENV_REGULATIONS) or "regulations"),
        org=Path(org) if org else None,
        data_dir=data,
        database=os.environ.get(ENV_DATABASE) or "sqlite:///regkit.sqlite3",
        templates=Path(templates) if templates else None,
    )


def secret_key(data_dir: Path) -> str:
    """The key signing sessions and tokens: made on first start in the data folder (mode 0600),
    never in the repository."""
    path = data_dir / SECRET_FILE
    try:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 50:
            return key
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".secret.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(64))
        try:
            os.link(tmp, path)  # create-if-absent, atomically: two processes starting at once agree
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()
