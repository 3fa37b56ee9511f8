"""Representatives (public), and a representative's duties: proposals, research topics, assignments.

The duties resources are the representative's own, as on the workspace pages (petitions/dashboard/
duties.py); writes call liaison.services. A refusal of the service (topic full, already reported)
is 409, a missing field 400.
"""
import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action

from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from offices.choices import Level
from petitions.api.errors import READ_ERRORS, WRITE_ERRORS, Conflict, error_responses
from petitions.api.pagination import ApiPagination
from petitions.api.pagination import StrictFilterBackend
from petitions.api.pagination import StrictOrderingFilter as OrderingFilter
from petitions.api.permissions import HasRole, IsRepresentative

from .. import access
from ..models import AssignmentReport, Proposal, Representative, ResearchClaim, ResearchTopic
from ..services import DutyError, assignment_complete, proposal_submit, research_claim
from .serializers import (AssignmentReportSerializer, AssignmentSerializer, ProposalCreateSerializer,
                          ProposalSerializer, RepresentativeSerializer, ResearchClaimSerializer,
                          ResearchTopicSerializer)

LIST_ERRORS = error_responses(400, 401, 403, 404, 406, 429)


def _rep(request) -> Representative:
    return Representative.objects.get(pk=access.actor_for(request.user).representative_id)


class RepresentativeFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    sector = django_filters.CharFilter(field_name="sectors__code", distinct=True, help_text=_("A sector's code."))
    studio = django_filters.CharFilter(field_name="studios__code", distinct=True, help_text=_("A studio's code."))

    class Meta:
        model = Representative
        fields = ["level", "sector", "studio"]


@extend_schema_view(
    list=extend_schema(summary=_("Representatives (党代表), public fields only"),
                       responses={200: RepresentativeSerializer(many=True), **error_responses(400, 404, 406, 429)}),
    retrieve=extend_schema(summary=_("One representative, public fields only"),
                           responses={200: RepresentativeSerializer, **error_responses(*READ_ERRORS)}),
)
class RepresentativeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Representative.objects.filter(active=True).prefetch_related("sectors", "studios").order_by("name", "id")
    serializer_class = RepresentativeSerializer
    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filterset_class = RepresentativeFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["name", "level"]


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Proposal.Kind.choices)

    class Meta:
        model = Proposal
        fields = ["status", "kind"]


@extend_schema_view(
    list=extend_schema(summary=_("Proposals: your own; everything for the organisation department"),
                       responses={200: ProposalSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary=_("One proposal"), responses={200: ProposalSerializer,
                                                                 **error_responses(*READ_ERRORS)}),
    create=extend_schema(
        summary=_("Submit a proposal or suggestion (representatives)"), request=ProposalCreateSerializer,
        responses={201: ProposalSerializer, **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("proposal", request_only=True, value={
            "kind": "suggestion", "title": "关于完善农村道路照明的建议", "body": "建议分批次更换老旧路灯。"})]),
)
class ProposalViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProposalSerializer
    permission_classes = [HasRole]
    pagination_class = ApiPagination
    filterset_class = ProposalFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["submitted_at", "status"]

    def get_queryset(self):
        qs = Proposal.objects.select_related("representative", "agency", "sector", "department").order_by(
            "-submitted_at", "-id")
        actor = access.actor_for(self.request.user)
        if actor.sees_everything:
            return qs
        q = Q(pk__in=[])
        if actor.representative_id:
            q |= Q(representative_id=actor.representative_id) | Q(co_signers=actor.representative_id)
        if actor.agency_id:
            q |= Q(agency_id=actor.agency_id)
        return qs.filter(q).distinct()

    def create(self, request, *args, **kwargs):
        if not access.actor_for(request.user).representative_id:
            self.permission_denied(request, message=IsRepresentative.message)
        serializer = ProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            proposal = proposal_submit(representative=_rep(request), **serializer.validated_data)
        except DutyError as exc:
            raise Conflict(exc.message) from exc
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


class TopicFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ResearchTopic.Status.choices)
    sector = django_filters.CharFilter(field_name="sector__code")

    class Meta:
        model = ResearchTopic
        fields = ["status", "sector"]


@extend_schema_view(
    list=extend_schema(summary=_("Research topics (调研课题)"),
                       responses={200: ResearchTopicSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary=_("One research topic"),
                           responses={200: ResearchTopicSerializer, **error_responses(*READ_ERRORS)}),
)
class ResearchTopicViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ResearchTopicSerializer
    permission_classes = [HasRole]
    pagination_class = ApiPagination
    filterset_class = TopicFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["due_on", "published_at"]

    def get_queryset(self):
        return (access.research_topics_visible_to(self.request.user).select_related("agency", "sector")
                .annotate(claimed=Count("claims")).order_by("due_on", "id"))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        rep_id = access.actor_for(self.request.user).representative_id if self.request else None
        context["my_claims"] = dict(ResearchClaim.objects.filter(representative_id=rep_id).values_list(
            "topic_id", "status")) if rep_id else {}
        return context

    @extend_schema(summary=_("Claim a topic (representatives)"), request=None,
                   responses={201: ResearchClaimSerializer, **error_responses(*WRITE_ERRORS)})
    @action(detail=True, methods=["post"], permission_classes=[IsRepresentative])
    def claim(self, request, pk=None):
        topic = self.get_object()
        try:
            claim = research_claim(topic_id=topic.pk, representative=_rep(request))
        except DutyError as exc:
            raise Conflict(exc.message) from exc
        return Response(ResearchClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class AssignmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AssignmentReport.Status.choices)

    class Meta:
        model = AssignmentReport
        fields = ["status"]


@extend_schema_view(
    list=extend_schema(summary=_("Your assignments (分派任务)"),
                       responses={200: AssignmentSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary=_("One of your assignments"),
                           responses={200: AssignmentSerializer, **error_responses(*READ_ERRORS)}),
)
class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer
    permission_classes = [IsRepresentative]
    pagination_class = ApiPagination
    filterset_class = AssignmentFilter
    filter_backends = [StrictFilterBackend]

    def get_queryset(self):
        rep_id = access.actor_for(self.request.user).representative_id
        return (AssignmentReport.objects.filter(representative_id=rep_id)
                .select_related("assignment__agency", "assignment__studio")
                .order_by("status", "assignment__due_on", "id"))

    @extend_schema(summary=_("Report an assignment as completed"), request=AssignmentReportSerializer,
                   responses={200: AssignmentSerializer, **error_responses(*WRITE_ERRORS)},
                   examples=[OpenApiExample("report", request_only=True,
                                            value={"evidence": "已走访 12 户，问题已反馈乡镇。"})])
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        report = self.get_object()  # another representative's task: 404
        serializer = AssignmentReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            assignment_complete(report_id=report.pk, representative=_rep(request),
                                evidence=serializer.validated_data["evidence"])
        except DutyError as exc:
            raise Conflict(exc.message) from exc
        return Response(AssignmentSerializer(self.get_queryset().get(pk=report.pk)).data)
