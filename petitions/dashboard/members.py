"""A studio's members, managed by its lead, its admins and its staff: add a representative, remove a
member, appoint a studio admin. Everyone else gets 404, as for the studio's other internal pages."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liaison import access
from offices.models import Studio, StudioMembership
from offices.services import MembershipError, studio_member_add, studio_member_remove, studio_member_set_role

from .duties import _render


class AddMemberForm(forms.Form):
    who = forms.CharField(label=gettext_lazy("Representative's name or mobile number"), max_length=64)

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.studio = studio

    def clean_who(self):
        """One active representative of the studio's region (or below) by exact mobile or name."""
        who = self.cleaned_data["who"].strip()
        matches = list(access.representatives_in_studio_area(self.studio).filter(Q(phone=who) | Q(name=who))[:2])
        if not matches:
            raise forms.ValidationError(_("No active representative of this studio's area has this name or "
                                          "mobile number."))
        if len(matches) > 1:
            raise forms.ValidationError(_("Several representatives have this name; give the mobile number."))
        return matches[0]


def _managed_studio(request, studio_code) -> Studio:
    studio = Studio.objects.select_related("region", "lead").filter(code=studio_code).first()
    if studio is None or not access.can_manage_studio(request.user, studio):
        raise Http404(_("No such studio among those you manage."))
    return studio


@login_required
def members(request, studio_code):
    studio = _managed_studio(request, studio_code)
    form = AddMemberForm(request.POST or None, studio=studio)
    if request.method == "POST" and form.is_valid():
        try:
            membership = studio_member_add(studio=studio, representative=form.cleaned_data["who"], actor=request.user)
            messages.success(request, _("%(name)s joined the studio.") % {"name": membership.representative.name})
            return redirect("dashboard:studio_members", studio_code=studio.code)
        except MembershipError as exc:
            form.add_error("who", exc.message)
    memberships = (StudioMembership.objects.filter(studio=studio).select_related("representative__region")
                   .order_by("-role", "representative__name"))
    return _render(request, "dashboard/duties/members.html", {"studio": studio, "memberships": memberships,
                                                              "form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def member_change(request, studio_code, membership_id):
    studio = _managed_studio(request, studio_code)
    try:
        if request.POST.get("remove"):
            studio_member_remove(studio=studio, membership_id=membership_id, actor=request.user)
            messages.success(request, _("Member removed."))
        else:
            studio_member_set_role(studio=studio, membership_id=membership_id, role=request.POST.get("role", ""),
                                   actor=request.user)
            messages.success(request, _("Role changed."))
    except MembershipError as exc:
        messages.error(request, exc.message)
    return redirect("dashboard:studio_members", studio_code=studio.code)
