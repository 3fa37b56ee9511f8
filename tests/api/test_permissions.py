"""Every API resource per role: the same matrix as the pages (tests/roles.py), through liaison.access."""
import pytest

from assessment.models import RedCard, Scorecard
from tests.factories import flag_change
from liaison.models import Assignment, AssignmentReport, Proposal, ResearchTopic
from tests.roles import VISIBLE

ROLES = list(VISIBLE)
HANDLERS = {"rep_a": {"p_a", "p_b_assigned", "p_a_moved"}, "studio_staff_a": {"p_a", "p_a_moved"},
            "rep_b": {"p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3"}, "department_staff": {"p_dept"},
            "superuser": set(VISIBLE["superuser"])}


@pytest.mark.parametrize("role", ROLES)
def test_petition_list_is_what_the_pages_show(api_as, world, role):
    response = api_as(role).get("/api/v1/petitions", {"page_size": 100})
    assert response.status_code == 200
    codes = {row["tracking_code"] for row in response.json()["results"]}
    assert codes == {getattr(world, name).tracking_code for name in VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
def test_petition_detail_404_unless_visible(api_as, world, role):
    client = api_as(role)
    for name in ("p_a", "p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3"):
        response = client.get(f"/api/v1/petitions/{getattr(world, name).tracking_code}")
        assert response.status_code == (200 if name in VISIBLE[role] else 404), (role, name)
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"
        events = client.get(f"/api/v1/petitions/{getattr(world, name).tracking_code}/events")
        assert events.status_code == response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_name_and_phone_masked_unless_handling(api_as, world, role):
    rows = api_as(role).get("/api/v1/petitions", {"page_size": 100}).json()["results"]
    by_code = {row["tracking_code"]: row for row in rows}
    for name in VISIBLE[role]:
        row = by_code[getattr(world, name).tracking_code]
        handles = name in HANDLERS.get(role, set())
        assert row["contact_unmasked"] is handles, (role, name)
        assert row["citizen_phone"] == ("13812341234" if handles else "138****1234")
        assert row["citizen_name"] == ("张三丰" if handles else "张**")


def test_anonymous_cannot_read_petitions(api_as, world):
    response = api_as(None).get("/api/v1/petitions")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")
    assert api_as(None).get(f"/api/v1/petitions/{world.p_a.tracking_code}").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/sectors", "/api/v1/regions", "/api/v1/studios", "/api/v1/representatives",
                                  "/api/v1/hot-words"])
def test_public_resources_open_to_anyone(api_as, world, path):
    assert api_as(None).get(path).status_code == 200


def test_representatives_show_public_fields_only(api_as, world):
    world.rep_a.phone = "13900001111"
    world.rep_a.save()
    rows = api_as(None).get("/api/v1/representatives", {"studio": world.studio_a.code}).json()["results"]
    assert [r["name"] for r in rows] == [world.rep_a.name]
    assert set(rows[0]) == {"id", "name", "level", "sectors", "studios"}
    assert rows[0]["studios"] == [world.studio_a.code]


ORG_ONLY = ["/api/v1/scorecards", "/api/v1/reports/figures"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ORG_ONLY)
def test_assessment_figures_for_the_organisation_department_only(api_as, world, role, path):
    expected = 200 if role in ("organisation", "superuser") else 403
    response = api_as(role).get(path)
    assert response.status_code == expected, (role, path, response.content)
    if expected == 403:
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("path", ORG_ONLY + ["/api/v1/flags", "/api/v1/red-cards", "/api/v1/proposals",
                                             "/api/v1/research-topics", "/api/v1/assignments"])
def test_logged_in_resources_refuse_anonymous(api_as, world, path):
    assert api_as(None).get(path).status_code == 401


def test_report_figures_count_petitions(api_as, world):
    data = api_as("organisation").get("/api/v1/reports/figures").json()
    assert data["collected"] == len(world.all)
    bad = api_as("organisation").get("/api/v1/reports/figures", {"start": "2026-02-30"})
    assert bad.status_code == 400 and "start" in bad.json()["fields"]


@pytest.mark.parametrize("role", ROLES)
def test_flags_and_red_cards_follow_petition_visibility(api_as, world, role):
    from django.utils import timezone

    for name in ("p_a", "p_b"):
        petition = getattr(world, name)
        flag_change(petition=petition, to_flag="red", stage="accept")
        RedCard.objects.create(petition=petition, studio=petition.studio, stage="accept", reason="超时",
                               rectify_by=timezone.now())
    client = api_as(role)
    for path in ("/api/v1/flags", "/api/v1/red-cards"):
        response = client.get(path)
        if role == "nobody":
            assert response.status_code == 403
            continue
        seen = {row["petition"] for row in response.json()["results"]}
        expected = {getattr(world, n).tracking_code for n in ("p_a", "p_b")
                    if n in VISIBLE[role] or getattr(world, n).studio_id in _studios_of(world, role)}
        assert seen == expected, (role, path)


def _studios_of(world, role):
    return {"rep_a": {world.studio_a.pk}, "rep_b": {world.studio_b.pk},
            "studio_staff_a": {world.studio_a.pk}}.get(role, set())


def test_scorecards_listed_for_the_organisation(api_as, world):
    Scorecard.objects.create(studio=world.studio_a, period="month", period_start="2026-11-01", score=88)
    rows = api_as("organisation").get("/api/v1/scorecards").json()["results"]
    assert [r["studio"] for r in rows] == [world.studio_a.code]


@pytest.fixture
def duties(world):
    from liaison.models import LiaisonAgency

    agency = LiaisonAgency.objects.get(region=world.county_a)
    topic = ResearchTopic.objects.create(agency=agency, title="乡村物流", due_on="2027-01-31", max_claimants=1)
    assignment = Assignment.objects.create(agency=agency, title="走访", due_on="2027-01-31")
    report_a = AssignmentReport.objects.create(assignment=assignment, representative=world.rep_a)
    report_b = AssignmentReport.objects.create(assignment=assignment, representative=world.rep_b)
    return topic, report_a, report_b


def test_claim_a_topic_once_then_409(api_as, world, duties):
    topic, *_ = duties
    response = api_as("rep_a").post(f"/api/v1/research-topics/{topic.pk}/claim")
    assert response.status_code == 201
    again = api_as("rep_a").post(f"/api/v1/research-topics/{topic.pk}/claim")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert api_as("studio_staff_a").post(f"/api/v1/research-topics/{topic.pk}/claim").status_code == 403
    listed = api_as("rep_a").get("/api/v1/research-topics").json()["results"]
    assert listed[0]["my_claim"] == "claimed" and listed[0]["claimed"] == 1


def test_assignments_are_the_representatives_own(api_as, world, duties):
    _topic, report_a, report_b = duties
    client = api_as("rep_a")
    assert [r["id"] for r in client.get("/api/v1/assignments").json()["results"]] == [report_a.pk]
    assert client.get(f"/api/v1/assignments/{report_b.pk}").status_code == 404
    assert client.post(f"/api/v1/assignments/{report_b.pk}/report", {"evidence": "x"}, format="json").status_code == 404
    missing = client.post(f"/api/v1/assignments/{report_a.pk}/report", {}, format="json")
    assert missing.status_code == 400 and "evidence" in missing.json()["fields"]
    done = client.post(f"/api/v1/assignments/{report_a.pk}/report", {"evidence": "已走访"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post(f"/api/v1/assignments/{report_a.pk}/report", {"evidence": "再报"}, format="json")
    assert again.status_code == 409
    assert api_as("organisation").get("/api/v1/assignments").status_code == 403


def test_proposals_own_and_organisation(api_as, world):
    from liaison.models import LiaisonAgency

    LiaisonAgency.objects.filter(region=world.county_a).update(region=world.city)
    response = api_as("rep_a").post("/api/v1/proposals", {"title": "建议", "body": "内容", "kind": "proposal"},
                                    format="json")
    assert response.status_code == 201, response.content
    assert Proposal.objects.get().representative == world.rep_a
    assert len(api_as("rep_a").get("/api/v1/proposals").json()["results"]) == 1
    assert api_as("rep_b").get("/api/v1/proposals").json()["results"] == []
    assert len(api_as("organisation").get("/api/v1/proposals").json()["results"]) == 1
    assert api_as("studio_staff_a").post("/api/v1/proposals", {"title": "x", "body": "y"},
                                         format="json").status_code == 403
    assert api_as("nobody").get("/api/v1/proposals").status_code == 403
