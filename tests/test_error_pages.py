"""The 403 and 404 pages speak the user's language and lead somewhere, instead of Django's bare English."""
import pytest

from tests.factories import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_representative_opening_the_reports_gets_a_chinese_403_page_with_a_way_home(client):
    representative = RepresentativeFactory(user=UserFactory())
    client.force_login(representative.user)
    response = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    body = response.content.decode()
    assert "403 Forbidden" not in body
    assert "无权" in body and 'href="/"' in body


def test_an_unknown_page_is_a_404_in_the_chosen_language(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_database_in_chinese():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        body = render_to_string("500.html")
    assert "出错了" in body and 'href="/"' in body


def test_a_form_sent_without_its_token_gets_a_page_in_the_citizens_language_and_stores_nothing(studio_for_csrf):
    from django.test import Client

    from petitions.models import Petition

    client = Client(enforce_csrf_checks=True)
    url = f"/s/{studio_for_csrf.code}/"
    response = client.post(url, {"text": "村东头的灌溉渠堵了两个月，庄稼快要旱死了。", "consent": "on"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 403
    body = response.content.decode()
    assert "CSRF验证失败" not in body and "CSRF verification" not in body and "页面已过期" in body and "复制您填写的内容" in body
    assert f'href="http://testserver{url}"' in body and Petition.objects.count() == 0
    # A link back only to this site.
    response = client.post(url, {}, HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 403 and "evil.example" not in response.content.decode()


@pytest.fixture
def studio_for_csrf(db):
    from tests.factories import StudioFactory

    return StudioFactory()
