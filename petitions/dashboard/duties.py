"""The representative's duties (履职) in the workspace: the duty log, research topics, assignments,
discussions and proposals. Thin views: they check the role through liaison.access and call
liaison.services, which records each duty once on the log."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liaison import access
from liaison.models import (AssignmentReport, Discussion, DutyRecord, Proposal, Representative, ResearchClaim,
                            ResearchTopic)
from liaison.services import (DutyError, assignment_complete, discussion_post, proposal_submit, research_claim,
                              research_report_submit)
from offices.models import Studio, StudioActivity, StudioOutcome
from offices.services import studio_activity_record


class ReportForm(forms.Form):
    report = forms.CharField(label=gettext_lazy("Report"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(label=gettext_lazy("What was done"), widget=forms.Textarea(attrs={"rows": 4}),
                               max_length=5000)


class PostForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Your post"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["kind", "title", "body", "sector", "attachment"]


def _render(request, template, context, status=200):
    actor = access.actor_for(request.user)
    context["is_rep"] = bool(actor.representative_id)
    context["manages_studio"] = bool(actor.admin_studio_ids or actor.superuser)
    return render(request, template, context, status=status)


def _representative(request) -> Representative:
    """The duties pages are the representative's; other accounts get 404 (nothing to show them)."""
    rep_id = access.actor_for(request.user).representative_id
    if not rep_id:
        raise Http404(_("Only representatives have duties to record."))
    return Representative.objects.select_related("region").get(pk=rep_id)


@login_required
def duty_log(request):
    rep = _representative(request)
    records = DutyRecord.objects.filter(representative=rep).order_by("-occurred_at", "-id")
    counts = dict(records.order_by().values_list("kind").annotate(n=Count("id")))
    figures = [{"kind": kind, "label": label, "count": counts.get(kind, 0)} for kind, label in DutyRecord.Kind.choices]
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    pending = AssignmentReport.objects.filter(representative=rep, status=AssignmentReport.Status.PENDING).count()
    return _render(request, "dashboard/duties/log.html", {
        "rep": rep, "figures": figures, "page": page, "total": sum(counts.values()), "pending_tasks": pending})


@login_required
def research(request):
    rep = _representative(request)
    topics = (access.research_topics_visible_to(request.user, ResearchTopic.objects.filter(
        status=ResearchTopic.Status.OPEN)).select_related("agency", "sector")
              .annotate(claimed=Count("claims")).order_by("due_on", "id"))
    mine = {c.topic_id: c for c in ResearchClaim.objects.filter(representative=rep).select_related("topic")}
    rows = [{"topic": t, "claim": mine.get(t.pk), "full": t.claimed >= t.max_claimants} for t in topics]
    claims = sorted(mine.values(), key=lambda c: c.topic.due_on)
    return _render(request, "dashboard/duties/research.html", {"rows": rows, "claims": claims,
                                                               "form": ReportForm()})


@login_required
@require_POST
def research_claim_view(request, topic_id):
    rep = _representative(request)
    get_object_or_404(access.research_topics_visible_to(request.user), pk=topic_id)  # another area's: 404
    try:
        research_claim(topic_id=topic_id, representative=rep)
        messages.success(request, _("Topic claimed. Submit your report by its due date."))
    except DutyError as exc:
        messages.error(request, exc.message)
    return redirect("dashboard:research")


@login_required
@require_POST
def research_report_view(request, claim_id):
    rep = _representative(request)
    claim = get_object_or_404(ResearchClaim, pk=claim_id, representative=rep)  # another's claim: 404
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the report before submitting it."))
        return redirect("dashboard:research")
    try:
        research_report_submit(claim_id=claim.pk, representative=rep, report=form.cleaned_data["report"])
        messages.success(request, _("Report submitted to the liaison agency."))
    except DutyError as exc:
        messages.error(request, exc.message)
    return redirect("dashboard:research")


@login_required
def assignments(request):
    rep = _representative(request)
    reports = (AssignmentReport.objects.filter(representative=rep)
               .select_related("assignment__agency", "assignment__studio").order_by("status", "assignment__due_on"))
    today = timezone.localdate()
    rows = [{"report": r, "overdue": r.status == AssignmentReport.Status.PENDING and r.assignment.due_on < today}
            for r in reports]
    return _render(request, "dashboard/duties/assignments.html", {"rows": rows, "form": EvidenceForm()})


@login_required
@require_POST
def assignment_complete_view(request, report_id):
    rep = _representative(request)
    report = get_object_or_404(AssignmentReport, pk=report_id, representative=rep)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Describe what was done before reporting completion."))
        return redirect("dashboard:assignments")
    try:
        assignment_complete(report_id=report.pk, representative=rep, evidence=form.cleaned_data["evidence"])
        messages.success(request, _("Completion reported."))
    except DutyError as exc:
        messages.error(request, exc.message)
    return redirect("dashboard:assignments")


@login_required
def discussions(request):
    threads = (access.discussions_visible_to(request.user).select_related("studio", "topic")
               .annotate(posts_count=Count("posts")).order_by("-last_post_at", "-id"))
    page = Paginator(threads, 50).get_page(request.GET.get("page"))
    return _render(request, "dashboard/duties/discussions.html", {"page": page})


@login_required
def discussion_detail(request, discussion_id):
    thread = access.discussions_visible_to(request.user).select_related("studio", "topic").filter(
        pk=discussion_id).first()
    if thread is None:
        raise Http404(_("No such discussion."))
    form = PostForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                discussion_post(discussion_id=thread.pk, author=request.user, body=form.cleaned_data["body"])
                messages.success(request, _("Posted."))
                return redirect("dashboard:discussion", discussion_id=thread.pk)
            except DutyError as exc:
                form.add_error("body", exc.message)
    posts = thread.posts.select_related("author").order_by("created_at", "id")
    return _render(request, "dashboard/duties/discussion.html", {"thread": thread, "posts": posts, "form": form},
                  status=400 if form.errors else 200)


@login_required
def proposals(request):
    rep = _representative(request)
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_submit(representative=rep, **form.cleaned_data)
            messages.success(request, _("Submitted to the liaison agency."))
            return redirect("dashboard:proposals")
        except DutyError as exc:
            form.add_error(None, exc.message)
    mine = Proposal.objects.filter(representative=rep).select_related("agency", "department", "sector")
    return _render(request, "dashboard/duties/proposals.html", {"form": form, "proposals": mine},
                  status=400 if form.errors else 200)


# --- studio work: activities and outcomes, for a studio's lead, admins and staff ----------------

class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=StudioActivity.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    people_reached = forms.IntegerField(label=gettext_lazy("People reached"), min_value=0, max_value=2**31 - 1,
                                        initial=0)
    representatives = forms.ModelMultipleChoiceField(label=gettext_lazy("Representatives who took part"),
                                                     queryset=Representative.objects.none(), required=False)
    outcome_metric = forms.ChoiceField(label=gettext_lazy("Outcome (optional)"), required=False,
                                       choices=[("", "---------"), *StudioOutcome.Metric.choices])
    outcome_value = forms.DecimalField(label=gettext_lazy("Outcome value"), required=False, min_value=0,
                                       max_digits=16, decimal_places=2)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representatives"].queryset = studio.members.order_by("name")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("outcome_metric")) != (cleaned.get("outcome_value") is not None):
            raise forms.ValidationError(_("Give both the outcome and its value, or neither."))
        if cleaned.get("held_on") and cleaned["held_on"] > timezone.localdate():
            self.add_error("held_on", _("Record activities once they have taken place."))
        return cleaned


@login_required
def studio_work(request, studio_code=None):
    managed = access.studios_visible_to(request.user).filter(
        pk__in=access.actor_for(request.user).admin_studio_ids).order_by("name")
    if access.actor_for(request.user).superuser:
        managed = Studio.objects.order_by("name")
    studio = (managed.filter(code=studio_code).first() if studio_code else managed.first())
    if studio is None:
        raise Http404(_("You do not manage a studio."))
    form = ActivityForm(request.POST or None, studio=studio)
    if request.method == "POST" and form.is_valid():
        studio_activity_record(studio=studio, recorded_by=request.user, **form.cleaned_data)
        messages.success(request, _("Activity recorded."))
        return redirect("dashboard:studio", studio_code=studio.code)
    activities = (StudioActivity.objects.filter(studio=studio).prefetch_related("representatives", "outcomes")
                  .order_by("-held_on", "-id")[:30])
    return _render(request, "dashboard/duties/studio.html", {
        "studio": studio, "managed": list(managed[:50]), "form": form, "activities": activities},
        status=400 if form.errors else 200)
