"""Back office for sectors, regions, departments and studios.

Every list names its columns' foreign keys in `list_select_related`, so a list page costs the same
number of queries for 10 rows as for 100; big foreign keys (regions, representatives, users) are
picked with autocomplete, never with a <select> of every row.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Department, Region, Sector, Studio, StudioActivity, StudioMembership, StudioOutcome


def area_filter(field_path: str = "region"):
    """A list filter "by city or county": a prefix match on the region's materialised path.

    Lists only the city and its counties/districts (about 9 rows), not the thousands of townships and
    villages, and filters the whole subtree with one indexed `LIKE '/371500/371502/%'`.
    """
    lookup = f"{field_path}__path__startswith" if field_path else "path__startswith"

    class AreaFilter(admin.SimpleListFilter):
        title = _("city or county")
        parameter_name = f"area_{field_path or 'self'}"

        def lookups(self, request, model_admin):
            regions = Region.objects.filter(kind__in=[Region.Kind.CITY, Region.Kind.COUNTY]).order_by("path")
            return [(r.path, r.name) for r in regions.only("path", "name")]

        def queryset(self, request, queryset):
            value = self.value()
            return queryset.filter(**{lookup: value}) if value else queryset

    return AreaFilter


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "name_en", "position")
    list_display_links = ("name",)
    list_editable = ("position",)
    search_fields = ("name", "code", "name_en")
    ordering = ("position", "id")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "path")
    list_filter = ("kind", area_filter(""))
    list_select_related = ("parent",)
    search_fields = ("name", "^code")
    ordering = ("path",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path",)
    fields = ("name", "code", "kind", "parent", "path")

    def get_readonly_fields(self, request, obj=None):
        # Region.clean() computes this region's path, but not its descendants': moving or renumbering
        # a region that has children would leave their paths stale, so that is refused here.
        if obj is not None and obj.children.exists():
            return ("code", "kind", "parent", "path")
        return self.readonly_fields


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sector", "region", "phone", "active")
    list_filter = ("active", "sector", area_filter("region"))
    list_select_related = ("sector", "region")
    search_fields = ("name", "code")
    ordering = ("region__path", "sector__position", "name")
    autocomplete_fields = ("region",)


class StudioMembershipInline(admin.TabularInline):
    model = StudioMembership
    extra = 0
    fields = ("representative", "role", "joined_on")
    autocomplete_fields = ("representative",)


class StudioActivityInline(admin.TabularInline):
    """The studio's activities; who took part is edited on the activity's own page."""

    model = StudioActivity
    extra = 0
    fields = ("held_on", "kind", "title", "people_reached")
    show_change_link = True
    ordering = ("-held_on", "-id")


class StudioOutcomeInline(admin.TabularInline):
    model = StudioOutcome
    extra = 0
    fields = ("achieved_on", "metric", "value", "activity", "description")
    autocomplete_fields = ("activity",)
    ordering = ("-achieved_on", "-id")


@admin.register(Studio)
class StudioAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "level", "sector", "region", "host_department", "lead", "active",
                    "posters")
    list_filter = ("active", "kind", "level", "sector", area_filter("region"))
    list_select_related = ("sector", "region", "host_department", "lead")
    search_fields = ("name", "code")
    ordering = ("region__path", "kind", "sector__position", "name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("sector", "sectors", "host_department", "region", "lead")
    inlines = (StudioMembershipInline, StudioActivityInline, StudioOutcomeInline)
    fieldsets = (
        (None, {"fields": ("name", "code", "kind", "level", "active")}),
        (_("Sectors and hosting"), {"fields": ("sector", "sectors", "host_department", "region", "lead")}),
        (_("Contact"), {"fields": ("address", "phone", "opening_hours", "description", "created_at")}),
    )

    @admin.display(description=_("QR poster"))
    def posters(self, obj):
        return format_html('<a href="{}">SVG</a> · <a href="{}">PNG</a>',
                           reverse("offices:studio_poster", args=[obj.code, "svg"]),
                           reverse("offices:studio_poster", args=[obj.code, "png"]))

    def view_on_site(self, obj):
        # The public page its QR code opens (DESIGN.md: /s/<studio code>/).
        return f"/s/{obj.code}/"


@admin.register(StudioMembership)
class StudioMembershipAdmin(admin.ModelAdmin):
    list_display = ("representative", "studio", "role", "joined_on")
    list_filter = ("role",)
    list_select_related = ("representative", "studio")
    search_fields = ("representative__name", "studio__name", "studio__code")
    ordering = ("studio__name", "representative__name")
    date_hierarchy = "joined_on"
    autocomplete_fields = ("studio", "representative")


@admin.register(StudioActivity)
class StudioActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "studio", "kind", "held_on", "people_reached")
    list_filter = ("kind", area_filter("studio__region"))
    list_select_related = ("studio",)
    search_fields = ("title", "studio__name")
    ordering = ("-held_on", "-id")
    date_hierarchy = "held_on"
    autocomplete_fields = ("studio", "representatives", "recorded_by")

    def save_model(self, request, obj, form, change):
        if not change and obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StudioOutcome)
class StudioOutcomeAdmin(admin.ModelAdmin):
    list_display = ("metric", "value", "studio", "activity", "achieved_on")
    list_filter = ("metric", area_filter("studio__region"))
    list_select_related = ("studio", "activity")
    search_fields = ("studio__name", "description")
    ordering = ("-achieved_on", "-id")
    date_hierarchy = "achieved_on"
    autocomplete_fields = ("studio", "activity")


# --- API keys (Open311 clients): the key is shown once, when created ------------------------------

from django import forms as _forms  # noqa: E402
from django.contrib import messages as _messages  # noqa: E402

from .models_api import ApiKey  # noqa: E402


class ApiKeyForm(_forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("name", "contact", "studio", "rate", "active")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("name", "prefix", "studio", "rate", "active", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix", "contact")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    autocomplete_fields = ("studio",)
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        if not change:
            raw = ApiKey.generate()
            obj.set_key(raw)
            super().save_model(request, obj, form, change)
            self.message_user(request, _("The new key is %(key)s: copy it now, it is not shown again.") % {"key": raw},
                              _messages.WARNING)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Deactivate the selected keys"))
    def deactivate(self, request, queryset):
        queryset.update(active=False)
