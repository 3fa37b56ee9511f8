"""Reads for the representatives' and staff's dashboard: the queue and one petition with its trail."""
from __future__ import annotations

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When

from liaison import access
from offices.choices import Flag
from petitions.models import Petition, PetitionEvent

QUEUE_RELATED = ("studio", "current_studio", "current_department", "current_representative", "sector")

# Red first, then yellow, then blue; within a colour the earliest due date first, undated last.
URGENCY = Case(When(flag=Flag.RED, then=Value(0)), When(flag=Flag.YELLOW, then=Value(1)), default=Value(2),
               output_field=IntegerField())


def petition_queue(*, user) -> QuerySet:
    """The petitions the user may see, most urgent first, with everything a queue row shows joined in."""
    return (access.petitions_visible_to(user)
            .select_related(*QUEUE_RELATED)
            .annotate(urgency=URGENCY)
            .order_by("urgency", F("due_at").asc(nulls_last=True), "-submitted_at", "-id"))


def petition_for_dashboard(*, user, tracking_code: str) -> Petition | None:
    """One petition the user may see, with its photos and whole trail; None when they may not (→ 404)."""
    events = PetitionEvent.objects.select_related("actor", "studio", "department").order_by("at", "id")
    return (access.petitions_visible_to(user)
            .select_related(*QUEUE_RELATED, "category", "region", "studio__region")
            .prefetch_related("photos", Prefetch("events", queryset=events))
            .filter(tracking_code=tracking_code.strip().upper()).first())


def routing_suggestion(petition: Petition) -> dict:
    """The latest ROUTE event's proposal (loop, studio, department), from the prefetched trail.

    Read generously: the router stores its decision on the event's own columns and/or in `data`.
    """
    route = None
    for event in petition.events.all():
        if event.action == PetitionEvent.Action.ROUTE:
            route = event
    if route is None:
        return {}
    data = route.data or {}

    def pick(*keys):
        for key in keys:
            value = data.get(key)
            if value not in (None, ""):
                return value
        return None

    loop = pick("loop") or route.loop
    studio_id = pick("studio_id", "studio", "target_studio_id") or route.studio_id
    department_id = pick("department_id", "department", "target_department_id") or route.department_id
    similar = _similar_group(data) if isinstance(data, dict) else None
    return {
        "loop": int(loop) if str(loop or "").isdigit() else None,
        "studio": int(studio_id) if str(studio_id or "").isdigit() else None,
        "department": int(department_id) if str(department_id or "").isdigit() else None,
        "reason": (similar or {}).get("reason") or _reason_label(data.get("reason")) or route.note,
        "hotline": bool(data.get("hotline")),
        "similar": similar,
        "event": route,
    }


def _similar_group(data: dict) -> dict | None:
    """Loop 3 for many similar petitions: the reason in the reader's language ("与近7天梁村镇另外22件诉求相似")
    and a link to the petitions of the group, as routing saw them (the hot-words drill-down over its span)."""
    from datetime import timedelta
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.dateparse import parse_datetime

    from petitions.routing import Reason, similar_reason

    group = data.get("similar_group")
    if data.get("reason") != Reason.SYSTEMIC_SIMILAR or not isinstance(group, dict) or not group.get("term"):
        return None
    try:
        until = parse_datetime(str(group.get("until") or ""))
        days = int(group.get("days") or 0)
    except ValueError:
        until, days = None, 0
    query = {"township": group.get("township_id") or "", "sector": group.get("sector_id") or ""}
    if until and days:
        query.update(since=(until - timedelta(days=days)).isoformat(), until=until.isoformat())
    else:
        query["window"] = "7d"
    url = reverse("hotwords:detail", kwargs={"term": group["term"]}) + "?" + urlencode(query)
    return {"reason": similar_reason(group), "url": url, "count": group.get("count"), "term": group["term"]}


def _reason_label(code) -> str:
    """The router stores a reason code (petitions.routing.Reason); show its label."""
    if not code:
        return ""
    try:
        from petitions.routing import Reason

        return str(Reason(code).label)
    except (ImportError, ValueError):
        return str(code)


def queue_scope(actor) -> dict:
    """What the user's queue covers, in words for its header: at most two small queries."""
    from offices.models import Department, Studio

    return {
        "everything": actor.sees_everything,
        "studios": list(Studio.objects.filter(pk__in=actor.studio_ids).values_list("name", flat=True))
        if actor.studio_ids else [],
        "department": Department.objects.filter(pk=actor.department_id).values_list("name", flat=True).first()
        if actor.department_id else None,
        "representative": bool(actor.representative_id),
        "liaison": bool(actor.liaison_region_path),
    }
