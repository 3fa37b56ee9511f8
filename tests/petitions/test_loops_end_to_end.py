"""Each loop end to end: petition_submit commits, the routing task runs on a real Celery worker (a separate
process on the configured broker), and for 12345 the fake hotline runs as a real process that calls back
into a live server. Nothing here is mocked: a dead broker is a port nobody listens on, a crashed worker is
a SIGKILL.
"""
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import transaction

from petitions.hotline.fake import DEFAULT_ANSWER
from petitions.models import HotlineDelivery, JointConsultation, Petition, PetitionEvent, Status
from petitions.services import petition_submit
from petitions.services_routing import petitions_route_sweep
from petitions.tasks import hotline_outbox_sweep_task, petition_route_task
from tests.conftest import ROOT, wait_for
from tests.factories import PetitionFactory

from .conftest import TEXTS, build_county

pytestmark = pytest.mark.worker
A = PetitionEvent.Action


@pytest.fixture
def world(transactional_db):
    return build_county()


def submit(studio, text, **kw):
    petition, _ = petition_submit(studio=studio, text=text, **kw)
    return petition


def settled(petition, timeout=30, **fields):
    """Wait until the worker has routed the petition (and it matches `fields`), then return it fresh."""
    found = wait_for(lambda: Petition.objects.filter(pk=petition.pk, routed_at__isnull=False, **fields).exists(),
                     timeout=timeout)
    petition.refresh_from_db()
    assert found, f"not settled: {petition.status} {list(petition.events.values_list('action', flat=True))}"
    return petition


def actions(petition):
    return list(petition.events.values_list("action", flat=True))


def test_loop_1_the_studios_own_sector(celery_worker_process, world):
    petition = settled(submit(world.agri, TEXTS["agri"]), status=Status.DISPATCHED)
    assert (petition.loop, petition.current_studio, petition.current_department) == (1, world.agri,
                                                                                   world.departments["agri"])
    assert actions(petition) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH]


def test_loop_2_another_sector_is_passed_to_that_sectors_studio(celery_worker_process, world):
    petition = settled(submit(world.agri, TEXTS["safety"]), status=Status.DISPATCHED)
    assert (petition.loop, petition.studio, petition.current_studio) == (2, world.agri, world.safety)
    assert petition.current_representative == world.reps.safety_lead


def test_loop_2_without_a_studio_reaches_12345_and_its_answer_comes_back_to_the_citizen(
        celery_worker_process, world, fake_hotline, live_server):
    fake_hotline.start(portal_url=live_server.url)
    petition = submit(world.agri, TEXTS["talent"])
    assert wait_for(lambda: Petition.objects.filter(pk=petition.pk, status=Status.RESOLVED).exists(), timeout=40), \
        fake_hotline.log()
    petition.refresh_from_db()
    assert (petition.loop, petition.answer, petition.current_studio) == (2, DEFAULT_ANSWER, world.agri)
    public = list(petition.events.filter(public=True).values_list("action", "actor_label"))
    assert public == [(A.SUBMIT, "citizen"), (A.ACCEPT, "system"), (A.DISPATCH, "system"), (A.HOTLINE, "system"),
                      (A.HOTLINE, "12345"), (A.HOTLINE, "12345"), (A.RESOLVE, "12345")]
    delivery = HotlineDelivery.objects.get(petition=petition)
    assert delivery.delivered_at and delivery.hotline_status == "resolved" and delivery.attempts == 1
    assert fake_hotline.stats()["keys"] == {delivery.idempotency_key: 1}


def test_the_outbox_survives_12345_being_down_and_delivers_once_when_it_is_back(
        celery_worker_process, world, fake_hotline, live_server):
    fake_hotline.start("--down", portal_url=live_server.url)
    petition = submit(world.agri, TEXTS["talent"])
    assert wait_for(lambda: HotlineDelivery.objects.filter(petition_id=petition.pk, last_status_code=503).exists())
    fake_hotline.start(portal_url=live_server.url)  # back up: a new process on the same port, no memory

    def beat_tick():  # what beat does every 15 seconds, here every half second: queue what is due
        hotline_outbox_sweep_task.delay()
        return HotlineDelivery.objects.filter(petition_id=petition.pk, delivered_at__isnull=False).exists()
    assert wait_for(beat_tick, timeout=30, interval=0.5), fake_hotline.log()
    assert wait_for(lambda: Petition.objects.filter(pk=petition.pk, status=Status.RESOLVED).exists(), timeout=30)
    delivery = HotlineDelivery.objects.get(petition=petition)
    assert delivery.attempts >= 2 and delivery.last_error == ""
    assert fake_hotline.stats()["keys"] == {delivery.idempotency_key: 1}  # exactly once, from its side


def test_loop_3_several_departments_convene_a_joint_consultation(celery_worker_process, world):
    petition = settled(submit(world.agri, TEXTS["several"]), status=Status.DISPATCHED)
    consultation = JointConsultation.objects.get(petition=petition)
    assert (petition.loop, consultation.agency, consultation.reason) == (
        3, world.agency, JointConsultation.Reason.SEVERAL_DEPARTMENTS)
    assert consultation.departments.count() >= 3
    assert actions(petition)[-1] == A.CONSULT


def test_loop_3_n_similar_petitions_from_one_township(celery_worker_process, world, settings):
    n = settings.ROUTING_SIMILAR_THRESHOLD  # the worker reads the same setting: 5 unless the environment says
    loops = []
    for _ in range(n):
        petition = settled(submit(world.township_studio, TEXTS["streetlight"], region=world.village),
                           status=Status.DISPATCHED)
        loops.append(petition.loop)
    assert loops == [1] * (n - 1) + [3]
    consultation = JointConsultation.objects.get(petition=petition)
    assert consultation.reason == JointConsultation.Reason.SYSTEMIC_SIMILAR
    assert (consultation.township, consultation.related_petitions.count()) == (world.town, n - 1)


def test_running_the_task_again_through_the_worker_changes_nothing(celery_worker_process, world):
    petition = settled(submit(world.agri, TEXTS["safety"]), status=Status.DISPATCHED)
    result = petition_route_task.apply_async(args=[petition.pk], ignore_result=False)
    assert result.get(timeout=30) == "already routed"
    assert actions(petition) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH]


SUBMIT_WITH_DEAD_BROKER = """
import time, django
django.setup()
from offices.models import Studio
from petitions.services import petition_submit
started = time.monotonic()
petition, _ = petition_submit(studio=Studio.objects.get(pk={studio}), text={text!r})
print("SUBMITTED", petition.pk, round(time.monotonic() - started, 2))
"""


def test_a_dead_broker_at_submit_loses_nothing_and_the_sweep_routes_it(celery_worker_process, world, worker_env):
    env = dict(worker_env, CELERY_BROKER_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    script = SUBMIT_WITH_DEAD_BROKER.format(studio=world.agri.pk, text=TEXTS["safety"])
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    line = next(line for line in out.stdout.splitlines() if line.startswith("SUBMITTED"))
    _, petition_id, seconds = line.split()
    assert float(seconds) < 3, f"the citizen waited {seconds}s for a dead broker"
    assert "waits for the unrouted sweep" in out.stderr
    petition = Petition.objects.get(pk=int(petition_id))
    assert petition.routed_at is None and petition.status == Status.SUBMITTED
    # The broker is back (this process's broker is the live one): the beat sweep re-queues it.
    assert petitions_route_sweep(older_than=timedelta(0)) >= 1
    petition = settled(petition, status=Status.DISPATCHED)
    assert actions(petition) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH]


@pytest.fixture
def killable_worker(worker_env, tmp_path):
    """A second real worker on a private queue, so that the test decides which worker gets the task."""
    queue = f"kill-{os.getpid()}"
    log = tmp_path / "killable.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", queue,
             "--without-mingle", "--without-gossip", "--loglevel", "INFO", "-n", f"{queue}@%h"],
            cwd=ROOT, env=worker_env, stdout=out, stderr=subprocess.STDOUT)
    assert wait_for(lambda: "ready." in log.read_text(), timeout=60), log.read_text()
    proc.queue, proc.log_path = queue, log
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_a_worker_killed_in_the_middle_of_routing_leaves_it_for_the_sweep_which_routes_it_once(
        celery_worker_process, world, killable_worker):
    # Created without petition_submit, so that no task goes to the session worker: this one is
    # queued only to the worker we are going to kill.
    target = PetitionFactory(studio=world.agri, text=TEXTS["talent"])
    # Hold the petition's row lock, so the worker is caught inside the routing task, then kill it there.
    with transaction.atomic():
        Petition.objects.select_for_update().filter(pk=target.pk).update(updated_at=target.updated_at)
        petition_route_task.apply_async(args=[target.pk], queue=killable_worker.queue)
        assert wait_for(lambda: "petition_route_task" in killable_worker.log_path.read_text(), timeout=30)
        time.sleep(1.0)  # inside the task, waiting for the lock
        killable_worker.kill()
        killable_worker.wait()
    target.refresh_from_db()
    assert target.routed_at is None and actions(target) == []
    assert petitions_route_sweep(older_than=timedelta(0)) == 1
    target = settled(target, status=Status.DISPATCHED)
    assert actions(target) == [A.ROUTE, A.ACCEPT, A.DISPATCH, A.HOTLINE]
    assert HotlineDelivery.objects.filter(petition=target).count() == 1
