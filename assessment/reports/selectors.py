"""Reads behind the reports. Every figure is an aggregate query; no query runs per row."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from liaison.models import Representative
from offices.choices import Flag
from offices.models import Studio, StudioActivity
from petitions.models import DONE_STATUSES, OPEN_STATUSES, Petition

from ..models import Scorecard
from ..scorecards import PETITION_FIGURES
from ..workdays import TZ
from .export import Table
from .filters import Filters

TREND_POINTS = 12


def inactive_days() -> int:
    return int(getattr(settings, "REPORTS_INACTIVE_DAYS", 30))


def _month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def overview(f: Filters) -> dict:
    """Counters, trends by week and month (the 12 ending with the period) and the split by sector,
    all from one grouped scan: petitions per day and sector, folded into weeks, months and the period."""
    from offices.models import Sector

    last_day = f.end - timedelta(days=1)
    week_start = last_day - timedelta(days=last_day.weekday()) - timedelta(weeks=TREND_POINTS - 1)
    month_start = _month_back(last_day, TREND_POINTS - 1)
    since = min(week_start, month_start, f.start)
    rows = (Petition.objects.filter(f.petitions_q(), submitted_at__gte=datetime.combine(since, time(0), tzinfo=TZ),
                                    submitted_at__lt=f.until)
            .annotate(day=TruncDate("submitted_at", tzinfo=TZ)).order_by().values("day", "sector_id")
            # Not COUNT(id): the id is not in the covering index, and asking for it reads the table.
            .annotate(collected=Count("*"), resolved=Count("status", filter=Q(status__in=DONE_STATUSES))))
    weeks = {week_start + timedelta(weeks=i): [0, 0] for i in range(TREND_POINTS)}
    months = {_month_back(last_day, TREND_POINTS - 1 - i): [0, 0] for i in range(TREND_POINTS)}
    sectors: dict = {}
    totals = {"collected": 0, "resolved": 0}
    for row in rows:
        day, pair = row["day"], (row["collected"], row["resolved"])
        week = day - timedelta(days=day.weekday())
        for bucket, key in ((weeks, week), (months, day.replace(day=1))):
            if key in bucket:
                bucket[key][0] += pair[0]
                bucket[key][1] += pair[1]
        if f.start <= day < f.end:
            totals["collected"] += pair[0]
            totals["resolved"] += pair[1]
            entry = sectors.setdefault(row["sector_id"], [0, 0])
            entry[0] += pair[0]
            entry[1] += pair[1]
    names = dict(Sector.objects.filter(pk__in=[k for k in sectors if k]).values_list("pk", "name"))
    by_sector = sorted(({"sector__name": names.get(k), "collected": c, "resolved": r}
                        for k, (c, r) in sectors.items()), key=lambda r: -r["collected"])
    totals["representatives"] = Representative.objects.filter(f.representatives_q(), active=True).count()
    totals["studios"] = Studio.objects.filter(f.studios_q(), active=True).count()
    return {"totals": totals, "weekly": [(k, c, r) for k, (c, r) in weeks.items()],
            "monthly": [(k, c, r) for k, (c, r) in months.items()], "by_sector": by_sector}


def overview_tables(data: dict) -> dict[str, Table]:
    return {
        "sectors": Table("overview-sectors", [_("sector"), _("collected"), _("resolved")],
                         lambda: ([r["sector__name"] or _("not yet routed"), r["collected"], r["resolved"]]
                                  for r in data["by_sector"])),
        "monthly": Table("overview-monthly", [_("month"), _("collected"), _("resolved")],
                         lambda: ([f"{m:%Y-%m}", c, r] for m, c, r in data["monthly"])),
        "weekly": Table("overview-weekly", [_("week from"), _("collected"), _("resolved")],
                        lambda: ([m.isoformat(), c, r] for m, c, r in data["weekly"])),
    }


def operation(f: Filters, *, today: date) -> list[dict]:
    """Every studio's live load (open petitions it handles), overdue (red) and yellow ones, and its
    last activity: the later of its last studio activity and its last petition update. Two queries:
    the studios with their latest activity and latest petition update (one index probe each), and the
    open-petition counts, which read only open rows."""
    cutoff = today - timedelta(days=inactive_days())
    studios = Studio.objects.filter(f.studios_q(), active=True)
    last_held = StudioActivity.objects.filter(studio=OuterRef("pk")).order_by("-held_on").values("held_on")[:1]
    last_update = (Petition.objects.filter(current_studio=OuterRef("pk")).order_by("-updated_at")
                   .values("updated_at")[:1])
    rows = list(studios.annotate(last_activity=Subquery(last_held), last_petition=Subquery(last_update))
                .order_by("region__path", "name").values("pk", "name", "kind", "level", "region__name",
                                                         "sector__name", "last_activity", "last_petition"))
    loads = {r["current_studio"]: r for r in Petition.objects.filter(
        status__in=OPEN_STATUSES, current_studio__in=studios).order_by().values("current_studio").annotate(
        load=Count("id"), overdue=Count("id", filter=Q(flag=Flag.RED)), flagged=Count("id", filter=Q(flag=Flag.YELLOW)))}
    for row in rows:
        load = loads.get(row["pk"], {})
        row.update(load=load.get("load", 0), overdue=load.get("overdue", 0), flagged=load.get("flagged", 0))
        last_petition = row.pop("last_petition")
        dates = [d for d in (row["last_activity"], last_petition.astimezone(TZ).date() if last_petition else None) if d]
        row["last_active"] = max(dates) if dates else None
        row["inactive"] = row["last_active"] is None or row["last_active"] < cutoff
    return rows


def operation_table(rows: list[dict]) -> Table:
    return Table("operation", [_("studio"), _("region"), _("sector"), _("open petitions"), _("overdue (red)"),
                               _("flagged yellow"), _("last activity"), _("inactive")],
                 lambda: ([r["name"], r["region__name"], r["sector__name"], r["load"], r["overdue"], r["flagged"],
                           r["last_active"].isoformat() if r["last_active"] else "",
                           _("yes") if r["inactive"] else ""] for r in rows), count=lambda: len(rows))


def rankings(f: Filters, subject: str):
    qs = Scorecard.objects.filter(period=f.period, period_start=f.start, **{f"{subject}__isnull": False})
    prefix = f"{subject}__"
    q = f.studios_q(prefix) if subject == "studio" else f.representatives_q(prefix)
    return qs.filter(q).select_related(subject, f"{subject}__region").order_by("-score", f"{subject}__name", "pk")


def flag_summary(qs) -> list[tuple[str, str, int]]:
    counts = qs.order_by().aggregate(**{flag: Count("id", filter=Q(flag=flag)) for flag in Flag.values})
    return [(flag, label, counts[flag]) for flag, label in Flag.choices]


def ranking_table(qs, subject: str) -> Table:
    headers = [_("rank"), _("studio") if subject == "studio" else _("representative"), _("region"), _("score"),
               _("rating"), _("received"), _("response rate"), _("resolution rate"), _("satisfaction rate"),
               _("yellow flags"), _("red flags"), _("red cards open")]

    def rows():
        for rank, card in enumerate(qs.iterator(chunk_size=2000), start=1):
            holder = getattr(card, subject)
            yield [rank, holder.name, holder.region.name, float(card.score), card.get_flag_display(), card.received,
                   _pct(card.response_rate), _pct(card.resolution_rate), _pct(card.satisfaction_rate),
                   card.yellow, card.red, card.red_cards_open]

    return Table(f"assessment-{subject}s", headers, rows, count=qs.count)


def _pct(rate):
    return None if rate is None else round(rate * 100, 1)


def scorecard_petitions(card: Scorecard, figure: str):
    start = datetime.combine(card.period_start, time(0), tzinfo=TZ)
    from ..scorecards import period_bounds

    _start, end = period_bounds(card.period, card.period_start)
    field = "studio" if card.studio_id else "current_representative"
    holder = card.studio_id or card.representative_id
    qs = Petition.objects.filter(submitted_at__gte=start,
                                 submitted_at__lt=datetime.combine(end, time(0), tzinfo=TZ), **{field: holder})
    if figure in PETITION_FIGURES:
        qs = qs.filter(PETITION_FIGURES[figure])
    elif figure in ("yellow", "red"):
        qs = qs.filter(flag_changes__to_flag=figure, flag_changes__at__gte=start,
                       flag_changes__at__lt=datetime.combine(end, time(0), tzinfo=TZ)).distinct()
    else:
        raise KeyError(figure)
    return qs.select_related("current_studio", "sector").order_by("-submitted_at", "-id")


def petitions_table(qs, name: str) -> Table:
    return Table(name, [_("tracking code"), _("submitted"), _("status"), _("flag"), _("handling studio"),
                        _("sector"), _("current stage due")],
                 lambda: ([p.tracking_code, p.submitted_at, p.get_status_display(), p.get_flag_display(),
                           p.current_studio.name if p.current_studio else "", p.sector.name if p.sector else "",
                           p.due_at] for p in qs.iterator(chunk_size=2000)), count=qs.count)


def _grouped(qs, field: str, **annotations) -> list[dict]:
    return list(qs.order_by().values(field).annotate(**annotations).order_by(field))


def _labelled(rows: list[dict], field: str, choices: dict | None = None) -> list[dict]:
    for row in rows:
        value = row.pop(field)
        row["label"] = str(choices.get(value, value)) if choices else (value or "—")
    return rows


def _areas_below(region) -> tuple[int, dict[str, str], str]:
    """How the team report splits a region: (the depth of its children's code in a path, child code → name,
    the region's own name). The whole city when no region is chosen."""
    from offices.models import Region

    base = region or Region.objects.filter(parent__isnull=True).order_by("path").first()
    if base is None:
        return 0, {}, ""
    children = dict(Region.objects.filter(parent=base).values_list("code", "name"))
    return len(base.path.strip("/").split("/")), children, base.name


def _area(path: str, areas: tuple[int, dict[str, str], str]) -> str:
    """The child of the chosen region a path lies in, or the region itself for what is registered there."""
    depth, children, own = areas
    codes = (path or "").strip("/").split("/")
    return children.get(codes[depth], own) if len(codes) > depth else own


def team(f: Filters) -> dict[str, list[dict]]:
    """队伍建设: representatives by level, sector and area (the counties of the city, or the regions just
    below the one chosen), and who was active in the period (a duty record). A fixed number of queries:
    the representatives, their sectors, the distinct representatives with a duty record in the period
    (from the (occurred_at, representative) index) and the areas; the groups are counted here, in one
    pass over the city's representatives."""
    from collections import defaultdict

    from liaison.models import DutyRecord
    from offices.choices import Level

    reps = Representative.objects.filter(f.representatives_q(), active=True)
    areas = _areas_below(f.region)
    people = {rep_id: (level, _area(path, areas)) for rep_id, level, path in
              reps.order_by().values_list("id", "level", "region__path").distinct()}
    sectors: dict[int, list] = defaultdict(list)
    for rep_id, name in (Representative.sectors.through.objects.filter(representative__in=reps.values("pk"))
                         .values_list("representative_id", "sector__name")):
        sectors[rep_id].append(name)
    active = set(DutyRecord.objects.filter(occurred_at__gte=f.since, occurred_at__lt=f.until,
                                           representative__in=reps.values("pk"))
                 .order_by().values_list("representative_id", flat=True).distinct())

    def group(keys_of, choices=None):
        counts: dict = defaultdict(lambda: [0, 0])
        for rep_id in people:
            for key in keys_of(rep_id):
                counts[key][0] += 1
                counts[key][1] += rep_id in active
        out = [{"label": str(choices.get(k, k)) if choices else (k or "—"), "count": n, "active": a}
               for k, (n, a) in counts.items()]
        return sorted(out, key=lambda r: -r["count"])

    return {
        "levels": group(lambda rep_id: (people[rep_id][0],), dict(Level.choices)),
        "sectors": group(lambda rep_id: sectors.get(rep_id) or (None,)),
        "regions": group(lambda rep_id: (people[rep_id][1],)),
    }


def position(f: Filters) -> dict[str, list[dict]]:
    """阵地建设: studios by kind, level, region and sector, with their activities and outcomes."""
    from offices.choices import Level
    from offices.models import StudioOutcome

    studios = Studio.objects.filter(f.studios_q(), active=True)
    activities = StudioActivity.objects.filter(held_on__gte=f.start, held_on__lt=f.end, studio__in=studios)
    outcomes = StudioOutcome.objects.filter(achieved_on__gte=f.start, achieved_on__lt=f.end, studio__in=studios)

    def group(field, choices=None):
        rows: dict = {}
        for source, name in ((studios, "studios"), (activities, "activities"), (outcomes, "outcomes")):
            key = field if source is studios else f"studio__{field}"
            for r in _grouped(source, key, n=Count("id")):
                rows.setdefault(r[key], {"studios": 0, "activities": 0, "outcomes": 0})[name] = r["n"]
        out = [{"label": str(choices.get(k, k)) if choices else (k or "—"), **v} for k, v in rows.items()]
        return sorted(out, key=lambda r: -r["studios"])

    return {
        "kinds": group("kind", dict(Studio.Kind.choices)),
        "levels": group("level", dict(Level.choices)),
        "sectors": group("sector__name"),
        "regions": group("region__name"),
    }


def grouped_tables(prefix: str, groups: dict[str, list[dict]], columns: list[tuple[str, str]],
                   titles: dict) -> dict[str, Table]:
    return {name: Table(f"{prefix}-{name}", [titles[name], *[label for label, _key in columns]],
                        (lambda rows=rows: ([r["label"], *[r[key] for _label, key in columns]] for r in rows)))
            for name, rows in groups.items()}
