"""What every page's header needs about the logged-in user: the unread notification count.

Lazy and cached per request: the count is one query, run only when a template shows it, and never
again on the same request however many times it is shown."""
from __future__ import annotations

from functools import cached_property

from liaison import access


class Workspace:
    def __init__(self, request):
        self._user = getattr(request, "user", None)

    @cached_property
    def unread(self) -> int:
        if self._user is None or not self._user.is_authenticated:
            return 0
        from assessment.selectors import unread_notification_count

        return unread_notification_count(self._user)

    @cached_property
    def is_agency(self) -> bool:
        return bool(self._user is not None and access.actor_for(self._user).agency_id)


def workspace(request):
    cached = getattr(request, "_workspace", None)
    if cached is None:
        cached = request._workspace = Workspace(request)
    return {"workspace": cached}
