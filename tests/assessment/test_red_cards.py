"""Rectification of a red card: the holder reports, the organisation department reviews and closes."""
from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.models import RedCard
from assessment.services import RedCardError, red_card_rectify, red_card_review
from tests.factories import PetitionFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    p = PetitionFactory()
    return RedCard.objects.create(petition=p, stage="resolve", studio=p.studio, reason="late",
                                  rectify_by=timezone.now() + timedelta(days=5))


def test_rectify_then_close(card):
    org = StaffProfileFactory(role="organisation").user
    red_card_rectify(card_id=card.pk, actor=UserFactory(), rectification="Called the citizen back, fixed the drain.")
    card.refresh_from_db()
    assert card.status == "submitted" and card.rectified_at
    red_card_review(card_id=card.pk, actor=org, accept=True)
    card.refresh_from_db()
    assert (card.status, card.closed_by) == ("closed", org)
    with pytest.raises(RedCardError):
        red_card_rectify(card_id=card.pk, actor=UserFactory(), rectification="again")


def test_review_sends_back_and_only_the_organisation_reviews(card):
    with pytest.raises(RedCardError):
        red_card_rectify(card_id=card.pk, actor=UserFactory(), rectification="  ")
    red_card_rectify(card_id=card.pk, actor=UserFactory(), rectification="done")
    with pytest.raises(RedCardError):
        red_card_review(card_id=card.pk, actor=UserFactory(), accept=True)
    red_card_review(card_id=card.pk, actor=StaffProfileFactory(role="organisation").user, accept=False,
                    note="Show the photos.")
    card.refresh_from_db()
    assert card.status == "open" and "Show the photos." in card.rectification
