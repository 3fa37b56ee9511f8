from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.private_media import PrivateImageField
from offices.choices import Flag, Loop


class Status(models.TextChoices):
    """The petition's place in 受理 · 分转 · 办结 · 反馈 · 评价. Only petitions/workflow.py moves it."""

    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("not accepted")
    DISPATCHED = "dispatched", _("being handled")
    ON_HOLD = "on_hold", _("waiting for the citizen")
    RESOLVED = "resolved", _("resolved")
    REPLIED = "replied", _("answered")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.ON_HOLD, Status.RESOLVED)
# Counted as 办结 (resolved) on the public counters: the handling is done.
DONE_STATUSES = (Status.RESOLVED, Status.REPLIED, Status.CLOSED)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY_SATISFIED = "basic", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")
    NOT_RATED = "not_rated", _("not rated")


class Source(models.TextChoices):
    QR = "qr", _("studio QR code")
    WEB = "web", _("web")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    HOTLINE = "hotline", _("12345 hotline")
    VISIT = "visit", _("walk-in")


class Petition(models.Model):
    """诉求: one citizen request, the ticket that travels through the three closed loops."""

    tracking_code = models.CharField(_("tracking code"), max_length=10, unique=True, editable=False)
    # 首接负责: the studio that received it stays responsible until it is closed.
    studio = models.ForeignKey("offices.Studio", verbose_name=_("received at"), on_delete=models.PROTECT,
                               related_name="petitions", db_index=False)
    category = models.ForeignKey("offices.Sector", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text=_("The sector the citizen chose."))
    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="petitions", db_index=False,
                               help_text=_("The sector routing settled on."))
    region = models.ForeignKey("offices.Region", verbose_name=_("region concerned"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="petitions", db_index=False)
    current_studio = models.ForeignKey("offices.Studio", verbose_name=_("handling studio"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="handled_petitions",
                                       db_index=False)
    current_department = models.ForeignKey("offices.Department", verbose_name=_("handling department"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="handled_petitions",
                                           db_index=False)
    current_representative = models.ForeignKey("liaison.Representative", verbose_name=_("handling representative"),
                                               null=True, blank=True, on_delete=models.SET_NULL,
                                               related_name="handled_petitions", db_index=False)
    loop = models.PositiveSmallIntegerField(_("loop"), choices=Loop.choices, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    flag = models.CharField(_("flag"), max_length=8, choices=Flag.choices, default=Flag.BLUE)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.QR)

    text = models.TextField(_("description"))
    citizen_name = models.CharField(_("name"), max_length=64, blank=True)
    citizen_phone = models.CharField(_("mobile"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, null=True, blank=True, unique=True,
                                       editable=False)

    answer = models.TextField(_("answer"), blank=True)
    reject_reason = models.TextField(_("reason not accepted"), blank=True)
    hold_reason = models.CharField(_("waiting for"), max_length=255, blank=True)
    held_from = models.CharField(_("status before waiting"), max_length=16, choices=Status.choices, blank=True,
                                 editable=False)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    replied_at = models.DateTimeField(_("answered"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    due_at = models.DateTimeField(_("current stage due"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        constraints = [
            models.CheckConstraint(condition=Q(loop__isnull=True) | Q(loop__in=[1, 2, 3]), name="petition_loop_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="petition_status_valid"),
            models.CheckConstraint(condition=Q(flag__in=Flag.values), name="petition_flag_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="petition_text_not_empty"),
        ]
        # Foreign keys that lead a composite index below carry no index of their own (db_index=False):
        # every index is written on every INSERT and on every UPDATE that cannot be HOT. The flag is in
        # no index on purpose: the SLA sweep rewrites it on thousands of rows at once, and a column in
        # no index lets PostgreSQL update it in place (HOT, with the table's fillfactor leaving room),
        # without touching the indexes at all. Counts by flag read the open rows via (status, due_at).
        indexes = [
            models.Index(fields=["current_studio", "status"]),
            models.Index(fields=["studio", "status"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["region", "submitted_at"]),
            models.Index(fields=["sector", "submitted_at"]),
            # Covering: the overview's trend (petitions per day, sector and status, a year of them) is read
            # from this index alone, without the table's pages (an index-only scan).
            models.Index(fields=["submitted_at"], include=["sector", "status", "region", "studio"],
                         name="petition_submitted_cover"),
            # A studio's latest petition update (the operation report's "last active"): one probe per studio.
            models.Index(fields=["current_studio", "updated_at"], name="petition_studio_updated"),
            models.Index(fields=["current_representative", "status"]),
            models.Index(fields=["current_department", "status"]),
            # Routing counts each member's open load (the least loaded gets the petition): only open rows.
            models.Index(fields=["current_representative"], condition=Q(status__in=OPEN_STATUSES),
                         name="petition_open_by_rep"),
            # The "never routed" sweep reads only the few petitions still waiting for routing.
            models.Index(fields=["id"], condition=Q(routed_at__isnull=True), name="petition_unrouted"),
        ]

    def __str__(self):
        return self.tracking_code

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class PetitionPhoto(models.Model):
    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE, related_name="photos")
    # Personal data: `.url` is the access-checked view, never a public /media/ path (config/private_media.py).
    image = PrivateImageField(_("photo"), upload_to="petitions/%Y/%m/", width_field="width", height_field="height",
                              url_name="dashboard:petition_photo")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.image.name


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("The trail is append-only: its events cannot be changed."))

    def delete(self):
        raise ValidationError(_("The trail is append-only: its events cannot be deleted."))


class PetitionEvent(models.Model):
    """One step on a petition's append-only trail: who, when, from, to, why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("submitted")
        ROUTE = "route", _("routing suggested")
        ACCEPT = "accept", _("accepted")
        REJECT = "reject", _("not accepted")
        DISPATCH = "dispatch", _("dispatched")
        TRANSFER = "transfer", _("transferred")
        RETURN = "return", _("returned")
        CONSULT = "consult", _("joint consultation")
        HOTLINE = "hotline", _("12345 hotline")
        HOLD = "hold", _("waiting for the citizen")
        RESUME = "resume", _("resumed")
        RESOLVE = "resolve", _("resolved")
        REPLY = "reply", _("answered")
        RATE = "rate", _("rated")
        REOPEN = "reopen", _("reopened")
        CLOSE = "close", _("closed")
        NOTE = "note", _("internal note")
        FLAG = "flag", _("flag changed")
        OVERRIDE = "override", _("routing overridden")

    # Indexed by (petition, at) below.
    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="events",
                                 db_index=False)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    # Who acted when it was not a user: "system", "citizen", "12345".
    actor_label = models.CharField(_("by (label)"), max_length=64, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    loop = models.PositiveSmallIntegerField(_("loop"), choices=Loop.choices, null=True, blank=True)
    studio = models.ForeignKey("offices.Studio", verbose_name=_("studio"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("offices.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown to the citizen"), default=False)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        indexes = [models.Index(fields=["petition", "at"]), models.Index(fields=["action", "at"])]

    def __str__(self):
        return f"{self.petition_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("The trail is append-only: its events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The trail is append-only: its events cannot be deleted."))


# The loops' own data (routing dictionary, consultations, 12345 outbox) lives in its own module.
from .models_loops import (  # noqa: E402,F401
    HOTLINE_RANK, OPEN_CONSULTATION, ConsultationDecision, ConsultationStatus, HotlineCallback, HotlineDelivery,
    HotlineStatus, JointConsultation, PetitionTerm, SectorKeyword,
)
from .models_hotwords import HotWord, HotWordScope, HotWordState, HotWordTerm, HotWordWindow, PetitionWord  # noqa: E402,F401
