"""What one submission costs the database (issue #10's intake target), and the checks that moved to make it cheap.

A valid submission reads the studio, then writes the petition and its SUBMIT event in one transaction: the
idempotency key is checked by its unique index at the INSERT (a double tap reads the first petition only
then), and the chosen sector by the sector keys kept per process (offices.selectors.sector_exists).
"""
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offices import selectors
from offices.models import Sector
from petitions.models import Petition, PetitionEvent
from tests.factories import SectorFactory
from tests.petitions.intake_helpers import (  # noqa: F401 (fixtures)
    _fresh_cache, en_client, make_studio, studio, valid_data,
)

pytestmark = pytest.mark.django_db


def post(client, studio, **overrides):
    return client.post(reverse("petitions:studio", args=[studio.code]), valid_data(studio, **overrides),
                       REMOTE_ADDR="10.1.1.1")


def statements(queries) -> list[str]:
    """The SQL of each query, without the savepoints the test's own transaction adds around the service's."""
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


def test_a_form_submission_is_one_read_and_two_inserts(en_client, studio, django_assert_num_queries):
    assert post(en_client, studio).status_code == 302  # the sector keys are read once per process
    # The studio; SAVEPOINT, the petition, its event, RELEASE (a transaction of its own outside the test's).
    with django_assert_num_queries(5) as captured:
        response = post(en_client, studio)
    assert response.status_code == 302
    sql = statements(captured.captured_queries)
    assert sql[0].startswith("SELECT") and '"offices_studio"' in sql[0] and "JOIN" not in sql[0]
    assert [s.split()[2] for s in sql[1:]] == ['"petitions_petition"', '"petitions_petitionevent"']
    assert Petition.objects.count() == 2 and PetitionEvent.objects.count() == 2


def test_a_double_tap_returns_the_first_petition_and_writes_nothing(en_client, studio):
    key = uuid.uuid4().hex
    first = post(en_client, studio, idempotency_key=key)
    with CaptureQueriesContext(connection) as captured:
        again = post(en_client, studio, idempotency_key=key)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]  # the same code on the success page
    assert Petition.objects.count() == 1 and PetitionEvent.objects.count() == 1
    # The INSERT was refused by the key's unique index; the first petition was read after it.
    sql = statements(captured.captured_queries)
    assert any(s.startswith('INSERT INTO "petitions_petition"') for s in sql)
    assert 'SELECT "petitions_petition"' in sql[-1] and '"idempotency_key"' in sql[-1]


def test_a_sector_added_elsewhere_is_accepted_at_once(en_client, studio):
    assert post(en_client, studio).status_code == 302  # the keys are kept now
    # Added by another process: bulk_create sends no signal here, so the kept keys do not know it yet.
    [added] = Sector.objects.bulk_create([Sector(code="water-new", name="新领域", position=50)])
    assert post(en_client, studio, category=str(added.pk)).status_code == 302
    assert Petition.objects.filter(category=added).count() == 1


def test_saving_or_deleting_a_sector_here_resets_the_kept_keys(studio):
    assert selectors.sector_exists(studio.sector_id)
    extra = SectorFactory(code="short-lived", name="临时领域")
    assert selectors._sector_ids is None  # reset by post_save
    assert selectors.sector_exists(extra.pk)
    pk = extra.pk
    extra.delete()
    assert not selectors.sector_exists(pk)
    assert not selectors.sector_exists(10 ** 9)


@pytest.mark.django_db(transaction=True)
def test_a_sector_deleted_elsewhere_is_refused_beside_the_field_and_nothing_is_stored(en_client, studio):
    # transaction=True: the sector's foreign key is checked when the service's own transaction commits. No
    # submission here succeeds, so no routing task is queued for the session's Celery worker to run meanwhile.
    unused = SectorFactory(code="to-go", name="将删除的领域")
    assert selectors.sector_exists(unused.pk)  # the keys are kept now
    Sector.objects.filter(pk=unused.pk)._raw_delete(connection.alias)  # another process: no signal here
    response = post(en_client, studio, category=str(unused.pk))
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors["category"]] == ["Please choose one of the listed topics."]
    assert Petition.objects.count() == 0 and PetitionEvent.objects.count() == 0
