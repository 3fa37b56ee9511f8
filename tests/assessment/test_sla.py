"""Policies and the three stage clocks."""
from datetime import datetime
from decimal import Decimal

import pytest

from assessment import sla, workdays
from assessment.models import SlaPause, SlaPolicy
from tests.factories import PetitionFactory, SectorFactory

TZ = workdays.TZ
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_caches():
    sla.reset_cache()
    workdays.reset_cache()
    yield
    sla.reset_cache()


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_builtin_defaults_when_no_policy():
    assert sla.policy_for(1, None) == sla.Policy(1, 5, 1, 0.75)
    assert sla.policy_for(2, None).resolve_days == 10
    assert sla.policy_for(3, None).resolve_days == 20
    assert sla.policy_for(None, None).resolve_days == 5


def test_sector_policy_beats_loop_default_beats_builtin():
    sector, other = SectorFactory(), SectorFactory()
    SlaPolicy.objects.create(loop=2, resolve_days=8, yellow_share=Decimal("0.50"))
    SlaPolicy.objects.create(loop=2, sector=sector, resolve_days=3, accept_days=2)
    assert sla.policy_for(2, sector.pk) == sla.Policy(2, 3, 1, 0.75)
    assert sla.policy_for(2, other.pk) == sla.Policy(1, 8, 1, 0.5)
    assert sla.policy_for(1, other.pk).resolve_days == 5


def test_each_stage_has_its_own_deadline():
    d = sla.stage_deadlines(status="submitted", loop=None, sector_id=None, submitted_at=at(2026, 9, 29))
    assert (d.stage, d.due_at, d.resolve_due_at) == ("accept", at(2026, 9, 30), None)
    d = sla.stage_deadlines(status="dispatched", loop=2, sector_id=None, submitted_at=at(2026, 9, 29),
                            dispatched_at=at(2026, 9, 30))
    assert d.accept_due_at == at(2026, 9, 30)
    assert d.stage == "resolve" and d.due_at == d.resolve_due_at == at(2026, 10, 20)  # 8, 9, 10 (Sat), 12-16, 19, 20 Oct
    d = sla.stage_deadlines(status="resolved", loop=2, sector_id=None, submitted_at=at(2026, 9, 29),
                            dispatched_at=at(2026, 9, 30), resolved_at=at(2026, 10, 9, 17))
    assert d.stage == "reply" and d.due_at == at(2026, 10, 10, 17)  # the make-up Saturday
    d = sla.stage_deadlines(status="closed", loop=2, sector_id=None, submitted_at=at(2026, 9, 29))
    assert d.stage is None and d.due_at is None


def test_a_transfer_or_redispatch_does_not_reset_the_resolve_clock():
    first = sla.stage_deadlines(status="dispatched", loop=1, sector_id=None, submitted_at=at(2026, 3, 2),
                                dispatched_at=at(2026, 3, 2))
    later = sla.stage_deadlines(status="dispatched", loop=1, sector_id=None, submitted_at=at(2026, 3, 2),
                                dispatched_at=at(2026, 3, 5), resolve_due_at=first.resolve_due_at)
    assert later.due_at == first.due_at == at(2026, 3, 9)
    returned = sla.stage_deadlines(status="accepted", loop=1, sector_id=None, submitted_at=at(2026, 3, 2),
                                   resolve_due_at=first.resolve_due_at)
    assert returned.stage == "resolve"


def test_hold_pauses_the_clock_and_resume_extends_the_deadline():
    p = PetitionFactory(status="dispatched", loop=1, submitted_at=at(2026, 9, 28), dispatched_at=at(2026, 9, 28))
    sla.sla_apply(petition=p, action="dispatch", at=at(2026, 9, 28))
    assert p.due_at == at(2026, 10, 10)  # Mon 28 Sep + 5: 29, 30 Sep, 8, 9, 10 Oct (make-up Saturday)
    p.status, p.held_from = "on_hold", "dispatched"
    sla.sla_apply(petition=p, action="hold", at=at(2026, 9, 30, 12))
    assert SlaPause.objects.filter(petition=p, ended_at=None).count() == 1
    p.status, p.held_from = "dispatched", ""
    sla.sla_apply(petition=p, action="resume", at=at(2026, 10, 8, 12))  # 24 working hours on hold
    assert p.due_at == p.resolve_due_at == at(2026, 10, 12)  # + 24 working hours, Sunday skipped
    assert SlaPause.objects.get(petition=p).working_seconds == 24 * 3600
