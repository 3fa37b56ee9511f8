"""The beat's VACUUM of the petitions table: after updates like the sweep's, every page is all-visible again,
which is what lets the reports read petitions from their covering index alone."""
import pytest
from django.db import connection

from petitions.maintenance import petitions_vacuum
from petitions.models import Petition
from petitions.tasks import petitions_vacuum_task
from tests.factories import PetitionFactory


def _pages():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [Petition._meta.db_table])
        return cursor.fetchone()


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_vacuum_task_makes_every_page_of_petitions_all_visible_again():
    PetitionFactory.create_batch(40, text="村里的道路破损坑洼不平，下雨天积水，希望尽快修一修。" * 10)
    assert petitions_vacuum()
    Petition.objects.update(flag="yellow")  # as the sweep does: the pages it touches lose their mark
    assert petitions_vacuum_task.apply().get() is True
    pages, visible = _pages()
    assert pages > 1 and visible == pages


@pytest.mark.django_db(transaction=True)  # VACUUM runs outside any transaction
def test_the_vacuum_runs_on_postgresql_and_is_a_no_op_elsewhere():
    assert petitions_vacuum() is (connection.vendor == "postgresql")


def _vacuums() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = %s", [Petition._meta.db_table])
        return cursor.fetchone()[0]


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_sweep_that_changed_many_flags_has_the_table_vacuumed_at_once(settings):
    from datetime import timedelta

    from django.utils import timezone

    from assessment.services import sla_sweep
    from config.celery_app import app

    now = timezone.now()
    PetitionFactory.create_batch(40, status="submitted", submitted_at=now - timedelta(days=30),
                                 due_at=now - timedelta(days=20))
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # a queued VACUUM runs here, as a worker would run it
    try:
        settings.SLA_SWEEP_VACUUM_AFTER = 41
        before = _vacuums()
        assert sla_sweep(now=now)["red"] == 40
        assert _vacuums() == before  # 40 changes: below the threshold, beat's quarter-hourly VACUUM will do
        Petition.objects.update(flag="blue")
        settings.SLA_SWEEP_VACUUM_AFTER = 40
        assert sla_sweep(now=now)["red"] == 40
        assert _vacuums() == before + 1
    finally:
        app.conf.task_always_eager = eager
