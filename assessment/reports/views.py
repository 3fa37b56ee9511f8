"""/reports/: the organisation department's overview, operation and assessment pages, with exports.

The grouped tables (overview, team, position: tens of rows the page computes anyway) export streamed from
the page; the tables that grow with the data (operation, rankings, a scorecard's petitions) are built by a
background download (assessment/downloads/), started by the page's export form.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Scorecard, ScoreWeights
from ..scorecards import PETITION_FIGURES
from . import selectors, svg
from .snapshots import report_snapshot
from .access import can_see_scorecard, organisation_required
from .export import FORMATS, export_response
from .filters import parse_filters

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _filtered(request, template, context=None):
    """Parse the filters; on bad input render the page with the form's message and status 400."""
    form, filters = parse_filters(request.GET)
    if filters is None:
        tab = template.rsplit("/", 1)[-1].split(".")[0]
        return form, None, render(request, template, {**(context or {}), "form": form, "invalid": True, "tab": tab},
                                  status=400)
    return form, filters, None


def _export_format(request):
    fmt = request.GET.get("export")
    if fmt and fmt not in FORMATS:
        raise Http404(_("Unknown export format."))
    return fmt


def _in_the_background(request):
    """A link to a large table's export (an old bookmark): its file is made in the background now. Back to
    the page, without the export, saying how."""
    messages.info(request, _("This table is prepared in the background: press XLSX or CSV next to it, and follow "
                             "its progress."))
    query = request.GET.copy()
    for name in ("export", "table"):
        query.pop(name, None)
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def _table_or_404(tables, request):
    name = request.GET.get("table")
    if name not in tables:
        raise Http404(_("Unknown table."))
    return tables[name]


@organisation_required
def overview(request):
    form, f, bad = _filtered(request, "reports/overview.html")
    if bad:
        return bad
    snapshot = report_snapshot("overview", f, lambda: selectors.overview(f))
    data = snapshot.data
    tables = selectors.overview_tables(data)
    fmt = _export_format(request)
    if fmt:
        return export_response(_table_or_404(tables, request), fmt)
    charts = {
        "monthly": svg.line_chart([f"{m:%Y-%m}" for m, _c, _r in data["monthly"]],
                                  [(str(_("collected")), [c for _m, c, _r in data["monthly"]]),
                                   (str(_("resolved")), [r for _m, _c, r in data["monthly"]])],
                                  title=str(_("Petitions by month"))),
        "weekly": svg.line_chart([f"{m:%m-%d}" for m, _c, _r in data["weekly"]],
                                 [(str(_("collected")), [c for _m, c, _r in data["weekly"]]),
                                  (str(_("resolved")), [r for _m, _c, r in data["weekly"]])],
                                 title=str(_("Petitions by week"))),
        "sectors": svg.bar_chart([(r["sector__name"] or str(_("not yet routed")), r["collected"])
                                  for r in data["by_sector"]], title=str(_("Petitions by sector"))),
    }
    return render(request, "reports/overview.html", {"form": form, "filters": f, "data": data, "charts": charts,
                                                     "qs": f.querystring(), "tab": "overview", "snapshot": snapshot})


@organisation_required
def operation(request):
    form, f, bad = _filtered(request, "reports/operation.html")
    if bad:
        return bad
    if _export_format(request):
        return _in_the_background(request)
    today = timezone.localdate()
    snapshot = report_snapshot("operation", f, lambda: selectors.operation(f, today=today), today)
    rows = snapshot.data
    chart = svg.bar_chart([(r["name"], r["load"]) for r in sorted(rows, key=lambda r: -r["load"])[:15]],
                          title=str(_("Open petitions by studio (top 15)")))
    return render(request, "reports/operation.html", {
        "form": form, "filters": f, "rows": rows, "chart": chart, "inactive_days": selectors.inactive_days(),
        "inactive_count": sum(r["inactive"] for r in rows), "qs": f.querystring(), "tab": "operation",
        "snapshot": snapshot})


@organisation_required
def assessment(request):
    form, f, bad = _filtered(request, "reports/assessment.html")
    if bad:
        return bad
    if _export_format(request):
        return _in_the_background(request)
    studios = selectors.rankings(f, "studio")
    representatives = selectors.rankings(f, "representative")
    studio_page = _page(request, studios)
    rep_page = Paginator(representatives, PAGE_SIZE).get_page(request.GET.get("rpage"))
    return render(request, "reports/assessment.html", {
        "form": form, "filters": f, "studio_page": studio_page, "rep_page": rep_page,
        "studio_flags": selectors.flag_summary(studios), "rep_flags": selectors.flag_summary(representatives),
        "weights": ScoreWeights.current(), "qs": f.querystring(), "tab": "assessment",
        "studio_offset": studio_page.start_index() - 1 if studio_page.paginator.count else 0,
        "rep_offset": rep_page.start_index() - 1 if rep_page.paginator.count else 0})


def _card_for(request, pk):
    """The organisation department sees every scorecard; a representative only their own."""
    if not request.user.is_authenticated:
        return None
    card = get_object_or_404(Scorecard.objects.select_related("studio", "representative"), pk=pk)
    if can_see_scorecard(request.user, card):
        return card
    raise PermissionDenied


def scorecard(request, pk):
    card = _card_for(request, pk)
    if card is None:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    figures = [(name, getattr(card, name), name in PETITION_FIGURES or name in ("yellow", "red"))
               for name in ("received", "accepted_on_time", "resolved", "resolved_on_time", "rated", "satisfied",
                            "reopened", "yellow", "red", "red_cards_open", "red_cards_rectified", "proposals",
                            "research", "assignments", "assignments_overdue", "activities")]
    labels = {f.name: f.verbose_name for f in Scorecard._meta.fields}
    return render(request, "reports/scorecard.html", {
        "card": card, "figures": [(name, labels[name], value, drill) for name, value, drill in figures],
        "weights": ScoreWeights.current()})


def scorecard_petitions(request, pk, figure):
    card = _card_for(request, pk)
    if card is None:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    try:
        qs = selectors.scorecard_petitions(card, figure)
    except KeyError:
        raise Http404(_("Unknown figure.")) from None
    if _export_format(request):
        return _in_the_background(request)
    label = Scorecard._meta.get_field(figure).verbose_name
    return render(request, "reports/scorecard_petitions.html", {"card": card, "figure": figure, "label": label,
                                                                "page": _page(request, qs)})


_GROUP_TITLES = {"levels": _("level"), "sectors": _("sector"), "regions": _("region"), "kinds": _("kind")}


def _grouped_page(request, *, tab, title, groups, columns, chart_key):
    form, f, bad = _filtered(request, "reports/grouped.html", {"tab": tab, "title": title})
    if bad:
        return bad
    snapshot = report_snapshot(tab, f, lambda: groups(f))
    data = snapshot.data
    tables = selectors.grouped_tables(tab, data, columns, _GROUP_TITLES)
    fmt = _export_format(request)
    if fmt:
        return export_response(_table_or_404(tables, request), fmt)
    sections = [{"name": name, "title": _GROUP_TITLES[name], "rows": rows,
                 "chart": svg.bar_chart([(r["label"], r[chart_key]) for r in rows[:15]],
                                        title=str(_GROUP_TITLES[name]))} for name, rows in data.items()]
    return render(request, "reports/grouped.html", {
        "form": form, "filters": f, "tab": tab, "title": title, "sections": sections,
        "columns": [label for label, _key in columns], "keys": [key for _label, key in columns],
        "qs": f.querystring(), "snapshot": snapshot})


@organisation_required
def team(request):
    return _grouped_page(request, tab="team", title=_("Team building"), groups=selectors.team,
                         columns=[(_("representatives"), "count"), (_("active in the period"), "active")],
                         chart_key="count")


@organisation_required
def position(request):
    return _grouped_page(request, tab="position", title=_("Position building"), groups=selectors.position,
                         columns=[(_("studios"), "studios"), (_("activities"), "activities"),
                                  (_("outcomes"), "outcomes")], chart_key="studios")
