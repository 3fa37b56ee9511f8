"""A Celery worker SIGKILLed in the middle of routing and in the middle of the SLA sweep.

To kill it *inside* its transaction, the test holds a table lock the task needs half-way (the trail
for routing, the red cards for the sweep), waits until PostgreSQL shows the worker waiting on it, and
kills the worker there. The transaction dies with it; the next run redoes the work once.
"""
import psycopg2

from .cluster import wait_for
from .conftest import needs_servers

pytestmark = needs_servers


class TableLock:
    """An ACCESS EXCLUSIVE lock on one table, held by the test's own connection until released."""

    def __init__(self, pg, table):
        self.conn = psycopg2.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="portal")
        self.cur = self.conn.cursor()
        self.cur.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    def someone_waits(self) -> bool:
        self.cur.execute("SELECT pg_stat_clear_snapshot()")  # else the view is frozen for this transaction
        self.cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'portal'")
        return self.cur.fetchone()[0] > 0

    def release(self):
        self.conn.rollback()
        self.conn.close()


def trail(pg, pk):
    ((status, routed, flag),) = pg.query("SELECT status, routed_at IS NOT NULL, flag FROM petitions_petition "
                                          "WHERE id = %s", (pk,))
    events = dict(pg.query("SELECT action, count(*) FROM petitions_petitionevent WHERE petition_id = %s "
                           "GROUP BY action", (pk,)))
    ((cards,),) = pg.query("SELECT count(*) FROM assessment_redcard WHERE petition_id = %s", (pk,))
    return {"status": status, "routed": routed, "flag": flag, "events": events, "red_cards": cards}


def submit(portal, studio, text):
    code, sector = studio
    return portal.django(
        "from offices.models import Studio, Sector\nfrom petitions.services import petition_submit\n"
        f"p, _ = petition_submit(studio=Studio.objects.get(code={code!r}), text={text!r}, "
        f"category=Sector.objects.get(pk={sector}), citizen_phone='13800138000')\nresult = p.pk")


def test_a_worker_killed_mid_routing_leaves_nothing_behind_and_the_work_is_redone_once(portal, studio, servers):
    pg, _redis = servers
    # Queued while no worker runs; the trail is locked before a worker takes the task.
    pk = submit(portal, studio, "WORKER-KILLED 小区门口路灯坏了三天，晚上很黑不安全，请尽快修理。")
    lock = TableLock(pg, "petitions_petitionevent")
    try:
        worker = portal.worker("doomed")
        assert wait_for(lock.someone_waits, timeout=30), "the worker never reached the trail"
        portal.kill(worker)  # SIGKILL, mid-transaction: the petition row is locked, terms written, no event yet
    finally:
        lock.release()
    assert wait_for(lambda: not trail(pg, pk)["routed"], timeout=10)
    before = trail(pg, pk)
    assert before["status"] == "submitted" and before["events"] == {"submit": 1}

    # A fresh worker; the sweep re-derives the lost task from the database (routed_at is null).
    portal.worker("w2")
    portal.django("from datetime import timedelta\nfrom petitions.services_routing import petitions_route_sweep\n"
                  "result = petitions_route_sweep(older_than=timedelta(0))")
    assert wait_for(lambda: trail(pg, pk)["routed"], timeout=30)
    # The killed worker's message is redelivered later (late acks): running it again changes nothing.
    portal.django(f"from petitions.tasks import petition_route_task\npetition_route_task.delay({pk})\n"
                  "from datetime import timedelta\nfrom petitions.services_routing import petitions_route_sweep\n"
                  "result = petitions_route_sweep(older_than=timedelta(0))")
    portal.django("from config.tasks import ping\nresult = ping.delay('x').get(timeout=30)")  # queue drained
    after = trail(pg, pk)
    assert after["events"]["route"] == 1
    assert after["events"]["submit"] == 1
    assert after["events"].get("accept", 0) <= 1 and after["events"].get("dispatch", 0) <= 1


def test_a_worker_killed_mid_sla_sweep_leaves_no_card_and_the_next_sweep_issues_exactly_one(portal, studio, servers):
    pg, _redis = servers
    # Three petitions, routed at once (inline, in one process), then two days overdue.
    code, sector = studio
    pks = portal.django(
        "from datetime import timedelta\nfrom django.utils import timezone\n"
        "from offices.models import Sector, Studio\nfrom petitions.models import Petition\n"
        "from petitions.services import petition_submit\nfrom petitions.services_routing import petition_route\n"
        "pks = []\n"
        "for i in range(3):\n"
        f"    p, _ = petition_submit(studio=Studio.objects.get(code={code!r}), category=Sector.objects.get(pk={sector}),"
        " text=f'SWEEP-KILLED {i} 村里自来水停了两天，老人孩子用水困难，请协调处理。', citizen_phone='13800138000')\n"
        "    petition_route(petition_id=p.pk)\n"
        "    pks.append(p.pk)\n"
        "now = timezone.now()\n"
        "Petition.objects.filter(pk__in=pks).update(flag='blue', accept_due_at=now - timedelta(days=3), "
        "resolve_due_at=now - timedelta(days=2), reply_due_at=now - timedelta(days=1), due_at=now - timedelta(days=1))\n"
        "result = pks")
    assert all(trail(pg, pk)["routed"] for pk in pks)

    lock = TableLock(pg, "assessment_redcard")
    try:
        portal.django("from assessment.tasks import sla_sweep_task\nsla_sweep_task.delay()")
        worker = portal.worker("sweeper")
        assert wait_for(lock.someone_waits, timeout=30), "the sweep never reached the red cards"
        portal.kill(worker)  # flags updated and history written in this batch's transaction, cards not yet
    finally:
        lock.release()
    assert wait_for(lambda: all(trail(pg, pk)["flag"] == "blue" for pk in pks), timeout=10)
    assert all(trail(pg, pk)["red_cards"] == 0 for pk in pks)

    portal.worker("sweeper2")
    portal.django("from assessment.tasks import sla_sweep_task\nsla_sweep_task.delay()\nsla_sweep_task.delay()\n"
                  "from config.tasks import ping\nresult = ping.delay('x').get(timeout=60)")
    for pk in pks:
        t = trail(pg, pk)
        assert t["flag"] == "red" and t["red_cards"] == 1, t
