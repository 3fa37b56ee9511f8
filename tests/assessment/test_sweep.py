"""The SLA sweep: flag boundaries, red cards once per breach, reminders, trail events, concurrency."""
import threading
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from assessment import sla, workdays
from assessment.models import FlagChange, Notification, RedCard
from assessment.services import sla_sweep
from petitions.models import Petition, PetitionEvent
from tests.factories import PetitionFactory, RepresentativeFactory, StaffProfileFactory, StudioFactory, UserFactory

TZ = workdays.TZ
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)  # a Monday


@pytest.fixture(autouse=True)
def fresh_caches():
    sla.reset_cache()
    workdays.reset_cache()


def open_petition(**kw):
    kw.setdefault("status", "submitted")
    kw.setdefault("submitted_at", T0)
    kw.setdefault("due_at", T0 + timedelta(hours=100))
    return PetitionFactory(**kw)


@pytest.mark.django_db
@pytest.mark.parametrize("offset, expected", [
    (timedelta(hours=74, minutes=59), "blue"),
    (timedelta(hours=75, minutes=1), "yellow"),
    (timedelta(hours=99, minutes=59), "yellow"),
    (timedelta(hours=100), "red"),
])
def test_each_flag_boundary(offset, expected):
    p = open_petition()
    sla_sweep(now=T0 + offset)
    p.refresh_from_db()
    assert p.flag == expected


@pytest.mark.django_db
def test_resolve_stage_counts_from_dispatch_and_reply_from_resolution():
    dispatched = open_petition(status="dispatched", loop=1, dispatched_at=T0 + timedelta(hours=40),
                               resolve_due_at=T0 + timedelta(hours=140), due_at=T0 + timedelta(hours=140))
    resolved = open_petition(status="resolved", resolved_at=T0 + timedelta(hours=105),
                             due_at=T0 + timedelta(hours=115))
    sla_sweep(now=T0 + timedelta(hours=114))  # dispatched: 74% of 100 h; resolved: 90% of 10 h
    dispatched.refresh_from_db(), resolved.refresh_from_db()
    assert (dispatched.flag, resolved.flag) == ("blue", "yellow")


@pytest.mark.django_db
def test_on_hold_closed_and_unscheduled_petitions_are_left_alone():
    held = open_petition(status="on_hold", held_from="dispatched")
    closed = open_petition(status="closed")
    unscheduled = open_petition(due_at=None)
    counts = sla_sweep(now=T0 + timedelta(days=30))
    assert counts["red"] == 0
    assert set(Petition.objects.filter(pk__in=[held.pk, closed.pk, unscheduled.pk]).values_list("flag", flat=True)) == {"blue"}


@pytest.mark.django_db
def test_red_card_once_per_breach_with_trail_and_notifications():
    studio = StudioFactory()
    rep_user = UserFactory()
    rep = RepresentativeFactory(user=rep_user)
    staff = StaffProfileFactory(role="studio", studio=studio)
    p = open_petition(studio=studio, current_studio=studio, current_representative=rep)

    first = sla_sweep(now=T0 + timedelta(hours=80))
    assert first["yellow"] == 1
    assert set(Notification.objects.filter(kind="reminder").values_list("user_id", flat=True)) == {rep_user.pk, staff.user_id}

    now = T0 + timedelta(hours=101)
    assert sla_sweep(now=now)["red"] == 1
    again = sla_sweep(now=now + timedelta(minutes=1))
    assert again["red"] == 0 and again["red_cards"] == 0
    card = RedCard.objects.get(petition=p)
    assert (card.stage, card.studio_id, card.representative_id) == ("accept", studio.pk, rep.pk)
    assert card.rectify_by == workdays.add_workdays(now, 5)
    assert list(FlagChange.objects.filter(petition=p).order_by("at").values_list("from_flag", "to_flag")) == [
        ("blue", "yellow"), ("yellow", "red")]
    events = PetitionEvent.objects.filter(petition=p, action="flag").order_by("at")
    assert [e.data["to"] for e in events] == ["yellow", "red"]
    assert Notification.objects.filter(kind="red_card").count() == 2
    assert Notification.objects.filter(kind="red_card").first().url.endswith(f"/p/{p.tracking_code}/")

    # Back to blue (say the deadline was extended) and red again: the same breach keeps its one card.
    Petition.objects.filter(pk=p.pk).update(due_at=now + timedelta(days=10))
    assert sla_sweep(now=now + timedelta(minutes=2))["blue"] == 1
    Petition.objects.filter(pk=p.pk).update(due_at=now)
    assert sla_sweep(now=now + timedelta(minutes=3))["red"] == 1
    assert RedCard.objects.filter(petition=p).count() == 1


@pytest.mark.django_db
def test_batches_cover_every_id_range_and_the_command_prints_counts(capsys):
    petitions = [open_petition() for _ in range(7)]
    counts = sla_sweep(now=T0 + timedelta(hours=200), batch_size=2)
    assert counts["red"] == 7 and counts["batches"] == 4
    assert Petition.objects.filter(pk__in=[p.pk for p in petitions], flag="red").count() == 7
    call_command("sla_sweep")
    assert "red=" in capsys.readouterr().out


@pytest.mark.django_db
def test_sweep_query_count_does_not_grow_with_rows(django_assert_max_num_queries):
    for _ in range(30):
        open_petition()
    with django_assert_max_num_queries(12):
        sla_sweep(now=T0 + timedelta(hours=80))


@pytest.mark.postgresql_only  # runs in the PostgreSQL pass of CI; SQLite has neither
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_write_each_change_once():
    studio = StudioFactory()
    petitions = [open_petition(studio=studio, current_studio=studio) for _ in range(300)]
    now = T0 + timedelta(hours=101)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(sla_sweep(now=now, batch_size=50))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r["red"] for r in results) == 300
    assert FlagChange.objects.filter(petition__in=petitions).count() == 300
    assert RedCard.objects.filter(petition__in=petitions).count() == 300
    assert PetitionEvent.objects.filter(petition__in=petitions, action="flag").count() == 300


@pytest.mark.django_db
def test_backfill_gives_deadlines_to_open_petitions_without_them(capsys):
    p = PetitionFactory(status="dispatched", loop=2, submitted_at=T0, dispatched_at=T0)
    closed = PetitionFactory(status="closed", submitted_at=T0)
    call_command("sla_sweep", "--backfill")
    assert "backfilled=1" in capsys.readouterr().out
    p.refresh_from_db(), closed.refresh_from_db()
    assert p.accept_due_at == workdays.add_workdays(T0, 1)
    assert p.due_at == p.resolve_due_at == workdays.add_workdays(T0, 10)
    assert closed.due_at is None


@pytest.mark.django_db
def test_notifications_are_emailed_once_when_configured(settings, mailoutbox):
    from assessment.services import notifications_email

    settings.NOTIFICATIONS_BY_EMAIL = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from django.utils import timezone

    from config.celery_app import app

    app.conf.task_always_eager = True
    try:
        rep = RepresentativeFactory(user=UserFactory(email="rep@example.org"))
        now = timezone.now()
        open_petition(current_representative=rep, submitted_at=now - timedelta(hours=80),
                      due_at=now + timedelta(hours=20))
        assert sla_sweep(now=now)["notifications"] == 1
    finally:
        app.conf.task_always_eager = False
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["rep@example.org"]
    assert notifications_email() == 0  # nothing sent twice


@pytest.mark.postgresql_only  # the batches go to several connections on PostgreSQL only
@pytest.mark.django_db(transaction=True)
def test_a_sweep_spread_over_two_connections_flags_each_petition_once_with_its_history():
    studio = StudioFactory()
    staff = StaffProfileFactory(role="studio", studio=studio)
    petitions = [open_petition(studio=studio, current_studio=studio) for _ in range(120)]
    yellow = petitions[:40]
    Petition.objects.filter(pk__in=[p.pk for p in yellow]).update(due_at=T0 + timedelta(hours=200))
    now = T0 + timedelta(hours=151)  # past the 100 h deadline; 75 % of the 200 h ones

    counts = sla_sweep(now=now, batch_size=10, jobs=2)

    assert (counts["red"], counts["yellow"], counts["red_cards"], counts["batches"]) == (80, 40, 80, 12)
    assert Petition.objects.filter(pk__in=[p.pk for p in petitions[40:]], flag="red").count() == 80
    assert Petition.objects.filter(pk__in=[p.pk for p in yellow], flag="yellow").count() == 40
    # Each change once on the trail, read back as the flag history; one card per red petition.
    assert PetitionEvent.objects.filter(petition__in=petitions, action="flag").count() == 120
    assert FlagChange.objects.filter(petition__in=petitions, to_flag="red").count() == 80
    assert RedCard.objects.filter(petition__in=petitions).count() == 80
    assert Notification.objects.filter(user=staff.user).count() == 120
    assert sla_sweep(now=now, batch_size=10, jobs=2)["red"] == 0
