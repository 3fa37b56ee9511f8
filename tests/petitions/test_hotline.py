"""The 12345 exchange: signatures, the outbox against the fake hotline as a real process, and the callback API."""
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from petitions import services_routing
from petitions.hotline import signing
from petitions.hotline.client import encode, post_signed
from petitions.hotline.outbox import hotline_delivery_attempt, hotline_outbox_due, hotline_outbox_sweep
from petitions.models import HotlineCallback, HotlineDelivery, PetitionEvent, Status
from petitions.services import petition_submit

from .conftest import TEXTS

A = PetitionEvent.Action
URL = "/api/v1/hotline/events"


# --- signatures -----------------------------------------------------------------------------------

def test_a_signature_verifies_and_any_change_breaks_it():
    body = b'{"a":1}'
    headers = signing.signed_headers("s3cret", body, now=1_000_000)
    stamp, signature = headers[signing.TIMESTAMP_HEADER], headers[signing.SIGNATURE_HEADER]
    signing.verify("s3cret", stamp, signature, body, now=1_000_100)
    for secret, ts, sig, data in [("other", stamp, signature, body), ("s3cret", stamp, signature, b'{"a":2}'),
                                  ("s3cret", str(int(stamp) + 1), signature, body), ("s3cret", stamp, "", body),
                                  ("s3cret", "soon", signature, body)]:
        with pytest.raises(signing.SignatureError):
            signing.verify(secret, ts, sig, data, now=1_000_100)


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_a_timestamp_more_than_five_minutes_away_is_stale(age):
    body = b"{}"
    headers = signing.signed_headers("k", body, now=1_000_000)
    with pytest.raises(signing.StaleTimestamp):
        signing.verify("k", headers[signing.TIMESTAMP_HEADER], headers[signing.SIGNATURE_HEADER], body,
                       now=1_000_000 + age)


# --- the outbox against the fake hotline, a real process on loopback ---------------------------------

@pytest.fixture
def forwarded(county_world):
    petition, _ = petition_submit(studio=county_world.agri, text=TEXTS["talent"])
    services_routing.petition_route(petition_id=petition.pk)
    petition.refresh_from_db()
    return petition, HotlineDelivery.objects.get(petition=petition)


def test_the_outbox_retries_with_backoff_while_12345_is_down_and_delivers_once_it_is_back(forwarded, fake_hotline):
    petition, delivery = forwarded
    fake_hotline.start("--down", "--no-callbacks")
    reply = hotline_delivery_attempt(delivery_id=delivery.pk)
    assert reply.status == 503
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.delivered_at, delivery.last_status_code) == (1, None, 503)
    assert delivery.next_attempt_at > timezone.now()  # scheduled in the database, not on the broker
    assert hotline_delivery_attempt(delivery_id=delivery.pk) is None  # not due yet: no second POST
    assert hotline_outbox_due() == []

    fake_hotline.stop()  # nobody listening at all: refused, also retried
    later = delivery.next_attempt_at
    assert hotline_delivery_attempt(delivery_id=delivery.pk, now=later).status == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "Connection" in delivery.last_error
    assert delivery.next_attempt_at - later >= timedelta(seconds=settings.HOTLINE_RETRY_BASE_SECONDS * 2)

    fake_hotline.start("--no-callbacks")
    assert hotline_outbox_sweep(now=delivery.next_attempt_at, inline=True) == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.hotline_ref.startswith("12345-")
    assert delivery.attempts == 3 and delivery.last_error == ""
    assert hotline_outbox_sweep(now=delivery.next_attempt_at + timedelta(hours=1), inline=True) == 0
    stats = fake_hotline.stats()
    assert (stats["cases"], stats["keys"]) == (1, {delivery.idempotency_key: 1})
    note = petition.events.filter(action=A.NOTE).get()
    assert note.data == {"delivery": delivery.idempotency_key, "step": "delivered",
                         "hotline_ref": delivery.hotline_ref}


def test_the_same_idempotency_key_makes_one_case_at_the_hotline(forwarded, fake_hotline):
    _petition, delivery = forwarded
    fake_hotline.start("--no-callbacks")
    first = post_signed(settings.HOTLINE_URL, delivery.payload, secret=settings.HOTLINE_SECRET, timeout=5,
                        idempotency_key=delivery.idempotency_key)
    again = post_signed(settings.HOTLINE_URL, delivery.payload, secret=settings.HOTLINE_SECRET, timeout=5,
                        idempotency_key=delivery.idempotency_key)
    assert (first.status, again.status) == (201, 200)
    assert first.body["id"] == again.body["id"]
    assert fake_hotline.stats()["cases"] == 1


def test_the_fake_hotline_refuses_a_bad_signature(forwarded, fake_hotline):
    _petition, delivery = forwarded
    fake_hotline.start("--no-callbacks")
    reply = post_signed(settings.HOTLINE_URL, delivery.payload, secret="wrong", timeout=5, idempotency_key="k")
    assert reply.status == 401 and fake_hotline.stats()["cases"] == 0


def test_a_slow_hotline_times_out_and_is_retried(forwarded, fake_hotline, settings):
    _petition, delivery = forwarded
    settings.HOTLINE_TIMEOUT_SECONDS = 0.3
    fake_hotline.start("--delay", "2", "--no-callbacks")
    reply = hotline_delivery_attempt(delivery_id=delivery.pk)
    assert reply.status == 0  # no answer: the client gave up at its timeout, not after the hotline's delay
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.attempts == 1


# --- the callback endpoint ---------------------------------------------------------------------------

def post_event(client, event: dict, *, secret=None, now=None, raw: bytes | None = None):
    body = raw if raw is not None else encode(event)
    headers = signing.signed_headers(secret or settings.HOTLINE_SECRET, body, now=now)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    return client.post(URL, data=body, content_type="application/json", **extra)


def event(petition, status, **kw):
    return {"event_id": uuid.uuid4().hex, "petition": petition.tracking_code, "status": status, **kw}


def assert_error(response, status_code, code):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert body["code"] == code and body["message"] and isinstance(body["fields"], dict)
    return body


def test_an_unsigned_or_wrongly_signed_callback_is_401(client, forwarded):
    petition, _ = forwarded
    body = encode(event(petition, "received"))
    assert_error(client.post(URL, data=body, content_type="application/json"), 401, "signature_invalid")
    assert_error(post_event(client, event(petition, "received"), secret="wrong"), 401, "signature_invalid")
    assert not HotlineCallback.objects.exists()


def test_a_stale_callback_is_401(client, forwarded):
    petition, _ = forwarded
    response = post_event(client, event(petition, "received"), now=time.time() - 301)
    assert_error(response, 401, "timestamp_stale")


@pytest.mark.parametrize("raw, field", [
    (b"not json", None),
    (b"[1, 2]", None),
    (json.dumps({"petition": "X", "status": "received"}).encode(), "event_id"),
    (json.dumps({"event_id": "e1", "petition": "X", "status": "lost"}).encode(), "status"),
])
def test_a_malformed_callback_is_400_with_the_reason(client, forwarded, raw, field):
    body = assert_error(post_event(client, {}, raw=raw), 400, "malformed")
    if field:
        assert field in body["fields"]


def test_resolved_without_an_answer_is_400(client, forwarded):
    petition, _ = forwarded
    body = assert_error(post_event(client, event(petition, "resolved")), 400, "malformed")
    assert "answer" in body["fields"]


def test_an_unknown_petition_is_404(client, forwarded):
    assert_error(post_event(client, {"event_id": "e1", "petition": "ZZZZZZZZZZ", "status": "received"}), 404,
                 "unknown_petition")


def test_callbacks_move_the_petition_and_resolved_puts_the_answer_on_the_timeline(client, forwarded):
    petition, delivery = forwarded
    for status in ("received", "handling"):
        response = post_event(client, event(petition, status, delivery=delivery.idempotency_key))
        assert response.status_code == 200 and response.json()["outcome"] == "applied"
    response = post_event(client, event(petition, "resolved", answer="已协调人社局提供培训名额。"))
    assert response.json() == {"event_id": response.json()["event_id"], "outcome": "applied", "replay": False}
    petition.refresh_from_db()
    assert (petition.status, petition.answer) == (Status.RESOLVED, "已协调人社局提供培训名额。")
    resolve = petition.events.get(action=A.RESOLVE)
    assert (resolve.public, resolve.actor_label, resolve.note) == (True, "12345", "已协调人社局提供培训名额。")
    assert petition.events.filter(action=A.HOTLINE, public=True).count() == 3  # forwarded, received, handling
    delivery.refresh_from_db()
    assert delivery.hotline_status == "resolved" and delivery.delivered_at is not None


def test_a_replayed_event_changes_nothing(client, forwarded):
    petition, _ = forwarded
    received = event(petition, "received")
    first = post_event(client, received)
    events_before = petition.events.count()
    again = post_event(client, received)
    assert again.status_code == 200 and again.json()["replay"] is True
    assert again.json()["outcome"] == first.json()["outcome"] == "applied"
    assert petition.events.count() == events_before and HotlineCallback.objects.count() == 1


def test_out_of_order_events_never_move_a_petition_backwards(client, forwarded):
    petition, _ = forwarded
    post_event(client, event(petition, "handling"))
    late = post_event(client, event(petition, "received"))
    assert late.json()["outcome"] == "out_of_order"
    post_event(client, event(petition, "resolved", answer="已解决"))
    events_before = petition.events.count()
    for status in ("handling", "received", "returned"):
        assert post_event(client, event(petition, status)).json()["outcome"] == "out_of_order"
    petition.refresh_from_db()
    assert petition.status == Status.RESOLVED and petition.events.count() == events_before


def test_returned_gives_the_petition_back_to_the_first_contact_studio(client, forwarded, county_world):
    petition, _ = forwarded
    response = post_event(client, event(petition, "returned", reason="不属于热线受理范围"))
    assert response.json()["outcome"] == "applied"
    petition.refresh_from_db()
    assert (petition.status, petition.current_studio) == (Status.ACCEPTED, county_world.agri)
    assert petition.events.get(action=A.RETURN).note == "不属于热线受理范围"


def test_callbacks_about_a_cancelled_forwarding_are_ignored(client, forwarded, county_world):
    petition, _ = forwarded
    services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=1, reason="本单位办理")
    response = post_event(client, event(petition, "resolved", answer="已解决"))
    assert response.json()["outcome"] == "ignored"
    petition.refresh_from_db()
    assert petition.status == Status.DISPATCHED and petition.loop == 1


def test_the_callback_endpoint_needs_no_csrf_token_its_signature_is_the_authentication(forwarded):
    from django.test import Client

    petition, _ = forwarded
    response = post_event(Client(enforce_csrf_checks=True), event(petition, "received"))
    assert response.status_code == 200 and response.json()["outcome"] == "applied"
