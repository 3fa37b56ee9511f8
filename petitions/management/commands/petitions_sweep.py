"""`manage.py petitions_sweep`: the same sweeps beat runs (unrouted petitions, due 12345 deliveries).

--inline does the work in this process instead of queueing it, for when the broker itself is down.
"""
from datetime import timedelta

from django.core.management.base import BaseCommand

from petitions.hotline.outbox import hotline_outbox_sweep
from petitions.services_routing import petitions_route_sweep


class Command(BaseCommand):
    help = "Route petitions that were never routed and retry 12345 deliveries that are due."

    def add_arguments(self, parser):
        parser.add_argument("--inline", action="store_true", help="work here instead of queueing tasks")
        parser.add_argument("--older-than", type=int, default=60, help="seconds a petition waits before the sweep")

    def handle(self, *args, **options):
        routed = petitions_route_sweep(older_than=timedelta(seconds=options["older_than"]), inline=options["inline"])
        delivered = hotline_outbox_sweep(inline=options["inline"])
        verb = "handled" if options["inline"] else "queued"
        self.stdout.write(f"{routed} unrouted petitions {verb}; {delivered} 12345 deliveries {verb}")
