"""Representatives (public), and the duties: proposals, research topics, assignments.

The duties resources are the representative's own, as on the workspace pages (petitions/dashboard/
duties.py), and the liaison agency's, as on its pages (petitions/dashboard/agency.py): its staff take a
proposal to an answer, publish and close topics. Writes call liaison.services, the same functions as
the pages. A refusal of the service because of the state (topic full, already reported, already
answered) is 409, wrong input 400 on the field; nothing is changed either way. An object you may not
see is 404; one you see but whose step is not yours is 403.
"""
import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from offices.choices import Level
from petitions.api.errors import READ_ERRORS, WRITE_ERRORS, error_responses
from petitions.api.pagination import ApiPagination
from petitions.api.pagination import StrictFilterBackend
from petitions.api.pagination import StrictOrderingFilter as OrderingFilter
from petitions.api.permissions import HasRole, IsRepresentative

from .. import access
from ..models import AssignmentReport, LiaisonAgency, Proposal, Representative, ResearchClaim, ResearchTopic
from ..services import (assignment_complete, proposal_accept, proposal_answer, proposal_decline,
                        proposal_hand_over, proposal_submit, research_claim, research_topic_close,
                        research_topic_publish)
from .common import service_refusals
from .serializers import (AssignmentReportSerializer, AssignmentSerializer, ProposalAnswerSerializer,
                          ProposalCreateMultipartSerializer, ProposalCreateSerializer, ProposalDeclineSerializer,
                          ProposalHandOverSerializer, ProposalSerializer, RepresentativeSerializer,
                          ResearchClaimSerializer, ResearchTopicCreateSerializer, ResearchTopicSerializer)

LIST_ERRORS = error_responses(400, 401, 403, 404, 406, 429)
STEP_ERRORS = error_responses(*WRITE_ERRORS)
NOT_THE_AGENCY = _("Only the staff of the liaison agency that received this proposal take it to an answer.")
NOT_THE_TOPICS_AGENCY = _("Only the staff of the liaison agency that published this topic manage it.")
ONLY_AGENCY_STAFF = _("Only liaison agency staff do this.")


def agency_of(request, agency_id: int | None, message) -> LiaisonAgency:
    """The caller's liaison agency when it is `agency_id` (any agency when None), else 403 with `message`."""
    own = access.agency_id_for(request.user)
    if not own or (agency_id is not None and not access.runs_agency(request.user, agency_id)):
        raise PermissionDenied(message)
    return LiaisonAgency.objects.select_related("region").get(pk=own)


PROPOSAL_EXAMPLE = OpenApiExample("proposal", response_only=True, status_codes=["200", "201"], value={
    "id": 41, "kind": "suggestion", "title": "关于完善农村道路照明的建议", "body": "建议分批次更换老旧路灯。",
    "sector": "agri", "status": "accepted", "representative": "王立新", "agency": "高唐县党代表联络工作机构",
    "department": None, "answer": "", "attachment": None, "submitted_at": "2026-11-20T10:00:00+08:00",
    "accepted_at": "2026-11-21T09:00:00+08:00", "answered_at": None, "steps": ["hand-over", "answer"]})


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
        summary=_("Submit a proposal or suggestion (representatives)"),
        description=_("JSON, or multipart/form-data to attach a file as on the page. It goes to the liaison agency "
                      "of your region (or the nearest above); 409 when none covers it."),
        request={"application/json": ProposalCreateSerializer,
                 "application/x-www-form-urlencoded": ProposalCreateSerializer,
                 "multipart/form-data": ProposalCreateMultipartSerializer},
        responses={201: ProposalSerializer, **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("proposal", request_only=True, value={
            "kind": "suggestion", "title": "关于完善农村道路照明的建议", "body": "建议分批次更换老旧路灯。"}),
            PROPOSAL_EXAMPLE]),
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
        multipart = (request.content_type or "").startswith("multipart/form-data")
        serializer = (ProposalCreateMultipartSerializer if multipart else ProposalCreateSerializer)(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            proposal = proposal_submit(representative=_rep(request), **serializer.validated_data)
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(self.get_serializer(proposal).data, status=status.HTTP_201_CREATED)

    # The liaison agency's steps, as on /dashboard/agency/: each tells the representative.

    def _step(self, request, service, serializer_class=None):
        proposal = self.get_object()  # not yours to see: 404
        agency = agency_of(request, proposal.agency_id, NOT_THE_AGENCY)
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        with service_refusals():
            service(proposal_id=proposal.pk, agency=agency, actor=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(summary=_("Accept a proposal (liaison agency)"),
                   description=_("409 unless the proposal is submitted (not yet accepted or declined)."),
                   request=None, responses={200: ProposalSerializer, **STEP_ERRORS}, examples=[PROPOSAL_EXAMPLE])
    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, pk=None):
        return self._step(request, proposal_accept)

    @extend_schema(summary=_("Do not accept a proposal, saying why (liaison agency)"),
                   description=_("409 unless the proposal is submitted; 400 without a reason."),
                   request=ProposalDeclineSerializer, responses={200: ProposalSerializer, **STEP_ERRORS},
                   examples=[OpenApiExample("decline", request_only=True, value={"reason": "不属于本级职责范围。"}),
                             PROPOSAL_EXAMPLE])
    @action(detail=True, methods=["post"], filter_backends=[])
    def decline(self, request, pk=None):
        return self._step(request, proposal_decline, ProposalDeclineSerializer)

    @extend_schema(summary=_("Hand an accepted proposal to a department (liaison agency)"),
                   description=_("409 unless the proposal is accepted or already handed over (it may be handed "
                                 "to another department); 400 for a department outside your agency's area."),
                   request=ProposalHandOverSerializer, responses={200: ProposalSerializer, **STEP_ERRORS},
                   examples=[OpenApiExample("hand over", request_only=True, value={"department": "371526-nyj"}),
                             PROPOSAL_EXAMPLE])
    @action(detail=True, methods=["post"], url_path="hand-over", filter_backends=[])
    def hand_over(self, request, pk=None):
        return self._step(request, proposal_hand_over, ProposalHandOverSerializer)

    @extend_schema(summary=_("Record the answer to a proposal (liaison agency)"),
                   description=_("The department's answer, recorded by the agency: 409 unless the proposal is "
                                 "accepted or handed over; 400 without an answer."),
                   request=ProposalAnswerSerializer, responses={200: ProposalSerializer, **STEP_ERRORS},
                   examples=[OpenApiExample("answer", request_only=True, value={"answer": "已列入明年预算。"}),
                             PROPOSAL_EXAMPLE])
    @action(detail=True, methods=["post"], filter_backends=[])
    def answer(self, request, pk=None):
        return self._step(request, proposal_answer, ProposalAnswerSerializer)


class TopicFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ResearchTopic.Status.choices)
    sector = django_filters.CharFilter(field_name="sector__code")

    class Meta:
        model = ResearchTopic
        fields = ["status", "sector"]


TOPIC_EXAMPLE = OpenApiExample("topic", response_only=True, status_codes=["200", "201"], value={
    "id": 7, "title": "农村电商物流调研", "description": "县域快递进村的成本与覆盖。", "sector": "agri",
    "agency": "高唐县党代表联络工作机构", "max_claimants": 3, "claimed": 0, "due_on": "2027-03-31", "status": "open",
    "published_at": "2026-12-01T09:00:00+08:00", "my_claim": None})


@extend_schema_view(
    list=extend_schema(summary=_("Research topics (调研课题)"),
                       responses={200: ResearchTopicSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary=_("One research topic"),
                           responses={200: ResearchTopicSerializer, **error_responses(*READ_ERRORS)}),
    create=extend_schema(
        summary=_("Publish a research topic (liaison agency)"),
        description=_("Representatives of the agency's area can claim it at once. 400 for a due date in the past."),
        request=ResearchTopicCreateSerializer, responses={201: ResearchTopicSerializer, **STEP_ERRORS},
        examples=[OpenApiExample("topic", request_only=True, value={
            "title": "农村电商物流调研", "description": "县域快递进村的成本与覆盖。", "sector": "agri",
            "max_claimants": 3, "due_on": "2027-03-31"}), TOPIC_EXAMPLE]),
)
class ResearchTopicViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
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

    def create(self, request, *args, **kwargs):
        agency = agency_of(request, None, ONLY_AGENCY_STAFF)
        serializer = ResearchTopicCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            topic = research_topic_publish(agency=agency, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=topic.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Close a topic for claims (liaison agency)"),
                   description=_("Claims already made stay, and their reports are still reviewed. 409 when the "
                                 "topic is closed already."),
                   request=None, responses={200: ResearchTopicSerializer, **STEP_ERRORS},
                   examples=[TOPIC_EXAMPLE])
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        topic = self.get_object()
        agency = agency_of(request, topic.agency_id, NOT_THE_TOPICS_AGENCY)
        with service_refusals():
            research_topic_close(topic_id=topic.pk, agency=agency, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=topic.pk)).data)

    @extend_schema(summary=_("Claim a topic (representatives)"), request=None,
                   responses={201: ResearchClaimSerializer, **error_responses(*WRITE_ERRORS)})
    @action(detail=True, methods=["post"], permission_classes=[IsRepresentative])
    def claim(self, request, pk=None):
        topic = self.get_object()
        with service_refusals():
            claim = research_claim(topic_id=topic.pk, representative=_rep(request))
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
        with service_refusals():
            assignment_complete(report_id=report.pk, representative=_rep(request),
                                evidence=serializer.validated_data["evidence"])
        return Response(AssignmentSerializer(self.get_queryset().get(pk=report.pk)).data)
