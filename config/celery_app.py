import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

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


@worker_init.connect(weak=False)
def _warm_up_routing(**kwargs):
    # Routing's dictionaries are loaded once here, in the worker's main process before the pool forks: every
    # child starts with them (shared copy-on-write) instead of each loading its own on its first petition. A
    # database not ready yet (migrations still running) only means the first petition loads them.
    from django.db import connections

    try:
        from petitions.services_routing import routing_warm_up

        routing_warm_up()
    except Exception:
        logging.getLogger(__name__).warning("routing's dictionaries will load with the first petition", exc_info=True)
    finally:
        connections.close_all()  # never hand a connection across fork
