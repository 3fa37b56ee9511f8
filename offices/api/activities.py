"""A studio's work over the API: the activities it held and the outcomes it measured.

Reading is public, with what the studio's public page (/s/<code>/) shows of them. Recording an activity,
with an outcome if there is one, is for the studio's lead, admins and staff (and superusers), as on
/dashboard/studio/<code>/: the page's own form judges the input (a date not yet come, a representative
who is not a member, an outcome without its value) and offices.services.studio_activity_record writes it,
counting it on the duty log of each representative who took part.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from liaison import access
from petitions.api.errors import READ_ERRORS, WRITE_ERRORS, StrictSerializer, error_responses
from petitions.api.pagination import ApiPagination

from ..models import Studio, StudioActivity, StudioOutcome
from ..services import studio_activity_record

NOT_A_MANAGER = _("Only the studio's lead representative, its admins and its staff record its activities.")
MAX_PEOPLE = 2**31 - 1  # the column's range (PositiveIntegerField)


class StudioOutcomeSerializer(serializers.ModelSerializer):
    activity = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                  help_text=_("The activity it came from, or null."))

    class Meta:
        model = StudioOutcome
        fields = ["id", "metric", "value", "achieved_on", "description", "activity"]


class ActivityOutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StudioOutcome
        fields = ["metric", "value"]


class StudioActivitySerializer(serializers.ModelSerializer):
    """What the studio's public page shows of an activity, with the outcomes measured at it."""

    outcomes = ActivityOutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = StudioActivity
        fields = ["id", "kind", "title", "held_on", "people_reached", "outcomes"]


class StudioActivityRecordedSerializer(StudioActivitySerializer):
    """The recorded activity as its studio's managers see it on their page."""

    representatives = serializers.PrimaryKeyRelatedField(many=True, read_only=True,
                                                         help_text=_("The ids of the representatives who took "
                                                                     "part (/api/v1/representatives)."))

    class Meta(StudioActivitySerializer.Meta):
        fields = [*StudioActivitySerializer.Meta.fields, "description", "representatives", "created_at"]


class StudioActivityRecordSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=StudioActivity.Kind.choices)
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField(help_text=_("The day it took place (today or earlier)."))
    people_reached = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, default=0)
    representatives = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=500, default=list,
        help_text=_("The ids of the studio's members who took part; each gets it on their duty log."))
    outcome_metric = serializers.ChoiceField(choices=StudioOutcome.Metric.choices, required=False, allow_blank=True,
                                             help_text=_("An outcome measured at it (with outcome_value), if any."))
    outcome_value = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False,
                                             allow_null=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


STUDIO_CODE = OpenApiParameter("studio_code", OpenApiTypes.STR, OpenApiParameter.PATH,
                               description=_("The studio's public code."))
ACTIVITY = OpenApiExample("activity", response_only=True, status_codes=["201"], value={
    "id": 812, "kind": "training", "title": "玉米秸秆还田技术培训", "held_on": "2026-11-28", "people_reached": 46,
    "outcomes": [{"metric": "people_trained", "value": "46.00"}], "description": "在梁村镇农技站举办。",
    "representatives": [4, 17], "created_at": "2026-11-28T17:05:00+08:00"})


class _StudioScoped(viewsets.GenericViewSet):
    """A studio's rows, under /api/v1/studios/<studio_code>/…, as /api/v1/studios lists studios: an inactive
    studio is not there, except for those who manage it."""

    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filter_backends = []

    def studio(self) -> Studio:
        if not hasattr(self, "_studio"):
            studio = Studio.objects.select_related("region").filter(code=self.kwargs["studio_code"]).first()
            if studio is None or not (studio.active or access.can_manage_studio(self.request.user, studio)):
                raise NotFound(_("No such studio."))
            self._studio = studio
        return self._studio


@extend_schema_view(
    list=extend_schema(summary=_("A studio's activities, newest first (public)"), parameters=[STUDIO_CODE],
                       responses={200: StudioActivitySerializer(many=True), **error_responses(*READ_ERRORS)}),
    create=extend_schema(
        summary=_("Record an activity the studio held, with an outcome if one was measured (its lead, admins "
                  "and staff)"),
        description=_("400 for a date not yet come, a representative who is not a member, or an outcome without "
                      "its value. Each representative who took part gets it on their duty log."),
        parameters=[STUDIO_CODE], request=StudioActivityRecordSerializer,
        responses={201: StudioActivityRecordedSerializer, **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("training", request_only=True, value={
            "kind": "training", "title": "玉米秸秆还田技术培训", "held_on": "2026-11-28", "people_reached": 46,
            "representatives": [4, 17], "outcome_metric": "people_trained", "outcome_value": "46",
            "description": "在梁村镇农技站举办。"}), ACTIVITY]),
)
class StudioActivityViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, _StudioScoped):
    serializer_class = StudioActivitySerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no studio in the path
            return StudioActivity.objects.none()
        return (StudioActivity.objects.filter(studio=self.studio()).prefetch_related("outcomes")
                .order_by("-held_on", "-id"))

    def create(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        studio = self.studio()
        if not access.can_manage_studio(request.user, studio):
            raise PermissionDenied(NOT_A_MANAGER)
        serializer = StudioActivityRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = _page_form(serializer.validated_data, studio)
        activity = studio_activity_record(studio=studio, recorded_by=request.user, **form.cleaned_data)
        activity = (StudioActivity.objects.prefetch_related("outcomes", "representatives").get(pk=activity.pk))
        return Response(StudioActivityRecordedSerializer(activity).data, status=status.HTTP_201_CREATED)


def _page_form(data: dict, studio: Studio):
    """The activity form of /dashboard/studio/<code>/, filled from the API's input: one set of rules for both."""
    from petitions.dashboard.duties import ActivityForm

    value = data.get("outcome_value")
    form = ActivityForm({
        "kind": data["kind"], "title": data["title"], "held_on": data["held_on"].isoformat(),
        "people_reached": data["people_reached"], "representatives": [str(pk) for pk in data["representatives"]],
        "outcome_metric": data.get("outcome_metric", ""), "outcome_value": "" if value is None else str(value),
        "description": data["description"],
    }, studio=studio)
    if not form.is_valid():
        raise ValidationError({("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
                               for field, messages in form.errors.items()})
    return form


@extend_schema_view(
    list=extend_schema(summary=_("A studio's measured outcomes, newest first (public)"), parameters=[STUDIO_CODE],
                       responses={200: StudioOutcomeSerializer(many=True), **error_responses(*READ_ERRORS)}),
)
class StudioOutcomeViewSet(mixins.ListModelMixin, _StudioScoped):
    serializer_class = StudioOutcomeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StudioOutcome.objects.none()
        return StudioOutcome.objects.filter(studio=self.studio()).order_by("-achieved_on", "-id")
