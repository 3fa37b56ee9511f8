"""Reads of studios for the public pages: one studio's page, and the studio directory."""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from .models import Region, Sector, Studio, StudioActivity, StudioMembership, StudioOutcome

DIRECTORY_PAGE_SIZE = 20
MEMBERS_SHOWN = 8
RECENT_SHOWN = 5


@dataclass
class StudioPage:
    studio: Studio
    member_count: int
    members: list  # a few StudioMembership rows with their representative, admins first
    activities: list[StudioActivity]
    outcomes: list[StudioOutcome]


# --- which sectors exist: asked by every submission, changed by an admin a few times a year ---------
SECTOR_IDS_TTL = 60.0
_sector_ids: frozenset[int] | None = None
_sector_ids_loaded_at = 0.0


def reset_sector_cache() -> None:
    global _sector_ids
    _sector_ids = None


def sector_exists(pk: int) -> bool:
    """True if a sector has this key. The ~10 keys are kept per process for SECTOR_IDS_TTL seconds and re-read
    at once when a key is not among them (a sector just added counts at once) and whenever a sector is saved
    or deleted in this process (offices/apps.py). A sector deleted by another process within the TTL is caught
    by the petition's foreign key (petition_submit reports it as this field's error)."""
    global _sector_ids, _sector_ids_loaded_at
    fresh = _sector_ids is not None and time.monotonic() - _sector_ids_loaded_at <= SECTOR_IDS_TTL
    if fresh and pk in _sector_ids:
        return True
    _sector_ids = frozenset(Sector.objects.order_by().values_list("pk", flat=True))
    _sector_ids_loaded_at = time.monotonic()
    return pk in _sector_ids


def studio_by_code(code: str) -> Studio | None:
    """A studio (active or not) by its public code, with what its page and poster print."""
    return (Studio.objects.select_related("sector", "region", "region__parent", "lead", "host_department")
            .annotate(member_count=Count("memberships")).filter(code=code).first())


# Only what taking a request at a studio needs: the form's sector order, the region it concerns, the phone that the
# rate-limited page prints. Any other field is loaded if ever asked for.
INTAKE_FIELDS = ("id", "code", "name", "phone", "active", "sector", "region")
# The statement's text is the same for every submission (one row by its unique code): Django compiles it once
# per database and process, and a submission only sends it, which saves about 0.4 ms of CPU each.
_intake_statements: dict[str, tuple[str, list[str]]] = {}


def _intake_statement(using: str) -> tuple[str, list[str]]:
    statement = _intake_statements.get(using)
    if statement is None:
        # Without the model's ordering (which joins regions and sectors to sort) and without first()'s.
        query = Studio.objects.using(using).filter(code="").order_by().only(*INTAKE_FIELDS)[:1].query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        columns = [column.target.attname for column, _sql, _alias in compiler.select]
        if list(params) != [""] or any(hasattr(Studio._meta.get_field(name), "from_db_value")
                                       for name in INTAKE_FIELDS):
            raise NotImplementedError(f"unexpected shape of the intake studio query: {sql} {params}")
        statement = _intake_statements[using] = (sql, columns)
    return statement


# --- the studio a submission is for: asked by every submission, changed by an admin a few times a year -----
STUDIO_INTAKE_TTL = 10.0
_intake_rows: dict[tuple[str, str], tuple[float, tuple]] = {}


def reset_studio_cache() -> None:
    _intake_rows.clear()


def studio_for_intake(code: str) -> Studio | None:
    """A studio (active or not) by its public code, with INTAKE_FIELDS loaded: what a submission reads.

    Its row is kept per process for STUDIO_INTAKE_TTL seconds (a studio's QR code brings its requests in bursts, at
    a meeting or a visiting day) and forgotten at once when a studio is saved or deleted in this process
    (offices/apps.py): a studio closed or moved in another process takes up to that long to count for the
    submissions of this one, which are stored and routed as if it had been a moment earlier. Each caller gets its
    own instance. An unknown code is asked every time."""
    using = router.db_for_read(Studio)
    sql, columns = _intake_statement(using)
    now = time.monotonic()
    kept = _intake_rows.get((using, code))
    if kept is not None and now - kept[0] <= STUDIO_INTAKE_TTL:
        row = kept[1]
    else:
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [code])
            row = cursor.fetchone()
        if row is None:
            _intake_rows.pop((using, code), None)
            return None
        _intake_rows[(using, code)] = (now, row)
    return Studio.from_db(using, columns, row)


def studio_public(code: str) -> StudioPage | None:
    """Everything `/s/<code>/` shows about a studio, in a constant number of queries (4)."""
    studio = studio_by_code(code)
    if studio is None:
        return None
    members = list(StudioMembership.objects.filter(studio=studio).select_related("representative")
                   .order_by("role", "representative__name", "id")[:MEMBERS_SHOWN])  # "admin" sorts first
    activities = list(StudioActivity.objects.filter(studio=studio).order_by("-held_on", "-id")[:RECENT_SHOWN])
    outcomes = list(StudioOutcome.objects.filter(studio=studio).order_by("-achieved_on", "-id")[:RECENT_SHOWN])
    return StudioPage(studio=studio, member_count=studio.member_count, members=members, activities=activities,
                      outcomes=outcomes)


def directory_regions() -> QuerySet[Region]:
    """The counties and districts the directory filters by."""
    return Region.objects.filter(kind=Region.Kind.COUNTY).only("code", "name", "path").order_by("path")


def poster_regions() -> QuerySet[Region]:
    """Where posters are printed in batches: the whole city (every studio) and each county or district."""
    return (Region.objects.filter(kind__in=(Region.Kind.CITY, Region.Kind.COUNTY)).only("code", "name", "path", "kind")
            .order_by("path"))


def directory_sectors() -> QuerySet[Sector]:
    return Sector.objects.only("code", "name", "position").order_by("position", "id")


def studios_in_region(region: Region) -> QuerySet[Studio]:
    """Active studios in a region and everything under it (a county's townships), for posters and lists."""
    return (Studio.objects.filter(active=True, region__path__startswith=region.path)
            .select_related("sector", "region", "region__parent", "lead").order_by("region__path", "kind", "name"))


def studio_directory(*, q: str = "", region_code: str = "", sector_code: str = "", page: int | str = 1) -> Page:
    """Active studios filtered by a region (and its subtree), a sector (main or also covered) and a text.

    Three queries whatever the filters and the page: the count, the page, nothing per row.
    """
    studios = Studio.objects.filter(active=True).select_related("sector", "region", "region__parent", "lead")
    if region_code:
        # A region's code is one segment of the materialised path of everything under it.
        studios = studios.filter(region__path__contains=f"/{region_code}/")
    if sector_code:
        covers = Studio.sectors.through.objects.filter(studio_id=OuterRef("pk"), sector__code=sector_code)
        studios = studios.filter(Q(sector__code=sector_code) | Q(Exists(covers)))
    q = " ".join((q or "").split())[:64]
    if q:
        studios = studios.filter(Q(name__icontains=q) | Q(region__name__icontains=q) | Q(lead__name__icontains=q)
                                 | Q(address__icontains=q))
    studios = studios.order_by("region__path", "kind", "sector__position", "name", "id")
    return Paginator(studios, DIRECTORY_PAGE_SIZE).get_page(page)
