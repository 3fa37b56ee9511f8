"""Phase 4: a year of petitions and their trails, in every state, inserted in chunks.

Petition number i always gets the same tracking code, whatever the scale, so a second run (or a
larger scale after a smaller one) inserts only the numbers that are not there yet. With each new
petition come its trail, its joint consultation (loop 3), its 12345 delivery, its SLA pauses and,
for the last 30 days, its routing terms (hot words). Open petitions are then coloured by the SLA
sweep itself (assessment.services.sla_sweep), which also issues the red cards and reminders.
"""
import datetime as dt
import random

from django.utils import timezone

from assessment.models import SlaPolicy
from liaison.models import Representative
from assessment.models import SlaPause
from assessment.services import sla_sweep
from petitions.keywords import current_classifier
from petitions.routing_facts import key_terms
from petitions.models import (ConsultationDecision, HotlineDelivery, JointConsultation, Petition, PetitionEvent,
                              PetitionTerm, Rating, Status)

from . import intake, trail
from .record import Recorder
from .util import BATCH, fast_insert, link

A = PetitionEvent.Action
CHUNK = 5000
TERMS_WINDOW = dt.timedelta(days=30)  # routing terms are kept for the recent petitions hot words look at
OLDEST = 364 * 86400  # seconds: everything lies within the past year
# The first petitions are pinned so that even the smallest scale shows every state:
# (status, seconds since the last step or None to draw it, routed)
PINNED = (
    (Status.SUBMITTED, 3 * 60, False), (Status.SUBMITTED, 8 * 60, False), (Status.SUBMITTED, 40 * 60, True),
    (Status.ACCEPTED, None, True), (Status.REJECTED, None, True), (Status.DISPATCHED, None, True),
    (Status.ON_HOLD, None, True), (Status.RESOLVED, None, True), (Status.REPLIED, None, True),
    (Status.CLOSED, None, True),
)
STORY_TEXT = ("琉璃庙村地势低洼，7月份几场强降雨后，村里1275亩玉米地积水排不出去，多数玉米根部开始糜烂、长势矮小，"
              "村民心里着急，请党代表帮忙想想办法。")


def build_petitions(scale, now) -> int:
    """Returns how many petitions were added."""
    ctx = intake.Context(scale, now)
    if not ctx.studios:
        return 0
    sla = {p.loop: {"accept": p.accept_days, "resolve": p.resolve_days, "reply": p.reply_days,
                    "share": float(p.yellow_share)} for p in SlaPolicy.objects.filter(sector__isnull=True)}
    rep_users = dict(Representative.objects.filter(user__isnull=False).values_list("id", "user_id"))
    recorder = Recorder(ctx, sla, rep_users)

    story = _story(ctx, random.Random(f"{scale.seed}:story"), recorder)
    added = _insert([story], now) if story else 0
    for start in range(0, scale.petitions, CHUNK):
        indexes = range(start, min(start + CHUNK, scale.petitions))
        if not _missing(scale.seed, indexes):
            continue  # this chunk is all there: nothing to draw
        # One random stream per chunk, so that a chunk draws the same whatever was skipped before it.
        rng = random.Random(f"{scale.seed}:petitions:{scale.name}:{start}")
        added += _insert([_one(ctx, rng, recorder, index) for index in indexes], now)
    # Colour the open petitions as the beat's sweep would: flags, their history, red cards, reminders.
    sla_sweep(now=now)
    return added


def _missing(seed, indexes) -> bool:
    codes = [intake.tracking_code(seed, i) for i in indexes]
    return Petition.objects.filter(tracking_code__in=codes).count() < len(codes)


def _one(ctx, rng, recorder, index):
    if index < len(PINNED):
        status, gap, routed = PINNED[index]
    else:
        status, gap = trail.target_status(rng), None
        routed = True
    if status in trail.ANCHORED:
        # Plan first, then place the last step a little before now.
        draft = intake.draft(ctx, rng, index, ctx.now - dt.timedelta(days=2))
        route = trail.route_for(ctx, rng, draft)
        steps = _routing(rng, routed) + trail.plan_steps(rng, status, route)
        if gap is None:
            gap = trail.time_since_last_step(rng, status, route.loop)
            routed = not (status == Status.SUBMITTED and gap < 10 * 60 and rng.random() < 0.6)
            steps = steps if routed else steps[1:]
        span = min(gap + sum(delay for _a, delay, _d in steps), OLDEST)
        draft.submitted_at = ctx.now - dt.timedelta(seconds=span)
    else:
        age = rng.uniform(3, 364) if rng.random() < 0.85 else rng.uniform(0.1, 30)
        draft = intake.draft(ctx, rng, index, intake.submission_time(rng, ctx.now, age))
        route = trail.route_for(ctx, rng, draft)
        steps = _routing(rng, routed) + trail.plan_steps(rng, status, route)
    steps = trail.fit(steps, (ctx.now - draft.submitted_at).total_seconds() - 30)
    return recorder.record(rng, draft, route, steps)


def _routing(rng, routed: bool) -> list:
    return [(A.ROUTE, rng.uniform(5, 180), {})] if routed else []


def _story(ctx, rng, recorder):
    """The newspaper's story: 1,275 mu of waterlogged corn, the call on 26 July, the same-day visit."""
    studio = ctx.by_code.get("371526-agri")
    village = next((v for v in ctx.villages.get("371526101", ()) if v[2] == "琉璃庙村"), None)
    if not studio or not studio.lead or not village:
        return None
    today = timezone.localtime(ctx.now)
    year = today.year if (today.month, today.day) > (7, 27) else today.year - 1
    submitted_at = today.replace(year=year, month=7, day=26, hour=8, minute=40, second=0, microsecond=0)
    draft = intake.Draft(index=0, code=intake.tracking_code(ctx.seed, "story-corn"), submitted_at=submitted_at,
                         studio=studio, sector="agri", category="agri", region_id=village[0],
                         township_id=next(t[0] for t in ctx.towns["371526"] if t[1] == "371526101"), text=STORY_TEXT,
                         source="visit", address="高唐县梁村镇琉璃庙村", place=("高唐县", "梁村镇", "琉璃庙村"))
    route = trail.Route(1, studio, ctx.department_by_id[studio.host_department], studio.lead, studio.lead)
    steps = [(A.ROUTE, 40, {}), (A.ACCEPT, 20 * 60, {}), (A.DISPATCH, 15 * 60, {}), (A.RESOLVE, 7 * 3600, {}),
             (A.REPLY, 3600, {}), (A.RATE, 20 * 3600, {"rating": Rating.SATISFIED})]
    planned = recorder.record(rng, draft, route, steps)
    petition, events = planned.petition, planned.events
    petition.answer = ("党代表当天顶着高温赶到琉璃庙村查看玉米长势，现场提出开沟排水、扶苗培土、追施速效肥和喷施叶面肥的"
                       "救治方案，并协调高唐县农业农村局农技人员跟踪指导，1275亩玉米得到有效救治，挽回损失约24万元。")
    next(e for e in events if e["action"] == A.RESOLVE)["note"] = petition.answer
    petition.rating_comment = "代表当天就来了，玉米保住了，谢谢党代表！"
    next(e for e in events if e["action"] == A.RATE)["note"] = petition.rating_comment
    return planned


def _insert(batch, now) -> int:
    """Stores the petitions not there yet, then what hangs off them: consultations, 12345 deliveries,
    the trail, SLA pauses and the routing terms of recent petitions."""
    codes = [b.petition.tracking_code for b in batch]
    existing = set()
    for i in range(0, len(codes), BATCH):
        existing.update(Petition.objects.filter(tracking_code__in=codes[i:i + BATCH])
                        .values_list("tracking_code", flat=True))
    new = [b for b in batch if b.petition.tracking_code not in existing]
    if not new:
        return 0
    fast_insert(Petition, [b.petition for b in new])
    ids = dict(Petition.objects.filter(tracking_code__in=[b.petition.tracking_code for b in new])
               .values_list("tracking_code", "id"))
    for b in new:
        b.petition.pk = ids[b.petition.tracking_code]
        for row in (*b.events, *b.pauses):
            row["petition_id"] = b.petition.pk
    _consultations([b for b in new if b.consultation])
    HotlineDelivery.objects.bulk_create([HotlineDelivery(petition_id=b.petition.pk, **b.delivery)
                                         for b in new if b.delivery], batch_size=BATCH)
    fast_insert(PetitionEvent, [row for b in new for row in b.events])
    SlaPause.objects.bulk_create([SlaPause(**row) for b in new for row in b.pauses], batch_size=BATCH)
    _terms([b for b in new if b.petition.routed_at and b.petition.submitted_at > now - TERMS_WINDOW])
    return len(new)


def _terms(planned) -> None:
    """The dictionary terms routing records for similar-petition counting and hot words (recent petitions)."""
    if not planned:
        return
    classifier = current_classifier()
    rows = []
    for b in planned:
        p = b.petition
        classification = classifier.classify(p.text, p.category_id)
        township = b.consultation["township_id"] if b.consultation else None
        rows += [dict(petition_id=p.pk, term=term, sector_id=p.sector_id, at=p.submitted_at,
                      township_id=township or b.township_id)
                 for term in dict.fromkeys(key_terms(classification, p.sector_id))]
    fast_insert(PetitionTerm, rows)  # new petitions only: no (petition, term) pair can exist yet


def _consultations(planned) -> None:
    consultations = []
    for b in planned:
        fields = {k: v for k, v in b.consultation.items() if k not in ("departments", "decisions", "escalate")}
        consultations.append(JointConsultation(petition_id=b.petition.pk, **fields))
    JointConsultation.objects.bulk_create(consultations, batch_size=BATCH)
    through = JointConsultation.departments.through
    link(through, [through(jointconsultation_id=c.pk, department_id=d)
                   for c, b in zip(consultations, planned) for d in b.consultation["departments"]])
    decisions = []
    for c, b in zip(consultations, planned):
        for row in b.events:
            if row["action"] == A.CONSULT:
                row["data"] = {"consultation": c.pk, **row["data"]}
        if c.status == "convened":
            continue
        for owner, text in b.consultation["decisions"]:
            done = c.status == "closed"
            decisions.append(ConsultationDecision(consultation=c, owner_id=owner, text=text, done=done,
                                                  due_on=(c.meeting_at + dt.timedelta(days=10)).date(),
                                                  done_at=c.closed_at if done else None,
                                                  done_note="已按会商意见落实。" if done else ""))
    ConsultationDecision.objects.bulk_create(decisions, batch_size=BATCH)
