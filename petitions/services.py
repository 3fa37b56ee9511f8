"""Writes to petitions. Every status change goes through petition_transition(); every one leaves an event."""
from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offices.models import Studio

from . import workflow
from .codes import new_tracking_code
from .errors import MissingDetail
from .models import Petition, PetitionEvent, PetitionPhoto, Rating, Source, Status

logger = logging.getLogger(__name__)
A = PetitionEvent.Action


def event_record(*, petition: Petition, action: str, actor=None, actor_label: str = "", from_status: str = "",
                 to_status: str = "", note: str = "", public: bool | None = None, at=None, **extra) -> PetitionEvent:
    """Append one event to the trail. Callers hold the petition's row lock."""
    event = PetitionEvent(
        petition=petition, action=action, actor=actor, actor_label=actor_label, from_status=from_status,
        to_status=to_status, note=note, public=workflow.is_public(action) if public is None else public,
        at=at or timezone.now(), loop=extra.pop("loop", petition.loop),
        studio=extra.pop("studio", None), department=extra.pop("department", None), data=extra.pop("data", {}),
    )
    if extra:
        raise TypeError(f"unexpected event fields: {sorted(extra)}")
    event.save()
    return event


def _queue_routing(petition_id: int) -> None:
    """Hand the petition to the router. A dead broker must not fail the citizen's request: the
    petition is committed, and the unrouted sweep picks it up once the broker is back."""
    try:
        from .tasks import petition_route_task

        petition_route_task.delay(petition_id)
    except Exception:  # kombu raises several unrelated types for a dead broker
        logger.warning("broker unavailable; petition %s waits for the unrouted sweep", petition_id, exc_info=True)


def petition_submit(*, studio: Studio, text: str, category=None, region=None, citizen_name: str = "",
                    citizen_phone: str = "", address: str = "", latitude=None, longitude=None, photos=(),
                    source: str = Source.QR, idempotency_key: str | None = None) -> tuple[Petition, bool]:
    """Store a citizen's petition and its photos in one transaction, then queue routing after commit.

    Returns (petition, created). The same idempotency key returns the first petition (a double tap).
    `photos` are already-checked image files (ContentFile or UploadedFile).
    """
    if idempotency_key:
        existing = Petition.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    now = timezone.now()
    for _attempt in range(5):
        petition = Petition(
            tracking_code=new_tracking_code(), studio=studio, category=category, region=region or studio.region,
            text=text, citizen_name=citizen_name, citizen_phone=citizen_phone, address=address,
            latitude=latitude, longitude=longitude, source=source, idempotency_key=idempotency_key or None,
            submitted_at=now, updated_at=now, current_studio=studio,
        )
        petition.full_clean(exclude=["tracking_code", "idempotency_key"])
        try:
            with transaction.atomic():
                petition.save()
                for photo in photos:
                    PetitionPhoto.objects.create(petition=petition, image=photo)
                event_record(petition=petition, action=A.SUBMIT, actor_label="citizen", to_status=Status.SUBMITTED,
                             studio=studio, at=now, public=True)
                transaction.on_commit(lambda pid=petition.pk: _queue_routing(pid))
            return petition, True
        except IntegrityError:
            if idempotency_key:
                existing = Petition.objects.filter(idempotency_key=idempotency_key).first()
                if existing:  # the other tap won the race
                    return existing, False
            if Petition.objects.filter(tracking_code=petition.tracking_code).exists():
                continue  # 50 random bits collided: draw again
            raise
    raise RuntimeError("could not draw a free tracking code")


# What each action needs, and which fields it stamps.
_REQUIRED = {A.REJECT: "reason", A.RESOLVE: "answer", A.HOLD: "reason", A.RATE: "rating"}
_STAMPS = {A.ACCEPT: "accepted_at", A.DISPATCH: "dispatched_at", A.RESOLVE: "resolved_at",
           A.REPLY: "replied_at", A.RATE: "rated_at", A.CLOSE: "closed_at"}


@transaction.atomic
def petition_transition(*, petition_id: int, action: str, actor=None, actor_label: str = "", note: str = "",
                        reason: str = "", answer: str = "", rating: str = "", loop: int | None = None,
                        studio: Studio | None = None, department=None, representative=None,
                        expected_status: str | None = None, data: dict | None = None) -> Petition:
    """Move a petition one step, under its row lock, and append the event.

    `expected_status` lets a page refuse a stale action ("someone else acted first") even when the
    new state would also allow it, so a double click never makes two events.
    """
    petition = Petition.objects.select_for_update().get(pk=petition_id)
    if expected_status is not None and petition.status != expected_status:
        raise workflow.TransitionNotAllowed(action, petition.status)
    required = _REQUIRED.get(action)
    if required and not {"reason": reason, "answer": answer, "rating": rating}[required].strip():
        raise MissingDetail(required)
    if action == A.RATE and rating not in Rating.values:
        raise MissingDetail("rating", _("Choose one of the ratings."))
    if action == A.DISPATCH and loop not in (1, 2, 3):
        raise MissingDetail("loop", _("Choose the loop the petition goes into."))

    from_status = petition.status
    to_status = workflow.next_status(action, from_status, resume_to=petition.held_from, rating=rating)
    now = timezone.now()

    if action in _STAMPS:
        setattr(petition, _STAMPS[action], now)
    if action == A.REJECT:
        petition.reject_reason = reason
        petition.closed_at = now
    elif action == A.HOLD:
        petition.hold_reason, petition.held_from = reason, from_status
    elif action == A.RESUME:
        petition.hold_reason, petition.held_from = "", ""
    elif action == A.RESOLVE:
        petition.answer = answer
    elif action == A.RATE:
        petition.rating, petition.rating_comment = rating, note
        if rating == Rating.DISSATISFIED:
            petition.reopened_count += 1
            petition.resolved_at = petition.replied_at = None
        else:
            petition.closed_at = now
    elif action == A.CLOSE:
        petition.rating = petition.rating or Rating.NOT_RATED
    if loop is not None:
        petition.loop = loop
    if studio is not None:
        petition.current_studio = studio
    if department is not None:
        petition.current_department = department
    if representative is not None:
        petition.current_representative = representative
    if action == A.RETURN:
        petition.current_studio, petition.current_department, petition.current_representative = petition.studio, None, None
    petition.status = to_status
    petition.updated_at = now
    petition.save()
    event_record(petition=petition, action=action, actor=actor, actor_label=actor_label, from_status=from_status,
                 to_status=to_status, note=note or reason or answer, at=now, loop=petition.loop,
                 studio=studio or (petition.current_studio if action in (A.DISPATCH, A.TRANSFER, A.RETURN) else None),
                 department=department, data=data or {})
    return petition
