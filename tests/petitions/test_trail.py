"""The trail is append-only: the ORM refuses to change or delete an event, and on PostgreSQL so does the
database itself (the trigger of petitions/migrations/0002), whatever SQL a client sends."""
import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from petitions import services_routing
from petitions.models import PetitionEvent
from petitions.services import petition_submit

from .conftest import TEXTS


@pytest.fixture
def routed(county_world):
    petition, _ = petition_submit(studio=county_world.agri, text=TEXTS["safety"])
    services_routing.petition_route(petition_id=petition.pk)
    return petition


def test_saving_an_existing_event_is_refused(routed):
    event = routed.events.first()
    event.note = "changed"
    with pytest.raises(ValidationError):
        event.save()


def test_deleting_an_event_is_refused(routed):
    with pytest.raises(ValidationError):
        routed.events.first().delete()


def test_queryset_update_and_delete_are_refused(routed):
    with pytest.raises(ValidationError):
        PetitionEvent.objects.filter(petition=routed).update(note="changed")
    with pytest.raises(ValidationError):
        PetitionEvent.objects.filter(petition=routed).delete()
    with pytest.raises(ValidationError):
        routed.events.all().delete()
    assert routed.events.count() == 4


def test_bulk_update_is_refused(routed):
    events = list(routed.events.all())
    for event in events:
        event.note = "changed"
    with pytest.raises(ValidationError):
        PetitionEvent.objects.bulk_update(events, ["note"])


@pytest.mark.postgresql_only  # runs in the PostgreSQL pass of CI; SQLite has neither
@pytest.mark.parametrize("sql", [
    "UPDATE petitions_petitionevent SET note = 'changed' WHERE petition_id = %s",
    "DELETE FROM petitions_petitionevent WHERE petition_id = %s",
])
def test_postgresql_refuses_raw_sql_too(routed, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [routed.pk])
    assert routed.events.filter(note="changed").count() == 0
    assert routed.events.count() == 4
