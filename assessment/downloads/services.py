"""Writes of background downloads: start a job, run it (the Celery task), sweep old and lost ones.

Late acknowledgement (config/settings: CELERY_TASK_ACKS_LATE) means a run can be delivered twice, or
again after its worker died halfway. So a run first *takes* the job under a row lock, which bumps
`attempt`; every progress write and the final one are conditional on that attempt still being the
row's, so an older run that wakes up finds nothing to update and stops, and two runs never both
finish. A job already done or failed is left alone. The file is written beside its final name and
moved into place in one rename: a reader never sees half a file.
"""
from __future__ import annotations

import logging
import os
import shutil
import uuid
from datetime import datetime, timedelta
from typing import Mapping

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from ..models import DownloadJob
from .kinds import KINDS, DownloadRefused
from .selectors import downloads_root

logger = logging.getLogger(__name__)

KEEP = timedelta(days=1)  # a job and its file are deleted a day after they were asked for
STALE = timedelta(minutes=5)  # queued and not started, or running without progress, for this long: queue again
MAX_ATTEMPTS = 3
MAX_ACTIVE_PER_USER = 5
PROGRESS_STEPS = 50  # progress is written about every 2% of the rows or posters (every one when fewer)

S = DownloadJob.Status


class Superseded(Exception):
    """Another run took the job (late acks delivered it again), or the job was deleted: stop quietly."""


def _queue(job_id) -> None:
    """Hand the job to a worker. A dead broker must not fail the page: the job is stored, and the sweep
    queues it again."""
    try:
        from ..tasks import download_job_run_task

        download_job_run_task.delay(str(job_id))
    except Exception:  # kombu raises several unrelated types for a dead broker
        logger.warning("broker unavailable; download %s waits for the sweep", job_id, exc_info=True)


def download_job_start(*, user, kind: str, data: Mapping[str, str], language: str | None = None) -> DownloadJob:
    """Check what the page sent and queue the job after commit; bad input raises DownloadRefused and
    queues nothing. The same request again while the first is still being built returns the first."""
    spec = KINDS.get(kind)
    if spec is None:
        raise DownloadRefused(_("Unknown download."))
    cleaned = spec.clean(user=user, data=data)
    now = timezone.now()
    with transaction.atomic():
        active = list(DownloadJob.objects.filter(owner=user, status__in=(S.QUEUED, S.RUNNING), expires_at__gt=now)
                      .order_by("-created_at")[:MAX_ACTIVE_PER_USER])
        for job in active:
            if job.kind == kind and job.params == cleaned.params:
                return job
        if len(active) >= MAX_ACTIVE_PER_USER:
            raise DownloadRefused(_("You already have %(count)s downloads being prepared; wait until one is "
                                    "ready.") % {"count": len(active)})
        job = DownloadJob(owner=user, kind=kind, params=cleaned.params, title=cleaned.title[:255],
                          language=language or translation.get_language() or settings.LANGUAGE_CODE,
                          created_at=now, queued_at=now, expires_at=now + KEEP)
        job.full_clean()
        job.save(force_insert=True)
        transaction.on_commit(lambda: _queue(job.pk))
    return job


# --- running ---------------------------------------------------------------------------------------

class _Progress:
    """Writes done/total on the job row, at most PROGRESS_STEPS times, and only while the run still owns it."""

    def __init__(self, job: DownloadJob):
        self.job_id, self.attempt = job.pk, job.attempt
        self.done = self.written = 0
        self.total: int | None = None
        self.every = 1

    def start(self, total: int | None) -> None:
        self.total = total
        self.every = max(1, (total or 0) // PROGRESS_STEPS)
        self._write(total=total)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.done - self.written >= self.every:
            self._write()

    def _write(self, **fields) -> None:
        done = self.done if self.total is None else min(self.done, self.total)
        updated = (DownloadJob.objects.filter(pk=self.job_id, attempt=self.attempt, status=S.RUNNING)
                   .update(done=done, heartbeat_at=timezone.now(), **fields))
        if not updated:
            raise Superseded
        self.written = self.done


@transaction.atomic
def _take(job_id, runner: str) -> DownloadJob | None:
    """Take the job for this run, or None: finished, gone, or another live run has it."""
    job = DownloadJob.objects.select_for_update().filter(pk=job_id).first()
    now = timezone.now()
    if job is None or job.finished or job.expires_at <= now:
        return None
    if (job.status == S.RUNNING and job.runner != runner and job.heartbeat_at
            and job.heartbeat_at > now - STALE):
        return None  # a second delivery while the first run is alive and writing progress
    if job.attempt >= MAX_ATTEMPTS:
        with translation.override(job.language):
            job.error = _("The file could not be made after several tries. Tell the administrator.")
        job.status, job.finished_at = S.FAILED, now
        job.save(update_fields=["status", "error", "finished_at"])
        return None
    job.status, job.attempt, job.runner = S.RUNNING, job.attempt + 1, runner[:64]
    job.started_at = job.heartbeat_at = now
    job.done, job.total = 0, None
    job.save(update_fields=["status", "attempt", "runner", "started_at", "heartbeat_at", "done", "total"])
    return job


def _fail(job: DownloadJob, message: str) -> None:
    DownloadJob.objects.filter(pk=job.pk, attempt=job.attempt, status=S.RUNNING).update(
        status=S.FAILED, error=message[:500], finished_at=timezone.now())


def download_job_run(*, job_id, runner: str = "") -> str:
    """Build the job's file (the Celery task calls this). Safe to run twice; returns what happened."""
    job = _take(job_id, runner or uuid.uuid4().hex)
    if job is None:
        return "skipped"
    spec = KINDS[job.kind]
    folder = downloads_root() / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".part-{job.attempt}"
    progress = _Progress(job)
    try:
        with translation.override(job.language), open(part, "wb") as out:
            name = spec.build(job.params, out, progress)
        name = get_valid_filename(name)
        final = folder / name
        os.replace(part, final)
        now = timezone.now()
        finished = DownloadJob.objects.filter(pk=job.pk, attempt=job.attempt, status=S.RUNNING).update(
            status=S.DONE, done=progress.done, total=progress.done, file_path=f"{job.pk}/{name}", filename=name,
            size=final.stat().st_size, error="", finished_at=now, heartbeat_at=now)
        return "done" if finished else "superseded"
    except Superseded:
        return "superseded"
    except DownloadRefused as refused:  # the parameters no longer hold (a region or scorecard is gone)
        _fail(job, " ".join(refused.messages))
        return "failed"
    except OperationalError:
        raise  # the database is away: the task retries, and the next attempt takes the job over
    except Exception:
        logger.exception("download %s (%s) failed", job.pk, job.kind)
        with translation.override(job.language):
            _fail(job, _("The file could not be made. Try again; if it fails again, tell the administrator."))
        return "failed"
    finally:
        part.unlink(missing_ok=True)


# --- sweeping --------------------------------------------------------------------------------------

def download_jobs_sweep(*, now: datetime | None = None, batch: int = 2000) -> dict[str, int]:
    """Beat: delete jobs (and their files) a day old, folders no job owns any more, and queue again the
    jobs that were lost (queued while the broker was down; their worker died while running)."""
    now = now or timezone.now()
    root = downloads_root()
    expired = [str(pk) for pk in DownloadJob.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[:batch]]
    if expired:
        DownloadJob.objects.filter(pk__in=expired).delete()
        for pk in expired:
            shutil.rmtree(root / pk, ignore_errors=True)
    orphans = 0
    if root.is_dir():
        old = (now - timedelta(hours=1)).timestamp()
        folders = {p.name: p for p in root.iterdir() if p.is_dir() and p.stat().st_mtime < old}
        if folders:
            valid = []
            for name in folders:
                try:
                    valid.append(uuid.UUID(name))
                except ValueError:
                    pass
            alive = {str(pk) for pk in DownloadJob.objects.filter(pk__in=valid).values_list("pk", flat=True)}
            for name, path in folders.items():
                if name not in alive:
                    shutil.rmtree(path, ignore_errors=True)
                    orphans += 1
    lost = list(DownloadJob.objects.filter(
        Q(status=S.QUEUED, queued_at__lte=now - STALE) | Q(status=S.RUNNING, heartbeat_at__lte=now - STALE),
        expires_at__gt=now).values_list("pk", flat=True)[:batch])
    if lost:
        DownloadJob.objects.filter(pk__in=lost).update(queued_at=now)
        for pk in lost:
            _queue(pk)
    return {"expired": len(expired), "orphans": orphans, "requeued": len(lost)}
