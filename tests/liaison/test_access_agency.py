"""The agency's reach in liaison.access: its own objects, representatives and studios of its area only."""
from datetime import timedelta

import pytest
from django.utils import timezone

from liaison import access
from liaison.models import ResearchTopic
from tests.factories import LiaisonAgencyFactory
from tests.roles import build_world

pytestmark = pytest.mark.django_db


def test_agency_reach():
    w = build_world()
    agency_a = LiaisonAgencyFactory(region=w.county_a)
    city = LiaisonAgencyFactory(region=w.city)
    assert access.agency_id_for(w.liaison_a) == agency_a.pk
    assert access.agency_id_for(w.rep_a.user) is None and access.agency_id_for(w.organisation) is None
    assert set(access.representatives_in_agency_area(agency_a)) == {w.rep_a}
    assert set(access.representatives_in_agency_area(city)) == {w.rep_a, w.rep_b}
    assert set(access.studios_in_agency_area(agency_a)) == {w.studio_a}

    due = timezone.localdate() + timedelta(days=9)
    county_topic = ResearchTopic.objects.create(agency=agency_a, title="县级课题", due_on=due)
    city_topic = ResearchTopic.objects.create(agency=city, title="市级课题", due_on=due)
    # A representative sees the topics of the agencies over their region; another county's, not.
    assert set(access.research_topics_visible_to(w.rep_a.user)) == {county_topic, city_topic}
    assert set(access.research_topics_visible_to(w.rep_b.user)) == {city_topic}
    assert set(access.research_topics_visible_to(w.liaison_a)) == {county_topic}
    assert not access.research_topics_visible_to(w.nobody).exists()
    assert set(access.research_topics_visible_to(w.organisation)) == {county_topic, city_topic}
