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
