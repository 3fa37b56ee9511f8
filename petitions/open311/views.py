"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/, in JSON and XML.

Reads are public and carry no personal data; posting a request needs an API key (offices.ApiKey,
managed in the admin), which can create petitions and nothing else. A request is checked by the
studio page's PetitionForm and stored by petition_submit(), so it enters the studio's queue and the
three loops like any other. Errors are the spec's array of {code, description}.
"""
from __future__ import annotations

import re
import time
from datetime import timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import Q, Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from offices.choices import Level
from offices.models import ApiKey, Sector, Studio

from ..forms import PetitionForm
from ..models import OPEN_STATUSES, Source
from ..services import petition_submit
from . import selectors
from .formats import errors, respond

ITEMS = {"service_requests": "request", "services": "service", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value"}
# The fields a POST may carry (the spec's); anything else is refused with 400.
POST_FIELDS = {"api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "email",
               "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url"}
GET_FIELDS = {"jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status"}
_RATE = re.compile(r"^(\d+)/(s|m|h|d)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CJK = re.compile(r"[\u3400-\u9fff]")


def _allow(bucket: str, rate: str) -> bool:
    """A fixed-window counter in the cache: False once `rate` ("60/h") is used up in this window."""
    match = _RATE.match(rate or "")
    if not match:
        return True
    limit, seconds = int(match.group(1)), _SECONDS[match.group(2)]
    key = f"open311:{bucket}:{int(time.time() // seconds)}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count <= limit


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _read_rate_ok(request) -> bool:
    return _allow(f"read:{_client_ip(request)}", settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"])


def _too_many(fmt):
    return errors(fmt, 429, _("Too many requests: try again later."))


def _has_nul(params) -> bool:
    """PostgreSQL cannot compare text with NUL in it: such input is refused with 400, never a 500."""
    return any("\x00" in key or "\x00" in value for key, values in params.lists() for value in values)


def _unknown(params, allowed) -> list[str]:
    return sorted(k for k in params if k not in allowed and not k.startswith("attribute["))


@require_http_methods(["GET", "HEAD"])
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-11-29T00:00:00+08:00",
        "contact": settings.OPEN311_CONTACT or _("The liaison agency's office"),
        "key_service": request.build_absolute_uri("/admin/offices/apikey/"),
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": "2026-11-29T00:00:00+08:00", "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
    return respond(fmt, "discovery", data, ITEMS)


@require_http_methods(["GET", "HEAD"])
def service_list(request, fmt):
    if not _read_rate_ok(request):
        return _too_many(fmt)
    return respond(fmt, "services", selectors.services(), ITEMS)


@require_http_methods(["GET", "HEAD"])
def service_definition(request, service_code, fmt):
    if not Sector.objects.filter(code=service_code).exists():
        return errors(fmt, 404, _("No service has the code %(code)s.") % {"code": service_code})
    # Our services take no extra attributes (metadata is false): the definition lists none.
    return respond(fmt, "service_definition", {"service_code": service_code, "attributes": []}, ITEMS)


def _parse_date(value: str, name: str):
    try:
        dt = parse_datetime(value.strip().replace(" ", "+")) if value else None
    except ValueError:
        dt = None
    if dt is None:
        raise ValueError(_("%(name)s is not a W3C date-time such as 2026-11-29T09:30:00+08:00.") % {"name": name})
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt.astimezone(dt_timezone.utc)  # PostgreSQL refuses offsets past ±15:59; OverflowError -> 400


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def requests_view(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    if not _read_rate_ok(request):
        return _too_many(fmt)
    params = request.GET
    if _has_nul(params):
        return errors(fmt, 400, _("Parameters cannot contain NUL characters."))
    unknown = _unknown(params, GET_FIELDS)
    if unknown:
        return errors(fmt, 400, *[_("Unknown parameter: %(name)s.") % {"name": n} for n in unknown])
    qs = selectors.requests_queryset()
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        # The spec: with service_request_id, every other parameter is ignored.
        qs = qs.filter(tracking_code__in=ids[:200])
    else:
        try:
            now = timezone.now()
            end = _parse_date(params["end_date"], "end_date") if params.get("end_date") else None
            start = _parse_date(params["start_date"], "start_date") if params.get("start_date") else None
        except (ValueError, OverflowError) as exc:
            return errors(fmt, 400, str(exc))
        days = timedelta(days=settings.OPEN311_DEFAULT_DAYS)
        if start is None and end is None:
            start, end = now - days, now
        elif start is None:
            start = end - days
        elif end is None:
            end = start + days
        if start > end:
            return errors(fmt, 400, _("start_date is after end_date."))
        qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            # The service is the sector routing settled on, else the one asked for, else the studio's (as shown).
            qs = qs.filter(Q(sector__code__in=codes) | Q(sector__isnull=True, category__code__in=codes)
                           | Q(sector__isnull=True, category__isnull=True, studio__sector__code__in=codes))
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            return errors(fmt, 400, _("status is open, closed or both, comma-separated."))
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    rows = qs.order_by("-submitted_at", "-id")[:settings.OPEN311_MAX_RESULTS]
    return respond(fmt, "service_requests", [selectors.request_row(p, request.build_absolute_uri) for p in rows],
                   ITEMS)


@require_http_methods(["GET", "HEAD"])
def request_detail(request, service_request_id, fmt):
    if not _read_rate_ok(request):
        return _too_many(fmt)
    petition = selectors.requests_queryset().filter(tracking_code=service_request_id).first()
    if petition is None:
        return errors(fmt, 404, _("No service request has the id %(id)s.") % {"id": service_request_id})
    return respond(fmt, "service_requests", [selectors.request_row(petition, request.build_absolute_uri)], ITEMS)


@require_http_methods(["GET", "HEAD"])
def token_detail(request, token, fmt):
    """Requests are stored at once, so the token a client may hold is the service_request_id itself."""
    if not _read_rate_ok(request):
        return _too_many(fmt)
    from ..models import Petition

    code = Petition.objects.filter(tracking_code=token).values_list("tracking_code", flat=True).first()
    if code is None:
        return errors(fmt, 404, _("No service request has the token %(token)s.") % {"token": token})
    return respond(fmt, "service_requests", [{"service_request_id": code, "token": token}], ITEMS)


def _receiving_studio(key: ApiKey, sector: Sector) -> Studio | None:
    """The key's studio; else the studio of the sector (city level first), then one that also covers it,
    then the city's first studio: first contact takes it, and routing moves it into the right loop."""
    if key.studio_id and key.studio.active:
        return key.studio
    covers = Studio.sectors.through.objects.filter(studio_id=OuterRef("pk"), sector_id=sector.pk)
    fit = Case(When(sector=sector, then=Value(0)), When(Exists(covers), then=Value(1)), default=Value(2),
               output_field=IntegerField())
    level = Case(When(level=Level.CITY, then=Value(0)), When(level=Level.COUNTY, then=Value(1)), default=Value(2),
                 output_field=IntegerField())
    return (Studio.objects.filter(active=True).select_related("region")
            .order_by(fit, level, "region__path", "id").first())


def _post_request(request, fmt):
    try:
        params = request.POST
        len(params)
    except (RequestDataTooBig, TooManyFieldsSent):
        return errors(fmt, 400, _("The request body is too large."))
    key = ApiKey.lookup(params.get("api_key", ""))
    if key is None:
        return errors(fmt, 403, _("api_key was not provided or is not valid."))
    if not _allow(f"key:{key.pk}", key.rate):
        return errors(fmt, 429, _("This api_key has used up its rate limit (%(rate)s); try again later.")
                      % {"rate": key.rate})
    if _has_nul(params):
        return errors(fmt, 400, _("Fields cannot contain NUL characters."))
    unknown = _unknown(params, POST_FIELDS)
    if unknown:
        return errors(fmt, 400, *[_("Unknown field: %(name)s.") % {"name": n} for n in unknown])
    problems = []
    code = params.get("service_code", "").strip()
    sector = Sector.objects.filter(code=code).first() if code else None
    if not code:
        problems.append(_("service_code is required."))
    elif sector is None:
        problems.append(_("No service has the code %(code)s.") % {"code": code})
    lat, lon, address = params.get("lat", "").strip(), params.get("long", "").strip(), params.get(
        "address_string", "").strip()
    if not ((lat and lon) or address or params.get("address_id", "").strip()):
        problems.append(_("A location is required: lat and long, or address_string."))
    if not params.get("description", "").strip():
        problems.append(_("description is required."))
    if problems:
        return errors(fmt, 400, *problems)
    studio = _receiving_studio(key, sector)
    if studio is None:
        return errors(fmt, 400, _("No studio takes requests for %(service)s yet.") % {"service": sector.name})
    first, last = params.get("first_name", "").strip(), params.get("last_name", "").strip()
    name = f"{last}{first}" if _CJK.search(first + last) else " ".join(p for p in (first, last) if p)
    text = params.get("description", "")
    media_url = params.get("media_url", "").strip()
    if media_url:
        if not re.match(r"^https?://\S+$", media_url) or len(media_url) > 500:
            return errors(fmt, 400, _("media_url is not an http(s) URL."))
        text = f"{text}\n\n{media_url}"
    form = PetitionForm({"category": sector.pk, "text": text, "citizen_name": name,
                         "citizen_phone": params.get("phone", ""), "address": address,
                         "latitude": lat, "longitude": lon, "consent": "on"}, studio=studio)
    if not form.is_valid():
        names = {"text": "description", "citizen_phone": "phone", "citizen_name": "first_name/last_name",
                 "address": "address_string", "latitude": "lat/long", "longitude": "lat/long",
                 "category": "service_code"}
        return errors(fmt, 400, *[f"{names.get(field, field)}: {message}" for field, messages in form.errors.items()
                                  for message in messages])
    c = form.cleaned_data
    petition, _created = petition_submit(
        studio=studio, text=c["text"], category=c["category"], citizen_name=c["citizen_name"],
        citizen_phone=c["citizen_phone"], address=c["address"], latitude=c.get("latitude"),
        longitude=c.get("longitude"), source=Source.OPEN311)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return respond(fmt, "service_requests", [{"service_request_id": petition.tracking_code, "service_notice": "",
                                              "account_id": params.get("account_id", "")}], ITEMS, status=201)
