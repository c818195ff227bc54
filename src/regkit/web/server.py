"""Starting the application: configure Django from a ``WebConfig``, bring the schema up to date,
and serve it with gunicorn (threads in a few worker processes; static files by WhiteNoise)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import EnvironmentProblem
from .config import WebConfig, secret_key
from .dburl import redact

_READY: list[WebConfig] = []
SQLITE_SHAPE = (2, 8)  # worker processes x threads on SQLite, when not told


def default_shape(vendor: str) -> tuple[int, int]:
    """Worker processes and threads per process when not told, by database (Django's vendor
    name). On PostgreSQL two processes per core the process may use (2 to 8) of 4 threads: a
    process runs one thread of Python at a time, and a request whose database answer has come
    back waits for the other threads of its process to let go, so fewer threads in more
    processes answer sooner (bench/web_bench.py, 50 people
    on 2 cores: p95 114 ms with 4 x 4 where 2 x 8 took 223 ms). On SQLite, where writers take
    turns on one file, 2 x 8: the writers of more processes queue on the lock file, which wakes
    them in no particular order (one run: p95 329 ms with 4 x 4; 141 ms with 2 x 8)."""
    if vendor == "sqlite":
        return SQLITE_SHAPE
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(2, min(8, 2 * cores)), 4


def warm_up(project: Any) -> None:
    """Print one filled form as PDF, so that a worker's first printed record is not the one that
    loads WeasyPrint and the field font (half a second); a failure here is only logged (the
    record's own print will report it)."""
    import logging

    from ..forms.api import render_form

    try:
        _, form = next(iter(project.forms()))
        text = next((f for f in form.fields if f.type == "text"), None)
        render_form(project, form.id, "pdf", {text.key: "预热"} if text else None, page_cache=True)
    except Exception as exc:  # warming up is best effort
        logging.getLogger("regkit.web").warning("PDF warm-up failed: %s", exc)


def setup(config: WebConfig) -> None:
    """Configure Django for this project and database (once per process)."""
    if _READY:
        if _READY[0] != config:
            raise EnvironmentProblem("the web application is already set up for another project or database")
        return
    config.export()
    if config.keep_secret:
        secret_key(config.data_dir)  # made before any worker starts, so all of them share it
    import django

    django.setup()
    _READY.append(config)


def upgrade(config: WebConfig, *, apply: bool = True) -> list[str]:
    """Apply the schema migrations the database lacks; the names of those applied. With ``apply``
    False, only check that there is a database with an up-to-date schema (EnvironmentProblem if not)."""
    if not apply:
        from .dburl import database_settings

        db = database_settings(config.database, config.data_dir)
        if db["ENGINE"].endswith("sqlite3") and not Path(db["NAME"]).is_file():
            raise EnvironmentProblem(f"no database at {db['NAME']} (regkit serve or regkit db upgrade creates it)")
    setup(config)
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # the database is unreachable or refuses us: one clear line
        raise EnvironmentProblem(f"cannot open database {redact(config.database)}: {exc}".strip()) from None
    if not apply:
        if plan:
            raise EnvironmentProblem(
                f"the schema of {redact(config.database)} is not up to date: run regkit db upgrade")
        return []
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def serve(config: WebConfig, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
          threads: int | None = None, ready: Callable[[str], None] | None = None) -> None:
    """Serve the application until interrupted (migrations applied first); ``default_shape()``
    processes and threads unless told."""
    upgrade(config)
    from . import access

    project = access.project()  # a broken regulation fails here, with its file:line:col, not on the first request
    from django.db import connection
    from gunicorn.app.base import BaseApplication

    shape = default_shape(connection.vendor)

    from .wsgi import application

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or shape[0], "threads": threads or shape[1],
        "worker_class": "gthread", "timeout": 60, "graceful_timeout": 10, "keepalive": 5,
        "limit_request_line": 8190, "limit_request_fields": 100, "limit_request_field_size": 8190,
        "accesslog": os.environ.get("REGKIT_ACCESS_LOG") or None, "errorlog": "-", "loglevel": "warning",
        "proc_name": "regkit-serve",
        # in each worker, not before the fork: WeasyPrint's libraries are not known to survive one
        "post_worker_init": lambda worker: warm_up(project),
    }

    class App(BaseApplication):
        """gunicorn serving the regkit WSGI application."""

        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    from django.db import connections

    connections.close_all()  # no connection inherited across the fork into the workers
    # What is loaded now (Django, the project, the rules) lives as long as the workers: kept out of
    # the garbage collector's full passes, which otherwise walk it all and stall a worker's threads.
    gc.freeze()
    if ready is not None:
        ready(f"http://{host}:{port}/")
    App().run()
