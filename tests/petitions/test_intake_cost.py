"""What one submission costs the database (issue #10's intake target), and the checks that moved to make it cheap.

A valid submission reads the studio (kept per process a few seconds: offices.selectors.studio_for_intake), then
stores the petition and its SUBMIT event: on PostgreSQL in one statement in autocommit, elsewhere in a transaction
of two INSERTs. The idempotency key is checked by its unique
index at the INSERT (a double tap reads the first petition only then), and the chosen sector by the sector keys
kept per process (offices.selectors.sector_exists).
"""
import uuid

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from offices import selectors
from offices.models import Sector
from petitions import routing_queue
from petitions.models import Petition, PetitionEvent
from petitions.tasks import petition_route_task
from petitions.views import SUBMITTED_SALT
from tests.factories import SectorFactory
from tests.petitions.intake_helpers import (  # noqa: F401 (fixtures)
    _fresh_cache, en_client, make_studio, studio, valid_data,
)

pytestmark = pytest.mark.django_db


def post(client, studio, **overrides):
    return client.post(reverse("petitions:studio", args=[studio.code]), valid_data(studio, **overrides),
                       REMOTE_ADDR="10.1.1.1")


def receipt(response) -> dict:
    """What a success page's link says (petitions.views._submitted_url): the tracking code, studio, phone or not."""
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return signing.loads(token, salt=SUBMITTED_SALT)


def statements(queries) -> list[str]:
    """The SQL of each query, without the savepoints the test's own transaction adds around the service's."""
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


# What storing a petition without photos sends, as in production (no transaction of a caller's around it).
# PostgreSQL: one statement, in autocommit (no BEGIN, savepoint or COMMIT). SQLite: its transaction, whose
# BEGIN and COMMIT the backend sends as statements.
STORING = {
    "postgresql": ['WITH "stored" AS (INSERT INTO "petitions_petition"'],
    "sqlite": ["BEGIN", 'INSERT INTO "petitions_petition"', 'INSERT INTO "petitions_petitionevent"', "COMMIT"],
}


@pytest.fixture
def no_routing(monkeypatch):
    """The petitions whose routing was queued; nothing is sent: these tests commit, and a worker another test
    started would pick the task up."""
    queued = []

    def delay(petition_id):
        queued.append(petition_id)
        routing_queue.routing_task_started()  # a worker takes it at once (one queued at a time: test_routing_queue)

    monkeypatch.setattr(petition_route_task, "delay", delay)
    return queued


def api_post(studio, **overrides):
    body = {"studio": studio.code, "text": "村东头的灌溉渠堵塞了，麦田浇不上水，请帮忙协调疏通。", "consent": True,
            "idempotency_key": uuid.uuid4().hex, **overrides}
    return APIClient().post("/api/v1/petitions", body, format="json")


def per_submission(captured) -> list[str]:
    """The statements sent, but the PREPARE that PostgreSQL gets once per connection for the storing statement
    (test_intake_storing.py has that one)."""
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("PREPARE ")]


def stores(sql: list[str]) -> bool:
    """Whether these statements are the storing of one petition, and nothing else (on PostgreSQL its statement as
    text, or EXECUTEd once prepared)."""
    prefixes = STORING[connection.vendor]
    return len(sql) == len(prefixes) and all(
        s.startswith(p) or (s.startswith("EXECUTE petition_submission") and p.startswith("WITH"))
        for s, p in zip(sql, prefixes))


@pytest.mark.django_db(transaction=True)
def test_a_form_submission_reads_its_studio_then_only_stores(en_client, studio, no_routing):
    with CaptureQueriesContext(connection) as captured:
        assert post(en_client, studio).status_code == 302
    sql = per_submission(captured)
    assert sql[0].startswith("SELECT") and '"offices_studio"' in sql[0] and "JOIN" not in sql[0]
    assert stores([s for s in sql[1:] if '"offices_sector"' not in s]), sql  # the sector keys: once per process
    with CaptureQueriesContext(connection) as captured:
        response = post(en_client, studio)  # the studio's row is kept a few seconds
    assert response.status_code == 302
    assert stores(per_submission(captured)), captured.captured_queries
    assert Petition.objects.count() == 2 and PetitionEvent.objects.count() == 2
    assert no_routing == list(Petition.objects.order_by("pk").values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_an_api_submission_reads_its_studio_then_only_stores(studio, no_routing):
    assert api_post(studio).status_code == 201
    # No look-up of the key, the sector or (kept a few seconds) the studio first.
    with CaptureQueriesContext(connection) as captured:
        response = api_post(studio)
    assert response.status_code == 201, response.content
    assert stores(per_submission(captured)), captured.captured_queries
    assert Petition.objects.count() == 2 and PetitionEvent.objects.count() == 2 and len(no_routing) == 2


def test_a_studio_closed_here_takes_no_more_requests_at_once(en_client, studio):
    assert post(en_client, studio).status_code == 302  # its row is kept now
    studio.active = False
    studio.save()  # this process forgets the kept row (offices/apps.py)
    response = post(en_client, studio)
    assert response.status_code == 302 and response["Location"] == reverse("petitions:landing")
    assert api_post(studio).status_code == 400
    assert Petition.objects.count() == 1


def test_a_studio_closed_elsewhere_counts_once_its_row_is_older_than_the_ttl(en_client, studio, monkeypatch):
    assert post(en_client, studio).status_code == 302
    from offices.models import Studio

    Studio.objects.filter(pk=studio.pk).update(active=False)  # another process: no signal here
    assert post(en_client, studio).status_code == 302 and Petition.objects.count() == 2  # within the TTL: taken
    monkeypatch.setattr(selectors, "STUDIO_INTAKE_TTL", 0.0)
    response = post(en_client, studio)
    assert response["Location"] == reverse("petitions:landing") and Petition.objects.count() == 2


def test_an_unknown_studio_code_is_asked_every_time(en_client, db, django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(1):
            assert selectors.studio_for_intake("no-such-studio") is None


def test_a_double_tap_returns_the_first_petition_and_writes_nothing(en_client, studio):
    key = uuid.uuid4().hex
    first = post(en_client, studio, idempotency_key=key)
    with CaptureQueriesContext(connection) as captured:
        again = post(en_client, studio, idempotency_key=key)
    assert first.status_code == again.status_code == 302
    # The same code on the success page (its signed token carries the second it was signed in, so compare what
    # it says, not the token).
    assert receipt(first) == receipt(again)
    assert Petition.objects.count() == 1 and PetitionEvent.objects.count() == 1
    # The INSERT stored nothing (the key's unique index: ON CONFLICT on PostgreSQL, an IntegrityError elsewhere);
    # the first petition was read after it. (On PostgreSQL the INSERT is prepared once per connection, then EXECUTEd.)
    sql = statements(captured.captured_queries)
    assert any('INSERT INTO "petitions_petition"' in s or s.startswith("EXECUTE petition_submission") for s in sql)
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
    # transaction=True: the sector's foreign key is checked when the service's rows are committed (the end of its
    # one statement on PostgreSQL, of its transaction elsewhere). No submission here succeeds, so no routing
    # task is queued for the session's Celery worker to run meanwhile.
    unused = SectorFactory(code="to-go", name="将删除的领域")
    assert selectors.sector_exists(unused.pk)  # the keys are kept now
    Sector.objects.filter(pk=unused.pk)._raw_delete(connection.alias)  # another process: no signal here
    response = post(en_client, studio, category=str(unused.pk))
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors["category"]] == ["Please choose one of the listed topics."]
    assert Petition.objects.count() == 0 and PetitionEvent.objects.count() == 0


@pytest.mark.postgresql_only
def test_the_codes_have_no_pattern_index():
    """Nothing queries a tracking code or an idempotency key with LIKE: a submission writes no varchar_pattern_ops
    index for them (petitions/migrations/0011)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'petitions_petition' AND indexdef LIKE %s",
                       ["%pattern_ops%"])
        assert cursor.fetchall() == []
