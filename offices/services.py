"""Writes of a studio's own work: the activities it holds and the outcomes it measures.

Each activity counts once on the duty log of every representative who took part (履职可量化).
"""
from __future__ import annotations

from django.db import transaction

from .models import Studio, StudioActivity, StudioOutcome


@transaction.atomic
def studio_activity_record(*, studio: Studio, recorded_by, kind: str, title: str, held_on, people_reached: int = 0,
                           description: str = "", representatives=(), outcome_metric: str = "",
                           outcome_value=None) -> StudioActivity:
    from liaison.models import DutyRecord
    from liaison.services import duty_record

    activity = StudioActivity(studio=studio, recorded_by=recorded_by, kind=kind, title=(title or "").strip(),
                              held_on=held_on, people_reached=people_reached or 0,
                              description=(description or "").strip())
    activity.full_clean()
    activity.save()
    activity.representatives.set(representatives)
    if outcome_metric and outcome_value is not None:
        outcome = StudioOutcome(studio=studio, activity=activity, metric=outcome_metric, value=outcome_value,
                                achieved_on=held_on, description=activity.title[:255])
        outcome.full_clean()
        outcome.save()
    for rep in representatives:
        duty_record(representative_id=rep.pk, kind=DutyRecord.Kind.ACTIVITY, source="offices.studioactivity",
                    source_id=activity.pk, summary=activity.title)
    return activity
