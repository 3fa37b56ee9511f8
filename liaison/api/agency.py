"""The liaison agency's tasks (分派任务), as on /dashboard/agency/assignments/: give one to chosen
representatives or to every member of a studio of the agency's area, and follow it to completion.

For liaison agency staff only (others 403; anonymous 401); another agency's task is 404. The task is
created by liaison.services.assignment_create(), which notifies every assignee.
"""
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from offices.models import Studio
from petitions.api.errors import READ_ERRORS, WRITE_ERRORS, StrictSerializer, error_responses
from petitions.api.pagination import ApiPagination

from .. import access
from ..models import Assignment, AssignmentReport
from ..selectors import assignments_with_progress
from ..services import assignment_create, assignment_is_overdue
from .common import RepresentativeIdsField, service_refusals
from .views import ONLY_AGENCY_STAFF, agency_of


class IsAgencyStaff(BasePermission):
    message = ONLY_AGENCY_STAFF

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and access.agency_id_for(request.user))


class AgencyAssignmentSerializer(serializers.ModelSerializer):
    """One task of the agency, with its progress."""

    studio = serializers.CharField(source="studio.code", read_only=True, allow_null=True, default=None)
    assignees = serializers.IntegerField(read_only=True)
    done = serializers.IntegerField(read_only=True, help_text=_("Assignees who reported completion."))
    overdue = serializers.IntegerField(read_only=True, help_text=_("Assignees still pending after the due date."))

    class Meta:
        model = Assignment
        fields = ["id", "title", "description", "studio", "due_on", "created_at", "assignees", "done", "overdue"]


class AssigneeSerializer(serializers.ModelSerializer):
    representative = serializers.CharField(source="representative.name", read_only=True)
    representative_id = serializers.IntegerField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = AssignmentReport
        fields = ["id", "representative_id", "representative", "status", "evidence", "reported_at", "overdue"]

    def get_overdue(self, report) -> bool:
        return assignment_is_overdue(report.assignment, report)


class AgencyAssignmentDetailSerializer(AgencyAssignmentSerializer):
    reports = AssigneeSerializer(many=True, read_only=True, help_text=_("Each assignee's part."))

    class Meta(AgencyAssignmentSerializer.Meta):
        fields = [*AgencyAssignmentSerializer.Meta.fields, "reports"]


class AssignmentCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(help_text=_("Today or later."))
    studio = serializers.SlugRelatedField(slug_field="code", queryset=Studio.objects.all(), required=False,
                                          allow_null=True, default=None,
                                          help_text=_("A studio of your agency's area: every member and its lead."))
    representatives = RepresentativeIdsField(required=False, default=list, max_length=2000,
                                             help_text=_("Representatives of your agency's area, by id."))


EXAMPLE = OpenApiExample("task", response_only=True, status_codes=["200", "201"], value={
    "id": 5, "title": "走访种植大户", "description": "每人走访 5 户，记录诉求。", "studio": "371526-agri",
    "due_on": "2027-01-31", "created_at": "2026-12-01T09:00:00+08:00", "assignees": 2, "done": 1, "overdue": 0,
    "reports": [{"id": 9, "representative_id": 3, "representative": "王立新", "status": "done",
                 "evidence": "走访 5 户，见附表。", "reported_at": "2026-12-10T15:00:00+08:00", "overdue": False},
                {"id": 10, "representative_id": 4, "representative": "李新", "status": "pending", "evidence": "",
                 "reported_at": None, "overdue": False}]})


@extend_schema_view(
    list=extend_schema(summary=_("Your agency's tasks, with progress; overdue first (liaison agency)"),
                       responses={200: AgencyAssignmentSerializer(many=True),
                                  **error_responses(400, 401, 403, 404, 406, 429)}),
    retrieve=extend_schema(summary=_("One task of your agency, with each assignee's part"),
                           responses={200: AgencyAssignmentDetailSerializer, **error_responses(*READ_ERRORS)},
                           examples=[EXAMPLE]),
    create=extend_schema(
        summary=_("Give a task to representatives or to a whole studio (liaison agency)"),
        description=_("Every assignee must be of your agency's area and active; each is notified. Choose a "
                      "studio, representatives, or both. 400 for a due date in the past or an assignee outside "
                      "your area."),
        request=AssignmentCreateSerializer, responses={201: AgencyAssignmentDetailSerializer,
                                                       **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("task", request_only=True, value={
            "title": "走访种植大户", "description": "每人走访 5 户，记录诉求。", "due_on": "2027-01-31",
            "studio": "371526-agri", "representatives": [3]}), EXAMPLE]),
)
class AgencyAssignmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAgencyStaff]
    pagination_class = ApiPagination
    filter_backends = []

    def get_serializer_class(self):
        return AgencyAssignmentSerializer if self.action == "list" else AgencyAssignmentDetailSerializer

    def get_queryset(self):
        agency_id = access.agency_id_for(self.request.user)
        qs = assignments_with_progress(agency_id)
        if self.action != "list":
            qs = qs.prefetch_related(Prefetch("reports", queryset=AssignmentReport.objects.select_related(
                "representative").order_by("status", "representative__name", "id")))
        return qs

    def create(self, request, *args, **kwargs):
        agency = agency_of(request, None, ONLY_AGENCY_STAFF)
        serializer = AssignmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            assignment = assignment_create(agency=agency, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data,
                        status=status.HTTP_201_CREATED)
