"""Reads of the assessment app that pages share (the dashboard shows notifications and red cards)."""
from __future__ import annotations

from django.db.models import Q

from .models import Notification, RedCard


def notifications_for(user, *, unread_only: bool = False, limit: int = 20) -> list[Notification]:
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.order_by("-created_at", "-id")[:limit])


def unread_notification_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def open_red_cards_for(*, representative=None, studio=None):
    """Red cards still open or awaiting review, for a representative and/or a studio."""
    q = Q()
    if representative is not None:
        q |= Q(representative=representative)
    if studio is not None:
        q |= Q(studio=studio)
    if not q:
        return RedCard.objects.none()
    return (RedCard.objects.filter(q).exclude(status=RedCard.Status.CLOSED)
            .select_related("petition", "representative", "studio").order_by("rectify_by"))
