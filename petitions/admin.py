"""Back office for petitions and their trail.

Nothing a citizen submitted is ever lost: no petition, photo or event can be deleted here, the trail
is read-only, and a petition's state is never edited by hand (it moves only through
`services.petition_transition`). A petition added here (a walk-in) goes through `petition_submit`,
like one from the public form. The citizen's name and phone are shown masked.
"""
import datetime

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from liaison.services_audit import personal_data_access_record

from .codes import as_tracking_code, format_tracking_code
from .masking import mask_name, mask_phone
from .models import (
    ConsultationDecision,
    HotlineCallback,
    HotlineDelivery,
    JointConsultation,
    Petition,
    PetitionEvent,
    PetitionPhoto,
    PetitionTerm,
    SectorKeyword,
    Source,
)
from .services import petition_submit

FLAG_COLOURS = {"blue": "#1f6feb", "yellow": "#d4a017", "red": "#cf222e"}


class TrackingCodeSearchMixin:
    """A search term that reads as a tracking code is looked up exactly (the unique index), not with LIKE."""

    tracking_code_lookup = "tracking_code"

    def get_search_results(self, request, queryset, search_term):
        code = as_tracking_code(search_term)
        if code:
            return queryset.filter(**{self.tracking_code_lookup: code}), False
        return super().get_search_results(request, queryset, search_term)


# --- lists of millions of rows -------------------------------------------------------------------
class EstimatedCountPaginator(Paginator):
    """On PostgreSQL an unfiltered list counts from the planner's statistics instead of COUNT(*)
    over every row; filtered lists, small tables and other databases count exactly."""

    ESTIMATE_FROM = 100_000

    @cached_property
    def count(self):
        qs = self.object_list
        if isinstance(qs, QuerySet) and not qs.query.where and connections[qs.db].vendor == "postgresql":
            with connections[qs.db].cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                               [qs.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] >= self.ESTIMATE_FROM:
                return int(row[0])
        return super().count


def _periods(first, last, kind):
    """Every year, month or day from `first` to `last` (inclusive), of the type the hierarchy expects."""
    first_day, last_day = (v.date() if isinstance(v, datetime.datetime) else v for v in (first, last))
    if kind == "year":
        days = [datetime.date(year, 1, 1) for year in range(first_day.year, last_day.year + 1)]
    elif kind == "month":
        months = range(first_day.year * 12 + first_day.month - 1, last_day.year * 12 + last_day.month)
        days = [datetime.date(m // 12, m % 12 + 1, 1) for m in months]
    else:
        days = [first_day + datetime.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    if isinstance(first, datetime.datetime):
        return [datetime.datetime.combine(day, datetime.time(), tzinfo=first.tzinfo) for day in days]
    return days


class RangeDatesMixin:
    """`date_hierarchy` asks for the distinct years, months or days of the listed rows: a scan of
    every row. This answers with every period between the first and the last row instead (MIN and
    MAX, which the hierarchy has just asked for anyway); a period without rows lists nothing."""

    def aggregate(self, *args, **kwargs):
        result = super().aggregate(*args, **kwargs)
        first, last = kwargs.get("first"), kwargs.get("last")
        if not args and len(kwargs) == 2 and isinstance(first, Min) and isinstance(last, Max):
            self.__dict__.setdefault("_range_bounds", {})[first.source_expressions[0].name] = result
        return result

    def _bounds(self, field_name):
        known = self.__dict__.get("_range_bounds", {})
        if field_name in known:
            return known[field_name]
        return self.aggregate(first=Min(field_name), last=Max(field_name))

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        bounds = self._bounds(field_name)
        if bounds["first"] is None:
            return []
        first, last = (timezone.localtime(v, tzinfo) for v in (bounds["first"], bounds["last"]))
        periods = _periods(first, last, kind)
        return periods if order == "ASC" else periods[::-1]

    def dates(self, field_name, kind, order="ASC"):
        bounds = self._bounds(field_name)
        if bounds["first"] is None:
            return []
        periods = _periods(bounds["first"], bounds["last"], kind)
        return periods if order == "ASC" else periods[::-1]


_range_date_classes = {}


def with_range_dates(qs: QuerySet) -> QuerySet:
    cls = type(qs)
    if cls not in _range_date_classes:
        _range_date_classes[cls] = type(f"RangeDates{cls.__name__}", (RangeDatesMixin, cls), {})
    qs = qs._chain()
    qs.__class__ = _range_date_classes[cls]
    return qs


class LargeTableMixin:
    """For the tables that grow with every petition: no full count, no scan for the date hierarchy."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        return with_range_dates(super().get_queryset(request))


def flag_badge(flag: str, label) -> str:
    return format_html('<span style="color:{}">&#9679;</span> {}', FLAG_COLOURS.get(flag, "inherit"), label)


class PetitionPhotoInline(admin.TabularInline):
    """Photos can be added (what a citizen sends later), never changed or removed."""

    model = PetitionPhoto
    extra = 0
    fields = ("image", "preview", "width", "height", "created_at")
    readonly_fields = ("preview", "width", "height", "created_at")
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.pk or not obj.image:
            return "-"
        return format_html('<a href="{0}" target="_blank"><img src="{0}" alt="" style="max-height:80px"></a>',
                           obj.image.url)


class PetitionEventInline(admin.TabularInline):
    """The trail, read-only: it is append-only, and only the services append to it."""

    model = PetitionEvent
    extra = 0
    fields = ("at", "action", "from_status", "to_status", "loop", "actor", "actor_label", "studio", "department",
              "note", "public")
    readonly_fields = fields
    can_delete = False
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "studio", "department")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(TrackingCodeSearchMixin, LargeTableMixin, admin.ModelAdmin):
    list_display = ("code", "status", "flag_display", "loop", "studio", "current_handler", "citizen_name_masked",
                    "citizen_phone_masked", "submitted")
    list_display_links = ("code",)
    list_filter = ("status", "flag", "loop", "sector", "source")
    list_select_related = ("studio", "current_studio", "current_department", "current_representative")
    search_fields = ("text",)
    search_help_text = _("A tracking code (such as AB12C-DE34F) finds that petition; other words search the text.")
    ordering = ("-submitted_at", "-id")
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    autocomplete_fields = ("studio", "region")

    add_fieldsets = (
        (None, {"fields": ("studio", "source", "category", "region", "text")}),
        (_("Citizen"), {"fields": ("citizen_name", "citizen_phone", "address", "latitude", "longitude")}),
    )
    handling_fields = ("answer", "reject_reason", "hold_reason", "rating", "rating_comment", "reopened_count")
    time_fields = ("submitted_at", "routed_at", "accepted_at", "dispatched_at", "resolved_at", "replied_at",
                   "rated_at", "closed_at", "accept_due_at", "resolve_due_at", "reply_due_at", "due_at", "updated_at")

    # --- list columns ---------------------------------------------------------------------------
    @admin.display(description=_("tracking code"), ordering="tracking_code")
    def code(self, obj):
        return format_tracking_code(obj.tracking_code)

    @admin.display(description=_("flag"), ordering="flag")
    def flag_display(self, obj):
        return flag_badge(obj.flag, obj.get_flag_display())

    @admin.display(description=_("current handler"))
    def current_handler(self, obj):
        parts = [obj.current_department, obj.current_representative]
        if obj.current_studio_id != obj.studio_id:
            parts.insert(0, obj.current_studio)
        return " · ".join(str(p) for p in parts if p is not None) or "-"

    @admin.display(description=_("submitted at"), ordering="submitted_at")
    def submitted(self, obj):
        return obj.submitted_at

    @admin.display(description=_("citizen"))
    def citizen_name_masked(self, obj):
        return mask_name(obj.citizen_name) or "-"

    @admin.display(description=_("mobile"))
    def citizen_phone_masked(self, obj):
        return mask_phone(obj.citizen_phone) or "-"

    # --- the form: add a walk-in petition, view everything else -----------------------------------
    def _citizen_fields(self, request):
        if request.user.is_superuser:
            return ("citizen_name", "citizen_phone")
        return ("citizen_name_masked", "citizen_phone_masked")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return (
            (None, {"fields": ("tracking_code", ("status", "flag", "loop"), "source", "studio", "current_studio",
                               "current_department", "current_representative", "category", "sector", "region")}),
            (_("Citizen"), {"fields": ("text", *self._citizen_fields(request), "address", ("latitude", "longitude"))}),
            (_("Progress"), {"fields": self.handling_fields}),
            (_("Times"), {"fields": self.time_fields, "classes": ("collapse",)}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(
            f for name, opts in self.get_fieldsets(request, obj) for line in opts["fields"]
            for f in (line if isinstance(line, tuple) else (line,))
        )

    def get_inlines(self, request, obj):
        return (PetitionPhotoInline,) if obj is None else (PetitionEventInline, PetitionPhotoInline)

    def get_changeform_initial_data(self, request):
        return {"source": Source.VISIT, **super().get_changeform_initial_data(request)}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and "citizen_phone" in self._citizen_fields(request):  # unmasked: log the reading
            personal_data_access_record(user=request.user, petition_id=obj.pk, where="admin", path=request.path)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field of a stored petition is read-only here; only photos can be added
        data = form.cleaned_data
        petition, _created = petition_submit(
            studio=data["studio"], text=data["text"], category=data.get("category"), region=data.get("region"),
            citizen_name=data.get("citizen_name", ""), citizen_phone=data.get("citizen_phone", ""),
            address=data.get("address", ""), latitude=data.get("latitude"), longitude=data.get("longitude"),
            source=data.get("source") or Source.VISIT,
        )
        # The admin goes on with `obj` (photos, the log entry): make it the stored petition.
        for field in Petition._meta.concrete_fields:
            setattr(obj, field.attname, getattr(petition, field.attname))
        obj._state.adding, obj._state.db = False, petition._state.db

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PetitionPhoto)
class PetitionPhotoAdmin(TrackingCodeSearchMixin, LargeTableMixin, admin.ModelAdmin):
    tracking_code_lookup = "petition__tracking_code"
    list_display = ("image", "petition", "width", "height", "created_at")
    list_select_related = ("petition",)
    search_fields = ("=petition__tracking_code",)
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    raw_id_fields = ("petition",)
    readonly_fields = ("width", "height")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PetitionEvent)
class PetitionEventAdmin(TrackingCodeSearchMixin, LargeTableMixin, admin.ModelAdmin):
    """The trail, read-only: the services append to it, nobody edits or removes it."""

    tracking_code_lookup = "petition__tracking_code"
    list_display = ("at", "petition", "action", "from_status", "to_status", "loop", "by", "studio", "department",
                    "public")
    list_filter = ("action", "public", "loop")
    list_select_related = ("petition", "actor", "studio", "department")
    search_fields = ("=petition__tracking_code",)
    search_help_text = _("Enter a tracking code.")
    ordering = ("-at", "-id")
    date_hierarchy = "at"
    show_full_result_count = False

    @admin.display(description=_("by"))
    def by(self, obj):
        return obj.actor or obj.actor_label or "-"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- the three loops: routing dictionary, joint consultations, the 12345 exchange -------------------
class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the services write and other systems rely on: viewable, never added, edited or removed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SectorKeyword)
class SectorKeywordAdmin(admin.ModelAdmin):
    list_display = ("term", "sector", "weight", "active", "updated_at")
    list_editable = ("weight", "active")
    list_filter = ("sector", "active", "weight")
    list_select_related = ("sector",)
    search_fields = ("term",)
    ordering = ("sector__position", "-weight", "term")


@admin.register(PetitionTerm)
class PetitionTermAdmin(TrackingCodeSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    tracking_code_lookup = "petition__tracking_code"
    list_display = ("term", "petition", "sector", "township", "at")
    list_filter = ("sector",)
    list_select_related = ("petition", "sector", "township")
    search_fields = ("=term",)
    search_help_text = _("A tracking code, or a term exactly.")
    ordering = ("-at", "-id")
    date_hierarchy = "at"


class ConsultationDecisionInline(admin.TabularInline):
    model = ConsultationDecision
    extra = 0
    fields = ("text", "owner", "due_on", "done", "done_at", "done_note")
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JointConsultation)
class JointConsultationAdmin(TrackingCodeSearchMixin, ReadOnlyAdmin):
    """Read-only: every step of a consultation (convene, schedule, minutes, escalate, close, decision
    done) goes through `services_consultation`, which also writes it on the petition's trail."""

    tracking_code_lookup = "petition__tracking_code"
    list_display = ("petition", "agency", "reason", "status", "meeting_at", "escalated_to", "created_at", "closed_at")
    list_filter = ("status", "reason", "escalated_to", "agency")
    list_select_related = ("petition", "agency")
    search_fields = ("minutes", "outcome")
    search_help_text = _("A tracking code, or words of the minutes or the outcome.")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("petition", "agency", "reason", "status", "sector", "township", "related_petitions")}),
        (_("Meeting"), {"fields": ("departments", "meeting_at", "minutes", "outcome")}),
        (_("Escalation"), {"fields": ("escalated_to", "escalated_at", "escalation_outcome")}),
        (_("Times"), {"fields": ("created_at", "closed_at")}),
    )
    inlines = (ConsultationDecisionInline,)


@admin.register(ConsultationDecision)
class ConsultationDecisionAdmin(ReadOnlyAdmin):
    list_display = ("excerpt", "consultation", "owner", "due_on", "done", "done_at")
    list_filter = ("done",)
    list_select_related = ("consultation__petition", "owner")
    search_fields = ("text", "owner__name")
    ordering = ("due_on", "id")
    date_hierarchy = "due_on"

    @admin.display(description=_("decision"))
    def excerpt(self, obj):
        return obj.text if len(obj.text) <= 60 else f"{obj.text[:60]}…"


class DeliveryStateFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("pending", _("waiting to be delivered")), ("delivered", _("delivered")),
                ("cancelled", _("cancelled"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(delivered_at__isnull=True, cancelled_at__isnull=True)
        if self.value() == "delivered":
            return queryset.filter(delivered_at__isnull=False)
        if self.value() == "cancelled":
            return queryset.filter(cancelled_at__isnull=False)
        return queryset


@admin.register(HotlineDelivery)
class HotlineDeliveryAdmin(TrackingCodeSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    tracking_code_lookup = "petition__tracking_code"
    list_display = ("petition", "hotline_ref", "hotline_status", "attempts", "last_status_code", "next_attempt_at",
                    "delivered_at", "cancelled_at", "created_at")
    list_filter = (DeliveryStateFilter, "hotline_status")
    list_select_related = ("petition",)
    search_fields = ("=hotline_ref",)
    search_help_text = _("A tracking code or a 12345 reference.")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"


@admin.register(HotlineCallback)
class HotlineCallbackAdmin(TrackingCodeSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    tracking_code_lookup = "petition__tracking_code"
    list_display = ("event_id", "petition", "status", "outcome", "occurred_at", "received_at")
    list_filter = ("status", "outcome")
    list_select_related = ("petition",)
    search_fields = ("=event_id",)
    search_help_text = _("A tracking code or a 12345 event id.")
    ordering = ("-received_at",)
    date_hierarchy = "received_at"


# --- hot words: staff curation (applied on the next refresh) and the snapshots, read-only ------------

from .models import HotWord, HotWordState, HotWordTerm, PetitionWord  # noqa: E402


@admin.register(HotWordTerm)
class HotWordTermAdmin(admin.ModelAdmin):
    list_display = ("term", "action", "canonical", "note", "updated_at")
    list_filter = ("action",)
    search_fields = ("term", "canonical")
    ordering = ("action", "term")


@admin.register(HotWord)
class HotWordAdmin(admin.ModelAdmin):
    list_display = ("term", "window", "scope", "region", "sector", "rank", "count", "background_count", "rise",
                    "score", "blocked", "computed_at")
    list_filter = ("window", "scope", "blocked", "sector")
    list_select_related = ("region", "sector")
    search_fields = ("term",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PetitionWord)
class PetitionWordAdmin(admin.ModelAdmin):
    """The terms extraction found, per petition: read-only, rebuilt by the hot-words refresh."""
    show_full_result_count = False
    list_display = ("term", "petition_id", "sector", "county", "township", "at")
    search_fields = ("=term",)
    list_select_related = ("sector", "county", "township")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HotWordState)
class HotWordStateAdmin(admin.ModelAdmin):
    list_display = ("last_petition_id", "curation_stamp", "refreshed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
