"""Reads of the duties that the dashboard pages and the API share."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Assignment, AssignmentReport, LiaisonAgency


def assignments_with_progress(agency: LiaisonAgency) -> QuerySet:
    """The agency's tasks with how many were given, done and overdue: overdue first, then the latest due."""
    today = timezone.localdate()
    return (Assignment.objects.filter(agency=agency).select_related("studio").annotate(
        assignees=Count("reports"),
        done=Count("reports", filter=Q(reports__status=AssignmentReport.Status.DONE)),
        overdue=Count("reports", filter=Q(reports__status=AssignmentReport.Status.PENDING, due_on__lt=today)),
    ).order_by("-overdue", "-due_on", "-id"))
