"""Sectors, regions and studios: public, read-only, the fields the public pages show."""
import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny

from petitions.api.errors import READ_ERRORS, error_responses
from petitions.api.pagination import ApiPagination
from petitions.api.pagination import StrictFilterBackend
from petitions.api.pagination import StrictOrderingFilter as OrderingFilter

from ..choices import Level
from ..models import Region, Sector, Studio
from .serializers import RegionSerializer, SectorSerializer, StudioSerializer



class SectorFilter(django_filters.FilterSet):
    class Meta:
        model = Sector
        fields = {"code": ["exact"]}


@extend_schema_view(
    list=extend_schema(summary=_("Sectors (领域)"), responses={200: SectorSerializer(many=True),
                                                            **error_responses(400, 404, 406, 429)}),
    retrieve=extend_schema(summary=_("One sector"), responses={200: SectorSerializer,
                                                               **error_responses(*READ_ERRORS)}),
)
class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Sector.objects.order_by("position", "id")
    serializer_class = SectorSerializer
    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filterset_class = SectorFilter
    filter_backends = [StrictFilterBackend]
    lookup_field = "code"


class RegionFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", help_text=_("The parent region's code."))
    within = django_filters.CharFilter(method="filter_within", help_text=_("A region's code: it and its subtree."))

    class Meta:
        model = Region
        fields = {"kind": ["exact"]}

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__contains=f"/{value}/")


@extend_schema_view(
    list=extend_schema(summary=_("Regions (区域): city, counties, townships, villages"),
                       responses={200: RegionSerializer(many=True), **error_responses(400, 404, 406, 429)}),
    retrieve=extend_schema(summary=_("One region"), responses={200: RegionSerializer,
                                                               **error_responses(*READ_ERRORS)}),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.select_related("parent").order_by("path")
    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filterset_class = RegionFilter
    filter_backends = [StrictFilterBackend, SearchFilter]
    search_fields = ["name"]
    lookup_field = "code"


class StudioFilter(django_filters.FilterSet):
    sector = django_filters.CharFilter(field_name="sector__code", help_text=_("The main sector's code."))
    region = django_filters.CharFilter(method="filter_region", help_text=_("A region's code: studios in its subtree."))
    level = django_filters.ChoiceFilter(choices=Level.choices)
    kind = django_filters.ChoiceFilter(choices=Studio.Kind.choices)

    class Meta:
        model = Studio
        fields = ["sector", "region", "level", "kind"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__path__contains=f"/{value}/")


@extend_schema_view(
    list=extend_schema(summary=_("Studios (工作室), public fields"),
                       responses={200: StudioSerializer(many=True), **error_responses(400, 404, 406, 429)}),
    retrieve=extend_schema(summary=_("One studio, by its public code"),
                           responses={200: StudioSerializer, **error_responses(*READ_ERRORS)}),
)
class StudioViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = (Studio.objects.filter(active=True).select_related("sector", "region", "host_department", "lead")
                .prefetch_related("sectors"))
    serializer_class = StudioSerializer
    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filterset_class = StudioFilter
    filter_backends = [StrictFilterBackend, SearchFilter, OrderingFilter]
    search_fields = ["name"]
    ordering_fields = ["name", "code", "created_at"]
    ordering = ["region__path", "kind", "sector__position", "name"]
    lookup_field = "code"
