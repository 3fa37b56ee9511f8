"""Similar petitions (同类诉求): one grouping for the hot-words pages and for routing's loop-3 signal.

Petitions are similar when they come from the same township, were routed to the same sector, were
submitted within a few days of each other and share an *issue term*. A group is one (township, sector,
issue term) over a span of days; a petition belongs to a group for each of its issue terms, and routing
takes the largest (ties: the term first in code-point order). Everything is counted on PetitionWord (each
petition's terms with its sector, township and submission time, written by extraction), in one grouped
query.

An issue term names a matter, not just a topic of conversation: a domain term of the shipped dictionary
(hotwords_userdict.txt above its place names: 玉米倒伏, 暖气不热, 刷单诈骗), a term staff added in hot word
curation or merged synonyms into, or a term of the routing dictionary with weight 3 ("names the sector's
business": 路灯, 物业, 诈骗). Everyday words that are terms for hot words (小区, 电动车, 下雨天) never make
petitions similar: five petitions from one township that mention 小区 are not one problem.

Used by: selectors.similar_groups() (dashboard panel, staff pages, report) and routing (routing_facts:
a petition in a group of settings.ROUTING_SIMILAR_THRESHOLD or more within settings.ROUTING_SIMILAR_DAYS
goes to loop 3, a joint consultation). See docs/hotwords.md, "Similar petitions".
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from offices.models import Region

from ..models import HotWordTerm, PetitionWord, SectorKeyword
from .extract import MAX_LEN, MIN_LEN, domain_terms

DAYS = 7  # "within days": the pages look this far back (routing: settings.ROUTING_SIMILAR_DAYS)
MIN_SIZE = 3  # on the pages, a group of fewer petitions is not worth one item
ISSUE_WEIGHT = 3  # routing dictionary terms of this weight name a sector's business


@dataclass(frozen=True)
class SimilarGroup:
    term: str
    township_id: int
    township: str
    sector_id: int | None
    sector: str
    count: int  # petitions in the group
    days: int = DAYS
    until: datetime | None = None  # the end of the span (None: now)

    def as_data(self) -> dict:
        """Plain data for a trail event (routing's ROUTE event)."""
        return {"term": self.term, "township_id": self.township_id, "township": self.township,
                "sector_id": self.sector_id, "count": self.count, "others": self.count - 1, "days": self.days,
                "until": self.until.isoformat() if self.until else None}


_domain: list = []


def _domain_terms() -> list[str]:
    if not _domain:
        _domain.append(sorted({t for t in domain_terms() if MIN_LEN <= len(t) <= MAX_LEN}))
    return _domain[0]


def issue_term_filter() -> Q:
    """Rows of PetitionWord whose term is an issue term, for the curation as it is now: part of the grouping
    query itself (no list to load and cache; staff changes count at once)."""
    return (Q(term__in=_domain_terms())
            | Q(term__in=SectorKeyword.objects.filter(active=True, weight__gte=ISSUE_WEIGHT).values("term"))
            | Q(term__in=HotWordTerm.objects.filter(action=HotWordTerm.Action.ADD).values("term"))
            | Q(term__in=HotWordTerm.objects.filter(action=HotWordTerm.Action.MERGE).values("canonical")))


def issue_terms() -> frozenset[str]:
    """The issue terms as they are now, as a set (one query): routing reads them once for the petitions it routes
    together, and counts each petition's similar petitions on its own issue terms alone."""
    rows = (SectorKeyword.objects.filter(active=True, weight__gte=ISSUE_WEIGHT).order_by().values_list("term")
            .union(HotWordTerm.objects.filter(action=HotWordTerm.Action.ADD).order_by().values_list("term"),
                   HotWordTerm.objects.filter(action=HotWordTerm.Action.MERGE).order_by().values_list("canonical")))
    return frozenset(_domain_terms()) | {term for (term,) in rows}


def _words(*, days: int, now: datetime, terms=None):
    """The one definition of similar petitions' rows: issue terms of petitions from a township, submitted
    within `days` up to `now`. Grouped by (township, sector, term), each group is a set of similar petitions."""
    qs = PetitionWord.objects.filter(issue_term_filter(), at__gte=now - timedelta(days=days), at__lte=now,
                                     township__isnull=False)
    return qs if terms is None else qs.filter(term__in=sorted(set(terms)))


def similar_groups(*, days: int = DAYS, min_size: int = MIN_SIZE, region_id: int | None = None,
                   sector_id: int | None = None, terms=None, limit: int = 10, now=None) -> list[SimilarGroup]:
    """The largest groups, one item per township and sector under the term most of its petitions share
    ("23 petitions about 玉米倒伏 in 梁村镇"). One grouped query."""
    now = now or timezone.now()
    qs = _words(days=days, now=now, terms=terms)
    if region_id:
        qs = qs.filter(Q(county_id=region_id) | Q(township_id=region_id))
    if sector_id:
        qs = qs.filter(sector_id=sector_id)
    rows = (qs.values("township_id", "township__name", "sector_id", "sector__name", "term")
            .annotate(n=Count("petition_id")).filter(n__gte=min_size).order_by("-n", "term")[:limit * 20])
    seen, groups = set(), []
    for row in rows:
        key = (row["township_id"], row["sector_id"])
        if key in seen:
            continue
        seen.add(key)
        groups.append(SimilarGroup(term=row["term"], township_id=row["township_id"], township=row["township__name"],
                                   sector_id=row["sector_id"], sector=row["sector__name"] or "", count=row["n"],
                                   days=days))
        if len(groups) >= limit:
            break
    return groups


class BatchWords:
    """Words of petitions routed together that are not stored yet: routing stores a batch's words in one
    INSERT at its end, while each petition's similar petitions must include those routed before it. The
    columns are PetitionWord's (petition_id, term, sector_id, county_id, township_id, at), as insert_rows takes them."""

    def __init__(self):
        self.columns: dict[str, list] = defaultdict(list)
        self._groups: dict[tuple, list[tuple[int, datetime]]] = defaultdict(list)

    def add(self, columns: dict[str, list]) -> None:
        for name, values in columns.items():
            self.columns[name] += values
        for pid, term, township, sector, at in zip(columns["petition_id"], columns["term"], columns["township_id"],
                                                   columns["sector_id"], columns["at"]):
            if township is not None:
                self._groups[township, sector, term].append((pid, at))

    def petition_ids(self, *, township_id: int, sector_id: int | None, term: str, since: datetime,
                     until: datetime, exclude: int | None = None) -> list[int]:
        """The batch's petitions in the group (township, sector, term) submitted within [since, until]."""
        return [pid for pid, at in self._groups.get((township_id, sector_id, term), ())
                if since <= at <= until and pid != exclude]


def petition_group(*, petition_id: int, sector_id: int | None, days: int = DAYS, now=None,
                   own: list[tuple[str, int | None]] | None = None,
                   issues: frozenset[str] | None = None, batch: BatchWords | None = None) -> SimilarGroup | None:
    """The largest group the petition belongs to within `days` up to `now`, counted as if it were of
    `sector_id` (routing asks before the sector is settled); None when it shares no issue term with any
    other petition of its township. The petition's own words must be stored (hotword_petition_add), or
    given as `own`, its (term, township) pairs (routing, which has just extracted them). `issues`: the
    issue terms (issue_terms()) when the caller has read them; no query at all without one among its terms.
    `batch` (with `issues`): words routing has not stored yet, counted as if they were."""
    now = now or timezone.now()
    if own is None:
        own = list(PetitionWord.objects.filter(petition_id=petition_id).values_list("term", "township_id"))
    township_id = own[0][1] if own else None
    if township_id is None or sector_id is None:
        return None
    terms = [t for t, _township in own]
    since = now - timedelta(days=days)
    if issues is None:
        rows = list(_words(days=days, now=now, terms=terms).filter(township_id=township_id, sector_id=sector_id)
                    .exclude(petition_id=petition_id).order_by().values("term", "township__name")
                    .annotate(n=Count("petition_id")).values_list("term", "n", "township__name"))
        counts = {term: n for term, n, _name in rows}
    else:
        terms = sorted({t for t in terms if t in issues})
        if not terms:
            return None
        rows = _issue_counts(terms=terms, township_id=township_id, sector_id=sector_id, since=since, until=now,
                             exclude=petition_id)
        counts = {term: n for term, n, _name in rows}
        for term in terms if batch is not None else ():
            n = len(batch.petition_ids(township_id=township_id, sector_id=sector_id, term=term, since=since,
                                       until=now, exclude=petition_id))
            if n:
                counts[term] = counts.get(term, 0) + n
    if not counts:
        return None
    term, n = min(counts.items(), key=lambda item: (-item[1], item[0]))
    township = rows[0][2] if rows else Region.objects.values_list("name", flat=True).filter(pk=township_id).first()
    return SimilarGroup(term=term, township_id=township_id, township=township or "", sector_id=sector_id, sector="",
                        count=n + 1, days=days, until=now)


def _issue_counts(*, terms: list[str], township_id: int, sector_id: int, since: datetime, until: datetime,
                  exclude: int) -> list[tuple[str, int, str]]:
    """(term, petitions, township name) of one township and sector for `terms`, issue terms all: routing asks this
    for every petition it routes. Written as SQL because building the same query from the ORM cost routing three
    times what running it did; the rows are those of _words() (the `terms` are issue terms already) grouped as
    petition_group() groups them, and tests/petitions/test_similar.py holds the two to the same answer."""
    word, region = PetitionWord._meta, Region._meta
    quote, ops = connection.ops.quote_name, connection.ops
    sql = (f"SELECT w.term, COUNT(w.petition_id), r.name FROM {quote(word.db_table)} w "
           f"LEFT JOIN {quote(region.db_table)} r ON r.id = w.township_id "
           f"WHERE w.township_id = %s AND w.sector_id = %s AND w.term IN ({', '.join(['%s'] * len(terms))}) "
           "AND w.at >= %s AND w.at <= %s AND w.petition_id <> %s GROUP BY w.term, r.name")
    with connection.cursor() as cursor:
        cursor.execute(sql, [township_id, sector_id, *terms, ops.adapt_datetimefield_value(since),
                             ops.adapt_datetimefield_value(until), exclude])
        return cursor.fetchall()


def group_petition_ids(*, term: str, township_id: int, sector_id: int | None, days: int, until: datetime,
                       exclude: int | None = None, batch: BatchWords | None = None) -> list[int]:
    """The petitions of one group (the consultation's related petitions); `batch` as in petition_group()."""
    qs = _words(days=days, now=until, terms=[term]).filter(township_id=township_id, sector_id=sector_id)
    if exclude:
        qs = qs.exclude(petition_id=exclude)
    ids = set(qs.order_by("petition_id").values_list("petition_id", flat=True).distinct())
    if batch is not None:
        ids.update(batch.petition_ids(township_id=township_id, sector_id=sector_id, term=term,
                                      since=until - timedelta(days=days), until=until, exclude=exclude))
    return sorted(ids)
