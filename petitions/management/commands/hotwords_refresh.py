from django.core.management.base import BaseCommand

from petitions.hotwords.services import hotwords_refresh


class Command(BaseCommand):
    help = "Refresh hot words: extract new petitions and re-rank (the beat task does this every 10 minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Extract every petition of the horizon again.")
        parser.add_argument("--no-notify", action="store_true", help="Do not notify representatives.")

    def handle(self, *args, full=False, no_notify=False, **options):
        result = hotwords_refresh(full=full, notify=not no_notify)
        self.stdout.write(f"{'full' if result['full'] else 'incremental'}: {result['extracted']} petitions extracted, "
                          f"{result['hot_words']} hot words, {result['notified']} notifications")
