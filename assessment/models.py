from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offices.choices import Flag, Loop


class SlaPolicy(models.Model):
    """How many working days each stage may take, per loop and optionally per sector."""

    loop = models.PositiveSmallIntegerField(_("loop"), choices=Loop.choices)
    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="sla_policies",
                               help_text=_("Leave empty for the loop's default."))
    accept_days = models.PositiveSmallIntegerField(_("working days to accept"), default=1)
    resolve_days = models.PositiveSmallIntegerField(_("working days to resolve"))
    reply_days = models.PositiveSmallIntegerField(_("working days to answer"), default=1)
    yellow_share = models.DecimalField(_("yellow after share of the time"), max_digits=3, decimal_places=2,
                                       default=Decimal("0.75"),
                                       validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("0.99"))])

    class Meta:
        ordering = ["loop", "sector__position"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["loop", "sector"], name="sla_policy_unique_per_sector"),
            models.UniqueConstraint(fields=["loop"], condition=Q(sector__isnull=True), name="sla_policy_one_default"),
            models.CheckConstraint(condition=Q(yellow_share__gt=0) & Q(yellow_share__lt=1), name="sla_yellow_share_range"),
            models.CheckConstraint(condition=Q(resolve_days__gte=1), name="sla_resolve_days_positive"),
        ]

    def __str__(self):
        return f"{self.get_loop_display()} · {self.sector or _('default')}"


class WorkdayOverride(models.Model):
    """A local adjustment to the national holiday calendar: an extra holiday or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=128, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self):
        return f"{self.date} {'+' if self.is_workday else '-'}"


class FlagChange(models.Model):
    """The history of flags, read from the trail: a database view over the petitions' FLAG events.

    The sweep writes each change once, as the petition's FLAG event (petitions.PetitionEvent, data
    {"from", "to", "stage"}, note = the reason); this view gives the assessment its own reading of it
    (scorecards, the drill-down, the API's /flags, the back office). Writing the same change to a
    second table cost the first sweep after a bulk load a quarter of its time (docs/assessment.md).
    Only petitions change colour today; `representative` and `studio` are the subjects a later
    colour of people and studios would have, and are empty. Read only: nothing deletes through it
    (the trail is append-only), hence DO_NOTHING.
    """

    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), null=True, blank=True,
                                 on_delete=models.DO_NOTHING, related_name="flag_changes")
    representative = models.ForeignKey("liaison.Representative", verbose_name=_("representative"), null=True,
                                       blank=True, on_delete=models.DO_NOTHING, related_name="flag_changes")
    studio = models.ForeignKey("offices.Studio", verbose_name=_("studio"), null=True, blank=True,
                               on_delete=models.DO_NOTHING, related_name="flag_changes")
    from_flag = models.CharField(_("from"), max_length=8, choices=Flag.choices, blank=True)
    to_flag = models.CharField(_("to"), max_length=8, choices=Flag.choices)
    stage = models.CharField(_("stage"), max_length=16, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        managed = False  # a view (assessment/migrations/0008_flag_history_from_the_trail.py)
        ordering = ["-at"]
        verbose_name = _("flag change")
        verbose_name_plural = _("flag changes")

    def __str__(self):
        return f"{self.from_flag or '-'} → {self.to_flag}"


class RedCard(models.Model):
    """亮红牌: issued once per breach, with a rectification deadline (限期整改) and a reviewed record."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        SUBMITTED = "submitted", _("rectification submitted")
        CLOSED = "closed", _("rectified and closed")

    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="red_cards",
                                 db_index=False)  # led by the unique (petition, stage) index
    stage = models.CharField(_("stage breached"), max_length=16, blank=True)
    representative = models.ForeignKey("liaison.Representative", verbose_name=_("representative"), null=True,
                                       blank=True, on_delete=models.CASCADE, related_name="red_cards")
    studio = models.ForeignKey("offices.Studio", verbose_name=_("studio"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="red_cards",
                               db_index=False)  # led by the (studio, status) index
    reason = models.TextField(_("reason"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    rectify_by = models.DateTimeField(_("rectify by"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    rectification = models.TextField(_("rectification"), blank=True)
    rectified_at = models.DateTimeField(_("rectification submitted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("red card")
        verbose_name_plural = _("red cards")
        constraints = [
            # One red card per breach: a petition's stage is breached once, however often the sweep runs.
            models.UniqueConstraint(fields=["petition", "stage"], condition=Q(petition__isnull=False),
                                    name="red_card_once_per_breach"),
            models.CheckConstraint(condition=Q(representative__isnull=False) | Q(studio__isnull=False),
                                   name="red_card_has_holder"),
        ]
        indexes = [models.Index(fields=["status", "rectify_by"]), models.Index(fields=["studio", "status"])]

    def __str__(self):
        return f"{_('red card')} #{self.pk}"


class Scorecard(models.Model):
    """考核评价: a studio's or representative's figures and composite score for one period."""

    class Period(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")
        YEAR = "year", _("year")

    representative = models.ForeignKey("liaison.Representative", verbose_name=_("representative"), null=True,
                                       blank=True, on_delete=models.CASCADE, related_name="scorecards")
    studio = models.ForeignKey("offices.Studio", verbose_name=_("studio"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="scorecards")
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    period_start = models.DateField(_("period start"))
    received = models.PositiveIntegerField(_("received"), default=0)
    accepted_on_time = models.PositiveIntegerField(_("accepted on time"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("resolved on time"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied or basically satisfied"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)
    yellow = models.PositiveIntegerField(_("yellow flags"), default=0)
    red = models.PositiveIntegerField(_("red flags"), default=0)
    red_cards_open = models.PositiveIntegerField(_("red cards open"), default=0)
    red_cards_rectified = models.PositiveIntegerField(_("red cards rectified"), default=0)
    proposals = models.PositiveIntegerField(_("proposals"), default=0)
    research = models.PositiveIntegerField(_("research reports"), default=0)
    assignments = models.PositiveIntegerField(_("assignments completed"), default=0)
    assignments_overdue = models.PositiveIntegerField(_("assignments overdue"), default=0)
    activities = models.PositiveIntegerField(_("activities"), default=0)
    score = models.DecimalField(_("composite score"), max_digits=5, decimal_places=2, default=0)
    flag = models.CharField(_("rating"), max_length=8, choices=Flag.choices, default=Flag.BLUE)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        ordering = ["-period_start", "-score"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.CheckConstraint(condition=Q(representative__isnull=True) ^ Q(studio__isnull=True),
                                   name="scorecard_one_subject"),
            # Not partial: NULLs are distinct, so these hold for their own subject only, and plain
            # unique indexes let scorecards_compute() upsert with ON CONFLICT (partial ones cannot be inferred).
            models.UniqueConstraint(fields=["representative", "period", "period_start"], name="scorecard_unique_rep_period"),
            models.UniqueConstraint(fields=["studio", "period", "period_start"], name="scorecard_unique_studio_period"),
        ]
        indexes = [models.Index(fields=["period", "period_start", "-score"])]

    def __str__(self):
        return f"{self.representative or self.studio} · {self.period_start}"

    @property
    def response_rate(self):
        return self.accepted_on_time / self.received if self.received else None

    @property
    def resolution_rate(self):
        return self.resolved / self.received if self.received else None

    @property
    def satisfaction_rate(self):
        return self.satisfied / self.rated if self.rated else None


class SlaPause(models.Model):
    """One stretch a petition's clock stood still while it waited for the citizen (on hold).

    On resume the current stage's deadline is extended by the working time the pause used.
    """

    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="sla_pauses")
    stage = models.CharField(_("stage"), max_length=16, blank=True)
    started_at = models.DateTimeField(_("paused"))
    ended_at = models.DateTimeField(_("resumed"), null=True, blank=True)
    working_seconds = models.PositiveIntegerField(_("working seconds paused"), default=0)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("SLA pause")
        verbose_name_plural = _("SLA pauses")
        constraints = [
            models.UniqueConstraint(fields=["petition"], condition=Q(ended_at__isnull=True),
                                    name="sla_pause_one_open_per_petition"),
        ]

    def __str__(self):
        return f"{self.petition_id} {self.started_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """Something a user should see on the dashboard: a yellow-flag reminder, a red card, ..."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        RED_CARD = "red_card", _("red card")
        INFO = "info", _("information")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INFO)
    # `text` in the portal's default language (e-mail, the back office); `texts` the same in every language of
    # the portal, written when the notification is created (assessment.notices), so that each reader sees it
    # in the language they use, whoever triggered it and in whatever language.
    text = models.CharField(_("text"), max_length=255)
    texts = models.JSONField(_("text in each language"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self):
        return self.text

    @property
    def display_text(self) -> str:
        """The text in the language now active (the reader's), else the default language's."""
        from django.utils.translation import get_language

        return self.texts.get(get_language() or "", "") or self.text


class ScoreWeights(models.Model):
    """The composite score's weights and rating thresholds (one row, editable in the admin).

    score = 100 × Σ wᵢ·rateᵢ / Σ wᵢ (over the rates that have a denominator)
            − red_card_penalty × red cards issued − red_flag_penalty × red flags, clamped to 0–100.
    Rates: response (accepted on time / received), resolution (resolved on time / received),
    satisfaction ((satisfied + basically satisfied) / rated), duty (duty items / duty_target, at most 1).
    Rating: blue from `blue_from`, red below `red_below`, yellow between.
    """

    response_weight = models.DecimalField(_("weight: response rate"), max_digits=5, decimal_places=2, default=25)
    resolution_weight = models.DecimalField(_("weight: resolved on time"), max_digits=5, decimal_places=2, default=35)
    satisfaction_weight = models.DecimalField(_("weight: satisfaction"), max_digits=5, decimal_places=2, default=30)
    duty_weight = models.DecimalField(_("weight: duty work"), max_digits=5, decimal_places=2, default=10)
    duty_target = models.PositiveSmallIntegerField(_("duty items per period for full marks"), default=4)
    red_card_penalty = models.DecimalField(_("points off per red card"), max_digits=5, decimal_places=2, default=5)
    red_flag_penalty = models.DecimalField(_("points off per red flag"), max_digits=5, decimal_places=2, default=1)
    blue_from = models.DecimalField(_("blue from score"), max_digits=5, decimal_places=2, default=85)
    red_below = models.DecimalField(_("red below score"), max_digits=5, decimal_places=2, default=60)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("score weights")
        verbose_name_plural = _("score weights")
        constraints = [
            models.CheckConstraint(condition=Q(red_below__lte=models.F("blue_from")), name="score_weights_thresholds"),
        ]

    def __str__(self):
        return str(_("score weights"))

    @classmethod
    def current(cls) -> "ScoreWeights":
        return cls.objects.order_by("pk").first() or cls()


from .models_downloads import DownloadJob  # noqa: E402,F401
