"""Writes of the representatives' duties (履职): research claims and reports, assignment completion,
discussion posts, proposals; and the duty log that counts each of them once (履职可量化).

Every function is atomic, takes the acting representative or user as a keyword argument, checks its
rule under a row lock where two people could race, and records the DutyRecord in the same transaction.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (Assignment, AssignmentReport, Discussion, DiscussionPost, DutyRecord, LiaisonAgency, Proposal,
                     Representative, ResearchClaim, ResearchTopic)


class DutyError(Exception):
    """A duty action that the current state refuses (already reported, topic full, page out of date); the
    message says why, in the user's language. Nothing was changed. The API answers 409."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class DutyInputError(DutyError):
    """A duty action asked with missing or wrong input; `field` names it (None: the request as a whole).
    Nothing was changed. Pages show the message like any DutyError; the API answers 400 on the field."""

    def __init__(self, message, *, field: str | None = None):
        self.field = field
        super().__init__(message)


def duty_record(*, representative_id: int, kind: str, source: str, source_id: int, summary: str,
                occurred_at=None) -> DutyRecord | None:
    """Count one thing a representative did, once: a repeat of the same act is ignored (unique constraint)."""
    try:
        with transaction.atomic():
            return DutyRecord.objects.create(representative_id=representative_id, kind=kind, source=source,
                                             source_id=source_id, summary=summary[:255],
                                             occurred_at=occurred_at or timezone.now())
    except IntegrityError:
        return None


# --- research topics -------------------------------------------------------------------------

@transaction.atomic
def research_claim(*, topic_id: int, representative: Representative) -> ResearchClaim:
    """Claim an open topic, within its team size cap; two claims racing for the last place: one wins."""
    topic = ResearchTopic.objects.select_for_update().get(pk=topic_id)
    if topic.status != ResearchTopic.Status.OPEN:
        raise DutyError(_("This topic is closed for claims."))
    if ResearchClaim.objects.filter(topic=topic, representative=representative).exists():
        raise DutyError(_("You have already claimed this topic."))
    if ResearchClaim.objects.filter(topic=topic).count() >= topic.max_claimants:
        raise DutyError(_("This topic's team is full (%(cap)s representatives).") % {"cap": topic.max_claimants})
    return ResearchClaim.objects.create(topic=topic, representative=representative)


@transaction.atomic
def research_report_submit(*, claim_id: int, representative: Representative, report: str,
                           report_file=None) -> ResearchClaim:
    claim = ResearchClaim.objects.select_for_update().select_related("topic").get(pk=claim_id)
    if claim.representative_id != representative.pk:
        raise DutyError(_("This is not your claim."))
    if claim.status not in (ResearchClaim.Status.CLAIMED, ResearchClaim.Status.RETURNED):
        raise DutyError(_("The report has already been submitted."))
    if not (report or "").strip() and not report_file:
        raise DutyInputError(_("Write the report or attach it."), field="report")
    now = timezone.now()
    claim.report, claim.status, claim.submitted_at = report.strip(), ResearchClaim.Status.SUBMITTED, now
    if report_file:
        claim.report_file = report_file
    claim.full_clean()
    claim.save()
    return claim


# --- assignments ------------------------------------------------------------------------------

@transaction.atomic
def assignment_complete(*, report_id: int, representative: Representative, evidence: str,
                        evidence_file=None) -> AssignmentReport:
    report = AssignmentReport.objects.select_for_update().select_related("assignment").get(pk=report_id)
    if report.representative_id != representative.pk:
        raise DutyError(_("This task is not assigned to you."))
    if report.status == AssignmentReport.Status.DONE:
        raise DutyError(_("This task is already reported as completed."))
    if not (evidence or "").strip() and not evidence_file:
        raise DutyInputError(_("Describe what was done or attach the evidence."), field="evidence")
    now = timezone.now()
    report.status, report.evidence, report.reported_at = AssignmentReport.Status.DONE, evidence.strip(), now
    if evidence_file:
        report.evidence_file = evidence_file
    report.full_clean()
    report.save()
    duty_record(representative_id=representative.pk, kind=DutyRecord.Kind.ASSIGNMENT,
                source="liaison.assignmentreport", source_id=report.pk,
                summary=str(_("Task completed: %(title)s") % {"title": report.assignment.title}), occurred_at=now)
    return report


def assignment_is_overdue(assignment: Assignment, report: AssignmentReport) -> bool:
    return report.status == AssignmentReport.Status.PENDING and assignment.due_on < timezone.localdate()


# --- discussion -------------------------------------------------------------------------------

@transaction.atomic
def discussion_post(*, discussion_id: int, author, body: str) -> DiscussionPost:
    if not (body or "").strip():
        raise DutyInputError(_("Write something before posting."), field="body")
    discussion = Discussion.objects.select_for_update().get(pk=discussion_id)
    post = DiscussionPost(discussion=discussion, author=author, body=body.strip())
    post.full_clean()
    post.save()
    Discussion.objects.filter(pk=discussion.pk).update(last_post_at=post.created_at)
    # Everyone else who took part in the thread (started it or posted) hears of the reply.
    others = set(DiscussionPost.objects.filter(discussion=discussion).exclude(author=author)
                 .values_list("author_id", flat=True).distinct())
    if discussion.created_by_id != author.pk:
        others.add(discussion.created_by_id)
    notify(user_ids=others, text=_("New reply in “%(title)s”"), params={"title": discussion.title},
           url=reverse("dashboard:discussion", args=[discussion.pk]) + f"#post-{post.pk}")
    representative_id = Representative.objects.filter(user=author).values_list("id", flat=True).first()
    if representative_id:
        duty_record(representative_id=representative_id, kind=DutyRecord.Kind.DISCUSSION,
                    source="liaison.discussionpost", source_id=post.pk,
                    summary=str(_("Discussion: %(title)s") % {"title": discussion.title}), occurred_at=post.created_at)
    return post


# --- proposals --------------------------------------------------------------------------------

@transaction.atomic
def proposal_submit(*, representative: Representative, title: str, body: str, kind: str = Proposal.Kind.SUGGESTION,
                    sector=None, attachment=None, agency: LiaisonAgency | None = None) -> Proposal:
    """A proposal or suggestion goes to the liaison agency of the representative's region (or the nearest above)."""
    agency = agency or agency_for_representative(representative)
    if agency is None:
        raise DutyError(_("No liaison agency covers your region yet; ask the administrator."))
    proposal = Proposal(representative=representative, agency=agency, kind=kind, title=(title or "").strip(),
                        body=(body or "").strip(), sector=sector)
    if attachment:
        proposal.attachment = attachment
    proposal.full_clean()
    proposal.save()
    duty_record(representative_id=representative.pk, kind=DutyRecord.Kind.PROPOSAL, source="liaison.proposal",
                source_id=proposal.pk, summary=str(_("Proposal submitted: %(title)s") % {"title": proposal.title}),
                occurred_at=proposal.submitted_at)
    return proposal


def agency_for_representative(representative: Representative) -> LiaisonAgency | None:
    """The agency of the representative's region, or of the nearest region above it that has one."""
    path = representative.region.path
    codes = [code for code in path.strip("/").split("/") if code]
    agencies = {a.region.code: a for a in LiaisonAgency.objects.select_related("region").filter(region__code__in=codes)}
    for code in reversed(codes):
        if code in agencies:
            return agencies[code]
    return None


# --- petitions handled, for the log -------------------------------------------------------------

def duty_record_petition_resolved(*, petition, representative_id: int | None = None) -> None:
    """A petition resolved by a representative counts on their log (loop 3: as a joint consultation).

    The representative who acted gets it; when staff resolved it, the representative handling it.
    """
    representative_id = representative_id or petition.current_representative_id
    if not representative_id:
        return
    kind = DutyRecord.Kind.CONSULTATION if petition.loop == 3 else DutyRecord.Kind.PETITION
    duty_record(representative_id=representative_id, kind=kind, source="petitions.petition",
                source_id=petition.pk, summary=str(_("Petition resolved: %(code)s") % {"code": petition.tracking_code}),
                occurred_at=petition.resolved_at)


# The agency's side, re-exported so that callers have one module of duty services.
from .services_agency import (assignment_create, notify, proposal_accept, proposal_answer,  # noqa: E402
                              proposal_decline, proposal_hand_over, proposal_steps_allowed, research_report_review,
                              research_topic_close, research_topic_publish)

__all__ = ["DutyInputError", "assignment_create", "notify", "proposal_accept", "proposal_decline", "proposal_hand_over",
           "proposal_answer", "proposal_steps_allowed", "research_report_review", "research_topic_close",
           "research_topic_publish",
           "DutyError", "duty_record", "research_claim", "research_report_submit", "assignment_complete",
           "discussion_post", "proposal_submit", "agency_for_representative", "duty_record_petition_resolved",
           "assignment_is_overdue"]
