"""The database and broker follow the environment: SQLite and the filesystem broker when nothing is set."""
import json
import os
import subprocess
import sys

from django.db import connection

from tests.conftest import ROOT

PROBE = (
    "import django, json; django.setup(); from django.conf import settings; from django.db import connection;"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST', ''),"
    " 'health': db.get('CONN_HEALTH_CHECKS'), 'options': {k: str(v) for k, v in db.get('OPTIONS', {}).items()},"
    " 'broker': settings.CELERY_BROKER_URL, 'tz': settings.TIME_ZONE, 'lang': settings.LANGUAGE_CODE}))"
)


def probe(**env_overrides):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "TEST_BROKER_DIR", "VAR_DIR")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", **env_overrides)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_nothing_set_means_sqlite_in_wal_mode_and_the_filesystem_broker(tmp_path):
    found = probe(VAR_DIR=str(tmp_path))
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in found["options"]["init_command"]
    assert found["options"]["transaction_mode"] == "IMMEDIATE"
    assert found["broker"] == "filesystem://"
    assert (found["tz"], found["lang"]) == ("Asia/Shanghai", "zh-hans")


def test_database_url_means_postgresql_with_health_checks():
    found = probe(DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert found["engine"] == "django.db.backends.postgresql"
    assert (found["name"], found["host"]) == ("portal", "127.0.0.1")
    assert found["health"] is True
    assert found["broker"] == "redis://127.0.0.1:6379/0"


def test_this_run_uses_the_database_the_environment_names(db):
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    if expected == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
