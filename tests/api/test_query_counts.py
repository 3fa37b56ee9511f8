"""Every list endpoint costs the same number of queries for 3 rows as for 30."""
import pytest
from django.utils import timezone

from assessment.models import RedCard, Scorecard
from liaison.models import (Assignment, AssignmentReport, Discussion, DiscussionPost, LiaisonAgency, Proposal,
                            ResearchTopic)
from offices.models import StudioActivity, StudioOutcome
from tests.factories import PetitionFactory, RepresentativeFactory, StudioFactory, StudioMembershipFactory
from tests.factories import flag_change

LISTS = [("organisation", "/api/v1/petitions"), ("studio_staff_a", "/api/v1/petitions"),
         (None, "/api/v1/studios"), (None, "/api/v1/representatives"), (None, "/api/v1/regions"),
         (None, "/api/v1/sectors"), (None, "/api/v1/hot-words"), ("organisation", "/api/v1/flags"),
         ("rep_a", "/api/v1/red-cards"), ("organisation", "/api/v1/scorecards"), ("organisation", "/api/v1/proposals"),
         ("rep_a", "/api/v1/research-topics"), ("rep_a", "/api/v1/assignments"), ("rep_a", "/api/v1/discussions"),
         ("rep_a", "/api/v1/discussions/{thread}/posts"), (None, "/api/v1/studios/{studio_a}/activities"),
         (None, "/api/v1/studios/{studio_a}/outcomes")]


def grow(world, n):
    agency = LiaisonAgency.objects.get(region=world.county_a)
    for _ in range(n):
        studio = StudioFactory(region=world.county_a, sector=world.sector)
        rep = RepresentativeFactory(region=world.county_a)
        rep.sectors.add(world.sector)
        StudioMembershipFactory(studio=studio, representative=rep)
        p = PetitionFactory(studio=world.studio_a)
        flag_change(petition=p, to_flag="yellow")
        RedCard.objects.create(petition=p, studio=world.studio_a, reason="x", rectify_by=timezone.now())
        Scorecard.objects.create(studio=studio, period="month", period_start="2026-11-01")
        Proposal.objects.create(representative=world.rep_a, agency=agency, title="t", body="b")
        ResearchTopic.objects.create(agency=agency, title="t", due_on="2027-01-01")
        AssignmentReport.objects.create(representative=world.rep_a, assignment=Assignment.objects.create(
            agency=agency, title="t", due_on="2027-01-01"))
        Discussion.objects.create(title="t", studio=world.studio_a, created_by=world.rep_b.user)
        DiscussionPost.objects.create(discussion=world.thread, author=world.studio_staff_a, body="b")
        activity = StudioActivity.objects.create(studio=world.studio_a, kind="training", title="t",
                                                 held_on="2026-11-01")
        StudioOutcome.objects.create(studio=world.studio_a, activity=activity, metric="jobs", value=3,
                                     achieved_on="2026-11-01")


@pytest.mark.parametrize("role, path", LISTS)
def test_list_queries_do_not_grow_with_rows(api_as, world, role, path, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(role)
    world.thread = Discussion.objects.create(title="t", studio=world.studio_a, created_by=world.studio_staff_a)
    path = path.format(thread=world.thread.pk, studio_a=world.studio_a.code)
    grow(world, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path, {"page_size": 100}).status_code == 200
    grow(world, 27)
    client = api_as(role)  # a fresh request: nothing cached on the user
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(path, {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] >= 30 or path in ("/api/v1/sectors", "/api/v1/regions", "/api/v1/hot-words")
