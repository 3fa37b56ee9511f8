"""`make bench`: the portal at city scale on PostgreSQL and Redis (issue #10). A benchmark, not a test.

    .venv/bin/python bench/bench_city.py all        # load (once), intake, pages, background; the table
    .venv/bin/python bench/bench_city.py load [--reload]
    .venv/bin/python bench/bench_city.py intake [--duration 60] [--users 4] [--workers 4] [--worker-class sync|gthread]
    .venv/bin/python bench/bench_city.py pages [--requests 200]
    .venv/bin/python bench/bench_city.py background [--routing 2000] [--parts sweep,routing,hotwords,scorecards]
    .venv/bin/python bench/bench_city.py profile URL [--user zuzhibu] [--requests 50]   # py-spy, hottest frames

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_city; created if
missing), BENCH_BROKER_URL (default redis://127.0.0.1:6379/10), BENCH_REDIS_URL (cache, default
redis://127.0.0.1:6379/11). Both Redis databases are flushed by the intake and background steps: they
belong to the benchmark. Settings are bench/settings.py (config.settings.production, DEBUG off, plus
the floor URL and rate limits off).

1. load: Liaocheng's organisation (demo builder, city scale) and --petitions petitions (default
   1,000,000, --open of them open) with their trails, set-based (bench/city_data.py). Skipped when the
   database already holds the same load (table bench_meta); --reload drops and rebuilds it.
2. intake: gunicorn (--workers, --worker-class, --threads) serving bench/settings.py; locust headless
   (.venv-bench, bench/requirements-bench.txt) for --duration seconds per phase with --users users
   (default 4, one per sync worker: every worker busy, no queue in front of them), after --warm-up seconds:
   the framework's floor (/bench/floor/: one INSERT), the studio form POST (/s/<code>/: GET once per
   user for the CSRF token, then POST with a fresh idempotency key each time) and the API submit
   (POST /api/v1/petitions). Petitions are counted before and after each phase: the rows added must
   equal the successes, and every success's tracking code must be a stored petition. No Celery worker runs meanwhile: routing tasks wait in the broker (the web's cost
   only); they are flushed afterwards.
3. pages: in-process (django.test.Client, the same settings), --requests timed requests of each page
   after 3 warm-ups (the bench's cache emptied first: the first of them is timed on its own, the view that
   computes a report's shared figures), p50/p95 and the queries of one request (CaptureQueriesContext).
4. background: the SLA sweep (as bench/bench_sla_sweep.py times it: a first sweep from all-blue, where
   many flags change, then the steady state a minute later) at the load's clock, so the figure does not
   drift with the date; routing throughput of one real Celery worker (--routing tasks queued at once,
   time until every petition is routed); the hot-word full refresh (as bench/bench_hotwords.py times
   it); scorecards for the last full month and the last full year.

Every figure is printed next to its target and written to bench/results/<date>.md (the figures of
earlier steps the same day are kept, from var/bench/results-<date>.json).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
PY = ROOT / ".venv" / "bin" / "python"
BENCH_BIN = ROOT / ".venv-bench" / "bin"

LOAD_AT_START = os.getloadavg()
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_city"
DEFAULT_BROKER = "redis://127.0.0.1:6379/10"
DEFAULT_CACHE = "redis://127.0.0.1:6379/11"

# Targets of issue #10.
INTAKE_FLOOR_SHARE = 0.40
INTAKE_P99_MS = 100
PAGE_P95_MS = 150
SWEEP_SECONDS = 10
ROUTING_PER_SECOND = 100
SCORECARDS_MONTH_SECONDS = 30


def configure_environment() -> dict:
    """The bench's own settings environment (also handed to gunicorn and the Celery worker)."""
    VAR.mkdir(parents=True, exist_ok=True)
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DB,
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL") or DEFAULT_BROKER,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL") or DEFAULT_CACHE,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Plain HTTP on loopback (production.py allows turning these off for a local run).
        "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0", "AXES_BEHIND_PROXY": "false",
        "VAR_DIR": str(VAR), "STATIC_ROOT": str(VAR / "static"), "MEDIA_ROOT": str(VAR / "media"),
        "LOG_LEVEL": "WARNING", "CONN_MAX_AGE": "60",
        "HOTLINE_URL": "http://127.0.0.1:9/api/petitions",  # discard port: a delivery fails at once
    }
    os.environ.update(env)
    return env


def command_line() -> str:
    return "python bench/bench_city.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])


# --- results ------------------------------------------------------------------------------------

@dataclass
class Figure:
    key: str
    figure: str
    value: str
    target: str = ""
    ok: bool | None = None
    command: str = ""
    when: str = ""
    ratio: str = ""


class Results:
    def __init__(self):
        self.today = datetime.now(timezone.utc).date().isoformat()
        self.path = VAR / f"results-{self.today}.json"
        self.figures: dict[str, Figure] = {}
        if self.path.exists():
            for row in json.loads(self.path.read_text()):
                self.figures[row["key"]] = Figure(**row)
        self.context: dict = {}

    def add(self, key, figure, value, target="", ok=None, ratio="", command=None):
        row = Figure(key=key, figure=figure, value=value, target=target, ok=ok, ratio=ratio,
                     command=command or command_line(), when=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
        self.figures[key] = row
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"  {figure}: {value}" + (f"   target {target}: {verdict}" if target else "") +
              (f"   ({ratio} of the floor)" if ratio else ""), flush=True)
        self.save()

    def save(self):
        self.path.write_text(json.dumps([asdict(f) for f in self.figures.values()], ensure_ascii=False, indent=1))

    def markdown(self, meta: dict) -> str:
        lines = [f"# Benchmark results, {self.today}", ""]
        for key, value in meta.items():
            lines.append(f"- {key}: {value}")
        lines += ["", "| figure | value | target | | command | date | ratio to floor |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for f in self.figures.values():
            verdict = "" if f.ok is None else ("PASS" if f.ok else "**MISS**")
            lines.append(f"| {f.figure} | {f.value} | {f.target} | {verdict} | `{f.command}` | {f.when} | {f.ratio} |")
        return "\n".join(lines) + "\n"

    def write(self, meta: dict) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"{self.today}.md"
        text = self.markdown(meta)
        out.write_text(text)
        print()
        print(text)
        print(f"written to {out.relative_to(ROOT)}")
        return out


# --- load ---------------------------------------------------------------------------------------

def setup_django(args, *, reload: bool = False) -> None:
    from bench.bench_sla_sweep import ensure_database
    from bench.city_data import drop_database

    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("BENCH_DATABASE_URL must be a PostgreSQL database")
    if reload:
        drop_database(url)
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_loaded(args, results: Results) -> dict:
    from bench import city_data

    info = city_data.loaded(args.petitions, args.open)
    if info and not args.reload:
        print(f"load: skipped, the database holds it (loaded {info['loaded_at'][:16]} in {info['seconds']} s; "
              f"--reload to rebuild)", flush=True)
        return info
    if city_data.meta_get("load") is not None or _has_rows():
        if not args.reload:
            sys.exit("The bench database holds another load (or other data): run with --reload to rebuild it.")
    print(f"load: {args.petitions:,} petitions ({args.open:,} open), city-scale organisation", flush=True)
    info = city_data.load(petitions=args.petitions, open_count=args.open)
    results.add("load", f"load: {args.petitions:,} petitions with trails, 14,000 representatives, 229 studios",
                f"{info['seconds']:.0f} s", command=f"python bench/bench_city.py load --petitions {args.petitions} "
                f"--open {args.open}" + (" --reload" if args.reload else ""))
    return info


def _has_rows() -> bool:
    from petitions.models import Petition

    return Petition.objects.exists()


def database_summary() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM petitions_petition), (SELECT count(*) FROM petitions_petitionevent),"
                    " (SELECT count(*) FROM petitions_petition WHERE status IN "
                    "('submitted','accepted','dispatched','on_hold','resolved')),"
                    " (SELECT count(*) FROM liaison_representative), (SELECT count(*) FROM offices_studio),"
                    " pg_size_pretty(pg_database_size(current_database()))")
        p, e, o, r, s, size = cur.fetchone()
    return {"petitions": p, "events": e, "open": o, "representatives": r, "studios": s, "size": size}


# --- processes ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {seconds} s")
        time.sleep(0.3)


class Gunicorn:
    def __init__(self, args, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind",
                    f"127.0.0.1:{self.port}", "--workers", str(args.workers), "--worker-class", args.worker_class,
                    "--timeout", "60", "--log-level", "warning", "--backlog", "2048",
                    "--config", str(ROOT / "bench" / "gunicorn_conf.py")]
        if args.worker_class == "gthread":
            self.cmd += ["--threads", str(args.threads)]
        self.env = {**os.environ, **env}
        self.log = open(VAR / "gunicorn.log", "a")
        self.proc = None

    def describe(self) -> str:
        threads = f" × {self.cmd[self.cmd.index('--threads') + 1]} threads" if "--threads" in self.cmd else ""
        return (f"gunicorn {self.cmd[self.cmd.index('--workers') + 1]} {self.cmd[self.cmd.index('--worker-class') + 1]}"
                f" workers{threads}")

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_http(self.url + "/healthz")
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- intake -------------------------------------------------------------------------------------

def ensure_bench_tools() -> None:
    if not (BENCH_BIN / "locust").exists():
        sys.exit("locust is missing: `make bench` installs bench/requirements-bench.txt into .venv-bench")


def collectstatic() -> None:
    from django.core.management import call_command

    manifest = Path(os.environ["STATIC_ROOT"]) / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        call_command("collectstatic", interactive=False, verbosity=0)


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return cur.fetchone()[0]


def _locust_stats(prefix: Path, name: str) -> dict:
    import csv

    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == name:
                return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                        "rps": float(row["Requests/s"]), "p50": float(row["50%"]), "p95": float(row["95%"]),
                        "p99": float(row["99%"]), "avg": float(row["Average Response Time"]),
                        "max": float(row["Max Response Time"])}
    raise RuntimeError(f"no stats for {name} in {prefix}_stats.csv")


def _locust_failures(prefix: Path) -> str:
    import csv

    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return ""
    with open(path, newline="") as f:
        rows = [f"{r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(f)]
    return "; ".join(rows[:5])


def _receipts(prefix: Path, label: str) -> dict:
    """What the successes returned, and how many of them are stored petitions (one query)."""
    from django.core import signing

    from petitions.models import Petition
    from petitions.views import SUBMITTED_SALT

    path = Path(f"{prefix}_receipts.txt")
    lines = [line for line in path.read_text().splitlines() if line] if path.exists() else []
    if label == "floor":
        return {"all": lines, "stored": len(lines)}
    codes = [signing.loads(line, salt=SUBMITTED_SALT)["c"] for line in lines] if label == "form" else lines
    stored = Petition.objects.filter(tracking_code__in=codes).count() if codes else 0
    return {"all": codes, "stored": stored}


def run_locust(url: str, user_class: str, args, studios: list[str], label: str, seconds: int | None = None) -> Path:
    seconds = seconds or args.duration
    prefix = VAR / f"locust-{label}"
    for suffix in ("_stats.csv", "_failures.csv", "_exceptions.csv", "_stats_history.csv"):
        Path(f"{prefix}{suffix}").unlink(missing_ok=True)
    cmd = [str(BENCH_BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-H", url,
           "-u", str(args.users), "-r", str(args.users), "-t", f"{seconds}s", "--stop-timeout", "15",
           "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0", user_class]
    env = {**os.environ, "BENCH_STUDIOS": ",".join(studios), "BENCH_RECEIPTS": f"{prefix}_receipts.txt"}
    Path(f"{prefix}_receipts.txt").unlink(missing_ok=True)
    with open(VAR / f"locust-{label}.log", "w") as log:
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=True,
                       timeout=seconds + 120)
    return prefix


def intake(args, env: dict, results: Results) -> None:
    from offices.models import Studio

    ensure_bench_tools()
    collectstatic()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, at timestamptz NOT NULL, "
                    "text text NOT NULL)")
    flush_redis(env["CELERY_BROKER_URL"])
    flush_redis(env["REDIS_URL"])
    studios = list(Studio.objects.filter(active=True).order_by("id").values_list("code", flat=True))
    connection.close()
    with Gunicorn(args, env) as web:
        print(f"intake: {web.describe()} at {web.url}, locust {args.users} users × {args.duration} s per phase",
              flush=True)
        measured = {}
        for label, user_class, name, table in (
                ("floor", "FloorUser", "POST /bench/floor/", "bench_floor"),
                ("form", "FormUser", "POST /s/<code>/", "petitions_petition"),
                ("api", "ApiUser", "POST /api/v1/petitions", "petitions_petition")):
            # Untimed warm-up of the same phase: every worker compiles its templates, opens its database
            # and broker connections (bench/gunicorn_conf.py has imported the views already).
            run_locust(web.url, user_class, args, studios, f"{label}-warm-up", seconds=args.warm_up)
            before = _count(table)
            connection.close()
            prefix = run_locust(web.url, user_class, args, studios, label)
            after = _count(table)
            stats = _locust_stats(prefix, name)
            receipts = _receipts(prefix, label)
            stats.update(before=before, after=after, new_rows=after - before, successes=len(receipts["all"]),
                         stored=receipts["stored"], failures_text=_locust_failures(prefix))
            if label == "form":
                opened = _locust_stats(prefix, "GET /s/<code>/ (once per user)")
                stats["form_gets"] = opened["requests"]
                stats["form_get_failures"] = opened["failures"]
            measured[label] = stats
            print(f"  {label}: {stats['successes']} ok, {stats['failures']} failed, {stats['rps']:.1f}/s, "
                  f"p50 {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms, p99 {stats['p99']:.0f} ms; "
                  f"{table}: {before} → {after} (+{after - before})", flush=True)
            if stats["failures_text"]:
                print(f"    failures: {stats['failures_text']}")
    flush_redis(env["CELERY_BROKER_URL"])  # the routing tasks intake queued: background times its own
    floor = measured["floor"]["rps"] or 1.0
    cmd = f"make bench-intake BENCH_DURATION={args.duration} BENCH_USERS={args.users}"
    setup = f"{web.describe()}, {args.users} locust users, {args.duration} s"
    results.add("floor", f"floor: POST /bench/floor/ (one INSERT), {setup}",
                f"{floor:.1f} req/s, p50 {measured['floor']['p50']:.0f} ms, p99 {measured['floor']['p99']:.0f} ms",
                ratio="1.00", command=cmd)
    for label, title in (("form", "intake: studio form POST /s/<code>/"), ("api", "intake: API POST /api/v1/petitions")):
        s = measured[label]
        share = s["rps"] / floor
        accounted = s["new_rows"] == s["successes"] == s["stored"]
        results.add(f"{label}-rps", f"{title}, throughput", f"{s['rps']:.1f} req/s",
                    f"≥ {INTAKE_FLOOR_SHARE:.0%} of the floor", share >= INTAKE_FLOOR_SHARE, f"{share:.2f}", cmd)
        results.add(f"{label}-latency", f"{title}, latency p50 / p95 / p99",
                    f"{s['p50']:.0f} / {s['p95']:.0f} / {s['p99']:.0f} ms", f"p99 < {INTAKE_P99_MS} ms",
                    s["p99"] < INTAKE_P99_MS, command=cmd)
        results.add(f"{label}-errors", f"{title}, errors", f"{s['failures']} of {s['failures'] + s['successes']}"
                    + (f" ({s['failures_text']})" if s["failures_text"] else ""), "0", s["failures"] == 0, command=cmd)
        results.add(f"{label}-rows", f"{title}, petitions before → after",
                    f"{s['before']:,} → {s['after']:,}: +{s['new_rows']:,} rows for {s['successes']:,} successes "
                    f"({s['stored']:,} of their codes found)"
                    + ("" if accounted else " (NOT all accounted for)"), "new rows = successes", accounted,
                    command=cmd)
    results.context["intake"] = setup


# --- pages --------------------------------------------------------------------------------------

def _page_targets() -> list[tuple[str, str, str | None]]:
    """(label, url, username or None): the pages of issue #10, on the loaded data."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from assessment.models import Scorecard
    from assessment.scorecards import period_start_for, scorecards_compute
    from petitions.dashboard.selectors import petition_queue
    from petitions.models import Petition

    user = get_user_model().objects.get(username="daibiao")
    mine = petition_queue(user=user).filter(status__in=["dispatched", "resolved"]).first()
    if mine is None:
        mine = petition_queue(user=user).first()
    tracked = (Petition.objects.filter(tracking_code__startswith="ZZ", status="closed").exclude(citizen_phone="")
               .order_by("-id").first())
    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    if not Scorecard.objects.filter(period="month", period_start=last_month).exists():
        scorecards_compute(period="month", start=last_month)
    if not Scorecard.objects.filter(period="month", period_start=period_start_for("month")).exists():
        scorecards_compute(period="month", start=period_start_for("month"))
    card = (Scorecard.objects.filter(period="month", period_start=last_month, studio__isnull=False)
            .order_by("-received").first())
    studio_code = mine.studio.code if mine else "371526-agri"
    period = f"period=month&start={last_month.isoformat()}"
    del Client
    return [
        ("landing /", "/", None),
        ("studio page and form /s/<code>/", f"/s/{studio_code}/", None),
        ("tracking /track/?code=…&digits=…",
         f"/track/?code={tracked.tracking_code}&digits={tracked.citizen_phone[-4:]}", None),
        ("representative's queue /dashboard/", "/dashboard/", "daibiao"),
        ("petition page /dashboard/p/<code>/", f"/dashboard/p/{mine.tracking_code}/", "daibiao"),
        ("reports: overview /reports/", f"/reports/?{period}", "zuzhibu"),
        ("reports: team /reports/team/", f"/reports/team/?{period}", "zuzhibu"),
        ("reports: position /reports/position/", f"/reports/position/?{period}", "zuzhibu"),
        ("reports: operation /reports/operation/", f"/reports/operation/?{period}", "zuzhibu"),
        ("reports: assessment /reports/assessment/", f"/reports/assessment/?{period}", "zuzhibu"),
        ("reports: a studio's scorecard /reports/scorecards/<pk>/", f"/reports/scorecards/{card.pk}/", "zuzhibu"),
        ("reports: its petitions /reports/scorecards/<pk>/received/", f"/reports/scorecards/{card.pk}/received/",
         "zuzhibu"),
    ]


def _client(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def time_page(client, url: str, n: int) -> tuple[list[float], int, int, float]:
    """n timed views of a page after three untimed ones; also the first of those, timed on its own: with
    the cache emptied first, it is the view that computes a report's shared figures (its snapshot)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        return response

    started = time.perf_counter()
    get()
    first = (time.perf_counter() - started) * 1000
    for _ in range(2):
        get()
    timings = []
    status = 200
    for _ in range(n):
        started = time.perf_counter()
        response = get()
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            status = response.status_code
    with CaptureQueriesContext(connection) as queries:
        get()
    return timings, status, len(queries), first


def pages(args, results: Results) -> None:
    summary = database_summary()
    print(f"pages: {args.requests} requests each, in-process, with {summary['petitions']:,} petitions "
          f"({summary['events']:,} events) in the database", flush=True)
    flush_redis(os.environ["REDIS_URL"])  # the bench's own cache db: every page's first view starts with it empty
    for label, url, username in _page_targets():
        client = _client(username)
        timings, status, queries, first = time_page(client, url, args.requests)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=100, method="inclusive")[94]
        ok = status == 200 and p95 < PAGE_P95_MS
        results.add(f"page {label}", f"page at {summary['petitions'] / 1e6:.2f}M: {label}",
                    f"p95 {p95:.0f} ms (p50 {p50:.0f}, max {max(timings):.0f}; first view {first:.0f}), "
                    f"{queries} queries"
                    + ("" if status == 200 else f", HTTP {status}"),
                    f"p95 < {PAGE_P95_MS} ms", ok, command=f"make bench-pages BENCH_REQUESTS={args.requests}")


def profile(args) -> None:
    """py-spy over one page requested --requests times in a child process; prints the hottest frames."""
    out = VAR / "profile.txt"
    cmd = [str(BENCH_BIN / "py-spy"), "record", "--format", "raw", "-o", str(out), "--rate", "50", "--nonblocking", "--",
           str(PY), str(ROOT / "bench" / "bench_city.py"), "page-loop", args.url, "--user", args.user or "",
           "--requests", str(args.requests)]
    subprocess.run(cmd, cwd=ROOT, check=True)
    inclusive, own, total = {}, {}, 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        count = int(count)
        total += count
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
        own[frames[-1]] = own.get(frames[-1], 0) + count
    print(f"{total} samples; hottest project frames (inclusive):")
    apps = ("petitions/", "offices/", "liaison/", "assessment/", "config/")
    mine = [(c, f) for f, c in inclusive.items() if f.rpartition(" (")[2].startswith(apps)]
    for c, f in sorted(mine, reverse=True)[:25]:
        print(f"  {100 * c / total:5.1f}%  {f}")
    print("hottest frames (own time):")
    for f, c in sorted(own.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {100 * c / total:5.1f}%  {f}")


def page_loop(args) -> None:
    client = _client(args.user or None)
    if args.cold:
        # What computing a report's shared figures costs: the process warmed by one view, then every timed
        # view with the cache emptied first (assessment/reports/snapshots.py).
        from django.core.cache import cache

        client.get(args.url)
        timings = []
        for _ in range(args.requests):
            cache.clear()
            started = time.perf_counter()
            status = client.get(args.url).status_code
            timings.append((time.perf_counter() - started) * 1000)
        print(f"{args.url}: HTTP {status}, {args.requests} views each with the cache emptied: "
              f"median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms")
        return
    timings, status, queries, first = time_page(client, args.url, args.requests)
    print(f"{args.url}: HTTP {status}, p50 {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms, "
          f"first view {first:.0f} ms, {queries} queries")


# --- background ---------------------------------------------------------------------------------

def _load_clock(info: dict) -> datetime:
    return datetime.fromisoformat(info["loaded_at"])


def reset_sweep_state(info: dict) -> None:
    """Back to the load's state before timing the sweep: open petitions blue, and what earlier bench
    sweeps wrote (flag history, FLAG events, red cards, notifications) removed, so every run times the
    same first sweep. Bench database only (the trail's append-only trigger is bypassed for this)."""
    from django.db import connection, transaction

    marks = info.get("marks") or {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("UPDATE petitions_petition SET flag = 'blue' WHERE status IN "
                    "('submitted','accepted','dispatched','resolved','on_hold') AND flag <> 'blue'")
        cur.execute("DELETE FROM petitions_petitionevent WHERE id > %s AND action = 'flag'", [info["max_event_id"]])
        for table, key in (("assessment_redcard", "redcard"),
                           ("assessment_notification", "notification")):
            cur.execute(f"DELETE FROM {table} WHERE id > %s", [marks.get(key, 0)])


def sweep(info: dict, results: Results) -> None:
    from assessment.services import sla_sweep
    from petitions.models import Petition

    reset_sweep_state(info)
    clock = _load_clock(info) + timedelta(minutes=1)
    open_count = Petition.objects.filter(status__in=("submitted", "accepted", "dispatched", "resolved"),
                                         due_at__isnull=False).count()
    timings = {}
    for label, moment in (("first", clock), ("steady", clock + timedelta(minutes=1))):
        started = time.perf_counter()
        counts = sla_sweep(now=moment)
        timings[label] = time.perf_counter() - started
        print(f"  sweep, {label}: {timings[label]:.2f} s  {counts}", flush=True)
    cmd = "make bench-background"
    results.add("sweep-first", f"SLA sweep over {open_count:,} open petitions, first (all blue → many flags change)",
                f"{timings['first']:.2f} s", f"< {SWEEP_SECONDS} s", timings["first"] < SWEEP_SECONDS, command=cmd)
    results.add("sweep-steady", f"SLA sweep over {open_count:,} open petitions, steady state (a minute later)",
                f"{timings['steady']:.2f} s", f"< {SWEEP_SECONDS} s", timings["steady"] < SWEEP_SECONDS, command=cmd)


def routing(args, env: dict, results: Results) -> None:
    """One real Celery worker (--worker-concurrency processes), N petitions waiting: time until every one of them
    is routed, twice on fresh petitions. First with their routing queued as petition_submit queues it
    (routing_queue.queue_routing: one task waits in the broker at a time, petitions/routing_queue.py), then with one
    task per petition queued at once (what the broker held before, and still holds with the embedded broker)."""
    _routing_run(args, env, results, per_petition=False)
    _routing_run(args, env, results, per_petition=True)


def _routing_run(args, env: dict, results: Results, *, per_petition: bool) -> None:
    from django.db import connection
    from django.db.models import Count

    from config.celery_app import app
    from offices.models import Studio
    from petitions.models import Petition
    from petitions.routing_queue import queue_routing
    from petitions.services import petition_submit
    from petitions.tasks import petition_route_task

    n = args.routing
    ids = list(Petition.objects.filter(routed_at__isnull=True).order_by("id").values_list("id", flat=True)[:n])
    if len(ids) < n:
        studios = list(Studio.objects.filter(active=True).order_by("id"))
        texts = ("村里的道路破损坑洼不平，下雨天积水，电动车经常摔倒，希望尽快修一修。",
                 "小区暖气不热，室内只有十几度，老人孩子都冻感冒了，请帮忙协调供热公司。",
                 "手机上被人拉进群做刷单，被骗了好几万元，想问怎么报案，钱还能追回来吗。")
        for i in range(n - len(ids)):
            petition, _created = petition_submit(studio=studios[i % len(studios)], text=texts[i % len(texts)],
                                                 citizen_phone="13812345678")
            ids.append(petition.pk)
    flush_redis(env["CELERY_BROKER_URL"])  # nothing else waits on the bench broker (nor the routing-queued mark)
    connection.close()
    queue = petition_route_task.delay if per_petition else queue_routing
    cmd = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "--pool", "prefork", "--concurrency",
           str(args.worker_concurrency), "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
           "-n", f"bench-{os.getpid()}@%h"]
    with open(VAR / "celery.log", "a") as log:
        worker = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not app.control.ping(timeout=0.5):
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise RuntimeError("the Celery worker did not start (see var/bench/celery.log)")
            started, t0 = time.perf_counter(), time.monotonic()
            for pk in ids:
                queue(pk)
            queued = time.perf_counter() - started
            # Give up when nothing has been routed for 60 s (a task that fails: see var/bench/celery.log).
            done, last_done, last_progress = 0, -1, time.monotonic()
            while done < n:
                done = Petition.objects.filter(id__in=ids, routed_at__isnull=False).count()
                if done != last_done:
                    last_done, last_progress = done, time.monotonic()
                elif time.monotonic() - last_progress > 60:
                    print(f"  routing: stuck at {done}/{n} for 60 s; the worker's errors are in var/bench/celery.log")
                    break
                time.sleep(0.1)
            seconds = (time.perf_counter() - started) if done == n else (last_progress - t0)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
    flush_redis(env["CELERY_BROKER_URL"])  # follow-up tasks (12345 deliveries) are not timed
    rate = done / seconds if seconds > 0 else 0.0
    loops = dict(Petition.objects.filter(id__in=ids).order_by().values_list("loop").annotate(n=Count("id"))
                 .values_list("loop", "n"))
    how = (f"{n} tasks queued at once, one per petition" if per_petition
           else f"{n} petitions queued at once as intake queues them")
    print(f"  routing, {how}: {done}/{n} routed in {seconds:.1f} s (queued in {queued:.2f} s), loops {loops}",
          flush=True)
    results.add("routing-tasks" if per_petition else "routing",
                f"routing: one Celery worker (prefork, concurrency {args.worker_concurrency}), {how}",
                f"{rate:.0f} petitions/s ({done}/{n} in {seconds:.1f} s)",
                f"≥ {ROUTING_PER_SECOND}/s per worker", rate >= ROUTING_PER_SECOND and done == n,
                command=f"make bench-background BENCH_ROUTING={n}")


def hotwords(info: dict, results: Results) -> None:
    """The full refresh, timed as bench/bench_hotwords.py times it (extractor built first, not counted)."""
    from petitions.hotwords import services

    services.current_extractor()
    clock = _load_clock(info)
    started = time.perf_counter()
    result = services.hotwords_refresh(full=True, now=clock, notify=False)
    seconds = time.perf_counter() - started
    print(f"  hot words full refresh: {seconds:.2f} s  {result}", flush=True)
    results.add("hotwords", "hot words: full refresh (extract the horizon, rank every window and scope)",
                f"{seconds:.1f} s ({result.get('extracted', '?')} petitions extracted)", command="make bench-background")


def scorecards(info: dict, results: Results) -> None:
    from assessment.scorecards import scorecards_compute

    loaded = _load_clock(info).date()
    month = (loaded.replace(day=1) - timedelta(days=1)).replace(day=1)
    year = date(loaded.year - 1, 1, 1)
    for key, period, start, target in (("scorecards-month", "month", month, SCORECARDS_MONTH_SECONDS),
                                       ("scorecards-year", "year", year, None)):
        started = time.perf_counter()
        written = scorecards_compute(period=period, start=start)
        seconds = time.perf_counter() - started
        print(f"  scorecards, {period} from {start}: {seconds:.2f} s  {written}", flush=True)
        results.add(key, f"scorecards: every studio and representative, the {period} from {start}",
                    f"{seconds:.1f} s ({sum(written.values()):,} cards)", f"< {target} s" if target else "",
                    (seconds < target) if target else None, command="make bench-background")


BACKGROUND_PARTS = ("sweep", "routing", "hotwords", "scorecards")


def background(args, env: dict, info: dict, results: Results) -> None:
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(BACKGROUND_PARTS)
    if unknown:
        sys.exit(f"unknown --parts {sorted(unknown)}: choose from {', '.join(BACKGROUND_PARTS)}")
    print("background:", flush=True)
    if "sweep" in parts:
        sweep(info, results)
    if "routing" in parts:
        routing(args, env, results)
    if "hotwords" in parts:
        hotwords(info, results)
    if "scorecards" in parts:
        scorecards(info, results)


# --- main ---------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["all", "load", "intake", "pages", "background", "profile", "page-loop"])
    parser.add_argument("url", nargs="?", help="profile / page-loop: the page")
    parser.add_argument("--petitions", type=int, default=int(os.environ.get("BENCH_PETITIONS", 1_000_000)))
    parser.add_argument("--open", type=int, default=int(os.environ.get("BENCH_OPEN", 200_000)))
    parser.add_argument("--reload", action="store_true", help="drop the bench database and load it again")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per intake phase")
    parser.add_argument("--users", type=int, default=4,
                        help="concurrent locust users per intake phase (default: as many as sync workers)")
    parser.add_argument("--warm-up", type=int, default=5, help="untimed seconds of each intake phase first")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--routing", type=int, default=2000, help="routing tasks queued at once")
    parser.add_argument("--worker-concurrency", type=int, default=1, help="processes of the Celery worker")
    parser.add_argument("--parts", default=",".join(BACKGROUND_PARTS),
                        help="background: which of sweep,routing,hotwords,scorecards (default all)")
    parser.add_argument("--user", default="", help="profile / page-loop: log in as this user")
    parser.add_argument("--cold", action="store_true", help="page-loop: empty the cache before every timed view")
    args = parser.parse_args()
    args.open = min(args.open, args.petitions)

    env = configure_environment()
    results = Results()
    if args.step in ("profile", "page-loop"):
        import django

        django.setup()
        collectstatic()  # the production settings' manifest storage: pages fail without it
        (profile if args.step == "profile" else page_loop)(args)
        return
    setup_django(args, reload=args.reload)
    info = ensure_loaded(args, results)
    if "marks" not in info:
        from bench.city_data import meta_set

        info["marks"] = {t: _max(t) for t in ("redcard", "notification")}
        meta_set("load", info)
    if args.step in ("intake", "all"):
        intake(args, env, results)
    if args.step in ("pages", "all"):
        pages(args, results)
    if args.step in ("background", "all"):
        background(args, env, info, results)
    summary = database_summary()
    import django

    meta = {
        # The load at the end is mostly the benchmark's own (locust, gunicorn, the worker); only the load at the
        # start says whether other work, or a run just before this one (a 1-minute average), was on the cores.
        "machine": (f"{os.cpu_count()} cores; PostgreSQL, Redis, gunicorn and locust on the same machine; load "
                    f"average (1 min) at the start of this command {LOAD_AT_START[0]:.1f}, at its end "
                    f"{os.getloadavg()[0]:.1f}"
                    + (" (above the core count at the start: other work, or a benchmark just before, was still on "
                       "the cores, and the figures may be slower than on a quiet machine)"
                       if LOAD_AT_START[0] > (os.cpu_count() or 1) else "")),
        "data": (f"{summary['petitions']:,} petitions ({summary['open']:,} open), {summary['events']:,} events, "
                 f"{summary['representatives']:,} representatives, {summary['studios']} studios; database "
                 f"{summary['size']}; loaded {info['loaded_at'][:16]} in {info['seconds']} s"),
        "settings": "bench.settings (config.settings.production, DEBUG off; rate limits off; floor URL)",
        "software": f"Django {django.get_version()}, Python {sys.version.split()[0]}",
    }
    if "intake" in results.context:
        meta["intake"] = results.context["intake"]
    meta["method"] = (
        "intake: locust headless (FastHttpUser, no think time) against gunicorn on loopback, one phase after the "
        f"other ({args.warm_up} s untimed warm-up each): the floor, the studio form (GET once per user for the CSRF "
        "cookie and token, then multipart POSTs with a fresh idempotency key; 302 to the success page = success), "
        "the API (JSON POST, 201 = success); successes checked against the tracking codes they returned and the "
        "rows added; no Celery worker during intake (routing tasks wait in the broker). Rate limits off only in "
        "bench/settings.py (RATELIMIT_ENABLE = False, DRF throttle rates None). Pages: in-process Django test "
        "client, same settings, the cache emptied first, then per page: the first view timed on its own, 2 "
        "untimed, N timed; queries of one request counted with CaptureQueriesContext; report "
        "pages for the last full month. Sweep and hot words run at the load's clock (reproducible whatever the "
        "date); the sweep starts from all open petitions blue, its earlier output removed.")
    results.write(meta)


def _max(model: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM assessment_{model}")
        return cur.fetchone()[0]


if __name__ == "__main__":
    main()
