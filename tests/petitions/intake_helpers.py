"""Shared pieces of the citizen-side tests (issue 3): data, images, fixtures."""
import io
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from offices.models import Region
from petitions.models import PetitionEvent
from petitions.services import petition_transition
from tests.factories import RegionFactory, RepresentativeFactory, SectorFactory, StudioFactory, StudioMembershipFactory

A = PetitionEvent.Action


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and the cached counters live in the cache: every test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def en_client():
    """A citizen's browser asking for English, so that assertions read the English source strings."""
    return Client(headers={"accept-language": "en"})


def make_studio(**kw):
    city = Region.objects.filter(kind=Region.Kind.CITY).first() or RegionFactory(name="聊城市")
    county = (kw.pop("county", None) or Region.objects.filter(parent=city, name="东阿县").first()
              or RegionFactory(parent=city, kind=Region.Kind.COUNTY, name="东阿县"))
    lead = kw.pop("lead", None) or RepresentativeFactory(name="王立新", region=county)
    studio = StudioFactory(region=kw.pop("region", None) or county, lead=lead, **kw)
    StudioMembershipFactory(studio=studio, representative=lead, role="admin")
    return studio


@pytest.fixture
def studio(db):
    SectorFactory(code="zz-other", name="其他领域", position=99)
    return make_studio(name="东阿县农业技术党代表工作室")


def valid_data(studio, **overrides):
    data = {
        "category": str(studio.sector_id),
        "text": "村东头的灌溉渠堵了两个月，庄稼快要旱死了，希望尽快疏通。",
        "citizen_name": "张三丰",
        "citizen_phone": "138 1234 5678",
        "address": "东阿县牛角店镇东村",
        "latitude": "",
        "longitude": "",
        "consent": "on",
        "idempotency_key": uuid.uuid4().hex,
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 30, 30), mode="RGB", **save):
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def gps_jpeg(size=(80, 40), orientation=6) -> bytes:
    """A JPEG taken 'on its side' (orientation 6) with a GPS position in its EXIF."""
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (36.0, 27.0, 12.5)
    gps[3] = "E"
    gps[4] = (116.0, 14.0, 3.2)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def to_replied(petition, answer="渠道已经疏通，水已经通到地头。"):
    """Walk a petition through accept, dispatch, resolve and reply, as the handlers would."""
    for action, extra in ((A.ACCEPT, {}), (A.DISPATCH, {"loop": 1, "department": petition.studio.host_department}),
                          (A.RESOLVE, {"answer": answer}), (A.REPLY, {"note": "已电话告知群众。"})):
        petition = petition_transition(petition_id=petition.pk, action=action, actor_label="test", **extra)
    return petition
