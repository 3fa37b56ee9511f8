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


# --- members: managed by the studio's lead or admins -------------------------------------------

class MembershipError(Exception):
    """A membership change the studio's current members refuse (already a member, the lead); the message
    says why, in the user's language. Nothing was changed. The API answers 409."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class MembershipInputError(MembershipError):
    """A membership change asked with wrong input; `field` names it. Nothing was changed; the API answers 400."""

    def __init__(self, message, *, field: str | None = None):
        self.field = field
        super().__init__(message)


@transaction.atomic
def studio_member_add(*, studio: Studio, representative, actor, role: str = "member"):
    """Add an active representative of the studio's region (or a region below it)."""
    from django.utils.translation import gettext as _

    from liaison import access

    from .models import StudioMembership

    if not representative.active:
        raise MembershipInputError(_("This representative is no longer active."), field="representative")
    if not access.representatives_in_studio_area(studio).filter(pk=representative.pk).exists():
        raise MembershipInputError(_("This representative is outside the studio's area."), field="representative")
    membership, created = StudioMembership.objects.get_or_create(studio=studio, representative=representative,
                                                                 defaults={"role": role})
    if not created:
        raise MembershipError(_("%(name)s is already a member of this studio.") % {"name": representative.name})
    return membership


@transaction.atomic
def studio_member_set_role(*, studio: Studio, membership_id: int, role: str, actor):
    """Appoint a member as studio admin, or make an admin a plain member again."""
    from django.utils.translation import gettext as _

    from .models import StudioMembership

    if role not in StudioMembership.Role.values:
        raise MembershipInputError(_("Unknown role."), field="role")
    membership = StudioMembership.objects.select_for_update().filter(pk=membership_id, studio=studio).first()
    if membership is None:
        raise MembershipError(_("No such member in this studio."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def studio_member_remove(*, studio: Studio, membership_id: int, actor) -> None:
    """Remove a member; the studio's lead stays (change the lead in the back office)."""
    from django.utils.translation import gettext as _

    from .models import StudioMembership

    membership = StudioMembership.objects.select_for_update().filter(pk=membership_id, studio=studio).first()
    if membership is None:
        raise MembershipError(_("No such member in this studio."))
    if membership.representative_id == studio.lead_id:
        raise MembershipError(_("The lead representative cannot be removed here."))
    membership.delete()
