"""The reads routing needs, turned into the plain data routing.py decides on.

A fixed number of queries whatever the size of the city, and for routing whatever the number of petitions
routed together (FactsLoader): the studios, their "also covers" sectors, the departments and studios of the
involved sectors at each level, the members' open loads and the liaison agencies, for all of them at once;
then per petition one grouped count of similar petitions (the hot words' grouping).
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


def departments_at(region_ids, sector_ids) -> dict[tuple[int, int], int]:
    """(region, sector) -> the responsible department there (the oldest active one, if there are several)."""
    found: dict[tuple[int, int], int] = {}
    rows = (Department.objects.filter(region_id__in=set(region_ids), sector_id__in=set(sector_ids), active=True)
            .order_by("id").values_list("region_id", "sector_id", "id")) if sector_ids else ()
    for region_id, sector_id, department_id in rows:
        found.setdefault((region_id, sector_id), department_id)
    return found


def departments_in(region: Region, sector_ids) -> dict[int, int]:
    """sector -> its responsible department in `region`."""
    return {sector_id: dept for (_region, sector_id), dept in departments_at([region.pk], sector_ids).items()}


def members_and_loads(studio_ids) -> tuple[dict[int, list[int]], dict[int, int]]:
    """The active members of each studio, and the open petitions each member handles now. Two queries: the
    members, then their open petitions counted from the (current_representative, status) index alone;
    counting through a join would read every petition a member ever handled."""
    members = list(StudioMembership.objects.filter(studio_id__in=studio_ids, representative__active=True)
                   .order_by("studio_id", "representative_id").values_list("studio_id", "representative_id"))
    loads = dict(Petition.objects.filter(current_representative_id__in={rep for _s, rep in members},
                                         status__in=OPEN_STATUSES)
                 .order_by().values("current_representative_id").annotate(n=Count("*"))
                 .values_list("current_representative_id", "n")) if members else {}
    member_ids: dict[int, list[int]] = {sid: [] for sid in studio_ids}
    for studio_id, rep_id in members:
        member_ids[studio_id].append(rep_id)
    return member_ids, loads


def member_loads(studio_ids) -> dict[int, list[Member]]:
    """Active members of each studio with the open petitions each handles now."""
    member_ids, loads = members_and_loads(studio_ids)
    return {sid: [Member(id=rep, open_load=loads.get(rep, 0)) for rep in reps] for sid, reps in member_ids.items()}


def similar_group(*, petition: Petition, sector_id: int | None, now, own=None, issues=None,
                  batch=None) -> dict | None:
    """The largest group of similar petitions `petition` belongs to if it were of `sector_id` (the hot words'
    grouping, hotwords/similar.py; the petition's words must be stored first, or given as `own`, and the words
    of the petitions routed with it that are not stored yet as `batch`), as plain data."""
    from .hotwords.similar import petition_group

    group = petition_group(petition_id=petition.pk, sector_id=sector_id, days=settings.ROUTING_SIMILAR_DAYS, now=now,
                           own=own, issues=issues, batch=batch)
    return group.as_data() if group else None


def similar_petition_ids(*, petition_id: int, group: dict, batch=None) -> list[int]:
    """The other petitions of the group routing found: the joint consultation's related petitions."""
    from .hotwords.similar import group_petition_ids

    return group_petition_ids(term=group["term"], township_id=group["township_id"], sector_id=group["sector_id"],
                              days=group["days"], until=datetime.fromisoformat(group["until"]), exclude=petition_id,
                              batch=batch)


def _open_systemic(now):
    """Open systemic consultations convened within the span: those a similar petition joins, latest first."""
    return (JointConsultation.objects.filter(status__in=OPEN_CONSULTATION,
                                             reason=JointConsultation.Reason.SYSTEMIC_SIMILAR,
                                             created_at__gte=now - timedelta(days=settings.ROUTING_SIMILAR_DAYS))
            .order_by("-created_at", "-id"))


def open_cluster_consultation(*, township_id: int, sector_id: int, now, dated: bool = False):
    """The latest open systemic consultation on a township's cluster within the span (its id; with `dated`,
    (id, created_at))."""
    rows = _open_systemic(now).filter(township_id=township_id, sector_id=sector_id)
    return rows.values_list("id", "created_at").first() if dated else rows.values_list("id", flat=True).first()


class FactsLoader:
    """The facts of several petitions' studios in one go (routing routes the petitions waiting together): the
    studios, the departments, the covering studios, the members and the agencies, each one query for all.

    Members' open loads are read once; `dispatched()` counts each petition routing gives a member
    afterwards, so the next petition sees the load as a fresh count would (other workers' dispatches are
    seen from the next batch on, as they were from their commit on).
    """

    def __init__(self, petitions, classifications: dict, *, extra_studio: Studio | None = None):
        self.extra_studio = extra_studio
        self.studios = Studio.objects.select_related("region", "region__parent").in_bulk(
            {p.studio_id for p in petitions})
        self.covered = _covered_sectors(list(self.studios))
        self.own = {sid: studio_info(s, self.covered[sid]) for sid, s in self.studios.items()}
        self.levels = {sid: target_region(s) for sid, s in self.studios.items()}
        self.involved = {p.pk: involved_sectors(classifications[p.pk].scores) for p in petitions}
        needed, others = set(), set()
        for p in petitions:
            own = self.own[p.studio_id]
            needed |= set(self.involved[p.pk]) | own.sector_ids
            others |= {s for s in self.involved[p.pk] if s not in own.sector_ids}
        if extra_studio is not None:
            needed.add(extra_studio.sector_id)
        regions = {r.pk for r in self.levels.values()}
        self.departments = departments_at(regions, needed)
        self.candidates = list(Studio.objects.filter(region_id__in=regions, kind=Studio.Kind.INDUSTRY, active=True)
                               .filter(Q(sector_id__in=others) | Q(sectors__in=others)).distinct()
                               .order_by("id")) if others else []
        self.candidate_covered = _covered_sectors([s.pk for s in self.candidates]) if self.candidates else {}
        self.covering = {p.pk: self._covering(p) for p in petitions}
        studio_ids = set(self.studios) | {s.id for c in self.covering.values() for s in c.values()}
        if extra_studio is not None:
            studio_ids.add(extra_studio.pk)
        self._members(studio_ids)
        self._agencies()
        self._issues = None
        self._clusters: dict[tuple[int, int], tuple | None] = {}
        self.consultations: dict[int, JointConsultation] = {}
        self._cluster_keys = {(township.pk, self.involved[p.pk][0]) for p in petitions
                              if (township := township_of(p.region)) is not None and self.involved[p.pk]}

    def _open_cluster(self, township_id: int, sector_id: int, *, now) -> int | None:
        """open_cluster_consultation(), read once per township and sector; the consultations routing convenes
        meanwhile are added by convened()."""
        key = (township_id, sector_id)
        if self._cluster_keys:
            self._open_clusters(now)
        found = self._clusters.get(key)
        if key not in self._clusters or (found and found[1] < now - timedelta(days=settings.ROUTING_SIMILAR_DAYS)):
            found = self._clusters[key] = open_cluster_consultation(township_id=township_id, sector_id=sector_id,
                                                                    now=now, dated=True)
        return found[0] if found else None

    def _open_clusters(self, now) -> None:
        """The open systemic consultations on the clusters of all the petitions' townships and sectors, in one
        query with their agencies (kept in `consultations` for those that join them): as open_cluster_consultation()
        for each (township, sector), which the clusters routing meets beyond these still ask."""
        keys, self._cluster_keys = self._cluster_keys, set()
        found = _open_systemic(now).select_related("agency").filter(
            township_id__in={t for t, _s in keys}, sector_id__in={s for _t, s in keys})
        for key in keys:
            self._clusters.setdefault(key, None)
        for consultation in found:
            key = (consultation.township_id, consultation.sector_id)
            if key in keys and self._clusters[key] is None:
                self._clusters[key] = (consultation.pk, consultation.created_at)
                self.consultations[consultation.pk] = consultation

    def convened(self, consultation: JointConsultation) -> None:
        """A consultation routing convened (or joined): the latest open one on its cluster if it is systemic."""
        systemic = consultation.reason == JointConsultation.Reason.SYSTEMIC_SIMILAR
        if systemic and consultation.status in OPEN_CONSULTATION:
            key = (consultation.township_id, consultation.sector_id)
            if key not in self._clusters or not self._clusters[key] or (
                    self._clusters[key][1] <= consultation.created_at):
                self._clusters[key] = (consultation.pk, consultation.created_at)

    @property
    def issues(self) -> frozenset[str]:
        """The issue terms similar petitions are counted on, read once for all the petitions."""
        from .hotwords.similar import issue_terms

        if self._issues is None:
            self._issues = issue_terms()
        return self._issues

    def _covering(self, petition) -> dict[int, StudioInfo]:
        """sector -> the active industry studio at the petition's level for it: one whose main sector it is, else
        one that also covers it (the oldest first, so the choice is stable); from the candidates of all."""
        own = self.own[petition.studio_id]
        sector_ids = [s for s in self.involved[petition.pk] if s not in own.sector_ids]
        level = self.levels[petition.studio_id].pk
        studios = [s for s in self.candidates if s.region_id == level and s.pk != petition.studio_id
                   and (s.sector_id in sector_ids or self.candidate_covered[s.pk] & set(sector_ids))]
        result: dict[int, StudioInfo] = {}
        for rank in ("main", "also"):
            for studio in studios:
                for sector_id in sector_ids:
                    covered = self.candidate_covered[studio.pk]
                    owns = studio.sector_id == sector_id if rank == "main" else sector_id in covered
                    if owns:
                        result.setdefault(sector_id, studio_info(studio, covered))
        return result

    def _members(self, studio_ids) -> None:
        # Kept as counts per representative, so that the batch's own dispatches can be added.
        self.member_ids, self.loads = members_and_loads(studio_ids)

    def members(self, studio_ids) -> dict[int, list[Member]]:
        return {sid: [Member(id=rep, open_load=self.loads.get(rep, 0)) for rep in self.member_ids.get(sid, ())]
                for sid in studio_ids}

    def dispatched(self, representative_id: int | None) -> None:
        """A petition routing left open with this representative: one more in their open load."""
        if representative_id is not None:
            self.loads[representative_id] = self.loads.get(representative_id, 0) + 1

    def _agencies(self) -> None:
        # The liaison agency of each studio's region, or of the nearest region above it that has one.
        paths = {sid: [c for c in s.region.path.strip("/").split("/") if c] for sid, s in self.studios.items()}
        codes = {c for path in paths.values() for c in path}
        agencies = dict(LiaisonAgency.objects.filter(region__code__in=codes).values_list("region__code", "id"))
        self.agency = {sid: next((agencies[c] for c in reversed(path) if c in agencies), None)
                       for sid, path in paths.items()}

    def facts(self, petition: Petition, classification: Classification, *, now, systemic_by_staff: bool = False,
              own_words=None, batch=None) -> RoutingFacts:
        """Everything decide_loop() needs about `petition` (one of those the loader was made for)."""
        studio_id = petition.studio_id
        own = self.own[studio_id]
        level = self.levels[studio_id].pk
        involved = self.involved[petition.pk]
        sectors_needed = set(involved) | own.sector_ids
        if self.extra_studio is not None:
            sectors_needed.add(self.extra_studio.sector_id)
        departments = {s: self.departments[level, s] for s in sectors_needed if (level, s) in self.departments}
        covering = self.covering[petition.pk]
        studio_ids = ({studio_id} | {s.id for s in covering.values()}
                      | ({self.extra_studio.pk} if self.extra_studio is not None else set()))

        primary = involved[0] if involved else None
        threshold = settings.ROUTING_SIMILAR_THRESHOLD
        group = (similar_group(petition=petition, sector_id=primary, now=now, own=own_words, issues=self.issues,
                               batch=batch)
                 if primary is not None else None)
        count = group["count"] if group else 1
        cluster = (self._open_cluster(group["township_id"], primary, now=now)
                   if group and count >= threshold else None)
        return RoutingFacts(
            studio=own, scores=classification.scores, departments=departments, covering_studios=covering,
            members=self.members(studio_ids), agency_id=self.agency[studio_id], similar_count=count,
            similar_threshold=threshold, similar_group=group, systemic_by_staff=systemic_by_staff,
            open_cluster_consultation_id=cluster,
        )


def gather_facts(petition: Petition, classification: Classification, *, now=None, systemic_by_staff: bool = False,
                 extra_studio: Studio | None = None) -> RoutingFacts:
    """Everything decide_loop() needs about `petition`. `extra_studio`: a studio staff chose, to load its members."""
    loader = FactsLoader([petition], {petition.pk: classification}, extra_studio=extra_studio)
    return loader.facts(petition, classification, now=now or timezone.now(), systemic_by_staff=systemic_by_staff)
