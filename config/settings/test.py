"""Settings for `make test`: the same services as configured, but fast hashing and a private broker folder."""
import os

from .base import *  # noqa: F401,F403
from .base import BROKER_DIR, CELERY_BROKER_URL, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _test_broker = BROKER_DIR.parent / f"test-broker-{os.getpid()}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_test_broker / "queue"),
        "data_folder_out": str(_test_broker / "queue"),
        "control_folder": str(_test_broker / "control"),
        "polling_interval": 0.1,
    }
