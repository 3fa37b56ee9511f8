from datetime import date

from django.core.management.base import BaseCommand, CommandError

from assessment.scorecards import InvalidPeriod, period_start_for, scorecards_compute


class Command(BaseCommand):
    help = "Compute (or recompute) every studio's and representative's scorecard for one period."

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=["month", "quarter", "year"], default="month")
        parser.add_argument("--start", help="the period's first day, YYYY-MM-DD (default: the current period)")

    def handle(self, *args, period, start, **options):
        try:
            start_date = date.fromisoformat(start) if start else period_start_for(period)
            written = scorecards_compute(period=period, start=start_date)
        except (ValueError, InvalidPeriod) as exc:
            raise CommandError(f"{period} {start}: not the first day of a {period}") from exc
        self.stdout.write(f"{period} {start_date}: " + " ".join(f"{k}={v}" for k, v in written.items()))
