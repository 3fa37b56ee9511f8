"""The duties on top of tests/roles.py's world: county A's liaison agency (liaison_a's) with a proposal of
rep_a's, research topics and claims, a task; a department of its area; and a snapshot of everything these
writes may change, to assert that a refused request changed nothing."""
from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from assessment.models import Notification
from liaison.models import (Assignment, AssignmentReport, DutyRecord, LiaisonAgency, Proposal, ResearchClaim,
                            ResearchTopic)
from offices.models import StudioMembership
from tests.factories import DepartmentFactory, RepresentativeFactory, UserFactory


def build_duties(world) -> SimpleNamespace:
    agency = LiaisonAgency.objects.get(region=world.county_a)
    due = timezone.localdate() + timedelta(days=30)
    d = SimpleNamespace(agency=agency, due=due)
    d.department = DepartmentFactory(region=world.county_a, sector=world.sector, code="dept-a-nyj")
    d.proposal = Proposal.objects.create(representative=world.rep_a, agency=agency, title="关于乡村道路养护",
                                         body="建议设立专项资金")
    d.topic = ResearchTopic.objects.create(agency=agency, title="农村电商调研", due_on=due, max_claimants=3)
    d.topic_free = ResearchTopic.objects.create(agency=agency, title="养老服务调研", due_on=due, max_claimants=3)
    d.claim_submitted = ResearchClaim.objects.create(topic=d.topic, representative=world.rep_a,
                                                     status=ResearchClaim.Status.SUBMITTED, report="初稿",
                                                     submitted_at=timezone.now())
    other_topic = ResearchTopic.objects.create(agency=agency, title="物流成本", due_on=due)
    d.claim_open = ResearchClaim.objects.create(topic=other_topic, representative=world.rep_a)
    d.assignment = Assignment.objects.create(agency=agency, title="走访种植大户", due_on=due)
    d.report_a = AssignmentReport.objects.create(assignment=d.assignment, representative=world.rep_a)
    # Of county A, in no studio yet: someone studio A may take in.
    d.newcomer = RepresentativeFactory(region=world.county_a, name="李新", phone="13900001111",
                                       user=UserFactory(username="li_xin"))
    d.membership_a = StudioMembership.objects.get(studio=world.studio_a, representative=world.rep_a)
    return d


def snapshot() -> tuple:
    """Every row the duty and member writes touch, as plain values."""
    return (
        sorted(Proposal.objects.values_list("id", "status", "department_id", "answer")),
        sorted(ResearchTopic.objects.values_list("id", "status")),
        sorted(ResearchClaim.objects.values_list("id", "status", "report", "review")),
        sorted(Assignment.objects.values_list("id", flat=True)),
        sorted(AssignmentReport.objects.values_list("id", "status", "evidence")),
        sorted(StudioMembership.objects.values_list("id", "studio_id", "representative_id", "role")),
        DutyRecord.objects.count(),
        Notification.objects.count(),
    )
