"""A live regkit web server for the tests (``regkit serve`` in a subprocess, on SQLite or on a
PostgreSQL cluster the tests start), and a small HTTP client that keeps cookies and sends the
CSRF token as a browser does."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGULATIONS = ROOT / "regulations"
PASSWORD = "Zhiduzhengque-2026"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def regkit(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
           check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the regkit command line in a subprocess (its own Django, its own database connection)."""
    proc = subprocess.run([sys.executable, "-m", "regkit", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"regkit {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@dataclass
class Postgres:
    """A PostgreSQL 15 cluster in a temporary folder, listening on a Unix socket only, run by the
    unprivileged ``postgres`` user when the tests run as root."""

    folder: Path
    port: int
    proc_user: str | None
    databases: int = 0

    @classmethod
    def start(cls, folder: Path) -> Postgres:
        """initdb and pg_ctl start."""
        folder.mkdir(parents=True, exist_ok=True)
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            shutil.chown(folder, user, user)
        pg = cls(folder, free_port(), user)
        pg._run(str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "regkit", "-E", "UTF8",
                "--locale", "C.UTF-8")
        pg._run(str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-w", "-t", "60",
                "-o", f"-k {folder} -p {pg.port} -c listen_addresses='' -c fsync=off -c max_connections=200",
                "start")
        return pg

    def _run(self, *cmd: str) -> None:
        full = ["runuser", "-u", self.proc_user, "--", *cmd] if self.proc_user else list(cmd)
        proc = subprocess.run(full, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {proc.stdout}{proc.stderr}")

    def create(self, name: str | None = None) -> str:
        """A new empty database; its URL."""
        self.databases += 1
        name = name or f"regkit{self.databases}"
        self._run(str(PG_BIN / "createdb"), "-h", str(self.folder), "-p", str(self.port), "-U", "regkit", name)
        return self.url(name)

    def url(self, name: str) -> str:
        """The database URL of ``name`` on this cluster."""
        return f"postgresql://regkit@/{name}?host={urllib.parse.quote(str(self.folder))}&port={self.port}"

    def postmaster(self) -> int:
        """The server's main process (its connections' processes are its children)."""
        return int((self.folder / "data" / "postmaster.pid").read_text().split("\n", 1)[0])

    def stop(self) -> None:
        """pg_ctl stop."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """pg_ctl restart (fast: the server ends every connection)."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
                  "-m", "fast", "-w", "-t", "60", "restart")


@contextmanager
def postgres_cluster(prefix: str = "regkit-pg-") -> Iterator[Postgres]:
    """A PostgreSQL cluster in a new folder the ``postgres`` user can reach (pytest's temporary
    folders are private to the user running the tests), stopped and removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)
    pg = Postgres.start(base / "cluster")
    try:
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class Server:
    """``regkit serve`` running in a subprocess."""

    url: str
    database: str
    data: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def cli(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A ``regkit db ...`` command against this server's database."""
        return regkit(*args, "--data", str(self.data), "--database", self.database, stdin=stdin, check=check)

    def stop(self) -> None:
        """Stop the server (SIGTERM, gunicorn's graceful stop)."""
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def start_server(data: Path, database: str, workers: int | None = 2, threads: int | None = 8) -> Server:
    """Start ``regkit serve`` and wait until it answers (None: ``regkit serve``'s own default)."""
    port = free_port()
    log = data / "serve.log"
    data.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "regkit", "serve", "--port", str(port), "--data", str(data), "--database", database,
         *(["--workers", str(workers)] if workers else []), *(["--threads", str(threads)] if threads else [])],
        cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"regkit serve exited {proc.returncode}: {log.read_text(errors='replace')}")
        try:
            urllib.request.urlopen(url + "/login/", timeout=2).read()
            return Server(url, database, data, proc, log)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"regkit serve did not answer: {log.read_text(errors='replace')}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Response:
    """An HTTP response, read whole."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        """The redirect target."""
        return self.headers.get("location", "")


@dataclass
class Client:
    """A person's browser session, without the browser: cookies, CSRF token, no redirects followed."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """One request; any status is returned, not raised."""
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as r:
                return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())

    def get(self, path: str) -> Response:
        """GET a page."""
        return self.request("GET", path)

    def csrf(self) -> str:
        """The CSRF cookie's value (fetching the sign-in page first if there is none yet)."""
        for c in self.jar:
            if c.name == "csrftoken":
                return str(c.value)
        self.get("/login/")
        return self.csrf()

    def post(self, path: str, fields: list[tuple[str, str]] | dict[str, str], *, csrf: bool = True) -> Response:
        """POST a form (urlencoded), with the CSRF token as the page's form would send it."""
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf:
            items.append(("csrfmiddlewaretoken", self.csrf()))
        body = urllib.parse.urlencode(items).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                 "Referer": self.base + path})

    def login(self, name: str, password: str = PASSWORD) -> Response:
        """Sign in; asserts it worked."""
        r = self.post("/login/", {"username": name, "password": password})
        assert r.status == 302, (r.status, r.text[:500])
        return r


def record_id(response: Response) -> int:
    """The record a redirect after filling in points to."""
    m = re.search(r"/records/(\d+)/", response.location)
    assert m, (response.status, response.location, response.text[:800])
    return int(m.group(1))
