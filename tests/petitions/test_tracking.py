"""/track/: the code and the last 4 digits; the public timeline in citizen words; no probing (issue 3)."""
import re

import pytest

from petitions.codes import format_tracking_code
from petitions.models import PetitionEvent
from petitions.services import event_record, petition_submit, petition_transition
from tests.factories import DepartmentFactory
from tests.petitions.intake_helpers import _fresh_cache, en_client, studio, to_replied  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
A = PetitionEvent.Action


@pytest.fixture
def petition(studio):
    petition, _ = petition_submit(studio=studio, text="小区门口的路灯坏了一个月，晚上出行很不安全。", citizen_name="张三丰",
                                  citizen_phone="13812345678", category=studio.sector)
    return petition


def track(client, code, digits="", ip="10.3.3.3"):
    return client.get("/track/", {"code": code, "digits": digits}, REMOTE_ADDR=ip)


def without_form_echo(html):
    """The page as it would look for any code: drop the echoed input values and the CSRF token."""
    html = re.sub(r' value="[^"]*"', '', html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken"[^>]*>', "", html)


def test_the_right_code_and_digits_show_status_and_timeline(en_client, petition, studio):
    response = track(en_client, petition.tracking_code, "5678")
    assert response.status_code == 200
    html = response.content.decode()
    assert format_tracking_code(petition.tracking_code) in html
    assert "submitted" in html and f"Your request was received by {studio.name}." in html
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex, nofollow">' in html


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{dashed}", " {spaced} "])
def test_the_code_may_be_typed_loosely(en_client, petition, typed):
    code = petition.tracking_code
    text = typed.format(code=code, lower=code.lower(), dashed=format_tracking_code(code),
                        spaced=f"{code[:3]} {code[3:7]} {code[7:]}")
    assert track(en_client, text, "5678").context.get("petition") == petition


def test_wrong_digits_wrong_code_and_no_such_code_give_the_same_answer(en_client, petition):
    wrong_digits = track(en_client, petition.tracking_code, "0000")
    no_digits = track(en_client, petition.tracking_code, "")
    other = "0" * 10 if petition.tracking_code != "0" * 10 else "1" * 10
    no_such_code = track(en_client, other, "5678")
    pages = [wrong_digits, no_digits, no_such_code]
    assert {p.status_code for p in pages} == {200}
    assert all(p.context.get("petition") is None and p.context["not_found"] for p in pages)
    assert len({without_form_echo(p.content.decode()) for p in pages}) == 1
    assert "We found no request with this code and these digits" in wrong_digits.content.decode()


def test_a_petition_without_a_phone_is_found_by_its_code_alone(en_client, studio):
    petition, _ = petition_submit(studio=studio, text="公园的健身器材损坏了，请派人维修一下。")
    assert track(en_client, petition.tracking_code).context["petition"] == petition


def test_malformed_input_gets_a_message_not_a_500(en_client, petition):
    for code, digits in (("ABC", ""), ("<script>alert(1)</script>", "12"), ("Ａ" * 40, "abcd"), ("x" * 5000, "")):
        response = track(en_client, code, digits)
        assert response.status_code == 200
        assert "<script>alert(1)" not in response.content.decode()


def test_the_public_timeline_in_citizen_words_and_nothing_internal(en_client, petition, studio):
    department = DepartmentFactory(name="东阿县住建局", sector=studio.sector, region=studio.region)
    petition_transition(petition_id=petition.pk, action=A.ACCEPT, actor_label="t")
    petition_transition(petition_id=petition.pk, action=A.NOTE, note="内部备注：此人多次来访", actor_label="t")
    petition_transition(petition_id=petition.pk, action=A.DISPATCH, loop=2, department=department, actor_label="t")
    petition_transition(petition_id=petition.pk, action=A.RESOLVE, answer="路灯已更换，<b>恢复照明</b>。", actor_label="t")
    petition_transition(petition_id=petition.pk, action=A.REPLY, note="已电话回访。", actor_label="t")
    html = track(en_client, petition.tracking_code, "5678").content.decode()
    assert "Accepted." in html
    assert "Passed to 东阿县住建局 for handling." in html
    assert "Resolved." in html and "路灯已更换，&lt;b&gt;恢复照明&lt;/b&gt;。" in html
    assert "You were given the answer." in html
    assert "内部备注" not in html  # internal notes stay internal
    assert "answered" in html  # the status


def test_name_and_phone_are_masked_on_the_tracking_page(en_client, petition):
    html = track(en_client, petition.tracking_code, "5678").content.decode()
    assert "张**" in html and "138****5678" in html
    assert "张三丰" not in html and "13812345678" not in html


def test_the_request_text_is_escaped(en_client, studio):
    petition, _ = petition_submit(studio=studio, text='<script>alert("x")</script> 路灯坏了很久了请修理')
    html = track(en_client, petition.tracking_code).content.decode()
    assert '<script>alert("x")' not in html and "&lt;script&gt;" in html


def test_repeated_wrong_tries_are_rate_limited_per_address(en_client, petition, settings):
    settings.TRACK_RATE_LIMIT = "3/10m"
    for _ in range(3):
        assert track(en_client, petition.tracking_code, "0000").status_code == 200
    blocked = track(en_client, petition.tracking_code, "5678")  # even the right digits, once blocked
    assert blocked.status_code == 429 and b"try again in about 10 minutes" in blocked.content
    assert track(en_client, petition.tracking_code, "5678", ip="10.4.4.4").status_code == 200


def test_right_tries_do_not_count_towards_the_limit(en_client, petition, settings):
    settings.TRACK_RATE_LIMIT = "3/10m"
    for _ in range(10):
        assert track(en_client, petition.tracking_code, "5678").status_code == 200


def test_the_empty_tracking_page_shows_the_form(en_client, db):
    response = en_client.get("/track/")
    assert response.status_code == 200 and b'name="code"' in response.content and b'name="digits"' in response.content


def test_the_tracking_page_query_count_does_not_grow_with_the_trail(en_client, petition, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        track(en_client, petition.tracking_code, "5678")
    for i in range(20):
        event_record(petition=petition, action=A.NOTE, note=f"n{i}", public=True)
    with django_assert_max_num_queries(4):
        track(en_client, petition.tracking_code, "5678")


def test_a_replied_petition_offers_the_rating_form(en_client, petition):
    to_replied(petition)
    html = track(en_client, petition.tracking_code, "5678").content.decode()
    assert 'action="/track/rate/"' in html and 'name="rating"' in html
    assert f'value="{format_tracking_code(petition.tracking_code)}"' in html and 'value="5678"' in html
