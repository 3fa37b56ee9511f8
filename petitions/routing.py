"""Which of the three closed loops a petition goes into, and to whom. Pure: plain data in, a decision out.

services_routing.py gathers the facts with a fixed handful of queries, calls decide_loop() (or
decide_override() for staff) and applies the decision through the workflow. Everything that decides
lives here, so every rule is tested without a database.

The rules (DESIGN.md, "The three closed loops"):

- A sector is *involved* when it scores at least MIN_SCORE and at least SHARE_OF_TOP of the best
  score (classifier.py: dictionary terms found in the text, plus the citizen's category).
- Loop 3 when staff judge it systemic, or it is one of at least N similar petitions from one township
  within D days (N = settings.ROUTING_SIMILAR_THRESHOLD, default 5, this petition included;
  D = settings.ROUTING_SIMILAR_DAYS, default 7), or two or more involved sectors belong to other
  departments than the studio's; convened by the liaison agency of the studio's level (or the nearest
  above). Later similar petitions join the open consultation instead of convening another. The reason
  names the group: "与近7天梁村镇另外22件诉求相似（“玉米倒伏”）".
  "Similar" is the hot words' grouping (hotwords/similar.py), the same one the dashboard and the
  reports show: from the same township (a village counts as its township; petitions filed above
  township level are never counted), of the same sector, submitted within the span, sharing an issue
  term (玉米倒伏, 暖气不热, 路灯; never everyday words such as 小区 or 老人).
- Loop 1 when the best sector is one the studio covers (its main sector or an "also covers" one), or
  when nothing was recognised (first contact handles it): the sector's responsible department, and
  the least loaded active member of the studio (ties: the lead, then the longest-serving record).
- Loop 2 otherwise: the studio of that sector at the same level (a township studio's is its county's
  industry studio), studio to studio; where none covers it, forwarded to the 12345 hotline while the
  receiving studio keeps first-contact responsibility.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _, ngettext

MIN_SCORE = 2.0  # one term pointing to a sector, or the citizen's category alone
SHARE_OF_TOP = 0.4  # a side remark does not drag in another department


class Reason(models.TextChoices):
    OWN_SECTOR = "own_sector", _("It belongs to the receiving studio's sector.")
    UNCLASSIFIED = "unclassified", _("No sector was recognised: the receiving studio handles it.")
    OTHER_SECTOR_STUDIO = "other_sector_studio", _("It belongs to another sector: passed to that sector's studio.")
    OTHER_SECTOR_HOTLINE = "other_sector_hotline", _(
        "It belongs to another sector that no studio covers: forwarded to the 12345 hotline.")
    SEVERAL_DEPARTMENTS = "several_departments", _("It involves several other departments: joint consultation.")
    SYSTEMIC_SIMILAR = "systemic_similar", _("Many similar petitions from one township: joint consultation.")
    SYSTEMIC_STAFF = "systemic_staff", _("Judged systemic by staff: joint consultation.")
    STAFF_CHOICE = "staff_choice", _("Routed by staff.")


class RoutingImpossible(Exception):
    """Staff asked for a route the facts do not allow (loop 3 where no liaison agency exists)."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class StudioInfo:
    id: int
    sector_id: int
    covered_sector_ids: frozenset = frozenset()
    host_department_id: int | None = None
    lead_id: int | None = None

    @property
    def sector_ids(self) -> frozenset:
        return frozenset({self.sector_id}) | self.covered_sector_ids


@dataclass(frozen=True)
class Member:
    id: int
    open_load: int  # open petitions the representative currently handles


@dataclass(frozen=True)
class RoutingFacts:
    studio: StudioInfo  # the receiving (first-contact) studio
    scores: Mapping[int, float]  # sector id -> score
    # sector id -> responsible department where the loops' targets sit (the county for county and
    # township studios, the city for city studios)
    departments: Mapping[int, int] = field(default_factory=dict)
    covering_studios: Mapping[int, StudioInfo] = field(default_factory=dict)  # sector id -> studio at that level
    members: Mapping[int, Sequence[Member]] = field(default_factory=dict)  # studio id -> active members
    agency_id: int | None = None  # the liaison agency of the studio's level (or the nearest above)
    similar_count: int = 0  # similar petitions in the township within the window, this one included
    similar_threshold: int = 5
    # the largest group of similar petitions this one belongs to (hotwords.similar.SimilarGroup.as_data())
    similar_group: Mapping | None = None
    systemic_by_staff: bool = False
    open_cluster_consultation_id: int | None = None  # an open systemic consultation this cluster can join


@dataclass(frozen=True)
class RoutingDecision:
    loop: int
    reason: str
    sector_id: int | None
    involved_sector_ids: tuple = ()
    studio_id: int | None = None  # the handling (current) studio
    department_id: int | None = None
    representative_id: int | None = None
    hotline: bool = False
    agency_id: int | None = None
    participant_department_ids: tuple = ()
    join_consultation_id: int | None = None
    similar_group: Mapping | None = None  # with reason SYSTEMIC_SIMILAR: the group that made it systemic

    def as_data(self) -> dict:
        data = asdict(self)
        data["involved_sector_ids"] = list(self.involved_sector_ids)
        data["participant_department_ids"] = list(self.participant_department_ids)
        data["similar_group"] = dict(self.similar_group) if self.similar_group else None
        return data

    @property
    def note(self) -> str:
        if self.reason == Reason.SYSTEMIC_SIMILAR and self.similar_group:
            return similar_reason(self.similar_group)
        return str(Reason(self.reason).label)


def similar_reason(group: Mapping) -> str:
    """与近7天梁村镇另外22件诉求相似（“玉米倒伏”），提请会商。 (in the active language)"""
    others = int(group.get("others", 0))
    return ngettext(
        "Similar to %(others)s other petition from %(township)s in the last %(days)s days (“%(term)s”): "
        "joint consultation.",
        "Similar to %(others)s other petitions from %(township)s in the last %(days)s days (“%(term)s”): "
        "joint consultation.", others) % {
        "others": others, "township": group.get("township", ""), "days": group.get("days", ""),
        "term": group.get("term", "")}


def involved_sectors(scores: Mapping[int, float]) -> tuple:
    """Sectors that matter, best first (ties: the lower id, so the result never depends on dict order)."""
    if not scores:
        return ()
    top = max(scores.values())
    floor = max(MIN_SCORE, SHARE_OF_TOP * top)
    ranked = sorted((s for s, v in scores.items() if v >= floor), key=lambda s: (-scores[s], s))
    return tuple(ranked)


def pick_representative(members: Sequence[Member], lead_id: int | None) -> int | None:
    """The least loaded active member; on a tie the lead, then the lowest id. No members: the lead."""
    if not members:
        return lead_id
    return min(members, key=lambda m: (m.open_load, m.id != lead_id, m.id)).id


def _department_for(facts: RoutingFacts, sector_id: int, studio: StudioInfo) -> int | None:
    """An industry studio's host department answers for the studio's main sector; otherwise the sector's
    responsible department at the loop's level; failing both, the studio's host department."""
    if studio.sector_id == sector_id and studio.host_department_id:
        return studio.host_department_id
    return facts.departments.get(sector_id, studio.host_department_id)


def _to_studio(facts, *, loop, reason, sector_id, involved, studio: StudioInfo, department_id=None,
               representative_id=None) -> RoutingDecision:
    return RoutingDecision(
        loop=loop, reason=reason, sector_id=sector_id, involved_sector_ids=involved, studio_id=studio.id,
        department_id=department_id or _department_for(facts, sector_id, studio),
        representative_id=representative_id or pick_representative(facts.members.get(studio.id, ()), studio.lead_id),
    )


def _to_hotline(facts, *, reason, sector_id, involved) -> RoutingDecision:
    # First-contact responsibility: the receiving studio follows the hotline's progress.
    own = facts.studio
    return RoutingDecision(
        loop=2, reason=reason, sector_id=sector_id, involved_sector_ids=involved, studio_id=own.id,
        department_id=None, representative_id=pick_representative(facts.members.get(own.id, ()), own.lead_id),
        hotline=True,
    )


def _to_consultation(facts, *, reason, sector_id, involved, department_ids=()) -> RoutingDecision:
    own = facts.studio
    lead_sector = sector_id or own.sector_id
    participants = tuple(department_ids) or tuple(dict.fromkeys(
        facts.departments[s] for s in (involved or (lead_sector,)) if s in facts.departments))
    return RoutingDecision(
        loop=3, reason=reason, sector_id=lead_sector, involved_sector_ids=involved, studio_id=own.id,
        department_id=_department_for(facts, lead_sector, own),
        representative_id=pick_representative(facts.members.get(own.id, ()), own.lead_id),
        agency_id=facts.agency_id, participant_department_ids=participants,
        join_consultation_id=facts.open_cluster_consultation_id if reason == Reason.SYSTEMIC_SIMILAR else None,
        similar_group=facts.similar_group if reason == Reason.SYSTEMIC_SIMILAR else None,
    )


def decide_loop(facts: RoutingFacts) -> RoutingDecision:
    involved = involved_sectors(facts.scores)
    own = facts.studio
    primary = involved[0] if involved else None
    others = [s for s in involved if s not in own.sector_ids]

    if facts.agency_id is not None:  # without an agency nobody can convene: the loops below still apply
        if facts.systemic_by_staff:
            return _to_consultation(facts, reason=Reason.SYSTEMIC_STAFF, sector_id=primary, involved=involved)
        if primary is not None and facts.similar_count >= facts.similar_threshold:
            return _to_consultation(facts, reason=Reason.SYSTEMIC_SIMILAR, sector_id=primary, involved=involved)
        if len(others) >= 2:
            return _to_consultation(facts, reason=Reason.SEVERAL_DEPARTMENTS, sector_id=primary, involved=involved)

    if primary is None:
        return _to_studio(facts, loop=1, reason=Reason.UNCLASSIFIED, sector_id=own.sector_id, involved=(),
                          studio=own)
    if primary in own.sector_ids:
        return _to_studio(facts, loop=1, reason=Reason.OWN_SECTOR, sector_id=primary, involved=involved, studio=own)
    target = facts.covering_studios.get(primary)
    if target is not None:
        return _to_studio(facts, loop=2, reason=Reason.OTHER_SECTOR_STUDIO, sector_id=primary, involved=involved,
                          studio=target)
    return _to_hotline(facts, reason=Reason.OTHER_SECTOR_HOTLINE, sector_id=primary, involved=involved)


def decide_override(facts: RoutingFacts, *, loop: int, studio: StudioInfo | None = None,
                    sector_id: int | None = None, department_id: int | None = None,
                    representative_id: int | None = None, department_ids: Sequence[int] = ()) -> RoutingDecision:
    """What staff chose, completed with the same defaults routing uses.

    loop 1: the given studio (default: the receiving one); loop 2: the given studio, or the hotline
    when none is given; loop 3: a consultation with the given departments (default: those of the
    involved sectors), which needs a liaison agency.
    """
    involved = involved_sectors(facts.scores)
    best = sector_id or (involved[0] if involved else None)
    if loop == 3:
        if facts.agency_id is None:
            raise RoutingImpossible(_("No liaison agency at this level can convene a joint consultation."))
        return _to_consultation(facts, reason=Reason.SYSTEMIC_STAFF, sector_id=best, involved=involved,
                                department_ids=department_ids)
    if loop == 2 and studio is None:
        return _to_hotline(facts, reason=Reason.STAFF_CHOICE, sector_id=best, involved=involved)
    target = studio or facts.studio
    return _to_studio(facts, loop=loop, reason=Reason.STAFF_CHOICE, sector_id=sector_id or target.sector_id,
                      involved=involved, studio=target, department_id=department_id,
                      representative_id=representative_id)
