"""The duties' writes through the API, from creation to completion: the liaison agency takes a proposal to an
answer, publishes a topic and reviews its reports, gives a task; the representative submits, reports and
completes. Each goes through the service the page uses, so it changes what the page would change: the
status, the notification to the representative, the duty log (履职记录) counted once. A step the state
refuses is 409, wrong input 400 on its field; neither changes anything."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import UserRateThrottle

from assessment.models import Notification
from liaison.models import (Assignment, AssignmentReport, DutyRecord, Proposal, ResearchClaim, ResearchTopic)
from tests.api.duty_world import build_duties, snapshot
from tests.api.errors import refused
from tests.factories import DepartmentFactory, RepresentativeFactory, StudioMembershipFactory, UserFactory

K = DutyRecord.Kind


@pytest.fixture
def duties(world):
    return build_duties(world)


def notes(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True))


# --- proposals ----------------------------------------------------------------------------------

def test_proposal_from_submission_to_answer(api_as, world, duties):
    rep, agency = api_as("rep_a"), api_as("liaison_a")
    created = rep.post("/api/v1/proposals", {"kind": "proposal", "title": "关于完善农村道路照明的建议",
                                             "body": "建议分批次更换老旧路灯。"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["steps"] == []  # the representative takes no step on it
    assert DutyRecord.objects.filter(representative=world.rep_a, kind=K.PROPOSAL, source_id=pk).count() == 1
    url = f"/api/v1/proposals/{pk}"

    listed = {row["id"]: row for row in agency.get("/api/v1/proposals").json()["results"]}
    assert listed[pk]["steps"] == ["accept", "decline"]

    accepted = agency.post(f"{url}/accept", format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["accepted_at"]
    assert accepted.json()["steps"] == ["hand-over", "answer"]

    before = snapshot()
    refused(agency.post(f"{url}/accept", format="json"), 409)  # twice: the state refuses
    refused(agency.post(f"{url}/decline", {"reason": "迟了"}, format="json"), 409)
    outside = DepartmentFactory(region=world.county_b, sector=world.sector)  # county B: not this agency's area
    refused(agency.post(f"{url}/hand-over", {"department": outside.code}, format="json"), 400, "department")
    refused(agency.post(f"{url}/hand-over", {"department": "no-such-unit"}, format="json"), 400, "department")
    refused(agency.post(f"{url}/hand-over", {}, format="json"), 400, "department")
    assert snapshot() == before

    handed = agency.post(f"{url}/hand-over", {"department": duties.department.code}, format="json")
    assert handed.status_code == 200 and handed.json()["status"] == "handed_over"
    assert handed.json()["department"] == duties.department.name

    before = snapshot()
    body = refused(agency.post(f"{url}/answer", {"answer": "   "}, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400,
                   "answer")
    assert body["fields"]["answer"] == ["Write the answer."]  # the service's own message, as on the page
    refused(agency.post(f"{url}/answer", {"answer": "好", "colour": "red"}, format="json"), 400, "colour")
    assert snapshot() == before

    answered = agency.post(f"{url}/answer", {"answer": "已列入明年预算"}, format="json")
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered" and answered.json()["answer"] == "已列入明年预算"
    assert answered.json()["steps"] == []
    refused(agency.post(f"{url}/answer", {"answer": "再答"}, format="json"), 409)

    # The representative saw each step, as on the page: accepted, handed over, answered.
    assert len(notes(world.rep_a.user)) == 3
    mine = rep.get(url).json()
    assert (mine["status"], mine["answer"], mine["department"]) == ("answered", "已列入明年预算",
                                                                    duties.department.name)
    assert DutyRecord.objects.filter(representative=world.rep_a).count() == 1  # the submission, once


def test_a_proposal_with_an_attachment_as_on_the_page(api_as, world, duties):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("调研数据.csv", "村,户数\n东村,120\n".encode(), "text/csv")
    response = api_as("rep_a").post("/api/v1/proposals", {"kind": "proposal", "title": "关于村道照明",
                                                          "body": "见附表", "attachment": upload}, format="multipart")
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get(pk=response.json()["id"])
    assert proposal.attachment and proposal.attachment.read() == "村,户数\n东村,120\n".encode()
    assert response.json()["attachment"] == proposal.attachment.url
    as_json = api_as("rep_a").post("/api/v1/proposals", {"title": "t", "body": "b", "attachment": "x"},
                                   format="json")
    refused(as_json, 400, "attachment")  # a file only comes as multipart/form-data


def test_declining_needs_a_reason(api_as, world, duties):
    agency = api_as("liaison_a")
    url = f"/api/v1/proposals/{duties.proposal.pk}/decline"
    before = snapshot()
    refused(agency.post(url, {}, format="json"), 400, "reason")
    body = refused(agency.post(url, {"reason": ""}, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400, "reason")
    assert body["fields"]["reason"] == ["Say why the proposal is not accepted."]
    refused(agency.post(url, {"reason": ["a", "list"]}, format="json"), 400, "reason")
    assert snapshot() == before
    response = agency.post(url, {"reason": "不属于本级职责范围"}, format="json")
    assert response.status_code == 200
    duties.proposal.refresh_from_db()
    assert duties.proposal.status == Proposal.Status.DECLINED and duties.proposal.answer == "不属于本级职责范围"
    assert duties.proposal.answered_at and len(notes(world.rep_a.user)) == 1


# --- research topics and reports ----------------------------------------------------------------

def test_topic_published_claimed_reported_returned_and_accepted(api_as, world, duties):
    agency, rep = api_as("liaison_a"), api_as("rep_a")
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    published = agency.post("/api/v1/research-topics", {"title": "农村电商物流调研", "description": "县域快递进村",
                                                        "sector": world.sector.code, "max_claimants": 2,
                                                        "due_on": due}, format="json")
    assert published.status_code == 201, published.content
    topic = published.json()
    assert (topic["title"], topic["sector"], topic["max_claimants"], topic["due_on"], topic["status"],
            topic["claimed"]) == ("农村电商物流调研", world.sector.code, 2, due, "open", 0)
    assert ResearchTopic.objects.get(pk=topic["id"]).agency == duties.agency

    before = snapshot()
    refused(agency.post("/api/v1/research-topics", {"title": "过期", "due_on": "2000-01-01"}, format="json"), 400,
            "due_on")
    refused(agency.post("/api/v1/research-topics", {"title": "零人", "due_on": due, "max_claimants": 0},
                        format="json"), 400, "max_claimants")
    refused(agency.post("/api/v1/research-topics", {"title": "x", "due_on": due, "sector": "nope"}, format="json"),
            400, "sector")
    refused(agency.post("/api/v1/research-topics", {"title": "", "due_on": "soon"}, format="json"), 400, "due_on")
    assert snapshot() == before

    # County A's representative sees and claims it; county B's does not see it.
    assert topic["id"] in {t["id"] for t in rep.get("/api/v1/research-topics").json()["results"]}
    assert api_as("rep_b").get(f"/api/v1/research-topics/{topic['id']}").status_code == 404
    claim = rep.post(f"/api/v1/research-topics/{topic['id']}/claim")
    assert claim.status_code == 201
    claim_url = f"/api/v1/research-claims/{claim.json()['id']}"

    before = snapshot()
    refused(rep.post(f"{claim_url}/report", {"report": "  "}, format="json"), 400, "report")
    refused(rep.post(f"{claim_url}/report", {}, format="json"), 400, "report")
    refused(agency.post(f"{claim_url}/review", {"decision": "accept"}, format="json"), 409)  # nothing submitted yet
    assert snapshot() == before

    submitted = rep.post(f"{claim_url}/report", {"report": "初稿"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    refused(rep.post(f"{claim_url}/report", {"report": "再交"}, format="json"), 409)
    assert not DutyRecord.objects.filter(kind=K.RESEARCH).exists()  # counted once the agency accepts

    before = snapshot()
    refused(agency.post(f"{claim_url}/review", {"decision": "return"}, format="json"), 400, "review")
    refused(agency.post(f"{claim_url}/review", {"decision": "maybe"}, format="json"), 400, "decision")
    assert snapshot() == before
    returned = agency.post(f"{claim_url}/review", {"decision": "return", "review": "请补充数据"}, format="json")
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["review"]) == ("returned", "请补充数据")

    assert rep.get(claim_url).json()["review"] == "请补充数据"
    assert rep.post(f"{claim_url}/report", {"report": "修改稿，附数据"}, format="json").status_code == 200
    accepted = agency.post(f"{claim_url}/review", {"decision": "accept", "review": "很好"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    refused(agency.post(f"{claim_url}/review", {"decision": "accept"}, format="json"), 409)
    claim = ResearchClaim.objects.get(pk=claim.json()["id"])
    assert claim.report == "修改稿，附数据" and claim.reviewed_at
    assert list(DutyRecord.objects.filter(representative=world.rep_a).values_list("kind", "source_id")) == [
        (K.RESEARCH, claim.pk)]
    assert len(notes(world.rep_a.user)) == 2  # returned, accepted


def test_closing_a_topic(api_as, world, duties):
    agency = api_as("liaison_a")
    url = f"/api/v1/research-topics/{duties.topic_free.pk}"
    closed = agency.post(f"{url}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    before = snapshot()
    refused(agency.post(f"{url}/close"), 409)
    refused(api_as("rep_a").post(f"{url}/claim"), 409)  # closed for claims
    assert snapshot() == before


def test_the_page_refuses_closing_twice_with_a_message(client, world, duties):
    """The page and the API share the refusal of the service: a clear message, nothing changed."""
    client.force_login(world.liaison_a)
    url = reverse("dashboard:agency_research_close", args=[duties.topic_free.pk])
    assert client.post(url).status_code == 302
    second = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert second.status_code == 200 and "This topic is already closed for claims." in second.content.decode()
    assert ResearchTopic.objects.get(pk=duties.topic_free.pk).status == ResearchTopic.Status.CLOSED


# --- assignments --------------------------------------------------------------------------------

def test_task_to_a_whole_studio_then_completed(api_as, world, duties):
    other = RepresentativeFactory(region=world.county_a, user=UserFactory(username="rep_c"))
    StudioMembershipFactory(studio=world.studio_a, representative=other)
    agency = api_as("liaison_a")
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    created = agency.post("/api/v1/agency/assignments", {"title": "走访养殖大户", "description": "每人走访 5 户",
                                                         "due_on": due, "studio": world.studio_a.code},
                          format="json")
    assert created.status_code == 201, created.content
    task = created.json()
    assert (task["title"], task["studio"], task["due_on"], task["assignees"], task["done"]) == (
        "走访养殖大户", world.studio_a.code, due, 2, 0)
    assert {r["representative_id"] for r in task["reports"]} == {world.rep_a.pk, other.pk}
    assert notes(world.rep_a.user) and notes(other.user) and not notes(world.rep_b.user)

    # The representative sees it among their own tasks and reports it done, with evidence.
    mine = {r["title"]: r for r in api_as("rep_a").get("/api/v1/assignments").json()["results"]}
    report = mine["走访养殖大户"]
    done = api_as("rep_a").post(f"/api/v1/assignments/{report['id']}/report", {"evidence": "走访 5 户，见附表"},
                                format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert DutyRecord.objects.filter(representative=world.rep_a, kind=K.ASSIGNMENT).count() == 1
    refused(api_as("rep_a").post(f"/api/v1/assignments/{report['id']}/report", {"evidence": "再报"},
                                 format="json"), 409)
    assert DutyRecord.objects.filter(representative=world.rep_a, kind=K.ASSIGNMENT).count() == 1

    detail = agency.get(f"/api/v1/agency/assignments/{task['id']}").json()
    assert (detail["assignees"], detail["done"], detail["overdue"]) == (2, 1, 0)
    by_rep = {r["representative_id"]: r for r in detail["reports"]}
    assert by_rep[world.rep_a.pk]["evidence"] == "走访 5 户，见附表" and by_rep[other.pk]["status"] == "pending"

    # The due date passes: the agency sees who is overdue.
    Assignment.objects.filter(pk=task["id"]).update(due_on=timezone.localdate() - timedelta(days=1))
    detail = agency.get(f"/api/v1/agency/assignments/{task['id']}").json()
    assert detail["overdue"] == 1 and {r["representative_id"]: r["overdue"] for r in detail["reports"]} == {
        world.rep_a.pk: False, other.pk: True}
    assert agency.get("/api/v1/agency/assignments").json()["results"][0]["id"] == task["id"]  # overdue first


@pytest.mark.parametrize("body, field", [
    ({"representatives": ["REP_B"]}, "representatives"),  # county B: outside the agency's area
    ({"representatives": [999999]}, "representatives"),  # no such representative
    ({"representatives": ["x"]}, "representatives"),
    ({}, "non_field_errors"),  # nobody chosen: the message names both ways
    ({"studio": "STUDIO_B"}, "studio"),  # outside the area
    ({"studio": "no-such-studio"}, "studio"),
    ({"representatives": ["REP_A"], "due_on": "2000-01-01"}, "due_on"),
    ({"representatives": ["REP_A"], "title": ""}, "title"),
    ({"representatives": ["REP_A"], "owner": "me"}, "owner"),
])
def test_bad_tasks_are_400_and_create_nothing(api_as, world, duties, body, field):
    ids = {"REP_A": world.rep_a.pk, "REP_B": world.rep_b.pk, "STUDIO_B": world.studio_b.code}
    data = {"title": "走访", "due_on": (timezone.localdate() + timedelta(days=3)).isoformat()}
    data.update({k: ([ids.get(v, v) for v in value] if isinstance(value, list) else ids.get(value, value))
                 for k, value in body.items()})
    before = snapshot()
    response = api_as("liaison_a").post("/api/v1/agency/assignments", data, format="json")
    body = refused(response, 400)
    if field == "non_field_errors":
        assert body["fields"] == {} and body["message"]
    else:
        assert any(k == field or k.startswith(f"{field}.") for k in body["fields"]), body
    assert snapshot() == before


# --- throttling and query counts ------------------------------------------------------------------

def test_writes_are_throttled_per_user_like_the_others(api_as, world, duties, monkeypatch):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/min")
    agency = api_as("liaison_a")
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    statuses = [agency.post("/api/v1/research-topics", {"title": f"课题{i}", "due_on": due}, format="json").status_code
                for i in range(3)]
    assert statuses == [201, 201, 429]
    last = agency.post(f"/api/v1/proposals/{duties.proposal.pk}/accept")
    assert last.status_code == 429 and last.json()["code"] == "throttled" and "Retry-After" in last
    assert Proposal.objects.get(pk=duties.proposal.pk).status == Proposal.Status.SUBMITTED


@pytest.mark.parametrize("role, path", [("rep_a", "/api/v1/research-claims"), ("liaison_a", "/api/v1/research-claims"),
                                        ("liaison_a", "/api/v1/agency/assignments"),
                                        ("liaison_a", "/api/v1/proposals"),
                                        ("studio_staff_a", "/api/v1/studios/{studio}/members")])
def test_new_lists_cost_the_same_for_3_rows_as_for_30(api_as, world, duties, role, path, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = path.format(studio=world.studio_a.code)

    def grow(n):
        for _ in range(n):
            rep = RepresentativeFactory(region=world.county_a)
            StudioMembershipFactory(studio=world.studio_a, representative=rep)
            topic = ResearchTopic.objects.create(agency=duties.agency, title="t", due_on=duties.due)
            ResearchClaim.objects.create(topic=topic, representative=world.rep_a)
            Proposal.objects.create(representative=world.rep_a, agency=duties.agency, title="t", body="b")
            task = Assignment.objects.create(agency=duties.agency, title="t", due_on=duties.due)
            AssignmentReport.objects.create(assignment=task, representative=rep)

    grow(3)
    client = api_as(role)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path, {"page_size": 100}).status_code == 200
    grow(27)
    client = api_as(role)  # a fresh request: nothing cached on the user
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(path, {"page_size": 100})
    assert response.status_code == 200 and response.json()["count"] >= 30
