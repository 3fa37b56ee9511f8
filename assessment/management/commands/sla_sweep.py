from django.core.management.base import BaseCommand

from assessment.services import DEFAULT_BATCH, sla_backfill, sla_sweep


class Command(BaseCommand):
    help = "Set every open petition's blue/yellow/red flag, issue red cards and reminders (the beat task's sweep)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
        parser.add_argument("--jobs", type=int, default=None,
                            help="database connections sharing the batches (default: SLA_SWEEP_JOBS, 2)")
        parser.add_argument("--backfill", action="store_true",
                            help="first give deadlines to open petitions that have none")

    def handle(self, *args, batch_size, backfill, jobs, **options):
        if backfill:
            self.stdout.write(f"backfilled={sla_backfill()}")
        counts = sla_sweep(batch_size=batch_size, jobs=jobs)
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
