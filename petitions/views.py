"""The citizen's pages: the landing page, a studio's page with its request form, the success page,
tracking and rating. Thin: forms validate, services write, selectors read.

Decisions (see also petitions/forms.py for the honeypot):
- Tracking links carry the code and, when the request gave a mobile number, its last 4 digits in
  the query string (`/track/?code=ABCDE-12345&digits=1234`), so that a bookmark or a link read out
  on the phone is enough, with no account. The page is never cached (Cache-Control: private,
  no-store), not indexed (robots noindex) and loads nothing from other sites; the referrer policy
  is same-origin (Django's default), so the query string never leaves the portal.
- A wrong code and wrong digits give the same "not found" page; each miss counts against the
  client address (TRACK_RATE_LIMIT, default 20 per 10 minutes), after which the page answers 429.
- Every POST of the request form counts against the client address (SUBMIT_RATE_LIMIT, default 10
  an hour), valid or not, bots included; over it the citizen gets a friendly page with HTTP 429.
- After a submission the browser is redirected (no resubmission on reload) to a success page whose
  address is a signed token valid for a day: it names the code, not the petition's id.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage

from offices.models import Studio
from offices.posters import qr_svg_inline
from offices.selectors import (directory_regions, directory_sectors, studio_directory, studio_for_intake,
                               studio_public)
from offices.views import can_print_posters

from .codes import format_tracking_code, new_tracking_code
from .errors import PetitionError
from .forms import PetitionForm, RatingForm, TrackForm
from .masking import mask_name, mask_phone
from .models import Rating, Source
from .selectors import petition_by_tracking, public_counters, public_timeline
from .services import petition_rate, petition_submit, rating_deadline, rating_open

logger = logging.getLogger(__name__)

SUBMITTED_SALT = "petitions.submitted"
SUBMITTED_MAX_AGE = 24 * 3600
SUBMIT_GROUP = "petitions.submit"
TRACK_GROUP = "petitions.track-miss"


# --- rate limits --------------------------------------------------------------------------------
def _usage(request, group: str, rate: str, *, increment: bool) -> dict | None:
    return get_usage(request, group=group, key="ip", rate=rate, increment=increment)


def _submit_limited(request) -> bool:
    """Count this POST; True once the address has posted more than SUBMIT_RATE_LIMIT allows."""
    usage = _usage(request, SUBMIT_GROUP, settings.SUBMIT_RATE_LIMIT, increment=True)
    return bool(usage and usage["should_limit"])


def _track_blocked(request) -> bool:
    """True once the address has used up its wrong tries (without counting this one)."""
    usage = _usage(request, TRACK_GROUP, settings.TRACK_RATE_LIMIT, increment=False)
    return bool(usage and (usage["should_limit"] or usage["count"] >= usage["limit"]))


def _track_miss(request) -> None:
    _usage(request, TRACK_GROUP, settings.TRACK_RATE_LIMIT, increment=True)


def _too_many(request, kind: str, studio: Studio | None = None):
    response = render(request, "petitions/rate_limited.html", {"kind": kind, "studio": studio}, status=429)
    response["Retry-After"] = "600" if kind == "track" else "3600"
    return response


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- landing ------------------------------------------------------------------------------------
@require_GET
def landing(request):
    filters = {"q": request.GET.get("q", "").strip()[:64], "region": request.GET.get("region", "")[:16],
               "sector": request.GET.get("sector", "")[:32]}
    directory = studio_directory(q=filters["q"], region_code=filters["region"], sector_code=filters["sector"],
                                 page=request.GET.get("page", 1))
    query = urlencode({k: v for k, v in filters.items() if v})
    context = {"directory": directory, "filters": filters, "filter_query": query,
               "regions": directory_regions(), "sectors": directory_sectors()}
    if getattr(request, "htmx", False) and request.htmx.target == "directory":
        return render(request, "petitions/_directory.html", context)
    context["counters"] = public_counters()
    return render(request, "petitions/landing.html", context)


@require_GET
def counters(request):
    """The counters fragment that the landing page polls (htmx)."""
    return render(request, "petitions/_counters.html", {"counters": public_counters()})


# --- a studio's page and its request form ------------------------------------------------------
def _submitted_url(*, code: str, studio: Studio, has_phone: bool) -> str:
    token = signing.dumps({"c": code, "s": studio.code, "p": int(has_phone)}, salt=SUBMITTED_SALT, compress=True)
    return reverse("petitions:submitted", args=[token])


@never_cache
def studio_page(request, code: str):
    """`/s/<code>/`: what a studio's QR code opens. The studio, and its request form."""
    # A POST that succeeds only needs the studio (one query); the page around the form is loaded
    # when it is shown: on GET, or when the form comes back with its errors.
    page = None if request.method == "POST" else studio_public(code)
    studio = studio_for_intake(code) if request.method == "POST" else page and page.studio
    if studio is None:
        raise Http404(_("No studio has this address."))
    form = None
    if studio.active:
        if request.method == "POST":
            if _submit_limited(request):
                return _too_many(request, "submit", studio)
            form = PetitionForm(request.POST, request.FILES, studio=studio)
            if form.is_bot:
                # Looks exactly like success to the bot; nothing is stored. See petitions/forms.py.
                logger.info("honeypot: dropped a submission at studio %s", studio.code)
                return redirect(_submitted_url(code=new_tracking_code(), studio=studio, has_phone=False))
            if form.is_valid():
                data = form.cleaned_data
                try:
                    petition, _created = petition_submit(
                        studio=studio, text=data["text"], category=data["category"],
                        citizen_name=data["citizen_name"], citizen_phone=data["citizen_phone"],
                        address=data["address"], latitude=data.get("latitude"), longitude=data.get("longitude"),
                        photos=data["photos"], source=Source.QR, idempotency_key=data["idempotency_key"],
                    )
                except ValidationError as error:  # the model's own checks: shown on the form, nothing stored
                    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
                    for field, field_messages in by_field.items():
                        for message in field_messages:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    return redirect(_submitted_url(code=petition.tracking_code, studio=studio,
                                                   has_phone=bool(petition.citizen_phone)))
        elif request.method == "GET":
            form = PetitionForm(studio=studio)
        else:
            return HttpResponseNotAllowed(["GET", "POST"])
    elif request.method == "POST":
        messages.error(request, _("This studio no longer takes requests online. Please choose another below."))
        return redirect("petitions:landing")
    if page is None:
        page = studio_public(code)
        studio = page.studio
    absolute_url = request.build_absolute_uri(reverse("petitions:studio", args=[studio.code]))
    return render(request, "petitions/studio.html", {
        "page": page, "studio": studio, "form": form, "studio_url": absolute_url,
        "qr_svg": qr_svg_inline(absolute_url, title=_("QR code of this page")),
        "can_print": can_print_posters(request.user),
    })


@never_cache
@require_GET
def submitted(request, token: str):
    """The success page: the tracking code, big, grouped for reading out, with a copy button."""
    try:
        data = signing.loads(token, salt=SUBMITTED_SALT, max_age=SUBMITTED_MAX_AGE)
    except signing.SignatureExpired:
        messages.info(request, _("That page has expired. Enter your tracking code to follow your request."))
        return redirect("petitions:track")
    except signing.BadSignature:
        raise Http404(_("This page does not exist."))
    code = data.get("c", "")
    studio = Studio.objects.filter(code=data.get("s", "")).only("code", "name").first()
    track_url = reverse("petitions:track") + "?" + urlencode({"code": format_tracking_code(code)})
    return _private(render(request, "petitions/submitted.html", {
        "code": code, "code_display": format_tracking_code(code), "groups": format_tracking_code(code).split("-"),
        "studio": studio, "has_phone": bool(data.get("p")), "track_url": track_url,
    }))


# --- tracking and rating ------------------------------------------------------------------------
def track_url(code: str, digits: str = "") -> str:
    params = {"code": format_tracking_code(code)}
    if digits:
        params["digits"] = digits
    return reverse("petitions:track") + "?" + urlencode(params)


def _track_context(petition, *, code: str, digits: str, rating_form=None) -> dict:
    can_rate = rating_open(petition)
    return {
        "petition": petition, "code_display": format_tracking_code(code), "digits": digits,
        "timeline": public_timeline(petition),
        "masked_name": mask_name(petition.citizen_name), "masked_phone": mask_phone(petition.citizen_phone),
        "can_rate": can_rate, "rating_deadline": rating_deadline(petition),
        "rating_form": rating_form or (RatingForm() if can_rate else None),
        "self_url": track_url(code, digits),
    }


@never_cache
@require_GET
def track(request):
    """`/track/?code=...&digits=...`: the status and the public timeline of one request."""
    form = TrackForm(request.GET or None, initial={"code": request.GET.get("code", "")})
    if not request.GET.get("code") and not request.GET.get("digits"):
        return _private(render(request, "petitions/track.html", {"form": TrackForm()}))
    if _track_blocked(request):
        return _private(_too_many(request, "track"))
    if not form.is_valid():
        return _private(render(request, "petitions/track.html", {"form": form}))
    code, digits = form.cleaned_data["code"], form.cleaned_data["digits"]
    petition = petition_by_tracking(code, digits)
    if petition is None:
        _track_miss(request)
        return _private(render(request, "petitions/track.html", {"form": form, "not_found": True}))
    return _private(render(request, "petitions/track.html",
                           {"form": form, **_track_context(petition, code=code, digits=digits)}))


@never_cache
@require_POST
def rate(request):
    """The rating form on the tracking page. The code and digits come along as hidden fields."""
    if _track_blocked(request):
        return _private(_too_many(request, "track"))
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _private(render(request, "petitions/track.html", {"form": form}))
    code, digits = form.cleaned_data["code"], form.cleaned_data["digits"]
    petition = petition_by_tracking(code, digits)
    if petition is None:
        _track_miss(request)
        return _private(render(request, "petitions/track.html", {"form": form, "not_found": True}))
    rating_form = RatingForm(request.POST)
    if not rating_form.is_valid():
        return _private(render(request, "petitions/track.html", {
            "form": form, **_track_context(petition, code=code, digits=digits, rating_form=rating_form)}))
    try:
        petition = petition_rate(petition_id=petition.pk, rating=rating_form.cleaned_data["rating"],
                                 comment=rating_form.cleaned_data["comment"])
    except PetitionError as error:
        messages.error(request, error.message)
    else:
        if petition.rating == Rating.DISSATISFIED:
            messages.success(request, _("Thank you. Your request has gone back for handling; you will get a new "
                                        "answer."))
        else:
            messages.success(request, _("Thank you for rating the answer."))
    return redirect(track_url(code, digits))
