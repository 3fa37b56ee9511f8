"""Phase 6: the representatives' duties (履职通) — proposals, research topics and claims, assignments and
reports, discussions — and the duty records that count them, petitions and activities included."""
import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth.models import User
from django.utils import timezone

from liaison.models import (Assignment, AssignmentReport, Discussion, DiscussionPost, DutyRecord, LiaisonAgency,
                            Proposal, Representative, ResearchClaim, ResearchTopic)
from offices.models import Department, Sector, Studio, StudioActivity
from petitions.models import Petition, Status

from . import duty_texts as T
from .build_accounts import ACCOUNTS, DEMO_STUDIO
from .places import CITY_CODE
from .sectors import SECTOR_CODES
from .util import BATCH, link

DAY = dt.timedelta(days=1)


class _People:
    """Representatives by agency area, read once."""

    def __init__(self):
        self.by_area = defaultdict(list)
        self.name = {}
        for rep_id, level, name, path in Representative.objects.order_by("id").values_list(
                "id", "level", "name", "region__path"):
            parts = path.strip("/").split("/")
            self.name[rep_id] = name
            if level in ("national", "provincial", "city") or len(parts) == 1:
                self.by_area[CITY_CODE].append(rep_id)
            if len(parts) > 1 and level != "national":
                self.by_area[parts[1]].append(rep_id)
        self.demo_rep = Representative.objects.filter(user__username="daibiao").values_list("id", flat=True).first()


def build_duties(scale, now) -> None:
    sector_ids = dict(Sector.objects.values_list("code", "id"))
    people = _People()
    agencies = list(LiaisonAgency.objects.order_by("region__code").values("id", "name", "region__code",
                                                                           "region__name"))
    users = {u.username: u.pk for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    for agency in agencies:
        area = agency["region__code"]
        if not people.by_area[area]:
            continue
        rng = random.Random(f"{scale.seed}:duties:{area}")
        _proposals(rng, scale, now, agency, people, sector_ids)
        _research(rng, scale, now, agency, people, sector_ids)
        _assignments(rng, scale, now, agency, people, users)
        _discussions(rng, scale, now, agency, users)
    _duty_records(people)


def _authors(rng, people, area, k) -> list:
    pool = people.by_area[area]
    chosen = rng.sample(pool, min(k, len(pool)))
    if people.demo_rep and area == "371526" and people.demo_rep not in chosen:
        chosen[0] = people.demo_rep  # the demo representative has duties to show
    return chosen


def _moment(rng, now, low_days, high_days) -> dt.datetime:
    return now - dt.timedelta(days=rng.uniform(low_days, high_days))


def _proposals(rng, scale, now, agency, people, sector_ids) -> None:
    area, n = agency["region__code"], scale.duties["proposals"]
    authors = _authors(rng, people, area, n)
    departments = dict(Department.objects.filter(region__code=area).values_list("sector__code", "id"))
    planned, co_signers = [], []
    for i in range(n):
        sector = rng.choice(SECTOR_CODES)
        submitted = _moment(rng, now, 5, 360)
        status = rng.choices(["submitted", "accepted", "handed_over", "answered", "declined"], [1, 1, 2, 5, 0.5])[0]
        p = Proposal(representative_id=authors[i % len(authors)], agency_id=agency["id"], sector_id=sector_ids[sector],
                     kind=rng.choice(["proposal", "suggestion", "suggestion"]),
                     title=rng.choice(T.PROPOSAL_TITLES[sector]),
                     body=T.PROPOSAL_BODY.format(topic=T.ACTIVITY_TOPICS[sector][0]), status=status,
                     submitted_at=submitted)
        if status != "submitted":
            p.accepted_at = min(submitted + DAY * rng.uniform(0.5, 5), now)
        if status in ("handed_over", "answered"):
            p.department_id = departments.get(sector)
        if status == "answered":
            p.answered_at, p.answer = min(p.accepted_at + DAY * rng.uniform(5, 40), now), T.PROPOSAL_ANSWER
        planned.append(p)
        co_signers.append(rng.sample(people.by_area[area], min(rng.randint(0, 3), len(people.by_area[area]))))
    have = Proposal.objects.filter(agency_id=agency["id"]).count()
    new = planned[have:]
    Proposal.objects.bulk_create(new, batch_size=BATCH)
    through = Proposal.co_signers.through
    link(through, [through(proposal_id=p.pk, representative_id=r) for p, signers in zip(new, co_signers[have:])
                   for r in signers if r != p.representative_id])


def _research(rng, scale, now, agency, people, sector_ids) -> None:
    area = agency["region__code"]
    planned = []
    for i in range(scale.duties["topics"]):
        published = _moment(rng, now, 10, 300)
        due = (published + DAY * rng.randint(30, 90)).date()
        sector = SECTOR_CODES[i % len(SECTOR_CODES)]
        title = T.TOPIC_TITLES[i % len(T.TOPIC_TITLES)].format(region=agency["region__name"])
        planned.append(ResearchTopic(agency_id=agency["id"], title=title, sector_id=sector_ids[sector],
                                      description=f"围绕{title[len(agency['region__name']):-2]}开展调研，形成调研报告和对策建议。",
                                      max_claimants=rng.randint(2, 5), due_on=due, published_at=published,
                                     status="closed" if due < now.date() else "open"))
    have = ResearchTopic.objects.filter(agency_id=agency["id"]).count()
    new = planned[have:]
    ResearchTopic.objects.bulk_create(new, batch_size=BATCH)
    claims = []
    for topic in new:
        team = _authors(rng, people, area, rng.randint(1, topic.max_claimants))
        for rep in team:
            claimed = topic.published_at + DAY * rng.uniform(0.5, 10)
            claim = ResearchClaim(topic=topic, representative_id=rep, claimed_at=min(claimed, now))
            if topic.status == "closed" or rng.random() < 0.3:
                claim.status = rng.choices(["submitted", "accepted", "returned"], [2, 6, 1])[0]
                claim.submitted_at = min(claimed + DAY * rng.uniform(10, 40), now)
                claim.report = T.TOPIC_REPORT.format(n=rng.randint(5, 30), m=rng.randint(2, 8))
                if claim.status != "submitted":
                    claim.reviewed_at = min(claim.submitted_at + DAY * rng.uniform(1, 10), now)
                    claim.review = "报告扎实，建议具有可操作性。" if claim.status == "accepted" else "请补充数据和典型案例。"
            claims.append(claim)
    ResearchClaim.objects.bulk_create(claims, batch_size=BATCH, ignore_conflicts=True)


def _assignments(rng, scale, now, agency, people, users) -> None:
    area = agency["region__code"]
    studios = _studios_of(area)
    planned = []
    for i in range(scale.duties["assignments"]):
        created = _moment(rng, now, 3, 330)
        planned.append(Assignment(
            agency_id=agency["id"], title=T.ASSIGNMENT_TITLES[i % len(T.ASSIGNMENT_TITLES)],
            description="请按时完成并上传佐证材料。", studio_id=rng.choice(studios) if studios and rng.random() < 0.4 else None,
            due_on=(created + DAY * rng.randint(7, 30)).date(), created_at=created,
            created_by_id=users.get("lianluo") if area == CITY_CODE else None))
    have = Assignment.objects.filter(agency_id=agency["id"]).count()
    new = planned[have:]
    Assignment.objects.bulk_create(new, batch_size=BATCH)
    reports = []
    for assignment in new:
        for rep in _authors(rng, people, area, rng.randint(2, 6)):
            report = AssignmentReport(assignment=assignment, representative_id=rep)
            if assignment.due_on < now.date() or rng.random() < 0.4:
                if rng.random() < 0.9:
                    report.status = "done"
                    report.reported_at = min(assignment.created_at + DAY * rng.uniform(1, 20), now)
                    report.evidence = T.ASSIGNMENT_EVIDENCE.format(n=rng.randint(5, 40), m=rng.randint(1, 12))
            reports.append(report)
    AssignmentReport.objects.bulk_create(reports, batch_size=BATCH, ignore_conflicts=True)


def _discussions(rng, scale, now, agency, users) -> None:
    if not users:
        return
    area = agency["region__code"]
    studios = _studios_of(area)
    if not studios:
        return
    # The demo studio (where daibiao and gongzuoshi work) holds the first threads, and only its own
    # people post in them: the demo representative finds discussions to join, and every post's author
    # can see the thread it is in.
    demo_studio = Studio.objects.filter(code=DEMO_STUDIO, id__in=studios).values_list("id", flat=True).first()
    own = [users[u] for u in ("daibiao", "gongzuoshi") if u in users]
    others = [users[u] for u in ("lianluo", "zuzhibu") if u in users] or own
    planned = []
    for i in range(scale.duties["discussions"]):
        studio_id = demo_studio if demo_studio and i < 3 else rng.choice(studios)
        authors = own if studio_id == demo_studio and own else others
        started = _moment(rng, now, 2, 200)
        posts, at = [], started
        for j in range(rng.randint(2, 6)):
            at = min(at + dt.timedelta(hours=rng.uniform(1, 48)), now)
            text = T.DISCUSSION_POSTS[0] if j == 0 else rng.choice(T.DISCUSSION_POSTS[1:])
            topic = T.ACTIVITY_TOPICS[rng.choice(SECTOR_CODES)][0]
            posts.append(DiscussionPost(author_id=rng.choice(authors), created_at=at, body=text.format(topic=topic)))
        planned.append((Discussion(title=T.DISCUSSION_TITLES[i % len(T.DISCUSSION_TITLES)],
                                   studio_id=studio_id, created_by_id=posts[0].author_id,
                                   created_at=started, last_post_at=posts[-1].created_at), posts))
    new = planned[Discussion.objects.filter(studio_id__in=studios).count():]
    Discussion.objects.bulk_create([d for d, _ in new], batch_size=BATCH)
    for d, posts in new:
        for post in posts:
            post.discussion = d
    DiscussionPost.objects.bulk_create([p for _, posts in new for p in posts], batch_size=BATCH)


def _studios_of(area) -> list:
    """The studios an agency looks after: city-level ones for the city, all of a county's for a county."""
    studios = Studio.objects.filter(region__code=area) if area == CITY_CODE else \
        Studio.objects.filter(region__path__startswith=f"/{CITY_CODE}/{area}/")
    return list(studios.order_by("code").values_list("id", flat=True))


def _duty_records(people) -> None:
    """One record per thing done, derived from what is in the database (the unique constraint skips repeats)."""
    rows = []

    def add(rep, kind, source, source_id, summary, at):
        rows.append(DutyRecord(representative_id=rep, kind=kind, source=source, source_id=source_id,
                               summary=summary[:255], occurred_at=at))

    K = DutyRecord.Kind
    for pk, rep, title, at in Proposal.objects.values_list("id", "representative_id", "title", "submitted_at"):
        add(rep, K.PROPOSAL, "liaison.proposal", pk, f"提交建议：{title}", at)
    # As in the dashboard: a research report counts once the agency has accepted it.
    for pk, rep, title, at in ResearchClaim.objects.filter(status="accepted", reviewed_at__isnull=False) \
            .values_list("id", "representative_id", "topic__title", "reviewed_at"):
        add(rep, K.RESEARCH, "liaison.researchclaim", pk, f"调研报告通过：{title}", at)
    for pk, rep, title, at in AssignmentReport.objects.filter(status="done").values_list(
            "id", "representative_id", "assignment__title", "reported_at"):
        add(rep, K.ASSIGNMENT, "liaison.assignmentreport", pk, f"完成任务：{title}", at)
    through = StudioActivity.representatives.through
    counted = DutyRecord.objects.filter(source="offices.studioactivity").values("source_id")
    for pk, rep, title, day in through.objects.exclude(studioactivity_id__in=counted).values_list(
            "studioactivity_id", "representative_id", "studioactivity__title", "studioactivity__held_on"):
        add(rep, K.ACTIVITY, "offices.studioactivity", pk, f"参加活动：{title}",
            timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0))))
    if people.demo_rep:
        for pk, title, at in DiscussionPost.objects.filter(author__representative__id=people.demo_rep) \
                .values_list("id", "discussion__title", "created_at"):
            add(people.demo_rep, K.DISCUSSION, "liaison.discussionpost", pk, f"参与交流：{title}", at)
    done = Petition.objects.filter(status__in=[Status.RESOLVED, Status.REPLIED, Status.CLOSED],
                                   current_representative__isnull=False, resolved_at__isnull=False) \
        .exclude(id__in=DutyRecord.objects.filter(source="petitions.petition").values("source_id"))
    for pk, rep, code, loop, at in done.values_list("id", "current_representative_id", "tracking_code", "loop",
                                                    "resolved_at").iterator(chunk_size=BATCH):
        kind = K.CONSULTATION if loop == 3 else K.PETITION
        add(rep, kind, "petitions.petition", pk, f"办结诉求 {code}", at)
    DutyRecord.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
