from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Level

code_validator = RegexValidator(r"^[a-z0-9][a-z0-9-]{1,31}$", _("Use 2 to 32 lower-case letters, digits and hyphens."))


class Sector(models.Model):
    """One of the ~10 service domains (领域) a studio and a department belong to."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    @staticmethod
    def name_for_language(name: str, name_en: str, language: str | None) -> str:
        """A sector's name as a reader of `language` sees it: the English name in English, where there is one."""
        return (name_en or name) if (language or "").startswith("en") else name


class Region(models.Model):
    """city > county/district > township > village, a tree kept with a materialised path."""

    class Kind(models.TextChoices):
        CITY = "city", _("city")
        COUNTY = "county", _("county/district")
        TOWNSHIP = "township", _("township/street")
        VILLAGE = "village", _("village/community")

    DEPTH = {Kind.CITY: 0, Kind.COUNTY: 1, Kind.TOWNSHIP: 2, Kind.VILLAGE: 3}

    code = models.CharField(_("administrative code"), max_length=16, unique=True,
                            validators=[RegexValidator(r"^\d{6,12}$", _("An administrative code is 6 to 12 digits."))])
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    # "/371500/371526/371526101/": subtree queries are one indexed prefix match, not a recursion.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="city") & Q(parent__isnull=True)) | (~Q(kind="city") & Q(parent__isnull=False)),
                name="region_only_city_is_root",
                violation_error_message=_("Only a city has no parent, and every other region has one."),
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def depth(self):
        return self.DEPTH[self.kind]

    def compute_path(self):
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"

    def clean(self):
        if self.parent_id:
            parent = self.parent
            # The parent's path lists all its ancestors: finding ourselves there is a cycle.
            if self.pk and (parent.pk == self.pk or f"/{self.code}/" in parent.path):
                raise ValidationError({"parent": _("A region cannot be inside itself.")})
            if self.DEPTH[parent.kind] + 1 != self.DEPTH.get(self.kind, -1):
                raise ValidationError({"parent": _("A %(kind)s must sit directly under the level above it.")
                                       % {"kind": self.get_kind_display()}})
        self.path = self.compute_path()


class Department(models.Model):
    """A government unit responsible for a sector (行业主管部门 / 责任单位) at city or county level."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=128)
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="departments")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments")
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__path", "sector__position", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]
        indexes = [models.Index(fields=["sector", "region"])]

    def __str__(self):
        return self.name


class Studio(models.Model):
    """A representative studio: an industry studio of a sector, or a township studio."""

    class Kind(models.TextChoices):
        INDUSTRY = "industry", _("industry studio")
        TOWNSHIP = "township", _("township 'two representatives, one member' studio")

    code = models.CharField(_("public code"), max_length=32, unique=True, validators=[code_validator],
                            help_text=_("Part of the studio's public address /s/<code>/ that its QR code opens."))
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    sector = models.ForeignKey(Sector, verbose_name=_("main sector"), on_delete=models.PROTECT, related_name="studios")
    sectors = models.ManyToManyField(Sector, verbose_name=_("also covers"), blank=True, related_name="covering_studios")
    host_department = models.ForeignKey(Department, verbose_name=_("host department"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="studios")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="studios")
    lead = models.ForeignKey("liaison.Representative", verbose_name=_("lead representative"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="led_studios")
    members = models.ManyToManyField("liaison.Representative", through="StudioMembership",
                                     verbose_name=_("members"), related_name="studios")
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=128, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["region__path", "kind", "sector__position", "name"]
        verbose_name = _("studio")
        verbose_name_plural = _("studios")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="township") | Q(host_department__isnull=False),
                name="studio_industry_has_host_department",
                violation_error_message=_("An industry studio is hosted by a department."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="township") | Q(level="township"),
                name="studio_township_kind_at_township_level",
                violation_error_message=_("A township studio is at township level."),
            ),
        ]
        indexes = [models.Index(fields=["sector", "level", "active"]), models.Index(fields=["region", "kind"])]

    def __str__(self):
        return self.name


class StudioMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        ADMIN = "admin", _("studio admin")

    studio = models.ForeignKey(Studio, verbose_name=_("studio"), on_delete=models.CASCADE, related_name="memberships")
    representative = models.ForeignKey("liaison.Representative", verbose_name=_("representative"),
                                       on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined"), default=timezone.localdate)

    class Meta:
        verbose_name = _("studio membership")
        verbose_name_plural = _("studio memberships")
        constraints = [models.UniqueConstraint(fields=["studio", "representative"], name="membership_unique")]
        indexes = [models.Index(fields=["representative", "studio"])]

    def __str__(self):
        return f"{self.studio} · {self.representative}"


class StudioActivity(models.Model):
    """Something a studio did: training, outreach, a visit, a reception day."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", _("reception day")
        VISIT = "visit", _("field visit")
        TRAINING = "training", _("training")
        OUTREACH = "outreach", _("outreach")
        MEETING = "meeting", _("meeting")
        OTHER = "other", _("other")

    studio = models.ForeignKey(Studio, verbose_name=_("studio"), on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    description = models.TextField(_("description"), blank=True)
    representatives = models.ManyToManyField("liaison.Representative", verbose_name=_("representatives"), blank=True,
                                             related_name="activities")
    recorded_by = models.ForeignKey("auth.User", verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("studio activity")
        verbose_name_plural = _("studio activities")
        indexes = [models.Index(fields=["studio", "-held_on"])]

    def __str__(self):
        return self.title


class StudioOutcome(models.Model):
    """A measured result of a studio's work, as a number with a unit (loans issued, households served, ...)."""

    class Metric(models.TextChoices):
        LOANS_YUAN = "loans_yuan", _("loans issued (yuan)")
        HOUSEHOLDS = "households", _("households served")
        PEOPLE_TRAINED = "people_trained", _("people trained")
        JOBS = "jobs", _("jobs filled")
        LOSSES_AVOIDED_YUAN = "losses_avoided_yuan", _("losses avoided (yuan)")
        AREA_MU = "area_mu", _("farmland protected (mu)")
        FRAUD_STOPPED_YUAN = "fraud_stopped_yuan", _("fraud losses stopped (yuan)")
        OTHER = "other", _("other")

    studio = models.ForeignKey(Studio, verbose_name=_("studio"), on_delete=models.CASCADE, related_name="outcomes")
    activity = models.ForeignKey(StudioActivity, verbose_name=_("activity"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="outcomes")
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    achieved_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["-achieved_on", "-id"]
        verbose_name = _("studio outcome")
        verbose_name_plural = _("studio outcomes")
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="outcome_value_not_negative")]
        indexes = [models.Index(fields=["studio", "metric", "achieved_on"])]

    def __str__(self):
        return f"{self.get_metric_display()}: {self.value}"


from .models_api import ApiKey  # noqa: E402,F401
