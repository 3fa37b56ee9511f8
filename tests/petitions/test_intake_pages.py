"""The request form on a studio's page, the success page, the landing page and its directory (issue 3)."""
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offices.models import Region, Studio
from petitions.codes import format_tracking_code
from petitions.forms import text_length
from petitions.models import Petition, PetitionEvent, PetitionPhoto, Source, Status
from tests.factories import PetitionFactory, SectorFactory
from tests.petitions.intake_helpers import (  # noqa: F401 (fixtures)
    _fresh_cache, en_client, image_bytes, make_studio, studio, upload, valid_data,
)

pytestmark = pytest.mark.django_db


def studio_url(studio):
    return reverse("petitions:studio", args=[studio.code])


def post(client, studio, files=None, ip="10.1.1.1", **overrides):
    data = valid_data(studio, **overrides)
    if files is not None:
        data["photos"] = files
    return client.post(studio_url(studio), data, REMOTE_ADDR=ip)


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- the form page ---------------------------------------------------------------------------
def test_form_renders_in_chinese_by_default_with_every_field(client, studio):
    response = client.get(studio_url(studio))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    for name in ("category", "text", "citizen_name", "citizen_phone", "address", "latitude", "longitude", "photos",
                 "consent", "idempotency_key", "website"):
        assert f'name="{name}"' in html, name
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert "<script>" not in html  # no inline script: static files only
    assert "js/petition-form.js" in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_category_lists_the_studios_own_sector_first(en_client, studio):
    SectorFactory(code="aa-first", name="排在最前", position=0)
    form = en_client.get(studio_url(studio)).context["form"]
    choices = [value for value, _label in form.fields["category"].choices]
    assert int(str(choices[0])) == studio.sector_id
    assert len(choices) == 3  # every sector, no empty choice
    assert form.initial["category"] == studio.sector_id


def test_each_render_has_a_new_idempotency_key(en_client, studio):
    keys = {en_client.get(studio_url(studio)).context["form"].initial["idempotency_key"] for _ in range(3)}
    assert len(keys) == 3


def test_unknown_studio_is_404(en_client, db):
    assert en_client.get("/s/no-such-studio/").status_code == 404


def test_inactive_studio_shows_no_form_and_stores_nothing(en_client, studio):
    Studio.objects.filter(pk=studio.pk).update(active=False)
    response = en_client.get(studio_url(studio))
    assert response.status_code == 200 and response.context["form"] is None
    assert b"no longer takes requests" in response.content
    response = post(en_client, studio)
    assert response.status_code == 302 and Petition.objects.count() == 0


# --- submitting -------------------------------------------------------------------------------
def test_valid_request_is_stored_and_the_citizen_sees_the_code(en_client, studio):
    response = post(en_client, studio, latitude="36.4531234567", longitude="116.2491")
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.studio == studio and petition.current_studio == studio
    assert petition.category == studio.sector and petition.region == studio.region
    assert petition.status == Status.SUBMITTED and petition.source == Source.QR
    assert petition.citizen_phone == "13812345678"  # spaces dropped
    assert petition.citizen_name == "张三丰"
    assert str(petition.latitude) == "36.453123" and str(petition.longitude) == "116.249100"
    assert list(petition.events.values_list("action", "public")) == [(PetitionEvent.Action.SUBMIT, True)]

    page = en_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    first, second = format_tracking_code(petition.tracking_code).split("-")
    assert f'<span class="code-group">{first}</span>' in html and f'<span class="code-group">{second}</span>' in html
    assert f'data-copy="{first}-{second}"' in html and "js/copy.js" in html
    assert f'href="/track/?code={first}-{second}"' in html
    assert "last 4 digits" in html
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def test_success_page_with_a_forged_token_is_404(en_client, db):
    assert en_client.get("/submitted/not-a-token/").status_code == 404


def test_same_idempotency_key_twice_makes_one_petition(en_client, studio):
    key = uuid.uuid4().hex
    first = post(en_client, studio, idempotency_key=key)
    second = post(en_client, studio, idempotency_key=key)
    assert first.status_code == second.status_code == 302
    assert Petition.objects.count() == 1
    code = Petition.objects.get().tracking_code
    for response in (first, second):
        assert format_tracking_code(code) in en_client.get(response["Location"]).content.decode()


def test_a_form_reshown_after_an_error_keeps_its_key_so_the_retry_is_still_one(en_client, studio):
    key = uuid.uuid4().hex
    response = post(en_client, studio, idempotency_key=key, consent=None)
    assert response.status_code == 200 and f'value="{key}"' in response.content.decode()
    post(en_client, studio, idempotency_key=key)
    post(en_client, studio, idempotency_key=key)
    assert Petition.objects.count() == 1


def test_an_odd_idempotency_key_is_ignored_not_an_error(en_client, studio):
    response = post(en_client, studio, idempotency_key="<script>")
    assert response.status_code == 302 and Petition.objects.get().idempotency_key is None


def test_honeypot_answers_like_success_and_stores_nothing(en_client, studio):
    response = post(en_client, studio, website="http://spam.example")
    assert response.status_code == 302 and "/submitted/" in response["Location"]
    page = en_client.get(response["Location"])
    assert page.status_code == 200 and b"tracking-code" in page.content
    assert Petition.objects.count() == 0 and PetitionEvent.objects.count() == 0


def test_honeypot_drops_even_an_otherwise_invalid_bot_form(en_client, studio):
    response = post(en_client, studio, website="x", text="", consent=None)
    assert response.status_code == 302 and Petition.objects.count() == 0


def test_submissions_are_rate_limited_per_client_address(en_client, studio, settings):
    settings.SUBMIT_RATE_LIMIT = "3/h"
    for _ in range(3):
        assert post(en_client, studio).status_code == 302
    response = post(en_client, studio)
    assert response.status_code == 429
    assert b"try again later" in response.content and response["Retry-After"]
    assert Petition.objects.count() == 3
    # Another address is not held back.
    other = en_client.post(studio_url(studio), valid_data(studio), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_invalid_posts_count_towards_the_limit_too(en_client, studio, settings):
    settings.SUBMIT_RATE_LIMIT = "2/h"
    post(en_client, studio, text="")
    post(en_client, studio, text="")
    assert post(en_client, studio).status_code == 429
    assert Petition.objects.count() == 0


# --- validation, field by field: an error beside its field, nothing saved -------------------------
@pytest.mark.parametrize(
    ("field", "overrides", "message"),
    [
        ("category", {"category": ""}, "Please choose what your request is about."),
        ("category", {"category": "999999"}, "Please choose one of the listed topics."),
        ("category", {"category": "abc"}, "Please choose one of the listed topics."),
        ("text", {"text": ""}, "Please describe your request."),
        ("text", {"text": "   \n\t  "}, "Please describe your request."),
        ("text", {"text": "路灯坏了"}, "at least 10 characters (you wrote 4)"),
        ("text", {"text": "长" * 2001}, "shorten it to 2,000 characters (you wrote 2,001)"),
        ("text", {"text": "问题" * 5000}, "(you wrote 10,000)"),
        ("text", {"text": "👍🏽" * 9}, "(you wrote 9)"),
        ("citizen_name", {"citizen_name": "名" * 65}, "at most 64 characters"),
        ("citizen_phone", {"citizen_phone": "12345678901"}, "11-digit mainland mobile number"),
        ("citizen_phone", {"citizen_phone": "1381234567"}, "11-digit mainland mobile number"),
        ("citizen_phone", {"citizen_phone": "0635-8888888"}, "11-digit mainland mobile number"),
        ("citizen_phone", {"citizen_phone": "138123456789"}, "11-digit mainland mobile number"),
        ("citizen_phone", {"citizen_phone": "一三八"}, "11-digit mainland mobile number"),
        ("address", {"address": "路" * 256}, "shorten the address to 255 characters"),
        ("latitude", {"latitude": "36.1", "longitude": ""}, "location is incomplete"),
        ("latitude", {"latitude": "95", "longitude": "116"}, "could not be read"),
        ("latitude", {"latitude": "north", "longitude": "116"}, "could not be read"),
        ("consent", {"consent": None}, "tick the box"),
    ],
)
def test_each_field_error_is_shown_beside_it_and_nothing_is_saved(en_client, studio, field, overrides, message):
    response = post(en_client, studio, files=[upload("ok.png", image_bytes("PNG"), "image/png")], **overrides)
    assert response.status_code == 200
    assert any(message in e for e in errors_of(response, field)), errors_of(response, field)
    html = response.content.decode()
    assert 'class="form-problems"' in html and "nothing was saved" in html
    assert re.search(rf'id="field-{"address" if field == "latitude" else field}"[^>]*>', html)
    assert "choose them again" in html  # photos cannot be kept by the browser
    assert Petition.objects.count() == 0 and PetitionPhoto.objects.count() == 0 and PetitionEvent.objects.count() == 0


def test_errors_are_in_the_users_language_chinese_by_default(client, studio):
    from django.utils import translation

    response = post(client, studio, text="", consent=None)
    assert response.status_code == 200 and 'lang="zh-hans"' in response.content.decode()
    with translation.override("zh-hans"):
        expected = translation.gettext("Please describe your request.")
    assert errors_of(response, "text") == [expected]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("13812345678", "13812345678"), ("138-1234-5678", "13812345678"), ("+86 138 1234 5678", "13812345678"),
     ("0086 13812345678", "13812345678"), ("(138) 1234 5678", "13812345678"), ("１３８１２３４５６７８", "13812345678"),
     ("", "")],
)
def test_mobile_numbers_are_normalised(en_client, studio, raw, stored):
    assert post(en_client, studio, citizen_phone=raw).status_code == 302
    assert Petition.objects.get().citizen_phone == stored


def test_name_phone_address_and_location_are_optional(en_client, studio):
    response = post(en_client, studio, citizen_name="", citizen_phone="", address="")
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert (petition.citizen_name, petition.citizen_phone, petition.address, petition.latitude) == ("", "", "", None)


def test_text_length_counts_what_a_person_sees():
    assert text_length("你好") == 2
    assert text_length("👍🏽") == 1  # emoji + skin tone
    assert text_length("👨‍👩‍👧") == 1  # a family: three people joined
    assert text_length("🇨🇳🇬🇧") == 2  # two flags
    assert text_length("e\u0301") == 1  # e + combining accent
    assert text_length("abc 你好 😀") == 8


def test_emoji_and_mixed_scripts_are_stored_as_written(en_client, studio):
    text = "路灯坏了 street light broken 🚨🚨 ул. Ленина — مرحبا 👨‍👩‍👧"
    assert post(en_client, studio, text=text).status_code == 302
    assert Petition.objects.get().text == text


def test_control_characters_and_nul_never_cause_a_500(en_client, studio):
    response = post(en_client, studio, text="路灯坏了\x00很久没有人来修理了\x07请尽快", citizen_name="张\x00三")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "\x00" not in Petition.objects.get().text


def test_html_in_any_field_is_escaped_when_shown_again(en_client, studio):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = post(en_client, studio, text=evil, citizen_name=evil[:60], address=evil, consent=None)
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html


def test_photos_are_stored_with_the_petition(en_client, studio):
    files = [upload("a.jpg", image_bytes("JPEG")), upload("b.png", image_bytes("PNG"), "image/png"),
             upload("c.webp", image_bytes("WEBP"), "image/webp")]
    assert post(en_client, studio, files=files).status_code == 302
    names = sorted(p.image.name.rsplit(".", 1)[1] for p in Petition.objects.get().photos.all())
    assert names == ["jpg", "png", "webp"]


def test_more_than_three_photos_are_refused(en_client, studio):
    files = [upload(f"{i}.jpg", image_bytes("JPEG")) for i in range(4)]
    response = post(en_client, studio, files=files)
    assert response.status_code == 200
    assert any("at most 3" in e for e in errors_of(response, "photos"))
    assert Petition.objects.count() == 0 and PetitionPhoto.objects.count() == 0


def test_one_bad_photo_saves_nothing_not_even_the_good_ones(en_client, studio):
    files = [upload("good.jpg", image_bytes("JPEG")), upload("bad.jpg", b"not an image at all", "image/jpeg")]
    response = post(en_client, studio, files=files)
    assert response.status_code == 200
    assert any("bad.jpg" in e for e in errors_of(response, "photos"))
    assert Petition.objects.count() == 0 and PetitionPhoto.objects.count() == 0


# --- the landing page -------------------------------------------------------------------------
def _count_queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_landing_and_counters_query_counts_do_not_grow_with_petitions(
        en_client, studio, django_assert_max_num_queries):
    PetitionFactory.create_batch(3, studio=studio)
    small_landing = _count_queries(en_client, "/")
    small_counters = _count_queries(en_client, "/counters/")
    from django.core.cache import cache

    cache.clear()
    PetitionFactory.create_batch(60, studio=studio)
    for _ in range(8):
        make_studio()
    with django_assert_max_num_queries(small_landing):
        en_client.get("/")
    with django_assert_max_num_queries(max(small_counters, 1)):
        en_client.get("/counters/")
    # Cached: a thousand pollers cost nothing more until the cache period ends.
    with django_assert_max_num_queries(0):
        en_client.get("/counters/")
    assert small_landing <= 6


def test_counters_show_collected_resolved_and_rate(en_client, studio):
    PetitionFactory.create_batch(3, studio=studio)
    PetitionFactory(studio=studio, status=Status.CLOSED)
    PetitionFactory(studio=studio, status=Status.REJECTED)
    html = en_client.get("/counters/").content.decode()
    assert 'data-counter="collected">4<' in html and 'data-counter="resolved">1<' in html
    assert 'data-counter="rate">25.0%<' in html
    assert 'hx-trigger="every 15s"' in html


def test_landing_has_a_hot_words_slot_and_no_fake_hot_words(en_client, studio):
    html = en_client.get("/").content.decode()
    assert "hot-word" not in html.lower()


def test_directory_lists_studios_linking_to_their_pages(en_client, studio):
    html = en_client.get("/").content.decode()
    assert f'href="/s/{studio.code}/"' in html and studio.name in html and studio.lead.name in html


def test_directory_filters_by_county_sector_and_text(en_client, studio):
    other_county = Region.objects.create(code="371599", name="莘县", kind=Region.Kind.COUNTY,
                                         parent=studio.region.parent, path=f"{studio.region.parent.path}371599/")
    elsewhere = make_studio(county=other_county, name="莘县金融党代表工作室")
    by_region = en_client.get("/", {"region": other_county.code}).context["directory"].object_list
    assert [s.pk for s in by_region] == [elsewhere.pk]
    by_sector = en_client.get("/", {"sector": studio.sector.code}).context["directory"].object_list
    assert [s.pk for s in by_sector] == [studio.pk]
    # A studio that also covers a sector is found under it.
    elsewhere.sectors.add(studio.sector)
    by_sector = en_client.get("/", {"sector": studio.sector.code}).context["directory"].object_list
    assert {s.pk for s in by_sector} == {studio.pk, elsewhere.pk}
    by_text = en_client.get("/", {"q": "金融"}).context["directory"].object_list
    assert [s.pk for s in by_text] == [elsewhere.pk]
    by_lead = en_client.get("/", {"q": studio.lead.name}).context["directory"].object_list
    assert studio.pk in [s.pk for s in by_lead]


def test_directory_is_paginated_and_htmx_gets_only_the_list(en_client, studio):
    for _ in range(25):
        make_studio()
    page1 = en_client.get("/").context["directory"]
    assert page1.paginator.count == 26 and len(page1.object_list) == 20
    response = en_client.get("/", {"page": 2}, headers={"HX-Request": "true", "HX-Target": "directory"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="directory"') and "<html" not in html
    assert len(response.context["directory"].object_list) == 6
    assert en_client.get("/", {"page": "999"}).status_code == 200
    assert en_client.get("/", {"page": "x<script>"}).status_code == 200


def test_directory_search_is_escaped(en_client, studio):
    html = en_client.get("/", {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html
