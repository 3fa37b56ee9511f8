"""What Open311 shows of sectors and petitions. No personal data: never a name, a phone or an e-mail."""
from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from offices.choices import Loop
from offices.models import Sector

from ..masking import mask_phone
from ..models import OPEN_STATUSES, Petition, SectorKeyword, Status

_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1\d{2}[-\s]?\d{4}[-\s]?\d{4}(?!\d)")

# The five steps 受理 · 分转 · 办结 · 反馈 · 评价 (accept, dispatch, resolve, reply, rate), by status.
STEPS = {
    Status.SUBMITTED: (0, gettext_noop("submitted, waiting to be accepted")),
    Status.ACCEPTED: (1, gettext_noop("accepted")),
    Status.DISPATCHED: (2, gettext_noop("dispatched and being handled")),
    Status.ON_HOLD: (2, gettext_noop("waiting for the citizen")),
    Status.RESOLVED: (3, gettext_noop("resolved")),
    Status.REPLIED: (4, gettext_noop("answered, waiting for the citizen's rating")),
    Status.CLOSED: (5, gettext_noop("rated and closed")),
    Status.REJECTED: (1, gettext_noop("not accepted")),
}


def open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def status_notes(petition: Petition) -> str:
    step, label = STEPS[petition.status]
    parts = [_("Step %(step)d of 5: %(label)s") % {"step": step, "label": _(label)}]
    if petition.status == Status.CLOSED and petition.rating == "not_rated":
        parts[0] = _("Step %(step)d of 5: %(label)s") % {"step": 5, "label": _(gettext_noop("closed without a rating"))}
    if petition.loop:
        parts.append(str(Loop(petition.loop).label))
    if petition.status == Status.REJECTED and petition.reject_reason:
        parts.append(petition.reject_reason)
    if petition.status == Status.ON_HOLD and petition.hold_reason:
        parts.append(petition.hold_reason)
    if petition.status in (Status.REPLIED, Status.CLOSED) and petition.answer:
        parts.append(petition.answer)
    return " · ".join(parts)


def iso(dt) -> str:
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else ""


def services() -> list[dict]:
    """One service per sector; keywords from the routing dictionary (two queries in all)."""
    sectors = list(Sector.objects.order_by("position", "id"))
    keywords: dict[int, list[str]] = {}
    for sector_id, term in (SectorKeyword.objects.filter(active=True).order_by("sector_id", "-weight", "term")
                            .values_list("sector_id", "term")):
        terms = keywords.setdefault(sector_id, [])
        if len(terms) < 8:
            terms.append(term)
    return [{"service_code": s.code, "service_name": s.name, "description": s.description or s.name_en or s.name,
             "metadata": False, "type": "realtime", "keywords": ",".join(keywords.get(s.pk, [])),
             "group": s.name_en or s.name} for s in sectors]


def requests_queryset():
    return Petition.objects.select_related("sector", "category", "studio__sector", "current_studio",
                                           "current_department")


def request_row(petition: Petition, build_url) -> dict:
    service = petition.sector or petition.category or petition.studio.sector
    handler = petition.current_department or petition.current_studio or petition.studio
    return {
        "service_request_id": petition.tracking_code,
        "status": open311_status(petition.status),
        "status_notes": status_notes(petition),
        "service_name": service.name if service else "",
        "service_code": service.code if service else "",
        "description": _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), petition.text),
        "agency_responsible": handler.name,
        "service_notice": "",
        "requested_datetime": iso(petition.submitted_at),
        "updated_datetime": iso(petition.updated_at),
        "expected_datetime": iso(petition.due_at) if petition.status in OPEN_STATUSES else "",
        "address": petition.address,
        "address_id": "",
        "zipcode": "",
        "lat": float(petition.latitude) if petition.latitude is not None else None,
        "long": float(petition.longitude) if petition.longitude is not None else None,
        # A citizen's photos are personal data, never published: only the people handling the petition
        # open them, through the dashboard's access-checked view (petitions/dashboard/files.py).
        "media_url": "",
    }
