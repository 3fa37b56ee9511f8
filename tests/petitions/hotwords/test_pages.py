"""Where hot words show: the public landing page, the representatives' dashboard, the reports, the drill-down."""
import pytest
from django.urls import reverse

from petitions.models import HotWordTerm
from petitions.hotwords.services import hotwords_refresh
from tests.factories import StudioMembershipFactory

pytestmark = pytest.mark.django_db


def test_the_landing_page_lists_hot_words_without_personal_data_or_blocked_terms(world, client,
                                                                                  django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = client.get(reverse("petitions:landing")).content.decode()
    assert "玉米倒伏" in page and "农业技术" in page
    assert not any(name in page for name in world.names)
    assert not any(phone in page for phone in world.phones)
    HotWordTerm.objects.create(term="玉米倒伏", action=HotWordTerm.Action.BLOCK)
    hotwords_refresh()
    page = client.get(reverse("petitions:landing")).content.decode()
    assert "玉米倒伏" not in page
    assert "刷单诈骗" in page or "暖气不热" in page


def test_a_representatives_dashboard_shows_their_sectors_hot_words_first(world, client,
                                                                         django_assert_max_num_queries):
    client.force_login(world.agri_rep.user)
    StudioMembershipFactory(studio=world.studios[("高唐县", "agri")], representative=world.agri_rep)
    queue = client.get(reverse("dashboard:queue")).content.decode()
    assert reverse("hotwords:panel") in queue  # the queue page loads the panel, no query of its own
    with django_assert_max_num_queries(10):
        page = client.get(reverse("hotwords:panel")).content.decode()
    assert "玉米倒伏" in page
    first_sector = page.index("农业技术", page.index('id="dash-hot-words"'))
    assert first_sector < page.index("公共安全", page.index('id="dash-hot-words"'))
    assert f"township={world.towns['梁村镇'].pk}" in page  # the similar petitions of 梁村镇 as one item


def test_the_drill_down_lists_only_the_petitions_the_user_may_open(world, client, django_assert_max_num_queries):
    url = reverse("hotwords:detail", kwargs={"term": "玉米倒伏"}) + "?window=7d"
    client.force_login(world.organisation)
    with django_assert_max_num_queries(15):
        page = client.get(url).content.decode()
    assert page.count("/dashboard/p/") == 14
    # A representative of 冠县's safety studio may open none of 高唐县's farm petitions: they learn the count only.
    StudioMembershipFactory(studio=world.studios[("冠县", "safety")], representative=world.gov_rep)
    client.force_login(world.gov_rep.user)
    page = client.get(url).content.decode()
    assert "/dashboard/p/" not in page
    assert "14" in page


def test_the_drill_down_is_for_people_with_a_role(world, client):
    url = reverse("hotwords:detail", kwargs={"term": "玉米倒伏"})
    assert client.get(url).status_code == 302  # to the login
    client.force_login(world.agri_rep.user)  # a representative without any studio still has a role
    assert client.get(url).status_code == 200
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="walk-in"))
    assert client.get(url).status_code == 403


def test_the_staff_index_shows_blocked_terms_marked_and_bad_parameters_fall_back(world, client):
    HotWordTerm.objects.create(term="玉米倒伏", action=HotWordTerm.Action.BLOCK)
    hotwords_refresh()
    client.force_login(world.organisation)
    page = client.get(reverse("hotwords:index") + "?window=bogus&region=x&sector=-3").content.decode()
    row = page[page.index(">玉米倒伏</a>"):]
    assert row[:row.index("</td>")].count("tag-internal") == 1  # marked as hidden from the public
    page = client.get(reverse("hotwords:index") + f"?window=24h&region={world.counties['冠县'].pk}").content.decode()
    assert "刷单诈骗" in page


def test_the_organisation_report_shows_hot_words_and_similar_petitions(world, client):
    client.force_login(world.organisation)
    page = client.get(reverse("reports:overview")).content.decode()
    assert "暖气不热" in page
    assert "辛集镇" in page


def test_a_drill_down_on_a_control_character_term_is_a_404_not_a_500(world, client):
    client.force_login(world.organisation)
    assert client.get("/dashboard/hot-words/%00/").status_code == 404
    assert client.get("/dashboard/hot-words/%00%E7%8E%89%E7%B1%B3%E5%80%92%E4%BC%8F/").status_code == 200
