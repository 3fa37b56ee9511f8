"""Invariants the database and model validation refuse to break."""
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from offices.models import Region, Studio
from petitions.models import Petition
from tests.factories import PetitionFactory, RegionFactory, SectorFactory, StudioFactory, county, township

pytestmark = pytest.mark.django_db


def test_petition_without_a_studio_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Petition.objects.create(tracking_code="ABCDEFGHJK", text="路灯坏了很久没人修", studio_id=None)


def test_studio_without_a_sector_is_refused():
    studio = StudioFactory.build(sector=None)
    with pytest.raises(ValidationError) as err:
        studio.full_clean()
    assert "sector" in err.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Studio.objects.create(code="no-sector", name="x", kind="township", level="township",
                              region=RegionFactory(), sector_id=None)


def test_industry_studio_needs_a_host_department():
    with pytest.raises(IntegrityError), transaction.atomic():
        StudioFactory(host_department=None)


def test_duplicate_tracking_codes_are_refused():
    first = PetitionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PetitionFactory(tracking_code=first.tracking_code)


def test_region_cycle_is_refused():
    city = RegionFactory()
    county_region = county(city)
    town = township(county_region)
    # Moving the county under its own township would make a cycle.
    county_region.parent = town
    with pytest.raises(ValidationError) as err:
        county_region.full_clean()
    assert "parent" in err.value.message_dict
    county_region.parent = county_region
    with pytest.raises(ValidationError):
        county_region.full_clean()


def test_region_must_sit_under_the_level_above_it():
    city = RegionFactory()
    village = Region(code="371500000001", name="某村", kind=Region.Kind.VILLAGE, parent=city)
    with pytest.raises(ValidationError):
        village.full_clean()


def test_only_a_city_has_no_parent():
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="371599", name="孤县", kind=Region.Kind.COUNTY, parent=None, path="/371599/")


def test_region_path_is_computed_by_validation():
    city = RegionFactory(code="371500")
    county_region = Region(code="371526", name="高唐县", kind=Region.Kind.COUNTY, parent=city)
    county_region.full_clean()
    assert county_region.path == "/371500/371526/"


def test_sector_codes_are_unique():
    SectorFactory(code="agri")
    with pytest.raises(IntegrityError), transaction.atomic():
        SectorFactory._meta.model.objects.create(code="agri", name="重复")
