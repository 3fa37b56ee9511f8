"""The reads routing needs, turned into the plain data routing.py decides on.

A fixed number of queries per petition whatever the size of the city: the studio, its "also covers"
sectors, the departments and studios of the involved sectors at one level, the members' open loads,
the liaison agency, and one grouped count of similar petitions (the hot words' grouping).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from liaison.models import LiaisonAgency
from offices.models import Department, Region, Studio, StudioMembership

from .classifier import Classification
from .models import OPEN_STATUSES, JointConsultation, OPEN_CONSULTATION, Petition
from .routing import Member, RoutingFacts, StudioInfo, involved_sectors


def target_region(studio: Studio) -> Region:
    """Where a studio's loops look for departments and studios: a township studio looks to its county."""
    return studio.region.parent if studio.kind == Studio.Kind.TOWNSHIP and studio.region.parent_id else studio.region


def township_of(region: Region | None) -> Region | None:
    """The township a petition comes from (its region, or the village's parent); None above township level."""
    if region is None:
        return None
    if region.kind == Region.Kind.TOWNSHIP:
        return region
    if region.kind == Region.Kind.VILLAGE:
        return region.parent
    return None


def key_terms(classification: Classification, sector_id: int | None) -> list[str]:
    """The routing dictionary's terms found that point to the petition's sector (recorded as PetitionTerm)."""
    return [t for t in classification.terms if sector_id in classification.term_sectors.get(t, ())]


def studio_info(studio: Studio, covered: set[int]) -> StudioInfo:
    return StudioInfo(id=studio.pk, sector_id=studio.sector_id, covered_sector_ids=frozenset(covered),
                      host_department_id=studio.host_department_id, lead_id=studio.lead_id)


def _covered_sectors(studio_ids) -> dict[int, set[int]]:
    covered: dict[int, set[int]] = {sid: set() for sid in studio_ids}
    for studio_id, sector_id in Studio.sectors.through.objects.filter(studio_id__in=studio_ids).values_list(
            "studio_id", "sector_id"):
        covered[studio_id].add(sector_id)
    return covered


def departments_in(region: Region, sector_ids) -> dict[int, int]:
    """sector -> its responsible department in `region` (the oldest active one, if there are several)."""
    found: dict[int, int] = {}
    rows = (Department.objects.filter(region=region, sector_id__in=set(sector_ids), active=True)
            .order_by("id").values_list("sector_id", "id"))
    for sector_id, department_id in rows:
        found.setdefault(sector_id, department_id)
    return found


def _covering_studios(region: Region, sector_ids, exclude_id: int) -> dict[int, StudioInfo]:
    """sector -> the active industry studio of `region` for it: one whose main sector it is, else one that
    also covers it (the oldest first, so the choice is stable)."""
    if not sector_ids:
        return {}
    studios = list(Studio.objects.filter(region=region, kind=Studio.Kind.INDUSTRY, active=True)
                   .filter(Q(sector_id__in=sector_ids) | Q(sectors__in=sector_ids)).exclude(pk=exclude_id)
                   .distinct().order_by("id"))
    covered = _covered_sectors([s.pk for s in studios])
    result: dict[int, StudioInfo] = {}
    for rank in ("main", "also"):
        for studio in studios:
            for sector_id in sector_ids:
                owns = studio.sector_id == sector_id if rank == "main" else sector_id in covered[studio.pk]
                if owns:
                    result.setdefault(sector_id, studio_info(studio, covered[studio.pk]))
    return result


def member_loads(studio_ids) -> dict[int, list[Member]]:
    """Active members of each studio with the open petitions each handles now. Two queries: the members,
    then their open petitions counted from the (current_representative, status) index alone; counting
    through a join would read every petition a member ever handled."""
    members = list(StudioMembership.objects.filter(studio_id__in=studio_ids, representative__active=True)
                   .order_by("studio_id", "representative_id").values_list("studio_id", "representative_id"))
    open_loads = dict(Petition.objects.filter(current_representative_id__in={rep for _s, rep in members},
                                              status__in=OPEN_STATUSES)
                      .order_by().values("current_representative_id").annotate(n=Count("*"))
                      .values_list("current_representative_id", "n")) if members else {}
    loads: dict[int, list[Member]] = {sid: [] for sid in studio_ids}
    for studio_id, rep_id in members:
        loads[studio_id].append(Member(id=rep_id, open_load=open_loads.get(rep_id, 0)))
    return loads


def agency_for(region: Region) -> int | None:
    """The liaison agency of the region, or of the nearest region above it that has one."""
    codes = [c for c in region.path.strip("/").split("/") if c]
    agencies = dict(LiaisonAgency.objects.filter(region__code__in=codes).values_list("region__code", "id"))
    for code in reversed(codes):
        if code in agencies:
            return agencies[code]
    return None


def similar_group(*, petition: Petition, sector_id: int | None, now) -> dict | None:
    """The largest group of similar petitions `petition` belongs to if it were of `sector_id` (the hot words'
    grouping, hotwords/similar.py; the petition's words must be stored first), as plain data."""
    from .hotwords.similar import petition_group

    group = petition_group(petition_id=petition.pk, sector_id=sector_id, days=settings.ROUTING_SIMILAR_DAYS, now=now)
    return group.as_data() if group else None


def similar_petition_ids(*, petition_id: int, group: dict) -> list[int]:
    """The other petitions of the group routing found: the joint consultation's related petitions."""
    from .hotwords.similar import group_petition_ids

    return group_petition_ids(term=group["term"], township_id=group["township_id"], sector_id=group["sector_id"],
                              days=group["days"], until=datetime.fromisoformat(group["until"]), exclude=petition_id)


def open_cluster_consultation(*, township_id: int, sector_id: int, now) -> int | None:
    return (JointConsultation.objects.filter(township_id=township_id, sector_id=sector_id,
                                             status__in=OPEN_CONSULTATION,
                                             reason=JointConsultation.Reason.SYSTEMIC_SIMILAR,
                                             created_at__gte=now - timedelta(days=settings.ROUTING_SIMILAR_DAYS))
            .order_by("-created_at").values_list("id", flat=True).first())


def gather_facts(petition: Petition, classification: Classification, *, now=None, systemic_by_staff: bool = False,
                 extra_studio: Studio | None = None) -> RoutingFacts:
    """Everything decide_loop() needs about `petition`. `extra_studio`: a studio staff chose, to load its members."""
    now = now or timezone.now()
    studio = Studio.objects.select_related("region").get(pk=petition.studio_id)
    level_region = target_region(studio)
    involved = involved_sectors(classification.scores)
    own_covered = _covered_sectors([studio.pk])[studio.pk]
    own = studio_info(studio, own_covered)
    others = [s for s in involved if s not in own.sector_ids]
    sectors_needed = set(involved) | own.sector_ids
    if extra_studio is not None:
        sectors_needed.add(extra_studio.sector_id)
    departments = departments_in(level_region, sectors_needed)
    covering = _covering_studios(level_region, others, exclude_id=studio.pk)
    studio_ids = {studio.pk} | {s.id for s in covering.values()} | ({extra_studio.pk} if extra_studio else set())
    members = member_loads(studio_ids)

    primary = involved[0] if involved else None
    threshold = settings.ROUTING_SIMILAR_THRESHOLD
    group = similar_group(petition=petition, sector_id=primary, now=now) if primary is not None else None
    count = group["count"] if group else 1
    cluster = (open_cluster_consultation(township_id=group["township_id"], sector_id=primary, now=now)
               if group and count >= threshold else None)
    return RoutingFacts(
        studio=own, scores=classification.scores, departments=departments, covering_studios=covering,
        members=members, agency_id=agency_for(studio.region), similar_count=count, similar_threshold=threshold,
        similar_group=group, systemic_by_staff=systemic_by_staff, open_cluster_consultation_id=cluster,
    )
