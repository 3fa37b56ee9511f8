"""Reads of background downloads: only ever the owner's own jobs, and none past its expiry."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..models import DownloadJob

LISTED = 50


def downloads_root() -> Path:
    return Path(settings.DOWNLOADS_ROOT)


def download_job_for(user, job_id) -> DownloadJob | None:
    """The user's own job, or None (someone else's job and an expired one look the same: absent)."""
    if not user.is_authenticated:
        return None
    return DownloadJob.objects.filter(pk=job_id, owner=user, expires_at__gt=timezone.now()).first()


def download_jobs_for(user, *, limit: int = LISTED) -> list[DownloadJob]:
    """The user's jobs of the last day, newest first: one query."""
    return list(DownloadJob.objects.filter(owner=user, expires_at__gt=timezone.now())
                .order_by("-created_at")[:limit])


def download_file(job: DownloadJob) -> Path | None:
    """The finished file of a job, if it is still on disk (and inside the downloads folder)."""
    if job.status != DownloadJob.Status.DONE or not job.file_path:
        return None
    root = downloads_root().resolve()
    path = (root / job.file_path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path
