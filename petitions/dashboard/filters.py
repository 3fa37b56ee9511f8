"""The queue's filters (django-filter): status, loop, flag, sector, date range, and a search box."""
import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from offices.choices import Flag, Loop
from offices.models import Sector
from petitions.models import OPEN_STATUSES, Status

OPEN = "open"
STATUS_CHOICES = [(OPEN, _("all open")), *Status.choices]


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"),
                                  widget=forms.TextInput(attrs={"type": "search",
                                                                "placeholder": _("tracking code or words")}))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("Status"),
                                         empty_label=_("all"))
    loop = django_filters.ChoiceFilter(choices=Loop.choices, label=_("Loop"), empty_label=_("all"))
    flag = django_filters.ChoiceFilter(choices=Flag.choices, label=_("Flag"), empty_label=_("all"))
    sector = django_filters.ModelChoiceFilter(queryset=Sector.objects.all(), label=_("Sector"), empty_label=_("all"))
    submitted_from = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte",
                                               label=_("Submitted from"),
                                               widget=forms.DateInput(attrs={"type": "date"}))
    submitted_to = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte",
                                             label=_("Submitted to"), widget=forms.DateInput(attrs={"type": "date"}))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(tracking_code__iexact=value) | Q(text__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value) if value else queryset


def queue_filter_data(querydict):
    """The queue opens on the unfinished petitions; `?status=` (empty) shows all of them."""
    data = querydict.copy()
    if "status" not in data:
        data["status"] = OPEN
    return data
