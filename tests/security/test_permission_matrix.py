"""The permission matrix, over every URL pattern the portal has (pages, API, Open311), found by walking
the URL resolver: a new endpoint is covered without editing this file.

- Every pattern that takes a petition's tracking code is requested by every role for every petition of
  the two-studio world (tests/roles.py): 200 only where VISIBLE says the role sees it, else 403 or 404,
  and POSTs never change a petition the role may not act on.
- Every pattern without parameters is requested by every role: no page or list ever shows a petition
  the role may not see, nor, to anyone, a citizen's full phone number unless they handle the petition.
- Anonymous visitors reach only the public pages; everything else sends them to the login or answers 401/403.
"""
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from petitions.codes import format_tracking_code
from petitions.models import Petition, PetitionEvent
from tests.roles import VISIBLE, build_world, user_of

ROLES = ["anonymous", *VISIBLE]
PETITIONS = ["p_a", "p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3"]
# What an anonymous visitor may open. Anything else must send them to the login, or answer 401/403/405.
PUBLIC = re.compile(r"^(|healthz|counters/|track/|track/rate/|posters/|posters/posters\.zip|i18n/setlang/|"
                    r"accounts/(login|password_reset|password_reset/done|reset/done)/|"
                    r"api/schema/|api/docs/|api/v1/(sectors|regions|studios|representatives|hot-words)|"
                    r"open311/v2/.*)$")
DENIED = {401, 403, 404, 405}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _concrete(route: str, **values) -> str | None:
    """The path of a route with its parameters filled in from `values`; None if one is unknown."""
    if "(?P<format>" in route or route.endswith("^.*$"):
        return None  # format suffixes and the API's catch-all repeat another pattern
    path = route.replace("^", "").replace("$", "").replace(r"\.", ".").replace("/?", "")
    for name in re.findall(r"<(?:\w+:)?(\w+)>", path) + re.findall(r"\(\?P<(\w+)>[^)]*\)", path):
        if name not in values:
            return None
        path = re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)", str(values[name]), path)
    return "/" + path


ROUTES = [(route, p) for route, p in _walk(get_resolver().url_patterns) if not route.startswith("admin/")]
PETITION_ROUTES = sorted({route for route, p in ROUTES if "tracking_code>" in route and _concrete(
    route, tracking_code="X", action="accept", action_name="accept", fmt="json") is not None})
PLAIN_ROUTES = sorted({route for route, p in ROUTES if _concrete(route, fmt="json") is not None})


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(user_of(world, role))
    return client


def test_the_matrix_covers_pages_and_the_api():
    assert {"dashboard/p/<str:tracking_code>/", "dashboard/p/<str:tracking_code>/<slug:action>/"} <= set(
        PETITION_ROUTES)
    assert any(r.startswith("api/v1/") for r in PETITION_ROUTES), "the API's petition endpoints are in the matrix"
    assert len(PLAIN_ROUTES) > 30


@pytest.mark.parametrize("role", ROLES)
def test_petition_pages_and_endpoints_answer_only_for_petitions_the_role_sees(client, db, role):
    world = build_world()
    client = _client_for(client, world, role)
    visible = VISIBLE.get(role, set())
    for route in PETITION_ROUTES:
        for name in PETITIONS:
            petition = getattr(world, name)
            path = _concrete(route, tracking_code=petition.tracking_code, action="accept", action_name="accept",
                             fmt="json")
            events = PetitionEvent.objects.filter(petition=petition).count()
            status = client.get(path).status_code
            if name in visible:
                assert status in (200, 302, 405), (role, path, status)
            else:
                assert status in DENIED | {302}, (role, path, status)
                if status == 302:
                    assert role == "anonymous", (role, path)
                post = client.post(path, {"reason": "x", "note": "x"}).status_code
                assert post in DENIED | {302, 400}, (role, path, post)
                assert PetitionEvent.objects.filter(petition=petition).count() == events, (role, path)
                assert Petition.objects.get(pk=petition.pk).status == petition.status


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_list_shows_a_petition_the_role_may_not_see(client, db, role):
    world = build_world()
    # A phone number that belongs to p_b alone, so that it can be looked for in every page.
    Petition.objects.filter(pk=world.p_b.pk).update(citizen_phone="13955558888")
    client = _client_for(client, world, role)
    hidden = [getattr(world, n) for n in PETITIONS if n not in VISIBLE.get(role, set())]
    needles = [s for p in hidden for s in (p.tracking_code, format_tracking_code(p.tracking_code))]
    phone_only = []
    if role not in ("rep_b", "superuser"):  # the only roles that handle p_b
        needles.append("13955558888")
        phone_only.append("13955558888")
    for route in PLAIN_ROUTES:
        if route.startswith(("accounts/logout", "i18n/")) or "posters" in route:
            continue  # logging out ends the session under test; posters are images of public studio pages
        path = _concrete(route, fmt="json")
        response = client.get(path)
        if role == "anonymous" and not PUBLIC.match(path.lstrip("/")):
            assert response.status_code in DENIED | {302}, (path, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], path
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        # Open311 GeoReport v2 publishes every service request by its id, by design; never the contact.
        shown = [n for n in (phone_only if route.startswith("open311/") else needles) if n in text]
        assert not shown, (role, path, shown)
