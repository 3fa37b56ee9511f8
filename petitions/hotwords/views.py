"""Staff pages of hot words: the ranked lists per window and scope, and the petitions behind one term."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from liaison import access
from offices.models import Region, Sector

from ..models import HotWordScope, HotWordWindow
from . import selectors

PAGE_SIZE = 50


def _int(value):
    try:
        number = int(str(value)[:12])
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _datetime(value):
    """An ISO date and time from the query string, aware; None when absent or malformed."""
    try:
        parsed = parse_datetime(str(value or "")[:40])
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _window(value):
    return value if value in HotWordWindow.values else HotWordWindow.WEEK


def _staff_only(request):
    if not access.actor_for(request.user).has_role:
        raise PermissionDenied(_("Hot words behind the petitions are for representatives and staff."))


@login_required
def index(request):
    _staff_only(request)
    window = _window(request.GET.get("window"))
    region_id, sector_id = _int(request.GET.get("region")), _int(request.GET.get("sector"))
    if sector_id:
        scope = HotWordScope.SECTOR
        region_id = None
    elif region_id:
        scope = HotWordScope.COUNTY
    else:
        scope = HotWordScope.CITY
    words = selectors.hot_words_for_scope(window=window, scope=scope, region_id=region_id, sector_id=sector_id,
                                          limit=20)
    context = {
        "words": words, "window": window, "windows": HotWordWindow.choices, "region_id": region_id,
        "sector_id": sector_id, "counties": Region.objects.filter(kind=Region.Kind.COUNTY).order_by("code"),
        "sectors": Sector.objects.order_by("position", "id"),
        "groups": selectors.similar_groups(region_id=region_id, sector_id=sector_id, limit=10),
    }
    return render(request, "hotwords/index.html", context)


@login_required
def panel(request):
    """The dashboard's hot-words panel (loaded into the queue page): the user's sectors first."""
    if not access.actor_for(request.user).has_role:
        return render(request, "hotwords/_dashboard.html", {"sectors": [], "groups": []})
    return render(request, "hotwords/_dashboard.html", {
        "sectors": selectors.dashboard_hot_words(user=request.user), "groups": selectors.similar_groups(limit=5)})


@login_required
def detail(request, term):
    _staff_only(request)
    term = "".join(ch for ch in term if ch.isprintable()).strip()[:32]
    if not term:
        raise Http404(_("No such hot word."))
    window = _window(request.GET.get("window"))
    region_id, sector_id = _int(request.GET.get("region")), _int(request.GET.get("sector"))
    township_id = _int(request.GET.get("township"))
    # A similar-petition group as routing saw it (the petition page links here): its own span.
    since, until = _datetime(request.GET.get("since")), _datetime(request.GET.get("until"))
    if since and until and since >= until:
        since = until = None
    total, visible = selectors.petitions_behind(user=request.user, term=term, window=window, region_id=region_id,
                                                sector_id=sector_id, township_id=township_id, since=since,
                                                until=until)
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "term": term, "window": window, "window_label": HotWordWindow(window).label, "total": total,
        "since": since, "until": until,
        "page": page, "hidden": max(0, total - page.paginator.count),
        "groups": selectors.similar_groups(terms=[term], region_id=region_id, sector_id=sector_id, limit=10),
        "querystring": params.urlencode(),
    }
    return render(request, "hotwords/detail.html", context)
