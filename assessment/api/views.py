"""Flags, red cards (as each role may see them), scorecards and report figures (organisation only)."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from rest_framework.response import Response
from rest_framework.views import APIView

from liaison import access
from petitions.models import Petition
from offices.choices import Flag, Level
from petitions.api.errors import READ_ERRORS, error_responses
from petitions.api.pagination import ApiPagination
from petitions.api.pagination import IsoDateTimeFilter, StrictFilterBackend, has_nul
from petitions.api.pagination import StrictOrderingFilter as OrderingFilter
from petitions.api.permissions import HasRole, IsOrganisation

from ..models import FlagChange, RedCard, Scorecard
from ..reports.filters import parse_filters
from ..reports.selectors import overview
from ..reports.snapshots import report_snapshot
from .serializers import FlagChangeSerializer, RedCardSerializer, ReportFiguresSerializer, ScorecardSerializer

LIST_ERRORS = error_responses(400, 401, 403, 404, 406, 429)


def _scope_q(actor, prefix: str = "") -> Q | None:
    """Flags and red cards a role may see: those of the petitions it sees (liaison.access), and its own
    studios' and its own. None: everything (organisation department, superusers)."""
    petition_q = access.petition_visibility_q(actor)
    if petition_q is None:
        return None
    visible = Petition.objects.filter(petition_q).values("pk")
    q = Q(petition__in=visible)
    if actor.studio_ids:
        q |= Q(studio_id__in=actor.studio_ids)
    if actor.representative_id:
        q |= Q(representative_id=actor.representative_id)
    return q


class FlagFilter(django_filters.FilterSet):
    to_flag = django_filters.ChoiceFilter(choices=Flag.choices)
    petition = django_filters.CharFilter(field_name="petition__tracking_code")
    since = IsoDateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = FlagChange
        fields = ["to_flag", "petition", "since"]


@extend_schema_view(
    list=extend_schema(summary=_("Flag changes (蓝黄红预警) you may see"),
                       responses={200: FlagChangeSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary=_("One flag change"), responses={200: FlagChangeSerializer,
                                                                    **error_responses(*READ_ERRORS)}),
)
class FlagChangeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FlagChangeSerializer
    permission_classes = [HasRole]
    pagination_class = ApiPagination
    filterset_class = FlagFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["at"]

    def get_queryset(self):
        qs = FlagChange.objects.select_related("petition", "representative", "studio").order_by("-at", "-id")
        q = _scope_q(access.actor_for(self.request.user))
        return qs if q is None else qs.filter(q)


class RedCardFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RedCard.Status.choices)
    studio = django_filters.CharFilter(field_name="studio__code")

    class Meta:
        model = RedCard
        fields = ["status", "studio"]


@extend_schema_view(
    list=extend_schema(summary=_("Red cards (亮红牌) you may see"),
                       responses={200: RedCardSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary=_("One red card"), responses={200: RedCardSerializer,
                                                                 **error_responses(*READ_ERRORS)}),
)
class RedCardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RedCardSerializer
    permission_classes = [HasRole]
    pagination_class = ApiPagination
    filterset_class = RedCardFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["issued_at", "rectify_by"]

    def get_queryset(self):
        qs = RedCard.objects.select_related("petition", "representative", "studio").order_by("-issued_at", "-id")
        q = _scope_q(access.actor_for(self.request.user))
        return qs if q is None else qs.filter(q)


class ScorecardFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(choices=Scorecard.Period.choices)
    period_start = django_filters.DateFilter()
    subject = django_filters.ChoiceFilter(choices=[("studio", _("studios")), ("representative", _("representatives"))],
                                          method="filter_subject")
    flag = django_filters.ChoiceFilter(choices=Flag.choices)

    class Meta:
        model = Scorecard
        fields = ["period", "period_start", "subject", "flag"]

    def filter_subject(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


@extend_schema_view(
    list=extend_schema(summary=_("Scorecards (考核评价), organisation department only"),
                       responses={200: ScorecardSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary=_("One scorecard"), responses={200: ScorecardSerializer,
                                                                  **error_responses(*READ_ERRORS)}),
)
class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ScorecardSerializer
    permission_classes = [IsOrganisation]
    pagination_class = ApiPagination
    filterset_class = ScorecardFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["score", "period_start"]
    queryset = Scorecard.objects.select_related("representative", "studio").order_by("-period_start", "-score", "id")


class ReportFiguresView(APIView):
    """The figures of the /reports/ overview: counters, weekly and monthly trends, the split by sector."""

    permission_classes = [IsOrganisation]

    @extend_schema(
        summary=_("Report figures, organisation department only"),
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=Scorecard.Period.values),
            OpenApiParameter("start", OpenApiTypes.DATE, description=_("The period's first day.")),
            OpenApiParameter("region", OpenApiTypes.INT, description=_("A region's id (city, county or township).")),
            OpenApiParameter("sector", OpenApiTypes.INT, description=_("A sector's id.")),
            OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values),
        ],
        responses={200: ReportFiguresSerializer, **error_responses(*READ_ERRORS)},
    )
    def get(self, request):
        if has_nul(request.query_params):
            raise ValidationError({"non_field_errors": [_("Parameters cannot contain NUL characters.")]})
        unknown = sorted(set(request.query_params) - {"period", "start", "region", "sector", "level", "format"})
        if unknown:
            raise ValidationError({name: [_("Unknown parameter.")] for name in unknown[:20]})
        form, f = parse_filters(request.query_params)
        if f is None:
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        snapshot = report_snapshot("overview", f, lambda: overview(f))
        data = snapshot.data

        def points(rows):
            return [{"start": start, "collected": c, "resolved": r} for start, c, r in rows]

        body = {"period": f.period, "start": f.start, "end": f.end, **data["totals"], "as_of": snapshot.as_of,
                "weekly": points(data["weekly"]), "monthly": points(data["monthly"]),
                "by_sector": [{"sector": row["sector__name"], "collected": row["collected"],
                               "resolved": row["resolved"]} for row in data["by_sector"]]}
        return Response(ReportFiguresSerializer(body).data)
