"""Roles and object-level access rules, in one place.

Pages, the API and exports ask this module who may see a petition or a studio and which actions a
user may take on a petition; nothing else decides it. Plain rules over ids that are loaded once per
request (`actor_for(user)`), so that checking every row of a list costs no query.

Roles (a user may hold several: a representative can also be studio staff):

- representative (`Representative.user`): sees the petitions of the studios they belong to
  (received there, 首接负责, wherever they went since, or handled there now) and those assigned
  to them (`current_representative`).
- studio staff (`StaffProfile.role == studio`): the same, for their one studio.
- department staff: petitions whose `current_department` is theirs.
- liaison agency staff: petitions in loop 3 of their region (the agency's region subtree).
- organisation department and superusers: everything.

A user who may not see a petition gets 404 for it, never 403: guessing a tracking code must not
confirm that it exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from petitions.models import Petition, PetitionEvent
from petitions.workflow import allowed_actions

A = PetitionEvent.Action

# The actions a person can take from the dashboard. RATE is the citizen's; CLOSE, HOTLINE callbacks
# and RETURN belong to sweeps and the routing services.
DASHBOARD_ACTIONS = (A.ACCEPT, A.REJECT, A.DISPATCH, A.TRANSFER, A.CONSULT, A.HOLD, A.RESUME, A.RESOLVE,
                     A.REPLY, A.NOTE)

# What each kind of relation to a petition allows (before the workflow's own check of the status).
FIRST_CONTACT_ACTIONS = frozenset({A.ACCEPT, A.REJECT, A.DISPATCH, A.REPLY, A.NOTE})
HANDLER_ACTIONS = frozenset({A.ACCEPT, A.REJECT, A.DISPATCH, A.TRANSFER, A.CONSULT, A.HOLD, A.RESUME, A.RESOLVE,
                             A.REPLY, A.NOTE})
DEPARTMENT_ACTIONS = frozenset({A.HOLD, A.RESUME, A.RESOLVE, A.NOTE})
LIAISON_ACTIONS = frozenset({A.CONSULT, A.RESOLVE, A.NOTE})
OVERSIGHT_ACTIONS = frozenset({A.NOTE})


@dataclass(frozen=True)
class Actor:
    """What a user is, as plain ids: computed once per request by `actor_for`."""

    user_id: int | None
    authenticated: bool = False
    superuser: bool = False
    organisation: bool = False
    representative_id: int | None = None
    studio_ids: frozenset = field(default_factory=frozenset)  # member studios, and the staff's studio
    admin_studio_ids: frozenset = field(default_factory=frozenset)  # studios they lead or administer
    department_id: int | None = None
    liaison_region_path: str | None = None
    agency_id: int | None = None  # the liaison agency the staff works for

    @property
    def sees_everything(self) -> bool:
        return self.superuser or self.organisation

    @property
    def has_role(self) -> bool:
        return bool(self.sees_everything or self.representative_id or self.studio_ids or self.department_id
                    or self.liaison_region_path)


ANONYMOUS = Actor(user_id=None)


def actor_for(user) -> Actor:
    """The user's roles, loaded in at most two queries and cached on the user object."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_access_actor", None)
    if cached is not None:
        return cached
    from django.contrib.auth import get_user_model

    from offices.models import Studio, StudioMembership

    row = (get_user_model().objects.filter(pk=user.pk)
           .values("representative__id", "staff_profile__role", "staff_profile__studio_id",
                   "staff_profile__department_id", "staff_profile__region__path", "staff_profile__agency_id",
                   "staff_profile__agency__region__path").first()) or {}
    rep_id = row.get("representative__id")
    role = row.get("staff_profile__role")
    studio_ids, admin_ids = set(), set()
    if rep_id:
        for studio_id, member_role in StudioMembership.objects.filter(representative_id=rep_id).values_list(
                "studio_id", "role"):
            studio_ids.add(studio_id)
            if member_role == StudioMembership.Role.ADMIN:
                admin_ids.add(studio_id)
        led = set(Studio.objects.filter(lead_id=rep_id).values_list("id", flat=True))
        studio_ids |= led  # a lead works for the studio even without a membership row
        admin_ids |= led
    if role == "studio" and row.get("staff_profile__studio_id"):
        studio_ids.add(row["staff_profile__studio_id"])
        admin_ids.add(row["staff_profile__studio_id"])
    actor = Actor(
        user_id=user.pk, authenticated=True, superuser=bool(user.is_superuser),
        organisation=role == "organisation", representative_id=rep_id,
        studio_ids=frozenset(studio_ids), admin_studio_ids=frozenset(admin_ids),
        department_id=row.get("staff_profile__department_id") if role == "department" else None,
        liaison_region_path=(row.get("staff_profile__region__path") or row.get("staff_profile__agency__region__path"))
        if role == "liaison" else None,
        agency_id=row.get("staff_profile__agency_id") if role == "liaison" else None,
    )
    user._access_actor = actor
    return actor


# --- petitions: who sees what ----------------------------------------------------------------

def petition_visibility_q(actor: Actor) -> Q | None:
    """The filter for the petitions `actor` may see; None means everything."""
    if actor.sees_everything:
        return None
    q = Q(pk__in=[])
    if actor.studio_ids:
        q |= Q(studio_id__in=actor.studio_ids) | Q(current_studio_id__in=actor.studio_ids)
    if actor.representative_id:
        q |= Q(current_representative_id=actor.representative_id)
    if actor.department_id:
        q |= Q(current_department_id=actor.department_id)
    if actor.liaison_region_path:
        path = actor.liaison_region_path
        q |= Q(loop=3) & (Q(region__path__startswith=path)
                          | Q(region__isnull=True, studio__region__path__startswith=path))
    return q


def petitions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Petition.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if not actor.authenticated:
        return queryset.none()
    q = petition_visibility_q(actor)
    return queryset if q is None else queryset.filter(q)


def _in_liaison_scope(actor: Actor, petition: Petition) -> bool:
    if not actor.liaison_region_path or petition.loop != 3:
        return False
    region = petition.region if petition.region_id else petition.studio.region
    return region.path.startswith(actor.liaison_region_path)


def is_first_contact(actor: Actor, petition: Petition) -> bool:
    """The user works for the studio that received the petition (首接负责)."""
    return petition.studio_id in actor.studio_ids


def is_handler(actor: Actor, petition: Petition) -> bool:
    """The user works for whoever handles the petition now: its studio, its representative, its department."""
    return bool(
        (petition.current_studio_id and petition.current_studio_id in actor.studio_ids)
        or (actor.representative_id and petition.current_representative_id == actor.representative_id)
        or (actor.department_id and petition.current_department_id == actor.department_id)
    )


def can_see_petition(user, petition: Petition) -> bool:
    actor = actor_for(user)
    if not actor.authenticated:
        return False
    return (actor.sees_everything or is_first_contact(actor, petition) or is_handler(actor, petition)
            or _in_liaison_scope(actor, petition))


def sees_citizen_contact(user, petition: Petition) -> bool:
    """Name and phone unmasked: only for the people handling the petition (and superusers)."""
    actor = actor_for(user)
    return actor.superuser or is_first_contact(actor, petition) or is_handler(actor, petition)


def permitted_actions(user, petition: Petition) -> frozenset:
    """The dashboard actions the user's role allows on this petition, whatever its status."""
    actor = actor_for(user)
    if not actor.authenticated or not can_see_petition(user, petition):
        return frozenset()
    if actor.superuser:
        return frozenset(DASHBOARD_ACTIONS)
    permitted = set()
    department_handles = actor.department_id and petition.current_department_id == actor.department_id
    studio_or_rep_handles = (
        (petition.current_studio_id and petition.current_studio_id in actor.studio_ids)
        or (actor.representative_id and petition.current_representative_id == actor.representative_id))
    if studio_or_rep_handles:
        permitted |= HANDLER_ACTIONS
    if is_first_contact(actor, petition):
        permitted |= FIRST_CONTACT_ACTIONS
    if department_handles:
        permitted |= DEPARTMENT_ACTIONS
    if _in_liaison_scope(actor, petition):
        permitted |= LIAISON_ACTIONS
    if actor.sees_everything:
        permitted |= OVERSIGHT_ACTIONS
    return frozenset(permitted)


def available_actions(user, petition: Petition) -> list[str]:
    """What the petition page offers: the workflow's actions for the status AND what the role permits,
    in the dashboard's order."""
    allowed = set(allowed_actions(petition.status))
    permitted = permitted_actions(user, petition)
    return [a for a in DASHBOARD_ACTIONS if a in allowed and a in permitted]


def may_override_routing(user) -> bool:
    """Overriding the router's suggestion is a staff decision: studio admins, staff and superusers."""
    actor = actor_for(user)
    return bool(actor.superuser or actor.admin_studio_ids or actor.department_id or actor.liaison_region_path)


# --- studios -----------------------------------------------------------------------------------

def studios_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The studios whose internal pages (members, activities, discussion) the user may see."""
    from offices.models import Studio

    queryset = Studio.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if not actor.authenticated:
        return queryset.none()
    if actor.sees_everything:
        return queryset
    q = Q(pk__in=actor.studio_ids)
    if actor.department_id:
        q |= Q(host_department_id=actor.department_id)
    if actor.liaison_region_path:
        q |= Q(region__path__startswith=actor.liaison_region_path)
    return queryset.filter(q)


def can_see_studio(user, studio) -> bool:
    actor = actor_for(user)
    if not actor.authenticated:
        return False
    if actor.sees_everything or studio.pk in actor.studio_ids:
        return True
    if actor.department_id and studio.host_department_id == actor.department_id:
        return True
    return bool(actor.liaison_region_path and studio.region.path.startswith(actor.liaison_region_path))


def can_manage_studio(user, studio) -> bool:
    """Record activities and outcomes, manage members: the studio's lead or admin, its staff, superusers."""
    actor = actor_for(user)
    return bool(actor.superuser or studio.pk in actor.admin_studio_ids)


# --- duties: discussions ----------------------------------------------------------------------

def discussions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Studio threads for the studio's people; topic and agency-wide threads for everyone with a role."""
    from liaison.models import Discussion

    queryset = Discussion.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if not actor.authenticated or not actor.has_role:
        return queryset.none()
    if actor.sees_everything:
        return queryset
    return queryset.filter(Q(studio__isnull=True) | Q(studio__in=studios_visible_to(user).values("pk")))


# --- the liaison agency's side of duties ------------------------------------------------------

def agency_id_for(user) -> int | None:
    """The liaison agency whose proposals, topics and assignments the user runs; None for everyone else.
    Each agency sees only its own: another region's agency gets 404 for them."""
    return actor_for(user).agency_id


def runs_agency(user, agency_id: int | None) -> bool:
    """The user works for this liaison agency: takes its proposals to an answer, publishes and closes its
    research topics, reviews their reports, gives its tasks. Nobody else does, superusers included (as on
    the agency's pages)."""
    own = actor_for(user).agency_id
    return bool(own and own == agency_id)


def _in_region(queryset: QuerySet, region) -> QuerySet:
    """Rows of `region` or of any region below it (the region tree's materialised path)."""
    return queryset.filter(region__path__startswith=region.path)


def departments_in_agency_area(agency, queryset: QuerySet | None = None) -> QuerySet:
    """Departments an agency may hand a proposal to: those of its region and the regions below it."""
    from offices.models import Department

    return _in_region(Department.objects.all() if queryset is None else queryset, agency.region)


def research_claims_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """A representative's own claims; an agency's, on its topics; everything for the organisation."""
    from liaison.models import ResearchClaim

    queryset = ResearchClaim.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if actor.sees_everything:
        return queryset
    q = Q(pk__in=[])
    if actor.representative_id:
        q |= Q(representative_id=actor.representative_id)
    if actor.agency_id:
        q |= Q(topic__agency_id=actor.agency_id)
    return queryset.filter(q)


def _active_representatives_in(region, queryset: QuerySet | None) -> QuerySet:
    from liaison.models import Representative

    return _in_region(Representative.objects.all() if queryset is None else queryset, region).filter(active=True)


def representatives_in_studio_area(studio, queryset: QuerySet | None = None) -> QuerySet:
    """Representatives who may join a studio: active, of its region or the regions below it."""
    return _active_representatives_in(studio.region, queryset)


def representatives_in_agency_area(agency, queryset: QuerySet | None = None) -> QuerySet:
    """Representatives an agency may give tasks to: those of its region and the regions below it."""
    return _active_representatives_in(agency.region, queryset)


def studios_in_agency_area(agency, queryset: QuerySet | None = None) -> QuerySet:
    from offices.models import Studio

    return _in_region(Studio.objects.all() if queryset is None else queryset, agency.region)


def research_topics_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """A representative sees the topics of the agencies over their region (their own and those above)."""
    from liaison.models import Representative, ResearchTopic

    queryset = ResearchTopic.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if actor.sees_everything:
        return queryset
    if actor.agency_id:
        return queryset.filter(agency_id=actor.agency_id)
    if not actor.representative_id:
        return queryset.none()
    path = Representative.objects.filter(pk=actor.representative_id).values_list("region__path", flat=True).first()
    codes = [c for c in (path or "").strip("/").split("/") if c]
    return queryset.filter(agency__region__code__in=codes)


# --- posters -----------------------------------------------------------------------------------

def can_print_posters(user) -> bool:
    """Studio posters (one, or a county's zip): staff of any kind or a representative."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or hasattr(user, "staff_profile") or hasattr(user, "representative"))


# --- duties: proposals and assignment reports (and their files) -----------------------------------

def proposals_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """A proposal is its author's and co-signers', its liaison agency's, and the organisation department's."""
    from liaison.models import Proposal

    queryset = Proposal.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if actor.sees_everything:
        return queryset
    q = Q(pk__in=[])
    if actor.representative_id:
        q |= Q(representative_id=actor.representative_id) | Q(co_signers=actor.representative_id)
    if actor.agency_id:
        q |= Q(agency_id=actor.agency_id)
    return queryset.filter(q).distinct()


def assignment_reports_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """One assignee's report (and evidence) is theirs and the assigning agency's."""
    from liaison.models import AssignmentReport

    queryset = AssignmentReport.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if actor.sees_everything:
        return queryset
    q = Q(pk__in=[])
    if actor.representative_id:
        q |= Q(representative_id=actor.representative_id)
    if actor.agency_id:
        q |= Q(assignment__agency_id=actor.agency_id)
    return queryset.filter(q)


# --- uploaded files -------------------------------------------------------------------------------

def can_see_petition_photos(user, petition: Petition) -> bool:
    """A citizen's photos are personal data, served only through an access-checked view (never /media/).

    They are shown with the petition on the dashboard, so they follow the petition's rule: its
    first-contact studio, whoever handles it now (studio, representative, department), the liaison agency
    of a loop-3 petition in its area, the organisation department and superusers; plus back-office staff
    who were given `petitions.view_petitionphoto`. The citizen's tracking page shows no photos, so a
    tracking code opens none. Everyone else gets 404, as for the petition itself.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if can_see_petition(user, petition):
        return True
    return bool(user.is_staff and user.has_perm("petitions.view_petitionphoto"))
