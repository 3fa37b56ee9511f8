"""The representative's duties in the workspace: each flow from start to completion, counted once on
the duty log; and nobody sees another studio's discussion."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.models import (Assignment, AssignmentReport, Discussion, DiscussionPost, DutyRecord, Proposal,
                            ResearchClaim, ResearchTopic)
from liaison.services import DutyError, research_claim
from petitions.models import Status
from tests.factories import LiaisonAgencyFactory
from tests.roles import advance

pytestmark = pytest.mark.django_db
K = DutyRecord.Kind


@pytest.fixture
def agency(world):
    return LiaisonAgencyFactory(region=world.county_a)


def kinds(rep):
    return sorted(DutyRecord.objects.filter(representative=rep).values_list("kind", flat=True))


def test_duty_pages_are_for_representatives(client, world):
    assert client.get(reverse("dashboard:duties")).status_code == 302  # anonymous: to login
    client.force_login(world.studio_staff_a)
    assert client.get(reverse("dashboard:duties")).status_code == 404
    client.force_login(world.rep_a.user)
    for name in ("duties", "research", "assignments", "discussions", "proposals"):
        assert client.get(reverse(f"dashboard:{name}")).status_code == 200, name


def test_research_claim_then_report_counts_once(client, world, agency):
    topic = ResearchTopic.objects.create(agency=agency, title="秸秆综合利用调研", max_claimants=1,
                                         due_on=timezone.localdate() + timedelta(days=30))
    client.force_login(world.rep_a.user)
    assert client.post(reverse("dashboard:research_claim", args=[topic.pk])).status_code == 302
    claim = ResearchClaim.objects.get(topic=topic, representative=world.rep_a)
    # The cap: a second representative finds the team full.
    with pytest.raises(DutyError):
        research_claim(topic_id=topic.pk, representative=world.rep_b)
    client.post(reverse("dashboard:research_report", args=[claim.pk]), {"report": "调研报告全文"})
    client.post(reverse("dashboard:research_report", args=[claim.pk]), {"report": "再交一次"})
    claim.refresh_from_db()
    assert claim.status == ResearchClaim.Status.SUBMITTED and claim.report == "调研报告全文"
    assert kinds(world.rep_a) == []  # counted when the agency accepts it (tests/petitions/dashboard/test_agency.py)
    # Another representative cannot submit on this claim, nor learn it exists.
    client.force_login(world.rep_b.user)
    assert client.post(reverse("dashboard:research_report", args=[claim.pk]), {"report": "x"}).status_code == 404


def test_assignment_completion_counts_once(client, world, agency):
    assignment = Assignment.objects.create(agency=agency, title="走访困难群众", due_on=timezone.localdate())
    report = AssignmentReport.objects.create(assignment=assignment, representative=world.rep_a)
    client.force_login(world.rep_a.user)
    assert b"\xe8\xb5\xb0\xe8\xae\xbf" in client.get(reverse("dashboard:assignments")).content  # 走访
    client.post(reverse("dashboard:assignment_complete", args=[report.pk]), {"evidence": "走访 12 户"})
    client.post(reverse("dashboard:assignment_complete", args=[report.pk]), {"evidence": "again"})
    report.refresh_from_db()
    assert report.status == AssignmentReport.Status.DONE and report.evidence == "走访 12 户"
    assert kinds(world.rep_a) == [K.ASSIGNMENT]
    client.force_login(world.rep_b.user)
    assert client.post(reverse("dashboard:assignment_complete", args=[report.pk]), {"evidence": "x"}).status_code == 404


def test_discussion_post_and_studio_privacy(client, world):
    mine = Discussion.objects.create(title="A 室交流", studio=world.studio_a, created_by=world.rep_a.user)
    theirs = Discussion.objects.create(title="B 室交流", studio=world.studio_b, created_by=world.rep_b.user)
    client.force_login(world.rep_a.user)
    listing = client.get(reverse("dashboard:discussions")).content.decode()
    assert "A 室交流" in listing and "B 室交流" not in listing
    assert client.get(reverse("dashboard:discussion", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("dashboard:discussion", args=[theirs.pk]), {"body": "x"}).status_code == 404
    response = client.post(reverse("dashboard:discussion", args=[mine.pk]), {"body": "我来说两句"})
    assert response.status_code == 302
    assert DiscussionPost.objects.filter(discussion=mine).count() == 1
    assert not DiscussionPost.objects.filter(discussion=theirs).exists()
    assert kinds(world.rep_a) == [K.DISCUSSION]
    assert client.post(reverse("dashboard:discussion", args=[mine.pk]), {"body": "  "}).status_code == 400


def test_proposal_goes_to_the_agency_above(client, world):
    LiaisonAgencyFactory(region=world.city)
    rep = world.rep_b
    client.force_login(rep.user)
    response = client.post(reverse("dashboard:proposals"), {"kind": "suggestion", "title": "关于农村饮水",
                                                             "body": "建议改造管网"})
    assert response.status_code == 302
    proposal = Proposal.objects.get(representative=rep)
    assert proposal.agency.region == world.city  # county B has none: the city's agency takes it
    assert kinds(rep) == [K.PROPOSAL]
    assert "关于农村饮水" in client.get(reverse("dashboard:proposals")).content.decode()


def test_resolving_a_petition_counts_on_the_log(client, world):
    from tests.petitions.dashboard.conftest import form_state

    petition = advance(world.p_a, Status.DISPATCHED)
    client.force_login(world.rep_a.user)
    page = client.get(reverse("dashboard:petition", args=[petition.tracking_code])).content.decode()
    client.post(reverse("dashboard:petition_action", args=[petition.tracking_code, "resolve"]),
                {**form_state(page, "resolve"), "resolve-answer": "已修好"}, HTTP_HX_REQUEST="true")
    assert kinds(world.rep_a) == [K.PETITION]
    log = client.get(reverse("dashboard:duties")).content.decode()
    assert petition.tracking_code in log


def test_studio_work_records_an_activity_for_its_participants(client, world):
    url = reverse("dashboard:studio", args=[world.studio_a.code])
    client.force_login(world.rep_a.user)  # a plain member does not manage the studio
    assert client.get(reverse("dashboard:studio_home")).status_code == 404
    client.force_login(world.studio_staff_a)
    assert client.get(reverse("dashboard:studio", args=[world.studio_b.code])).status_code == 404
    response = client.post(url, {"kind": "reception", "title": "代表接待日", "held_on": timezone.localdate().isoformat(),
                                 "people_reached": "35", "representatives": [str(world.rep_a.pk)],
                                 "outcome_metric": "households", "outcome_value": "12"})
    assert response.status_code == 302
    activity = world.studio_a.activities.get()
    assert activity.people_reached == 35 and activity.outcomes.get().value == 12
    assert kinds(world.rep_a) == [K.ACTIVITY]
    bad = client.post(url, {"kind": "reception", "title": "未来活动", "people_reached": "1",
                            "held_on": (timezone.localdate() + timedelta(days=3)).isoformat()})
    assert bad.status_code == 400 and world.studio_a.activities.count() == 1
