"""Reads shared by pages and the API."""
import hmac

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from .models import DONE_STATUSES, Petition, PetitionEvent, Status

COUNTERS_KEY = "petitions:public-counters"


def public_counters() -> dict:
    """收集问题数 / 办结问题数 for the landing page: one aggregate query per cache period, not per visitor."""
    counters = cache.get(COUNTERS_KEY)
    if counters is None:
        row = Petition.objects.aggregate(
            collected=Count("id", filter=~Q(status=Status.REJECTED)),
            resolved=Count("id", filter=Q(status__in=DONE_STATUSES)),
        )
        collected, resolved = row["collected"] or 0, row["resolved"] or 0
        counters = {"collected": collected, "resolved": resolved,
                    "rate": round(100 * resolved / collected, 1) if collected else 0.0}
        cache.set(COUNTERS_KEY, counters, settings.PUBLIC_COUNTERS_TTL)
    return counters


def petition_by_tracking(code: str, digits: str = "") -> Petition | None:
    """The petition a citizen may see with this code (normalised) and, when it has a phone, its last 4 digits.

    A wrong code and wrong digits both give None: the caller cannot tell which, so codes cannot be probed.
    """
    petition = (Petition.objects.select_related("studio", "studio__sector", "category", "current_studio",
                                                "current_department")
                .filter(tracking_code=code).first())
    if petition is None:
        return None
    if petition.citizen_phone:
        expected = "".join(ch for ch in petition.citizen_phone if ch.isdigit())[-4:]
        if not hmac.compare_digest(expected.encode(), (digits or "").encode()):
            return None
    return petition


def public_timeline(petition: Petition) -> list[PetitionEvent]:
    """The steps the citizen sees: only events marked public, oldest first, with where it went."""
    return list(petition.events.filter(public=True).select_related("studio", "department").order_by("at", "id"))
