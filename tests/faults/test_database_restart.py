"""PostgreSQL restarted while gunicorn and a worker are busy: a clear 503 during the outage (HTML for
pages, JSON for the API), never a half-saved petition, and both resume by themselves afterwards."""
import json
import os
import signal

from .cluster import Browser, status_of, wait_for
from .conftest import needs_servers

pytestmark = needs_servers

TEXT = "DB-RESTART {} 小区门口路灯坏了三天，晚上很黑不安全，请尽快修理。"


def stored(pg, text_prefix):
    return pg.query("SELECT count(*), count(routed_at) FROM petitions_petition WHERE text LIKE %s",
                    (text_prefix + "%",))[0]


def test_a_database_restart_answers_503_saves_nothing_half_and_everything_resumes(portal, studio, servers):
    pg, _redis = servers
    code, sector = studio
    base = portal.web()
    worker = portal.worker("busy")
    citizen = Browser(base)

    # The form is open in the citizen's browser before the outage.
    status, _h, html = citizen.request(f"/s/{code}/")
    assert status == 200
    form = {**citizen.form_fields(html), "category": sector, "text": TEXT.format("outage"), "consent": "on",
            "citizen_phone": "13800138000"}

    # A petition whose routing task waits on the broker while the worker is frozen: the worker will be
    # busy with it during the outage.
    os.killpg(worker.pid, signal.SIGSTOP)
    status, location = citizen.submit(code, sector, TEXT.format("queued"))
    assert status == 302
    assert stored(pg, "DB-RESTART queued") == (1, 0)

    pg.stop()
    try:
        os.killpg(worker.pid, signal.SIGCONT)  # the worker takes the task and meets the dead database
        status, headers, body = citizen.request(f"/s/{code}/", data=form)
        assert status == 503 and "text/html" in headers["Content-Type"]
        assert "您提交的内容未保存" in body and "Traceback" not in body
        assert headers["Retry-After"] == "30"
        status, _h, body = citizen.request("/")
        assert status == 503
        status, headers, body = citizen.request("/open311/v2/services.json")
        assert status == 503 and headers["Content-Type"].startswith("application/json")
        assert json.loads(body)[0]["code"] == 503  # Open311's own error shape: [{code, description}]
        status, headers, body = citizen.request("/api/v1/sectors")
        assert status == 503 and json.loads(body)["code"] == "database_unavailable"
        status, _h, body = citizen.request("/healthz")
        assert status == 503 and json.loads(body)["database"].startswith("down")
    finally:
        pg.start()

    # Neither gunicorn nor the worker is restarted. Every request is served again at once (each of the
    # two gunicorn processes drops its broken connection and opens a fresh one).
    assert all(status_of(base + "/") == 200 for _ in range(6))
    assert status_of(base + "/healthz") == 200
    # The petition sent during the outage was not stored, not even in part; the citizen sends it again.
    assert stored(pg, "DB-RESTART outage") == (0, 0)
    status, location = citizen.submit(code, sector, TEXT.format("after"))
    assert status == 302 and "/submitted/" in location
    # The worker retried its task (autoretry on OperationalError) or routes it on the next sweep; it routes new work.
    portal.django("from datetime import timedelta\nfrom petitions.services_routing import petitions_route_sweep\n"
                  "result = petitions_route_sweep(older_than=timedelta(0))")
    assert wait_for(lambda: stored(pg, "DB-RESTART queued") == (1, 1) and stored(pg, "DB-RESTART after") == (1, 1),
                    timeout=60)
    assert pg.query("SELECT count(*) FROM petitions_petitionevent e JOIN petitions_petition p ON p.id = e.petition_id "
                    "WHERE p.text LIKE 'DB-RESTART%%' AND e.action = 'route'")[0][0] == 2
    assert worker.poll() is None
