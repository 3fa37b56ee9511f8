"""API permission classes. They ask liaison.access (and the reports' is_organisation), like the pages do."""
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from assessment.reports.access import is_organisation
from liaison import access


class HasRole(BasePermission):
    """Logged in with a role in the portal (representative, staff, organisation department)."""

    message = _("Your account has no role in the portal.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and access.actor_for(request.user).has_role)


class IsRepresentative(BasePermission):
    message = _("Only representatives have duties to record.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated
                    and access.actor_for(request.user).representative_id)


class IsOrganisation(BasePermission):
    """The organisation department and superusers: the assessment figures (as the /reports/ pages)."""

    message = _("Only the organisation department sees the assessment figures.")

    def has_permission(self, request, view):
        return bool(request.user and is_organisation(request.user))
