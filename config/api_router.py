"""The DRF router: every /api/v1/ resource, from each app's api/ package.

Unknown paths under /api/v1/ answer with the API's JSON error shape (404), never an HTML page.
"""
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle

from assessment.api.views import FlagChangeViewSet, RedCardViewSet, ReportFiguresView, ScorecardViewSet
from liaison.api.agency import AgencyAssignmentViewSet
from liaison.api.discussions import DiscussionViewSet
from liaison.api.research import ResearchClaimViewSet
from liaison.api.views import AssignmentViewSet, ProposalViewSet, RepresentativeViewSet, ResearchTopicViewSet
from offices.api.activities import StudioActivityViewSet, StudioOutcomeViewSet
from offices.api.members import StudioMemberViewSet
from offices.api.views import RegionViewSet, SectorViewSet, StudioViewSet
from petitions.api.errors import error_responses
from petitions.api.petitions import HotWordViewSet, PetitionViewSet

router = DefaultRouter(trailing_slash=False)
router.include_root_view = False
# No `.json` twins of every route: they are not in the schema, and a custom action called through one got an
# unexpected `format` argument (500; found by tests/security/test_route_matrix.py). `?format=` and Accept remain.
router.include_format_suffixes = False
router.register("sectors", SectorViewSet, basename="sector")
router.register("regions", RegionViewSet, basename="region")
router.register("studios", StudioViewSet, basename="studio")
router.register(r"studios/(?P<studio_code>[^/.]+)/members", StudioMemberViewSet, basename="studio-member")
router.register(r"studios/(?P<studio_code>[^/.]+)/activities", StudioActivityViewSet, basename="studio-activity")
router.register(r"studios/(?P<studio_code>[^/.]+)/outcomes", StudioOutcomeViewSet, basename="studio-outcome")
router.register("representatives", RepresentativeViewSet, basename="representative")
router.register("petitions", PetitionViewSet, basename="petition")
router.register("hot-words", HotWordViewSet, basename="hot-word")
router.register("flags", FlagChangeViewSet, basename="flag")
router.register("red-cards", RedCardViewSet, basename="red-card")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("research-topics", ResearchTopicViewSet, basename="research-topic")
router.register("research-claims", ResearchClaimViewSet, basename="research-claim")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("discussions", DiscussionViewSet, basename="discussion")
router.register("agency/assignments", AgencyAssignmentViewSet, basename="agency-assignment")


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def api_not_found(request, *args, **kwargs):
    raise NotFound(_("No such API endpoint."))


api_not_found.cls.schema = None

class ObtainToken(ObtainAuthToken):
    """POST username and password, get the account's API token (send it as `Authorization: Token <key>`)."""

    throttle_classes = [AnonRateThrottle]

    @extend_schema(summary=_("Get your API token"), request=AuthTokenSerializer,
                   responses={200: inline_serializer("Token", {"token": serializers.CharField()}),
                              **error_responses(400, 406, 415, 429)},
                   examples=[OpenApiExample("login", request_only=True,
                                            value={"username": "daibiao", "password": "demo12345"})])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


urlpatterns = [
    path("auth/token", ObtainToken.as_view(), name="api-token"),
    path("", include("petitions.api.urls")),  # /api/v1/hotline/events (12345 callbacks)
    path("reports/figures", ReportFiguresView.as_view(), name="report-figures"),
    *router.urls,
    re_path(r"^[\s\S]*$", api_not_found),  # [\s\S]: a path with an encoded line break is an API path too
]
