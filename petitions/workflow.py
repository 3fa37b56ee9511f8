"""The petition's state machine, in one table. Plain Python: no ORM, easy to test.

受理 accept · 分转 dispatch · 办结 resolve · 反馈 reply · 评价 rate. Nothing else assigns a status:
services call `next_status()` and record the event.
"""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import PetitionEvent, Rating, Status

A = PetitionEvent.Action


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str | None  # None: depends on the petition (resume, rate)
    public: bool  # shown on the citizen's timeline


HANDLING = frozenset({Status.ACCEPTED, Status.DISPATCHED})

TRANSITIONS: dict[str, Transition] = {
    A.ACCEPT: Transition(frozenset({Status.SUBMITTED}), Status.ACCEPTED, True),
    A.REJECT: Transition(frozenset({Status.SUBMITTED, Status.ACCEPTED}), Status.REJECTED, True),
    A.DISPATCH: Transition(frozenset({Status.ACCEPTED}), Status.DISPATCHED, True),
    A.TRANSFER: Transition(frozenset({Status.DISPATCHED}), Status.DISPATCHED, True),
    A.RETURN: Transition(frozenset({Status.DISPATCHED}), Status.ACCEPTED, False),
    A.CONSULT: Transition(frozenset({Status.DISPATCHED}), Status.DISPATCHED, True),
    A.HOTLINE: Transition(frozenset({Status.DISPATCHED}), Status.DISPATCHED, True),
    A.HOLD: Transition(HANDLING, Status.ON_HOLD, True),
    A.RESUME: Transition(frozenset({Status.ON_HOLD}), None, True),
    A.RESOLVE: Transition(frozenset({Status.DISPATCHED}), Status.RESOLVED, True),
    A.REPLY: Transition(frozenset({Status.RESOLVED}), Status.REPLIED, True),
    A.RATE: Transition(frozenset({Status.REPLIED}), None, True),
    A.CLOSE: Transition(frozenset({Status.REPLIED}), Status.CLOSED, True),
    A.NOTE: Transition(frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.ON_HOLD,
                                  Status.RESOLVED, Status.REPLIED}), None, False),
}


class TransitionNotAllowed(Exception):
    """The petition's state does not allow this action (someone may have acted first)."""

    def __init__(self, action: str, status: str):
        self.action, self.status = action, status
        super().__init__(str(self.message))

    @property
    def message(self):
        return _("“%(action)s” is not possible while the petition is “%(status)s”.") % {
            "action": A(self.action).label, "status": Status(self.status).label}


def allowed_actions(status: str) -> list[str]:
    return [action for action, t in TRANSITIONS.items() if status in t.sources]


def next_status(action: str, status: str, *, resume_to: str = "", rating: str = "") -> str:
    """The status after `action`, or TransitionNotAllowed."""
    transition = TRANSITIONS.get(action)
    if transition is None or status not in transition.sources:
        raise TransitionNotAllowed(action, status)
    if action == A.NOTE:
        return status
    if action == A.RESUME:
        return resume_to if resume_to in HANDLING else Status.DISPATCHED
    if action == A.RATE:
        # A dissatisfied citizen sends it back to the handler (reopened); otherwise it is closed.
        return Status.DISPATCHED if rating == Rating.DISSATISFIED else Status.CLOSED
    return transition.target


def is_public(action: str) -> bool:
    return TRANSITIONS[action].public if action in TRANSITIONS else action in (A.SUBMIT,)
