"""Every write of the duties and of studio members, per role: the same rules as the pages
(liaison.access), through the real token of each account of tests/roles.py.

404: the object is not yours to see (or, for a studio's members, the studio is not yours to manage, as on
its page); 403: you see it but the step is not your role's; 401: no credentials. A refused request
changes nothing; an allowed one changes what the page would.
"""
import pytest
from django.utils import timezone

from liaison.models import Proposal
from tests.api.duty_world import build_duties, snapshot

ROLES = [None, "rep_a", "rep_b", "studio_staff_a", "department_staff", "liaison_a", "organisation", "superuser",
         "nobody"]
CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}


def expect(ok, ok_status=200, sees=(), forbidden=403, default=404):
    """Status per role: `ok` roles succeed; `sees` roles see the object but may not act (403); the rest
    `default`; anonymous 401; `nobody` (no role at all) `forbidden`."""
    table = {role: default for role in ROLES}
    table.update({role: 403 for role in sees})
    table.update({role: ok_status for role in ok})
    table[None], table["nobody"] = 401, forbidden
    return table


def accepted(w, d):
    Proposal.objects.filter(pk=d.proposal.pk).update(status=Proposal.Status.ACCEPTED, accepted_at=timezone.now())


AGENCY_ON_PROPOSAL = expect(ok={"liaison_a"}, sees={"rep_a", "organisation", "superuser"})
AGENCY_ONLY = dict(expect(ok={"liaison_a"}, ok_status=201, default=403))
REP_ONLY = expect(ok={"rep_a"}, default=403) | {"rep_b": 404}
MANAGERS = expect(ok={"studio_staff_a", "superuser"}, forbidden=404)

# name: (method, path(w, d), body(w, d), expected statuses, prepare(w, d) or None)
WRITES = {
    "proposal accept": ("post", lambda w, d: f"/api/v1/proposals/{d.proposal.pk}/accept", lambda w, d: {},
                        AGENCY_ON_PROPOSAL, None),
    "proposal decline": ("post", lambda w, d: f"/api/v1/proposals/{d.proposal.pk}/decline",
                         lambda w, d: {"reason": "不属于本级职责范围"}, AGENCY_ON_PROPOSAL, None),
    "proposal hand-over": ("post", lambda w, d: f"/api/v1/proposals/{d.proposal.pk}/hand-over",
                           lambda w, d: {"department": d.department.code}, AGENCY_ON_PROPOSAL, accepted),
    "proposal answer": ("post", lambda w, d: f"/api/v1/proposals/{d.proposal.pk}/answer",
                        lambda w, d: {"answer": "已列入明年预算"}, AGENCY_ON_PROPOSAL, accepted),
    "proposal submit": ("post", lambda w, d: "/api/v1/proposals", lambda w, d: {"title": "建议", "body": "内容"},
                        # rep_b's county has no liaison agency, nor has the city: the state refuses (409).
                        expect(ok={"rep_a"}, ok_status=201, default=403) | {"rep_b": 409}, None),
    "topic publish": ("post", lambda w, d: "/api/v1/research-topics",
                      lambda w, d: {"title": "集体经济调研", "due_on": d.due.isoformat()}, AGENCY_ONLY, None),
    "topic close": ("post", lambda w, d: f"/api/v1/research-topics/{d.topic.pk}/close", lambda w, d: {},
                    expect(ok={"liaison_a"}, sees={"rep_a", "organisation", "superuser"}), None),
    "topic claim": ("post", lambda w, d: f"/api/v1/research-topics/{d.topic_free.pk}/claim", lambda w, d: {},
                    expect(ok={"rep_a"}, ok_status=201, default=403) | {"rep_b": 404}, None),
    "report submit": ("post", lambda w, d: f"/api/v1/research-claims/{d.claim_open.pk}/report",
                      lambda w, d: {"report": "调研报告全文"},
                      expect(ok={"rep_a"}, sees={"liaison_a", "organisation", "superuser"}), None),
    "report review": ("post", lambda w, d: f"/api/v1/research-claims/{d.claim_submitted.pk}/review",
                      lambda w, d: {"decision": "accept", "review": "很好"},
                      expect(ok={"liaison_a"}, sees={"rep_a", "organisation", "superuser"}), None),
    "assignment create": ("post", lambda w, d: "/api/v1/agency/assignments",
                          lambda w, d: {"title": "走访", "due_on": d.due.isoformat(), "representatives": [w.rep_a.pk]},
                          AGENCY_ONLY, None),
    "assignment report": ("post", lambda w, d: f"/api/v1/assignments/{d.report_a.pk}/report",
                          lambda w, d: {"evidence": "已走访 5 户"}, REP_ONLY, None),
    "member add": ("post", lambda w, d: f"/api/v1/studios/{w.studio_a.code}/members",
                   lambda w, d: {"representative": d.newcomer.pk}, MANAGERS | {"studio_staff_a": 201, "superuser": 201},
                   None),
    "member role": ("patch", lambda w, d: f"/api/v1/studios/{w.studio_a.code}/members/{d.membership_a.pk}",
                    lambda w, d: {"role": "admin"}, MANAGERS, None),
    "member remove": ("delete", lambda w, d: f"/api/v1/studios/{w.studio_a.code}/members/{d.membership_a.pk}",
                      lambda w, d: None, MANAGERS | {"studio_staff_a": 204, "superuser": 204}, None),
}

READS = {
    "claims list": ("/api/v1/research-claims", expect(ok=set(ROLES) - {None, "nobody"})),
    "claim": (lambda w, d: f"/api/v1/research-claims/{d.claim_submitted.pk}",
              expect(ok={"rep_a", "liaison_a", "organisation", "superuser"})),
    "agency tasks": ("/api/v1/agency/assignments", expect(ok={"liaison_a"}, default=403)),
    "agency task": (lambda w, d: f"/api/v1/agency/assignments/{d.assignment.pk}",
                    expect(ok={"liaison_a"}, default=403)),
    "members": (lambda w, d: f"/api/v1/studios/{w.studio_a.code}/members", MANAGERS),
}


def assert_error_shape(response, status):
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["code"] == CODES[status] and body["message"], body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(WRITES))
def test_write_per_role(api_as, world, name, role):
    method, path, body, expected, prepare = WRITES[name]
    d = build_duties(world)
    if prepare:
        prepare(world, d)
    before = snapshot()
    response = getattr(api_as(role), method)(path(world, d), body(world, d), format="json")
    assert response.status_code == expected[role], (name, role, response.content)
    if response.status_code < 300:
        assert snapshot() != before, (name, role)
    else:
        assert snapshot() == before, (name, role)
        assert_error_shape(response, response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(READS))
def test_read_per_role(api_as, world, name, role):
    path, expected = READS[name]
    d = build_duties(world)
    response = api_as(role).get(path if isinstance(path, str) else path(world, d))
    assert response.status_code == expected[role], (name, role, response.content)
    if response.status_code >= 400:
        assert_error_shape(response, response.status_code)


def test_lists_hold_only_what_the_role_may_see(api_as, world):
    d = build_duties(world)
    ids = lambda role: {row["id"] for row in api_as(role).get("/api/v1/research-claims").json()["results"]}
    both = {d.claim_submitted.pk, d.claim_open.pk}
    assert ids("rep_a") == ids("liaison_a") == ids("organisation") == both
    assert ids("rep_b") == ids("studio_staff_a") == ids("department_staff") == set()
    tasks = api_as("liaison_a").get("/api/v1/agency/assignments").json()["results"]
    assert [(t["id"], t["assignees"], t["done"], t["overdue"]) for t in tasks] == [(d.assignment.pk, 1, 0, 0)]


def test_another_agency_learns_nothing(api_as, world):
    """County B's agency: agency A's proposal, topic, claims and task are 404 to it, not 403."""
    from liaison.models import StaffProfile
    from tests.factories import LiaisonAgencyFactory, StaffProfileFactory, UserFactory

    d = build_duties(world)
    other = LiaisonAgencyFactory(region=world.county_b)
    StaffProfileFactory(user=UserFactory(username="liaison_b"), role=StaffProfile.Role.LIAISON, agency=other)
    world.liaison_b = StaffProfile.objects.get(user__username="liaison_b").user
    client = api_as("liaison_b")
    before = snapshot()
    for method, path, body in [
        ("post", f"/api/v1/proposals/{d.proposal.pk}/accept", {}),
        ("post", f"/api/v1/research-topics/{d.topic.pk}/close", {}),
        ("post", f"/api/v1/research-claims/{d.claim_submitted.pk}/review", {"decision": "accept"}),
        ("get", f"/api/v1/agency/assignments/{d.assignment.pk}", None),
        ("get", f"/api/v1/research-claims/{d.claim_submitted.pk}", None),
    ]:
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 404, (path, response.content)
    assert client.get("/api/v1/agency/assignments").json()["results"] == []
    assert snapshot() == before


def test_odd_paths_and_parameters_get_the_api_error_shape(api_as, world):
    """Found by schemathesis: a path with an encoded line break is a JSON 404 (not the HTML page), and an
    empty ?ordering= is refused (400) like an unknown one, not ignored."""
    client = api_as("studio_staff_a")
    response = client.patch("/api/v1/studios/a%0Ab/members/1.1", {"role": "admin"}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api_as(None).get("/api/v1/representatives", {"ordering": ""})
    assert response.status_code == 400 and "ordering" in response.json()["fields"]
    assert api_as(None).get("/api/v1/representatives", {"ordering": "-name"}).status_code == 200
