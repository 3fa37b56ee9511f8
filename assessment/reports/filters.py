"""The report filters: period, region, sector, level. Bad input gets a clear message, never a 500."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from offices.choices import Level
from offices.models import Region, Sector

from ..models import Scorecard
from ..scorecards import InvalidPeriod, period_bounds, period_start_for
from ..workdays import TZ


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("period"), choices=Scorecard.Period.choices, required=False)
    start = forms.DateField(label=_("period start"), required=False,
                            help_text=_("The first day of the month, quarter or year; empty for the current one."),
                            widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ModelChoiceField(label=_("region"), required=False, queryset=Region.objects.filter(
        kind__in=[Region.Kind.CITY, Region.Kind.COUNTY, Region.Kind.TOWNSHIP]).order_by("path"))
    sector = forms.ModelChoiceField(label=_("sector"), required=False, queryset=Sector.objects.all())
    level = forms.ChoiceField(label=_("level"), required=False, choices=[("", "---------"), *Level.choices])

    def clean(self):
        data = super().clean()
        period = data.get("period") or Scorecard.Period.MONTH
        data["period"] = period
        start = data.get("start") or period_start_for(period)
        try:
            data["start"], data["end"] = period_bounds(period, start)
        except InvalidPeriod:
            self.add_error("start", _("A %(period)s starts on its first day: %(example)s.") % {
                "period": Scorecard.Period(period).label, "example": period_start_for(period, start).isoformat()})
        return data


@dataclass(frozen=True)
class Filters:
    period: str
    start: date
    end: date
    region: Region | None
    sector: Sector | None
    level: str

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=TZ)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end, time(0), tzinfo=TZ)

    def petitions_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.region:
            q &= Q(**{f"{prefix}region__path__startswith": self.region.path})
        if self.sector:
            q &= Q(**{f"{prefix}sector": self.sector})
        if self.level:
            q &= Q(**{f"{prefix}studio__level": self.level})
        return q

    def studios_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.region:
            q &= Q(**{f"{prefix}region__path__startswith": self.region.path})
        if self.sector:
            q &= Q(**{f"{prefix}sector": self.sector})
        if self.level:
            q &= Q(**{f"{prefix}level": self.level})
        return q

    def representatives_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.region:
            q &= Q(**{f"{prefix}region__path__startswith": self.region.path})
        if self.sector:
            q &= Q(**{f"{prefix}sectors": self.sector})
        if self.level:
            q &= Q(**{f"{prefix}level": self.level})
        return q

    def params(self) -> dict[str, str]:
        """The filters as the form's fields (what a link or a background download carries), empty ones left out."""
        return {k: str(v) for k, v in {
            "period": self.period, "start": self.start.isoformat(), "region": self.region.pk if self.region else "",
            "sector": self.sector.pk if self.sector else "", "level": self.level}.items() if v}

    def querystring(self) -> str:
        from urllib.parse import urlencode

        return urlencode(self.params())


def parse_filters(params) -> tuple[ReportFilterForm, Filters | None]:
    form = ReportFilterForm(params or None)
    if not params:
        form = ReportFilterForm({})
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    return form, Filters(d["period"], d["start"], d["end"], d.get("region"), d.get("sector"), d.get("level") or "")
