"""Research claims (调研课题的认领): the representative submits the report, the liaison agency that published
the topic reviews it, as on /dashboard/research/ and /dashboard/agency/research/.

Who sees a claim: its representative, the agency of its topic, the organisation department. A claim you
may not see is 404; one you see but whose step is not yours (another's report, another agency's review)
is 403. Writes call liaison.services; an accepted report counts once on the representative's duty log.
"""
import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from petitions.api.errors import READ_ERRORS, WRITE_ERRORS, error_responses
from petitions.api.pagination import ApiPagination, StrictFilterBackend
from petitions.api.permissions import HasRole

from .. import access
from ..models import ResearchClaim
from ..services import research_report_review, research_report_submit
from .common import service_refusals
from .serializers import ResearchClaimSerializer, ResearchReportSubmitSerializer, ResearchReviewSerializer
from .views import _rep, agency_of

NOT_YOUR_CLAIM = _("Only the representative who claimed the topic submits its report.")
NOT_THE_REVIEWER = _("Only the staff of the liaison agency that published the topic review its reports.")

CLAIM_EXAMPLE = OpenApiExample("claim", response_only=True, status_codes=["200"], value={
    "id": 12, "topic": 7, "topic_title": "农村电商物流调研", "representative": "王立新", "status": "submitted",
    "report": "走访 6 个乡镇快递网点，进村成本每件约 1.2 元。", "review": "", "claimed_at": "2026-12-02T10:00:00+08:00",
    "submitted_at": "2027-01-15T16:30:00+08:00", "reviewed_at": None})


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ResearchClaim.Status.choices)

    class Meta:
        model = ResearchClaim
        fields = ["status"]


@extend_schema_view(
    list=extend_schema(summary=_("Research claims: yours; your agency's topics'; everything for the organisation"),
                       responses={200: ResearchClaimSerializer(many=True),
                                  **error_responses(400, 401, 403, 404, 406, 429)}),
    retrieve=extend_schema(summary=_("One research claim, with its report and review"),
                           responses={200: ResearchClaimSerializer, **error_responses(*READ_ERRORS)}),
)
class ResearchClaimViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ResearchClaimSerializer
    permission_classes = [HasRole]
    pagination_class = ApiPagination
    filterset_class = ClaimFilter
    filter_backends = [StrictFilterBackend]

    def get_queryset(self):
        return (access.research_claims_visible_to(self.request.user).select_related("topic", "representative")
                .order_by("status", "-claimed_at", "-id"))

    def _fresh(self, claim):
        return Response(self.get_serializer(self.get_queryset().get(pk=claim.pk)).data)

    @extend_schema(
        summary=_("Submit the research report on a claimed topic (the claiming representative)"),
        description=_("409 once submitted (until the agency returns it for revision) or accepted; 400 when the "
                      "report is empty. It counts on your duty log once the agency accepts it."),
        request=ResearchReportSubmitSerializer, responses={200: ResearchClaimSerializer,
                                                          **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("report", request_only=True,
                                 value={"report": "走访 6 个乡镇快递网点，进村成本每件约 1.2 元。"}), CLAIM_EXAMPLE])
    @action(detail=True, methods=["post"], filter_backends=[])
    def report(self, request, pk=None):
        claim = self.get_object()
        if claim.representative_id != access.actor_for(request.user).representative_id:
            raise PermissionDenied(NOT_YOUR_CLAIM)
        serializer = ResearchReportSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            research_report_submit(claim_id=claim.pk, representative=_rep(request),
                                   report=serializer.validated_data["report"])
        return self._fresh(claim)

    @extend_schema(
        summary=_("Review a submitted report: accept it, or return it for revision (liaison agency)"),
        description=_("Accepting counts the report on the representative's duty log; returning needs a review "
                      "that says what to revise (400 without). 409 unless the report is submitted."),
        request=ResearchReviewSerializer, responses={200: ResearchClaimSerializer,
                                                     **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("accept", request_only=True, value={"decision": "accept", "review": "数据扎实。"}),
                  OpenApiExample("return", request_only=True, value={"decision": "return", "review": "请补充成本数据。"}),
                  CLAIM_EXAMPLE])
    @action(detail=True, methods=["post"], filter_backends=[])
    def review(self, request, pk=None):
        claim = self.get_object()
        agency = agency_of(request, claim.topic.agency_id, NOT_THE_REVIEWER)
        serializer = ResearchReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_refusals():
            research_report_review(claim_id=claim.pk, agency=agency, actor=request.user,
                                   accept=data["decision"] == "accept", review=data["review"])
        return self._fresh(claim)
