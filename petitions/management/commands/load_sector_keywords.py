"""`manage.py load_sector_keywords`: add the shipped routing dictionary's missing terms (idempotent)."""
from pathlib import Path

from django.core.management.base import BaseCommand

from petitions.keywords import SHIPPED_FILE, sector_keywords_load


class Command(BaseCommand):
    help = "Load the routing dictionary (petitions/data/sector_keywords.txt); never overwrites an edited term."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=SHIPPED_FILE)

    def handle(self, *args, **options):
        added = sector_keywords_load(path=options["file"])
        self.stdout.write(f"{added} routing keywords added")
