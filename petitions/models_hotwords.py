"""Data of hot words (热词): the terms extracted per petition, the ranked snapshots, and staff curation.

Kept apart from models.py along the seam the domain has; petitions/models.py imports this module.
"""
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PetitionWord(models.Model):
    """One distinct term of one petition, as extraction found it (the raw term, before synonyms are merged).

    Sector, county and township are copied from the petition so that every scope's counts are one
    grouped query on this table, never a join over all petitions.
    """

    # A derived, re-derivable table written in bulk: no foreign-key constraints or single-column indexes
    # to maintain per row (the full refresh writes over a million rows); the ORM still cascades deletes.
    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="words", db_constraint=False, db_index=False)
    term = models.CharField(_("term"), max_length=32)
    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    county = models.ForeignKey("offices.Region", verbose_name=_("county/district"), null=True, blank=True,
                               on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    township = models.ForeignKey("offices.Region", verbose_name=_("township"), null=True, blank=True,
                                 on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    at = models.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("petition word")
        verbose_name_plural = _("petition words")
        constraints = [models.UniqueConstraint(fields=["petition", "term"], name="petition_word_unique")]
        # Routing counts a petition's similar petitions (hotwords/similar.py: one township and sector, its terms,
        # the last days) for every petition it routes: on (term, at) alone that read every petition of the city
        # with the term in the span (10 ms and growing with the city at a few hundred per term and week).
        indexes = [models.Index(fields=["at"]), models.Index(fields=["term", "at"]),
                   models.Index(fields=["township", "sector", "term", "at"], condition=Q(township__isnull=False),
                                name="petition_word_similar")]

    def __str__(self):
        return self.term


class HotWordWindow(models.TextChoices):
    DAY = "24h", _("last 24 hours")
    WEEK = "7d", _("last 7 days")
    MONTH = "30d", _("last 30 days")


class HotWordScope(models.TextChoices):
    CITY = "city", _("city")
    COUNTY = "county", _("county/district")
    SECTOR = "sector", _("sector")


class HotWord(models.Model):
    """One ranked hot word of one refresh, for one window and one scope. Replaced wholesale by each refresh."""

    window = models.CharField(_("window"), max_length=4, choices=HotWordWindow.choices)
    scope = models.CharField(_("scope"), max_length=8, choices=HotWordScope.choices)
    region = models.ForeignKey("offices.Region", verbose_name=_("county/district"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey("offices.Sector", verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    term = models.CharField(_("term"), max_length=32)
    rank = models.PositiveSmallIntegerField(_("rank"))
    count = models.PositiveIntegerField(_("petitions"))
    total = models.PositiveIntegerField(_("petitions in the window"))
    background_count = models.PositiveIntegerField(_("petitions in the background"))
    background_total = models.PositiveIntegerField(_("background petitions"))
    rise = models.FloatField(_("rise against the background"))
    score = models.FloatField(_("log-likelihood score"))
    sectors = models.JSONField(_("sectors"), default=list, blank=True)  # sector ids, most petitions first
    blocked = models.BooleanField(_("hidden from the public"), default=False)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        ordering = ["window", "scope", "region_id", "sector_id", "rank"]
        verbose_name = _("hot word")
        verbose_name_plural = _("hot words")
        constraints = [
            models.UniqueConstraint(fields=["window", "scope", "region", "sector", "term"],
                                    name="hot_word_unique_per_scope"),
            models.CheckConstraint(condition=Q(scope="city", region__isnull=True, sector__isnull=True)
                                   | Q(scope="county", region__isnull=False, sector__isnull=True)
                                   | Q(scope="sector", region__isnull=True, sector__isnull=False),
                                   name="hot_word_scope_consistent"),
        ]
        indexes = [models.Index(fields=["window", "scope", "region", "sector", "rank"])]

    def __str__(self):
        return f"{self.term} ({self.count})"


class HotWordTerm(models.Model):
    """Staff curation of hot words; applied on the next refresh.

    add: a term the segmenter must keep whole (a place, an institution, a new scheme);
    block: never shown on public pages (still visible to staff);
    merge: counted as `canonical` (synonyms and variants).
    """

    class Action(models.TextChoices):
        ADD = "add", _("add to the dictionary")
        BLOCK = "block", _("hide from public display")
        MERGE = "merge", _("merge into another term")

    term = models.CharField(_("term"), max_length=32, unique=True)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    canonical = models.CharField(_("merge into"), max_length=32, blank=True,
                                 help_text=_("Only for merge: the term this one is counted as."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["action", "term"]
        verbose_name = _("hot word curation")
        verbose_name_plural = _("hot word curation")
        constraints = [
            models.CheckConstraint(condition=~Q(term=""), name="hot_word_term_not_empty"),
            models.CheckConstraint(
                condition=Q(action="merge", canonical__gt="") | (~Q(action="merge") & Q(canonical="")),
                name="hot_word_term_merge_has_canonical"),
        ]

    def __str__(self):
        return self.term

    def clean(self):
        from django.core.exceptions import ValidationError

        self.term = (self.term or "").strip()
        self.canonical = (self.canonical or "").strip() if self.action == self.Action.MERGE else ""
        if self.action == self.Action.MERGE and not self.canonical:
            raise ValidationError({"canonical": _("Say which term this one is merged into.")})
        if self.action == self.Action.MERGE and self.canonical == self.term:
            raise ValidationError({"canonical": _("A term cannot be merged into itself.")})


class HotWordState(models.Model):
    """The refresh's bookmark (one row): the last petition extracted, and the curation it was extracted with."""

    last_petition_id = models.BigIntegerField(default=0)
    curation_stamp = models.CharField(max_length=64, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hot word refresh state")
        verbose_name_plural = _("hot word refresh state")
