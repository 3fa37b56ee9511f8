"""Settings for `make test`: the same services as configured, but fast hashing and a private broker folder."""
import os
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import BROKER_DIR, CELERY_BROKER_URL, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
DOWNLOADS_ROOT = VAR_DIR / "test-downloads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Exported, so that a worker the tests start as a subprocess reads the same folder.
    _test_broker = Path(os.environ.setdefault("TEST_BROKER_DIR", str(BROKER_DIR.parent / f"test-broker-{os.getpid()}")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_test_broker / "queue"),
        "data_folder_out": str(_test_broker / "queue"),
        "control_folder": str(_test_broker / "control"),
        "polling_interval": 0.1,
    }

# A queue of this test session's own, so that a worker never picks up another run's leftovers.
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("TEST_CELERY_QUEUE", f"test-{os.getpid()}")

# Tests change the data between two views of a report; the shared snapshot is tested on its own
# (tests/assessment/test_report_snapshots.py), with the setting turned on there.
REPORTS_SNAPSHOT_SECONDS = 0
