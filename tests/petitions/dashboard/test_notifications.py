"""The notification centre: what creates notifications, the unread count in every page's header (one
query however many there are), and marking them read, one's own only."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Notification
from liaison.models import Discussion
from liaison.services import discussion_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def unread(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def test_a_reply_notifies_the_other_participants(client, world):
    staff = world.studio_staff_a
    thread = Discussion.objects.create(title="秋收安排", studio=world.studio_a, created_by=staff)
    discussion_post(discussion_id=thread.pk, author=staff, body="大家说说")
    assert unread(staff) == 0  # one's own post tells nobody but the others
    client.force_login(world.rep_a.user)
    client.post(reverse("dashboard:discussion", args=[thread.pk]), {"body": "我负责东片"})
    assert unread(staff) == 1 and unread(world.rep_a.user) == 0
    note = Notification.objects.get(user=staff)
    assert "秋收安排" in note.text and note.url.startswith(reverse("dashboard:discussion", args=[thread.pk]))
    discussion_post(discussion_id=thread.pk, author=staff, body="好")
    assert unread(world.rep_a.user) == 1 and unread(staff) == 1


def test_unread_count_in_the_header_with_one_query(client, world):
    user = world.rep_a.user
    client.force_login(user)
    page = reverse("dashboard:duties")
    assert 'data-unread' not in client.get(page).content.decode()

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(page).content.decode()
        return body, sum("assessment_notification" in q["sql"] for q in ctx.captured_queries), len(ctx)

    Notification.objects.create(user=user, text="新任务")
    body, notification_queries, total_one = queries()
    assert 'data-unread="1"' in body and notification_queries == 1
    Notification.objects.bulk_create([Notification(user=user, text=f"n{i}") for i in range(9)])
    Notification.objects.create(user=world.rep_b.user, text="别人的")
    body, notification_queries, total_many = queries()
    assert 'data-unread="10"' in body and notification_queries == 1 and total_many == total_one
    # Public pages show it too, for a logged-in user; anonymous visitors get no badge and no query.
    assert 'data-unread="10"' in client.get(reverse("petitions:landing")).content.decode()
    client.logout()
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("petitions:landing"))
    assert not any("assessment_notification" in q["sql"] for q in ctx.captured_queries)


def test_notifications_page_and_marking_read(client, world, django_assert_max_num_queries):
    user = world.rep_a.user
    mine = [Notification.objects.create(user=user, text=f"第{i}条", url=reverse("dashboard:assignments"),
                                        created_at=timezone.now() - timedelta(minutes=i)) for i in range(3)]
    theirs = Notification.objects.create(user=world.rep_b.user, text="别人的通知")
    assert client.get(reverse("dashboard:notifications")).status_code == 302  # anonymous: to login
    client.force_login(user)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("dashboard:notifications")).content.decode()
    assert "第0条" in body and "别人的通知" not in body
    # Another user's notification id: nothing happens to it.
    client.post(reverse("dashboard:notification_read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # Open one: marked read and followed.
    response = client.post(reverse("dashboard:notification_read", args=[mine[0].pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == reverse("dashboard:assignments")
    assert unread(user) == 2
    assert "第0条" not in client.get(reverse("dashboard:notifications") + "?show=unread").content.decode()
    client.post(reverse("dashboard:notifications_read_all"))
    assert unread(user) == 0 and unread(world.rep_b.user) == 1


def test_staff_without_duties_have_notifications_too(client, world):
    user = UserFactory(username="plain")
    Notification.objects.create(user=user, text="红牌", kind=Notification.Kind.RED_CARD, url="https://evil.example/")
    client.force_login(user)
    body = client.get(reverse("dashboard:notifications")).content.decode()
    assert "红牌" in body
    note = Notification.objects.get(user=user)
    response = client.post(reverse("dashboard:notification_read", args=[note.pk]), {"open": "1"})
    assert response.url == reverse("dashboard:notifications")  # a foreign link is not followed


def test_each_reader_sees_a_notification_in_their_own_language(client, world):
    """A reply posted from an English session, and a red card the sweep wrote in a worker: each reader
    sees them in the language of their own session, Chinese by default."""
    from django.utils import translation

    from assessment.services import sla_sweep
    from tests.factories import PetitionFactory

    staff, rep = world.studio_staff_a, world.rep_a.user
    thread = Discussion.objects.create(title="秋收安排", studio=world.studio_a, created_by=staff)
    with translation.override("en"):
        discussion_post(discussion_id=thread.pk, author=rep, body="我负责东片")
    due = timezone.now() - timedelta(hours=1)
    petition = PetitionFactory(studio=world.studio_a, current_studio=world.studio_a, current_representative=world.rep_a,
                               status="submitted", submitted_at=due - timedelta(days=2), due_at=due)
    with translation.override("zh-hans"):
        sla_sweep()
    assert Notification.objects.filter(user=staff, kind=Notification.Kind.RED_CARD).count() == 1

    client.force_login(staff)
    chinese = client.get(reverse("dashboard:notifications")).content.decode()
    assert "“秋收安排”有新回复" in chinese and f"红牌：诉求 {petition.tracking_code} 已超过" in chinese
    english = client.get(reverse("dashboard:notifications"), headers={"accept-language": "en"}).content.decode()
    assert "New reply in “秋收安排”" in english
    assert f"Red card: {petition.tracking_code} is past its" in english and "红牌" not in english
    # The default language's text stays on the row, for e-mail and the back office.
    assert Notification.objects.get(user=staff, kind=Notification.Kind.INFO).text == "“秋收安排”有新回复"


def test_a_text_corrected_in_the_back_office_is_what_every_reader_sees(client, world, rf):
    from types import SimpleNamespace

    from django.contrib import admin

    from liaison.services_agency import notify

    staff = world.studio_staff_a
    notify(user_ids=[staff.pk], text="会议改期", url="")
    note = Notification.objects.get(user=staff)
    assert note.texts  # rendered in every language when created
    note.text = "会议改到周五下午三点"
    admin.site._registry[Notification].save_model(rf.post("/"), note, SimpleNamespace(changed_data=["text"]), True)
    client.force_login(staff)
    for language in ("zh-hans", "en"):
        page = client.get(reverse("dashboard:notifications"), headers={"accept-language": language}).content.decode()
        assert "会议改到周五下午三点" in page and "会议改期" not in page
