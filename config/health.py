"""/healthz: is the database answering, and can a message be handed to the broker?

/healthz?deep=1 also reports how long ago a worker last ran the heartbeat that beat sends through the
broker every 30 seconds: a worker process that is up but consumes nothing shows as stale, with a 503.
"""
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from config.celery_app import app

HEARTBEAT_KEY = "health:worker-heartbeat"
HEARTBEAT_MAX_AGE = getattr(settings, "HEALTH_WORKER_MAX_AGE", 120)


def _shared_cache() -> bool:
    # A per-process cache cannot carry the worker's heartbeat to the web server: use a file then.
    return "LocMemCache" not in settings.CACHES["default"]["BACKEND"]


def _heartbeat_file() -> Path:
    return Path(settings.VAR_DIR) / "worker-heartbeat"


def heartbeat_record(now: float | None = None) -> None:
    now = time.time() if now is None else now
    if _shared_cache():
        cache.set(HEARTBEAT_KEY, now, timeout=None)
    else:
        _heartbeat_file().parent.mkdir(parents=True, exist_ok=True)
        _heartbeat_file().write_text(str(now))


def heartbeat_age() -> float | None:
    """Seconds since a worker last ran the heartbeat task, or None if none ever did."""
    try:
        if _shared_cache():
            value = cache.get(HEARTBEAT_KEY)
        else:
            value = float(_heartbeat_file().read_text()) if _heartbeat_file().exists() else None
    except Exception:
        return None
    return None if value is None else max(0.0, time.time() - float(value))


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any driver error means "down" to an operator
        return f"down: {exc.__class__.__name__}"


def broker_status() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return "ok"
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"


def worker_status() -> str:
    age = heartbeat_age()
    if age is None:
        return "stale: no heartbeat yet"
    return "ok" if age <= HEARTBEAT_MAX_AGE else f"stale: last heartbeat {int(age)}s ago"


def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    if request.GET.get("deep"):
        checks["worker"] = worker_status()
        age = heartbeat_age()
        checks["worker_heartbeat_age"] = None if age is None else round(age, 1)
    healthy = all(value == "ok" for key, value in checks.items() if key != "worker_heartbeat_age")
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
