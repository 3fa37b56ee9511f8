"""The liaison agency's side of the representatives' duties: it takes proposals to an answer, publishes
research topics and reviews their reports, and gives tasks to representatives or whole studios.

Each function is atomic, takes the acting user and the agency as keyword arguments, locks the row it
changes, refuses a step the current status does not allow with a DutyError and missing or wrong input with a
DutyInputError naming the field (nothing changed either way), and tells the representative concerned
through a notification written in the same transaction.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Assignment, AssignmentReport, DutyRecord, LiaisonAgency, Proposal, ResearchClaim, ResearchTopic
from .services import DutyError, DutyInputError, duty_record


def notify(*, user_ids: Iterable[int | None], text, params: dict | None = None, url: str = "",
           kind: str = "info") -> int:
    """One unread notification per user (no query per user); users without an account are skipped.
    `text`: a translatable template (gettext_lazy) filled with `params`, written in every language."""
    from assessment.models import Notification
    from assessment.notices import default_text, every_language

    ids = sorted({uid for uid in user_ids if uid})
    if not ids:
        return 0
    now = timezone.now()
    texts = every_language(text, params)
    Notification.objects.bulk_create([Notification(user_id=uid, kind=kind, text=default_text(texts), texts=texts,
                                                   url=url[:255], created_at=now) for uid in ids])
    return len(ids)


# --- proposals: accept or decline, hand to a department, record the answer ----------------------

P = Proposal.Status
# What each step may follow; the representative sees every step on their proposals page.
PROPOSAL_STEPS = {
    "accept": ({P.SUBMITTED}, P.ACCEPTED),
    "decline": ({P.SUBMITTED}, P.DECLINED),
    "hand_over": ({P.ACCEPTED, P.HANDED_OVER}, P.HANDED_OVER),
    "answer": ({P.ACCEPTED, P.HANDED_OVER}, P.ANSWERED),
}


def proposal_steps_allowed(proposal: Proposal) -> list[str]:
    return [step for step, (sources, _target) in PROPOSAL_STEPS.items() if proposal.status in sources]


def _proposal_step(*, proposal_id: int, agency: LiaisonAgency, step: str) -> Proposal:
    proposal = (Proposal.objects.select_for_update().select_related("representative").filter(
        pk=proposal_id, agency=agency).first())
    if proposal is None:
        raise DutyError(_("No such proposal at your agency."))
    if step not in proposal_steps_allowed(proposal):
        raise DutyError(_("This proposal is %(status)s now; the page was out of date. Nothing was changed.")
                        % {"status": proposal.get_status_display()})
    return proposal


def _proposal_saved(proposal: Proposal, text) -> Proposal:
    proposal.full_clean()
    proposal.save()
    notify(user_ids=[proposal.representative.user_id], text=text, params={"title": proposal.title},
           url=reverse("dashboard:proposals") + f"#proposal-{proposal.pk}")
    return proposal


@transaction.atomic
def proposal_accept(*, proposal_id: int, agency: LiaisonAgency, actor) -> Proposal:
    proposal = _proposal_step(proposal_id=proposal_id, agency=agency, step="accept")
    proposal.status, proposal.accepted_at = P.ACCEPTED, timezone.now()
    return _proposal_saved(proposal, gettext_lazy("Your proposal “%(title)s” was accepted by the liaison agency."))


@transaction.atomic
def proposal_decline(*, proposal_id: int, agency: LiaisonAgency, actor, reason: str) -> Proposal:
    if not (reason or "").strip():
        raise DutyInputError(_("Say why the proposal is not accepted."), field="reason")
    proposal = _proposal_step(proposal_id=proposal_id, agency=agency, step="decline")
    proposal.status, proposal.answer, proposal.answered_at = P.DECLINED, reason.strip(), timezone.now()
    return _proposal_saved(proposal, gettext_lazy("Your proposal “%(title)s” was not accepted; see the reason."))


@transaction.atomic
def proposal_hand_over(*, proposal_id: int, agency: LiaisonAgency, actor, department) -> Proposal:
    from liaison import access

    if department is None:
        raise DutyInputError(_("Choose the department that will handle it."), field="department")
    if not access.departments_in_agency_area(agency).filter(pk=department.pk).exists():
        raise DutyInputError(_("This department is outside your agency's area."), field="department")
    proposal = _proposal_step(proposal_id=proposal_id, agency=agency, step="hand_over")
    proposal.status, proposal.department = P.HANDED_OVER, department
    return _proposal_saved(proposal, gettext_lazy("Your proposal “%(title)s” was handed to a department for handling."))


@transaction.atomic
def proposal_answer(*, proposal_id: int, agency: LiaisonAgency, actor, answer: str) -> Proposal:
    if not (answer or "").strip():
        raise DutyInputError(_("Write the answer."), field="answer")
    proposal = _proposal_step(proposal_id=proposal_id, agency=agency, step="answer")
    proposal.status, proposal.answer, proposal.answered_at = P.ANSWERED, answer.strip(), timezone.now()
    return _proposal_saved(proposal, gettext_lazy("Your proposal “%(title)s” has been answered."))


# --- research topics: publish, review reports -------------------------------------------------

@transaction.atomic
def research_topic_publish(*, agency: LiaisonAgency, actor, title: str, due_on, description: str = "",
                           sector=None, max_claimants: int = 3) -> ResearchTopic:
    if due_on and due_on < timezone.localdate():
        raise DutyInputError(_("The report due date has already passed."), field="due_on")
    topic = ResearchTopic(agency=agency, title=(title or "").strip(), description=(description or "").strip(),
                          sector=sector, max_claimants=max_claimants, due_on=due_on)
    topic.full_clean()
    topic.save()
    return topic


@transaction.atomic
def research_topic_close(*, topic_id: int, agency: LiaisonAgency, actor) -> ResearchTopic:
    topic = ResearchTopic.objects.select_for_update().filter(pk=topic_id, agency=agency).first()
    if topic is None:
        raise DutyError(_("No such topic at your agency."))
    if topic.status == ResearchTopic.Status.CLOSED:
        raise DutyError(_("This topic is already closed for claims."))
    topic.status = ResearchTopic.Status.CLOSED
    topic.save(update_fields=["status"])
    return topic


@transaction.atomic
def research_report_review(*, claim_id: int, agency: LiaisonAgency, actor, accept: bool,
                           review: str = "") -> ResearchClaim:
    """Accept a submitted report (it then counts on the claimant's duty log) or return it for revision."""
    claim = (ResearchClaim.objects.select_for_update().select_related("topic", "representative")
             .filter(pk=claim_id, topic__agency=agency).first())
    if claim is None:
        raise DutyError(_("No such report at your agency."))
    if claim.status != ResearchClaim.Status.SUBMITTED:
        raise DutyError(_("This report is %(status)s now; the page was out of date. Nothing was changed.")
                        % {"status": claim.get_status_display()})
    if not accept and not (review or "").strip():
        raise DutyInputError(_("Say what to revise when returning a report."), field="review")
    now = timezone.now()
    claim.status = ResearchClaim.Status.ACCEPTED if accept else ResearchClaim.Status.RETURNED
    claim.review, claim.reviewed_at = (review or "").strip(), now
    claim.full_clean()
    claim.save()
    if accept:
        duty_record(representative_id=claim.representative_id, kind=DutyRecord.Kind.RESEARCH,
                    source="liaison.researchclaim", source_id=claim.pk,
                    summary=_("Research report accepted: %(title)s") % {"title": claim.topic.title}, occurred_at=now)
        text = gettext_lazy("Your research report on “%(title)s” was accepted.")
    else:
        text = gettext_lazy("Your research report on “%(title)s” was returned for revision.")
    notify(user_ids=[claim.representative.user_id], text=text, params={"title": claim.topic.title},
           url=reverse("dashboard:research"))
    return claim


# --- assignments: to representatives or a whole studio ----------------------------------------

@transaction.atomic
def assignment_create(*, agency: LiaisonAgency, actor, title: str, due_on, description: str = "",
                      representatives=(), studio=None) -> Assignment:
    """One task, one AssignmentReport per assignee: the representatives chosen and every member (and the
    lead) of the studio chosen, all of them within the agency's area."""
    from liaison import access
    from offices.models import StudioMembership

    if due_on and due_on < timezone.localdate():
        raise DutyInputError(_("The due date has already passed."), field="due_on")
    rep_ids = {r.pk for r in representatives}
    if studio is not None:
        if not access.studios_in_agency_area(agency).filter(pk=studio.pk).exists():
            raise DutyInputError(_("This studio is outside your agency's area."), field="studio")
        rep_ids |= set(StudioMembership.objects.filter(studio=studio).values_list("representative_id", flat=True))
        if studio.lead_id:
            rep_ids.add(studio.lead_id)
    if not rep_ids:
        raise DutyInputError(_("Choose representatives or a studio with members."))
    in_area = dict(access.representatives_in_agency_area(agency).filter(pk__in=rep_ids).values_list("id", "user_id"))
    if len(in_area) != len(rep_ids):
        raise DutyInputError(_("Some of the representatives chosen are outside your agency's area or inactive."),
                             field="representatives")
    assignment = Assignment(agency=agency, title=(title or "").strip(), description=(description or "").strip(),
                            studio=studio, due_on=due_on, created_by=actor)
    assignment.full_clean()
    assignment.save()
    AssignmentReport.objects.bulk_create([AssignmentReport(assignment=assignment, representative_id=rid)
                                          for rid in sorted(rep_ids)])
    notify(user_ids=in_area.values(),
           text=gettext_lazy("New task “%(title)s”, due %(due)s."),
           params={"title": assignment.title, "due": due_on.isoformat()},
           url=reverse("dashboard:assignments"))
    return assignment
