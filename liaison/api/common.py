"""What the duties and studio-member endpoints share: a service's refusal as the API's error, and the
representative ids field that resolves a whole list in one query."""
from __future__ import annotations

from contextlib import contextmanager

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from offices.services import MembershipError, MembershipInputError
from petitions.api.errors import Conflict

from ..models import Representative
from ..services import DutyError, DutyInputError


@contextmanager
def service_refusals():
    """Run a service call: wrong input (DutyInputError, MembershipInputError) is 400 on its field, a state
    that refuses the step (DutyError, MembershipError) is 409. Either way the service changed nothing."""
    try:
        yield
    except (DutyInputError, MembershipInputError) as exc:
        raise ValidationError({exc.field or "non_field_errors": [str(exc.message)]}) from exc
    except (DutyError, MembershipError) as exc:
        raise Conflict(str(exc.message)) from exc


class RepresentativeIdsField(serializers.ListField):
    """A list of representative ids, resolved in one query; an unknown id is refused like DRF's own
    PrimaryKeyRelatedField refuses it."""

    child = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        found = {rep.pk: rep for rep in Representative.objects.filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
            raise ValidationError([str(message).format(pk_value=pk) for pk in missing[:10]])
        return [found[pk] for pk in ids]
