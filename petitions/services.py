"""Writes to petitions. Every status change goes through petition_transition(); every one leaves an event."""
from __future__ import annotations

from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models.constants import OnConflict
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment import sla
from config.prepared import execute_prepared
from offices.models import Sector, Studio

from . import workflow
from .routing_queue import queue_routing
from .codes import new_tracking_code
from .errors import MissingDetail
from .models import Petition, PetitionEvent, PetitionPhoto, Rating, Source, Status

A = PetitionEvent.Action


def event_record(*, petition: Petition, action: str, actor=None, actor_label: str = "", from_status: str = "",
                 to_status: str = "", note: str = "", public: bool | None = None, at=None, **extra) -> PetitionEvent:
    """Append one event to the trail. Callers hold the petition's row lock."""
    event = event_build(petition=petition, action=action, actor=actor, actor_label=actor_label,
                        from_status=from_status, to_status=to_status, note=note, public=public, at=at, **extra)
    event.save()
    return event


def event_build(*, petition: Petition, action: str, actor=None, actor_label: str = "", from_status: str = "",
                to_status: str = "", note: str = "", public: bool | None = None, at=None, **extra) -> PetitionEvent:
    """The event event_record() would append, unsaved: routing stores a petition's events in one INSERT."""
    event = PetitionEvent(
        petition=petition, action=action, actor=actor, actor_label=actor_label, from_status=from_status,
        to_status=to_status, note=note, public=workflow.is_public(action) if public is None else public,
        at=at or timezone.now(), loop=extra.pop("loop", petition.loop),
        studio=extra.pop("studio", None), department=extra.pop("department", None), data=extra.pop("data", {}),
    )
    if extra:
        raise TypeError(f"unexpected event fields: {sorted(extra)}")
    return event


def petition_submit(*, studio: Studio, text: str, category=None, region=None, citizen_name: str = "",
                    citizen_phone: str = "", address: str = "", latitude=None, longitude=None, photos=(),
                    source: str = Source.QR, idempotency_key: str | None = None) -> tuple[Petition, bool]:
    """Store a citizen's petition, its photos and its SUBMIT event together, then queue routing after commit.

    Returns (petition, created). The same idempotency key returns the first petition (a double tap).
    `photos` are already-checked image files (ContentFile or UploadedFile).
    """
    # No look-up of the key first: the key's unique index is the check. A fresh key (every submission but a
    # double tap) costs nothing more than the INSERT; a key already stored makes the INSERT store nothing, and
    # the first petition is read then. Nothing is written before that INSERT (the photos' files come after it).
    now = timezone.now()
    for _attempt in range(5):
        petition = Petition(
            tracking_code=new_tracking_code(), studio=studio, category=category,
            region_id=region.pk if region is not None else studio.region_id,
            text=text, citizen_name=citizen_name, citizen_phone=citizen_phone, address=address,
            latitude=latitude, longitude=longitude, source=source, idempotency_key=idempotency_key or None,
            submitted_at=now, updated_at=now, current_studio=studio,
        )
        # Field checks only: the related rows were handed in as objects, and the database enforces the
        # check constraints itself; asking it first would cost eight queries per submission.
        petition.full_clean(exclude=["tracking_code", "idempotency_key", "studio", "category", "sector", "region",
                                     "current_studio", "current_department", "current_representative"],
                            validate_unique=False, validate_constraints=False)
        sla.sla_apply(petition=petition, action=A.SUBMIT, at=now)
        event = event_build(petition=petition, action=A.SUBMIT, actor_label="citizen", to_status=Status.SUBMITTED,
                            studio=studio, at=now, public=True)
        failure = None
        try:
            stored = _submission_store(petition, event, photos)
        except IntegrityError as error:
            stored, failure = False, error
        if stored:
            # Runs at once in autocommit (the rows are committed), or when a caller's own transaction commits.
            transaction.on_commit(lambda pid=petition.pk: queue_routing(pid))
            return petition, True
        # Not stored: a unique index left the petition out (PostgreSQL's ON CONFLICT DO NOTHING) or refused it
        # (IntegrityError elsewhere), or a foreign key refused it. Which one decides what follows.
        if idempotency_key:
            existing = Petition.objects.filter(idempotency_key=idempotency_key).order_by().first()
            if existing:  # a double tap: the first one's petition (stored earlier, or in a race just now)
                return existing, False
        if Petition.objects.filter(tracking_code=petition.tracking_code).exists():
            continue  # 50 random bits collided: draw again
        if category is not None and not Sector.objects.filter(pk=category.pk).exists():
            # Deleted since the form checked it (forms.SectorChoiceField keeps the sector keys a minute).
            raise ValidationError({"category": _("Please choose one of the listed topics.")}) from None
        if failure is not None:
            raise failure
        raise IntegrityError(f"petition {petition.tracking_code} was not stored: a unique index refused it, but "
                             "neither its tracking code nor its idempotency key is taken")
    raise RuntimeError("could not draw a free tracking code")


def _submission_store(petition: Petition, event: PetitionEvent, photos) -> bool:
    """Store a new petition with its SUBMIT event (built for it, unsaved) and its photos, all or nothing.

    False if a unique index left the petition out and so nothing was stored; an IntegrityError if a unique index
    or a foreign key refused it. On PostgreSQL a petition without photos goes in one statement, in autocommit:
    no BEGIN, savepoint or COMMIT round trips and one SQL string instead of two ORM saves. Photos take the
    ORM's way (their files are written as each row is saved), and so does SQLite, which has no INSERT in a CTE.
    """
    using = router.db_for_write(Petition, instance=petition)
    connection = connections[using]
    if photos or connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            petition.save()
            for photo in photos:
                PetitionPhoto.objects.create(petition=petition, image=photo)
            event.save()  # built for the petition before it had a key: save() takes the key from it now
        return True
    sql, params, kept = _submission_sql(petition, event, using=using)
    # Inside a caller's transaction a savepoint keeps that transaction usable if the statement fails (a too long
    # value, say), as the ORM's way does; in autocommit the statement is all or nothing by itself.
    with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
        with connection.cursor() as cursor:
            if kept:  # the same text every time: parsed and planned once per connection
                execute_prepared(cursor, "petition_submission", sql, params)
            else:
                cursor.execute(sql, params)
            row = cursor.fetchone()
    if row is None:
        return False
    petition.pk = row[0]
    petition._state.adding, petition._state.db = False, using
    return True


# Its text is the same for every submission (the same columns, one placeholder each): Django compiles it once per
# database and process, and a submission only prepares its values, which saves about 0.3 ms of CPU each.
_submission_statements: dict[str, str] = {}


def _submission_sql(petition: Petition, event: PetitionEvent, *, using: str) -> tuple[str, tuple, bool]:
    """The petition's INSERT and its event's in one statement: a data-modifying CTE whose event row exists only
    if the petition row was stored (ON CONFLICT DO NOTHING leaves it out when its tracking code or idempotency
    key is taken). The columns are those save() inserts and each value is prepared as save() prepares it (the
    field's pre_save() and get_db_prep_save()), so a field added later is stored here too. The flag says whether the
    text is the one kept for every submission (and so may be prepared: config/prepared.py)."""
    connection = connections[using]
    petition_fields = _insert_fields(Petition)
    event_fields = [f for f in _insert_fields(PetitionEvent) if f.attname != "petition_id"]
    params = (*[f.get_db_prep_save(f.pre_save(petition, True), connection) for f in petition_fields],
              *[f.get_db_prep_save(f.pre_save(event, True), connection) for f in event_fields])
    plain = not any(hasattr(value, "as_sql") for value in params)  # no expression among them
    sql = _submission_statements.get(using)
    if sql is not None and plain:
        return sql, params, True
    sql, compiled_params = _submission_statement(petition, event, using=using)
    # Kept only if its text cannot depend on the values: one plain placeholder for each.
    if plain and len(compiled_params) == len(params) and not any(
            hasattr(f, "get_placeholder") for f in (*petition_fields, *event_fields)):
        _submission_statements[using] = sql
    return sql, compiled_params, False


def _submission_statement(petition: Petition, event: PetitionEvent, *, using: str) -> tuple[str, tuple]:
    """_submission_sql()'s statement as Django's own INSERT compiler writes it for these two rows."""
    petition_sql, petition_params = _insert_sql(petition, using=using, on_conflict=OnConflict.IGNORE,
                                                returning=[Petition._meta.pk])
    event.petition_id = RawSQL('"stored"."id"', ())  # the new petition's key, from the CTE
    event_sql, event_params = _insert_sql(event, using=using)
    # INSERT INTO event (columns) VALUES (values) -> INSERT INTO event (columns) SELECT values FROM stored
    head, values_kw, values = event_sql.partition(" VALUES (")
    if not values_kw or not values.endswith(")") or '"stored"."id"' not in values:
        raise NotImplementedError(f"unexpected shape of Django's INSERT: {event_sql}")
    sql = (f'WITH "stored" AS ({petition_sql}) {head} SELECT {values[:-1]} FROM "stored" '
           f'RETURNING {connections[using].ops.quote_name(PetitionEvent._meta.get_field("petition").column)}')
    return sql, (*petition_params, *event_params)


def _insert_fields(model) -> list:
    """The columns save() inserts for a new row (Model._save_table's choice)."""
    meta = model._meta
    return [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]


def _insert_sql(obj, *, using: str, on_conflict=None, returning=()) -> tuple[str, tuple]:
    """The INSERT that obj.save() sends for a new row, by Django's compiler."""
    query = InsertQuery(type(obj), on_conflict=on_conflict)
    query.insert_values(_insert_fields(type(obj)), [obj])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = list(returning)
    [(sql, params)] = compiler.as_sql()
    return sql, tuple(params)


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
    event = transition_step(petition, action=action, actor=actor, actor_label=actor_label, note=note, reason=reason,
                            answer=answer, rating=rating, loop=loop, studio=studio, department=department,
                            representative=representative, data=data)
    petition.save()
    event.save()
    return petition


def transition_step(petition: Petition, *, action: str, actor=None, actor_label: str = "", note: str = "",
                    reason: str = "", answer: str = "", rating: str = "", loop: int | None = None,
                    studio: Studio | None = None, department=None, representative=None,
                    data: dict | None = None) -> PetitionEvent:
    """One step of petition_transition() on a petition its caller loaded under the row lock: the fields are
    set in memory and the event comes back unsaved; the caller saves both. Routing takes its ACCEPT and
    DISPATCH steps this way, one save and one INSERT of the trail for the two."""
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
    sla.sla_apply(petition=petition, action=action, at=now)
    return event_build(petition=petition, action=action, actor=actor, actor_label=actor_label, from_status=from_status,
                       to_status=to_status, note=note or reason or answer, at=now, loop=petition.loop,
                       studio=studio or (petition.current_studio if action in (A.DISPATCH, A.TRANSFER, A.RETURN)
                                         else None),
                       department=department, data=data or {})


# --- the citizen's side: rating the answer, and closing what was never rated ---------------------

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402

from .errors import PetitionError  # noqa: E402

CITIZEN_RATINGS = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED)


def rating_deadline(petition: Petition):
    """Until when the citizen may rate (or, by rating "dissatisfied", reopen) the answer; None if not answered."""
    if petition.replied_at is None:
        return None
    return petition.replied_at + timedelta(days=settings.RATING_WINDOW_DAYS)


def rating_open(petition: Petition, *, now=None) -> bool:
    deadline = rating_deadline(petition)
    return petition.status == Status.REPLIED and deadline is not None and (now or timezone.now()) <= deadline


class RatingNotPossible(PetitionError):
    """Rated already, not answered yet, or the rating window has passed."""


@transaction.atomic
def petition_rate(*, petition_id: int, rating: str, comment: str = "", now=None) -> Petition:
    """The citizen rates the answer, once per answer, within RATING_WINDOW_DAYS of it.

    "Dissatisfied" sends the petition back for handling (petition_transition reopens it and counts
    it); the other ratings close it. A second rating of the same answer finds the petition no longer
    "answered" and is refused, whichever of two simultaneous taps comes second.
    """
    if rating not in CITIZEN_RATINGS:
        raise MissingDetail("rating", _("Choose one of the ratings."))
    petition = Petition.objects.select_for_update().get(pk=petition_id)
    too_late = RatingNotPossible(_("The time for rating this answer has passed (%(days)s days after the answer).")
                                 % {"days": _rating_window_days()})
    if petition.status == Status.CLOSED and petition.rating == Rating.NOT_RATED:
        raise too_late
    if petition.status != Status.REPLIED:
        if petition.rated_at:
            raise RatingNotPossible(_("This answer has already been rated. Thank you."))
        raise RatingNotPossible(_("This request can be rated once it has been resolved and answered."))
    if not rating_open(petition, now=now):
        raise too_late
    return petition_transition(petition_id=petition.pk, action=A.RATE, rating=rating, note=comment,
                               actor_label="citizen", expected_status=Status.REPLIED)


def _rating_window_days() -> int:
    return settings.RATING_WINDOW_DAYS


def petitions_close_unrated(*, now=None, batch_size: int = 2000) -> int:
    """Close, as "not rated", every answered petition whose rating window has passed. Returns how many.

    Set-based: per batch one locking SELECT of ids, one UPDATE and one bulk INSERT of the trail
    events, in one transaction; rows a citizen is rating at this moment are skipped (SKIP LOCKED on
    PostgreSQL) and picked up next time if still unrated. Idempotent: a second run finds nothing.
    """
    now = now or timezone.now()
    days = _rating_window_days()
    cutoff = now - timedelta(days=days)
    closed = 0
    while True:
        with transaction.atomic():
            rows = list(
                Petition.objects.select_for_update(skip_locked=True)
                .filter(status=Status.REPLIED, replied_at__lt=cutoff)
                .order_by("id").values_list("id", "loop")[:batch_size]
            )
            if not rows:
                return closed
            ids = [pk for pk, _loop in rows]
            Petition.objects.filter(id__in=ids, status=Status.REPLIED).update(
                status=Status.CLOSED, rating=Rating.NOT_RATED, closed_at=now, updated_at=now)
            PetitionEvent.objects.bulk_create([
                PetitionEvent(petition_id=pk, action=A.CLOSE, actor_label="system", at=now, loop=loop,
                              from_status=Status.REPLIED, to_status=Status.CLOSED, public=True,
                              data={"reason": "not_rated", "window_days": days})
                for pk, loop in rows
            ])
            closed += len(rows)
        if len(rows) < batch_size:
            return closed
