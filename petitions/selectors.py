"""Reads shared by pages and the API."""
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from .models import DONE_STATUSES, Petition, Status

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
