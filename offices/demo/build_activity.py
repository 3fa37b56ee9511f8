"""Phase 5: what the studios did (activities) and what came of it (outcomes), including the
newspaper's figures for the city finance studio and the 高唐县 agriculture studio."""
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from offices.models import Studio, StudioActivity, StudioMembership, StudioOutcome

from . import duty_texts as T
from .util import BATCH, link

PER_STUDIO = {"city": 16, "county": 10, "township": 8}
KINDS = (("reception", 3), ("visit", 4), ("training", 2), ("outreach", 2), ("meeting", 2), ("other", 1))
REACH = {"reception": (10, 60), "visit": (5, 40), "training": (30, 150), "outreach": (40, 300), "meeting": (8, 30),
         "other": (20, 80)}
O = StudioOutcome.Metric
FINANCE_FACTS = (  # metric, value, description, days ago
    (O.LOANS_YUAN, 2_000_000, "为茌平区贾寨镇耿店村投放全市首笔“强村贷”200万元，解决育苗场发展资金难题", 330),
    (O.LOANS_YUAN, 280_000_000, "联合工、农、中、建四家银行累计发放“强村贷”“教育e贷”等个性化贷款2.8亿元", 20),
    (O.HOUSEHOLDS, 1000, "个性化贷款受益群众1000余户", 20),
    (O.PEOPLE_TRAINED, 500, "开展电商培训、金融宣讲、市场营销等各类活动25次，500余人次受益", 20),
)
FINANCE_EVENTS = ("农村电商培训", "金融知识宣讲", "市场营销培训", "“强村贷”政策宣讲", "防范非法集资宣讲")


def build_activity(scale, now) -> None:
    today = timezone.localtime(now).date()
    studios = list(Studio.objects.order_by("code").values("id", "code", "name", "level", "sector__code",
                                                           "region__name"))
    have = dict(StudioActivity.objects.values_list("studio_id").annotate(n=Count("id")))
    members = defaultdict(list)
    for studio_id, rep_id in StudioMembership.objects.order_by("studio_id", "representative_id") \
            .values_list("studio_id", "representative_id"):
        members[studio_id].append(rep_id)
    new, outcomes, reps = [], [], []
    for studio in studios:
        if not members[studio["id"]]:
            continue
        rng = random.Random(f"{scale.seed}:activities:{studio['code']}")
        planned = _plan(rng, studio, today)
        for activity, metric in planned[have.get(studio["id"], 0):]:
            new.append(activity)
            team = rng.sample(members[studio["id"]], min(len(members[studio["id"]]), rng.randint(1, 4)))
            reps.append(team)
            outcomes.append(metric)
    StudioActivity.objects.bulk_create(new, batch_size=BATCH)
    through = StudioActivity.representatives.through
    link(through, [through(studioactivity_id=a.pk, representative_id=r) for a, team in zip(new, reps) for r in team])
    StudioOutcome.objects.bulk_create([
        StudioOutcome(studio_id=a.studio_id, activity=a, metric=m[0], value=Decimal(m[1]), achieved_on=a.held_on,
                      description=m[2][:255])
        for a, m in zip(new, outcomes) if m], batch_size=BATCH)
    _facts(today)


def _plan(rng, studio, today) -> list:
    """[(StudioActivity, outcome or None)] in a fixed order for this studio."""
    sector, place = studio["sector__code"], studio["region__name"]
    visit, training, outreach = T.ACTIVITY_TOPICS[sector]
    short = studio["name"].replace("“两代表一委员”为民工作室", "工作室")
    rows = []
    if studio["code"] == "371500-finance":  # 25 trainings and outreach events, 500+ people in all
        for i in range(25):
            kind = "training" if i % 2 == 0 else "outreach"
            title = f"{FINANCE_EVENTS[i % len(FINANCE_EVENTS)]}（第{i + 1}期）"
            rows.append((StudioActivity(studio_id=studio["id"], kind=kind, title=title,
                                        held_on=today - dt.timedelta(days=340 - i * 13),
                                        people_reached=18 + (i * 7) % 9,
                                        description="联合四家银行组建“三农”服务团队开展。"), None))
    for _ in range(PER_STUDIO[studio["level"]]):
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        title = rng.choice(T.ACTIVITY_TITLES[kind]).format(studio=short, place=place, visit=visit, training=training,
                                                          outreach=outreach)
        held_on = today - dt.timedelta(days=rng.randint(1, 364))
        activity = StudioActivity(studio_id=studio["id"], kind=kind, title=title[:200], held_on=held_on,
                                  people_reached=rng.randint(*REACH[kind]), description=T.ACTIVITY_DESCRIPTIONS[kind],
                                  created_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(18, 0))))
        outcome = None
        if kind in ("visit", "training", "outreach") and rng.random() < 0.6:
            metric, low, high, text = rng.choice(T.OUTCOMES[sector])
            n = rng.randint(low, high)
            if metric.endswith("yuan"):
                n = round(n, -3)
            outcome = (metric, n, text.format(n=f"{n:,}"))
        rows.append((activity, outcome))
    return rows


def _facts(today) -> None:
    """The figures the newspaper reports, once each."""
    wanted = []
    finance = Studio.objects.filter(code="371500-finance").first()
    if finance:
        wanted += [StudioOutcome(studio=finance, metric=m, value=Decimal(v), description=d,
                                 achieved_on=today - dt.timedelta(days=ago)) for m, v, d, ago in FINANCE_FACTS]
    agri = Studio.objects.filter(code="371526-agri").first()
    if agri:
        year = today.year if (today.month, today.day) > (7, 26) else today.year - 1
        day = dt.date(year, 7, 26)
        visit = StudioActivity.objects.filter(studio=agri, held_on=day, kind="visit").first()
        if visit is None:
            visit = StudioActivity.objects.create(
                studio=agri, kind=StudioActivity.Kind.VISIT, held_on=day, people_reached=60,
                title="赴梁村镇琉璃庙村查看积水玉米，现场制定救治方案",
                description="琉璃庙村村民来电求助，党代表当天顶着高温赶到村里查看玉米受灾情况，现场提出救治方案。",
                created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0))))
            if agri.lead_id:
                visit.representatives.add(agri.lead_id)
        wanted += [
            StudioOutcome(studio=agri, activity=visit, metric=O.AREA_MU, value=Decimal(1275), achieved_on=day,
                          description="梁村镇琉璃庙村1275亩积水玉米得到及时救治"),
            StudioOutcome(studio=agri, activity=visit, metric=O.LOSSES_AVOIDED_YUAN, value=Decimal(240000),
                          achieved_on=day, description="琉璃庙村村民直接挽回损失近24万元"),
        ]
    have = set(StudioOutcome.objects.filter(studio__code__in=["371500-finance", "371526-agri"])
               .values_list("studio_id", "metric", "description"))
    StudioOutcome.objects.bulk_create([o for o in wanted if (o.studio.pk, o.metric, o.description) not in have])
