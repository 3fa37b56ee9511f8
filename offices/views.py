"""Staff pages of the offices app: printable QR-code posters of studios, one by one (here, synchronously) or
a county's as a zip (a background download, assessment/downloads/, started from the /posters/ page)."""
from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.access import can_print_posters

from . import posters
from .selectors import poster_regions, studio_by_code, studios_in_region

logger = logging.getLogger(__name__)


def _check(user):
    if not can_print_posters(user):
        raise PermissionDenied(_("Only studio staff and representatives can print posters."))


def _studio_url(request, studio) -> str:
    return request.build_absolute_uri(reverse("petitions:studio", args=[studio.code]))


def _font_missing(request, error: posters.PosterFontMissing):
    logger.error("%s", error)
    return render(request, "offices/poster_error.html", {"error": error}, status=503)


@login_required
def studio_poster(request, code: str, fmt: str):
    """`/s/<code>/poster.svg` and `/s/<code>/poster.png`, as attachments."""
    _check(request.user)
    if fmt not in ("svg", "png"):
        raise Http404
    studio = studio_by_code(code)
    if studio is None:
        raise Http404(_("No studio has this address."))
    url = _studio_url(request, studio)
    if fmt == "svg":
        body, content_type = posters.poster_svg(studio, url), "image/svg+xml"
    else:
        try:
            body, content_type = posters.poster_png(studio, url), "image/png"
        except posters.PosterFontMissing as error:
            return _font_missing(request, error)
    response = HttpResponse(body, content_type=content_type)
    disposition = "inline" if request.GET.get("view") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="poster-{studio.code}.{fmt}"'
    return response


@login_required
def posters_index(request):
    """Pick a county or district (or the whole city): its studios with their posters, and the zip of all of them."""
    _check(request.user)
    regions = list(poster_regions())
    region = next((r for r in regions if r.code == request.GET.get("region")), None)
    studios = list(studios_in_region(region)) if region else []
    return render(request, "offices/posters.html", {"regions": regions, "region": region, "studios": studios})
