"""The log of who read a citizen's unmasked contact details (liaison.models.PersonalDataAccess)."""
from django.db import transaction

from liaison.models import PersonalDataAccess


@transaction.atomic
def personal_data_access_record(*, user, petition_id: int, where: str, path: str) -> PersonalDataAccess:
    """Append one row: `user` was shown the unmasked name and phone of petition `petition_id` at `path`."""
    access = PersonalDataAccess(user=user, petition_id=petition_id, where=where, path=path[:255])
    access.full_clean(exclude=["user", "petition"])
    access.save()
    return access
