"""The outbox to 12345: forwarding writes a row in the petition's transaction; delivery happens after.

Exactly once from the hotline's side: every retry of a delivery sends the same bytes under the same
Idempotency-Key, and the hotline answers a key it has seen with 200 instead of creating a second case.
At most one attempt runs at a time: an attempt first *claims* the row (attempts + 1, next_attempt_at
pushed out by the backoff) in a short transaction, then posts outside any transaction. If the process
dies during the POST, the row is simply due again after the backoff. Retries are scheduled here in the
database and picked up by the beat sweep, never as countdowns on the broker.
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import HotlineDelivery, Petition, PetitionEvent
from ..services import petition_transition
from ..workflow import TransitionNotAllowed
from .client import Reply, post_signed

logger = logging.getLogger(__name__)
A = PetitionEvent.Action


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped (defaults; both ends are settings)."""
    seconds = settings.HOTLINE_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.HOTLINE_RETRY_MAX_SECONDS))


def payload_for(petition: Petition, key: str) -> dict:
    """What 12345 needs to take the case over, frozen at forwarding time. The hotline handles it, so it
    gets the citizen's contact details unmasked (it must call the citizen)."""
    studio = petition.studio
    return {
        "reference": petition.tracking_code,
        "delivery": key,
        "submitted_at": petition.submitted_at.isoformat(),
        "text": petition.text,
        "sector": petition.sector.code if petition.sector_id else "",
        "category": petition.category.code if petition.category_id else "",
        "region": {"code": petition.region.code, "name": petition.region.name} if petition.region_id else None,
        "address": petition.address,
        "citizen": {"name": petition.citizen_name, "phone": petition.citizen_phone},
        "studio": {"code": studio.code, "name": studio.name, "phone": studio.phone},
    }


def _queue_delivery(delivery_id: int) -> None:
    try:
        from ..tasks import hotline_deliver_task

        hotline_deliver_task.delay(delivery_id)
    except Exception:  # a dead broker: the beat sweep delivers it once the broker is back
        logger.warning("broker unavailable; 12345 delivery %s waits for the outbox sweep", delivery_id, exc_info=True)


def hotline_forward(*, petition_id: int, actor=None, actor_label: str = "system", note: str = "",
                    targets: dict | None = None) -> HotlineDelivery:
    """Forward a dispatched petition to 12345: the outbox row and the HOTLINE event, in the caller's transaction.

    Idempotent: a petition with a delivery still pending gets that one back, not a second. `targets`
    (loop, department, representative) are set by the HOTLINE transition itself when routing did not
    dispatch separately.
    """
    with transaction.atomic():
        petition = (Petition.objects.select_for_update(of=("self",))
                    .select_related("studio", "sector", "category", "region").get(pk=petition_id))
        pending = HotlineDelivery.objects.filter(petition=petition, delivered_at__isnull=True,
                                                 cancelled_at__isnull=True).first()
        if pending is not None:
            return pending
        key = uuid.uuid4().hex
        delivery = HotlineDelivery.objects.create(petition=petition, idempotency_key=key,
                                                  payload=payload_for(petition, key))
        petition_transition(petition_id=petition_id, action=A.HOTLINE, actor=actor, actor_label=actor_label,
                            note=note or str(_("Forwarded to the 12345 citizen hotline.")),
                            data={"delivery": key, "step": "forwarded"}, **(targets or {}))
        transaction.on_commit(lambda: _queue_delivery(delivery.pk))
    return delivery


def _claim(delivery_id: int, now) -> HotlineDelivery | None:
    with transaction.atomic():
        delivery = (HotlineDelivery.objects.select_for_update(skip_locked=True)
                    .filter(pk=delivery_id, delivered_at__isnull=True, cancelled_at__isnull=True,
                            next_attempt_at__lte=now).first())
        if delivery is None:
            return None  # delivered, cancelled, not due, or another worker holds it
        delivery.attempts += 1
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        return delivery


def hotline_delivery_attempt(*, delivery_id: int, now=None) -> Reply | None:
    """Try one delivery if it is due. Returns the hotline's reply, or None when there was nothing to do."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    reply = post_signed(settings.HOTLINE_URL, delivery.payload, secret=settings.HOTLINE_SECRET,
                        timeout=settings.HOTLINE_TIMEOUT_SECONDS, idempotency_key=delivery.idempotency_key)
    if reply.ok:
        _record_delivered(delivery, reply)
    else:
        error = reply.error or f"HTTP {reply.status}"
        detail = reply.body.get("message") or reply.body.get("raw") or ""
        HotlineDelivery.objects.filter(pk=delivery.pk).update(
            last_status_code=reply.status or None, last_error=f"{error} {detail}".strip()[:1000])
        logger.warning("12345 delivery %s attempt %s failed: %s; next at %s", delivery.idempotency_key,
                       delivery.attempts, error, delivery.next_attempt_at)
    return reply


def _record_delivered(delivery: HotlineDelivery, reply: Reply) -> None:
    with transaction.atomic():
        ref = str(reply.body.get("id") or "")[:64]
        updated = HotlineDelivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now(), last_status_code=reply.status, last_error="", hotline_ref=ref)
        if not updated:
            return  # a callback proved the delivery first
        try:
            note = _("Delivered to the 12345 hotline (reference %(ref)s).") % {"ref": ref or "-"}
            petition_transition(petition_id=delivery.petition_id, action=A.NOTE, actor_label="system", note=str(note),
                                data={"delivery": delivery.idempotency_key, "step": "delivered", "hotline_ref": ref})
        except TransitionNotAllowed:
            pass  # the petition was closed meanwhile: the delivery row is the record


def hotline_outbox_due(*, now=None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(HotlineDelivery.objects.filter(delivered_at__isnull=True, cancelled_at__isnull=True,
                                               next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("id", flat=True)[:limit])


def hotline_outbox_sweep(*, now=None, limit: int = 200, inline: bool = False) -> int:
    """Queue (or, inline, attempt) every delivery that is due; the claim makes a double queueing harmless."""
    due = hotline_outbox_due(now=now, limit=limit)
    for delivery_id in due:
        if inline:
            hotline_delivery_attempt(delivery_id=delivery_id, now=now)
        else:
            _queue_delivery(delivery_id)
    return len(due)


def hotline_delivery_cancel(*, petition_id: int) -> int:
    """Routing moved the petition away from 12345 (override, transfer): stop delivering, and ignore the
    hotline's later callbacks about it. A delivery already made cannot be taken back. Returns rows cancelled."""
    return HotlineDelivery.objects.filter(petition_id=petition_id, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now())
