"""The state machine: every action from every status either moves as TRANSITIONS says or is refused."""
import itertools

import pytest

from petitions import services_routing, workflow
from petitions.models import PetitionEvent, Rating, Status
from petitions.services import petition_transition
from petitions.workflow import TRANSITIONS, TransitionNotAllowed
from tests.factories import PetitionFactory

from .conftest import TEXTS

A = PetitionEvent.Action
# Everything an action may need; petition_transition uses only what its action needs.
DETAILS = {"reason": "理由", "answer": "已处理", "rating": Rating.SATISFIED, "loop": 1}
PAIRS = list(itertools.product(A.values, Status.values))
ILLEGAL = [(a, s) for a, s in PAIRS if a not in TRANSITIONS or s not in TRANSITIONS[a].sources]
LEGAL = [(a, s) for a, s in PAIRS if (a, s) not in ILLEGAL]


def test_the_table_covers_the_five_steps_and_both_ways_out():
    assert {A.ACCEPT, A.DISPATCH, A.RESOLVE, A.REPLY, A.RATE, A.REJECT, A.TRANSFER, A.RETURN} <= set(TRANSITIONS)
    assert len(ILLEGAL) > len(LEGAL) > 20


@pytest.mark.parametrize("action, status", ILLEGAL)
def test_an_illegal_transition_raises_and_changes_nothing(db, action, status):
    petition = PetitionFactory(status=status)
    with pytest.raises(TransitionNotAllowed) as caught:
        petition_transition(petition_id=petition.pk, action=action, actor_label="test", **DETAILS)
    assert str(caught.value.message)  # a message a user can read
    petition.refresh_from_db()
    assert petition.status == status
    assert not petition.events.exists()


@pytest.mark.parametrize("action, status", LEGAL)
def test_a_legal_transition_moves_as_the_table_says_and_leaves_one_event(db, action, status):
    petition = PetitionFactory(status=status)
    expected = workflow.next_status(action, status, rating=DETAILS["rating"])
    petition = petition_transition(petition_id=petition.pk, action=action, actor_label="test", **DETAILS)
    assert petition.status == expected
    event = petition.events.get()
    assert (event.action, event.from_status, event.to_status) == (action, status, expected)


def test_a_dissatisfied_rating_reopens_the_petition(db):
    petition = PetitionFactory(status=Status.REPLIED)
    petition = petition_transition(petition_id=petition.pk, action=A.RATE, rating=Rating.DISSATISFIED)
    assert (petition.status, petition.reopened_count) == (Status.DISPATCHED, 1)


@pytest.mark.parametrize("status", [s for s in Status.values if s not in (Status.SUBMITTED, Status.ACCEPTED,
                                                                          Status.DISPATCHED)])
def test_routing_cannot_be_overridden_once_the_handling_is_over_or_paused(county_world, status):
    petition = PetitionFactory(studio=county_world.agri, text=TEXTS["agri"], status=status)
    with pytest.raises(TransitionNotAllowed):
        services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=1, reason="换个单位")
    assert not petition.events.exists()


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.DISPATCHED])
def test_transfer_and_return_need_a_dispatched_petition(county_world, status):
    w = county_world
    petition = PetitionFactory(studio=w.agri, text=TEXTS["agri"], status=status)
    with pytest.raises(TransitionNotAllowed):
        services_routing.petition_transfer(petition_id=petition.pk, actor=None, studio=w.safety, reason="不归我们")
    with pytest.raises(TransitionNotAllowed):
        services_routing.petition_return(petition_id=petition.pk, reason="退回")
    assert not petition.events.exists()
