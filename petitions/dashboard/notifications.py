"""The notification centre: reminders and red cards from the SLA sweep, new tasks, proposal steps,
reviewed reports, replies in discussions, hot words. Everyone with an account sees only their own."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.models import Notification
from assessment.services import notification_mark_read

from .duties import _render


@login_required
def notifications(request):
    qs = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    if request.GET.get("show") == "unread":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return _render(request, "dashboard/notifications.html", {"page": page, "show": request.GET.get("show", "")})


@login_required
@require_POST
def notification_read(request, notification_id):
    """Mark one as read (only one's own: another user's id changes nothing); with `open`, follow its link."""
    notification_mark_read(user=request.user, ids=[notification_id])
    if request.POST.get("open"):
        url = Notification.objects.filter(pk=notification_id, user=request.user).values_list("url", flat=True).first()
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            return redirect(url)
    return redirect("dashboard:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    n = notification_mark_read(user=request.user)
    messages.success(request, _("%(n)s notifications marked as read.") % {"n": n})
    return redirect("dashboard:notifications")
