"""Data of the three closed loops: the routing dictionary, joint consultations and the 12345 exchange.

Kept apart from models.py (the petition and its trail) along the seam the domain already has;
petitions/models.py imports everything here so Django and other apps find it in one place.
"""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SectorKeyword(models.Model):
    """One term of the routing dictionary: text containing it counts `weight` towards `sector`."""

    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), on_delete=models.CASCADE,
                               related_name="keywords")
    term = models.CharField(_("term"), max_length=32)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("1 for a word several sectors use, 3 for one that names the sector's business."))
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["sector__position", "-weight", "term"]
        verbose_name = _("routing keyword")
        verbose_name_plural = _("routing keywords")
        constraints = [
            models.UniqueConstraint(fields=["sector", "term"], name="sector_keyword_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=10),
                                   name="sector_keyword_weight_range"),
            models.CheckConstraint(condition=~Q(term=""), name="sector_keyword_term_not_empty"),
        ]

    def __str__(self):
        return f"{self.term} ({self.weight})"


class PetitionTerm(models.Model):
    """A routing dictionary term found in a petition at routing, pointing to the sector it was routed to.

    A record of why routing chose the sector. Similar petitions (loop 3) are counted on the hot words'
    PetitionWord instead (petitions/hotwords/similar.py), the same grouping the dashboard shows.
    """

    # Written by routing for every petition: only the indexes something reads. The petition's terms are
    # found through the unique (petition, term) index; the composite indexes of the former similar-petition
    # count are gone with it.
    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="terms", db_index=False)
    term = models.CharField(_("term"), max_length=32)
    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    township = models.ForeignKey("offices.Region", verbose_name=_("township"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("petition term")
        verbose_name_plural = _("petition terms")
        constraints = [models.UniqueConstraint(fields=["petition", "term"], name="petition_term_unique")]

    def __str__(self):
        return self.term


class ConsultationStatus(models.TextChoices):
    CONVENED = "convened", _("convened")
    HELD = "held", _("meeting held")
    ESCALATED = "escalated", _("escalated")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


OPEN_CONSULTATION = (ConsultationStatus.CONVENED, ConsultationStatus.HELD, ConsultationStatus.ESCALATED)


class JointConsultation(models.Model):
    """会商: loop 3, convened by the liaison agency of the petition's level with the departments involved."""

    class Reason(models.TextChoices):
        SEVERAL_DEPARTMENTS = "several_departments", _("involves several departments")
        SYSTEMIC_SIMILAR = "systemic_similar", _("many similar petitions in one township")
        SYSTEMIC_STAFF = "systemic_staff", _("judged systemic by staff")

    class Escalation(models.TextChoices):
        NONE = "", _("not escalated")
        STANDING_COMMITTEE = "standing_committee", _("party committee's standing committee (常委会)")
        EXECUTIVE_MEETING = "executive_meeting", _("government executive meeting (政府常务会议)")

    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), on_delete=models.PROTECT,
                                 related_name="consultations")
    related_petitions = models.ManyToManyField("petitions.Petition", verbose_name=_("similar petitions"),
                                               blank=True, related_name="+")
    agency = models.ForeignKey("liaison.LiaisonAgency", verbose_name=_("convened by"), on_delete=models.PROTECT,
                               related_name="consultations")
    departments = models.ManyToManyField("offices.Department", verbose_name=_("participant departments"),
                                         blank=True, related_name="consultations")
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    # The cluster a systemic consultation is about, so later similar petitions join it.
    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    township = models.ForeignKey("offices.Region", verbose_name=_("township"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.CONVENED)
    meeting_at = models.DateTimeField(_("meeting time"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    escalated_to = models.CharField(_("escalated to"), max_length=24, choices=Escalation.choices, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalation_outcome = models.TextField(_("outcome of the escalation"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("convened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("joint consultation")
        verbose_name_plural = _("joint consultations")
        constraints = [
            models.UniqueConstraint(fields=["petition"], condition=Q(status__in=OPEN_CONSULTATION),
                                    name="consultation_one_open_per_petition",
                                    violation_error_message=_(
                                        "This petition already has an open joint consultation.")),
            models.CheckConstraint(condition=Q(escalated_to="") | Q(escalated_at__isnull=False),
                                   name="consultation_escalation_dated"),
        ]
        indexes = [models.Index(fields=["township", "sector", "status", "created_at"]),
                   models.Index(fields=["agency", "status"])]

    def __str__(self):
        return f"{self.petition} · {self.get_status_display()}"

    @property
    def is_open(self):
        return self.status in OPEN_CONSULTATION


class ConsultationDecision(models.Model):
    """One decision of a joint consultation: what, which department owns it, by when, done or not."""

    consultation = models.ForeignKey(JointConsultation, verbose_name=_("joint consultation"),
                                     on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner = models.ForeignKey("offices.Department", verbose_name=_("owner department"), on_delete=models.PROTECT,
                              related_name="consultation_decisions")
    due_on = models.DateField(_("due"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("consultation decision")
        verbose_name_plural = _("consultation decisions")
        constraints = [models.CheckConstraint(condition=Q(done=False) | Q(done_at__isnull=False),
                                              name="decision_done_dated")]
        indexes = [models.Index(fields=["owner", "done", "due_on"])]

    def __str__(self):
        return self.text[:40]


class HotlineStatus(models.TextChoices):
    """What the 12345 hotline reports back; RANK orders them so late arrivals never move backwards."""

    RECEIVED = "received", _("received by 12345")
    HANDLING = "handling", _("being handled by 12345")
    RESOLVED = "resolved", _("resolved by 12345")
    RETURNED = "returned", _("returned by 12345")


HOTLINE_RANK = {"": 0, HotlineStatus.RECEIVED: 1, HotlineStatus.HANDLING: 2,
                HotlineStatus.RESOLVED: 3, HotlineStatus.RETURNED: 3}


class HotlineDelivery(models.Model):
    """The outbox: one row per forwarding of a petition to 12345, delivered exactly once.

    The body is frozen when the petition is forwarded, so every retry sends the same bytes under the
    same idempotency key. Retries are scheduled here (next_attempt_at), not as broker countdowns.
    """

    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), on_delete=models.PROTECT,
                                 related_name="hotline_deliveries")
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True, editable=False)
    payload = models.JSONField(_("body"), default=dict)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    hotline_ref = models.CharField(_("12345 reference"), max_length=64, blank=True)
    hotline_status = models.CharField(_("12345 status"), max_length=16, choices=HotlineStatus.choices, blank=True)
    created_at = models.DateTimeField(_("forwarded"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("12345 delivery")
        verbose_name_plural = _("12345 deliveries")
        constraints = [
            models.UniqueConstraint(fields=["petition"],
                                    condition=Q(delivered_at__isnull=True, cancelled_at__isnull=True),
                                    name="hotline_one_pending_delivery_per_petition"),
        ]
        indexes = [
            # The outbox sweep reads only what is still waiting.
            models.Index(fields=["next_attempt_at"],
                         condition=Q(delivered_at__isnull=True, cancelled_at__isnull=True),
                         name="hotline_delivery_due"),
        ]

    def __str__(self):
        return self.idempotency_key

    @property
    def pending(self):
        return self.delivered_at is None and self.cancelled_at is None


class HotlineCallback(models.Model):
    """One status event the 12345 hotline posted back; its unique event id makes a replay change nothing."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        OUT_OF_ORDER = "out_of_order", _("ignored: older than what we know")
        IGNORED = "ignored", _("ignored: the petition has moved on")

    event_id = models.CharField(_("event id"), max_length=64, unique=True)
    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), on_delete=models.PROTECT,
                                 related_name="hotline_callbacks")
    delivery = models.ForeignKey(HotlineDelivery, verbose_name=_("delivery"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="callbacks")
    status = models.CharField(_("status"), max_length=16, choices=HotlineStatus.choices)
    answer = models.TextField(_("answer"), blank=True)
    occurred_at = models.DateTimeField(_("occurred"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    payload = models.JSONField(_("body"), default=dict)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("12345 callback")
        verbose_name_plural = _("12345 callbacks")
        indexes = [models.Index(fields=["petition", "received_at"])]

    def __str__(self):
        return f"{self.event_id} {self.status}"
