"""The beat tasks and commands call the same services."""
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from assessment.models import Scorecard
from assessment.tasks import scorecards_compute_task, sla_sweep_task
from tests.factories import StudioFactory

pytestmark = pytest.mark.django_db


def test_sla_sweep_task_runs_the_sweep():
    assert sla_sweep_task.apply().get()["batches"] == 0


def test_scorecards_task_and_command_recompute_a_past_period(capsys):
    studio = StudioFactory()
    scorecards_compute_task.apply(kwargs={"period": "quarter", "start": "2026-07-01"}).get()
    assert Scorecard.objects.filter(studio=studio, period="quarter", period_start=date(2026, 7, 1)).exists()
    call_command("scorecards_compute", "--period", "month", "--start", "2026-10-01")
    assert "studio=1" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("scorecards_compute", "--period", "year", "--start", "2026-10-01")


def test_scorecards_task_closes_the_previous_period(monkeypatch):
    from assessment import scorecards

    monkeypatch.setattr(scorecards, "period_start_for", lambda period, day=None: (
        date(2026, 10, 1) if day is None else date(day.year, (day.month - 1) // 3 * 3 + 1, 1)))
    StudioFactory()
    scorecards_compute_task.apply(kwargs={"period": "quarter", "previous": True}).get()
    assert Scorecard.objects.filter(period="quarter", period_start=date(2026, 7, 1)).exists()
