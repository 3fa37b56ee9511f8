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
