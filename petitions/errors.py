"""Domain errors with messages a user can act on; views turn them into form errors, messages or 4xx JSON."""
from django.utils.translation import gettext_lazy as _

from .workflow import TransitionNotAllowed

__all__ = ["PetitionError", "TransitionNotAllowed", "MissingDetail"]


class PetitionError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class MissingDetail(PetitionError):
    """An action needs a detail that was not given (a reason, an answer, a rating)."""

    def __init__(self, field: str, message=None):
        self.field = field
        super().__init__(message or _("This action needs “%(field)s”.") % {"field": field})
