"""Writes of the assessment app: the SLA sweep (flags, red cards, reminders) and scorecards."""
from __future__ import annotations

import logging
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext

from offices.choices import Flag
from petitions.models import Petition, PetitionEvent

from . import sla, workdays
from .bulk import insert_rows, update_column
from .models import Notification, RedCard
from .notices import default_text, in_each_language
from .sql import target_flag_expression

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 5000


def _petition_url_template() -> str:
    """The dashboard's petition page, with "{code}" for the tracking code (reversed once per batch)."""
    from django.urls import reverse

    try:
        return reverse("dashboard:petition", kwargs={"tracking_code": "XCODEX"}).replace("XCODEX", "{code}")
    except Exception:  # no dashboard in this urlconf (or it fails to load): the sweep goes on
        return "/dashboard/p/{code}/"


def _rectify_workdays() -> int:
    return int(getattr(settings, "SLA_RECTIFY_WORKDAYS", 5))


def _staff_by_studio(studio_ids) -> dict[int, list[int]]:
    from liaison.models import StaffProfile

    staff: dict[int, list[int]] = {}
    for user_id, studio_id in StaffProfile.objects.filter(
            role=StaffProfile.Role.STUDIO, studio_id__in=studio_ids, user__is_active=True).values_list(
            "user_id", "studio_id"):
        staff.setdefault(studio_id, []).append(user_id)
    return staff


def _texts(kind: str) -> str:
    return {
        Flag.RED: gettext("Past the %(stage)s deadline"),
        Flag.YELLOW: gettext("Most of the %(stage)s time used"),
        Flag.BLUE: gettext("Back on track for %(stage)s"),
        "card": gettext("Red card: %(code)s is past its %(stage)s deadline; rectify by %(date)s."),
        "reminder": gettext("Reminder: %(code)s has used most of its %(stage)s time."),
    }[kind]


def _notice_texts() -> dict[str, tuple[dict, str, str]]:
    """Per language of the portal: the stages' labels and the red card's and the reminder's templates
    (notifications are written in every language, assessment.notices)."""
    return in_each_language(lambda: ({stage: str(label) for stage, label in sla.STAGE_LABELS.items()},
                                     _texts("card"), _texts("reminder")))


# Stand-ins for a batch's id bounds in the compiled SELECT (no real parameter of it is a negative integer).
_LO, _HI = -7_000_000_001, -7_000_000_002
_CHANGED_COLUMNS = ("id", "flag", "status", "resolve_due_at", "loop", "current_studio_id", "studio_id",
                    "current_representative_id", "current_representative__user_id", "tracking_code", "new_flag")


@dataclass(frozen=True)
class _Sweep:
    """What every batch of one sweep shares, prepared once: the compiled SELECT of the rows whose flag
    must change, and the texts (translated in the sweep's own language, not a worker thread's)."""

    now: datetime
    rectify_by: datetime
    sql: str
    params: tuple
    reasons: dict
    notice_texts: dict
    petition_url: str

    @classmethod
    def prepare(cls, now: datetime, rectify_by: datetime) -> _Sweep:
        # Compiling the flag CASE (every policy's share) costs more than running it on 5,000 ids: the SELECT
        # is compiled once with stand-in bounds, which each batch replaces.
        changed = (Petition.objects.filter(id__gte=_LO, id__lt=_HI, status__in=sla.CLOCK_STATUSES,
                                           due_at__isnull=False)
                   .annotate(new_flag=target_flag_expression(now)).exclude(flag=F("new_flag"))
                   .select_for_update(skip_locked=True, of=("self",)).order_by("id").values_list(*_CHANGED_COLUMNS))
        # Django compiles FOR UPDATE only inside a transaction (no query is sent for that).
        with transaction.atomic() if connection.get_autocommit() else nullcontext():
            sql, params = changed.query.sql_with_params()
        labels = {stage: str(label) for stage, label in sla.STAGE_LABELS.items()}
        reasons = {(flag, stage): _texts(flag) % {"stage": labels.get(stage, stage)}
                   for flag in Flag.values for stage in (*sla.STAGES, "")}
        return cls(now, rectify_by, sql, tuple(params), reasons, _notice_texts(), _petition_url_template())

    def changed(self, lo: int, hi: int) -> list[tuple]:
        params = [lo if p == _LO else hi if p == _HI else p for p in self.params]
        # Raw rows: the only datetime, resolve_due_at, is read for whether it is set (SQLite gives it as text).
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()


def _sweep_batch(sweep: _Sweep, lo: int, hi: int) -> Counter:
    """One id range, one short transaction: lock the rows whose flag must change (skipping rows
    another sweep holds), update them with the same CASE, and write each change once, as the petition's
    FLAG event (the flag history, FlagChange, is a view of those events)."""
    counts: Counter = Counter()
    now, rectify_by, reasons, notice_texts = sweep.now, sweep.rectify_by, sweep.reasons, sweep.notice_texts
    with transaction.atomic():
        changed = sweep.changed(lo, hi)
        if not changed:
            return counts
        if connection.vendor == "postgresql":
            # A lost last batch is redone whole by the next sweep (the flags it read are unchanged), so
            # the batch need not wait for its WAL flush.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        # The rows are locked, so the flag computed above still holds: write it, do not recompute it.
        update_column(Petition, column="flag", ids=[row[0] for row in changed], values=[row[-1] for row in changed])

        carded = set(RedCard.objects.filter(petition_id__in=[r[0] for r in changed if r[-1] == Flag.RED])
                     .values_list("petition_id", "stage"))
        staff = _staff_by_studio({row[5] or row[6] for row in changed})
        events = {"petition_id": [], "loop": [], "note": [], "data": []}
        cards = {"petition_id": [], "stage": [], "representative_id": [], "studio_id": [], "reason": []}
        notices = {"user_id": [], "kind": [], "text": [], "texts": [], "url": []}
        rectify_date = f"{rectify_by.astimezone(workdays.TZ):%Y-%m-%d}"
        for (pid, old, status, resolve_due, loop, current_studio, studio, rep, rep_user, code, new) in changed:
            stage = sla.current_stage(status, resolve_due_at=resolve_due) or ""
            counts[new] += 1
            holder_studio = current_studio or studio
            reason = reasons[(new, stage)]
            events["petition_id"].append(pid), events["loop"].append(loop), events["note"].append(reason)
            events["data"].append({"from": old, "to": new, "stage": stage})
            recipients = ([rep_user] if rep_user else []) + staff.get(holder_studio, [])
            if new == Flag.RED and (pid, stage) not in carded:
                # One red card per breach: a petition that goes red again on the same stage keeps its card.
                cards["petition_id"].append(pid), cards["stage"].append(stage)
                cards["representative_id"].append(rep), cards["studio_id"].append(holder_studio)
                cards["reason"].append(reason)
                kind, texts = Notification.Kind.RED_CARD, {
                    lang: (card % {"stage": stages.get(stage, stage), "code": code, "date": rectify_date})[:255]
                    for lang, (stages, card, _reminder) in notice_texts.items()}
            elif new == Flag.YELLOW:
                kind, texts = Notification.Kind.REMINDER, {
                    lang: (reminder % {"stage": stages.get(stage, stage), "code": code})[:255]
                    for lang, (stages, _card, reminder) in notice_texts.items()}
            else:
                continue
            for user_id in recipients:
                notices["user_id"].append(user_id), notices["kind"].append(kind)
                notices["text"].append(default_text(texts)), notices["texts"].append(texts)
                notices["url"].append(sweep.petition_url.format(code=code))
        insert_rows(PetitionEvent, columns=events, constants={
            "action": PetitionEvent.Action.FLAG, "actor_label": "system", "at": now, "public": False})
        # ON CONFLICT DO NOTHING: the unique constraint backs the check above against a concurrent sweep.
        counts["red_cards"] += insert_rows(RedCard, columns=cards, ignore_conflicts=True, constants={
            "issued_at": now, "rectify_by": rectify_by, "status": RedCard.Status.OPEN})
        insert_rows(Notification, columns=notices, constants={"created_at": now})
        counts["notifications"] += len(notices["user_id"])
    return counts


def sla_sweep(*, now: datetime | None = None, batch_size: int = DEFAULT_BATCH, jobs: int | None = None) -> dict:
    """Set every open petition's flag (blue on track, yellow past its stage's warning share, red past
    due), in keyset batches by id range, each its own short transaction. Safe to run twice at once:
    a batch locks only the rows it changes, skipping those another sweep holds, and re-checks the
    predicate under the lock. Returns counts: blue, yellow, red, red_cards, notifications, batches.

    On PostgreSQL the batches are spread over `jobs` connections (SLA_SWEEP_JOBS, 2 by default): most
    of a batch's time is the database writing history and checking keys, which another batch can do
    on the other core meanwhile. Called inside a transaction (a test, a caller's atomic block) the
    sweep stays on the caller's connection, which alone sees what the transaction wrote.
    """
    now = now or timezone.now()
    rectify_by = workdays.add_workdays(now, _rectify_workdays())
    bounds = Petition.objects.filter(status__in=sla.CLOCK_STATUSES, due_at__isnull=False).aggregate(
        lo=Min("id"), hi=Max("id"))
    totals: Counter = Counter()
    if bounds["lo"] is None:
        return {"blue": 0, "yellow": 0, "red": 0, "red_cards": 0, "notifications": 0, "batches": 0}
    sweep = _Sweep.prepare(now, rectify_by)
    ranges = [(lo, lo + batch_size) for lo in range(bounds["lo"], bounds["hi"] + 1, batch_size)]
    jobs = max(1, jobs if jobs is not None else int(getattr(settings, "SLA_SWEEP_JOBS", 2)))
    if jobs == 1 or len(ranges) == 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        for lo, hi in ranges:
            totals += _sweep_batch(sweep, lo, hi)
    else:
        totals = _sweep_in_parallel(sweep, ranges, jobs)
    totals["batches"] = len(ranges)
    result = {key: totals.get(key, 0) for key in ("blue", "yellow", "red", "red_cards", "notifications", "batches")}
    if result["notifications"]:
        _queue_notification_emails()
    if result["blue"] + result["yellow"] + result["red"] >= int(getattr(settings, "SLA_SWEEP_VACUUM_AFTER", 10_000)):
        _queue_petitions_vacuum()
    logger.info("sla sweep: %s", result)
    return result


def _sweep_in_parallel(sweep: _Sweep, ranges: list[tuple[int, int]], jobs: int) -> Counter:
    """The batches, taken in order by `jobs` threads, each on its own database connection. A batch that
    fails stops its thread and the sweep raises it, as the serial sweep does; the batches already
    committed stand (each is whole on its own) and the next sweep does the rest."""
    from concurrent.futures import ThreadPoolExecutor
    from queue import Empty, SimpleQueue

    from django.db import connections

    todo: SimpleQueue = SimpleQueue()
    for bounds in ranges:
        todo.put(bounds)

    def work() -> Counter:
        counts: Counter = Counter()
        try:
            while True:
                try:
                    lo, hi = todo.get_nowait()
                except Empty:
                    return counts
                counts += _sweep_batch(sweep, lo, hi)
        finally:
            connections.close_all()  # this thread's connection; the pool's threads end with the sweep

    totals: Counter = Counter()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sla-sweep") as pool:
        for future in [pool.submit(work) for _ in range(jobs)]:
            totals += future.result()
    return totals


def notification_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return qs.update(read_at=timezone.now())



def sla_backfill(*, batch_size: int = 2000) -> int:
    """Give deadlines to open petitions that have none (rows written before the SLA hook existed,
    imports). A one-off repair: it reads each such row once; petitions with deadlines are untouched."""
    fields = ["accept_due_at", "resolve_due_at", "reply_due_at", "due_at"]
    done, last_id = 0, 0
    while True:
        with transaction.atomic():
            batch = list(Petition.objects.filter(status__in=(*sla.CLOCK_STATUSES, "on_hold"), due_at__isnull=True,
                                                 id__gt=last_id)
                         .select_for_update(skip_locked=True).order_by("id")[:batch_size])
            if not batch:
                return done
            for petition in batch:
                deadlines = sla.petition_deadlines(petition)
                for name in fields:
                    setattr(petition, name, getattr(deadlines, name))
            Petition.objects.bulk_update(batch, fields)
            done += len(batch)
            last_id = batch[-1].pk


class RedCardError(Exception):
    """A red card action that its state or the user's role does not allow; the message is for the user."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@transaction.atomic
def red_card_rectify(*, card_id: int, actor, rectification: str) -> RedCard:
    """The holder (the card's representative or the studio's staff) reports what was put right."""
    from django.utils.translation import gettext_lazy as _

    card = RedCard.objects.select_for_update().get(pk=card_id)
    if card.status == RedCard.Status.CLOSED:
        raise RedCardError(_("This red card is already closed."))
    if not rectification.strip():
        raise RedCardError(_("Describe the rectification."))
    card.rectification, card.rectified_at, card.status = rectification.strip(), timezone.now(), RedCard.Status.SUBMITTED
    card.full_clean()
    card.save(update_fields=["rectification", "rectified_at", "status"])
    return card


@transaction.atomic
def red_card_review(*, card_id: int, actor, accept: bool, note: str = "") -> RedCard:
    """Organisation staff review a submitted rectification: accept closes the card, otherwise it goes
    back to open with the reviewer's note appended."""
    from django.utils.translation import gettext_lazy as _

    from .reports.access import is_organisation

    if not is_organisation(actor):
        raise RedCardError(_("Only the organisation department reviews rectifications."))
    card = RedCard.objects.select_for_update().get(pk=card_id)
    if card.status != RedCard.Status.SUBMITTED:
        raise RedCardError(_("There is no rectification waiting for review."))
    now = timezone.now()
    if accept:
        card.status, card.closed_at, card.closed_by = RedCard.Status.CLOSED, now, actor
    else:
        card.status = RedCard.Status.OPEN
        if note.strip():
            card.rectification = f"{card.rectification}\n\n[{now:%Y-%m-%d}] {note.strip()}"
    card.save(update_fields=["status", "closed_at", "closed_by", "rectification"])
    return card


def notifications_email(*, limit: int = 500, max_age_hours: int = 24) -> int:
    """E-mail the notifications not yet e-mailed (when NOTIFICATIONS_BY_EMAIL is on), to users with
    an address. Rows are locked while sending, so two workers never send one twice; a failed send
    rolls back and the next run tries again. Older ones are left to the dashboard."""
    from django.core.mail import send_mass_mail

    now = timezone.now()
    with transaction.atomic():
        batch = list(Notification.objects.filter(emailed_at__isnull=True,
                                                  created_at__gte=now - timedelta(hours=max_age_hours))
                     .exclude(user__email="").select_related("user")
                     .select_for_update(skip_locked=True, of=("self",)).order_by("id")[:limit])
        if not batch:
            return 0
        subject = gettext("Service desk: %(kind)s")
        base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
        send_mass_mail([(subject % {"kind": n.get_kind_display()}, f"{n.text}\n\n{base}{n.url}",
                         None, [n.user.email]) for n in batch], fail_silently=False)
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(emailed_at=now)
    return len(batch)


def _queue_petitions_vacuum() -> None:
    """After a sweep that changed many flags, the reports' index-only reads of petitions go to the table
    until a VACUUM marks the pages visible again (petitions/maintenance.py): ask for it now rather than at
    beat's next quarter hour."""
    try:
        from petitions.tasks import petitions_vacuum_task

        petitions_vacuum_task.delay()
    except Exception:  # a dead broker must not fail the sweep; beat vacuums every 15 minutes anyway
        logger.warning("broker unavailable; the petitions table waits for beat's VACUUM", exc_info=True)


def _queue_notification_emails() -> None:
    if not getattr(settings, "NOTIFICATIONS_BY_EMAIL", False):
        return
    try:
        from .tasks import notifications_email_task

        notifications_email_task.delay()
    except Exception:  # a dead broker must not fail the sweep; the next sweep queues again
        logger.warning("broker unavailable; notification e-mails wait for the next sweep", exc_info=True)
