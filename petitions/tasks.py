"""Celery tasks of petitions: thin, take ids, re-read, call a service; safe to run twice (acks are late).

Retries here are short (seconds) and few: anything longer is the beat sweeps' job, which re-derive
the work from the database (routed_at is null; a delivery is due), so no long countdown or ETA ever
sits on the broker.
"""
from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .hotline.outbox import hotline_delivery_attempt, hotline_outbox_sweep
from .routing_queue import queue_routing, routing_task_started
from .services_routing import petitions_route_sweep, petitions_route_waiting


@shared_task(name="petitions.tasks.petition_route_task", autoretry_for=(OperationalError,), retry_backoff=2,
             retry_backoff_max=30, max_retries=3)
def petition_route_task(petition_id: int | None = None) -> str:
    """Route a petition into its loop after the submitting transaction committed (petition_submit queues it),
    together with other petitions waiting (settings.ROUTING_BATCH in all); without a petition, those waiting.
    Under a burst one task is queued at a time (routing_queue.py): it takes the petitions committed before it
    started, and queues the next task itself when it routed a full batch."""
    routing_task_started()
    decisions = petitions_route_waiting(petition_id=petition_id)
    if petition_id is not None and decisions == {petition_id: None}:
        # Routed already, with others, by an earlier task: the petitions waiting now may have queued no task of
        # their own (this one was queued when they were committed), so they are this task's.
        decisions = {petition_id: None, **petitions_route_waiting()}
    if len(decisions) >= settings.ROUTING_BATCH:
        queue_routing(None)  # more may be waiting: the next batch
    if petition_id is None:
        return f"{sum(1 for d in decisions.values() if d)} routed"
    decision = decisions.get(petition_id)
    return f"loop {decision.loop}: {decision.reason}" if decision else "already routed"


@shared_task(name="petitions.tasks.petition_route_sweep_task")
def petition_route_sweep_task() -> int:
    """Beat, every minute: queue routing for petitions never routed (broker down at submit, worker killed)."""
    return petitions_route_sweep()


@shared_task(name="petitions.tasks.hotline_deliver_task")
def hotline_deliver_task(delivery_id: int) -> str:
    """One attempt at one 12345 delivery, if it is due; failures are rescheduled in the database."""
    reply = hotline_delivery_attempt(delivery_id=delivery_id)
    return "not due" if reply is None else f"HTTP {reply.status}"


@shared_task(name="petitions.tasks.hotline_outbox_sweep_task")
def hotline_outbox_sweep_task() -> int:
    """Beat: queue every 12345 delivery whose next attempt is due."""
    return hotline_outbox_sweep()


@shared_task(name="petitions.tasks.petitions_close_unrated_task")
def petitions_close_unrated_task() -> int:
    """Close as "not rated" what citizens left unrated past the rating window."""
    from .services import petitions_close_unrated

    return petitions_close_unrated()


@shared_task(name="petitions.tasks.hotwords_refresh_task")
def hotwords_refresh_task(full: bool = False) -> str:
    """Beat, every 10 minutes: extract the petitions not yet extracted, re-rank hot words, notify."""
    from .hotwords.services import hotwords_refresh

    result = hotwords_refresh(full=full)
    return f"{result['extracted']} extracted, {result['hot_words']} hot words, {result['notified']} notified"


@shared_task(name="petitions.tasks.petitions_vacuum_task")
def petitions_vacuum_task() -> bool:
    """Beat: keep the reports' index-only reads of petitions off the table (petitions/maintenance.py)."""
    from .maintenance import petitions_vacuum

    return petitions_vacuum()
