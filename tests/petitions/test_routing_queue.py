"""One routing task waiting in the broker at a time (petitions/routing_queue.py), on a real Redis server of the
test's own: a burst of petitions queues one task, the task's start lets the next petition queue another, a lost
task holds nothing back for long, and a task takes every petition waiting, its own routed or not."""
import time

import pytest

from petitions import routing_queue
from petitions.models import Petition, PetitionEvent
from petitions.routing_queue import queue_routing
from petitions.services import petition_submit
from petitions.tasks import petition_route_task
from tests.faults.cluster import PrivateRedis

from .conftest import TEXTS

A = PetitionEvent.Action


@pytest.fixture(scope="module")
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_mark(private_redis, settings, monkeypatch):
    """The mark on the test's own Redis (what a redis:// broker gives it); publishing stays the suite's broker's.

    The client is handed in, not the broker URL changed: Celery reads its broker from the settings once, when a
    test first publishes, and a test here must not be the one that points every later test's tasks at this
    server (stopped when the module ends)."""
    settings.ROUTING_QUEUED_SECONDS = 30
    import redis

    client = redis.Redis.from_url(private_redis.url(3))
    client.flushdb()
    monkeypatch.setattr(routing_queue, "_client", lambda: client)
    return client


def test_a_burst_wants_one_task_until_it_starts(redis_mark):
    assert routing_queue.routing_task_wanted() is True  # the first petition queues the task
    assert [routing_queue.routing_task_wanted() for _ in range(5)] == [False] * 5  # the others: it will take them
    routing_queue.routing_task_started()
    assert routing_queue.routing_task_wanted() is True  # committed after it started: the next task
    assert routing_queue.routing_task_wanted() is False


def test_a_lost_task_holds_back_new_ones_only_until_its_mark_expires(redis_mark, settings):
    settings.ROUTING_QUEUED_SECONDS = 1
    assert routing_queue.routing_task_wanted() is True
    assert routing_queue.routing_task_wanted() is False
    time.sleep(1.2)  # the task was lost with its broker and never started
    assert routing_queue.routing_task_wanted() is True


def test_each_queue_has_its_own_mark(redis_mark, settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = "one"
    assert routing_queue.routing_task_wanted() is True
    settings.CELERY_TASK_DEFAULT_QUEUE = "other"
    assert routing_queue.routing_task_wanted() is True


def test_without_a_redis_broker_every_petition_queues_its_task(settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    assert [routing_queue.routing_task_wanted() for _ in range(3)] == [True] * 3


def test_a_dead_broker_fails_no_submission(county_world, settings, caplog, django_capture_on_commit_callbacks):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with django_capture_on_commit_callbacks(execute=True):
        petition, created = petition_submit(studio=county_world.agri, text=TEXTS["agri"])
    assert created and Petition.objects.get(pk=petition.pk).routed_at is None  # stored; the sweep routes it
    assert f"petition {petition.pk} waits for the unrouted sweep" in caplog.text


def test_a_task_takes_the_petitions_waiting_even_when_its_own_was_routed(county_world, redis_mark):
    w = county_world
    first = petition_submit(studio=w.agri, text=TEXTS["agri"])[0]
    petition_route_task.apply(args=[first.pk])
    # Committed while a task was queued: they queued none of their own.
    later = [petition_submit(studio=w.agri, text=TEXTS["agri"])[0] for _ in range(3)]
    assert routing_queue.routing_task_wanted() is True
    assert petition_route_task.apply(args=[first.pk]).get() == "already routed"
    assert not Petition.objects.filter(pk__in=[p.pk for p in later], routed_at__isnull=True).exists()
    assert all(list(p.events.values_list("action", flat=True))[:2] == [A.SUBMIT, A.ROUTE] for p in later)
    assert routing_queue.routing_task_wanted() is True  # the task's start cleared the mark


def test_a_task_that_routed_a_full_batch_queues_the_next(county_world, redis_mark, settings):
    settings.ROUTING_BATCH = 2
    w = county_world
    petitions = [petition_submit(studio=w.agri, text=TEXTS["agri"])[0] for _ in range(3)]
    redis_mark.flushdb()
    assert petition_route_task.apply(args=[petitions[0].pk]).get().startswith("loop 1")
    assert Petition.objects.filter(routed_at__isnull=True).count() == 1  # two routed, one left for the next task
    assert redis_mark.exists(routing_queue._key())  # ... which is queued, so the next petition queues none
    assert routing_queue.routing_task_wanted() is False
    assert petition_route_task.apply().get() == "1 routed"
    assert not Petition.objects.filter(routed_at__isnull=True).exists()


def test_queueing_routing_never_raises(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    queue_routing(None)  # logged; nothing to route is lost: the sweep finds what waits
