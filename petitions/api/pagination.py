"""Pagination and ordering that refuse what they do not understand (400), instead of quietly ignoring it."""
from datetime import timezone as dt_timezone

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.fields import IsoDateTimeField
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """?page=N&page_size=M (1 to 200); the default page is REST_FRAMEWORK["PAGE_SIZE"] rows."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                _("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class StrictOrderingFilter(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params is not None:  # present but empty ("?ordering=") is refused too, not ignored
            fields = [p.strip() for p in params.split(",")]
            valid = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            unknown = [f for f in fields if not f.lstrip("-") or f.lstrip("-") not in valid]
            if unknown:
                raise ValidationError({self.ordering_param: [
                    _("Order by one of: %(fields)s.") % {"fields": ", ".join(sorted(valid))}]})
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = [f if isinstance(f, str) else f[0] for f in getattr(view, "ordering_fields", None) or []]
        for parameter in parameters:
            if parameter["name"] == self.ordering_param and fields:
                parameter["schema"] = {"type": "string", "enum": [p + f for f in fields for p in ("", "-")]}
        return parameters


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, turned to UTC at once: PostgreSQL refuses offsets past ±15:59 (a 500 otherwise)."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(dt_timezone.utc)
        except (OverflowError, ValueError) as exc:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from exc


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


def has_nul(params) -> bool:
    return any("\x00" in key or "\x00" in value for key, values in params.lists() for value in values)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, except that an empty value for a choice, number or date filter is refused (400)
    instead of meaning "no filter": the schema lists the allowed values and "" is not one of them."""

    STRICT = (django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter, django_filters.NumberFilter,
              django_filters.DateFilter, django_filters.IsoDateTimeFilter, django_filters.DateTimeFilter)

    # Parameters every list understands besides its filters.
    COMMON = {"page", "page_size", "ordering", "search", "format"}

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = self.COMMON | set(filterset_class.base_filters if filterset_class else ())
        if has_nul(request.query_params):
            # PostgreSQL cannot compare text with NUL in it: refuse it here, with a reason, not with a 500.
            raise ValidationError({"non_field_errors": [_("Parameters cannot contain NUL characters.")]})
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name: [_("Unknown parameter.")] for name in unknown[:20]})
        if filterset_class is not None:
            empty = [name for name, f in filterset_class.base_filters.items()
                     if isinstance(f, self.STRICT) and any(v == "" for v in request.query_params.getlist(name))]
            if empty:
                raise ValidationError({name: [_("Leave the parameter out rather than sending it empty.")]
                                       for name in empty})
        return super().filter_queryset(request, queryset, view)
