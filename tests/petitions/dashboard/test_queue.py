"""The queue: ordering, filters, search, masking, paging and a constant number of queries."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from offices.choices import Flag
from petitions.codes import format_tracking_code
from petitions.models import Status
from tests.factories import PetitionFactory, SectorFactory

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


def codes(response):
    return [row["p"].tracking_code for row in response.context["rows"]]


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_logs_in_and_lands_on_the_queue(client, world):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(reverse("login"), {"username": "rep_a", "password": "pass12345", "next": URL})
    assert response.status_code == 302 and response["Location"] == URL
    assert client.get(URL).status_code == 200


def test_ordering_red_yellow_blue_then_due_date_nulls_last(client, world):
    now = timezone.now()
    studio = world.studio_a
    blue_soon = PetitionFactory(studio=studio, flag=Flag.BLUE, due_at=now + timedelta(hours=1))
    red_late = PetitionFactory(studio=studio, flag=Flag.RED, due_at=now + timedelta(days=3))
    red_undated = PetitionFactory(studio=studio, flag=Flag.RED, due_at=None)
    red_early = PetitionFactory(studio=studio, flag=Flag.RED, due_at=now - timedelta(days=1))
    yellow = PetitionFactory(studio=studio, flag=Flag.YELLOW, due_at=now + timedelta(days=9))
    client.force_login(world.studio_staff_a)
    order = codes(client.get(URL))
    expected = [red_early, red_late, red_undated, yellow, blue_soon]
    positions = [order.index(p.tracking_code) for p in expected]
    assert positions == sorted(positions)
    assert order.index(blue_soon.tracking_code) < order.index(world.p_a.tracking_code)  # undated blue last


def test_queue_shows_only_visible_petitions(client, world):
    client.force_login(world.rep_a.user)
    shown = set(codes(client.get(URL)))
    assert shown == {world.p_a.tracking_code, world.p_b_assigned.tracking_code, world.p_a_moved.tracking_code}
    assert world.p_b.tracking_code.encode() not in client.get(URL).content


def test_default_is_open_petitions_and_empty_status_shows_all(client, world):
    closed = PetitionFactory(studio=world.studio_a, status=Status.CLOSED)
    client.force_login(world.studio_staff_a)
    assert closed.tracking_code not in codes(client.get(URL))
    assert closed.tracking_code in codes(client.get(URL, {"status": ""}))
    assert codes(client.get(URL, {"status": "closed"})) == [closed.tracking_code]


@pytest.mark.parametrize("param,value,attr", [("flag", "red", "flag"), ("loop", "2", "loop")])
def test_flag_and_loop_filters(client, world, param, value, attr):
    hit = PetitionFactory(studio=world.studio_a, flag=Flag.RED, loop=2)
    PetitionFactory(studio=world.studio_a, flag=Flag.YELLOW, loop=1)
    client.force_login(world.studio_staff_a)
    shown = codes(client.get(URL, {param: value, "status": ""}))
    assert hit.tracking_code in shown
    assert all(str(getattr(p, attr)) == value for p in client.get(URL, {param: value, "status": ""}).context["page"])


def test_sector_filter(client, world):
    other = SectorFactory()
    hit = PetitionFactory(studio=world.studio_a, sector=other)
    client.force_login(world.studio_staff_a)
    assert codes(client.get(URL, {"sector": other.pk})) == [hit.tracking_code]


def test_date_range_filter(client, world):
    old = PetitionFactory(studio=world.studio_a, submitted_at=timezone.now() - timedelta(days=40))
    client.force_login(world.studio_staff_a)
    day = timezone.localdate(old.submitted_at).isoformat()
    assert codes(client.get(URL, {"submitted_from": day, "submitted_to": day})) == [old.tracking_code]
    recent = codes(client.get(URL, {"submitted_from": (timezone.localdate() - timedelta(days=1)).isoformat()}))
    assert old.tracking_code not in recent and world.p_a.tracking_code in recent


def test_search_by_tracking_code_and_text(client, world):
    client.force_login(world.rep_a.user)
    assert codes(client.get(URL, {"q": world.p_a.tracking_code.lower()})) == [world.p_a.tracking_code]
    assert codes(client.get(URL, {"q": "路灯"})) == [world.p_a.tracking_code]
    # Searching for another studio's code finds nothing.
    assert codes(client.get(URL, {"q": world.p_b.tracking_code})) == []


def test_a_tracking_code_is_found_as_shown_or_read_out_and_by_its_index(client, world):
    client.force_login(world.rep_a.user)
    code = world.p_a.tracking_code
    shown = format_tracking_code(code)  # "AB12C-DE34F", as the citizen's receipt shows it
    read_out = " ".join(shown.lower()).replace("0", "o").replace("1", "l")
    with CaptureQueriesContext(connection) as captured:
        assert codes(client.get(URL, {"q": shown})) == [code]
    assert not any("LIKE" in q["sql"].upper() for q in captured.captured_queries)  # no scan of the texts
    assert codes(client.get(URL, {"q": read_out})) == [code]
    full_width = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in shown)  # a Chinese input method's
    assert codes(client.get(URL, {"q": full_width})) == [code]


def test_words_with_letters_are_found_whatever_their_case(client, world):
    client.force_login(world.studio_staff_a)
    wifi = PetitionFactory(studio=world.studio_a, text="村委会的WiFi信号太弱，村民办事很不方便，请协调改善。")
    assert codes(client.get(URL, {"q": "wifi信号"})) == [wifi.tracking_code]
    assert codes(client.get(URL, {"q": "信号太弱"})) == [wifi.tracking_code]


def test_ten_characters_that_are_no_petitions_code_search_the_words(client, world):
    client.force_login(world.studio_staff_a)
    mentions = PetitionFactory(studio=world.studio_a, text="来电号码尾号1381234567，路灯不亮，请尽快修理。")
    assert codes(client.get(URL, {"q": "1381234567"})) == [mentions.tracking_code]


def test_flag_is_written_out_not_only_coloured(client, world):
    PetitionFactory(studio=world.studio_a, flag=Flag.RED)
    client.force_login(world.studio_staff_a)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Red · overdue" in html or "红 · 超期" in html


def test_masking_in_the_queue(client, world):
    client.force_login(world.organisation)
    html = client.get(URL).content.decode()
    assert "13812341234" not in html and "张三丰" not in html
    assert "138****1234" in html and "张**" in html
    client.force_login(world.studio_staff_a)
    html = client.get(URL).content.decode()
    assert "13812341234" in html and "张三丰" in html


def test_htmx_filter_returns_the_results_fragment(client, world):
    client.force_login(world.rep_a.user)
    response = client.get(URL, {"q": "路灯"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="queue-results"') and "<html" not in html


def test_pagination_at_fifty(client, world):
    PetitionFactory.create_batch(55, studio=world.studio_a)
    client.force_login(world.studio_staff_a)
    first = client.get(URL)
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.count == 57
    assert len(client.get(URL, {"page": 2}).context["rows"]) == 7


@pytest.mark.parametrize("role", ["rep_a", "studio_staff_a", "organisation"])
def test_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries, role):
    user = world.rep_a.user if role == "rep_a" else getattr(world, role)
    PetitionFactory.create_batch(5, studio=world.studio_a, current_representative=world.rep_a, sector=world.sector)
    client.force_login(user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as five:
        client.get(URL)
    PetitionFactory.create_batch(45, studio=world.studio_a, current_representative=world.rep_a, sector=world.sector)
    with django_assert_max_num_queries(len(five)):
        response = client.get(URL)
    assert len(response.context["rows"]) >= 50
    assert len(five) <= 10, [q["sql"] for q in five.captured_queries]  # 10th: the header's unread count


def test_bad_filter_values_get_a_message_not_a_500(client, world):
    client.force_login(world.rep_a.user)
    response = client.get(URL, {"submitted_from": "not-a-date", "flag": "purple", "sector": "999999", "page": "x"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
