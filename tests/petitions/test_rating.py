"""Rating the answer from the tracking page: once, within the window; dissatisfied reopens; then it closes."""
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from petitions.errors import MissingDetail
from petitions.models import Petition, PetitionEvent, Rating, Status
from petitions.services import (
    RatingNotPossible, petition_rate, petition_submit, petition_transition, petitions_close_unrated,
)
from tests.petitions.intake_helpers import _fresh_cache, en_client, studio, to_replied  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
A = PetitionEvent.Action


@pytest.fixture
def replied(studio):
    petition, _ = petition_submit(studio=studio, text="村口的桥面塌了一块，车辆通行很危险，请尽快修复。",
                                  citizen_phone="13900001234")
    return to_replied(petition)


def rate(client, petition, rating, comment="", digits="1234", ip="10.5.5.5"):
    return client.post("/track/rate/", {"code": petition.tracking_code, "digits": digits, "rating": rating,
                                        "comment": comment}, REMOTE_ADDR=ip)


def test_satisfied_closes_the_petition(en_client, replied):
    response = rate(en_client, replied, Rating.SATISFIED, "谢谢，修得很快！")
    assert response.status_code == 302 and "digits=1234" in response["Location"]
    replied.refresh_from_db()
    assert replied.status == Status.CLOSED and replied.rating == Rating.SATISFIED
    assert replied.rating_comment == "谢谢，修得很快！" and replied.rated_at and replied.closed_at
    event = replied.events.get(action=A.RATE)
    assert event.public and event.actor_label == "citizen" and event.to_status == Status.CLOSED
    page = en_client.get(response["Location"], REMOTE_ADDR="10.5.5.5")
    assert b"Thank you for rating the answer." in page.content and b'name="rating"' not in page.content


def test_dissatisfied_reopens_it_for_handling(en_client, replied):
    rate(en_client, replied, Rating.DISSATISFIED, "桥还是没修好")
    replied.refresh_from_db()
    assert replied.status == Status.DISPATCHED and replied.rating == Rating.DISSATISFIED
    assert replied.reopened_count == 1 and replied.replied_at is None and replied.resolved_at is None
    html = en_client.get(f"/track/?code={replied.tracking_code}&digits=1234", REMOTE_ADDR="10.5.5.5").content.decode()
    assert "went back for handling" in html


def test_a_rating_cannot_be_repeated(en_client, replied):
    rate(en_client, replied, Rating.DISSATISFIED)
    response = rate(en_client, replied, Rating.SATISFIED)
    assert response.status_code == 302
    page = en_client.get(response["Location"], REMOTE_ADDR="10.5.5.5")
    assert b"already been rated" in page.content
    replied.refresh_from_db()
    assert replied.rating == Rating.DISSATISFIED and replied.events.filter(action=A.RATE).count() == 1


def test_after_a_new_answer_the_new_answer_can_be_rated(replied):
    petition_rate(petition_id=replied.pk, rating=Rating.DISSATISFIED)
    petition_transition(petition_id=replied.pk, action=A.RESOLVE, answer="已重新施工。", actor_label="t")
    petition_transition(petition_id=replied.pk, action=A.REPLY, actor_label="t")
    petition = petition_rate(petition_id=replied.pk, rating=Rating.BASICALLY_SATISFIED)
    assert petition.status == Status.CLOSED and petition.reopened_count == 1
    with pytest.raises(RatingNotPossible):
        petition_rate(petition_id=replied.pk, rating=Rating.SATISFIED)


def test_rating_before_the_answer_is_refused(studio):
    petition, _ = petition_submit(studio=studio, text="垃圾清运不及时，气味很大，请处理。")
    with pytest.raises(RatingNotPossible):
        petition_rate(petition_id=petition.pk, rating=Rating.SATISFIED)


def test_not_rated_is_not_a_citizen_choice(en_client, replied):
    with pytest.raises(MissingDetail):
        petition_rate(petition_id=replied.pk, rating=Rating.NOT_RATED)
    response = rate(en_client, replied, Rating.NOT_RATED)
    assert response.status_code == 200 and response.context["rating_form"].errors["rating"]
    replied.refresh_from_db()
    assert replied.status == Status.REPLIED


def test_rating_needs_the_right_digits(en_client, replied):
    response = rate(en_client, replied, Rating.SATISFIED, digits="0000")
    assert response.status_code == 200 and response.context["not_found"]
    replied.refresh_from_db()
    assert replied.status == Status.REPLIED


def test_rating_after_the_window_is_refused(en_client, replied, settings):
    Petition.objects.filter(pk=replied.pk).update(replied_at=timezone.now() - timedelta(days=16))
    with pytest.raises(RatingNotPossible):
        petition_rate(petition_id=replied.pk, rating=Rating.DISSATISFIED)
    html = en_client.get(f"/track/?code={replied.tracking_code}&digits=1234", REMOTE_ADDR="10.5.5.5").content.decode()
    assert 'name="rating"' not in html


def test_the_window_is_configurable(replied, settings):
    settings.RATING_WINDOW_DAYS = 30
    Petition.objects.filter(pk=replied.pk).update(replied_at=timezone.now() - timedelta(days=16))
    assert petition_rate(petition_id=replied.pk, rating=Rating.SATISFIED).status == Status.CLOSED


def test_close_unrated_closes_only_answers_past_the_window(studio, replied, django_assert_max_num_queries):
    now = timezone.now()
    Petition.objects.filter(pk=replied.pk).update(replied_at=now - timedelta(days=15, minutes=1))
    fresh, _ = petition_submit(studio=studio, text="另一个诉求的描述文字，超过十个字。")
    fresh = to_replied(fresh)  # answered just now: still open for rating
    waiting, _ = petition_submit(studio=studio, text="还没有答复的诉求，也超过十个字。")
    with django_assert_max_num_queries(6):
        assert petitions_close_unrated(now=now) == 1
    replied.refresh_from_db()
    assert replied.status == Status.CLOSED and replied.rating == Rating.NOT_RATED and replied.closed_at == now
    event = replied.events.get(action=A.CLOSE)
    assert event.public and event.actor_label == "system" and event.from_status == Status.REPLIED
    assert event.data == {"reason": "not_rated", "window_days": 15}
    fresh.refresh_from_db()
    waiting.refresh_from_db()
    assert fresh.status == Status.REPLIED and waiting.status == Status.SUBMITTED
    assert petitions_close_unrated(now=now) == 0  # idempotent
    assert replied.events.filter(action=A.CLOSE).count() == 1


def test_close_unrated_works_in_batches_with_constant_queries_per_batch(studio, django_assert_max_num_queries):
    now = timezone.now()
    petitions = [to_replied(petition_submit(studio=studio, text=f"第{i}个诉求，描述超过十个字。")[0]) for i in range(5)]
    Petition.objects.filter(pk__in=[p.pk for p in petitions]).update(replied_at=now - timedelta(days=20))
    with django_assert_max_num_queries(3 * 5 + 6):
        assert petitions_close_unrated(now=now, batch_size=2) == 5
    assert Petition.objects.filter(status=Status.CLOSED, rating=Rating.NOT_RATED).count() == 5
    assert PetitionEvent.objects.filter(action=A.CLOSE).count() == 5


def test_a_closed_unrated_petition_tells_the_citizen_why(en_client, replied):
    now = timezone.now()
    Petition.objects.filter(pk=replied.pk).update(replied_at=now - timedelta(days=16))
    petitions_close_unrated(now=now)
    html = en_client.get(f"/track/?code={replied.tracking_code}&digits=1234", REMOTE_ADDR="10.5.5.5").content.decode()
    assert "Closed: not rated within 15 days of the answer." in html
    with translation.override("en"), pytest.raises(RatingNotPossible) as err:
        petition_rate(petition_id=replied.pk, rating=Rating.DISSATISFIED)
    assert "has passed (15 days after the answer)" in str(err.value.message)
