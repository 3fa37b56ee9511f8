"""Celery tasks of the assessment app: thin, idempotent, each calls one service."""
from celery import shared_task
from django.db import OperationalError


@shared_task(ignore_result=True)
def sla_sweep_task():
    """Every minute from beat. Two overlapping runs are safe (see services.sla_sweep)."""
    from .services import sla_sweep

    return sla_sweep()


@shared_task(ignore_result=True)
def scorecards_compute_task(period: str = "month", start: str | None = None, previous: bool = False):
    """Recompute one period's scorecards: the current one by default, the one before it with
    `previous=True` (run early on the first day, to close the period), or the one starting on `start`."""
    from datetime import date, timedelta

    from .scorecards import period_start_for, scorecards_compute

    if start:
        start_date = date.fromisoformat(start)
    else:
        start_date = period_start_for(period)
        if previous:
            start_date = period_start_for(period, start_date - timedelta(days=1))
    return scorecards_compute(period=period, start=start_date)


@shared_task(ignore_result=True)
def notifications_email_task():
    """Queued by the sweep when NOTIFICATIONS_BY_EMAIL is on; sends what is pending, in one go."""
    from .services import notifications_email

    return notifications_email()


@shared_task(bind=True, ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=2, retry_backoff_max=30,
             max_retries=3)
def download_job_run_task(self, job_id: str) -> str:
    """Build one background download (a report table, a county's posters). Safe to run twice: see
    downloads/services.py. A retry keeps the task id, so it takes over its own half-done run."""
    from .downloads.services import download_job_run

    return download_job_run(job_id=job_id, runner=self.request.id or "")


@shared_task(ignore_result=True)
def download_jobs_sweep_task() -> dict:
    """Beat: delete downloads a day old with their files, and queue again the ones that were lost."""
    from .downloads.services import download_jobs_sweep

    return download_jobs_sweep()
