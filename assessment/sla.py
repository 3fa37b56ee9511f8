"""SLA policies and the deadlines of a petition's three clocks (accept, resolve, reply).

Stages and their clocks:

* accept  — from `submitted_at`; runs while the petition is submitted, and while it is accepted but
  not yet dispatched (受理 and 分转 belong together: the receiving studio accepts and passes on).
* resolve — from the *first* dispatch; a transfer or a return and re-dispatch does not reset it
  (first-contact responsibility). A dissatisfied rating reopens the petition with a fresh clock.
* reply   — from `resolved_at`.

While a petition is on hold (waiting for the citizen) its clock stands still: `sla_apply()` records
an SlaPause on hold and, on resume, moves the current stage's deadline later by the working time
the pause used. Deadlines are working days (assessment.workdays) at the same clock time.

Policies are few (3 loops × at most ~10 sectors); they are cached per process for POLICY_TTL
seconds and reset whenever a policy is saved in this process.
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, FloatField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from . import workdays

ACCEPT, RESOLVE, REPLY = "accept", "resolve", "reply"
STAGES = (ACCEPT, RESOLVE, REPLY)
STAGE_LABELS = {ACCEPT: _("accept"), RESOLVE: _("resolve"), REPLY: _("answer")}
DEFAULT_RESOLVE_DAYS = {1: 5, 2: 10, 3: 20}
DEFAULT_ACCEPT_DAYS = 1
DEFAULT_REPLY_DAYS = 1
DEFAULT_YELLOW_SHARE = 0.75
POLICY_TTL = 60.0

# Statuses whose clock runs (the sweep flags only these); on hold the clock stands still.
CLOCK_STATUSES = ("submitted", "accepted", "dispatched", "resolved")


@dataclass(frozen=True)
class Policy:
    accept_days: int
    resolve_days: int
    reply_days: int
    yellow_share: float


@dataclass(frozen=True)
class Deadlines:
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    reply_due_at: datetime | None
    stage: str | None
    due_at: datetime | None


_policies: dict | None = None
_policies_loaded_at = 0.0


def reset_cache() -> None:
    global _policies
    _policies = None


def _load() -> dict:
    global _policies, _policies_loaded_at
    if _policies is None or _time.monotonic() - _policies_loaded_at > POLICY_TTL:
        from .models import SlaPolicy

        _policies = {
            (p.loop, p.sector_id): Policy(p.accept_days, p.resolve_days, p.reply_days, float(p.yellow_share))
            for p in SlaPolicy.objects.all()
        }
        _policies_loaded_at = _time.monotonic()
    return _policies


def builtin_policy(loop: int | None) -> Policy:
    return Policy(DEFAULT_ACCEPT_DAYS, DEFAULT_RESOLVE_DAYS.get(loop or 1, 5), DEFAULT_REPLY_DAYS,
                  DEFAULT_YELLOW_SHARE)


def policy_for(loop: int | None, sector_id: int | None) -> Policy:
    """The loop+sector policy, else the loop's default, else the built-in defaults.
    A petition not yet given a loop (still being accepted) counts as loop 1."""
    loop = loop or 1
    policies = _load()
    return policies.get((loop, sector_id)) or policies.get((loop, None)) or builtin_policy(loop)


def yellow_share_expression():
    """SQL: the yellow share of each petition's policy, as a small CASE over the few policies."""
    whens = []
    policies = _load()
    # Sector-specific policies first, then the loop defaults.
    for (loop, sector_id), policy in sorted(policies.items(), key=lambda kv: kv[0][1] is None):
        loop_q = Q(loop=loop) | Q(loop__isnull=True) if loop == 1 else Q(loop=loop)
        condition = loop_q & Q(sector_id=sector_id) if sector_id is not None else loop_q
        whens.append(When(condition, then=Value(policy.yellow_share)))
    return Case(*whens, default=Value(DEFAULT_YELLOW_SHARE), output_field=FloatField())


def current_stage(status: str, *, resolve_due_at=None, held_from: str = "") -> str | None:
    if status == "on_hold":
        status = held_from or "dispatched"
    if status == "submitted":
        return ACCEPT
    if status == "accepted":
        return RESOLVE if resolve_due_at else ACCEPT
    if status == "dispatched":
        return RESOLVE
    if status == "resolved":
        return REPLY
    return None


def stage_deadlines(*, status: str, loop: int | None, sector_id: int | None, submitted_at: datetime,
                    dispatched_at: datetime | None = None, resolved_at: datetime | None = None,
                    accept_due_at: datetime | None = None, resolve_due_at: datetime | None = None,
                    reply_due_at: datetime | None = None, held_from: str = "") -> Deadlines:
    """Every stage's deadline, and the current stage's. Pure apart from the cached calendar and policies.

    A deadline already set is kept (so a transfer never resets the first-contact clock, and a pause
    extension survives); the missing ones are computed from the stage's start.
    """
    policy = policy_for(loop, sector_id)
    accept_due = accept_due_at or workdays.add_workdays(submitted_at, policy.accept_days)
    resolve_due = resolve_due_at or (workdays.add_workdays(dispatched_at, policy.resolve_days)
                                     if dispatched_at else None)
    reply_due = reply_due_at or (workdays.add_workdays(resolved_at, policy.reply_days) if resolved_at else None)
    stage = current_stage(status, resolve_due_at=resolve_due, held_from=held_from)
    due = {ACCEPT: accept_due, RESOLVE: resolve_due, REPLY: reply_due}.get(stage)
    return Deadlines(accept_due, resolve_due, reply_due, stage, due)


def petition_deadlines(petition) -> Deadlines:
    return stage_deadlines(
        status=petition.status, loop=petition.loop, sector_id=petition.sector_id,
        submitted_at=petition.submitted_at, dispatched_at=petition.dispatched_at,
        resolved_at=petition.resolved_at, accept_due_at=petition.accept_due_at,
        resolve_due_at=petition.resolve_due_at, reply_due_at=petition.reply_due_at, held_from=petition.held_from,
    )


_DUE_FIELD = {ACCEPT: "accept_due_at", RESOLVE: "resolve_due_at", REPLY: "reply_due_at"}


def sla_apply(*, petition, action: str, at: datetime) -> None:
    """The hook for petitions.services: call it after the status and stamps are set and before
    `petition.save()` (under the petition's row lock). Sets the three deadlines and `due_at` on the
    instance, and keeps the pause bookkeeping (an SlaPause row) on hold and resume."""
    from .models import SlaPause

    if action == "hold" and petition.pk:
        stage = current_stage(petition.held_from or "dispatched", resolve_due_at=petition.resolve_due_at)
        SlaPause.objects.get_or_create(petition_id=petition.pk, ended_at=None,
                                       defaults={"started_at": at, "stage": stage or ""})
    elif action == "resume" and petition.pk:
        pause = SlaPause.objects.filter(petition_id=petition.pk, ended_at__isnull=True).first()
        if pause is not None:
            seconds = int(workdays.working_seconds_between(pause.started_at, at))
            pause.ended_at, pause.working_seconds = at, seconds
            pause.save(update_fields=["ended_at", "working_seconds"])
            field = _DUE_FIELD.get(pause.stage)
            if field and getattr(petition, field) and seconds:
                setattr(petition, field, workdays.add_working_seconds(getattr(petition, field), seconds))
    elif action == "rate" and petition.status == "dispatched":
        # Reopened after a dissatisfied rating: a fresh clock to resolve again, no reply due yet.
        policy = policy_for(petition.loop, petition.sector_id)
        petition.resolve_due_at = workdays.add_workdays(at, policy.resolve_days)
        petition.reply_due_at = None

    deadlines = petition_deadlines(petition)
    petition.accept_due_at = deadlines.accept_due_at
    petition.resolve_due_at = deadlines.resolve_due_at
    petition.reply_due_at = deadlines.reply_due_at
    petition.due_at = deadlines.due_at
