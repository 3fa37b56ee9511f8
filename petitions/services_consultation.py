"""Loop 3: joint consultations (会商) from convening to the recorded outcome.

convened -> held (minutes, decisions with owners and due dates) -> optionally escalated to the party
committee's standing committee or the government's executive meeting (outcome recorded) -> closed
with an outcome. Every step leaves an event on the petition's trail: CONSULT while the petition is
being handled (public: the citizen sees the consultation move), an internal NOTE after that.
Locks: the petition first, then the consultation, the same order routing uses.
"""
from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import LiaisonAgency
from offices.models import Department

from .errors import MissingDetail, PetitionError
from .models import (ConsultationDecision, ConsultationStatus, JointConsultation, OPEN_CONSULTATION, Petition,
                     PetitionEvent, Status)
from .routing import Reason, RoutingDecision
from .routing_facts import township_of
from .services import petition_transition, transition_step
from .workflow import TransitionNotAllowed

A = PetitionEvent.Action
S = ConsultationStatus


class ConsultationClosed(PetitionError):
    def __init__(self):
        super().__init__(_("This joint consultation is closed; it cannot be changed."))


def _trail(consultation: JointConsultation, *, actor, actor_label: str = "", note: str, step: str,
           petition_id: int | None = None, targets: dict | None = None, locked: Petition | None = None,
           trail: list | None = None) -> None:
    """The step on the petition's trail. With `locked` (the caller's petition, loaded under its lock) the step is
    taken on it in memory and its event appended to `trail`: the caller saves both."""
    petition_id = petition_id or consultation.petition_id
    data = {"consultation": consultation.pk, "step": step}
    status = locked.status if locked is not None else Petition.objects.values_list("status", flat=True).get(
        pk=petition_id)
    action = A.CONSULT if status == Status.DISPATCHED else A.NOTE
    fields = dict(action=action, actor=actor, actor_label=actor_label, note=note, data=data,
                  **(targets if action == A.CONSULT and targets else {}))
    try:
        if locked is not None:
            trail.append(transition_step(locked, **fields))
        else:
            petition_transition(petition_id=petition_id, **fields)
    except TransitionNotAllowed:
        pass  # a closed petition: the consultation's own row is the record


def _locked(consultation_id: int) -> JointConsultation:
    petition_id = JointConsultation.objects.values_list("petition_id", flat=True).get(pk=consultation_id)
    Petition.objects.select_for_update().filter(pk=petition_id).first()
    consultation = JointConsultation.objects.select_for_update().get(pk=consultation_id)
    if not consultation.is_open:
        raise ConsultationClosed()
    return consultation


class ConveneBatch:
    """What routing reads and writes for the consultations of the petitions it routes together: which of them
    are in an open consultation already (one query for all), the consultations they join (read once each),
    and the related petitions those gain, stored in one INSERT by flush() before the transaction ends."""

    def __init__(self, petition_ids, known: dict[int, JointConsultation] | None = None):
        self.in_open = set(JointConsultation.objects.filter(petition_id__in=list(petition_ids),
                                                            status__in=OPEN_CONSULTATION)
                           .values_list("petition_id", flat=True))
        self._joined = known if known is not None else {}  # the caller's, read with their agencies
        self._related: list = []

    def joined(self, consultation_id: int) -> JointConsultation:
        if consultation_id not in self._joined:
            self._joined[consultation_id] = JointConsultation.objects.select_related("agency").get(pk=consultation_id)
        return self._joined[consultation_id]

    def relate(self, consultation: JointConsultation, petition_id: int) -> None:
        Related = JointConsultation.related_petitions.through
        self._related.append(Related(jointconsultation_id=consultation.pk, petition_id=petition_id))

    def flush(self) -> None:
        JointConsultation.related_petitions.through.objects.bulk_create(self._related, ignore_conflicts=True)
        self._related = []


def consultation_convene(*, petition_id: int, decision: RoutingDecision, actor=None, actor_label: str = "system",
                         related_ids=(), targets: dict | None = None, locked: Petition | None = None,
                         trail: list | None = None, batch: ConveneBatch | None = None) -> JointConsultation:
    """Convene (or join) the consultation routing decided on. Caller holds the petition's lock.

    A petition already in an open consultation keeps it. A systemic petition joins the open consultation
    on its township's cluster instead of convening a second meeting on the same matter. Routing passes its
    petition as `locked` and a `trail` to append the event to, and saves both itself (_trail), and its
    `batch`, which it flushes.
    """
    petition = locked if locked is not None else Petition.objects.select_related("region").get(pk=petition_id)
    existing = (JointConsultation.objects.filter(petition_id=petition_id, status__in=OPEN_CONSULTATION).first()
                if batch is None or petition_id in batch.in_open else None)
    if existing is not None:  # staff re-routed into loop 3: the same meeting, perhaps with other departments
        if decision.participant_department_ids:
            existing.departments.set(decision.participant_department_ids)
        _trail(existing, actor=actor, actor_label=actor_label, step="participants",
               note=str(_("The joint consultation continues with the departments now involved.")),
               petition_id=petition_id, targets=targets, locked=locked, trail=trail)
        return existing
    if decision.join_consultation_id:
        if batch is None:
            consultation = JointConsultation.objects.select_related("agency").get(pk=decision.join_consultation_id)
            consultation.related_petitions.add(petition_id)
        else:
            consultation = batch.joined(decision.join_consultation_id)
            batch.relate(consultation, petition_id)
        agency = consultation.agency.name
        note = _("Joined the joint consultation on similar petitions convened by %(agency)s.")
    else:
        reason = {Reason.SYSTEMIC_SIMILAR: JointConsultation.Reason.SYSTEMIC_SIMILAR,
                  Reason.SEVERAL_DEPARTMENTS: JointConsultation.Reason.SEVERAL_DEPARTMENTS}.get(
            decision.reason, JointConsultation.Reason.SYSTEMIC_STAFF)
        consultation = JointConsultation(petition_id=petition_id, agency_id=decision.agency_id, reason=reason,
                                         sector_id=decision.sector_id, township=township_of(petition.region))
        consultation.full_clean(exclude=["petition", "agency", "sector", "township"])
        consultation.save()
        consultation.departments.set(decision.participant_department_ids)
        if related_ids:
            consultation.related_petitions.set(related_ids)
        note = _("A joint consultation is convened by %(agency)s.")
        agency = LiaisonAgency.objects.values_list("name", flat=True).get(pk=consultation.agency_id)
    _trail(consultation, actor=actor, actor_label=actor_label, note=str(note % {"agency": agency}), step="convened",
           petition_id=petition_id, targets=targets, locked=locked, trail=trail)
    return consultation


def consultation_schedule(*, consultation_id: int, actor, meeting_at: datetime,
                          departments: list[Department] | None = None) -> JointConsultation:
    with transaction.atomic():
        consultation = _locked(consultation_id)
        consultation.meeting_at = meeting_at
        consultation.save(update_fields=["meeting_at"])
        if departments is not None:
            consultation.departments.set(departments)
        _trail(consultation, actor=actor, step="scheduled",
               note=str(_("The joint consultation meets on %(when)s.") % {
                   "when": timezone.localtime(meeting_at).strftime("%Y-%m-%d %H:%M")}))
    return consultation


def consultation_record_minutes(*, consultation_id: int, actor, minutes: str,
                                decisions: list[tuple[str, Department, date]] = ()) -> JointConsultation:
    """The meeting was held: its minutes and its decisions, each with an owner department and a due date."""
    if not minutes.strip():
        raise MissingDetail("minutes")
    with transaction.atomic():
        consultation = _locked(consultation_id)
        consultation.minutes = minutes
        consultation.meeting_at = consultation.meeting_at or timezone.now()
        if consultation.status == S.CONVENED:
            consultation.status = S.HELD
        consultation.save(update_fields=["minutes", "meeting_at", "status"])
        rows = [ConsultationDecision(consultation=consultation, text=text, owner=owner, due_on=due_on)
                for text, owner, due_on in decisions]
        for row in rows:
            row.full_clean(exclude=["consultation"])
        ConsultationDecision.objects.bulk_create(rows)
        _trail(consultation, actor=actor, step="held",
               note=str(_("The joint consultation met and took %(n)s decisions.") % {"n": len(rows)}))
    return consultation


def consultation_escalate(*, consultation_id: int, actor, to: str, note: str = "") -> JointConsultation:
    """Raise it to the party committee's standing committee or the government's executive meeting."""
    if to not in (JointConsultation.Escalation.STANDING_COMMITTEE, JointConsultation.Escalation.EXECUTIVE_MEETING):
        raise MissingDetail("to", _("Choose where the consultation is escalated to."))
    with transaction.atomic():
        consultation = _locked(consultation_id)
        consultation.escalated_to, consultation.escalated_at, consultation.status = to, timezone.now(), S.ESCALATED
        consultation.save(update_fields=["escalated_to", "escalated_at", "status"])
        label = JointConsultation.Escalation(to).label
        _trail(consultation, actor=actor, step="escalated",
               note=note or str(_("Escalated to the %(body)s.") % {"body": label}))
    return consultation


def consultation_record_escalation_outcome(*, consultation_id: int, actor, outcome: str) -> JointConsultation:
    if not outcome.strip():
        raise MissingDetail("outcome")
    with transaction.atomic():
        consultation = _locked(consultation_id)
        if not consultation.escalated_to:
            raise MissingDetail("escalated_to", _("The consultation has not been escalated."))
        consultation.escalation_outcome = outcome
        consultation.save(update_fields=["escalation_outcome"])
        _trail(consultation, actor=actor, step="escalation_outcome", note=outcome)
    return consultation


def consultation_close(*, consultation_id: int, actor, outcome: str) -> JointConsultation:
    if not outcome.strip():
        raise MissingDetail("outcome")
    with transaction.atomic():
        consultation = _locked(consultation_id)
        if consultation.escalated_to and not consultation.escalation_outcome:
            raise MissingDetail("escalation_outcome", _("Record the outcome of the escalation first."))
        consultation.outcome, consultation.status, consultation.closed_at = outcome, S.CLOSED, timezone.now()
        consultation.save(update_fields=["outcome", "status", "closed_at"])
        _trail(consultation, actor=actor, step="closed", note=outcome)
    return consultation


def consultation_decision_complete(*, decision_id: int, actor, note: str = "") -> ConsultationDecision:
    with transaction.atomic():
        decision = ConsultationDecision.objects.select_related("consultation").get(pk=decision_id)
        _locked(decision.consultation_id)
        decision = ConsultationDecision.objects.select_for_update().get(pk=decision_id)
        if decision.done:
            return decision
        decision.done, decision.done_at, decision.done_note = True, timezone.now(), note
        decision.save(update_fields=["done", "done_at", "done_note"])
        _trail(decision.consultation, actor=actor, step="decision_done",
               note=str(_("Decision done: %(text)s") % {"text": decision.text[:200]}))
    return decision


def consultation_cancel_for_petition(*, petition_id: int, actor, reason: str) -> int:
    """Routing moved the petition out of loop 3 (override): its open consultation is cancelled, with the reason."""
    cancelled = 0
    for consultation in JointConsultation.objects.select_for_update().filter(petition_id=petition_id,
                                                                           status__in=OPEN_CONSULTATION):
        consultation.status, consultation.closed_at, consultation.outcome = S.CANCELLED, timezone.now(), reason
        consultation.save(update_fields=["status", "closed_at", "outcome"])
        cancelled += 1
    return cancelled
