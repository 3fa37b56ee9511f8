"""The production configuration, started locally: gunicorn (DEBUG off, static files collected and served
by whitenoise), a Celery worker and beat, on a private PostgreSQL and Redis. A citizen's request goes
through to its answer over HTTP. Only TLS is left out (SECURE_SSL_REDIRECT and secure cookies off by
environment), as nginx terminates it in a real deployment."""
import json
import re
import secrets

from .cluster import Browser, Portal, wait_for
from .conftest import needs_servers

pytestmark = needs_servers


def test_production_runs_a_citizen_request_through_to_its_answer(servers, studio, tmp_path):
    pg, redis = servers
    code, sector = studio
    portal = Portal(pg, redis, settings="config.settings.production", SECRET_KEY=secrets.token_urlsafe(64),
                    ALLOWED_HOSTS="127.0.0.1,localhost", DEBUG="False", SECURE_SSL_REDIRECT="False",
                    SESSION_COOKIE_SECURE="False", CSRF_COOKIE_SECURE="False", STATIC_ROOT=str(tmp_path / "static"))
    try:
        portal.manage("migrate", "--noinput")  # an upgrade: nothing to do, and no error
        beat = portal.beat()  # first: its first heartbeat is due 30 seconds after it starts
        portal.manage("collectstatic", "--noinput")
        # The session's demo data was seeded with the tests' fast hasher: give admin a production hash.
        portal.django("from django.contrib.auth.models import User\nu = User.objects.get(username='admin')\n"
                      "u.set_password('demo12345')\nu.save()")
        base = portal.web()
        portal.worker("prod")
        citizen = Browser(base)

        # DEBUG is off: an unknown page is a plain 404, static files come from whitenoise with hashed names.
        status, _h, body = citizen.request("/no-such-page/")
        assert status == 404 and "Traceback" not in body and "URLconf" not in body
        status, headers, html = citizen.request("/")
        assert status == 200
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html).group(1)
        assert citizen.request(css)[0] == 200

        # The citizen submits at the studio's page.
        text = "PROD-SMOKE 村口的桥栏杆断了，孩子上学经过很危险，请尽快修复。"
        status, location = citizen.submit(code, sector, text)
        assert status == 302 and "/submitted/" in location
        csrf_cookie = next(c for c in citizen.jar if c.name == "csrftoken")
        assert csrf_cookie.has_nonstandard_attr("HttpOnly")
        (pk, tracking), = pg.query("SELECT id, tracking_code FROM petitions_petition WHERE text = %s", (text,))

        # The worker routes it (accept and dispatch into a loop).
        assert wait_for(lambda: pg.query("SELECT status FROM petitions_petition WHERE id = %s", (pk,))[0][0]
                        == "dispatched", timeout=60)

        # Staff resolve and answer it through the API, with a token.
        status, _h, body = citizen.request("/api/v1/auth/token", data={"username": "admin", "password": "demo12345"})
        assert status == 200, body
        auth = {"Authorization": f"Token {json.loads(body)['token']}", "Content-Type": "application/json"}
        staff = Browser(base)
        for action, payload in (("resolve", {"answer": "已更换桥栏杆。"}), ("reply", {"note": "已电话告知。"})):
            status, _h, body = staff.request(f"/api/v1/petitions/{tracking}/actions/{action}",
                                             data=json.dumps(payload).encode(), headers=auth)
            assert status == 200, (action, body)
        assert pg.query("SELECT status, answer FROM petitions_petition WHERE id = %s", (pk,))[0] == (
            "replied", "已更换桥栏杆。")
        actions = [a for (a,) in pg.query("SELECT action FROM petitions_petitionevent WHERE petition_id = %s "
                                          "ORDER BY id", (pk,))]
        assert actions[0] == "submit" and actions.count("route") == 1 and actions[-2:] == ["resolve", "reply"]

        # Beat is alive and its heartbeat reaches the worker: the deep health check turns green.
        def deep_ok():
            return Browser(base).request("/healthz?deep=1")[0] == 200
        assert wait_for(deep_ok, timeout=60), Browser(base).request("/healthz?deep=1")
        assert beat.poll() is None
    finally:
        portal.close()
