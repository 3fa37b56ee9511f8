"""`manage.py fake_hotline`: serve the fake 12345 hotline (petitions/hotline/fake.py) until interrupted."""
import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from petitions.hotline.fake import DEFAULT_ANSWER, FakeHotline, make_server


class Command(BaseCommand):
    help = "Run a fake 12345 citizen hotline on loopback: takes forwarded petitions and calls the portal back."

    def add_arguments(self, parser):
        target = urlsplit(settings.HOTLINE_URL)
        parser.add_argument("--bind", default=target.hostname or "127.0.0.1")
        parser.add_argument("--port", type=int, default=target.port or 8765)
        parser.add_argument("--path", default=target.path or "/api/petitions")
        parser.add_argument("--portal-url", default=os.environ.get("PORTAL_URL", "http://127.0.0.1:8000"))
        parser.add_argument("--down", action="store_true", help="answer 503 to every forwarded petition")
        parser.add_argument("--fail-rate", type=float, default=0.0, help="share of POSTs answered 503 at random")
        parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering a POST")
        parser.add_argument("--step-delay", type=float, default=2.0, help="seconds between status callbacks")
        parser.add_argument("--outcome", choices=["resolved", "returned"], default="resolved")
        parser.add_argument("--answer", default=DEFAULT_ANSWER)
        parser.add_argument("--no-callbacks", action="store_true")

    def handle(self, *args, **options):
        def log(line):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

        hotline = FakeHotline(
            secret=settings.HOTLINE_SECRET, portal_url=options["portal_url"], path=options["path"],
            down=options["down"], fail_rate=options["fail_rate"], delay=options["delay"],
            step_delay=options["step_delay"], outcome=options["outcome"], answer=options["answer"],
            callbacks=not options["no_callbacks"], log=log)
        server = make_server(hotline, options["bind"], options["port"])
        host, port = server.server_address[:2]
        log(f"fake 12345 hotline listening on http://{host}:{port}{options['path']} "
            f"(calls back {options['portal_url']}{'; DOWN' if options['down'] else ''})")
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
