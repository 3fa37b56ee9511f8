"""Scorecards against a hand-computed fixture, the composite score and its rating."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from assessment.models import RedCard, Scorecard, ScoreWeights
from assessment.scorecards import InvalidPeriod, composite_score, period_bounds, scorecards_compute
from assessment.workdays import TZ
from liaison.models import Proposal
from tests.factories import LiaisonAgencyFactory, PetitionFactory, RepresentativeFactory, StudioFactory
from tests.factories import flag_change

pytestmark = pytest.mark.django_db
NOV = datetime(2026, 11, 10, 10, 0, tzinfo=TZ)
H = timedelta(hours=1)


@pytest.fixture
def fixture_data():
    studio, idle = StudioFactory(), StudioFactory()
    rep = RepresentativeFactory()
    common = dict(studio=studio, current_studio=studio, current_representative=rep, submitted_at=NOV)
    p1 = PetitionFactory(**common, status="closed", accepted_at=NOV + H, accept_due_at=NOV + 24 * H,
                         resolved_at=NOV + 48 * H, resolve_due_at=NOV + 100 * H, rating="satisfied")
    p2 = PetitionFactory(**common, status="replied", accepted_at=NOV + 30 * H, accept_due_at=NOV + 24 * H,
                         resolved_at=NOV + 200 * H, resolve_due_at=NOV + 100 * H, rating="basic")
    p3 = PetitionFactory(**common, status="dispatched", accepted_at=NOV + H, accept_due_at=NOV + 24 * H,
                         reopened_count=1, rating="dissatisfied")
    PetitionFactory(**common, status="submitted", accept_due_at=NOV + 24 * H)
    PetitionFactory(**{**common, "submitted_at": NOV - timedelta(days=30)}, status="closed")  # October: not counted
    for petition, flag in [(p2, "yellow"), (p2, "red"), (p3, "yellow"), (p3, "yellow")]:
        flag_change(petition=petition, from_flag="blue", to_flag=flag, at=NOV + 50 * H)
    RedCard.objects.create(petition=p2, stage="resolve", representative=rep, studio=studio, reason="late",
                           issued_at=NOV + 101 * H, rectify_by=NOV + 200 * H)
    Proposal.objects.create(representative=rep, agency=LiaisonAgencyFactory(), title="t", body="b",
                            submitted_at=NOV)
    return studio, idle, rep


def test_figures_and_scores_match_the_hand_computed_fixture(fixture_data):
    studio, idle, rep = fixture_data
    written = scorecards_compute(period="month", start=date(2026, 11, 1), now=NOV + 300 * H)
    assert written["studio"] >= 2 and written["representative"] >= 1
    card = Scorecard.objects.get(representative=rep, period="month", period_start=date(2026, 11, 1))
    figures = {f: getattr(card, f) for f in ("received", "accepted_on_time", "resolved", "resolved_on_time", "rated",
                                             "satisfied", "reopened", "yellow", "red", "red_cards_open",
                                             "red_cards_rectified", "proposals", "activities")}
    assert figures == {"received": 4, "accepted_on_time": 2, "resolved": 2, "resolved_on_time": 1, "rated": 3,
                       "satisfied": 2, "reopened": 1, "yellow": 2, "red": 1, "red_cards_open": 1,
                       "red_cards_rectified": 0, "proposals": 1, "activities": 0}
    # 100 × (25×2/4 + 35×1/4 + 30×2/3 + 10×1/4) / 100 = 43.75, minus 5 (open red card) and 1 (red flag)
    assert card.score == Decimal("37.75") and card.flag == "red"
    studio_card = Scorecard.objects.get(studio=studio, period="month")
    assert (studio_card.received, studio_card.red_cards_open, studio_card.score) == (4, 1, Decimal("35.25"))
    assert Scorecard.objects.get(studio=idle).score == Decimal("0.00")  # no petitions, no duty work

    # Recomputing a period updates the same rows in place.
    count = Scorecard.objects.count()
    RedCard.objects.update(status="closed")
    scorecards_compute(period="month", start=date(2026, 11, 1), now=NOV + 300 * H)
    assert Scorecard.objects.count() == count
    card.refresh_from_db()
    assert (card.red_cards_open, card.red_cards_rectified, card.score) == (0, 1, Decimal("42.75"))


def test_composite_score_ratings_and_weights():
    weights = ScoreWeights()
    perfect = {"received": 10, "accepted_on_time": 10, "resolved_on_time": 10, "rated": 5, "satisfied": 5,
               "proposals": 4}
    assert composite_score(perfect, weights).score == Decimal("100.00")
    assert composite_score(perfect, weights).flag == "blue"
    middling = {**perfect, "resolved_on_time": 5}  # 100 - 35 × 0.5 = 82.5: yellow
    assert (composite_score(middling, weights).score, composite_score(middling, weights).flag) == (Decimal("82.50"), "yellow")
    weights.duty_weight = Decimal(0)  # with duty work weighted out, the rest is re-normalised
    assert composite_score({**perfect, "proposals": 0}, weights).score == Decimal("100.00")


def test_periods_are_checked():
    assert period_bounds("quarter", date(2026, 10, 1)) == (date(2026, 10, 1), date(2027, 1, 1))
    assert period_bounds("month", date(2026, 12, 1)) == (date(2026, 12, 1), date(2027, 1, 1))
    with pytest.raises(InvalidPeriod):
        period_bounds("quarter", date(2026, 11, 1))
    with pytest.raises(InvalidPeriod):
        period_bounds("week", date(2026, 11, 1))
