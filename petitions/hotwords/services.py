"""Hot words: extract the terms of new petitions, rank each scope's window against its background,
replace the snapshots, and tell the representatives of a sector about a term new to its top.

Two entry points, both called by the beat task and the management command:
- hotwords_refresh(): incremental. Extracts only the petitions not yet extracted, then re-ranks.
  A change in staff curation since the last extraction turns it into a full refresh.
- hotwords_refresh(full=True): drops the extracted terms and extracts the whole horizon again.
hotword_petition_add() is the per-petition part (extract, store, bump the live counts).
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, Max, OuterRef, PositiveIntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from assessment.bulk import insert_rows
from offices.models import Region

from ..models import HotWord, HotWordScope, HotWordState, HotWordTerm, HotWordWindow, Petition, PetitionWord
from .extract import Extractor, shipped_lists_stamp
from .scoring import rank

logger = logging.getLogger(__name__)

WINDOWS = {HotWordWindow.DAY: timedelta(hours=24), HotWordWindow.WEEK: timedelta(days=7),
           HotWordWindow.MONTH: timedelta(days=30)}
MIN_COUNT = {HotWordWindow.DAY: 2, HotWordWindow.WEEK: 3, HotWordWindow.MONTH: 3}
BACKGROUND_DAYS = 90
HORIZON = timedelta(days=30 + BACKGROUND_DAYS)  # the oldest petition any window or background looks at
TOP = 20  # hot words kept per scope and window
NOTIFY_WINDOW = HotWordWindow.WEEK
NOTIFY_TOP = 10
BATCH = 2000

# --- curation and the extractor ----------------------------------------------------------------------

_extractor: dict = {}
_extractor_lock = threading.Lock()


def curation_stamp() -> str:
    """A fingerprint of what decides a petition's terms: staff curation, the routing dictionary, the region
    tree (its names are no terms) and the shipped lists. Extraction is redone when it changes."""
    from ..models import SectorKeyword

    a = HotWordTerm.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    b = SectorKeyword.objects.filter(active=True).aggregate(n=Count("id"), at=Max("updated_at"))
    # Regions have no modification time: a new one changes the stamp, a renamed one waits for `--full`.
    c = Region.objects.aggregate(n=Count("id"), last=Max("id"))
    raw = f"{a['n']}|{a['at']}|{b['n']}|{b['at']}|{c['n']}|{c['last']}|{_shipped_stamp()}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


_shipped: list[str] = []


def _shipped_stamp() -> str:
    if not _shipped:  # the files only change with a deploy, which restarts the process
        _shipped.append(shipped_lists_stamp())
    return _shipped[0]


def current_extractor(stamp: str | None = None) -> Extractor:
    """The extractor for the curation as it is now; rebuilt (about a second) only after staff changed it."""
    from ..models import SectorKeyword

    stamp = stamp or curation_stamp()
    with _extractor_lock:
        if _extractor.get("stamp") != stamp:
            rows = list(HotWordTerm.objects.values_list("term", "action", "canonical"))
            added = [t for t, action, _c in rows if action == HotWordTerm.Action.ADD]
            merges = {t: c for t, action, c in rows if action == HotWordTerm.Action.MERGE and c}
            keywords = SectorKeyword.objects.filter(active=True).values_list("term", flat=True)
            places = Region.objects.values_list("name", flat=True)
            _extractor.update(stamp=stamp, extractor=Extractor(extra_words=[*added, *keywords], merges=merges,
                                                               places=places))
        return _extractor["extractor"]


def blocked_terms() -> set[str]:
    return set(HotWordTerm.objects.filter(action=HotWordTerm.Action.BLOCK).values_list("term", flat=True))


# --- extraction --------------------------------------------------------------------------------------

class _Places:
    """region id -> (county id, township id), from one query of the region tree."""

    def __init__(self):
        rows = list(Region.objects.values_list("id", "kind", "parent_id"))
        self.kind = {rid: kind for rid, kind, _p in rows}
        self.parent = {rid: parent for rid, _k, parent in rows}
        self._memo: dict = {}

    def of(self, region_id):
        if region_id is None:
            return None, None
        if region_id not in self._memo:
            county = township = None
            rid, hops = region_id, 0
            while rid is not None and hops < 6:
                kind = self.kind.get(rid)
                if kind == Region.Kind.TOWNSHIP:
                    township = rid
                elif kind == Region.Kind.COUNTY:
                    county = rid
                    break
                rid, hops = self.parent.get(rid), hops + 1
            self._memo[region_id] = (county, township)
        return self._memo[region_id]


_FIELDS = ("id", "text", "citizen_name", "sector_id", "category_id", "region_id", "studio__region_id", "submitted_at")
_COLUMNS = ("petition_id", "term", "sector_id", "county_id", "township_id", "at")


def _word_rows(rows, extractor: Extractor, places: _Places):
    """(petition id, its terms, sector, county, township, submitted) for each of `rows` that has terms."""
    for pid, text, name, sector_id, category_id, region_id, studio_region_id, at in rows:
        terms = extractor.terms(text, name=name)
        if terms:
            county, township = places.of(region_id or studio_region_id)
            yield pid, terms, sector_id or category_id, county, township, at


def _word_columns(rows, extractor: Extractor, places: _Places) -> dict[str, list]:
    columns = {k: [] for k in _COLUMNS}
    for pid, terms, sector, county, township, at in _word_rows(rows, extractor, places):
        n = len(terms)
        columns["petition_id"] += [pid] * n
        columns["term"] += terms
        columns["sector_id"] += [sector] * n
        columns["county_id"] += [county] * n
        columns["township_id"] += [township] * n
        columns["at"] += [at] * n
    return columns


def _copy_lines(words):
    """COPY text for petition words, one string per petition. Terms are Chinese characters only
    (Extractor.keep), so nothing needs escaping."""
    null = "\\N"
    for pid, terms, sector, county, township, at in words:
        tail = "\t".join(("", null if sector is None else str(sector), null if county is None else str(county),
                          null if township is None else str(township), at.isoformat())) + "\n"
        head = f"{pid}\t"
        yield "".join([head + term + tail for term in terms])


class _Reader(io.TextIOBase):
    """A file over an iterator of strings, read lazily: psycopg2's COPY pulls the words while extraction
    produces them, so the server stores one part while Python segments the next."""

    def __init__(self, chunks):
        self._chunks, self._buffer = iter(chunks), ""

    def readable(self):
        return True

    def read(self, size=-1):
        parts, length = [self._buffer], len(self._buffer)
        while size is None or size < 0 or length < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            length += len(chunk)
        data = "".join(parts)
        if size is None or size < 0:
            self._buffer = ""
            return data
        self._buffer = data[size:]
        return data[:size]


def _can_copy() -> bool:
    return connection.vendor == "postgresql" and connection.Database.__name__ in ("psycopg2", "psycopg")


def _copy(cursor, table: str, chunks) -> None:
    """COPY `chunks` (text format, the columns of _COLUMNS) into `table`, streamed."""
    sql = f"COPY {connection.ops.quote_name(table)} ({', '.join(_COLUMNS)}) FROM STDIN"
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
    if connection.Database.__name__ == "psycopg2":
        raw.copy_expert(sql, _Reader(chunks), size=1 << 16)
    else:
        with raw.copy(sql) as copy:
            for chunk in chunks:
                copy.write(chunk)


def _store(words) -> None:
    """Insert petition words (from _word_rows), skipping pairs already there. On PostgreSQL: COPY into a
    temporary table, then one INSERT ... ON CONFLICT DO NOTHING (a tenth of the time of an INSERT of arrays)."""
    if not _can_copy():
        columns = {k: [] for k in _COLUMNS}
        for pid, terms, sector, county, township, at in words:
            for term in terms:
                for key, value in zip(_COLUMNS, (pid, term, sector, county, township, at)):
                    columns[key].append(value)
        if columns["term"]:
            insert_rows(PetitionWord, columns=columns, ignore_conflicts=True)
        return
    table = connection.ops.quote_name(PetitionWord._meta.db_table)
    names = ", ".join(_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS hotwords_load (petition_id bigint, term varchar(32), "
                       "sector_id bigint, county_id bigint, township_id bigint, at timestamptz) ON COMMIT DELETE ROWS")
        _copy(cursor, "hotwords_load", _copy_lines(words))
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM hotwords_load ON CONFLICT DO NOTHING")
        cursor.execute("TRUNCATE hotwords_load")


def _clear_words() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(PetitionWord._meta.db_table)}")
    else:
        PetitionWord.objects.all().delete()


def _batches(queryset, size: int = BATCH):
    """`queryset`'s petitions (the fields of _FIELDS) in batches of `size`, by id."""
    start = 0
    while True:
        rows = list(queryset.filter(id__gt=start).order_by("id").values_list(*_FIELDS)[:size])
        if not rows:
            return
        yield rows
        start = rows[-1][0]


def _extract(queryset, extractor: Extractor) -> tuple[int, int]:
    """Extract and store the words of `queryset`'s petitions in batches. Returns (petitions, last id)."""
    places = _Places()
    done, last = 0, 0
    for rows in _batches(queryset):
        _store(_word_rows(rows, extractor, places))
        done += len(rows)
        last = rows[-1][0]
    return done, last


_REBUILD_LOCK = 0x6877_7264  # pg_advisory_lock key of the full rebuild ("hwrd")
_INDEXES = """
    SELECT i.relname, pg_get_indexdef(i.oid), c.conname, c.contype
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u')
    WHERE x.indrelid = %s::regclass ORDER BY x.indisprimary DESC, i.relname"""


def _rebuild(queryset, extractor: Extractor) -> tuple[int, int]:
    """The full extraction on PostgreSQL: load every word into a new table without indexes, build each index
    in one sorted pass, and swap the new table in. Returns (petitions, last id).

    Keeping the table's four B-trees up to date row by row was three quarters of the full refresh (1.57 M rows
    inserted at random places of the (term, at) and (at) indexes, docs/hotwords.md); loading first and
    indexing after takes a fraction of that. The old words stay whole and readable (routing's similar
    petitions, the pages) until the swap, which takes an instant; words stored meanwhile by
    hotword_petition_add() are carried over. Indexes and constraints are copied from the table as it is,
    names included, so a migration that changes them needs nothing here; grants on the table are not
    copied (the application's own role owns it and is the only one using it).
    """
    quote = connection.ops.quote_name
    table = PetitionWord._meta.db_table
    new = f"{table}_rebuild"
    # One rebuild at a time; inside a caller's transaction (tests) the lock lasts until it ends.
    in_transaction = connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory{'_xact' if in_transaction else ''}_lock(%s)", [_REBUILD_LOCK])
        try:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(new)}")  # left by a rebuild that crashed
            cursor.execute(f"CREATE TABLE {quote(new)} (LIKE {quote(table)} INCLUDING ALL EXCLUDING INDEXES)")
            places = _Places()
            done = last = 0
            for rows in _batches(queryset):
                _copy(cursor, new, _copy_lines(_word_rows(rows, extractor, places)))
                done += len(rows)
                last = rows[-1][0]
            renames = _index_like(cursor, table, new)
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id')", [table, new])
            old_sequence, new_sequence = cursor.fetchone()
            names = ", ".join(_COLUMNS)
            with transaction.atomic():
                cursor.execute(f"LOCK TABLE {quote(table)} IN ACCESS EXCLUSIVE MODE")
                cursor.execute(f"INSERT INTO {quote(new)} ({names}) SELECT {names} FROM {quote(table)} "
                               "WHERE petition_id > %s ON CONFLICT DO NOTHING", [last])
                cursor.execute(f"DROP TABLE {quote(table)}")
                cursor.execute(f"ALTER TABLE {quote(new)} RENAME TO {quote(table)}")
                for statement in renames:
                    cursor.execute(statement)
                if old_sequence and new_sequence:
                    cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {old_sequence.rsplit('.', 1)[-1]}")
        finally:
            if not in_transaction:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_REBUILD_LOCK])
    return done, last


def _index_like(cursor, table: str, new: str) -> list[str]:
    """Build on `new` the indexes and constraints of `table` under temporary names, then analyse it.
    Returns the statements that give them the names of `table`'s once `new` has taken its place."""
    quote = connection.ops.quote_name
    cursor.execute(_INDEXES, [table])
    indexes = cursor.fetchall()
    renames = []
    with transaction.atomic():
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # each index is sorted in memory
        for n, (name, definition, constraint, kind) in enumerate(indexes):
            temporary = f"{new}_{n}"
            cursor.execute(re.sub(r"^(CREATE (?:UNIQUE )?INDEX) \S+ ON (?:ONLY )?\S+ ",
                                  lambda m: f"{m.group(1)} {temporary} ON {quote(new)} ", definition))
            if constraint:
                cursor.execute(f"ALTER TABLE {quote(new)} ADD CONSTRAINT {temporary} "
                               f"{'PRIMARY KEY' if kind == 'p' else 'UNIQUE'} USING INDEX {temporary}")
                renames.append(f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {temporary} TO {quote(constraint)}")
            else:
                renames.append(f"ALTER INDEX {temporary} RENAME TO {quote(name)}")
        cursor.execute(f"ANALYZE {quote(new)}")
    return renames


def _extract_all(queryset, extractor: Extractor) -> tuple[int, int]:
    """Replace every petition word by the words of `queryset`'s petitions. Returns (petitions, last id)."""
    if _can_copy():
        return _rebuild(queryset, extractor)
    _clear_words()
    return _extract(queryset, extractor)


# The region's kind and its two ancestors come with the petition: no load of the region tree.
_CHAIN = ("region__kind", "region__parent_id", "region__parent__kind", "region__parent__parent_id",
          "region__parent__parent__kind")


def petition_word_rows(petition_ids) -> dict[int, tuple]:
    """What extraction needs of each petition, and whether its words are stored already: one query for many."""
    rows = (Petition.objects.filter(pk__in=list(petition_ids))
            .annotate(extracted=Exists(PetitionWord.objects.filter(petition_id=OuterRef("pk"))))
            .values_list(*_FIELDS, *_CHAIN, "extracted"))
    return {row[0]: row for row in rows}


def petition_words(row: tuple, extractor: Extractor) -> dict[str, list]:
    """The word columns (_COLUMNS) of one row of petition_word_rows(); no terms, no rows."""
    places = _Places.__new__(_Places)
    kind, parent, parent_kind, grandparent, grandparent_kind = row[len(_FIELDS):-1]
    places.kind = {row[5]: kind, parent: parent_kind, grandparent: grandparent_kind}
    places.parent = {row[5]: parent, parent: grandparent, grandparent: None}
    places._memo = {}
    if row[5] is None:
        places.kind, places.parent = {}, {}
    return _word_columns([row[:len(_FIELDS)]], extractor, places)


def hotwords_count_live(petitions) -> None:
    """Count new petitions in the live snapshot rows of their scopes: `petitions` is (county, sector, terms) of
    each. One UPDATE for all of them; the ranking itself moves on the next refresh."""
    totals: dict = defaultdict(int)
    counts: dict = defaultdict(int)
    for county, sector, terms in petitions:
        keys = [(HotWordScope.CITY, None)]
        if county:
            keys.append((HotWordScope.COUNTY, county))
        if sector:
            keys.append((HotWordScope.SECTOR, sector))
        for key in keys:
            totals[key] += 1
            for term in set(terms):
                counts[key, term] += 1
    if not totals:
        return
    if connection.vendor == "postgresql":
        _count_live_sql(totals, counts)
        return

    def scope(key) -> Q:
        kind, value = key
        if kind == HotWordScope.CITY:
            return Q(scope=kind)
        return Q(scope=kind, region_id=value) if kind == HotWordScope.COUNTY else Q(scope=kind, sector_id=value)

    # Terms counted the same number of times in one scope share a WHEN: a handful of them per scope.
    same: dict = defaultdict(list)
    for (key, term), n in counts.items():
        same[key, n].append(term)
    integer = PositiveIntegerField()
    total = Case(*[When(scope(key), then=Value(n)) for key, n in totals.items()], default=Value(0),
                 output_field=integer)
    count = Case(*[When(scope(key) & Q(term__in=sorted(terms)), then=Value(n)) for (key, n), terms in same.items()],
                 default=Value(0), output_field=integer)
    where = Q()
    for key in totals:
        where |= scope(key)
    HotWord.objects.filter(where).update(total=F("total") + total, count=F("count") + count)


def _count_live_sql(totals: dict, counts: dict) -> None:
    """hotwords_count_live() as one UPDATE over two arrays of counts: building the same statement from ORM
    expressions (a CASE arm per scope and per count) cost routing more than running it. A scope is its kind
    and the one id it has (a county's region, a sector's sector; 0 for the city)."""
    table = connection.ops.quote_name(HotWord._meta.db_table)
    scopes, keys, totals_ = zip(*[(kind, value or 0, n) for (kind, value), n in totals.items()])
    c_scopes, c_keys, c_terms, c_counts = zip(*[(kind, value or 0, term, n)
                                                for ((kind, value), term), n in counts.items()]) if counts else ((),) * 4
    sql = (f"UPDATE {table} AS h SET total = h.total + s.n, count = h.count + COALESCE(("
           "SELECT c.n FROM unnest(%s::varchar[], %s::int[], %s::varchar[], %s::int[]) AS c(scope, key, term, n) "
           "WHERE c.scope = s.scope AND c.key = s.key AND c.term = h.term), 0) "
           "FROM unnest(%s::varchar[], %s::int[], %s::int[]) AS s(scope, key, n) "
           "WHERE h.scope = s.scope AND COALESCE(h.region_id, h.sector_id, 0) = s.key")
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(c_scopes), list(c_keys), list(c_terms), list(c_counts),
                             list(scopes), list(keys), list(totals_)])


@transaction.atomic
def hotword_petition_add(*, petition_id: int, extractor: Extractor | None = None) -> list[str]:
    """Extract one petition, store its words, and count it in the live snapshot rows of its scopes at once.

    The ranking itself moves on the next refresh; until then the counts shown already include it.
    """
    row = petition_word_rows([petition_id]).get(petition_id)
    if row is None:
        return []
    if row[-1]:  # already extracted (a task can run twice, the refresh may have come first): count it once
        return list(PetitionWord.objects.filter(petition_id=petition_id).order_by("id").values_list("term", flat=True))
    columns = petition_words(row, extractor or current_extractor())
    if not columns["term"]:
        return []
    insert_rows(PetitionWord, columns=columns, ignore_conflicts=True)
    hotwords_count_live([(columns["county_id"][0], columns["sector_id"][0], columns["term"])])
    return columns["term"]


# --- ranking -----------------------------------------------------------------------------------------

def _aggregate(now: datetime):
    """One grouped query over the horizon: per (term, county, sector), window and background counts of
    every window; and per (county, sector) the number of petitions in each."""
    filters = {}
    for window, span in WINDOWS.items():
        start = now - span
        filters[f"a{window}"] = Q(at__gte=start, at__lte=now)
        filters[f"b{window}"] = Q(at__gte=start - timedelta(days=BACKGROUND_DAYS), at__lt=start)
    base = PetitionWord.objects.filter(at__gte=now - HORIZON, at__lte=now)
    terms = base.values("term", "county_id", "sector_id").annotate(
        **{k: Count("id", filter=q) for k, q in filters.items()})
    return list(terms), _petition_totals(base, now)


def _petition_totals(base, now: datetime) -> list[dict]:
    """Per (county, sector): petitions (with any term) in each window and background.

    Counted over the petitions, one row each (all words of a petition share its county, sector and time),
    rather than as COUNT(DISTINCT petition_id) over the words: the same numbers, a third of the time."""
    inner, params = base.values("petition_id", "county_id", "sector_id", "at").distinct().query.sql_with_params()
    at = f"t.{connection.ops.quote_name('at')}"
    adapt = connection.ops.adapt_datetimefield_value
    keys, columns, bounds = [], [], []
    for window, span in WINDOWS.items():
        start = now - span
        for key, low, high, op in ((f"a{window}", start, now, "<="),
                                   (f"b{window}", start - timedelta(days=BACKGROUND_DAYS), start, "<")):
            keys.append(key)
            columns.append(f"COUNT(CASE WHEN {at} >= %s AND {at} {op} %s THEN 1 END)")
            bounds += [adapt(low), adapt(high)]
    sql = (f"SELECT t.county_id, t.sector_id, {', '.join(columns)} FROM ({inner}) t "
           "GROUP BY t.county_id, t.sector_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*bounds, *params])
        return [dict(zip(("county_id", "sector_id", *keys), row)) for row in cursor.fetchall()]


def _rank_all(now: datetime, blocked: set[str]) -> list[HotWord]:
    term_rows, total_rows = _aggregate(now)
    snapshots = []
    for window in WINDOWS:
        ka, kb = f"a{window}", f"b{window}"
        # scope key -> term -> [a, b]; scope key -> [n1, n2]; term -> sector -> a (for the sectors shown)
        counts: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        totals: dict = defaultdict(lambda: [0, 0])
        sectors_of: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
        for row in term_rows:
            a, b = row[ka], row[kb]
            if not a and not b:
                continue
            keys = [(HotWordScope.CITY, None, None)]
            if row["county_id"]:
                keys.append((HotWordScope.COUNTY, row["county_id"], None))
            if row["sector_id"]:
                keys.append((HotWordScope.SECTOR, None, row["sector_id"]))
            for key in keys:
                cell = counts[key][row["term"]]
                cell[0] += a
                cell[1] += b
                if a and row["sector_id"]:
                    sectors_of[key][row["term"]][row["sector_id"]] += a
        for row in total_rows:
            keys = [(HotWordScope.CITY, None, None)]
            if row["county_id"]:
                keys.append((HotWordScope.COUNTY, row["county_id"], None))
            if row["sector_id"]:
                keys.append((HotWordScope.SECTOR, None, row["sector_id"]))
            for key in keys:
                totals[key][0] += row[ka]
                totals[key][1] += row[kb]
        city_key = (HotWordScope.CITY, None, None)
        city_counts, city_bg = counts.get(city_key, {}), totals[city_key][1]
        for key, term_counts in counts.items():
            n1, n2 = totals[key]
            if n1 == 0:
                continue
            ranked = rank({t: (c[0], c[1]) for t, c in term_counts.items()}, total=n1, background_total=n2,
                          min_count=MIN_COUNT[window], limit=TOP,
                          reference={t: (c[0], c[1]) for t, c in city_counts.items()}, reference_total=city_bg)
            for position, s in enumerate(ranked, start=1):
                by_sector = sectors_of[key][s.term]
                snapshots.append(HotWord(
                    window=window, scope=key[0], region_id=key[1], sector_id=key[2], term=s.term, rank=position,
                    count=s.count, total=s.total, background_count=s.background_count,
                    background_total=s.background_total, rise=s.rise, score=s.score,
                    sectors=sorted(by_sector, key=lambda sid: (-by_sector[sid], sid))[:3],
                    blocked=s.term in blocked, computed_at=now))
    return snapshots


def _sector_tops(window=NOTIFY_WINDOW) -> dict[int, set[str]]:
    tops: dict[int, set[str]] = defaultdict(set)
    for sector_id, term in HotWord.objects.filter(window=window, scope=HotWordScope.SECTOR,
                                                  rank__lte=NOTIFY_TOP).values_list("sector_id", "term"):
        tops[sector_id].add(term)
    return tops


def hotwords_refresh(*, full: bool = False, now: datetime | None = None, notify: bool = True) -> dict:
    """Extract what is new (everything with full=True, or after a curation change), re-rank, notify."""
    now = now or timezone.now()
    stamp = curation_stamp()
    extractor = current_extractor(stamp)
    state, _created = HotWordState.objects.get_or_create(pk=1)
    full = full or state.curation_stamp != stamp
    horizon = Petition.objects.filter(submitted_at__gte=now - HORIZON)
    if full:
        extracted, last = _extract_all(horizon, extractor)
    else:
        extracted, last = _extract(horizon.filter(id__gt=state.last_petition_id), extractor)
        PetitionWord.objects.filter(at__lt=now - HORIZON).delete()
    last = max(last, state.last_petition_id if not full else 0)
    snapshots = _rank_all(now, blocked_terms())
    with transaction.atomic():
        before = _sector_tops()
        HotWord.objects.all().delete()
        HotWord.objects.bulk_create(snapshots, batch_size=1000)
        HotWordState.objects.filter(pk=1).update(last_petition_id=last, curation_stamp=stamp, refreshed_at=now)
        notified = hotwords_notify(before=before, now=now) if notify and before else 0
    return {"full": full, "extracted": extracted, "hot_words": len(snapshots), "notified": notified}


# --- delivery ----------------------------------------------------------------------------------------

def _main_township(term: str, sector_id: int, now: datetime) -> int | None:
    row = (PetitionWord.objects.filter(term=term, sector_id=sector_id, township__isnull=False,
                                       at__gte=now - WINDOWS[NOTIFY_WINDOW])
           .values("township_id").annotate(n=Count("id")).order_by("-n", "township_id").first())
    return row["township_id"] if row else None


def hotwords_notify(*, before: dict[int, set[str]], now: datetime) -> int:
    """A term new to the top of a sector: tell that sector's representatives and the studio of the township
    where most of its petitions come from. Sectors with no earlier top (the first refresh) are skipped."""
    from django.urls import reverse

    from assessment.models import Notification
    from assessment.notices import default_text, every_language
    from liaison.models import Representative, StaffProfile
    from offices.models import Sector, Studio

    after = _sector_tops()
    new = {sid: sorted(terms - before[sid]) for sid, terms in after.items() if sid in before and terms - before[sid]}
    if not new:
        return 0
    names = {pk: (name, name_en) for pk, name, name_en in Sector.objects.filter(pk__in=new)
             .values_list("id", "name", "name_en")}
    reps: dict[int, set[int]] = defaultdict(set)
    for sector_id, user_id in (Representative.sectors.through.objects
                               .filter(sector_id__in=new, representative__active=True,
                                       representative__user__isnull=False)
                               .values_list("sector_id", "representative__user_id")):
        reps[sector_id].add(user_id)
    rows = HotWord.objects.filter(window=NOTIFY_WINDOW, scope=HotWordScope.SECTOR, sector_id__in=new)
    counts = {(h.sector_id, h.term): h.count for h in rows.only("sector_id", "term", "count")}
    users, text_rows, urls = [], [], []
    for sector_id, terms in new.items():
        for term in terms:
            recipients = set(reps[sector_id])
            township = _main_township(term, sector_id, now)
            if township:
                studios = Studio.objects.filter(region_id=township, active=True)
                recipients |= set(StaffProfile.objects.filter(studio__in=studios).values_list("user_id", flat=True))
                recipients |= {u for u in studios.values_list("lead__user_id", flat=True) if u}
            name, name_en = names.get(sector_id, ("", ""))
            texts = every_language(
                gettext_lazy("New hot word in %(sector)s: “%(term)s”, %(count)d petitions in 7 days"),
                lambda name=name, name_en=name_en, term=term, n=counts.get((sector_id, term), 0): {
                    "sector": Sector.name_for_language(name, name_en, get_language()), "term": term, "count": n})
            url = reverse("hotwords:detail", kwargs={"term": term}) + f"?window={NOTIFY_WINDOW}&sector={sector_id}"
            for user_id in sorted(recipients):
                users.append(user_id)
                text_rows.append(texts)
                urls.append(url[:255])
    return insert_rows(Notification, columns={"user_id": users, "text": [default_text(t) for t in text_rows],
                                              "texts": text_rows, "url": urls},
                       constants={"created_at": now, "kind": Notification.Kind.INFO})
