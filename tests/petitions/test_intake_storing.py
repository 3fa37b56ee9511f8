"""How petition_submit stores a petition and its SUBMIT event (issue #10).

On PostgreSQL a petition without photos goes in one statement, in autocommit; with photos, and on SQLite, it
goes through the ORM in a transaction. Either way the rows are the same, a double tap returns the first
petition, a taken tracking code draws another, and routing is queued once, after the rows are committed.

The routing task's publishing is recorded instead of sent: these tests commit for real, and a task on the
session's broker would be run by a worker that another test may have started.
"""
from contextlib import nullcontext
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment import sla
from config.prepared import numbered
from offices.models import Region
from petitions import routing_queue, services
from petitions.codes import new_tracking_code
from petitions.models import Petition, PetitionEvent, Source
from petitions.services import petition_submit
from petitions.tasks import petition_route_task
from tests.factories import RegionFactory
from tests.petitions.intake_helpers import _fresh_cache, image_bytes, studio  # noqa: F401 (fixtures)

TEXT = "村东头的灌溉渠堵了两个月，庄稼快要旱死了，希望尽快疏通。"

# Autocommit: the way the pages and the API call it. In a transaction: the way the admin (and any caller that
# writes more around it) calls it. Both commit for real.
MODES = [pytest.param(False, marks=pytest.mark.django_db(transaction=True), id="autocommit"),
         pytest.param(True, marks=pytest.mark.django_db(transaction=True), id="in-a-callers-transaction")]


@pytest.fixture
def queued(monkeypatch):
    """Each routing task published: (petition id, whether a transaction was still open, whether the row was there)."""
    published = []

    def delay(petition_id):
        published.append((petition_id, connection.in_atomic_block,
                          Petition.objects.filter(pk=petition_id).exists()))
        routing_queue.routing_task_started()  # a worker takes it at once (one queued at a time: test_routing_queue)

    monkeypatch.setattr(petition_route_task, "delay", delay)
    return published


def submit(studio, **kw):
    return petition_submit(studio=studio, text=kw.pop("text", TEXT), **kw)


@pytest.mark.parametrize("in_transaction", MODES)
def test_a_double_tap_returns_the_first_petition_and_stores_nothing_more(studio, queued, in_transaction):
    with transaction.atomic() if in_transaction else nullcontext():
        first, created = submit(studio, idempotency_key="tap-tap")
        again, created_again = submit(studio, idempotency_key="tap-tap")
    assert (created, created_again) == (True, False)
    assert (again.pk, again.tracking_code) == (first.pk, first.tracking_code)
    assert Petition.objects.count() == 1 and PetitionEvent.objects.count() == 1
    assert [pk for pk, *_ in queued] == [first.pk]  # the double tap queues nothing


@pytest.mark.parametrize("in_transaction", MODES)
def test_a_taken_tracking_code_draws_another(studio, queued, monkeypatch, in_transaction):
    taken, _created = submit(studio)
    fresh = new_tracking_code()
    codes = iter([taken.tracking_code, fresh])
    monkeypatch.setattr(services, "new_tracking_code", lambda: next(codes))
    with transaction.atomic() if in_transaction else nullcontext():
        petition, created = submit(studio, idempotency_key="after-a-collision")
    assert created and petition.tracking_code == fresh
    assert Petition.objects.get(tracking_code=fresh).idempotency_key == "after-a-collision"
    assert list(PetitionEvent.objects.filter(petition=petition).values_list("action", flat=True)) == ["submit"]
    assert Petition.objects.count() == 2 and PetitionEvent.objects.count() == 2
    assert [pk for pk, *_ in queued] == [taken.pk, petition.pk]


@pytest.mark.parametrize("in_transaction", MODES)
def test_routing_is_queued_once_after_the_rows_are_committed(studio, queued, in_transaction):
    if in_transaction:
        with transaction.atomic():
            petition, _created = submit(studio)
            assert queued == []  # not before the caller's transaction commits
    else:
        petition, _created = submit(studio)
    assert queued == [(petition.pk, False, True)]


@pytest.mark.django_db
def test_the_rows_are_those_the_orm_stores(studio, monkeypatch):
    """Petitions through each way of storing, from the same inputs at the same clock time: on PostgreSQL the first
    in the one statement as Django compiles it, the second in the statement kept from the first, the third (with
    a photo) the ORM's way. Every column but the keys and the tracking code is the same, and so is the event's.
    The petition handed back is the stored one, as a saved instance."""
    now = timezone.now().replace(microsecond=123456)
    monkeypatch.setattr(timezone, "now", lambda: now)
    services._submission_statements.clear()
    region = RegionFactory(parent=studio.region, kind=Region.Kind.TOWNSHIP, name="牛角店镇")
    inputs = dict(category=studio.sector, region=region, citizen_name="张三丰", citizen_phone="13812345678",
                  address="东阿县牛角店镇东村", latitude=Decimal("36.123456"), longitude=Decimal("116.654321"),
                  source=Source.API)
    compiled, _ = submit(studio, idempotency_key="compiled", **inputs)
    kept, _ = submit(studio, idempotency_key="kept", **inputs)
    with_photo, _ = submit(studio, idempotency_key="with-photo",
                           photos=[ContentFile(image_bytes(), name="field.jpg")], **inputs)

    def columns(model, skip, **lookup):
        row = model.objects.filter(**lookup).values(*[f.attname for f in model._meta.concrete_fields]).get()
        return {name: value for name, value in row.items() if name not in skip}

    petition_skip, event_skip = {"id", "tracking_code", "idempotency_key"}, {"id", "petition_id"}
    expected = columns(Petition, petition_skip, pk=with_photo.pk)
    assert expected["submitted_at"] == expected["updated_at"] == now and expected["accept_due_at"] > now
    assert expected["region_id"] == region.pk and expected["category_id"] == studio.sector_id
    for petition in (compiled, kept):
        assert columns(Petition, petition_skip, pk=petition.pk) == expected
        assert columns(PetitionEvent, event_skip, petition=petition) == columns(PetitionEvent, event_skip,
                                                                                petition=with_photo)
        assert not petition._state.adding and petition._state.db == "default"
        assert {f.attname: getattr(petition, f.attname) for f in Petition._meta.concrete_fields} == columns(
            Petition, set(), pk=petition.pk)


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_the_kept_statement_sends_what_django_compiles(studio):
    """The one statement is compiled once per process and kept; what it sends with a later submission's values
    is exactly what Django's compiler writes for that submission."""
    def built(key):
        now = timezone.now()
        petition = Petition(tracking_code=new_tracking_code(), studio=studio, region_id=studio.region_id, text=TEXT,
                            latitude=Decimal("36.5"), idempotency_key=key, submitted_at=now, updated_at=now,
                            current_studio=studio)
        sla.sla_apply(petition=petition, action=PetitionEvent.Action.SUBMIT, at=now)
        return petition, services.event_build(petition=petition, action=PetitionEvent.Action.SUBMIT, studio=studio,
                                              at=now, public=True, data={"words": ["灌溉渠"]})

    services._submission_statements.clear()
    services._submission_sql(*built("first"), using="default")
    assert "default" in services._submission_statements
    petition, event = built("second")
    sql, params, is_kept = services._submission_sql(petition, event, using="default")
    compiled = services._submission_statement(petition, event, using="default")
    assert is_kept and connection.ops.compose_sql(sql, params) == connection.ops.compose_sql(*compiled)


def sent(queries) -> list[str]:
    """The storing statements sent (not what a new connection sends first, as the time zone)."""
    return [" ".join(q["sql"].split(" ", 2)[:2]) for q in queries if q["sql"].startswith(("PREPARE ", "EXECUTE "))]


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_kept_statement_is_prepared_once_per_connection(studio, queued, settings):
    """The kept statement is PREPAREd on a connection the first time it is sent there, then only EXECUTEd with each
    submission's values; a new connection (Django reconnects after CONN_MAX_AGE or an error) prepares it again;
    and with DATABASE_PREPARED_STATEMENTS off (a pooler in transaction mode) its text is sent each time."""
    services._submission_statements.clear()
    submit(studio)  # compiled: sent as text, and kept
    with CaptureQueriesContext(connection) as captured:
        stored = [submit(studio)[0] for _ in range(3)]
    assert sent(captured.captured_queries) == ["PREPARE petition_submission"] + ["EXECUTE petition_submission"] * 3
    connection.close()  # what Django does after CONN_MAX_AGE; the server forgets the session's statements
    with CaptureQueriesContext(connection) as captured:
        stored.append(submit(studio)[0])
    assert sent(captured.captured_queries) == ["PREPARE petition_submission", "EXECUTE petition_submission"]
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as captured:
        stored.append(submit(studio)[0])
    assert [q["sql"][:20] for q in captured.captured_queries if not q["sql"].startswith("SELECT")] == [
        'WITH "stored" AS (IN']
    # Each one stored, with its event, and handed back as stored.
    assert sorted(p.pk for p in stored) == list(Petition.objects.filter(pk__in=[p.pk for p in stored])
                                                 .order_by("pk").values_list("pk", flat=True))
    assert PetitionEvent.objects.filter(petition__in=stored, action=PetitionEvent.Action.SUBMIT).count() == 5


def test_prepare_numbers_djangos_placeholders():
    assert numbered("SELECT %s, '%%', %s") == ("SELECT $1, '%', $2", 2)


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_refused_statement_leaves_the_callers_transaction_usable(studio, queued):
    # A key longer than its column passes the service's field checks (the form and the serializer check it)
    # and is refused by PostgreSQL: only the statement's savepoint is rolled back, not the caller's work.
    with transaction.atomic():
        kept, _created = submit(studio)
        with pytest.raises(DataError):
            submit(studio, idempotency_key="k" * 65)
        assert Petition.objects.count() == 1
    assert list(Petition.objects.values_list("pk", flat=True)) == [kept.pk]
    assert PetitionEvent.objects.count() == 1 and [pk for pk, *_ in queued] == [kept.pk]
