from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.private_media import PrivateFileField
from offices.choices import Level


class LiaisonAgency(models.Model):
    """党代表联络工作机构: the liaison office of one level; convenes joint consultations."""

    name = models.CharField(_("name"), max_length=128)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    region = models.OneToOneField("offices.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                                  related_name="liaison_agency")
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        ordering = ["region__path"]
        verbose_name = _("liaison agency")
        verbose_name_plural = _("liaison agencies")

    def __str__(self):
        return self.name


class Representative(models.Model):
    """党代表: a party representative with a level, sectors of expertise and studio memberships."""

    class Gender(models.TextChoices):
        FEMALE = "f", _("female")
        MALE = "m", _("male")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="representative")
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    region = models.ForeignKey("offices.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="representatives")
    sectors = models.ManyToManyField("offices.Sector", verbose_name=_("sectors of expertise"), blank=True,
                                     related_name="representatives")
    work_unit = models.CharField(_("work unit and post"), max_length=128, blank=True)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["region__path", "name", "id"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        indexes = [models.Index(fields=["level", "active"]), models.Index(fields=["name"])]

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    """What a staff account works for: a studio, a department, a liaison agency or the organisation department."""

    class Role(models.TextChoices):
        STUDIO = "studio", _("studio staff")
        DEPARTMENT = "department", _("department staff")
        LIAISON = "liaison", _("liaison agency staff")
        ORGANISATION = "organisation", _("organisation department")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.CASCADE,
                                related_name="staff_profile")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    studio = models.ForeignKey("offices.Studio", verbose_name=_("studio"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="staff")
    department = models.ForeignKey("offices.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="staff")
    agency = models.ForeignKey(LiaisonAgency, verbose_name=_("liaison agency"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="staff")
    region = models.ForeignKey("offices.Region", verbose_name=_("region overseen"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="studio", studio__isnull=False) | Q(role="department", department__isnull=False)
                           | Q(role="liaison", agency__isnull=False) | Q(role="organisation")),
                name="staff_profile_role_has_its_unit",
                violation_error_message=_("Studio, department and liaison staff name the unit they work for."),
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class Proposal(models.Model):
    """提议 · 意见建议: a representative's formal proposal or suggestion, followed to an answer."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("proposal")
        SUGGESTION = "suggestion", _("suggestion")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        HANDED_OVER = "handed_over", _("handed to a department")
        ANSWERED = "answered", _("answered")
        DECLINED = "declined", _("not accepted")

    representative = models.ForeignKey(Representative, verbose_name=_("representative"), on_delete=models.PROTECT,
                                       related_name="proposals")
    co_signers = models.ManyToManyField(Representative, verbose_name=_("co-signers"), blank=True,
                                        related_name="co_signed_proposals")
    agency = models.ForeignKey(LiaisonAgency, verbose_name=_("liaison agency"), on_delete=models.PROTECT,
                               related_name="proposals")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SUGGESTION)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="proposals")
    attachment = PrivateFileField(_("attachment"), upload_to="proposals/%Y/%m/", blank=True,
                                  url_name="dashboard:proposal_attachment")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    department = models.ForeignKey("offices.Department", verbose_name=_("handling department"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="proposals")
    answer = models.TextField(_("answer"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("proposal or suggestion")
        verbose_name_plural = _("proposals and suggestions")
        indexes = [models.Index(fields=["status", "-submitted_at"]), models.Index(fields=["representative", "-submitted_at"])]

    def __str__(self):
        return self.title


class ResearchTopic(models.Model):
    """调研课题: a topic the liaison agency publishes for representatives to claim and report on."""

    class Status(models.TextChoices):
        OPEN = "open", _("open for claims")
        CLOSED = "closed", _("closed")

    agency = models.ForeignKey(LiaisonAgency, verbose_name=_("liaison agency"), on_delete=models.PROTECT,
                               related_name="research_topics")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="research_topics")
    max_claimants = models.PositiveSmallIntegerField(_("team size cap"), default=3)
    due_on = models.DateField(_("report due"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        constraints = [models.CheckConstraint(condition=Q(max_claimants__gte=1), name="topic_cap_positive")]

    def __str__(self):
        return self.title


class ResearchClaim(models.Model):
    class Status(models.TextChoices):
        CLAIMED = "claimed", _("claimed")
        SUBMITTED = "submitted", _("report submitted")
        ACCEPTED = "accepted", _("report accepted")
        RETURNED = "returned", _("returned for revision")

    topic = models.ForeignKey(ResearchTopic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="claims")
    representative = models.ForeignKey(Representative, verbose_name=_("representative"), on_delete=models.PROTECT,
                                       related_name="research_claims")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CLAIMED)
    report = models.TextField(_("report"), blank=True)
    report_file = PrivateFileField(_("report file"), upload_to="research/%Y/%m/", blank=True,
                                   url_name="dashboard:research_report_file")
    review = models.TextField(_("review"), blank=True)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    submitted_at = models.DateTimeField(_("report submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name = _("research claim")
        verbose_name_plural = _("research claims")
        constraints = [models.UniqueConstraint(fields=["topic", "representative"], name="claim_once_per_topic")]

    def __str__(self):
        return f"{self.topic} · {self.representative}"


class Assignment(models.Model):
    """分派任务: a task the liaison agency gives representatives or a studio, with a due date."""

    agency = models.ForeignKey(LiaisonAgency, verbose_name=_("liaison agency"), on_delete=models.PROTECT,
                               related_name="assignments")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    studio = models.ForeignKey("offices.Studio", verbose_name=_("studio"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="assignments")
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self):
        return self.title


class AssignmentReport(models.Model):
    """One assignee's part of an assignment: pending until they report completion with evidence."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("completed")

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE,
                                   related_name="reports")
    representative = models.ForeignKey(Representative, verbose_name=_("representative"), on_delete=models.PROTECT,
                                       related_name="assignment_reports")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = PrivateFileField(_("evidence file"), upload_to="assignments/%Y/%m/", blank=True,
                                     url_name="dashboard:assignment_evidence_file")
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment report")
        verbose_name_plural = _("assignment reports")
        constraints = [models.UniqueConstraint(fields=["assignment", "representative"], name="assignment_once_per_rep")]
        indexes = [models.Index(fields=["representative", "status"])]

    def __str__(self):
        return f"{self.assignment} · {self.representative}"


class Discussion(models.Model):
    """互动交流: a thread among representatives and staff, per studio or per research topic."""

    title = models.CharField(_("title"), max_length=200)
    studio = models.ForeignKey("offices.Studio", verbose_name=_("studio"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="discussions")
    topic = models.ForeignKey(ResearchTopic, verbose_name=_("research topic"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="discussions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last post"), default=timezone.now)

    class Meta:
        ordering = ["-last_post_at"]
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        indexes = [models.Index(fields=["studio", "-last_post_at"])]

    def __str__(self):
        return self.title


class DiscussionPost(models.Model):
    discussion = models.ForeignKey(Discussion, verbose_name=_("discussion"), on_delete=models.CASCADE,
                                   related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self):
        return self.body[:40]


class DutyRecord(models.Model):
    """履职记录: one thing a representative did, counted in assessment (履职可量化)."""

    class Kind(models.TextChoices):
        PETITION = "petition", _("petition handled")
        PROPOSAL = "proposal", _("proposal or suggestion")
        RESEARCH = "research", _("research report")
        ASSIGNMENT = "assignment", _("assignment completed")
        ACTIVITY = "activity", _("studio activity")
        DISCUSSION = "discussion", _("discussion post")
        CONSULTATION = "consultation", _("joint consultation")

    representative = models.ForeignKey(Representative, verbose_name=_("representative"), on_delete=models.CASCADE,
                                       related_name="duty_records")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # What the record counts, by model label and id, so that recording the same act twice is refused.
    source = models.CharField(_("source"), max_length=64)
    source_id = models.BigIntegerField(_("source id"))
    summary = models.CharField(_("summary"), max_length=255)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("duty record")
        verbose_name_plural = _("duty records")
        constraints = [models.UniqueConstraint(fields=["representative", "kind", "source", "source_id"],
                                               name="duty_record_once")]
        indexes = [models.Index(fields=["representative", "kind", "occurred_at"]),
                   # Who was active in a period (the team report): the period's records, read from the index alone.
                   models.Index(fields=["occurred_at", "representative"], name="duty_record_when_who")]

    def __str__(self):
        return self.summary


class PersonalDataAccess(models.Model):
    """One reading of a citizen's unmasked name and phone by an administrator or on the dashboard.

    Append-only: written by liaison.services_audit.personal_data_access_record(), never changed; the admin
    shows it read-only, so the organisation department can see who looked at whose contact and when.
    """

    class Where(models.TextChoices):
        ADMIN = "admin", _("back office")
        DASHBOARD = "dashboard", _("dashboard")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="personal_data_accesses")
    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), on_delete=models.PROTECT,
                                 related_name="personal_data_accesses")
    where = models.CharField(_("where"), max_length=16, choices=Where.choices)
    path = models.CharField(_("page"), max_length=255)
    accessed_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [models.Index(fields=["petition", "accessed_at"])]

    def __str__(self):
        return f"{self.user} · {self.petition_id} · {self.accessed_at:%Y-%m-%d %H:%M}"
