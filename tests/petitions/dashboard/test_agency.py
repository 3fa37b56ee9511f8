"""The liaison agency's side of each duty, through the pages, from creation to completion, with the
representative seeing each step; and another region's agency, or anyone else, learns nothing."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import Notification, Scorecard
from assessment.scorecards import period_start_for, scorecards_compute
from liaison.models import (Assignment, AssignmentReport, DutyRecord, Proposal, ResearchClaim, ResearchTopic,
                            StaffProfile)
from tests.factories import (DepartmentFactory, LiaisonAgencyFactory, RepresentativeFactory, StaffProfileFactory,
                             StudioMembershipFactory, UserFactory)

pytestmark = pytest.mark.django_db
K = DutyRecord.Kind


@pytest.fixture
def agency(world):
    return LiaisonAgencyFactory(region=world.county_a)  # the one liaison_a works for


@pytest.fixture
def liaison_b(world):
    """Staff of county B's agency: another region."""
    other = LiaisonAgencyFactory(region=world.county_b)
    return StaffProfileFactory(user=UserFactory(username="liaison_b"), role=StaffProfile.Role.LIAISON,
                               agency=other).user


def kinds(rep):
    return sorted(DutyRecord.objects.filter(representative=rep).values_list("kind", flat=True))


def notes(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True))


def test_proposal_from_submission_to_answer(client, world, agency):
    department = DepartmentFactory(region=world.county_a, sector=world.sector)
    client.force_login(world.rep_a.user)
    client.post(reverse("dashboard:proposals"), {"kind": "proposal", "title": "关于乡村道路养护", "body": "建议设立专项资金"})
    proposal = Proposal.objects.get(representative=world.rep_a)
    assert proposal.agency == agency

    client.force_login(world.liaison_a)
    inbox = client.get(reverse("dashboard:agency_proposals")).content.decode()
    assert "关于乡村道路养护" in inbox and 'data-step="accept"' in inbox and 'data-step="answer"' not in inbox
    step = lambda name, **data: client.post(reverse("dashboard:agency_proposal_step", args=[proposal.pk, name]), data)
    assert step("accept").status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED and proposal.accepted_at
    # A stale second click: a clear message, nothing changed.
    response = client.post(reverse("dashboard:agency_proposal_step", args=[proposal.pk, "decline"]),
                           {"reason": "x"}, follow=True)
    assert "页面信息已过期，未作任何更改" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    step("hand_over", department=str(department.pk))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.HANDED_OVER and proposal.department == department
    step("answer", answer="  ")  # empty answer: refused
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.HANDED_OVER
    step("answer", answer="已列入明年预算")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ANSWERED and proposal.answered_at

    # The representative saw each step: three notifications, and the answer on their page.
    assert len(notes(world.rep_a.user)) == 3
    client.force_login(world.rep_a.user)
    page = client.get(reverse("dashboard:proposals")).content.decode()
    assert "已列入明年预算" in page and department.name in page and 'data-status="answered"' in page
    assert kinds(world.rep_a) == [K.PROPOSAL]


def test_declining_needs_a_reason(client, world, agency):
    proposal = Proposal.objects.create(representative=world.rep_a, agency=agency, title="t", body="b")
    client.force_login(world.liaison_a)
    client.post(reverse("dashboard:agency_proposal_step", args=[proposal.pk, "decline"]), {"reason": ""})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    client.post(reverse("dashboard:agency_proposal_step", args=[proposal.pk, "decline"]), {"reason": "不属于职责范围"})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED and proposal.answer == "不属于职责范围"


def test_research_topic_published_claimed_returned_and_accepted(client, world, agency):
    due = timezone.localdate() + timedelta(days=20)
    client.force_login(world.liaison_a)
    response = client.post(reverse("dashboard:agency_research"), {"title": "农村电商调研", "description": "县域物流",
                                                                  "max_claimants": "2", "due_on": due.isoformat()})
    assert response.status_code == 302
    topic = ResearchTopic.objects.get(title="农村电商调研")
    assert topic.agency == agency
    # A due date in the past: refused with a message, nothing published.
    bad = client.post(reverse("dashboard:agency_research"), {"title": "过期", "max_claimants": "1",
                                                             "due_on": "2000-01-01"})
    assert bad.status_code == 400 and not ResearchTopic.objects.filter(title="过期").exists()

    # County B's representative is outside this agency's area: the topic does not exist for them.
    client.force_login(world.rep_b.user)
    assert "农村电商调研" not in client.get(reverse("dashboard:research")).content.decode()
    assert client.post(reverse("dashboard:research_claim", args=[topic.pk])).status_code == 404

    client.force_login(world.rep_a.user)
    assert "农村电商调研" in client.get(reverse("dashboard:research")).content.decode()
    client.post(reverse("dashboard:research_claim", args=[topic.pk]))
    claim = ResearchClaim.objects.get(topic=topic, representative=world.rep_a)
    client.post(reverse("dashboard:research_report", args=[claim.pk]), {"report": "初稿"})
    assert kinds(world.rep_a) == []  # a report counts once the agency accepts it

    client.force_login(world.liaison_a)
    page = client.get(reverse("dashboard:agency_research")).content.decode()
    assert "初稿" in page and 'data-review="accept"' in page
    review = reverse("dashboard:agency_research_review", args=[claim.pk])
    client.post(review, {"decision": "return", "review": ""})  # returning needs a word on what to revise
    claim.refresh_from_db()
    assert claim.status == ResearchClaim.Status.SUBMITTED
    client.post(review, {"decision": "return", "review": "请补充数据"})
    claim.refresh_from_db()
    assert claim.status == ResearchClaim.Status.RETURNED

    client.force_login(world.rep_a.user)
    assert "请补充数据" in client.get(reverse("dashboard:research")).content.decode()
    client.post(reverse("dashboard:research_report", args=[claim.pk]), {"report": "修改稿，附数据"})
    client.force_login(world.liaison_a)
    client.post(review, {"decision": "accept", "review": "很好"})
    client.post(review, {"decision": "accept"})  # twice: counted once
    claim.refresh_from_db()
    assert claim.status == ResearchClaim.Status.ACCEPTED and claim.report == "修改稿，附数据"
    assert kinds(world.rep_a) == [K.RESEARCH]
    assert len(notes(world.rep_a.user)) == 2  # returned, accepted

    client.force_login(world.rep_a.user)
    assert "农村电商调研" in client.get(reverse("dashboard:duties")).content.decode()


def test_assignment_to_a_whole_studio_then_completed_and_overdue(client, world, agency):
    other = RepresentativeFactory(region=world.county_a, user=UserFactory(username="rep_c"))
    StudioMembershipFactory(studio=world.studio_a, representative=other)
    due = timezone.localdate() + timedelta(days=5)
    client.force_login(world.liaison_a)
    form = client.get(reverse("dashboard:agency_assignments")).content.decode()
    assert world.studio_a.name in form and world.studio_b.name not in form  # only its own area
    response = client.post(reverse("dashboard:agency_assignments"), {
        "title": "走访种植大户", "description": "每人走访 5 户", "due_on": due.isoformat(),
        "studio": str(world.studio_a.pk)})
    assignment = Assignment.objects.get(title="走访种植大户")
    assert response.status_code == 302 and response.url == reverse("dashboard:agency_assignment",
                                                                   args=[assignment.pk])
    assert set(assignment.reports.values_list("representative_id", flat=True)) == {world.rep_a.pk, other.pk}
    assert notes(world.rep_a.user) and notes(other.user) and not notes(world.rep_b.user)

    client.force_login(world.rep_a.user)
    assert "走访种植大户" in client.get(reverse("dashboard:assignments")).content.decode()
    report = AssignmentReport.objects.get(assignment=assignment, representative=world.rep_a)
    client.post(reverse("dashboard:assignment_complete", args=[report.pk]), {"evidence": "走访 5 户，见附表"})
    assert kinds(world.rep_a) == [K.ASSIGNMENT]
    assert "走访种植大户" in client.get(reverse("dashboard:duties")).content.decode()

    # The due date passes: the agency sees who is overdue, and assessment counts it.
    Assignment.objects.filter(pk=assignment.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(world.liaison_a)
    detail = client.get(reverse("dashboard:agency_assignment", args=[assignment.pk])).content.decode()
    assert "走访 5 户，见附表" in detail and 'class="overdue"' in detail
    listing = client.get(reverse("dashboard:agency_assignments")).content.decode()
    assert "逾期未报告 1 项" in listing
    day = timezone.localdate() - timedelta(days=1)
    scorecards_compute(period="month", start=period_start_for("month", day))
    card = Scorecard.objects.get(representative=other, period="month", period_start=period_start_for("month", day))
    assert card.assignments_overdue == 1
    assert Scorecard.objects.get(representative=world.rep_a, period="month",
                                 period_start=period_start_for("month", day)).assignments == 1


def test_assignments_stay_inside_the_agency_area(client, world, agency):
    client.force_login(world.liaison_a)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    outside = client.post(reverse("dashboard:agency_assignments"), {"title": "x", "due_on": due,
                                                                    "representatives": [str(world.rep_b.pk)]})
    nobody = client.post(reverse("dashboard:agency_assignments"), {"title": "y", "due_on": due})
    past = client.post(reverse("dashboard:agency_assignments"), {"title": "z", "due_on": "2000-01-01",
                                                                 "representatives": [str(world.rep_a.pk)]})
    assert outside.status_code == nobody.status_code == past.status_code == 400
    assert not Assignment.objects.exists()


def test_agency_pages_role_matrix(client, world, agency, liaison_b):
    proposal = Proposal.objects.create(representative=world.rep_a, agency=agency, title="t", body="b")
    topic = ResearchTopic.objects.create(agency=agency, title="t", due_on=timezone.localdate())
    claim = ResearchClaim.objects.create(topic=topic, representative=world.rep_a, status="submitted", report="r")
    assignment = Assignment.objects.create(agency=agency, title="t", due_on=timezone.localdate())
    pages = [reverse("dashboard:agency_proposals"), reverse("dashboard:agency_research"),
             reverse("dashboard:agency_assignments"), reverse("dashboard:agency_assignment", args=[assignment.pk])]
    posts = [reverse("dashboard:agency_proposal_step", args=[proposal.pk, "accept"]),
             reverse("dashboard:agency_research_review", args=[claim.pk]),
             reverse("dashboard:agency_research_close", args=[topic.pk])]
    for url in pages + posts:
        response = client.post(url) if url in posts else client.get(url)
        assert response.status_code == 302 and "/login" in response.url, url  # anonymous: to the login
    for user in (world.rep_a.user, world.studio_staff_a, world.department_staff, world.nobody):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 404, (user, url)
        for url in posts:
            assert client.post(url, {"decision": "accept"}).status_code == 404, (user, url)
    client.force_login(liaison_b)  # another region's agency: its own pages, none of agency A's objects
    for url in pages[:3]:
        body = client.get(url).content.decode()
        assert 'id="proposal-' not in body and 'agency_research_review' not in body
    assert client.get(pages[3]).status_code == 404
    for url in posts:
        assert client.post(url, {"decision": "accept"}).status_code == 404, url
    proposal.refresh_from_db(), claim.refresh_from_db(), topic.refresh_from_db()
    assert (proposal.status, claim.status, topic.status) == ("submitted", "submitted", "open")


def test_agency_lists_have_constant_query_counts(client, world, agency, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.liaison_a)
    due = timezone.localdate() + timedelta(days=3)

    def grow(i):
        Proposal.objects.create(representative=world.rep_a, agency=agency, title=f"p{i}", body="b")
        topic = ResearchTopic.objects.create(agency=agency, title=f"t{i}", due_on=due)
        ResearchClaim.objects.create(topic=topic, representative=world.rep_a, status="submitted", report="r")
        a = Assignment.objects.create(agency=agency, title=f"a{i}", due_on=due)
        AssignmentReport.objects.create(assignment=a, representative=world.rep_a)

    counts = []
    for n in (1, 6):
        while Proposal.objects.count() < n:
            grow(Proposal.objects.count())
        row = []
        for name in ("agency_proposals", "agency_research", "agency_assignments"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(f"dashboard:{name}")).status_code == 200
            row.append(len(ctx))
        counts.append(row)
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(20):
        client.get(reverse("dashboard:agency_research"))
