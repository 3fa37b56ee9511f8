"""Back office for representatives, liaison agencies and the representatives' duties (履职通)."""
from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from offices.admin import area_filter
from offices.models import StudioMembership
from petitions.admin import LargeTableMixin

from .models import (
    Assignment,
    AssignmentReport,
    Discussion,
    DiscussionPost,
    DutyRecord,
    LiaisonAgency,
    PersonalDataAccess,
    Proposal,
    Representative,
    ResearchClaim,
    ResearchTopic,
    StaffProfile,
)


@admin.register(LiaisonAgency)
class LiaisonAgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "region", "phone")
    list_filter = ("level",)
    list_select_related = ("region",)
    search_fields = ("name",)
    ordering = ("region__path",)
    autocomplete_fields = ("region",)


class RepresentativeMembershipInline(admin.TabularInline):
    model = StudioMembership
    extra = 0
    fields = ("studio", "role", "joined_on")
    autocomplete_fields = ("studio",)
    verbose_name = _("studio membership")
    verbose_name_plural = _("studio memberships")


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ("name", "gender", "level", "region", "work_unit", "phone", "user", "active")
    list_filter = ("active", "level", "gender", "sectors", area_filter("region"))
    list_select_related = ("region", "user")
    search_fields = ("name", "^phone", "work_unit")
    ordering = ("region__path", "name", "id")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user", "region", "sectors")
    inlines = (RepresentativeMembershipInline,)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "studio", "department", "agency", "region")
    list_filter = ("role",)
    list_select_related = ("user", "studio", "department", "agency", "region")
    search_fields = ("user__username", "user__first_name", "user__last_name", "studio__name", "department__name",
                     "agency__name")
    ordering = ("role", "user__username")
    autocomplete_fields = ("user", "studio", "department", "agency", "region")


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "representative", "agency", "sector", "department", "submitted_at")
    list_filter = ("status", "kind", "sector", "agency")
    list_select_related = ("representative", "agency", "sector", "department")
    search_fields = ("title", "representative__name")
    ordering = ("-submitted_at",)
    date_hierarchy = "submitted_at"
    autocomplete_fields = ("representative", "co_signers", "agency", "department")
    fieldsets = (
        (None, {"fields": ("kind", "title", "body", "sector", "attachment")}),
        (_("Who"), {"fields": ("representative", "co_signers", "agency")}),
        (_("Progress"), {"fields": ("status", "department", "answer", "submitted_at", "accepted_at", "answered_at")}),
    )


class ResearchClaimInline(admin.StackedInline):
    model = ResearchClaim
    extra = 0
    fields = (("representative", "status"), "report", "report_file", "review",
              ("claimed_at", "submitted_at", "reviewed_at"))
    autocomplete_fields = ("representative",)


@admin.register(ResearchTopic)
class ResearchTopicAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "sector", "status", "claim_count", "max_claimants", "due_on", "published_at")
    list_filter = ("status", "sector", "agency")
    list_select_related = ("agency", "sector")
    search_fields = ("title",)
    ordering = ("-published_at",)
    date_hierarchy = "published_at"
    autocomplete_fields = ("agency",)
    inlines = (ResearchClaimInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_total=Count("claims"))

    @admin.display(description=_("claims"), ordering="claim_total")
    def claim_count(self, obj):
        return obj.claim_total


@admin.register(ResearchClaim)
class ResearchClaimAdmin(admin.ModelAdmin):
    list_display = ("topic", "representative", "status", "claimed_at", "submitted_at", "reviewed_at")
    list_filter = ("status",)
    list_select_related = ("topic", "representative")
    search_fields = ("topic__title", "representative__name")
    ordering = ("-claimed_at",)
    date_hierarchy = "claimed_at"
    autocomplete_fields = ("topic", "representative")


class AssignmentReportInline(admin.TabularInline):
    model = AssignmentReport
    extra = 0
    fields = ("representative", "status", "evidence", "evidence_file", "reported_at")
    autocomplete_fields = ("representative",)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "studio", "due_on", "progress", "created_at", "created_by")
    list_filter = ("agency",)
    list_select_related = ("agency", "studio", "created_by")
    search_fields = ("title", "studio__name")
    ordering = ("-created_at",)
    date_hierarchy = "due_on"
    autocomplete_fields = ("agency", "studio")
    readonly_fields = ("created_by",)
    inlines = (AssignmentReportInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            report_total=Count("reports"),
            report_done=Count("reports", filter=Q(reports__status=AssignmentReport.Status.DONE)),
        )

    @admin.display(description=_("completed"))
    def progress(self, obj):
        return f"{obj.report_done} / {obj.report_total}"

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AssignmentReport)
class AssignmentReportAdmin(admin.ModelAdmin):
    list_display = ("assignment", "representative", "status", "reported_at")
    list_filter = ("status",)
    list_select_related = ("assignment", "representative")
    search_fields = ("assignment__title", "representative__name")
    ordering = ("-assignment__created_at", "representative__name")
    date_hierarchy = "reported_at"
    autocomplete_fields = ("assignment", "representative")


class DiscussionPostInline(admin.TabularInline):
    """Posts in their order; a post added here is signed by the user adding it."""

    model = DiscussionPost
    extra = 0
    fields = ("body", "author", "created_at")
    readonly_fields = ("author",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    list_display = ("title", "studio", "topic", "created_by", "post_count", "created_at", "last_post_at")
    list_select_related = ("studio", "topic", "created_by")
    search_fields = ("title", "studio__name")
    ordering = ("-last_post_at",)
    date_hierarchy = "last_post_at"
    autocomplete_fields = ("studio", "topic")
    readonly_fields = ("created_by", "last_post_at")
    fields = ("title", "studio", "topic", "created_by", "created_at", "last_post_at")
    inlines = (DiscussionPostInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts"))

    @admin.display(description=_("posts"), ordering="post_total")
    def post_count(self, obj):
        return obj.post_total

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        posts = formset.save(commit=False)
        for post in posts:
            if post.author_id is None:
                post.author = request.user
            post.save()
        for post in formset.deleted_objects:
            post.delete()
        formset.save_m2m()
        latest = max((p.created_at for p in posts), default=None)
        if latest is not None:
            Discussion.objects.filter(pk=form.instance.pk, last_post_at__lt=latest).update(last_post_at=latest)


@admin.register(DiscussionPost)
class DiscussionPostAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "discussion", "author", "created_at")
    list_select_related = ("discussion", "author")
    search_fields = ("body", "discussion__title")
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    autocomplete_fields = ("discussion", "author")

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return obj.body if len(obj.body) <= 60 else f"{obj.body[:60]}…"


@admin.register(DutyRecord)
class DutyRecordAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ("representative", "kind", "summary", "occurred_at", "source", "source_id")
    list_filter = ("kind",)
    list_select_related = ("representative",)
    search_fields = ("summary", "representative__name")
    ordering = ("-occurred_at",)
    date_hierarchy = "occurred_at"
    autocomplete_fields = ("representative",)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(LargeTableMixin, admin.ModelAdmin):
    """Who read a citizen's unmasked contact, and when: read-only, append-only."""
    list_display = ("accessed_at", "user", "petition", "where", "path")
    list_filter = ("where",)
    list_select_related = ("user", "petition")
    search_fields = ("=petition__tracking_code", "user__username")
    date_hierarchy = "accessed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
