"""The liaison agency's side of the duties (党代表联络工作机构): proposals taken to an answer, research
topics published and their reports reviewed, tasks given to representatives or whole studios and
followed to completion, overdue ones in view. Thin views: the agency comes from liaison.access, the
writes from liaison.services; another agency's objects are 404."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liaison import access
from liaison.models import AssignmentReport, LiaisonAgency, Proposal, ResearchClaim, ResearchTopic
from liaison.selectors import assignments_with_progress
from liaison.services import (DutyError, assignment_create, proposal_accept, proposal_answer, proposal_decline,
                              proposal_hand_over, proposal_steps_allowed, research_report_review,
                              research_topic_close, research_topic_publish)
from offices.models import Department

from .duties import _render


def _agency(request) -> LiaisonAgency:
    agency_id = access.agency_id_for(request.user)
    if not agency_id:
        raise Http404(_("Only liaison agency staff work here."))
    return LiaisonAgency.objects.select_related("region").get(pk=agency_id)


# --- proposals ----------------------------------------------------------------------------------

class HandOverForm(forms.Form):
    department = forms.ModelChoiceField(label=gettext_lazy("Department"), queryset=Department.objects.none())

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = access.departments_in_agency_area(agency).order_by("region__path",
                                                                                              "name")


PROPOSAL_FILTERS = {
    "open": Q(status__in=[Proposal.Status.SUBMITTED, Proposal.Status.ACCEPTED, Proposal.Status.HANDED_OVER]),
    "done": Q(status__in=[Proposal.Status.ANSWERED, Proposal.Status.DECLINED]),
    "all": Q(),
}


@login_required
def proposals(request):
    agency = _agency(request)
    show = request.GET.get("show") if request.GET.get("show") in PROPOSAL_FILTERS else "open"
    qs = (Proposal.objects.filter(PROPOSAL_FILTERS[show], agency=agency)
          .select_related("representative", "department", "sector").order_by("-submitted_at", "-id"))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [{"p": p, "steps": proposal_steps_allowed(p)} for p in page.object_list]
    counts = Proposal.objects.filter(agency=agency).aggregate(
        **{name: Count("id", filter=q) for name, q in PROPOSAL_FILTERS.items()})
    return _render(request, "dashboard/agency/proposals.html", {
        "agency": agency, "page": page, "rows": rows, "show": show, "counts": counts,
        "hand_over_form": HandOverForm(agency=agency)})


@login_required
@require_POST
def proposal_step(request, proposal_id, step):
    agency = _agency(request)
    proposal = get_object_or_404(Proposal, pk=proposal_id, agency=agency)  # another agency's: 404
    try:
        if step == "accept":
            proposal_accept(proposal_id=proposal.pk, agency=agency, actor=request.user)
            messages.success(request, _("Proposal accepted."))
        elif step == "decline":
            proposal_decline(proposal_id=proposal.pk, agency=agency, actor=request.user,
                             reason=request.POST.get("reason", ""))
            messages.success(request, _("Proposal not accepted; the representative has been told why."))
        elif step == "hand_over":
            form = HandOverForm(request.POST, agency=agency)
            department = form.cleaned_data["department"] if form.is_valid() else None
            proposal_hand_over(proposal_id=proposal.pk, agency=agency, actor=request.user, department=department)
            messages.success(request, _("Handed to %(department)s.") % {"department": department.name})
        elif step == "answer":
            proposal_answer(proposal_id=proposal.pk, agency=agency, actor=request.user,
                            answer=request.POST.get("answer", ""))
            messages.success(request, _("Answer recorded."))
        else:
            raise Http404(_("No such step."))
    except DutyError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("dashboard:agency_proposals") + f"#proposal-{proposal.pk}")


# --- research topics ----------------------------------------------------------------------------

class TopicForm(forms.ModelForm):
    class Meta:
        model = ResearchTopic
        fields = ["title", "description", "sector", "max_claimants", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 3})}


@login_required
def research(request):
    agency = _agency(request)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            research_topic_publish(agency=agency, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Topic published; representatives can claim it now."))
            return redirect("dashboard:agency_research")
        except DutyError as exc:
            form.add_error(None, exc.message)
    claims = ResearchClaim.objects.select_related("representative").order_by("status", "claimed_at")
    topics = (ResearchTopic.objects.filter(agency=agency).select_related("sector")
              .prefetch_related(Prefetch("claims", queryset=claims)).order_by("status", "due_on", "-id")[:50])
    to_review = (ResearchClaim.objects.filter(topic__agency=agency, status=ResearchClaim.Status.SUBMITTED)
                 .select_related("topic", "representative").order_by("submitted_at"))
    return _render(request, "dashboard/agency/research.html", {
        "agency": agency, "form": form, "topics": topics, "to_review": to_review},
        status=400 if form.errors else 200)


@login_required
@require_POST
def research_review(request, claim_id):
    agency = _agency(request)
    claim = get_object_or_404(ResearchClaim, pk=claim_id, topic__agency=agency)
    accept = request.POST.get("decision") == "accept"
    try:
        research_report_review(claim_id=claim.pk, agency=agency, actor=request.user, accept=accept,
                               review=request.POST.get("review", ""))
        messages.success(request, _("Report accepted.") if accept else _("Report returned for revision."))
    except DutyError as exc:
        messages.error(request, exc.message)
    return redirect("dashboard:agency_research")


@login_required
@require_POST
def research_close(request, topic_id):
    agency = _agency(request)
    topic = get_object_or_404(ResearchTopic, pk=topic_id, agency=agency)
    try:
        research_topic_close(topic_id=topic.pk, agency=agency, actor=request.user)
        messages.success(request, _("Topic closed for claims."))
    except DutyError as exc:
        messages.error(request, exc.message)
    return redirect("dashboard:agency_research")


# --- assignments --------------------------------------------------------------------------------

class RepresentativeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.region.name}"  # namesakes are common: the region tells them apart


class AssignmentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Task"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=gettext_lazy("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    studio = forms.ModelChoiceField(label=gettext_lazy("A whole studio (every member)"), required=False,
                                    queryset=None)
    representatives = RepresentativeChoiceField(
        label=gettext_lazy("Or chosen representatives"), required=False, queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["studio"].queryset = access.studios_in_agency_area(agency).order_by("region__path", "name")
        self.fields["representatives"].queryset = (access.representatives_in_agency_area(agency)
                                                    .select_related("region").order_by("name", "id"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("studio") and not cleaned.get("representatives"):
            raise forms.ValidationError(_("Choose a studio or at least one representative."))
        return cleaned


@login_required
def assignments(request):
    agency = _agency(request)
    form = AssignmentForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            assignment = assignment_create(agency=agency, actor=request.user, title=data["title"],
                                           description=data["description"], due_on=data["due_on"],
                                           studio=data["studio"], representatives=data["representatives"])
            messages.success(request, _("Task assigned to %(n)s representatives.")
                             % {"n": assignment.reports.count()})
            return redirect("dashboard:agency_assignment", assignment_id=assignment.pk)
        except DutyError as exc:
            form.add_error(None, exc.message)
    page = Paginator(assignments_with_progress(agency), 30).get_page(request.GET.get("page"))
    overdue_total = AssignmentReport.objects.filter(
        assignment__agency=agency, status=AssignmentReport.Status.PENDING,
        assignment__due_on__lt=timezone.localdate()).count()
    return _render(request, "dashboard/agency/assignments.html", {
        "agency": agency, "form": form, "page": page, "overdue_total": overdue_total},
        status=400 if form.errors else 200)


@login_required
def assignment_detail(request, assignment_id):
    agency = _agency(request)
    assignment = get_object_or_404(assignments_with_progress(agency), pk=assignment_id)
    today = timezone.localdate()
    reports = assignment.reports.select_related("representative").order_by("status", "representative__name")
    rows = [{"r": r, "overdue": r.status == AssignmentReport.Status.PENDING and assignment.due_on < today}
            for r in reports]
    return _render(request, "dashboard/agency/assignment.html", {"agency": agency, "a": assignment, "rows": rows})
