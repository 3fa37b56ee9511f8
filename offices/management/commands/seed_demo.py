"""`manage.py seed_demo --scale small|city`: demo data, deterministic and idempotent (run it again and
nothing is added; run `city` after `small` and only what is missing is added)."""
from django.core.management.base import BaseCommand

from offices.demo.builder import seed
from offices.demo.scales import SCALES


class Command(BaseCommand):
    help = "Load Liaocheng-shaped demo data: `small` in seconds, `city` at full size. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small",
                            help="small: three counties, ~500 petitions; city: 8 counties, ~50,000 petitions")

    def handle(self, *args, scale, **options):
        self.stdout.write(f"Seeding demo data, scale “{scale}”:")
        result = seed(SCALES[scale], log=self.stdout.write)
        self.stdout.write("")
        self.stdout.write(f"{'table':<32}{'rows':>10}{'added':>10}")
        for label, rows in result.after.items():
            self.stdout.write(f"{label:<32}{rows:>10,}{rows - result.before[label]:>+10,}")
        self.stdout.write(self.style.SUCCESS(f"Done in {result.seconds:.1f}s."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password “{result.password}”):")
        for username, description in result.logins:
            self.stdout.write(f"  {username:<12}{description}")
