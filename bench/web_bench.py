"""Load on the web application: 50 concurrent users filling in and approving 同意欠费通知单 for
60 s on localhost, on SQLite and on PostgreSQL; then a filled form's PDF on demand (warm process).
Prints p50/p95/max page latency, throughput, and checks that no record was lost or duplicated.

    .venv/bin/python bench/web_bench.py [--seconds 60] [--users 50] [--approvers 10] [--think 0.5]
                                        [--lockstep] [--databases sqlite,postgresql]

Goals: p95 page latency < 200 ms on each database; PDF p95 < 300 ms warm. The floor in the same
run is the server's cheapest page (a static file through the whole middleware stack): the ratios
say how much of a page's time is regkit's own work. Every request loop is bounded in count and
time and sends traffic to 127.0.0.1 only. Each user waits ``--think`` seconds on average between
actions (a person reading the page; each pause 0.5 to 1.5 times that, ``--lockstep`` for exactly
that); 0 makes it a stress test. Each user keeps its connection open between requests, as a
browser does (HTTP keep-alive). All users sign in at once before the timed window (their sign-in
times are shown on their own line, outside the page figures). The CPU used in the window by the
server, by PostgreSQL, by this generator and by every other process is printed: a figure taken
while the machine was busy with other work shows it.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "web"))

from web_support import PASSWORD, Client, Postgres, Response, start_server  # noqa: E402

from regkit.web.server import default_shape  # noqa: E402

MAX_REQUESTS_PER_USER = 5000
FILLERS = ["李娜", "陈晨"]
APPROVER = "张伟"
SIGN_IN = "sign-in (before window)"
FLOOR = "floor (static file)"


class Browser:
    """A person's browser, as light as it can be (this generator shares the machine with the
    server): one kept-alive connection, cookies, the CSRF token sent as the page's form sends it,
    no redirects followed. The same requests as ``web_support.Client`` makes, minus urllib's cost
    per request and a new connection for each."""

    IDLE = 3.0  # s; under the server's keep-alive (5 s): an idle connection is opened afresh

    def __init__(self, base: str) -> None:
        self.base = base
        self.host, port = base.split("//", 1)[1].rsplit(":", 1)
        self.port = int(port)
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.last = 0.0

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """One request; any status is returned, not raised."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.conn is None or time.monotonic() - self.last > self.IDLE:
            if self.conn is not None:
                self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.conn.request(method, path, body, headers)
        r = self.conn.getresponse()
        data = r.read()
        self.last = time.monotonic()
        for value in r.headers.get_all("Set-Cookie") or []:
            morsel = SimpleCookie(value)
            for name, m in morsel.items():
                if m.value and m["max-age"] != "0":
                    self.cookies[name] = m.value
                else:
                    self.cookies.pop(name, None)
        if r.will_close:
            self.conn.close()
            self.conn = None
        return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, data)

    def get(self, path: str) -> Response:
        """GET a page."""
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> Response:
        """POST a form with the CSRF token."""
        if "csrftoken" not in self.cookies:
            self.get("/login/")
        body = urllib.parse.urlencode([*fields.items(), ("csrfmiddlewaretoken", self.cookies["csrftoken"])]).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                 "Referer": self.base + path})

    def login(self, name: str) -> Response:
        """Sign in; asserts it worked."""
        r = self.post("/login/", {"username": name, "password": PASSWORD})
        assert r.status == 302, (r.status, r.text[:500])
        return r


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


class Stats:
    """Latencies per kind of page, and errors."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def timed(self, kind: str, call: Callable[..., Response], *args: object) -> Response:
        """Call ``call(*args)`` and record its latency under ``kind``."""
        t0 = time.perf_counter()
        r = call(*args)
        dt = time.perf_counter() - t0
        with self.lock:
            self.times[kind].append(dt)
            if r.status >= 500 or r.status in (400, 404):
                self.errors[f"{kind} {r.status}"] += 1
        return r


def signed_in(base: str, names: list[str], stats: Stats) -> list[Browser]:
    """A session per user, all signing in at once (Argon2 by design costs each some 0.1 s of
    CPU): before the timed window, and timed on their own, so the window measures people at work."""
    clients = [Browser(base) for _ in names]
    threads = [threading.Thread(target=stats.timed, args=(SIGN_IN, c.login, name))
               for c, name in zip(clients, names, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return clients


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes and their children's threads."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU time (s) the whole machine has spent busy, all cores (Linux /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def all_processes() -> dict[int, tuple[str, float]]:
    """Every process's command name and CPU time so far (s), by id (Linux /proc)."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, rest = (entry / "stat").read_text().rsplit(")", 1)
                fields = rest.split()
                out[int(entry.name)] = (head.split("(", 1)[1], (int(fields[11]) + int(fields[12])) / tick)
            except (OSError, IndexError, ValueError):
                continue
    return out


def busiest_others(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]],
                   mine: set[int]) -> list[tuple[str, float]]:
    """The processes outside the measurement that used the most CPU between two snapshots."""
    used = [(f"{name}[{pid}]", cpu - before.get(pid, (name, 0.0))[1]) for pid, (name, cpu) in after.items()
            if pid not in mine]
    return sorted((u for u in used if u[1] >= 0.5), key=lambda u: -u[1])[:3]


def server_processes(root: int) -> list[int]:
    """The server's process and its workers (Linux /proc)."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == root:
                pids.append(int(entry.name))
    return pids


class Pace:
    """A user's pauses between actions: ``think`` seconds on average, each drawn from 0.5 to 1.5
    times ``think`` (people do not click in step), after a first pause drawn from 0 to ``think``
    (nor do they all start at the same instant). ``lockstep``: every pause exactly ``think`` and
    one common start, which makes the users arrive in bursts of fifty."""

    def __init__(self, think: float, seed: int, lockstep: bool) -> None:
        self.think, self.lockstep = think, lockstep
        self.random = random.Random(seed)

    def start(self) -> None:
        """The pause before the first action."""
        if not self.lockstep:
            time.sleep(self.random.uniform(0, self.think))

    def pause(self) -> None:
        """A person reading the page."""
        time.sleep(self.think if self.lockstep else self.random.uniform(0.5, 1.5) * self.think)


def filler(c: Browser, name: str, n: int, stop: float, pace: Pace, stats: Stats, sent: list[str]) -> None:
    pace.start()
    for i in range(MAX_REQUESTS_PER_USER):
        if time.monotonic() >= stop:
            return
        stats.timed("form page", c.get, "/forms/arrears-approval/new/")
        pace.pause()
        customer = f"压测客户-{n:02d}-{i:04d}"
        fields = {"date": time.strftime("%Y-%m-%d"), "customer": customer, "settlement": "现金", "amount": "1200.50",
                  "reason": "压力测试", "promised_date": "2027-01-15", "handler": name, "departments.1": "财务部"}
        r = stats.timed("submit", c.post, "/forms/arrears-approval/new/", fields)
        if r.status == 302:
            sent.append(customer)
            stats.timed("record page", c.get, r.location)
        pace.pause()


def approver(c: Browser, stop: float, pace: Pace, stats: Stats, approved: list[int]) -> None:
    pace.start()
    for _ in range(MAX_REQUESTS_PER_USER):
        if time.monotonic() >= stop:
            return
        home = stats.timed("to-do list", c.get, "/")
        part = home.text.split("待我批准", 1)[-1].split("</section>", 1)[0]
        pending = re.findall(r'href="/records/(\d+)/"', part)
        if not pending:
            pace.pause()
            continue
        pk = pending[hash(threading.get_ident()) % len(pending)]
        page = stats.timed("record page", c.get, f"/records/{pk}/")
        m = re.search(r'name="version" value="(\d+)"', page.text)
        pace.pause()
        if m and 'id="approve"' in page.text:
            form = {"version": m.group(1), "comment": ""}
            r = stats.timed("approve", c.post, f"/records/{pk}/approve/", form)
            if r.status == 302:
                approved.append(int(pk))
        pace.pause()


def run(database: str, label: str, args: argparse.Namespace, tmp: Path,
        database_root: int | None = None) -> dict[str, object]:
    server = start_server(tmp / f"data-{label}", database, workers=args.workers, threads=args.threads)
    try:
        server.cli("db", "password", *FILLERS, APPROVER, "林涛", "--password-stdin", stdin=PASSWORD + "\n")
        server.cli("db", "grant", "林涛", "auditor")
        stats = Stats()
        floor = Browser(server.url)
        for _ in range(30):
            stats.timed(FLOOR, floor.get, "/static/web.css")
        sent: list[str] = []
        approved: list[int] = []
        names = [FILLERS[i % 2] for i in range(args.users - args.approvers)] + [APPROVER] * args.approvers
        clients = signed_in(server.url, names, stats)
        pids = server_processes(server.proc.pid)
        stop = time.monotonic() + args.seconds
        paces = [Pace(args.think, i, args.lockstep) for i in range(args.users)]
        fillers = args.users - args.approvers
        threads = [threading.Thread(target=filler, args=(clients[i], names[i], i, stop, paces[i], stats, sent))
                   for i in range(fillers)]
        threads += [threading.Thread(target=approver, args=(clients[i], stop, paces[i], stats, approved))
                    for i in range(fillers, args.users)]
        t0, own0, server0, busy0 = time.monotonic(), time.process_time(), cpu_seconds(pids), machine_busy()
        snapshot0 = all_processes()
        db0 = cpu_seconds(server_processes(database_root)) if database_root else 0.0
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 120)
        elapsed = time.monotonic() - t0
        own_cpu, server_cpu = time.process_time() - own0, cpu_seconds(pids) - server0
        db_cpu = cpu_seconds(server_processes(database_root)) - db0 if database_root else 0.0
        others_cpu = machine_busy() - busy0 - own_cpu - server_cpu - db_cpu
        mine = {os.getpid(), *pids, *(server_processes(database_root) if database_root else [])}
        busiest = busiest_others(snapshot0, all_processes(), mine)
        # every record submitted is stored exactly once, and every approval stuck
        auditor = Client(server.url)
        auditor.login("林涛")
        export = auditor.get("/audit/export.csv?form=arrears-approval")
        rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
        customers = [r["客户名称"] for r in rows]
        numbers = [r["编号"] for r in rows]
        approved_rows = sum(1 for r in rows if r["批准人"] == APPROVER)
        lost = sorted(set(sent) - set(customers))
        duplicated = len(customers) - len(set(customers)) + len(numbers) - len(set(numbers))
        # a filled form's PDF on demand, warm
        pdf_client = Client(server.url)
        pdf_client.login(FILLERS[0])
        some = re.findall(r'href="/records/(\d+)/"', pdf_client.get("/records/").text)[:5]
        pdf_times = []
        for i in range(args.pdf_runs + 1):
            t = time.perf_counter()
            r = pdf_client.get(f"/records/{some[i % len(some)]}/print.pdf")
            assert r.status == 200 and r.body.startswith(b"%PDF"), r.status
            if i:
                pdf_times.append(time.perf_counter() - t)
        pages = [t for k, v in stats.times.items() if k not in (SIGN_IN, FLOOR) for t in v]
        return {
            "database": label, "elapsed": elapsed, "requests": len(pages), "sent": len(sent), "stored": len(rows),
            "approved": len(set(approved)), "approved_rows": approved_rows, "lost": len(lost),
            "duplicated": duplicated, "errors": dict(stats.errors), "by_kind": {k: v for k, v in stats.times.items()},
            "pages": pages, "pdf": pdf_times, "floor": stats.times[FLOOR],
            "own_cpu": own_cpu, "server_cpu": server_cpu, "others_cpu": others_cpu, "db_cpu": db_cpu,
            "busiest": busiest,
            "cores": os.cpu_count() or 1,
        }
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--approvers", type=int, default=10)
    ap.add_argument("--think", type=float, default=0.5)
    ap.add_argument("--lockstep", action="store_true",
                    help="every pause exactly --think and one common start (arrivals in bursts)")
    ap.add_argument("--workers", type=int, default=None, help="default: regkit serve's for the database")
    ap.add_argument("--threads", type=int, default=None, help="default: regkit serve's for the database")
    ap.add_argument("--pdf-runs", type=int, default=30)
    ap.add_argument("--databases", default="sqlite,postgresql")
    args = ap.parse_args()
    if args.seconds > 600 or args.users > 200:
        ap.error("bounded: at most 600 s and 200 users")
    results = []
    with tempfile.TemporaryDirectory(prefix="regkit-web-bench-") as tmp:
        base = Path(tmp)
        base.chmod(0o755)
        pg = None
        try:
            for label in args.databases.split(","):
                if label == "postgresql":
                    pg = pg or Postgres.start(base / "pg")
                    database = pg.create("bench")
                else:
                    database = "sqlite:///regkit.sqlite3"
                root = pg.postmaster() if label == "postgresql" and pg is not None else None
                results.append(run(database, label, args, base, root))
        finally:
            if pg is not None:
                pg.stop()
    ok = True
    print(f"{args.users} users ({args.users - args.approvers} filling, {args.approvers} approving), "
          f"think {args.think} s {'exactly, in lockstep' if args.lockstep else 'on average (0.5-1.5x)'}, "
          f"{args.seconds:.0f} s")
    for r in results:
        pages, floor, pdf = r["pages"], r["floor"], r["pdf"]  # type: ignore[assignment]
        p95, f95, pdf95 = _p(pages, 0.95), _p(floor, 0.95), _p(pdf, 0.95)
        workers, threads = default_shape(str(r["database"]))
        told = bool(args.workers or args.threads)
        print(f"\n[{r['database']}] gunicorn {args.workers or workers} workers x {args.threads or threads} threads"
              f"{'' if told else ' (regkit serve defaults)'}: {r['requests']} page requests in {r['elapsed']:.1f} s "
              f"({r['requests'] / r['elapsed']:.1f}/s)")
        print(f"  pages  p50 {_p(pages, 0.5) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  "
              f"max {max(pages) * 1000:6.1f} ms   (goal p95 < 200 ms: {'ok' if p95 < 0.2 else 'MISSED'})")
        for kind, times in sorted(r["by_kind"].items()):
            print(f"    {kind:20s} n={len(times):5d}  p50 {_p(times, 0.5) * 1000:6.1f} ms  "
                  f"p95 {_p(times, 0.95) * 1000:6.1f} ms")
        print(f"  floor  p95 {f95 * 1000:6.1f} ms; page p95 / floor p95 = {p95 / f95:.1f}x")
        db = f"PostgreSQL {r['db_cpu']:.1f} s, " if r["database"] == "postgresql" else ""
        print(f"  CPU in the window: server {r['server_cpu']:.1f} s ({r['server_cpu'] / r['requests'] * 1000:.1f} ms "
              f"per page), {db}this load generator {r['own_cpu']:.1f} s, every other process "
              f"{r['others_cpu']:.1f} s, of {r['cores'] * r['elapsed']:.0f} s on {r['cores']} cores")
        if r["busiest"]:
            print("  busiest other processes in the window: "
                  + ", ".join(f"{name} {cpu:.1f} s" for name, cpu in r["busiest"]))  # type: ignore[attr-defined]
        print(f"  PDF on demand (warm, {len(pdf)} runs)  p50 {_p(pdf, 0.5) * 1000:6.1f} ms  "
              f"p95 {pdf95 * 1000:6.1f} ms   (goal < 300 ms: {'ok' if pdf95 < 0.3 else 'MISSED'})")
        print(f"  records: {r['sent']} submitted, {r['stored']} stored, {r['lost']} lost, "
              f"{r['duplicated']} duplicated; {r['approved']} approvals, {r['approved_rows']} stored as approved; "
              f"errors {r['errors'] or 'none'}")
        ok = ok and r["lost"] == 0 and r["duplicated"] == 0 and r["sent"] == r["stored"] and not r["errors"]
        ok = ok and r["approved"] == r["approved_rows"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
