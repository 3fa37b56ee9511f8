"""One routing task waiting in the broker at a time: a petition queues a task only if none is queued and not started.

Under a burst, a task per petition was mostly tasks finding their petition routed by the task before them (a
task routes up to ROUTING_BATCH petitions waiting, services_routing.petitions_route_waiting), and each of those
still cost a broker message, a hand-off to a worker process and an acknowledgement: a third of a worker's time at
2,000 petitions queued at once. Now the first petition of a burst queues the task; those committed before it
starts find the mark and queue nothing, since it will take them; the task clears the mark as it starts, so a
petition committed after that queues the next one; and a task that routed a full batch queues the next itself.

The mark is a Redis key next to the broker's queues (SET NX with an expiry), so it exists only with a Redis
broker; with the embedded broker every petition queues its task, as before. It expires after
ROUTING_QUEUED_SECONDS: a task lost with its broker holds back new tasks no longer than that, and the unrouted
sweep routes what waited (nothing a citizen submitted is lost). Queued in a burst with no worker running, the
broker holds one task per ROUTING_QUEUED_SECONDS instead of one per petition.
"""
from __future__ import annotations

import logging
import threading

from django.conf import settings

logger = logging.getLogger(__name__)
_clients: dict[str, object] = {}
_lock = threading.Lock()


def _client():
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    with _lock:
        if url not in _clients:
            import redis

            _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        return _clients[url]


def _key() -> str:
    return f"servicedesk:routing-queued:{getattr(settings, 'CELERY_TASK_DEFAULT_QUEUE', 'celery')}"


def queue_routing(petition_id: int | None) -> None:
    """Hand the petition to the router: queue a routing task, unless one is queued that has not started and will
    take this petition with the others waiting. A dead broker must not fail the citizen's request: the petition
    is committed, and the unrouted sweep picks it up once the broker is back."""
    try:
        from .tasks import petition_route_task  # tasks imports this module

        if routing_task_wanted():
            petition_route_task.delay(petition_id)
    except Exception:  # kombu raises several unrelated types for a dead broker
        logger.warning("broker unavailable; petition %s waits for the unrouted sweep", petition_id, exc_info=True)


def routing_task_wanted() -> bool:
    """Whether the caller should queue a routing task (and the mark is now set for it): no routing task is queued
    that has not started. Without a Redis broker, always. Raises what Redis raises if it is down (as publishing
    would)."""
    client = _client()
    if client is None:
        return True
    return bool(client.set(_key(), "1", nx=True, ex=settings.ROUTING_QUEUED_SECONDS))


def routing_task_started() -> None:
    """A routing task starts: petitions committed from now on are not its to take for sure, and queue the next."""
    client = _client()
    if client is None:
        return
    try:
        client.delete(_key())
    except Exception:  # the mark expires by itself; routing goes on
        logger.warning("could not clear the routing-queued mark; it expires in %ss", settings.ROUTING_QUEUED_SECONDS,
                       exc_info=True)
