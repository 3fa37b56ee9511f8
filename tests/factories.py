"""factory_boy factories for the whole domain; tests build only what they need."""
import factory
from django.contrib.auth import get_user_model

from offices.choices import Level
from offices.models import Department, Region, Sector, Studio, StudioMembership
from liaison.models import LiaisonAgency, Representative, StaffProfile
from petitions.codes import new_tracking_code
from petitions.models import Petition


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass12345")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sector{n}")
    name = factory.Sequence(lambda n: f"领域{n}")
    position = factory.Sequence(int)


class RegionFactory(factory.django.DjangoModelFactory):
    """A city by default; pass parent= and kind= for the levels below."""

    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"{371500 + n * 100}")
    name = factory.Sequence(lambda n: f"区域{n}")
    kind = Region.Kind.CITY
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else '/'}{o.code}/")


def county(city=None, **kw):
    city = city or RegionFactory()
    return RegionFactory(parent=city, kind=Region.Kind.COUNTY, **kw)


def township(county_region=None, **kw):
    county_region = county_region or county()
    return RegionFactory(parent=county_region, kind=Region.Kind.TOWNSHIP, **kw)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"责任单位{n}")
    sector = factory.SubFactory(SectorFactory)
    region = factory.SubFactory(RegionFactory)


class StudioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Studio

    code = factory.Sequence(lambda n: f"studio-{n}")
    name = factory.Sequence(lambda n: f"行业党代表工作室{n}")
    kind = Studio.Kind.INDUSTRY
    level = Level.COUNTY
    sector = factory.SubFactory(SectorFactory)
    region = factory.SubFactory(RegionFactory)
    host_department = factory.SubFactory(DepartmentFactory, sector=factory.SelfAttribute("..sector"),
                                         region=factory.SelfAttribute("..region"))


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    name = factory.Sequence(lambda n: f"代表{n}")
    level = Level.COUNTY
    region = factory.SubFactory(RegionFactory)
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class StudioMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudioMembership

    studio = factory.SubFactory(StudioFactory)
    representative = factory.SubFactory(RepresentativeFactory)


class LiaisonAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonAgency
        django_get_or_create = ("region",)

    name = factory.Sequence(lambda n: f"党代表联络工作机构{n}")
    level = Level.CITY
    region = factory.SubFactory(RegionFactory)


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    role = StaffProfile.Role.ORGANISATION


class PetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Petition

    tracking_code = factory.LazyFunction(new_tracking_code)
    studio = factory.SubFactory(StudioFactory)
    current_studio = factory.SelfAttribute("studio")
    region = factory.SelfAttribute("studio.region")
    text = "村里的玉米地积水严重，希望尽快帮助排涝。"


def flag_change(*, petition, to_flag, from_flag="blue", stage="", at=None, reason=""):
    """A flag change as the sweep writes it: the petition's FLAG event, read back through the
    FlagChange view (assessment/migrations/0008)."""
    from django.utils import timezone

    from assessment.models import FlagChange
    from petitions.models import PetitionEvent

    event = PetitionEvent.objects.create(
        petition=petition, action=PetitionEvent.Action.FLAG, actor_label="system", at=at or timezone.now(),
        note=reason, public=False, data={"from": from_flag, "to": to_flag, "stage": stage})
    return FlagChange.objects.get(pk=event.pk)
