"""Background downloads: a report table exported as XLSX/CSV, or a county's posters as one zip.

A worker builds the file (assessment/downloads/services.py) and writes its progress on the row; the
owner's page polls the row and, when it is done, downloads the file. Rows and files live a day.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class DownloadJob(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("report table")
        POSTERS = "posters", _("studio posters")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("download status", "queued")
        RUNNING = "running", pgettext_lazy("download status", "running")
        DONE = "done", pgettext_lazy("download status", "done")
        FAILED = "failed", pgettext_lazy("download status", "failed")

    FINISHED = (Status.DONE, Status.FAILED)

    # Not a counter: the address of a job's status page and file says nothing about other jobs.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="download_jobs")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=255)
    language = models.CharField(_("language"), max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(pgettext_lazy("download progress", "done so far"), default=0)
    total = models.PositiveIntegerField(pgettext_lazy("download progress", "total"), null=True, blank=True)
    # Each run that takes the job counts one; a run whose number is no longer the row's stops (late acks).
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    runner = models.CharField(_("runner"), max_length=64, blank=True)
    file_path = models.CharField(_("file"), max_length=255, blank=True)
    filename = models.CharField(_("file name"), max_length=128, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"))
    queued_at = models.DateTimeField(_("queued"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        indexes = [models.Index(fields=["owner", "-created_at"], name="download_owner_created"),
                   models.Index(fields=["expires_at"], name="download_expires"),
                   models.Index(fields=["status", "queued_at"], name="download_status_queued")]
        constraints = [
            models.CheckConstraint(condition=Q(total__isnull=True) | Q(done__lte=F("total")),
                                   name="download_done_within_total"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file_path=""), name="download_done_has_file"),
        ]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
