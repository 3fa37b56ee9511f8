"""Beat's schedule (config/schedule.py) names only tasks a worker knows, and runs the nothing-lost sweeps."""
from datetime import timedelta

from config.celery_app import app
from config.schedule import BEAT_SCHEDULE


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    unknown = {entry["task"] for entry in BEAT_SCHEDULE.values()} - set(app.tasks)
    assert not unknown, f"beat would send tasks no worker knows: {unknown}"


def test_unrouted_petitions_and_due_12345_deliveries_are_swept_at_least_every_minute():
    by_task = {entry["task"]: entry["schedule"] for entry in BEAT_SCHEDULE.values()}
    assert by_task["petitions.tasks.petition_route_sweep_task"] <= timedelta(minutes=1)
    assert by_task["petitions.tasks.hotline_outbox_sweep_task"] <= timedelta(minutes=1)
