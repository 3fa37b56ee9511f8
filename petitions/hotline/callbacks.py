"""Status callbacks from 12345, applied once each and never backwards.

- Each event id is stored (HotlineCallback.event_id is unique): a replay returns the first outcome.
- Statuses are ranked received < handling < resolved = returned; an event that does not rank above
  what the delivery already reached is stored as out_of_order and changes nothing.
- "resolved" resolves the petition through the workflow with the hotline's answer, which is public on
  the citizen's timeline; "returned" returns it to the first-contact studio.
- If the petition has moved on meanwhile (staff resolved it, put it on hold, routed it elsewhere), the
  event is stored as ignored: the hotline's word never overrides what people did here.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..codes import normalise_tracking_code
from ..errors import PetitionError
from ..models import HOTLINE_RANK, HotlineCallback, HotlineDelivery, HotlineStatus, Petition, PetitionEvent
from ..services import petition_transition
from ..workflow import TransitionNotAllowed

A = PetitionEvent.Action
Outcome = HotlineCallback.Outcome


class UnknownPetition(PetitionError):
    code = "unknown_petition"

    def __init__(self, reference: str):
        self.reference = reference
        super().__init__(_("No petition has the reference “%(ref)s”.") % {"ref": reference})


def _delivery_for(petition: Petition, key: str) -> HotlineDelivery | None:
    deliveries = HotlineDelivery.objects.select_for_update().filter(petition=petition)
    if key:
        return deliveries.filter(idempotency_key=key).first()
    return deliveries.order_by("-created_at", "-id").first()


def _apply(petition: Petition, delivery: HotlineDelivery, status: str, answer: str, reason: str, data: dict) -> str:
    label = str(HotlineStatus(status).label)
    try:
        if status == HotlineStatus.RESOLVED:
            petition_transition(petition_id=petition.pk, action=A.RESOLVE, actor_label="12345", answer=answer,
                                data=data)
        elif status == HotlineStatus.RETURNED:
            petition_transition(petition_id=petition.pk, action=A.RETURN, actor_label="12345",
                                note=reason or label, data=data)
        else:
            petition_transition(petition_id=petition.pk, action=A.HOTLINE, actor_label="12345", note=label, data=data)
    except TransitionNotAllowed:
        return Outcome.IGNORED
    return Outcome.APPLIED


def hotline_callback_apply(*, event_id: str, reference: str, status: str, answer: str = "", reason: str = "",
                           occurred_at=None, delivery_key: str = "", payload: dict | None = None
                           ) -> tuple[HotlineCallback, bool]:
    """Apply one callback. Returns (the stored callback, whether this call stored it)."""
    code = normalise_tracking_code(reference)
    if not Petition.objects.filter(tracking_code=code).exists():
        raise UnknownPetition(reference)
    try:
        with transaction.atomic():
            # The petition's lock serialises callbacks (and workflow actions) for one petition, so two
            # deliveries of the same event cannot both pass the "seen before?" check.
            petition = Petition.objects.select_for_update().get(tracking_code=code)
            seen = HotlineCallback.objects.filter(event_id=event_id).first()
            if seen is not None:
                return seen, False
            delivery = _delivery_for(petition, delivery_key)
            data = {"hotline_event": event_id, "hotline_status": status,
                    "delivery": delivery.idempotency_key if delivery else delivery_key}
            if delivery is None or delivery.cancelled_at is not None:
                outcome = Outcome.IGNORED
            elif HOTLINE_RANK[status] <= HOTLINE_RANK[delivery.hotline_status]:
                outcome = Outcome.OUT_OF_ORDER
            else:
                outcome = _apply(petition, delivery, status, answer, reason, data)
                delivery.hotline_status = status
                # A callback proves the hotline has the case, even if our POST's answer was lost.
                delivery.delivered_at = delivery.delivered_at or timezone.now()
                delivery.save(update_fields=["hotline_status", "delivered_at"])
            callback = HotlineCallback.objects.create(
                event_id=event_id, petition=petition, delivery=delivery, status=status, answer=answer,
                occurred_at=occurred_at, outcome=outcome, payload=payload or {})
            return callback, True
    except IntegrityError:
        # The same event id raced in for another petition reference: the first one stands.
        seen = HotlineCallback.objects.filter(event_id=event_id).first()
        if seen is None:
            raise
        return seen, False
