"""A studio's public page `/s/<code>/`: who the studio is, what it did, its QR code and its form (issue 3)."""
from datetime import date

import pytest

from offices.models import StudioActivity, StudioOutcome
from offices.posters import qr_svg_inline
from tests.factories import RepresentativeFactory, StudioMembershipFactory, UserFactory, township
from tests.petitions.intake_helpers import _fresh_cache, en_client, make_studio, studio  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def add_history(studio, n=3):
    for i in range(n):
        activity = StudioActivity.objects.create(studio=studio, kind="reception", title=f"接待日第{i}期",
                                                 held_on=date(2024, 5, 1 + i), people_reached=30 + i)
        StudioOutcome.objects.create(studio=studio, activity=activity, metric="loans_yuan", value=1_250_000 + i,
                                     achieved_on=date(2024, 5, 1 + i), description=f"发放贷款{i}")


def test_the_page_shows_the_studio(en_client, studio):
    for name in ("李四", "赵五"):
        StudioMembershipFactory(studio=studio, representative=RepresentativeFactory(name=name))
    add_history(studio)
    response = en_client.get(f"/s/{studio.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert studio.name in html and studio.sector.name in html
    assert "county/district" in html  # the level
    assert studio.region.name in html
    assert "Lead representative" in html and "王立新" in html
    assert "3 members" in html and "李四" in html and "赵五" in html
    assert "接待日第2期" in html and "发放贷款1" in html and "1,250,001" in html
    assert studio.host_department.name in html


def test_the_qr_code_encodes_the_absolute_address_of_the_page(en_client, studio, settings):
    settings.ALLOWED_HOSTS = ["dangdaibiao.example.cn"]
    response = en_client.get(f"/s/{studio.code}/", HTTP_HOST="dangdaibiao.example.cn", secure=True,
                             SERVER_NAME="dangdaibiao.example.cn")
    url = f"https://dangdaibiao.example.cn/s/{studio.code}/"
    html = response.content.decode()
    assert response.context["studio_url"] == url
    assert qr_svg_inline(url, title="QR code of this page") in html
    assert url in html


def test_a_township_studio_shows_county_and_township(en_client, studio):
    town = township(studio.region, name="牛角店镇")
    other = make_studio(region=town, kind="township", level="township", host_department=None, name="牛角店镇两代表一委员工作室")
    html = en_client.get(f"/s/{other.code}/").content.decode()
    assert "东阿县 · 牛角店镇" in html


def test_the_page_query_count_does_not_grow_with_members_or_history(en_client, studio, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        en_client.get(f"/s/{studio.code}/")
    for _ in range(30):
        StudioMembershipFactory(studio=studio)
    add_history(studio, 12)
    with django_assert_max_num_queries(7):
        response = en_client.get(f"/s/{studio.code}/")
    assert len(response.context["page"].members) == 8 and response.context["page"].member_count == 31
    assert len(response.context["page"].activities) == 5


def test_poster_links_only_for_staff(en_client, studio):
    assert b"poster.svg" not in en_client.get(f"/s/{studio.code}/").content
    staff = UserFactory(is_staff=True)
    en_client.force_login(staff)
    assert f"/s/{studio.code}/poster.svg".encode() in en_client.get(f"/s/{studio.code}/").content


def test_studio_text_is_escaped(en_client, studio):
    studio.description = "<script>alert(1)</script>"
    studio.address = '"><img src=x onerror=alert(2)>'
    studio.save()
    html = en_client.get(f"/s/{studio.code}/").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
