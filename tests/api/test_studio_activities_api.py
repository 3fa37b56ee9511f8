"""A studio's activities and outcomes over the API: public reading, with what the studio's page shows;
recording by its lead, admins and staff, judged by the page's own form and written by the page's service
(each representative who took part gets it on their duty log once). A refused write changes nothing."""
from datetime import timedelta

import pytest
from django.utils import timezone

from liaison.models import DutyRecord
from offices.models import StudioActivity, StudioOutcome
from tests.api.errors import refused
from tests.factories import RepresentativeFactory, StudioMembershipFactory


def url(studio, what="activities"):
    return f"/api/v1/studios/{studio.code}/{what}"


def rows():
    return (sorted(StudioActivity.objects.values_list("id", "title", "people_reached")),
            sorted(StudioOutcome.objects.values_list("id", "metric", "value")),
            DutyRecord.objects.count())


GOOD = {"kind": "training", "title": "玉米秸秆还田技术培训", "held_on": "2026-11-20", "people_reached": 46,
        "outcome_metric": "people_trained", "outcome_value": "46", "description": "在梁村镇农技站举办。"}


@pytest.fixture
def partner(world):
    """A second member of studio A, who took part in the training with rep_a."""
    rep = RepresentativeFactory(region=world.county_a, name="李新")
    StudioMembershipFactory(studio=world.studio_a, representative=rep)
    return rep


def test_studio_staff_record_an_activity_that_counts_for_each_participant(api_as, world, partner):
    response = api_as("studio_staff_a").post(url(world.studio_a), {
        **GOOD, "representatives": [world.rep_a.pk, partner.pk]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    activity = StudioActivity.objects.get(pk=body["id"])
    assert (activity.studio_id, activity.title, activity.people_reached, activity.held_on.isoformat()) == (
        world.studio_a.pk, "玉米秸秆还田技术培训", 46, "2026-11-20")
    assert sorted(body["representatives"]) == sorted([world.rep_a.pk, partner.pk])
    assert body["outcomes"] == [{"metric": "people_trained", "value": "46.00"}]
    assert activity.recorded_by == world.studio_staff_a
    for rep in (world.rep_a, partner):
        assert DutyRecord.objects.filter(representative=rep, kind=DutyRecord.Kind.ACTIVITY,
                                         source_id=activity.pk).count() == 1

    # Everyone, signed in or not, reads it back as the studio's page shows it (no description, no people).
    listed = api_as(None).get(url(world.studio_a)).json()["results"]
    assert listed == [{"id": activity.pk, "kind": "training", "title": "玉米秸秆还田技术培训",
                       "held_on": "2026-11-20", "people_reached": 46,
                       "outcomes": [{"metric": "people_trained", "value": "46.00"}]}]
    outcomes = api_as("rep_b").get(url(world.studio_a, "outcomes")).json()["results"]
    assert [(o["metric"], o["value"], o["activity"], o["achieved_on"]) for o in outcomes] == [
        ("people_trained", "46.00", activity.pk, "2026-11-20")]
    assert api_as(None).get(url(world.studio_b)).json()["results"] == []


def test_a_blank_outcome_is_no_outcome_as_on_the_page(api_as, world):
    response = api_as("studio_staff_a").post(url(world.studio_a), {
        **GOOD, "outcome_metric": "", "outcome_value": None}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["outcomes"] == [] and not StudioOutcome.objects.exists()


def test_bad_input_gets_the_pages_messages_and_changes_nothing(api_as, world):
    client = api_as("studio_staff_a")
    before = rows()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = refused(client.post(url(world.studio_a), {**GOOD, "held_on": tomorrow}, format="json"), 400, "held_on")
    assert body["fields"]["held_on"] == ["活动开展后方可登记。"]
    body = refused(client.post(url(world.studio_a), {**GOOD, "representatives": [world.rep_b.pk]}, format="json",
                               HTTP_ACCEPT_LANGUAGE="en"), 400, "representatives")
    assert str(world.rep_b.pk) in body["fields"]["representatives"][0]  # not a member of studio A
    no_value = {k: v for k, v in GOOD.items() if k != "outcome_value"}
    body = refused(client.post(url(world.studio_a), no_value, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert body["message"] == "Give both the outcome and its value, or neither."
    refused(client.post(url(world.studio_a), {**GOOD, "kind": "party"}, format="json"), 400, "kind")
    refused(client.post(url(world.studio_a), {**GOOD, "people_reached": 2**31}, format="json"), 400, "people_reached")
    refused(client.post(url(world.studio_a), {**GOOD, "outcome_value": "-1"}, format="json"), 400, "outcome_value")
    refused(client.post(url(world.studio_a), {**GOOD, "title": ""}, format="json"), 400, "title")
    refused(client.post(url(world.studio_a), {**GOOD, "colour": "red"}, format="json"), 400, "colour")
    assert rows() == before


def test_only_the_studios_managers_record(api_as, world):
    before = rows()
    assert api_as(None).post(url(world.studio_a), GOOD, format="json").status_code == 401
    for role in ("rep_a", "rep_b", "organisation", "liaison_a"):  # a plain member of studio A included
        body = refused(api_as(role).post(url(world.studio_a), GOOD, format="json"), 403)
        assert "工作室" in body["message"], role
    refused(api_as("studio_staff_a").post(url(world.studio_b), GOOD, format="json"), 403)
    refused(api_as("studio_staff_a").post("/api/v1/studios/no-such-studio/activities", GOOD, format="json"), 404)
    assert rows() == before
    assert api_as("superuser").post(url(world.studio_b), GOOD, format="json").status_code == 201


def test_an_inactive_studio_is_found_only_by_its_managers(api_as, world):
    world.studio_a.active = False
    world.studio_a.save()
    assert api_as(None).get(url(world.studio_a)).status_code == 404
    assert api_as("rep_b").get(url(world.studio_a, "outcomes")).status_code == 404
    assert api_as("studio_staff_a").get(url(world.studio_a)).status_code == 200
    assert api_as("studio_staff_a").post(url(world.studio_a), GOOD, format="json").status_code == 201
