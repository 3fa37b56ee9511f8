"""Loop 3 from convening to the recorded outcome, each step on the petition's trail."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from petitions import services_consultation as consult
from petitions import services_routing
from petitions.errors import MissingDetail
from petitions.models import ConsultationStatus, JointConsultation, PetitionEvent
from petitions.services import petition_submit

from .conftest import TEXTS

A = PetitionEvent.Action


@pytest.fixture
def consultation(county_world):
    petition, _ = petition_submit(studio=county_world.agri, text=TEXTS["several"])
    services_routing.petition_route(petition_id=petition.pk)
    return JointConsultation.objects.get(petition=petition)


def steps(consultation):
    return [e.data.get("step") for e in consultation.petition.events.filter(action=A.CONSULT)]


def test_a_consultation_meets_decides_escalates_and_closes_with_its_outcomes(county_world, consultation):
    w = county_world
    when = timezone.now() + timedelta(days=2)
    consult.consultation_schedule(consultation_id=consultation.pk, actor=None, meeting_at=when)
    consult.consultation_record_minutes(
        consultation_id=consultation.pk, actor=None, minutes="三部门会商，明确分工。",
        decisions=[("修复路灯", w.departments["grassroots"], date.today() + timedelta(days=10)),
                   ("医保报销窗口下沉到村", w.departments["medical"], date.today() + timedelta(days=20))])
    consult.consultation_escalate(consultation_id=consultation.pk, actor=None,
                                  to=JointConsultation.Escalation.EXECUTIVE_MEETING)
    with pytest.raises(MissingDetail):  # the escalation's outcome comes first
        consult.consultation_close(consultation_id=consultation.pk, actor=None, outcome="已办结")
    consult.consultation_record_escalation_outcome(consultation_id=consultation.pk, actor=None,
                                                   outcome="县政府常务会议同意列入年度民生实事。")
    first = consultation.decisions.first()
    consult.consultation_decision_complete(decision_id=first.pk, actor=None, note="已修复")
    consult.consultation_close(consultation_id=consultation.pk, actor=None, outcome="问题已解决")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED and consultation.closed_at
    assert consultation.meeting_at == when and consultation.decisions.filter(done=True).count() == 1
    assert steps(consultation) == ["convened", "scheduled", "held", "escalated", "escalation_outcome",
                                   "decision_done", "closed"]
    with pytest.raises(consult.ConsultationClosed):
        consult.consultation_escalate(consultation_id=consultation.pk, actor=None,
                                      to=JointConsultation.Escalation.STANDING_COMMITTEE)


def test_minutes_and_a_known_escalation_target_are_required(consultation):
    with pytest.raises(MissingDetail):
        consult.consultation_record_minutes(consultation_id=consultation.pk, actor=None, minutes=" ")
    with pytest.raises(MissingDetail):
        consult.consultation_escalate(consultation_id=consultation.pk, actor=None, to="mayor")
