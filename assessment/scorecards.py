"""考核评价: scorecards for every studio and representative, one period at a time.

Figures are counted with one grouped query per source table (Count(filter=Q(...))), merged by
subject id, scored, and upserted in bulk (INSERT ... ON CONFLICT DO UPDATE). The formula is in
ScoreWeights' docstring and docs/assessment.md, and shown on the assessment report.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from offices.choices import Flag
from petitions.models import DONE_STATUSES, Petition, Rating

from .models import FlagChange, RedCard, Scorecard, ScoreWeights
from .workdays import TZ

FIGURES = ("received", "accepted_on_time", "resolved", "resolved_on_time", "rated", "satisfied", "reopened",
           "yellow", "red", "red_cards_open", "red_cards_rectified", "proposals", "research", "assignments",
           "assignments_overdue", "activities")
SUBJECTS = ("studio", "representative")


class InvalidPeriod(ValueError):
    pass


def period_bounds(period: str, start: date) -> tuple[date, date]:
    """[start, end) of a month, quarter or year; `start` must be its first day."""
    if period == Scorecard.Period.MONTH and start.day == 1:
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    elif period == Scorecard.Period.QUARTER and start.day == 1 and start.month in (1, 4, 7, 10):
        month = start.month + 3
        end = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    elif period == Scorecard.Period.YEAR and (start.month, start.day) == (1, 1):
        end = date(start.year + 1, 1, 1)
    else:
        raise InvalidPeriod(period, start)
    return start, end


def period_start_for(period: str, day: date | None = None) -> date:
    day = day or timezone.localdate()
    if period == Scorecard.Period.MONTH:
        return day.replace(day=1)
    if period == Scorecard.Period.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if period == Scorecard.Period.YEAR:
        return date(day.year, 1, 1)
    raise InvalidPeriod(period, day)


def _aware(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ)


def _merge(into: dict, rows, key: str) -> None:
    for row in rows:
        subject = row.pop(key)
        if subject is not None:
            into.setdefault(subject, {}).update(row)


_DONE = Q(status__in=DONE_STATUSES)
# The petition figures, each a filter over the period's petitions: shared with the drill-down list.
PETITION_FIGURES = {
    "received": Q(),
    "accepted_on_time": Q(accepted_at__isnull=False) & (Q(accept_due_at__isnull=True)
                                                         | Q(accepted_at__lte=F("accept_due_at"))),
    "resolved": _DONE,
    "resolved_on_time": _DONE & Q(resolved_at__isnull=False) & (Q(resolve_due_at__isnull=True)
                                                               | Q(resolved_at__lte=F("resolve_due_at"))),
    "rated": Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED]),
    "satisfied": Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY_SATISFIED]),
    "reopened": Q(reopened_count__gt=0),
}


def _petition_figures(field: str, a: datetime, b: datetime):
    return (Petition.objects.filter(submitted_at__gte=a, submitted_at__lt=b, **{f"{field}__isnull": False})
            .order_by().values(field).annotate(**{
                name: Count("id", filter=q) if q else Count("id") for name, q in PETITION_FIGURES.items()}))


def _flag_figures(field: str, a: datetime, b: datetime):
    path = f"petition__{field}"
    return (FlagChange.objects.filter(at__gte=a, at__lt=b, petition__isnull=False, **{f"{path}__isnull": False})
            .order_by().values(path).annotate(
                yellow=Count("petition", filter=Q(to_flag=Flag.YELLOW), distinct=True),
                red=Count("petition", filter=Q(to_flag=Flag.RED), distinct=True),
            ))


def _card_figures(field: str, a: datetime, b: datetime):
    return (RedCard.objects.filter(issued_at__gte=a, issued_at__lt=b, **{f"{field}__isnull": False})
            .order_by().values(field).annotate(
                red_cards_open=Count("id", filter=~Q(status=RedCard.Status.CLOSED)),
                red_cards_rectified=Count("id", filter=Q(status=RedCard.Status.CLOSED)),
            ))


def _duty_figures_for_representatives(start: date, end: date, a: datetime, b: datetime, today: date) -> dict:
    from liaison.models import AssignmentReport, Proposal, ResearchClaim
    from offices.models import StudioActivity

    figures: dict = {}
    _merge(figures, Proposal.objects.filter(submitted_at__gte=a, submitted_at__lt=b).order_by()
           .values("representative").annotate(proposals=Count("id")), "representative")
    # A research report counts once the agency accepts it, as on the representative's duty log.
    _merge(figures, ResearchClaim.objects.filter(status=ResearchClaim.Status.ACCEPTED, reviewed_at__gte=a,
                                                 reviewed_at__lt=b).order_by()
           .values("representative").annotate(research=Count("id")), "representative")
    _merge(figures, AssignmentReport.objects.filter(assignment__due_on__gte=start, assignment__due_on__lt=end)
           .order_by().values("representative").annotate(
               assignments=Count("id", filter=Q(status=AssignmentReport.Status.DONE)),
               assignments_overdue=Count("id", filter=Q(status=AssignmentReport.Status.PENDING,
                                                        assignment__due_on__lt=today))), "representative")
    _merge(figures, StudioActivity.representatives.through.objects.filter(
        studioactivity__held_on__gte=start, studioactivity__held_on__lt=end).order_by()
        .values("representative").annotate(activities=Count("studioactivity", distinct=True)), "representative")
    return figures


def _duty_figures_for_studios(start: date, end: date, today: date) -> dict:
    from liaison.models import AssignmentReport
    from offices.models import StudioActivity

    figures: dict = {}
    _merge(figures, StudioActivity.objects.filter(held_on__gte=start, held_on__lt=end).order_by()
           .values("studio").annotate(activities=Count("id")), "studio")
    _merge(figures, AssignmentReport.objects.filter(assignment__studio__isnull=False, assignment__due_on__gte=start,
                                                    assignment__due_on__lt=end).order_by()
           .values("assignment__studio").annotate(
               assignments=Count("id", filter=Q(status=AssignmentReport.Status.DONE)),
               assignments_overdue=Count("id", filter=Q(status=AssignmentReport.Status.PENDING,
                                                        assignment__due_on__lt=today))), "assignment__studio")
    return figures


@dataclass(frozen=True)
class Score:
    score: Decimal
    flag: str
    components: dict


def _rate(numerator, denominator):
    return Decimal(numerator) / Decimal(denominator) if denominator else None


def composite_score(figures: dict, weights: ScoreWeights) -> Score:
    """The documented formula (ScoreWeights, docs/assessment.md)."""
    duty_items = sum(figures.get(k, 0) for k in ("proposals", "research", "assignments", "activities"))
    components = {
        "response": (weights.response_weight, _rate(figures.get("accepted_on_time", 0), figures.get("received", 0))),
        "resolution": (weights.resolution_weight,
                       _rate(figures.get("resolved_on_time", 0), figures.get("received", 0))),
        "satisfaction": (weights.satisfaction_weight, _rate(figures.get("satisfied", 0), figures.get("rated", 0))),
        "duty": (weights.duty_weight,
                 min(Decimal(1), Decimal(duty_items) / weights.duty_target) if weights.duty_target else None),
    }
    used = [(Decimal(w), r) for w, r in components.values() if r is not None and w]
    total_weight = sum(w for w, _ in used)
    base = Decimal(100) * sum(w * r for w, r in used) / total_weight if total_weight else Decimal(100)
    penalty = (Decimal(weights.red_card_penalty) * figures.get("red_cards_open", 0)
               + Decimal(weights.red_flag_penalty) * figures.get("red", 0))
    score = min(Decimal(100), max(Decimal(0), base - penalty)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    flag = Flag.BLUE if score >= weights.blue_from else Flag.RED if score < weights.red_below else Flag.YELLOW
    return Score(score, flag, {k: r for k, (_, r) in components.items()})


@transaction.atomic
def scorecards_compute(*, period: str, start: date, now: datetime | None = None) -> dict:
    """Compute (or recompute) every active studio's and representative's scorecard for one period."""
    from liaison.models import Representative
    from offices.models import Studio

    start, end = period_bounds(period, start)
    a, b = _aware(start), _aware(end)
    now = now or timezone.now()
    today = now.astimezone(TZ).date()
    weights = ScoreWeights.current()

    studio_figures: dict = {pk: {} for pk in Studio.objects.filter(active=True).values_list("pk", flat=True)}
    _merge(studio_figures, _petition_figures("studio", a, b), "studio")
    _merge(studio_figures, _flag_figures("studio", a, b), "petition__studio")
    _merge(studio_figures, _card_figures("studio", a, b), "studio")
    for pk, figures in _duty_figures_for_studios(start, end, today).items():
        studio_figures.setdefault(pk, {}).update(figures)

    rep_figures: dict = {pk: {} for pk in Representative.objects.filter(active=True).values_list("pk", flat=True)}
    _merge(rep_figures, _petition_figures("current_representative", a, b), "current_representative")
    _merge(rep_figures, _flag_figures("current_representative", a, b), "petition__current_representative")
    _merge(rep_figures, _card_figures("representative", a, b), "representative")
    for pk, figures in _duty_figures_for_representatives(start, end, a, b, today).items():
        rep_figures.setdefault(pk, {}).update(figures)

    update_fields = [*FIGURES, "score", "flag", "computed_at"]
    written = {}
    for subject, figures_by_pk in (("studio", studio_figures), ("representative", rep_figures)):
        cards = []
        for pk, figures in figures_by_pk.items():
            result = composite_score(figures, weights)
            cards.append(Scorecard(**{f"{subject}_id": pk}, period=period, period_start=start, score=result.score,
                                   flag=result.flag, computed_at=now, **{k: figures.get(k, 0) for k in FIGURES}))
        Scorecard.objects.bulk_create(cards, batch_size=2000, update_conflicts=True,
                                      unique_fields=[subject, "period", "period_start"], update_fields=update_fields)
        written[subject] = len(cards)
    if connection.vendor == "postgresql":
        # A new period's cards arrive fourteen thousand at once; until autovacuum's ANALYZE comes round the
        # planner believes the period holds one card and sorts the whole month for the rankings' first page
        # instead of reading them in score order from the (period, period_start, -score) index.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Scorecard._meta.db_table)}")
    return written
