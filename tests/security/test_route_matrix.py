"""The complete permission matrix: every URL pattern of config.urls (found by walking the resolver, the admin
included) × every role, with the ids of objects of studio A's side and of studio B's side filled in.

- `ROUTES` classifies every pattern: who may open it, for which side's object. A pattern the table does not
  know (a new endpoint) fails `test_every_route_is_classified`, so no route is silently left out; nor may
  the table keep a pattern that is gone.
- Each cell is one request and asserts its status: allowed → the page (200, or what the route answers);
  not allowed → anonymous visitors and citizens go to the login (pages) or get 401/403 (API), everyone
  else gets 403 or 404 (405 when the route only takes POST).
- Each 2xx answer (HTML, JSON, CSV, XLSX) is searched for what the role may not see: markers of the other
  side's duties, flags, red cards, threads and notifications (tests/security/world.py), the tracking codes
  of petitions it may not see, and p_b's phone number unless it handles p_b.
- Each route that takes a POST is posted by every role that may not use it, for each side: nothing in the
  database changes (petitions, trail, duties, memberships, notifications, files).
- The admin: only staff, and only for the models their permissions allow (expected statuses come from the
  ModelAdmins' own has_*_permission); everyone else is sent to the admin's login, and POSTs change nothing.
- Petition actions, on the dashboard and through the API: a role that may not take an action on a
  petition (another studio's, or not its role) is refused for every action, and no event is written.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Callable

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from assessment.models import DownloadJob, Notification, RedCard
from config.api_router import api_not_found
from liaison import access
from liaison.models import (Assignment, AssignmentReport, DiscussionPost, DutyRecord, Proposal, ResearchClaim,
                            ResearchTopic)
from offices.models import StudioActivity, StudioMembership
from petitions.codes import format_tracking_code
from petitions.dashboard.actions import petition_version
from petitions.models import Petition, PetitionEvent, PetitionPhoto
from tests.roles import VISIBLE
from tests.security.world import (ADMIN_VIEWER, CITIZEN, LOGGED_IN, ORG, P_B_PHONE, ROLES, SEES, WITH_ROLE,
                                  build_full_world, hidden_markers, hidden_petitions)

pytestmark = pytest.mark.django_db

ANON = {"anonymous", CITIZEN}
SIDES = ("a", "b")
EVERYONE = frozenset(ROLES)
POSTERS = WITH_ROLE | {ADMIN_VIEWER}  # offices.views.can_print_posters: any staff, representative or is_staff
MANAGERS = {"a": {"studio_staff_a", "superuser"}, "b": {"superuser"}}  # can_manage_studio
AGENCY = {"a": {"liaison_a"}, "b": set()}  # the agency's own objects; agency B has no account in the world
OWN_REP = {"a": {"rep_a"}, "b": {"rep_b"}}
PETITION_SEES = {s: {r for r, seen in VISIBLE.items() if f"p_{s}" in seen} for s in SIDES}
PHOTO_SEES = {s: PETITION_SEES[s] | {ADMIN_VIEWER} for s in SIDES}
P_A_TEXT, P_B_TEXT = "A 的诉求：路灯坏了", "B 的诉求：下水道堵塞"


@dataclass(frozen=True)
class Route:
    """How one URL pattern answers. `allow` is a set of roles, or per side ("a"/"b") when the pattern
    takes the id of a side's object (`params`)."""

    allow: frozenset | dict
    params: Callable | None = None  # (world, side) -> {name: value}
    ok: frozenset = frozenset({200})  # what an allowed GET answers
    post: Callable | None = None  # (world, side) -> data: sent by every role not allowed; nothing changes
    writes: tuple = ("post",)  # how `post` is sent: POST, or DELETE/PATCH (JSON) for the API's members
    post_only: bool = False  # GET is 405 for whoever gets past the login
    api: bool = False  # anonymous: 401/403 instead of the login page
    queries: tuple = ("",)  # query strings, each one more cell (exports)
    codes_are_public: bool = False  # the page names petitions by their code by design (Open311, the citizen's own)
    denied: frozenset = frozenset()  # extra statuses a denied role may get (documented per route)
    post_allow: frozenset | dict | None = None  # who may write, where fewer may write than read
    note: str = ""

    def allows(self, role, side):
        allow = self.allow[side] if isinstance(self.allow, dict) else self.allow
        return role in allow

    def may_write(self, role, side):
        if self.post_allow is None:
            return self.allows(role, side)
        allow = self.post_allow[side] if isinstance(self.post_allow, dict) else self.post_allow
        return role in allow


def _roles(allow):
    return frozenset(allow) if not isinstance(allow, dict) else {k: frozenset(v) for k, v in allow.items()}


def R(allow, post_allow=None, **kw):
    return Route(allow=_roles(allow), post_allow=None if post_allow is None else _roles(post_allow), **kw)


def obj(attr, key="pk"):
    """Parameters from the side's object `<attr>_<side>` of the world."""
    return lambda w, s: {key: getattr(getattr(w, f"{attr}_{s}"), "pk")}


def petition(key="tracking_code"):
    return lambda w, s: {key: getattr(w, f"p_{s}").tracking_code}


def studio(key="code"):
    return lambda w, s: {key: getattr(w, f"studio_{s}").code}


PUBLIC = R(EVERYONE)
API_CATCH_ALL = "api/v1/<anything else>"  # config.api_router.api_not_found, whatever its regex
EXPORTS = ("", "?export=csv", "?export=xlsx")


def _exports(*tables):
    return ("",) + tuple(f"?export={fmt}&table={t}" for t in tables for fmt in ("csv", "xlsx"))


ROUTES: dict[str, Route] = {
    # --- public pages of citizens ---------------------------------------------------------------
    "": PUBLIC,
    "counters/": PUBLIC,
    "healthz": R(EVERYONE, ok=frozenset({200, 503})),
    "i18n/setlang/": R(EVERYONE, ok=frozenset({302})),
    "s/<slug:code>/": R(EVERYONE, params=studio()),
    "submitted/<str:token>/": R(EVERYONE, params=lambda w, s: {"token": signing.dumps(
        {"c": getattr(w, f"p_{s}").tracking_code, "s": getattr(w, f"studio_{s}").code, "p": 1},
        salt="petitions.submitted", compress=True)}, codes_are_public=True,
        note="a signed link shows the code it names, nothing else"),
    "track/": R(EVERYONE, queries=("", "?code={p_a}&digits=1234", "?code={p_b}&digits=1234"),
                codes_are_public=True, note="the form echoes the code typed; p_b's digits are not 1234"),
    "track/rate/": R(EVERYONE, post_only=True, ok=frozenset({405}), post=lambda w, s: {
        "code": getattr(w, f"p_{s}").tracking_code, "digits": "0000", "rating": "dissatisfied", "comment": "x"}),
    # --- accounts -------------------------------------------------------------------------------
    "accounts/login/": PUBLIC,
    "accounts/logout/": R(EVERYONE, ok=frozenset({405}), note="POST only; not posted: it would end the session"),
    "accounts/password_change/": R(LOGGED_IN),
    "accounts/password_change/done/": R(LOGGED_IN),
    "accounts/password_reset/": PUBLIC,
    "accounts/password_reset/done/": PUBLIC,
    "accounts/reset/<uidb64>/<token>/": R(EVERYONE, params=lambda w, s: {"uidb64": "MQ", "token": "x-y"}),
    "accounts/reset/done/": PUBLIC,
    # --- posters (images of public studio pages) --------------------------------------------------
    "s/<slug:code>/poster.<str:fmt>": R(POSTERS, params=lambda w, s: {"code": getattr(w, f"studio_{s}").code,
                                                                      "fmt": "svg"}),
    "posters/": R(POSTERS),
    # --- the dashboard: petitions ---------------------------------------------------------------
    "dashboard/": R(LOGGED_IN),
    "dashboard/p/<str:tracking_code>/": R(PETITION_SEES, params=petition()),
    "dashboard/p/<str:tracking_code>/<slug:action>/": R(
        PETITION_SEES, params=lambda w, s: {"tracking_code": getattr(w, f"p_{s}").tracking_code, "action": "note"},
        post_only=True, ok=frozenset({405}), note="every action is posted by test_petition_actions_*"),
    "dashboard/photos/<int:photo_id>/": R(PHOTO_SEES, params=obj("photo", "photo_id")),
    "dashboard/hot-words/": R(WITH_ROLE),
    "dashboard/hot-words/panel/": R(LOGGED_IN),
    "dashboard/hot-words/<str:term>/": R(WITH_ROLE, params=lambda w, s: {"term": "路灯" if s == "a" else "下水道"}),
    # --- the dashboard: a representative's duties -------------------------------------------------
    "dashboard/duties/": R({"rep_a", "rep_b"}),
    "dashboard/research/": R({"rep_a", "rep_b"}),
    "dashboard/research/<int:topic_id>/claim/": R(OWN_REP, params=obj("topic", "topic_id"), post_only=True,
                                                  ok=frozenset({405}), post=lambda w, s: {}),
    "dashboard/research/claims/<int:claim_id>/report/": R(OWN_REP, params=obj("claim", "claim_id"), post_only=True,
                                                          ok=frozenset({405}),
                                                          post=lambda w, s: {"report": "改写"}),
    "dashboard/assignments/": R({"rep_a", "rep_b"}),
    "dashboard/assignments/<int:report_id>/complete/": R(OWN_REP, params=obj("report", "report_id"),
                                                         post_only=True, ok=frozenset({405}),
                                                         post=lambda w, s: {"evidence": "已完成"}),
    "dashboard/discussions/": R(LOGGED_IN),
    "dashboard/discussions/<int:discussion_id>/": R(SEES["thread"], params=obj("thread", "discussion_id"),
                                                    post=lambda w, s: {"body": "插话"}),
    "dashboard/proposals/": R({"rep_a", "rep_b"}),
    "dashboard/files/proposals/<int:proposal_id>/": R(SEES["proposal"], params=obj("proposal", "proposal_id")),
    "dashboard/files/research/<int:claim_id>/": R(SEES["claim"], params=obj("claim", "claim_id")),
    "dashboard/files/assignments/<int:report_id>/": R(SEES["task"], params=obj("report", "report_id")),
    # --- the dashboard: a studio's work and members (its lead, admins and staff) ------------------
    "dashboard/studio/": R(MANAGERS["a"]),
    "dashboard/studio/<str:studio_code>/": R(MANAGERS, params=studio("studio_code"), post=lambda w, s: {
        "kind": "training", "title": "闯入", "held_on": "2024-01-01", "people_reached": "1"}),
    "dashboard/studio/<str:studio_code>/members/": R(MANAGERS, params=studio("studio_code"),
                                                    post=lambda w, s: {"who": w.rep_a.name}),
    "dashboard/studio/<str:studio_code>/members/<int:membership_id>/": R(
        MANAGERS, params=lambda w, s: {"studio_code": getattr(w, f"studio_{s}").code,
                                       "membership_id": getattr(w, f"membership_{s}").pk},
        post_only=True, ok=frozenset({405}), post=lambda w, s: {"remove": "1"}),
    # --- notifications: one's own ----------------------------------------------------------------
    "dashboard/notifications/": R(LOGGED_IN),
    "dashboard/notifications/read-all/": R(LOGGED_IN, post_only=True, ok=frozenset({405})),
    "dashboard/notifications/<int:notification_id>/read/": R(
        SEES["note"], params=obj("note", "notification_id"), post_only=True, ok=frozenset({405}),
        post=lambda w, s: {"open": "1"}, denied=frozenset({302}),
        note="another's id: a no-op that redirects to one's own list, like an id that does not exist"),
    # --- the liaison agency's side ----------------------------------------------------------------
    "dashboard/agency/": R(AGENCY["a"]),
    "dashboard/agency/proposals/<int:proposal_id>/<slug:step>/": R(
        AGENCY, params=lambda w, s: {"proposal_id": getattr(w, f"proposal_{s}").pk, "step": "accept"},
        post_only=True, ok=frozenset({405}), post=lambda w, s: {}),
    "dashboard/agency/research/": R(AGENCY["a"]),
    "dashboard/agency/research/claims/<int:claim_id>/review/": R(
        AGENCY, params=obj("claim", "claim_id"), post_only=True, ok=frozenset({405}),
        post=lambda w, s: {"decision": "accept", "review": "好"}),
    "dashboard/agency/research/<int:topic_id>/close/": R(AGENCY, params=obj("topic", "topic_id"), post_only=True,
                                                         ok=frozenset({405}), post=lambda w, s: {}),
    "dashboard/agency/assignments/": R(AGENCY["a"]),
    "dashboard/agency/assignments/<int:assignment_id>/": R(AGENCY, params=obj("task", "assignment_id")),
    # --- reports of the organisation department, and their exports --------------------------------
    "reports/": R(ORG, queries=_exports("monthly", "weekly", "sectors")),
    "reports/team/": R(ORG, queries=_exports("levels", "sectors", "regions")),
    "reports/position/": R(ORG, queries=_exports("levels", "sectors", "regions", "kinds")),
    "reports/operation/": R(ORG, queries=EXPORTS, ok=frozenset({200, 302})),
    "reports/assessment/": R(ORG, queries=_exports("studios", "representatives"), ok=frozenset({200, 302})),
    "reports/scorecards/<int:pk>/": R({s: OWN_REP[s] | ORG for s in SIDES}, params=obj("scorecard")),
    "reports/scorecards/<int:pk>/<slug:figure>/": R(
        {s: OWN_REP[s] | ORG for s in SIDES},
        params=lambda w, s: {"pk": getattr(w, f"scorecard_{s}").pk, "figure": "received"},
        queries=EXPORTS, ok=frozenset({200, 302})),
    # --- background downloads (report exports, poster zips): the owner's own -----------------------
    "downloads/": R(LOGGED_IN),
    "downloads/start/": R(ORG, post_only=True, ok=frozenset({405}), post=lambda w, s: {
        "kind": "report", "report": "operation", "format": "csv"},
        note="who may start what is the kind's rule; the organisation's report is posted by the others"),
    "downloads/<uuid:job_id>/": R(OWN_REP, params=obj("job", "job_id")),
    "downloads/<uuid:job_id>/status/": R(OWN_REP, params=obj("job", "job_id")),
    "downloads/<uuid:job_id>/file/": R(OWN_REP, params=obj("job", "job_id")),
    # --- API ------------------------------------------------------------------------------------
    "api/schema/": PUBLIC,
    "api/docs/": PUBLIC,
    "api/v1/auth/token": R(EVERYONE, ok=frozenset({405}), api=True, note="POST only: the password login"),
    "api/v1/hotline/events": R(set(), api=True, post_only=True, post=lambda w, s: {"event": "x"},
                               denied=frozenset({401}),
                               note="the 12345 callback: only with its HMAC signature, which no role has"),
    "api/v1/reports/figures": R(ORG, api=True),
    "api/v1/^sectors$": PUBLIC,
    "api/v1/^sectors/(?P<code>[^/.]+)$": R(EVERYONE, params=lambda w, s: {"code": w.sector.code}),
    "api/v1/^regions$": PUBLIC,
    "api/v1/^regions/(?P<code>[^/.]+)$": R(EVERYONE, params=lambda w, s: {"code": getattr(w, f"county_{s}").code}),
    "api/v1/^studios$": PUBLIC,
    "api/v1/^studios/(?P<code>[^/.]+)$": R(EVERYONE, params=studio()),
    "api/v1/^representatives$": PUBLIC,
    "api/v1/^representatives/(?P<pk>[^/.]+)$": R(EVERYONE, params=lambda w, s: {"pk": getattr(w, f"rep_{s}").pk}),
    "api/v1/^hot-words$": PUBLIC,
    "api/v1/^petitions$": R(LOGGED_IN, api=True),
    "api/v1/^petitions/(?P<tracking_code>[^/.]+)$": R(PETITION_SEES, params=petition(), api=True),
    "api/v1/^petitions/(?P<tracking_code>[^/.]+)/events$": R(PETITION_SEES, params=petition(), api=True),
    "api/v1/^petitions/(?P<tracking_code>[^/.]+)/actions/(?P<action_name>[^/.]+)$": R(
        PETITION_SEES, params=lambda w, s: {"tracking_code": getattr(w, f"p_{s}").tracking_code,
                                            "action_name": "note"},
        api=True, post_only=True, ok=frozenset({405}), note="every action is posted by test_petition_actions_*"),
    "api/v1/^flags$": R(WITH_ROLE, api=True),
    "api/v1/^flags/(?P<pk>[^/.]+)$": R(SEES["flag"], params=obj("flag"), api=True),
    "api/v1/^red-cards$": R(WITH_ROLE, api=True),
    "api/v1/^red-cards/(?P<pk>[^/.]+)$": R(SEES["card"], params=obj("card"), api=True),
    "api/v1/^scorecards$": R(ORG, api=True),
    "api/v1/^scorecards/(?P<pk>[^/.]+)$": R({s: ORG for s in SIDES}, params=obj("scorecard"), api=True),
    "api/v1/^proposals$": R(WITH_ROLE, api=True),
    "api/v1/^proposals/(?P<pk>[^/.]+)$": R(SEES["proposal"], params=obj("proposal"), api=True),
    **{f"api/v1/^proposals/(?P<pk>[^/.]+)/{step}$": R(
        AGENCY, params=obj("proposal"), api=True, post_only=True, ok=frozenset({405}),
        post=lambda w, s: {"reason": "越权", "answer": "越权", "department": w.department.code})
        for step in ("accept", "decline", "hand-over", "answer")},
    "api/v1/^research-topics/(?P<pk>[^/.]+)/close$": R(AGENCY, params=obj("topic"), api=True, post_only=True,
                                                        ok=frozenset({405}), post=lambda w, s: {}),
    "api/v1/^research-topics$": R(WITH_ROLE, api=True),
    "api/v1/^research-claims$": R(WITH_ROLE, api=True),
    "api/v1/^research-claims/(?P<pk>[^/.]+)$": R(SEES["claim"], params=obj("claim"), api=True),
    "api/v1/^research-claims/(?P<pk>[^/.]+)/report$": R(OWN_REP, params=obj("claim"), api=True, post_only=True,
                                                         ok=frozenset({405}), post=lambda w, s: {"report": "改写"}),
    "api/v1/^research-claims/(?P<pk>[^/.]+)/review$": R(AGENCY, params=obj("claim"), api=True, post_only=True,
                                                         ok=frozenset({405}),
                                                         post=lambda w, s: {"decision": "accept", "review": "好"}),
    "api/v1/^agency/assignments$": R(AGENCY["a"], api=True, post=lambda w, s: {
        "title": "越权任务", "due_on": "2030-01-01", "studio": w.studio_a.code}),
    "api/v1/^agency/assignments/(?P<pk>[^/.]+)$": R(AGENCY, params=obj("task"), api=True),
    "api/v1/^studios/(?P<studio_code>[^/.]+)/members$": R(MANAGERS, params=studio("studio_code"), api=True,
                                                          post=lambda w, s: {"who": w.rep_a.name}),
    "api/v1/^studios/(?P<studio_code>[^/.]+)/members/(?P<pk>[^/.]+)$": R(
        MANAGERS, params=lambda w, s: {"studio_code": getattr(w, f"studio_{s}").code,
                                       "pk": getattr(w, f"membership_{s}").pk},
        api=True, post_only=True, ok=frozenset({405}), writes=("delete", "patch"), post=lambda w, s: {"role": "admin"},
        note="no GET; removing a member or making them admin is tried by every role that does not manage it"),
    "api/v1/^studios/(?P<studio_code>[^/.]+)/activities$": R(
        EVERYONE, params=studio("studio_code"), api=True, post_allow=MANAGERS, post=lambda w, s: {
            "kind": "training", "title": "闯入", "held_on": "2024-01-01", "people_reached": "1"},
        note="public reading, as on the studio's page; recording is its managers' (test_studio_activities_api)"),
    "api/v1/^studios/(?P<studio_code>[^/.]+)/outcomes$": R(EVERYONE, params=studio("studio_code"), api=True),
    "api/v1/^discussions$": R(WITH_ROLE, api=True),
    "api/v1/^discussions/(?P<pk>[^/.]+)$": R(SEES["thread"], params=obj("thread"), api=True),
    "api/v1/^discussions/(?P<pk>[^/.]+)/posts$": R(SEES["thread"], params=obj("thread"), api=True,
                                                   post=lambda w, s: {"body": "插话"}),
    "api/v1/^research-topics/(?P<pk>[^/.]+)$": R(SEES["topic"], params=obj("topic"), api=True),
    "api/v1/^research-topics/(?P<pk>[^/.]+)/claim$": R(OWN_REP, params=obj("topic"), api=True, post_only=True,
                                                        ok=frozenset({405}), post=lambda w, s: {}),
    "api/v1/^assignments$": R({"rep_a", "rep_b"}, api=True),
    "api/v1/^assignments/(?P<pk>[^/.]+)$": R(OWN_REP, params=obj("report"), api=True),
    "api/v1/^assignments/(?P<pk>[^/.]+)/report$": R(OWN_REP, params=obj("report"), api=True, post_only=True,
                                                     ok=frozenset({405}), post=lambda w, s: {"evidence": "已完成"}),
    API_CATCH_ALL: R(set(), api=True, denied=frozenset({404}),
                     note="anything else under /api/v1/: the API's JSON 404, for everyone"),
    # --- Open311 GeoReport v2: public by design, never a name, a phone or a photo -------------------
    "open311/v2/^discovery\\.(?P<fmt>json|xml)$": PUBLIC,
    "open311/v2/^services\\.(?P<fmt>json|xml)$": PUBLIC,
    "open311/v2/^services/(?P<service_code>[-\\w]+)\\.(?P<fmt>json|xml)$": R(
        EVERYONE, params=lambda w, s: {"service_code": w.sector.code}),
    "open311/v2/^requests\\.(?P<fmt>json|xml)$": R(EVERYONE, codes_are_public=True),
    "open311/v2/^requests/(?P<service_request_id>[-\\w]+)\\.(?P<fmt>json|xml)$": R(
        EVERYONE, params=lambda w, s: {"service_request_id": getattr(w, f"p_{s}").tracking_code},
        codes_are_public=True),
    "open311/v2/^tokens/(?P<token>[-\\w]+)\\.(?P<fmt>json|xml)$": R(
        EVERYONE, params=lambda w, s: {"token": "nope"}, ok=frozenset({404})),
}


# --- walking the resolver ------------------------------------------------------------------------

def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _key(route: str, pattern) -> str:
    """The matrix's name of a route: itself, but one name for the API's catch-all whatever its regex."""
    return API_CATCH_ALL if pattern.callback is api_not_found else route


ALL_ROUTES = list(dict.fromkeys(_key(route, p) for route, p in _walk(get_resolver().url_patterns)))
FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>\[a-z0-9\]\+\)/\?\$$")


def _base(route: str) -> str:
    """DRF's format-suffix twin of a route (`...\\.(?P<format>[a-z0-9]+)/?$`) answers like the route itself."""
    return FORMAT_SUFFIX.sub("$", route)


def _concrete(route: str, values: dict) -> str:
    if route == API_CATCH_ALL:
        return "/api/v1/no-such-endpoint"
    path = route
    for name, value in values.items():
        path = re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>(?:[^()]|\([^()]*\))*\)", str(value), path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "")
    assert not re.search(r"<\w+|\(\?P<", path), (route, path)
    return "/" + path


def _values(route: str, spec: Route, world, side) -> dict:
    values = dict(spec.params(world, side)) if spec.params else {}
    values.setdefault("fmt", "json")
    if FORMAT_SUFFIX.search(route):
        values["format"] = "json"
    return values


# --- what a role may not see ----------------------------------------------------------------------

def _needles(world, role, route, spec) -> list[str]:
    needles = hidden_markers(role)
    if role == ADMIN_VIEWER and route.startswith("admin/"):
        pass  # a clerk with `view_petition` sees every petition in the back office, masked
    elif not spec.codes_are_public and role != "superuser":
        needles += [s for p in hidden_petitions(world, role)
                    for s in (p.tracking_code, format_tracking_code(p.tracking_code))]
    if role not in ("rep_b", "superuser"):  # the only roles that handle p_b
        needles.append(P_B_PHONE)
    if route == "track/":
        needles.append(P_B_TEXT)
    return needles


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":  # XLSX: the sheets' XML, where the cells' text is
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            raw = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    return raw.decode("utf-8", "replace")


def _snapshot():
    """Everything a forbidden POST could change."""
    return (
        list(Petition.objects.order_by("pk").values_list("pk", "status", "loop", "current_studio_id",
                                                         "current_department_id", "current_representative_id",
                                                         "rating", "updated_at")),
        list(PetitionEvent.objects.order_by("pk").values_list("pk", flat=True)),
        list(PetitionPhoto.objects.order_by("pk").values_list("pk", "image")),
        list(Proposal.objects.order_by("pk").values_list("pk", "status", "department_id", "answer", "attachment")),
        list(ResearchTopic.objects.order_by("pk").values_list("pk", "status")),
        list(ResearchClaim.objects.order_by("pk").values_list("pk", "status", "report", "review", "report_file")),
        list(Assignment.objects.order_by("pk").values_list("pk", flat=True)),
        list(AssignmentReport.objects.order_by("pk").values_list("pk", "status", "evidence", "evidence_file")),
        list(DiscussionPost.objects.order_by("pk").values_list("pk", flat=True)),
        list(StudioMembership.objects.order_by("pk").values_list("pk", "role")),
        list(StudioActivity.objects.order_by("pk").values_list("pk", flat=True)),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(RedCard.objects.order_by("pk").values_list("pk", "status")),
        list(DutyRecord.objects.order_by("pk").values_list("pk", flat=True)),
        list(DownloadJob.objects.order_by("pk").values_list("pk", "status")),
        list(get_user_model().objects.order_by("pk").values_list("pk", "is_staff", "is_superuser", "password")),
    )


def _user(world, role):
    value = getattr(world, role)
    return value.user if hasattr(value, "user") and not hasattr(value, "username") else value


def _login(client, world, role):
    cache.clear()  # rate limits of tracking and axes: each role starts afresh
    client.raise_request_exception = False  # a 500 is a wrong cell like any other, listed with the rest
    if role == CITIZEN:
        page = client.get("/track/", {"code": world.p_a.tracking_code, "digits": "1234"})
        assert page.status_code == 200 and P_A_TEXT in page.content.decode()
    elif role != "anonymous":
        client.force_login(_user(world, role))
    return client


def _denied_ok(role, spec, method, status, response) -> bool:
    """A refusal as it should be: to the login (anonymous, pages), 401/403 (anonymous, API), else 403/404."""
    if role in ANON:
        if spec.api:
            return status in {401, 403} | spec.denied | ({405} if spec.post_only and method == "GET" else set())
        return status == 302 and "/accounts/login/" in response["Location"]
    allowed = {403, 404} | spec.denied
    if spec.post_only and method == "GET":
        allowed |= {405}
    return status in allowed


def _report(problems):
    """Every wrong cell at once, not just the first."""
    assert not problems, f"{len(problems)} wrong cells:\n" + "\n".join(map(repr, problems[:60]))


# --- the tests ------------------------------------------------------------------------------------

def test_every_route_is_classified():
    """A new URL pattern fails here until ROUTES (or the admin's rule) says who may open it."""
    unknown = [r for r in ALL_ROUTES if not r.startswith("admin/") and _base(r) not in ROUTES]
    stale = [r for r in ROUTES if r not in ALL_ROUTES]
    assert not unknown, f"routes the permission matrix does not classify: {unknown}"
    assert not stale, f"classified routes that no longer exist: {stale}"
    unknown_admin = [r for r in ALL_ROUTES if r.startswith("admin/") and _admin_kind(r) is None]
    assert not unknown_admin, f"admin routes the matrix does not classify: {unknown_admin}"


def _cells():
    for route in ALL_ROUTES:
        if route.startswith("admin/") or _base(route) not in ROUTES:
            continue
        spec = ROUTES[_base(route)]
        for side in (SIDES if spec.params else (None,)):
            for query in spec.queries:
                yield route, spec, side, query


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_classified_and_shows_nothing_of_the_other_side(client, role):
    world = build_full_world()
    client = _login(client, world, role)
    cells, problems = 0, []
    for route, spec, side, query in _cells():
        path = _concrete(route, _values(route, spec, world, side)) + query.format(
            p_a=world.p_a.tracking_code, p_b=world.p_b.tracking_code)
        response = client.get(path)
        status = response.status_code
        cell = (role, route, side, path, status)
        cells += 1
        if spec.allows(role, side) and status not in spec.ok:
            problems.append(("allowed", *cell))
        elif not spec.allows(role, side) and not _denied_ok(role, spec, "GET", status, response):
            problems.append(("not refused", *cell))
        if 200 <= status < 300:
            text = _body(response)
            shown = [n for n in _needles(world, role, route, spec) if n in text]
            if shown:
                problems.append(("shows", *cell, shown))
    _report(problems)
    assert cells > 150


@pytest.mark.parametrize("role", ROLES)
def test_no_forbidden_post_changes_anything(client, role):
    world = build_full_world()
    client = _login(client, world, role)
    posted, problems = 0, []
    for route, spec, side, query in _cells():
        if spec.post is None or query or spec.may_write(role, side):
            continue
        path = _concrete(route, _values(route, spec, world, side))
        for write in spec.writes:
            before = _snapshot()
            if write == "post":
                response = client.post(path, spec.post(world, side))
            else:
                response = getattr(client, write)(path, spec.post(world, side), content_type="application/json")
            cell = (role, route, side, write, path, response.status_code)
            if _snapshot() != before:
                problems.append(("CHANGED", *cell))
            # The citizen's rating form: wrong digits answer "not found" (200), and nothing changes.
            if route != "track/rate/" and not _denied_ok(role, spec, "POST", response.status_code, response):
                problems.append(("not refused", *cell))
            posted += 1
    _report(problems)
    assert posted >= 15 or role in ("superuser",), posted


# --- petition actions: every action, both studios, dashboard and API -----------------------------------

def _action_data(world, petition, action, prefix):
    p = f"{prefix}-" if prefix else ""
    data = {f"{p}expected_status": petition.status, f"{p}version": petition_version(petition),
            f"{p}reason": "越权", f"{p}note": "越权", f"{p}answer": "越权", f"{p}loop": "1",
            f"{p}studio": world.studio_a.pk if petition.studio_id != world.studio_a.pk else world.studio_b.pk}
    return data


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ANON | {"superuser"}])  # superusers may take all
def test_petition_actions_of_a_role_that_may_not_take_them_are_refused_and_write_nothing(client, role):
    world = build_full_world()
    client = _login(client, world, role)
    user = _user(world, role)
    refused = 0
    for name in ("p_a", "p_b", "p_a_moved", "p_loop3"):
        petition = Petition.objects.get(pk=getattr(world, name).pk)
        permitted = access.permitted_actions(user, petition)
        for action in access.DASHBOARD_ACTIONS:
            if action in permitted:
                continue
            before = _snapshot()
            dash = client.post(f"/dashboard/p/{petition.tracking_code}/{action}/",
                               _action_data(world, petition, action, action), HTTP_HX_REQUEST="true")
            api = client.post(f"/api/v1/petitions/{petition.tracking_code}/actions/{action}",
                              _action_data(world, petition, action, ""))
            cell = (role, name, action, dash.status_code, api.status_code)
            assert _snapshot() == before, cell
            seen = name in VISIBLE.get(role, set())
            assert dash.status_code == (403 if seen else 404), cell
            assert api.status_code == (403 if seen else 404), cell
            refused += 1
    assert refused >= 10, refused


def test_the_same_requests_work_for_the_role_that_may_act(client):
    """The control: rep_a accepts p_a with exactly the data the refused cells sent."""
    world = build_full_world()
    client = _login(client, world, "rep_a")
    events = PetitionEvent.objects.filter(petition=world.p_a).count()
    response = client.post(f"/dashboard/p/{world.p_a.tracking_code}/accept/",
                           _action_data(world, world.p_a, "accept", "accept"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert PetitionEvent.objects.filter(petition=world.p_a).count() == events + 1
    p_b = Petition.objects.get(pk=world.p_b.pk)
    response = client.post(f"/api/v1/petitions/{p_b.tracking_code}/actions/accept",
                           _action_data(world, p_b, "accept", ""))
    assert response.status_code == 404  # studio B's: rep_a does not even learn that it exists


# --- the admin ----------------------------------------------------------------------------------------

def _admin_urls():
    """admin route -> (kind, model or None), from the admin site itself."""
    kinds = {}
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        for route, p in _walk(model_admin.get_urls()):
            name = (p.name or "").rsplit("_", 1)[-1]
            kinds[prefix + route] = (name if name in ("changelist", "add", "history", "delete", "change")
                                     else "redirect" if route == "<path:object_id>/" else "custom", model)
    return kinds


ADMIN_URLS = _admin_urls()
ADMIN_SITE = {"admin/": "index", "admin/login/": "login", "admin/logout/": "logout",
              "admin/password_change/": "site", "admin/password_change/done/": "site",
              "admin/autocomplete/": "autocomplete", "admin/jsi18n/": "site",
              "admin/r/<path:content_type_id>/<path:object_id>/": "view_on_site"}


def _admin_kind(route):
    if route in ADMIN_URLS:
        return ADMIN_URLS[route]
    if route in ADMIN_SITE:
        return ADMIN_SITE[route], None
    if route.startswith("admin/^(?P<app_label>"):
        return "app_index", None
    if route == "admin/(?P<url>.*)$":
        return "catch_all", None
    return None


def _admin_expected(kind, model, user, obj):
    """What the admin answers `user` (staff), from its own permission methods."""
    request = RequestFactory().get("/admin/")
    request.user = user
    model_admin = admin.site._registry.get(model)
    if kind == "changelist":
        return {200} if model_admin.has_view_or_change_permission(request) else {403}
    if kind == "add":
        return {200} if model_admin.has_add_permission(request) else {403}
    if obj is None and kind in ("change", "history", "delete"):
        return {302, 403}  # no row: refused, or sent back to the admin's index ("does not exist")
    if kind in ("change", "history"):
        return {200} if model_admin.has_view_or_change_permission(request, obj) else {403}
    if kind == "delete":
        return {200} if model_admin.has_delete_permission(request, obj) else {403}
    if kind == "redirect":
        return {301, 302}
    return {200, 302, 403, 404}  # a ModelAdmin's own extra view: at least never for non-staff (checked below)


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_only_opens_for_staff_and_only_what_their_permissions_allow(client, role):
    world = build_full_world()
    client = _login(client, world, role)
    user = None if role in ANON else get_user_model().objects.get(pk=_user(world, role).pk)
    staff = user is not None and user.is_staff
    app_labels = sorted({m._meta.app_label for m in admin.site._registry})
    checked = 0
    for route in ALL_ROUTES:
        if not route.startswith("admin/"):
            continue
        kind, model = _admin_kind(route)
        obj = model._default_manager.order_by("pk").first() if model is not None else None
        values = {"object_id": obj.pk if obj is not None else 999999, "id": user.pk if user else 1,
                  "content_type_id": 1, "url": "no-such-page/"}
        if kind == "app_index":
            paths = [f"/admin/{label}/" for label in app_labels]
        else:
            paths = [_concrete(route, values)]
        for path in paths:
            response = client.get(path)
            status = response.status_code
            cell = (role, route, path, status)
            checked += 1
            if kind == "login":
                assert status in ({302} if staff else {200}), cell
                continue
            if not staff:
                # Not staff, whatever their role in the portal: the admin's login page, for every page
                # (logging out of the admin sends them to its index, which sends them to the login).
                target = "/admin/" if kind == "logout" else "/admin/login/"
                assert status == 302 and target in response["Location"], cell
                continue
            if kind in ("changelist", "add", "change", "history", "delete", "redirect", "custom"):
                assert status in _admin_expected(kind, model, user, obj), cell
            elif kind == "app_index":
                label = path.strip("/").split("/")[-1]
                request = RequestFactory().get("/admin/")
                request.user = user
                opens = any(m._meta.app_label == label and ma.has_module_permission(request)
                            and ma.get_model_perms(request) and any(ma.get_model_perms(request).values())
                            for m, ma in admin.site._registry.items())
                assert status == (200 if opens else 404), cell
            elif kind == "catch_all":
                assert status == 404, cell
            elif kind == "view_on_site":
                assert status in (302, 404), cell
            elif kind == "autocomplete":
                assert status in (403, 404), cell
            else:  # index, password change, jsi18n, logout (POST only)
                assert status in ((405,) if kind == "logout" else (200,)), cell
            if status == 200:
                text = _body(response)
                shown = [n for n in _needles(world, role, route, ROUTES.get("", PUBLIC)) if n in text]
                assert not shown, (*cell, shown)
    assert checked > 100, checked


@pytest.mark.parametrize("role", ["rep_a", "department_staff", "organisation", ADMIN_VIEWER])
def test_no_admin_post_by_a_role_without_the_permission_changes_anything(client, role):
    """A representative or department user never reaches the admin; a view-only clerk changes nothing."""
    world = build_full_world()
    client = _login(client, world, role)
    targets = [(Petition, world.p_a), (PetitionPhoto, world.photo_a), (Proposal, world.proposal_a),
               (StudioMembership, world.membership_a), (get_user_model(), _user(world, role))]
    for model, target in targets:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for path, data in ((f"{base}{target.pk}/change/", {"status": "closed", "is_superuser": "on"}),
                           (f"{base}{target.pk}/delete/", {"post": "yes"}),
                           (f"{base}add/", {"text": "x"}),
                           (base, {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"})):
            before = _snapshot()
            response = client.post(path, data)
            cell = (role, path, response.status_code)
            assert _snapshot() == before, cell
            if role == ADMIN_VIEWER:
                assert response.status_code in (200, 302, 403), cell  # a changelist POST shows the list again
            else:
                assert response.status_code == 302 and "/admin/login/" in response["Location"], cell
