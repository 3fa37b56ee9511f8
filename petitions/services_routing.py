"""Writes of routing: route a petition into its loop, staff overrides, transfers and returns, the unrouted sweep.

Every status change goes through services.petition_transition(); these services decide *which*
transitions, with what targets, and keep the trail complete (ROUTE, OVERRIDE, DISPATCH, TRANSFER,
RETURN, HOTLINE, CONSULT events).

Auto-dispatch: routing accepts and dispatches as "system" (settings.ROUTING_AUTO_DISPATCH, default on),
so a petition visibly moves within seconds of being submitted; the ROUTE event records why, and staff
can override any decision (OVERRIDE event, then the petition is re-dispatched). With the setting off,
routing only records its suggestion and staff accept and dispatch by hand.

First-contact responsibility: Petition.studio is never changed here; current_studio/department/
representative follow the petition.
"""
from __future__ import annotations

import itertools
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.bulk import insert_rows, update_rows
from liaison.models import Representative
from offices.models import Department, Studio

from . import routing_facts
from .errors import MissingDetail
from .hotline.outbox import hotline_delivery_cancel, hotline_forward
from .keywords import current_classifier
from .hotwords.services import current_extractor, hotwords_count_live, petition_word_rows, petition_words
from .hotwords.similar import BatchWords
from .models import Petition, PetitionEvent, PetitionTerm, PetitionWord, Status
from .routing import RoutingDecision, decide_loop, decide_override, pick_representative
from .routing_queue import queue_routing
from .services import event_build, event_record, petition_transition, transition_step
from .services_consultation import ConveneBatch, consultation_cancel_for_petition, consultation_convene
from .workflow import TransitionNotAllowed

logger = logging.getLogger(__name__)
A = PetitionEvent.Action
SYSTEM = "system"


def _instances(decision: RoutingDecision):
    studio = Studio.objects.get(pk=decision.studio_id) if decision.studio_id else None
    department = Department.objects.get(pk=decision.department_id) if decision.department_id else None
    representative = (Representative.objects.get(pk=decision.representative_id)
                      if decision.representative_id else None)
    return studio, department, representative


def _apply(petition_id: int, decision: RoutingDecision, *, actor, actor_label: str, action: str,
           current_studio_id: int | None = None, related_ids=()) -> None:
    """Dispatch (or transfer) into the decided loop, then forward to 12345 or convene the consultation.

    Runs inside the caller's transaction, holding the petition's lock. A dispatched petition that stays
    with its studio and only goes to 12345 or into a consultation gets no TRANSFER event (the citizen
    would read "transferred" while nothing moved): the HOTLINE or CONSULT event carries the new loop.
    """
    studio, department, representative = _instances(decision)
    stays = (action == A.TRANSFER and decision.studio_id == current_studio_id
             and (decision.hotline or decision.loop == 3))
    targets = {"loop": decision.loop, "department": department, "representative": representative} if stays else {}
    if not stays:
        petition_transition(petition_id=petition_id, action=action, actor=actor, actor_label=actor_label,
                            loop=decision.loop, studio=studio, department=department, representative=representative,
                            note=decision.note, data={"reason": decision.reason})
    if department is None:
        # petition_transition only sets targets it is given; a hotline or unstaffed route has none.
        Petition.objects.filter(pk=petition_id).update(current_department=None)
    if decision.hotline:
        hotline_forward(petition_id=petition_id, actor=actor, actor_label=actor_label, targets=targets)
    elif decision.loop == 3:
        consultation_convene(petition_id=petition_id, decision=decision, actor=actor, actor_label=actor_label,
                             related_ids=related_ids, targets=targets)


def _cluster(petition: Petition, decision: RoutingDecision, batch: BatchWords | None = None) -> list[int]:
    if decision.loop != 3 or not decision.similar_group:
        return []
    return routing_facts.similar_petition_ids(petition_id=petition.pk, group=decision.similar_group, batch=batch)


def _words_follow_sector(petition_id: int, sector_id: int | None) -> None:
    """Similar petitions are grouped per sector: the petition's words (and its routing terms) follow the
    sector routing or staff settled on."""
    for model in (PetitionTerm, PetitionWord):
        model.objects.filter(petition_id=petition_id).exclude(sector_id=sector_id).update(sector_id=sector_id)


def petition_route(*, petition_id: int) -> RoutingDecision | None:
    """Route a petition once. Safe to run any number of times, concurrently, or after a crash.

    The row lock serialises concurrent runs, `routed_at` makes later runs a no-op, and one
    transaction holds the ROUTE event, the terms and words, the dispatch and the hotline/consultation
    rows, so a crash half-way leaves nothing behind and the next run starts clean.
    """
    with transaction.atomic():
        petition = _claimable().get(pk=petition_id)
        if petition.routed_at is not None:
            return None
        return _route_locked([petition])[petition_id]


class _RoutedHere:
    """The petitions this process routed lately (committed). Under a burst, the first task routes the petitions
    queued behind it, and their own tasks then only have to find them routed: asking the database (a connection
    check and a query) was a fifth of the worker's time. routed_at is never cleared, so a petition found here is
    routed; one not found is asked about as before. Bounded: the oldest are forgotten first."""

    def __init__(self, size: int = 20_000):
        self.size, self._ids, self._lock = size, {}, threading.Lock()

    def __contains__(self, petition_id) -> bool:
        return petition_id in self._ids

    def clear(self) -> None:
        with self._lock:
            self._ids.clear()

    def add(self, ids) -> None:
        with self._lock:
            self._ids.update(dict.fromkeys(ids))
            for old in list(itertools.islice(self._ids, max(0, len(self._ids) - self.size))):
                del self._ids[old]


ROUTED_HERE = _RoutedHere()


def routing_warm_up() -> None:
    """Load what routing reads before its first petition: the tokenizer's and the two dictionaries (about 3 s
    together). The Celery worker does this once before its pool starts (config/celery_app.py), so each child
    starts with them instead of the first petition after a restart waiting for them."""
    current_classifier()
    current_extractor()


def _claimable():
    # The region and its parent come along: the township of the petition's terms needs both.
    return Petition.objects.select_for_update(of=("self",)).select_related("region", "region__parent")


def petitions_route_waiting(*, petition_id: int | None = None, limit: int | None = None) -> dict:
    """Route petition `petition_id` and, with it, up to `limit` - 1 other petitions waiting to be routed:
    {petition id: its decision, or None if it was routed already}.

    Routing petitions together shares what they read (the dictionary, the studios, the members' loads) and
    stores their hot-word counts, terms and trails in a few statements. The petition asked for is waited for
    if another worker holds it; the others are taken with SKIP LOCKED, so workers never wait on each other's.
    One transaction for all; if any petition fails, it is rolled back and each is routed on its own, so one
    broken petition neither loses nor blocks the others (what fails stays unrouted for the sweep). Only the
    petition asked for raises. A petition found routed already routes nothing else, and costs no query at all
    when this process routed it (ROUTED_HERE).
    """
    limit = limit or settings.ROUTING_BATCH
    if petition_id is not None and (petition_id in ROUTED_HERE or Petition.objects.filter(
            pk=petition_id, routed_at__isnull=False).exists()):
        # Routed already (routed_at is never cleared), by the task of a petition before it under a burst:
        # the petitions after it are another task's.
        return {petition_id: None}
    ids: list[int] = []
    try:
        with transaction.atomic():
            petitions = []
            if petition_id is not None:
                petitions = [p for p in _claimable().filter(pk=petition_id) if p.routed_at is None]
            others = (_claimable().select_for_update(of=("self",), skip_locked=True)
                      .filter(routed_at__isnull=True).exclude(pk=petition_id).order_by("id")[:limit - len(petitions)]
                      if limit > len(petitions) else [])
            petitions += list(others)
            ids = [p.pk for p in petitions]
            decisions = _route_locked(petitions) if petitions else {}
            transaction.on_commit(lambda: ROUTED_HERE.add(ids))
    except Exception:
        if len(ids) <= 1:
            raise
        logger.warning("routing %s petitions together failed; routing each on its own", len(ids), exc_info=True)
        decisions, failure = {}, None
        for pk in ids:
            try:
                decisions[pk] = petition_route(petition_id=pk)
            except Exception as exc:  # the sweep retries it; the others go on
                logger.exception("routing petition %s failed", pk)
                if pk == petition_id:
                    failure = exc
        if failure is not None:
            raise failure
    if petition_id is not None:
        decisions.setdefault(petition_id, None)
    return decisions


_FIELDS = [f for f in Petition._meta.concrete_fields if not f.primary_key]


def _route_locked(petitions: list[Petition]) -> dict[int, RoutingDecision]:
    """Route `petitions`, unrouted and locked by the caller's transaction, one after the other as if each
    were routed alone: each petition's similar petitions include those routed before it, and the members'
    loads the petitions dispatched before it.

    The petition's hot-word terms are extracted first (as hotword_petition_add does; nothing if the refresh
    got there first): similar petitions are counted on them, the same grouping the hot words show, and on the
    words of the petitions routed before it (kept in `words_batch` until the end). Its words take the sector
    routing settles on. All the petitions' words, trails (ROUTE, ACCEPT, DISPATCH, CONSULT), routing terms,
    consultations joined, hot-word counts and the petitions themselves are stored at the end, one statement
    each (a petition forwarded to 12345 is saved with its trail before the HOTLINE step, which reads it).
    """
    classifier = current_classifier()
    extractor = current_extractor()
    word_rows = petition_word_rows([p.pk for p in petitions])
    classifications = {p.pk: classifier.classify(p.text, p.category_id) for p in petitions}
    loader = routing_facts.FactsLoader(petitions, classifications)
    decisions, counted, terms, trails, routed = {}, [], [], [], []
    words_batch, convene_batch = BatchWords(), None
    for petition in petitions:
        now = timezone.now()
        row = word_rows.get(petition.pk)
        words = petition_words(row, extractor) if row is not None and not row[-1] else None
        own = list(zip(words["term"], words["township_id"])) if words is not None else None
        classification = classifications[petition.pk]
        facts = loader.facts(petition, classification, now=now, own_words=own, batch=words_batch)
        decision = decide_loop(facts)
        sector_id = decision.sector_id
        # Similar petitions are grouped per sector: the words take the one routing settled on.
        if words is None:
            PetitionWord.objects.filter(petition_id=petition.pk).exclude(sector_id=sector_id).update(
                sector_id=sector_id)
        elif words["term"]:
            counted.append((words["county_id"][0], words["sector_id"][0], words["term"]))
            words_batch.add({**words, "sector_id": [sector_id] * len(words["term"])})
        # Dated by submission, so the 7-day window is about when citizens wrote, not when routing ran.
        township = routing_facts.township_of(petition.region)
        terms += [PetitionTerm(petition=petition, term=t, sector_id=sector_id, township=township,
                               at=petition.submitted_at) for t in routing_facts.key_terms(classification, sector_id)]
        events = [event_build(
            petition=petition, action=A.ROUTE, actor_label=SYSTEM, from_status=petition.status,
            to_status=petition.status, note=decision.note, at=now, loop=decision.loop,
            studio=Studio(pk=decision.studio_id) if decision.studio_id else None,
            department=Department(pk=decision.department_id) if decision.department_id else None,
            data={**decision.as_data(), "scores": {str(k): v for k, v in classification.scores.items()},
                  "terms": list(classification.terms), "similar_count": facts.similar_count})]
        decisions[petition.pk] = decision
        if not settings.ROUTING_AUTO_DISPATCH or petition.status not in (Status.SUBMITTED, Status.ACCEPTED):
            # Staff acted first (or dispatch by hand): the ROUTE event is a suggestion.
            Petition.objects.filter(pk=petition.pk).update(routed_at=now, sector_id=sector_id)
            trails += events
            continue
        loaded = {f.attname: getattr(petition, f.attname) for f in _FIELDS}  # the row as locked: save what changes
        petition.routed_at, petition.sector_id = now, sector_id
        if petition.status == Status.SUBMITTED:
            events.append(transition_step(petition, action=A.ACCEPT, actor_label=SYSTEM))
        events.append(transition_step(
            petition, action=A.DISPATCH, actor_label=SYSTEM, loop=decision.loop, note=decision.note,
            studio=Studio(pk=decision.studio_id) if decision.studio_id else None,
            department=Department(pk=decision.department_id) if decision.department_id else None,
            representative=Representative(pk=decision.representative_id) if decision.representative_id else None,
            data={"reason": decision.reason}))
        if decision.department_id is None:
            petition.current_department = None  # a hotline or unstaffed route has no department
        if decision.loop == 3 and not decision.hotline:
            # Joining the open consultation on the cluster adds only this petition to its related ones.
            related = _cluster(petition, decision, words_batch) if not decision.join_consultation_id else ()
            convene_batch = convene_batch or ConveneBatch([p.pk for p in petitions], known=loader.consultations)
            loader.convened(consultation_convene(petition_id=petition.pk, decision=decision, actor=None,
                                                 actor_label=SYSTEM, related_ids=related, targets={}, locked=petition,
                                                 trail=events, batch=convene_batch))
        changed = [f for f in _FIELDS if getattr(petition, f.attname) != loaded[f.attname]]
        loader.dispatched(decision.representative_id)
        if decision.hotline:
            petition.save(update_fields=[f.name for f in changed])
            PetitionEvent.objects.bulk_create(events)  # before the HOTLINE event, in the trail's order
            hotline_forward(petition_id=petition.pk, actor=None, actor_label=SYSTEM, targets={})
        else:
            routed.append((petition, changed))
            trails += events
    _store_routed(routed)
    PetitionEvent.objects.bulk_create(trails)
    PetitionTerm.objects.bulk_create(terms, ignore_conflicts=True)
    insert_rows(PetitionWord, columns=dict(words_batch.columns), ignore_conflicts=True)
    if convene_batch is not None:
        convene_batch.flush()
    hotwords_count_live(counted)
    return decisions


def _store_routed(routed: list[tuple[Petition, list]]) -> None:
    """Save the petitions routing changed, in one UPDATE: every field any of them changed, from each one's
    values in memory (they were read under their row locks in this transaction, so a field one of them did
    not change is written back as it was)."""
    fields = [f for f in _FIELDS if any(f in changed for _p, changed in routed)]
    if fields:
        update_rows(Petition, ids=[p.pk for p, _changed in routed],
                    columns={f.attname: [getattr(p, f.attname) for p, _changed in routed] for f in fields})


def _studio_department(studio: Studio | None) -> int | None:
    """The department answering for a studio staff picked: its host, else its sector's where it sits."""
    if studio is None:
        return None
    if studio.host_department_id:
        return studio.host_department_id
    region = routing_facts.target_region(studio)
    return routing_facts.departments_in(region, [studio.sector_id]).get(studio.sector_id)


def petition_route_override(*, petition_id: int, actor, loop: int, reason: str, studio: Studio | None = None,
                            department: Department | None = None, representative: Representative | None = None,
                            departments=(), sector=None) -> RoutingDecision:
    """Staff replace routing's decision: an OVERRIDE event with the reason, then the petition is re-dispatched.

    loop 1/2 with a studio: to that studio; loop 2 without one: to the 12345 hotline; loop 3: a joint
    consultation (with `departments`, or those of the sectors the text involves). Leaving the hotline
    cancels its pending delivery; leaving loop 3 cancels the open consultation.
    """
    if not (reason or "").strip():
        raise MissingDetail("reason")
    if loop not in (1, 2, 3):
        raise MissingDetail("loop", _("Choose the loop the petition goes into."))
    with transaction.atomic():
        petition = Petition.objects.select_for_update(of=("self",)).select_related("region").get(pk=petition_id)
        if petition.status not in (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED):
            raise TransitionNotAllowed(A.OVERRIDE, petition.status)
        now = timezone.now()
        classification = current_classifier().classify(petition.text, petition.category_id)
        facts = routing_facts.gather_facts(petition, classification, now=now, systemic_by_staff=loop == 3,
                                           extra_studio=studio)
        target = routing_facts.studio_info(studio, set()) if studio is not None else None
        decision = decide_override(
            facts, loop=loop, studio=target, sector_id=sector.pk if sector else None,
            department_id=department.pk if department else _studio_department(studio),
            representative_id=representative.pk if representative else None,
            department_ids=[d.pk for d in departments])
        previous = {"loop": petition.loop, "studio_id": petition.current_studio_id,
                    "department_id": petition.current_department_id,
                    "representative_id": petition.current_representative_id}
        event_record(petition=petition, action=A.OVERRIDE, actor=actor, from_status=petition.status,
                     to_status=petition.status, note=reason, at=now, loop=decision.loop,
                     studio=Studio(pk=decision.studio_id) if decision.studio_id else None,
                     department=Department(pk=decision.department_id) if decision.department_id else None,
                     data={"previous": previous, "decision": decision.as_data()})
        if not decision.hotline:
            hotline_delivery_cancel(petition_id=petition_id)
        if decision.loop != 3:
            consultation_cancel_for_petition(petition_id=petition_id, actor=actor, reason=reason)
        sector_id = decision.sector_id or petition.sector_id
        Petition.objects.filter(pk=petition_id).update(routed_at=petition.routed_at or now, sector_id=sector_id)
        _words_follow_sector(petition_id, sector_id)
        if petition.status == Status.SUBMITTED:
            petition_transition(petition_id=petition_id, action=A.ACCEPT, actor=actor)
        action = A.TRANSFER if petition.status == Status.DISPATCHED else A.DISPATCH
        _apply(petition_id, decision, actor=actor, actor_label="", action=action,
               current_studio_id=petition.current_studio_id)
    return decision


def petition_transfer(*, petition_id: int, actor, studio: Studio, reason: str,
                      department: Department | None = None, representative: Representative | None = None) -> Petition:
    """Pass a dispatched petition to another studio (studio to studio). The receiving studio stays responsible.

    The department defaults to the target studio's host department, the representative to its least
    loaded active member. Moving to another studio than the first-contact one makes it loop 2 (unless it
    is in a joint consultation, which keeps loop 3); a pending 12345 delivery is cancelled.
    """
    if not (reason or "").strip():
        raise MissingDetail("reason")
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition_id)
        if representative is None:
            rep_id = pick_representative(routing_facts.member_loads([studio.pk])[studio.pk], studio.lead_id)
            representative = Representative.objects.filter(pk=rep_id).first() if rep_id else None
        loop = petition.loop
        if loop != 3 and studio.pk != petition.studio_id:
            loop = 2
        petition = petition_transition(petition_id=petition_id, action=A.TRANSFER, actor=actor, note=reason,
                                       loop=loop, studio=studio, department=department or studio.host_department,
                                       representative=representative, data={"reason": "transfer"})
        hotline_delivery_cancel(petition_id=petition_id)
    return petition


def petition_return(*, petition_id: int, reason: str, actor=None, actor_label: str = "") -> Petition:
    """退回: give a dispatched petition back to its first-contact studio, which accepts it again and re-dispatches."""
    if not (reason or "").strip():
        raise MissingDetail("reason")
    with transaction.atomic():
        petition = petition_transition(petition_id=petition_id, action=A.RETURN, actor=actor,
                                       actor_label=actor_label, reason=reason)
        hotline_delivery_cancel(petition_id=petition_id)
    return petition


def petitions_unrouted(*, older_than: timedelta = timedelta(minutes=1), limit: int = 500, now=None) -> list[int]:
    """Petitions routing never finished: their task was lost (broker down at submit, worker killed)."""
    cutoff = (now or timezone.now()) - older_than
    return list(Petition.objects.filter(routed_at__isnull=True, submitted_at__lt=cutoff)
                .order_by("id").values_list("id", flat=True)[:limit])


def petitions_route_sweep(*, older_than: timedelta = timedelta(minutes=1), limit: int = 500,
                          inline: bool = False) -> int:
    """The nothing-lost rule: queue routing again for every petition still unrouted (or route inline)."""
    ids = petitions_unrouted(older_than=older_than, limit=limit)
    for petition_id in ids:
        if inline:
            try:
                petition_route(petition_id=petition_id)
            except Exception:  # one broken petition must not stop the sweep; it is retried next time
                logger.exception("routing petition %s failed", petition_id)
        else:
            queue_routing(petition_id)
    return len(ids)
