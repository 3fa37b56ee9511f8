"""Private servers and portal processes for the fault tests.

Every fault test breaks something on purpose, so nothing here touches the machine's shared PostgreSQL
or Redis: each session gets its own PostgreSQL cluster (initdb into a temporary folder, a free
loopback port) and its own redis-server, which the tests stop, freeze and restart at will. The portal
runs as real subprocesses (gunicorn, Celery worker, beat, `python -c` snippets) pointed at them.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and the server refuse to run as root; CI runs the tests as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.proc = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(self.answers, timeout=10), "private redis did not start"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def freeze(self):
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.proc.send_signal(signal.SIGCONT)


class PrivatePostgres:
    def __init__(self):
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.base.chmod(0o755)
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def _run(self, *cmd, check=True):
        return subprocess.run(_as_postgres([str(c) for c in cmd]), check=check, capture_output=True, text=True,
                              cwd=self.base)

    def init(self):
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self.start()
        self._run(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "portal")

    def _ctl(self, action, *extra):
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        return self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "30",
                         *extra, action)

    def start(self):
        self._ctl("start")

    def stop(self):
        self._ctl("stop", "-m", "fast")

    def psql(self, sql: str) -> str:
        return self._run(PG_BIN / "psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-d", "portal",
                         "-At", "-c", sql).stdout.strip()

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read the portal's tables directly (fast: no Django start-up), in autocommit."""
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="portal")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()

    def destroy(self):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.base, ignore_errors=True)


class Portal:
    """The portal's processes on the private servers."""

    def __init__(self, pg: PrivatePostgres, redis: PrivateRedis, settings="config.settings.test", **env):
        self.pg, self.redis = pg, redis
        self.var = Path(tempfile.mkdtemp(prefix="faults-var-"))
        self.env = dict(os.environ)
        for key in ("TEST_BROKER_DIR", "PYTEST_CURRENT_TEST"):
            self.env.pop(key, None)
        self.env.update(DJANGO_SETTINGS_MODULE=settings, DATABASE_URL=pg.url, CELERY_BROKER_URL=redis.url(1),
                        REDIS_URL=redis.url(2), VAR_DIR=str(self.var), TEST_CELERY_QUEUE="faults",
                        SUBMIT_RATE_LIMIT="100000/h", TRACK_RATE_LIMIT="100000/h", API_ANON_RATE="100000/min",
                        PYTHONUNBUFFERED="1", HOTLINE_URL="http://127.0.0.1:9/none", **env)
        self.procs: list[subprocess.Popen] = []

    # --- one-off commands ------------------------------------------------------------------------
    def manage(self, *args, timeout=300) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def django(self, code: str, timeout=120):
        """Run Python with Django set up against the private servers; returns what `result` holds, via JSON."""
        program = ("import django, json\ndjango.setup()\nresult = None\n" + code +
                   "\nprint('@@RESULT@@' + json.dumps(result, default=str))\n")
        proc = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        assert proc.returncode == 0, f"snippet failed:\n{proc.stdout}\n{proc.stderr}"
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@RESULT@@")][-1]
        return json.loads(line[len("@@RESULT@@"):])

    # --- long-running processes --------------------------------------------------------------------
    def _spawn(self, args, log_name) -> subprocess.Popen:
        log = self.var / log_name
        out = open(log, "ab")
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        proc.log_path = log
        self.procs.append(proc)
        return proc

    def worker(self, name="w1") -> subprocess.Popen:
        proc = self._spawn([sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1",
                            "--without-mingle", "--without-gossip", "--loglevel", "INFO", "-n", f"{name}@faults"],
                           f"worker-{name}.log")
        assert wait_for(lambda: "ready." in proc.log_path.read_text() or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, proc.log_path.read_text()
        return proc

    def beat(self) -> subprocess.Popen:
        return self._spawn([sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                            "-s", str(self.var / "celerybeat-schedule")], "beat.log")

    def web(self) -> str:
        port = free_port()
        proc = self._spawn([sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
                            "--timeout", "60", "--graceful-timeout", "5"], "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: status_of(base + "/healthz") in (200, 503) or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, proc.log_path.read_text()
        self.base_url = base
        return base

    def kill(self, proc, sig=signal.SIGKILL):
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=30)

    def close(self):
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=10)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        if not os.environ.get("FAULTS_KEEP_LOGS"):
            shutil.rmtree(self.var, ignore_errors=True)


def status_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


class Browser:
    """A citizen's browser over real HTTP: cookies, the CSRF token from the page, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path, data=None, headers=None, timeout=30):
        from urllib.parse import urlencode

        body = urlencode(data, doseq=True).encode() if isinstance(data, dict) else data
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path,
                                                                            **(headers or {})})
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def form_fields(self, html: str) -> dict:
        import re

        fields = {}
        for name in ("csrfmiddlewaretoken", "idempotency_key"):
            match = re.search(rf'name="{name}" value="([^"]+)"', html)
            if match:
                fields[name] = match.group(1)
        return fields

    def submit(self, studio_code: str, category: int, text: str, phone="13800138000"):
        """Open the studio page and send the request form; returns (status, Location or body)."""
        status, _headers, html = self.request(f"/s/{studio_code}/")
        assert status == 200, (status, html[:500])
        fields = {**self.form_fields(html), "category": category, "text": text, "citizen_name": "王小明",
                  "citizen_phone": phone, "consent": "on"}
        status, headers, body = self.request(f"/s/{studio_code}/", data=fields)
        return status, headers.get("Location", body)
