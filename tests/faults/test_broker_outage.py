"""Redis (the broker) stops while citizens submit: nothing is lost, nothing is routed twice, and the
worker really consumes again afterwards: /healthz?deep=1 sees its heartbeat, not only its process."""
import json

from .cluster import Browser, status_of, wait_for
from .conftest import needs_servers

pytestmark = needs_servers

def counts(pg, prefix):
    like = prefix + "%"
    ((stored, routed),) = pg.query("SELECT count(*), count(routed_at) FROM petitions_petition WHERE text LIKE %s",
                                   (like,))
    per = [n for (n,) in pg.query("SELECT count(e.id) FROM petitions_petition p LEFT JOIN petitions_petitionevent e "
                                  "ON e.petition_id = p.id AND e.action = 'route' WHERE p.text LIKE %s GROUP BY p.id",
                                  (like,))]
    return {"stored": stored, "routed": routed, "route_events": sum(per), "max_route_events": max(per, default=0)}


def deep_health(base):
    from urllib.request import urlopen
    from urllib.error import HTTPError

    try:
        with urlopen(base + "/healthz?deep=1", timeout=10) as r:
            return r.status, json.loads(r.read())
    except HTTPError as e:
        return e.code, json.loads(e.read())


def test_submissions_during_a_broker_outage_are_saved_answered_and_routed_once_it_is_back(portal, studio, servers):
    pg, redis = servers
    code, sector = studio
    base = portal.web()
    portal.worker()
    citizen = Browser(base)
    prefix = "BROKER-OUTAGE "

    # Before: submitted and routed by the worker through the broker.
    for i in range(3):
        status, location = citizen.submit(code, sector, f"{prefix}before {i}：小区门口路灯坏了三天，晚上很黑不安全。")
        assert status == 302 and "/submitted/" in location
    assert wait_for(lambda: counts(pg, prefix)["routed"] == 3, timeout=30)

    # Redis goes away. Citizens keep submitting: each is stored and answered with a tracking page.
    redis.stop()
    assert status_of(base + "/healthz") == 503
    for i in range(5):
        status, location = citizen.submit(code, sector, f"{prefix}during {i}：小区门口路灯坏了三天，晚上很黑不安全。")
        assert status == 302 and "/submitted/" in location, location[:300]
    during = counts(pg, prefix)
    assert during["stored"] == 8 and during["routed"] == 3

    # Redis is back (empty: what was queued before is gone too). The sweep beat runs every minute
    # re-derives the work from the database; the same worker, never restarted, routes all of it.
    redis.start()
    assert wait_for(lambda: status_of(base + "/healthz") == 200, timeout=30)
    queued = portal.django("from datetime import timedelta\n"
                           "from petitions.services_routing import petitions_route_sweep\n"
                           "result = petitions_route_sweep(older_than=timedelta(0))")
    assert queued >= 5  # ours, and any the demo data left unrouted
    assert wait_for(lambda: counts(pg, prefix)["routed"] == 8, timeout=60), counts(pg, prefix)

    # A second sweep and a duplicate task (a redelivery) change nothing: one ROUTE event each.
    portal.django("from datetime import timedelta\n"
                  "from petitions.models import Petition\n"
                  "from petitions.tasks import petition_route_task\n"
                  f"for pk in Petition.objects.filter(text__startswith={prefix!r}).values_list('pk', flat=True):\n"
                  "    petition_route_task.delay(pk)\n")
    portal.django("from config.tasks import worker_heartbeat\nworker_heartbeat.delay()")
    assert wait_for(lambda: deep_health(base)[0] == 200, timeout=30), deep_health(base)
    after = counts(pg, prefix)
    assert after == {"stored": 8, "routed": 8, "route_events": 8, "max_route_events": 1}


def test_deep_health_reports_a_worker_that_is_up_but_consumes_nothing(portal, servers):
    """celery#8030: the process is alive, the broker answers, yet nothing is consumed. The heartbeat
    that beat sends through the broker stops arriving, and /healthz?deep=1 turns 503."""
    base = portal.web()
    worker = portal.worker("stuck")
    portal.django("from config.tasks import worker_heartbeat\nworker_heartbeat.delay()")
    assert wait_for(lambda: deep_health(base)[0] == 200, timeout=30), deep_health(base)

    import os
    import signal

    os.killpg(worker.pid, signal.SIGSTOP)  # up (the process exists) but consuming nothing
    try:
        # The last heartbeat is made old, as if two minutes went by without one.
        portal.django("import time\nfrom config.health import heartbeat_record\nheartbeat_record(time.time() - 600)")
        portal.django("from config.tasks import worker_heartbeat\nworker_heartbeat.delay()")
        status, body = deep_health(base)
        assert status == 503
        assert body["broker"] == "ok" and body["database"] == "ok"
        assert body["worker"].startswith("stale") and body["worker_heartbeat_age"] >= 600
    finally:
        os.killpg(worker.pid, signal.SIGCONT)
    # Consuming again: the queued heartbeat is run and the check is green.
    assert wait_for(lambda: deep_health(base)[0] == 200, timeout=30), deep_health(base)
