"""Reads of hot words for the landing page, the dashboard, the reports and the staff drill-down."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from offices.models import Region, Sector

from ..models import HotWord, HotWordScope, HotWordWindow, Petition, PetitionWord
from .services import WINDOWS

SIMILAR_DAYS = 7  # "within days": the grouping of similar petitions looks this far back
SIMILAR_MIN = 3  # a group of fewer petitions is not worth one item


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


@dataclass(frozen=True)
class SimilarGroup:
    term: str
    township_id: int
    township: str
    sector_id: int | None
    sector: str
    count: int


def similar_groups(*, days: int = SIMILAR_DAYS, min_size: int = SIMILAR_MIN, region_id: int | None = None,
                   sector_id: int | None = None, terms=None, limit: int = 10, now=None) -> list[SimilarGroup]:
    """Near-duplicate petitions as one item: same township, same sector, a shared key term, within `days`.

    One grouped query; a township and sector appear once, under the term most of its petitions share
    ("23 petitions about 玉米倒伏 in 梁村镇")."""
    now = now or timezone.now()
    qs = PetitionWord.objects.filter(at__gte=now - timedelta(days=days), at__lte=now, township__isnull=False)
    if region_id:
        qs = qs.filter(Q(county_id=region_id) | Q(township_id=region_id))
    if sector_id:
        qs = qs.filter(sector_id=sector_id)
    if terms is not None:
        qs = qs.filter(term__in=list(terms))
    rows = (qs.values("township_id", "township__name", "sector_id", "sector__name", "term")
            .annotate(n=Count("petition_id")).filter(n__gte=min_size).order_by("-n", "term")[:limit * 20])
    seen, groups = set(), []
    for row in rows:
        key = (row["township_id"], row["sector_id"])
        if key in seen:
            continue
        seen.add(key)
        groups.append(SimilarGroup(term=row["term"], township_id=row["township_id"], township=row["township__name"],
                                   sector_id=row["sector_id"], sector=row["sector__name"] or "", count=row["n"]))
        if len(groups) >= limit:
            break
    return groups


def similar_petitions_count(*, township_id: int, sector_id: int, terms, days: int = SIMILAR_DAYS, now=None,
                            exclude_petition_id: int | None = None) -> int:
    """How many petitions of a township and sector shared one of `terms` within `days` (routing's loop-3 measure)."""
    now = now or timezone.now()
    qs = PetitionWord.objects.filter(township_id=township_id, sector_id=sector_id, term__in=list(terms),
                                     at__gte=now - timedelta(days=days))
    if exclude_petition_id:
        qs = qs.exclude(petition_id=exclude_petition_id)
    return qs.values("petition_id").distinct().count()


def petitions_behind(*, user, term: str, window: str = HotWordWindow.WEEK, region_id: int | None = None,
                     sector_id: int | None = None, township_id: int | None = None):
    """(all petitions behind the hot word, the ones `user` may open): the drill-down, within liaison/access.py."""
    from liaison.access import petitions_visible_to

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
