import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _database_url_for_subprocess() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    auth = f"{user}:{db['PASSWORD']}@" if db.get("PASSWORD") else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker):
    """The environment a subprocess needs to work on the test database and the test broker."""
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=_database_url_for_subprocess(),
               CELERY_BROKER_URL=settings.CELERY_BROKER_URL, PYTHONUNBUFFERED="1",
               TEST_CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE)
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        env["TEST_BROKER_DIR"] = str(Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent)
    return env


@pytest.fixture(scope="session")
def celery_worker_process(worker_env, tmp_path_factory):
    """A real Celery worker, in its own process, consuming from the configured broker.

    Tests that use it need `transactional_db`, so that what they write is committed and visible
    to the worker.
    """
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1",
             "--without-mingle", "--without-gossip", "--loglevel", "INFO", "-n", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=worker_env, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{log.read_text()}")
        if "ready." in log.read_text():
            break
        time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError(f"worker did not become ready:\n{log.read_text()}")
    proc.log_path = log
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(autouse=True)
def _forget_routing_state():
    # Routing remembers, per process, the petitions it routed (services_routing.ROUTED_HERE), and with a Redis
    # broker marks a routing task queued (routing_queue.py); intake keeps studios' rows a few seconds
    # (offices.selectors.studio_for_intake). Each test has its own database, whose ids may start over (and whose
    # rollback sends no signal), and its petitions queue their own task.
    from offices.selectors import reset_studio_cache
    from petitions import routing_queue
    from petitions.services_routing import ROUTED_HERE

    routing_queue.routing_task_started()
    reset_studio_cache()
    yield
    ROUTED_HERE.clear()
    reset_studio_cache()
    routing_queue.routing_task_started()


def wait_for(predicate, timeout=20.0, interval=0.1):
    """Poll until predicate() is truthy; returns its last value. For waiting on a real worker."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def pytest_sessionfinish(session, exitstatus):
    folder = os.environ.get("TEST_BROKER_DIR")
    if folder and Path(folder).name.startswith("test-broker-"):
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (the trail trigger, SKIP LOCKED) belong to the PostgreSQL pass of CI; on the
    embedded default they are deselected, and the run says so, rather than skipped."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgresql_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionstart(session):
    # Celery reads its broker from the settings once, when a task is first published, and keeps it. Read it now:
    # a test that points CELERY_BROKER_URL elsewhere for the code under test (a dead port, a server of its own)
    # must not, by happening to publish first, send every later test's tasks there.
    from config.celery_app import app

    app.conf.broker_url  # noqa: B018
