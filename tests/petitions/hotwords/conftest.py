import pytest
from django.utils import timezone

from liaison.models import StaffProfile
from offices.models import Studio
from petitions.hotwords.services import hotwords_refresh
from tests.factories import RepresentativeFactory, StaffProfileFactory, StudioFactory, UserFactory

from . import corpus


@pytest.fixture
def world(db):
    """The labelled corpus, ranked once (so that later refreshes have an earlier top to compare with), plus
    people: an agri representative, a governance representative, and the staff of 鱼邱湖街道's township studio."""
    now = timezone.now()
    w = corpus.build(now)
    w.now = now
    w.agri_rep = RepresentativeFactory(region=w.counties["高唐县"], user=UserFactory(username="agri_rep"))
    w.agri_rep.sectors.add(w.sectors["agri"])
    w.gov_rep = RepresentativeFactory(region=w.counties["高唐县"], user=UserFactory(username="gov_rep"))
    w.gov_rep.sectors.add(w.sectors["governance"])
    w.township_studio = StudioFactory(kind=Studio.Kind.TOWNSHIP, level="township", region=w.towns["鱼邱湖街道"],
                                      sector=w.sectors["governance"], code="yqh-township")
    w.township_staff = StaffProfileFactory(user=UserFactory(username="yqh_staff"), role=StaffProfile.Role.STUDIO,
                                           studio=w.township_studio).user
    w.organisation = StaffProfileFactory(user=UserFactory(username="org"), role=StaffProfile.Role.ORGANISATION).user
    hotwords_refresh(full=True, now=now)
    return w
