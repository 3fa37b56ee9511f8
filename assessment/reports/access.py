"""Who may read the reports: the organisation department (and superusers). Others get 403 or login."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def is_organisation(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = getattr(user, "staff_profile", None)
    return profile is not None and profile.role == "organisation"


def organisation_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_organisation(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def can_see_scorecard(user, card) -> bool:
    """The organisation department sees every scorecard (and the petitions behind it); a representative
    only their own."""
    if is_organisation(user):
        return True
    own = getattr(user, "representative", None) if user.is_authenticated else None
    return own is not None and card.representative_id == own.pk
