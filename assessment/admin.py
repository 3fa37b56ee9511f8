"""Back office for SLA policies, the working-day calendar, flags, red cards and scorecards.

Flag history and scorecards are computed by the sweep and the assessment services: they are shown
read-only here, so that a figure in a report is always one the services produced.
"""
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from petitions.admin import LargeTableMixin, TrackingCodeSearchMixin, flag_badge

from . import workdays
from .services import RedCardError, red_card_review
from .models import (
    DownloadJob,
    FlagChange,
    Notification,
    RedCard,
    Scorecard,
    ScoreWeights,
    SlaPause,
    SlaPolicy,
    WorkdayOverride,
)


class ComputedAdmin(admin.ModelAdmin):
    """Rows the services compute: viewable, never added or edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CalendarWarningMixin:
    """Warn on the pages where deadlines are configured while a year's holidays are unknown."""

    def changelist_view(self, request, extra_context=None):
        for year in workdays.years_without_calendar():
            messages.warning(request, _("The holiday calendar for %(year)s is not known yet: enter its holidays and "
                                        "make-up working days as overrides (until then Monday–Friday counts).")
                             % {"year": year})
        return super().changelist_view(request, extra_context)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("loop", "sector", "accept_days", "resolve_days", "reply_days", "yellow_share")
    list_filter = ("loop", "sector")
    list_select_related = ("sector",)
    search_fields = ("sector__name",)
    ordering = ("loop", "sector__position")


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    search_fields = ("note",)
    ordering = ("-date",)
    date_hierarchy = "date"


def _subject(obj):
    return obj.petition or obj.representative or obj.studio or "-"


@admin.register(FlagChange)
class FlagChangeAdmin(TrackingCodeSearchMixin, LargeTableMixin, ComputedAdmin):
    tracking_code_lookup = "petition__tracking_code"
    list_display = ("at", "subject", "from_flag", "to_flag_display", "stage", "reason")
    list_filter = ("to_flag", "from_flag", "stage")
    list_select_related = ("petition", "representative", "studio")
    search_fields = ("representative__name", "studio__name")
    search_help_text = _("A tracking code, or a representative's or studio's name.")
    ordering = ("-at",)
    date_hierarchy = "at"

    @admin.display(description=_("subject"))
    def subject(self, obj):
        return _subject(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a view of the append-only trail

    @admin.display(description=_("to"), ordering="to_flag")
    def to_flag_display(self, obj):
        return flag_badge(obj.to_flag, obj.get_to_flag_display())


@admin.register(RedCard)
class RedCardAdmin(TrackingCodeSearchMixin, admin.ModelAdmin):
    tracking_code_lookup = "petition__tracking_code"
    list_display = ("__str__", "holder", "petition", "stage", "status", "issued_at", "rectify_by", "overdue")
    list_filter = ("status", "stage")
    list_select_related = ("petition", "representative", "studio")
    search_fields = ("representative__name", "studio__name", "reason")
    search_help_text = _("A tracking code, a representative's or studio's name, or words of the reason.")
    ordering = ("-issued_at",)
    date_hierarchy = "issued_at"
    raw_id_fields = ("petition",)
    autocomplete_fields = ("representative", "studio", "closed_by")
    fieldsets = (
        (_("Red card"), {"fields": ("petition", "stage", "representative", "studio", "reason", "issued_at",
                                    "rectify_by", "status")}),
        (_("Rectification"), {"fields": ("rectification", "rectified_at", "closed_at", "closed_by")}),
    )

    actions = ("accept_rectification", "send_back_rectification")

    def _review(self, request, queryset, accept):
        done = 0
        for card_id in queryset.values_list("pk", flat=True):
            try:
                red_card_review(card_id=card_id, actor=request.user, accept=accept)
                done += 1
            except RedCardError as err:
                self.message_user(request, f"#{card_id}: {err.message}", messages.WARNING)
        if done:
            self.message_user(request, _("%(count)d red card(s) reviewed.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Accept the rectification and close the red card"))
    def accept_rectification(self, request, queryset):
        self._review(request, queryset, accept=True)

    @admin.action(description=_("Send the rectification back"))
    def send_back_rectification(self, request, queryset):
        self._review(request, queryset, accept=False)

    @admin.display(description=_("held by"))
    def holder(self, obj):
        return obj.studio or obj.representative or "-"

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.status == RedCard.Status.OPEN and obj.rectify_by < timezone.now()


class SubjectKindFilter(admin.SimpleListFilter):
    title = _("subject")
    parameter_name = "subject"

    def lookups(self, request, model_admin):
        return [("studio", _("studios")), ("representative", _("representatives"))]

    def queryset(self, request, queryset):
        if self.value() in ("studio", "representative"):
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(Scorecard)
class ScorecardAdmin(LargeTableMixin, ComputedAdmin):
    list_display = ("subject", "period", "period_start", "received", "resolved", "satisfaction", "red_cards_open",
                    "score", "flag_display")
    list_filter = ("period", "flag", SubjectKindFilter)
    list_select_related = ("representative", "studio")
    search_fields = ("representative__name", "studio__name")
    ordering = ("-period_start", "-score")
    date_hierarchy = "period_start"

    @admin.display(description=_("subject"))
    def subject(self, obj):
        return obj.representative or obj.studio

    @admin.display(description=_("satisfaction rate"))
    def satisfaction(self, obj):
        rate = obj.satisfaction_rate
        return "-" if rate is None else f"{rate:.0%}"

    @admin.display(description=_("rating"), ordering="flag")
    def flag_display(self, obj):
        return flag_badge(obj.flag, obj.get_flag_display())


@admin.register(SlaPause)
class SlaPauseAdmin(TrackingCodeSearchMixin, LargeTableMixin, ComputedAdmin):
    tracking_code_lookup = "petition__tracking_code"
    list_display = ("petition", "stage", "started_at", "ended_at", "working_seconds")
    list_filter = ("stage",)
    list_select_related = ("petition",)
    search_fields = ("=petition__tracking_code",)
    search_help_text = _("Enter a tracking code.")
    ordering = ("-started_at",)
    date_hierarchy = "started_at"


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("unread")), ("yes", _("read"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ("text", "user", "kind", "created_at", "read_at")
    list_filter = ("kind", ReadFilter)
    list_select_related = ("user",)
    search_fields = ("text", "user__username")
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    exclude = ("texts",)

    def save_model(self, request, obj, form, change):
        # A text written here is in one language: it replaces the rendered ones, which would otherwise
        # still be shown to every reader.
        if "text" in form.changed_data:
            obj.texts = {}
        super().save_model(request, obj, form, change)


@admin.register(DownloadJob)
class DownloadJobAdmin(ComputedAdmin):
    """Background downloads of the last day (report exports, poster zips): to see what failed and why.
    Deleting one here leaves its file to the sweep."""

    list_display = ("title", "owner", "kind", "status", "done", "total", "attempt", "created_at", "finished_at")
    list_filter = ("kind", "status")
    list_select_related = ("owner",)
    search_fields = ("title", "owner__username")
    ordering = ("-created_at",)


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(admin.ModelAdmin):
    """One row: the composite score's weights and the rating thresholds."""

    list_display = ("__str__", "response_weight", "resolution_weight", "satisfaction_weight", "duty_weight",
                    "duty_target", "red_card_penalty", "red_flag_penalty", "blue_from", "red_below", "updated_at")
    fieldsets = (
        (_("Weights"), {"fields": ("response_weight", "resolution_weight", "satisfaction_weight", "duty_weight",
                                   "duty_target")}),
        (_("Penalties"), {"fields": ("red_card_penalty", "red_flag_penalty")}),
        (_("Rating thresholds"), {"fields": ("blue_from", "red_below")}),
    )

    def has_add_permission(self, request):
        return not ScoreWeights.objects.exists()
