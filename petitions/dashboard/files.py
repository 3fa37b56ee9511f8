"""Uploaded files, each behind the access rule of the row it belongs to (liaison.access).

Nothing under MEDIA_ROOT is public (config/private_media.py): a citizen's photo, a proposal's attachment,
a research report's file and an assignment's evidence are reached only here. Whoever may not see the
row gets 404, the same answer as for an id that does not exist, so guessing ids or paths tells nothing.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.private_media import private_file_response
from liaison import access
from petitions.models import PetitionPhoto


def _or_404(row, field_name):
    if row is None or not getattr(row, field_name):
        raise Http404(_("No such file."))
    return private_file_response(getattr(row, field_name))


@login_required
@require_safe
def petition_photo(request, photo_id):
    photo = (PetitionPhoto.objects.select_related("petition__studio__region", "petition__region")
             .filter(pk=photo_id).first())
    if photo is None or not access.can_see_petition_photos(request.user, photo.petition):
        raise Http404(_("No such file."))
    return _or_404(photo, "image")


@login_required
@require_safe
def proposal_attachment(request, proposal_id):
    return _or_404(access.proposals_visible_to(request.user).filter(pk=proposal_id).first(), "attachment")


@login_required
@require_safe
def research_report_file(request, claim_id):
    return _or_404(access.research_claims_visible_to(request.user).filter(pk=claim_id).first(), "report_file")


@login_required
@require_safe
def assignment_evidence_file(request, report_id):
    return _or_404(access.assignment_reports_visible_to(request.user).filter(pk=report_id).first(), "evidence_file")
