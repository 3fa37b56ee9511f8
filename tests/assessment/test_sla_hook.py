"""The SLA hook in the petition workflow (petitions.services calls assessment.sla.sla_apply).

Skipped until the lead wires the hook in; then it checks the deadlines each transition leaves.
"""
import inspect

import pytest

import petitions.services
from assessment import sla, workdays
from assessment.models import SlaPause
from petitions.services import petition_submit, petition_transition
from tests.factories import StudioFactory

HOOKED = "sla_apply" in inspect.getsource(petitions.services)
pytestmark = pytest.mark.django_db


def test_petition_services_call_the_sla_hook():
    assert HOOKED


def test_each_transition_leaves_the_right_deadlines():
    sla.reset_cache()
    studio, other = StudioFactory(), StudioFactory()
    petition, _ = petition_submit(studio=studio, text="路灯坏了，晚上很黑。")
    assert petition.accept_due_at == workdays.add_workdays(petition.submitted_at, 1)
    assert petition.due_at == petition.accept_due_at

    def step(action, **kw):
        return petition_transition(petition_id=petition.pk, action=action, actor_label="test", **kw)

    p = step("accept")
    assert p.due_at == p.accept_due_at
    p = step("dispatch", loop=2)
    assert p.resolve_due_at == workdays.add_workdays(p.dispatched_at, 10) == p.due_at
    first_due = p.resolve_due_at
    p = step("transfer", studio=other)
    assert p.resolve_due_at == first_due  # a transfer never resets the first-contact clock
    step("hold", reason="need the exact address")
    p = step("resume")
    assert SlaPause.objects.get(petition=p).ended_at is not None
    assert p.resolve_due_at >= first_due
    p = step("resolve", answer="fixed")
    assert p.due_at == p.reply_due_at == workdays.add_workdays(p.resolved_at, 1)
    p = step("reply")
    assert p.due_at is None
