"""Discussions over the API, as on /dashboard/discussions/: who sees a thread reads its posts and replies
through the page's service (the others in the thread are told, a representative's post counts on the
duty log); a thread one may not see is 404 and a refused post changes nothing."""
import pytest

from assessment.models import Notification
from liaison.models import Discussion, DiscussionPost, DutyRecord


@pytest.fixture
def threads(world):
    studio_a = Discussion.objects.create(title="秋收安排", studio=world.studio_a, created_by=world.studio_staff_a)
    DiscussionPost.objects.create(discussion=studio_a, author=world.studio_staff_a, body="各位代表：本周走访分工。")
    studio_b = Discussion.objects.create(title="B 的事", studio=world.studio_b, created_by=world.rep_b.user)
    everyone = Discussion.objects.create(title="全市供暖", created_by=world.organisation)
    return studio_a, studio_b, everyone


def posts():
    return sorted(DiscussionPost.objects.values_list("id", "body")), DutyRecord.objects.count(), \
        Notification.objects.count()


def test_a_representative_reads_and_replies_in_their_studios_thread(api_as, world, threads):
    studio_a, studio_b, everyone = threads
    client = api_as("rep_a")
    listed = client.get("/api/v1/discussions").json()
    assert [t["title"] for t in listed["results"]] == ["全市供暖", "秋收安排"]
    thread = client.get(f"/api/v1/discussions/{studio_a.pk}").json()
    assert (thread["studio"], thread["topic"], thread["posts"]) == (world.studio_a.code, None, 1)

    reply = client.post(f"/api/v1/discussions/{studio_a.pk}/posts", {"body": "  我负责东片三个村。 "}, format="json")
    assert reply.status_code == 201, reply.content
    post = DiscussionPost.objects.get(pk=reply.json()["id"])
    assert (post.author, post.body, reply.json()["body"]) == (world.rep_a.user, "我负责东片三个村。", "我负责东片三个村。")
    assert DutyRecord.objects.filter(representative=world.rep_a, kind=DutyRecord.Kind.DISCUSSION,
                                     source_id=post.pk).count() == 1
    assert Notification.objects.filter(user=world.studio_staff_a, url__endswith=f"#post-{post.pk}").count() == 1

    page = client.get(f"/api/v1/discussions/{studio_a.pk}/posts").json()
    assert [p["body"] for p in page["results"]] == ["各位代表：本周走访分工。", "我负责东片三个村。"]
    assert page["count"] == 2
    assert client.get(f"/api/v1/discussions/{studio_a.pk}").json()["posts"] == 2


def test_another_studios_thread_is_not_there(api_as, world, threads):
    studio_a, studio_b, everyone = threads
    client = api_as("rep_a")
    before = posts()
    assert client.get(f"/api/v1/discussions/{studio_b.pk}").status_code == 404
    assert client.get(f"/api/v1/discussions/{studio_b.pk}/posts").status_code == 404
    assert client.post(f"/api/v1/discussions/{studio_b.pk}/posts", {"body": "插话"}, format="json").status_code == 404
    assert posts() == before
    assert api_as("organisation").get(f"/api/v1/discussions/{studio_b.pk}/posts").json()["count"] == 0


def test_an_empty_or_unknown_body_is_refused(api_as, world, threads):
    studio_a, _, _ = threads
    client = api_as("rep_a")
    before = posts()
    for data in ({"body": "   "}, {}, {"body": "好", "extra": 1}, {"body": "字" * 5001}, ["好"]):
        response = client.post(f"/api/v1/discussions/{studio_a.pk}/posts", data, format="json")
        assert response.status_code == 400, (data, response.content)
        assert response.json()["message"], data
    assert posts() == before


def test_without_a_role_there_are_no_discussions(api_as, world, threads):
    assert api_as(None).get("/api/v1/discussions").status_code == 401
    assert api_as("nobody").get("/api/v1/discussions").status_code == 403
    assert api_as("nobody").post(f"/api/v1/discussions/{threads[2].pk}/posts", {"body": "好"},
                                 format="json").status_code == 403
