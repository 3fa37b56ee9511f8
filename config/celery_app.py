import os
from pathlib import Path

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(lambda: ["config", "offices", "liaison", "petitions", "assessment"])


def _ensure_broker_folders():
    # kombu's filesystem transport expects its folders to exist already.
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)
    backend = settings.CELERY_RESULT_BACKEND
    if backend.startswith("file://"):
        Path(backend[len("file://"):]).mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(lambda sender, **kw: _ensure_broker_folders(), weak=False)


@task_prerun.connect(weak=False)
@task_postrun.connect(weak=False)
def _close_old_connections(task=None, **kwargs):
    # What Django does around each request: drop a connection that failed (a database restart) or outlived
    # CONN_MAX_AGE, and keep the others (settings: CELERY_DB_REUSE_MAX). Not for a task run eagerly, inside
    # its caller's transaction (as Celery's own fix-up).
    if getattr(getattr(task, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
