"""The dashboard's write path: one function that takes a person's action on a petition.

It locks the petition, refuses an action taken on a stale page (someone else acted first: the
status or the version the user saw has changed), checks the role through liaison.access, and then
calls the petitions services: petition_transition() for every status change, and the routing
services (petitions.services_routing) for overrides, transfers and joint consultations. One
action, one transaction: the routing services nest inside it and find the lock already held.
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from liaison import access
from liaison.services import duty_record_petition_resolved
from petitions import services, services_routing
from petitions.errors import PetitionError
from petitions.routing import RoutingImpossible
from petitions.models import Petition, PetitionEvent, Status

A = PetitionEvent.Action


class StalePage(PetitionError):
    """The petition changed since the page was shown: the action is refused, nothing is written."""

    def __init__(self, status: str):
        self.status = status
        super().__init__(_("Someone else acted on this petition first; it is now “%(status)s”. "
                           "The page shows its current state: check the trail and try again if still needed.")
                         % {"status": Status(status).label})


class ActionNotPermitted(PetitionError):
    def __init__(self):
        super().__init__(_("You may not take this action on this petition."))


def petition_version(petition: Petition) -> str:
    """Changes with every step on the trail (petition_transition stamps updated_at)."""
    return str(int(petition.updated_at.timestamp() * 1_000_000))


@transaction.atomic
def petition_act(*, user, petition_id: int, action: str, expected_status: str, version: str,
                 details: dict) -> Petition:
    """Take `action` on the petition for `user`, or raise StalePage / ActionNotPermitted /
    TransitionNotAllowed / MissingDetail without writing anything."""
    petition = (Petition.objects.select_for_update(of=("self",)).select_related("studio__region", "region")
                .get(pk=petition_id))
    if petition.status != expected_status or petition_version(petition) != version:
        raise StalePage(petition.status)
    if action not in access.available_actions(user, petition):
        raise ActionNotPermitted()

    common = {"petition_id": petition.pk, "action": action, "actor": user, "expected_status": expected_status}
    details = dict(details)
    try:
        if action == A.DISPATCH:
            if details.get("override"):
                # A person's routing decision: OVERRIDE (with the reason) then DISPATCH, and the 12345
                # forwarding or the joint consultation where the loop needs one.
                services_routing.petition_route_override(
                    petition_id=petition.pk, actor=user, loop=details["loop"],
                    reason=details.get("override_reason") or details.get("note", ""),
                    studio=details.get("studio"), department=details.get("department"))
                return Petition.objects.get(pk=petition.pk)
            return services.petition_transition(**common, loop=details["loop"], studio=details.get("studio"),
                                                department=details.get("department"), note=details.get("note", ""))
        if action == A.TRANSFER:
            return services_routing.petition_transfer(petition_id=petition.pk, actor=user, studio=details["studio"],
                                                      reason=details["note"])
        if action == A.CONSULT:
            # Loop 3 by a person's judgement: the liaison agency of the level convenes the consultation.
            services_routing.petition_route_override(
                petition_id=petition.pk, actor=user, loop=3, reason=details["note"],
                departments=details.get("departments") or ())
            return Petition.objects.get(pk=petition.pk)
    except RoutingImpossible as exc:
        raise PetitionError(exc.message) from exc
    petition = services.petition_transition(**common, **details)
    if action == A.RESOLVE:
        # 履职可量化: resolving counts on the representative's duty log, in the same transaction.
        duty_record_petition_resolved(petition=petition, representative_id=access.actor_for(user).representative_id)
    return petition
