"""A real worker process takes a task from the configured broker and answers it."""
import os

import pytest
from django.conf import settings

from config.tasks import ping


@pytest.mark.worker
def test_task_round_trip_through_a_real_worker(celery_worker_process, transactional_db):
    result = ping.delay("hello")
    assert result.get(timeout=30) == "pong:hello"


def test_broker_follows_the_environment():
    expected = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
    assert settings.CELERY_BROKER_URL == expected


def test_tasks_are_acknowledged_late_and_rejected_on_worker_loss():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
