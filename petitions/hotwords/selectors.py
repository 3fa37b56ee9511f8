"""Reads of hot words for the landing page, the dashboard, the reports and the staff drill-down."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from offices.models import Region, Sector

from ..models import HotWord, HotWordScope, HotWordWindow, Petition, PetitionWord
from .services import WINDOWS
# Similar petitions: one grouping for these pages and for routing (similar.py).
from .similar import SimilarGroup, similar_groups

__all__ = ["SimilarGroup", "dashboard_hot_words", "hot_words_for_scope", "petitions_behind", "public_hot_words",
           "report_hot_words", "similar_groups"]


def _with_sector_names(words: list[HotWord]) -> list[HotWord]:
    ids = {sid for w in words for sid in w.sectors}
    names = dict(Sector.objects.filter(pk__in=ids).values_list("id", "name")) if ids else {}
    for w in words:
        w.sector_names = [names[sid] for sid in w.sectors if sid in names]
    return words


def public_hot_words(*, window: str = HotWordWindow.WEEK, limit: int = 15) -> list[HotWord]:
    """The city's hot words for everyone: blocked terms left out; the rows carry no personal data at all."""
    words = list(HotWord.objects.filter(window=window, scope=HotWordScope.CITY, blocked=False)
                 .order_by("rank")[:limit])
    return _with_sector_names(words)


def hot_words_for_scope(*, window: str, scope: str, region_id: int | None = None, sector_id: int | None = None,
                        limit: int = 10) -> list[HotWord]:
    qs = HotWord.objects.filter(window=window, scope=scope, region_id=region_id, sector_id=sector_id)
    return _with_sector_names(list(qs.order_by("rank")[:limit]))


@dataclass(frozen=True)
class SectorHotWords:
    sector: Sector
    mine: bool
    words: list


def dashboard_hot_words(*, user, window: str = HotWordWindow.WEEK, per_sector: int = 5) -> list[SectorHotWords]:
    """Every sector's hot words, the user's own sectors first (a representative's sectors of expertise and
    the sectors of the studios they work for). Three queries whatever the number of sectors."""
    from liaison.access import actor_for
    from offices.models import Studio

    actor = actor_for(user)
    mine: set[int] = set()
    if actor.representative_id:
        from liaison.models import Representative

        mine |= set(Representative.sectors.through.objects.filter(representative_id=actor.representative_id)
                    .values_list("sector_id", flat=True))
    if actor.studio_ids:
        mine |= set(Studio.objects.filter(pk__in=actor.studio_ids).values_list("sector_id", flat=True))
    words: dict[int, list[HotWord]] = {}
    for w in HotWord.objects.filter(window=window, scope=HotWordScope.SECTOR, rank__lte=per_sector).order_by(
            "sector_id", "rank"):
        words.setdefault(w.sector_id, []).append(w)
    sectors = Sector.objects.filter(pk__in=words).order_by("position", "id") if words else []
    result = [SectorHotWords(sector=s, mine=s.pk in mine, words=words[s.pk]) for s in sectors]
    result.sort(key=lambda item: not item.mine)
    return result


def report_hot_words(*, window: str = HotWordWindow.MONTH, limit: int = 10) -> dict:
    """For the organisation reports: the city's top terms and each county's first three."""
    city = hot_words_for_scope(window=window, scope=HotWordScope.CITY, limit=limit)
    counties: dict[int, list[HotWord]] = {}
    for w in HotWord.objects.filter(window=window, scope=HotWordScope.COUNTY, rank__lte=3).order_by(
            "region_id", "rank"):
        counties.setdefault(w.region_id, []).append(w)
    names = dict(Region.objects.filter(pk__in=counties).values_list("id", "name")) if counties else {}
    return {"city": city, "counties": [(names.get(rid, ""), ws) for rid, ws in counties.items()]}


def petitions_behind(*, user, term: str, window: str = HotWordWindow.WEEK, region_id: int | None = None,
                     sector_id: int | None = None, township_id: int | None = None, since=None, until=None):
    """(all petitions behind the hot word, the ones `user` may open): the drill-down, within liaison/access.py.

    `since` and `until` (datetimes) replace the window: a similar-petition group as routing saw it."""
    from liaison.access import petitions_visible_to

    if since or until:
        until = until or timezone.now()
        words = PetitionWord.objects.filter(term=term, at__gte=since or until - WINDOWS[window], at__lte=until)
    else:
        span = WINDOWS.get(window, WINDOWS[HotWordWindow.WEEK])
        words = PetitionWord.objects.filter(term=term, at__gte=timezone.now() - span)
    if region_id:
        words = words.filter(county_id=region_id)
    if sector_id:
        words = words.filter(sector_id=sector_id)
    if township_id:
        words = words.filter(township_id=township_id)
    ids = words.values("petition_id")
    total = words.count()
    visible = (petitions_visible_to(user, Petition.objects.filter(pk__in=ids))
               .select_related("region", "sector", "studio").order_by("-submitted_at"))
    return total, visible
