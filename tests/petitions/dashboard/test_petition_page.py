"""The petition page: details, the whole trail, exactly the actions allowed and permitted, and
every action through the page: one event, a refused stale action, and the role matrix."""
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from liaison import access
from petitions.models import Petition, PetitionEvent, Status
from petitions.services import event_record
from petitions.workflow import allowed_actions
from tests.roles import VISIBLE, advance, user_of

from .conftest import form_state, offered_actions

A = PetitionEvent.Action
pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "petition-live"}


def page_url(petition):
    return reverse("dashboard:petition", args=[petition.tracking_code])


def action_url(petition, action):
    return reverse("dashboard:petition_action", args=[petition.tracking_code, action])


def test_page_shows_details_and_the_whole_trail(client, world):
    petition = advance(world.p_a, Status.ON_HOLD)
    event_record(petition=petition, action=A.NOTE, actor_label="test", note="内部备注：先打电话")
    client.force_login(world.rep_a.user)
    response = client.get(page_url(petition))
    html = response.content.decode()
    assert response.status_code == 200
    assert petition.text in html and "张三丰" in html and "13812341234" in html
    events = list(petition.events.all())
    assert len(response.context["events"]) == len(events) == 4  # accept, dispatch, hold, note
    assert "内部备注：先打电话" in html and "等待补充照片" in html


def test_page_masks_contact_for_oversight(client, world):
    client.force_login(world.organisation)
    html = client.get(page_url(world.p_a)).content.decode()
    assert "13812341234" not in html and "138****1234" in html and "张**" in html


def test_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    petition = advance(world.p_a, Status.REPLIED)
    client.force_login(world.rep_a.user)
    client.get(page_url(petition))
    with django_assert_max_num_queries(16):
        client.get(page_url(petition))


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("role", ["rep_a", "studio_staff_a", "organisation", "superuser"])
def test_offered_actions_are_allowed_intersect_permitted(client, world, status, role):
    petition = advance(world.p_a, status)
    user = user_of(world, role)
    client.force_login(user)
    html = client.get(page_url(petition)).content.decode()
    expected = set(allowed_actions(status)) & access.permitted_actions(user, petition)
    assert offered_actions(html) == expected


def test_department_and_liaison_see_their_actions(client, world):
    client.force_login(world.department_staff)
    assert offered_actions(client.get(page_url(world.p_dept)).content.decode()) == {A.HOLD, A.RESOLVE, A.NOTE}
    client.force_login(world.liaison_a)
    assert offered_actions(client.get(page_url(world.p_loop3)).content.decode()) == {A.CONSULT, A.RESOLVE, A.NOTE}


def _post(client, petition, action, fields=None, htmx=True):
    html = client.get(page_url(petition)).content.decode()
    data = {**form_state(html, action), **{f"{action}-{k}": v for k, v in (fields or {}).items()}}
    return client.post(action_url(petition, action), data, **(HX if htmx else {}))


# (starting status, action, form fields, expected status after)
STEPS = [
    (Status.SUBMITTED, A.ACCEPT, {}, Status.ACCEPTED),
    (Status.SUBMITTED, A.REJECT, {"reason": "不属于受理范围"}, Status.REJECTED),
    (Status.ACCEPTED, A.DISPATCH, {"loop": "1"}, Status.DISPATCHED),
    (Status.DISPATCHED, A.HOLD, {"reason": "等待补充照片"}, Status.ON_HOLD),
    (Status.ON_HOLD, A.RESUME, {}, Status.DISPATCHED),
    (Status.DISPATCHED, A.RESOLVE, {"answer": "已修好"}, Status.RESOLVED),
    (Status.RESOLVED, A.REPLY, {"note": "您好，已修好"}, Status.REPLIED),
    (Status.ACCEPTED, A.NOTE, {"note": "先联系群众"}, Status.ACCEPTED),
]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("start,action,fields,after", STEPS, ids=[s[1] for s in STEPS])
def test_each_action_changes_status_and_writes_one_event(client, world, start, action, fields, after, htmx):
    petition = advance(world.p_a, start)
    if action == A.DISPATCH:
        fields = {**fields, "studio": str(world.studio_a.pk)}
    client.force_login(world.rep_a.user)
    before = petition.events.count()
    response = _post(client, petition, action, fields, htmx=htmx)
    if htmx:
        assert response.status_code == 200
        assert 'id="petition-live"' in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"] == page_url(petition)
    petition.refresh_from_db()
    assert petition.status == after
    assert petition.events.count() == before + 1
    last = petition.events.order_by("-id").first()
    assert last.action == action and last.actor == world.rep_a.user


def test_transfer_to_another_studio(client, world):
    petition = advance(world.p_a, Status.DISPATCHED)
    client.force_login(world.rep_a.user)
    response = _post(client, petition, A.TRANSFER, {"studio": str(world.studio_b.pk), "note": "属于 B 的领域"})
    assert response.status_code == 200
    petition.refresh_from_db()
    assert petition.current_studio == world.studio_b and petition.status == Status.DISPATCHED
    assert petition.events.filter(action=A.TRANSFER).count() == 1


def test_joint_consultation_request_convenes_loop_3(client, world):
    from petitions.models import JointConsultation

    petition = advance(world.p_a, Status.DISPATCHED)
    client.force_login(world.rep_a.user)
    response = _post(client, petition, A.CONSULT, {"note": "涉及多个部门", "departments": [str(world.department.pk)]})
    assert response.status_code == 200
    petition.refresh_from_db()
    assert petition.loop == 3 and petition.status == Status.DISPATCHED
    assert petition.events.filter(action=A.OVERRIDE, note="涉及多个部门").count() == 1
    assert JointConsultation.objects.filter(petition=petition).count() == 1


def test_joint_consultation_without_an_agency_is_a_clear_refusal(client, world):
    petition = advance(world.p_b, Status.DISPATCHED)  # county B has no liaison agency, nor has the city
    client.force_login(world.rep_b.user)
    before = petition.events.count()
    response = _post(client, petition, A.CONSULT, {"note": "涉及多个部门"})
    assert response.status_code == 422 and response.context["notice"]["level"] == "error"
    petition.refresh_from_db()
    assert petition.loop == 1 and petition.events.count() == before


def test_missing_detail_is_a_form_error_and_changes_nothing(client, world):
    client.force_login(world.rep_a.user)
    before = world.p_a.events.count()
    response = _post(client, world.p_a, A.REJECT, {"reason": "   "})
    assert response.status_code == 422
    assert b"errorlist" in response.content
    world.p_a.refresh_from_db()
    assert world.p_a.status == Status.SUBMITTED and world.p_a.events.count() == before


def test_dispatch_prefills_the_routing_suggestion_and_records_an_override(client, world):
    petition = advance(world.p_a, Status.ACCEPTED)
    event_record(petition=petition, action=A.ROUTE, actor_label="system", loop=2, studio=world.studio_b,
                 data={"loop": 2, "studio_id": world.studio_b.pk, "reason": "关键词：排水"})
    client.force_login(world.studio_staff_a)
    html = client.get(page_url(petition)).content.decode()
    assert f'<option value="{world.studio_b.pk}" selected>' in html
    assert 'name="dispatch-loop"' in html
    # Changing the suggestion needs a reason ...
    response = _post(client, petition, A.DISPATCH, {"loop": "1", "studio": str(world.studio_a.pk)})
    assert response.status_code == 422
    assert not petition.events.filter(action=A.DISPATCH).exists()
    # ... and is recorded with it.
    response = _post(client, petition, A.DISPATCH, {"loop": "1", "studio": str(world.studio_a.pk),
                                                    "override_reason": "本领域可以解决"})
    assert response.status_code == 200
    override = petition.events.get(action=A.OVERRIDE)
    assert override.note == "本领域可以解决" and override.actor == world.studio_staff_a and override.loop == 1
    assert petition.events.filter(action=A.DISPATCH).count() == 1
    petition.refresh_from_db()
    assert petition.status == Status.DISPATCHED and petition.loop == 1


def test_representative_may_follow_but_not_override_the_suggestion(client, world):
    petition = advance(world.p_a, Status.ACCEPTED)
    event_record(petition=petition, action=A.ROUTE, actor_label="system", loop=2, studio=world.studio_b,
                 data={"loop": 2, "studio_id": world.studio_b.pk})
    client.force_login(world.rep_a.user)
    response = _post(client, petition, A.DISPATCH, {"loop": "1", "studio": str(world.studio_a.pk),
                                                    "override_reason": "想自己办"})
    assert response.status_code == 422 and not petition.events.filter(action=A.DISPATCH).exists()
    response = _post(client, petition, A.DISPATCH, {"loop": "2", "studio": str(world.studio_b.pk)})
    assert response.status_code == 200
    petition.refresh_from_db()
    assert petition.current_studio == world.studio_b and petition.loop == 2


@pytest.mark.parametrize("action,fields", [(A.ACCEPT, {}), (A.NOTE, {"note": "同一条备注"})])
def test_double_submit_with_the_same_state_makes_one_event(client, world, action, fields):
    client.force_login(world.rep_a.user)
    html = client.get(page_url(world.p_a)).content.decode()
    data = {**form_state(html, action), **{f"{action}-{k}": v for k, v in fields.items()}}
    before = world.p_a.events.count()
    first = client.post(action_url(world.p_a, action), data, **HX)
    second = client.post(action_url(world.p_a, action), data, **HX)
    assert first.status_code == 200
    assert second.status_code == 409
    assert "Someone else acted on this petition first" in second.content.decode() or "抢先" in second.content.decode() \
        or second.context["notice"]["level"] == "error"
    assert world.p_a.events.count() == before + 1
    # Without htmx the loser is sent back to the page with a message, not a 500.
    third = client.post(action_url(world.p_a, action), data)
    assert third.status_code == 302
    assert world.p_a.events.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_action_in_two_threads_makes_one_event(world):
    petition = world.p_a
    seed = Client()
    seed.force_login(world.rep_a.user)
    data = form_state(seed.get(page_url(petition)).content.decode(), A.ACCEPT)
    results, barrier = [], threading.Barrier(2)

    def act():
        try:
            c = Client()
            c.force_login(world.rep_a.user)
            barrier.wait()
            results.append(c.post(action_url(petition, A.ACCEPT), data, **HX).status_code)
        finally:
            connection.close()  # this thread's own connection: close it, or it outlives the test database

    threads = [threading.Thread(target=act) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert PetitionEvent.objects.filter(petition=petition, action=A.ACCEPT).count() == 1


def test_stale_action_after_someone_else_acted(client, world):
    client.force_login(world.rep_a.user)
    html = client.get(page_url(world.p_a)).content.decode()
    advance(world.p_a, Status.ACCEPTED)  # a colleague accepted it meanwhile
    data = {**form_state(html, A.REJECT), "reject-reason": "重复"}
    before = world.p_a.events.count()
    response = client.post(action_url(world.p_a, A.REJECT), data, **HX)
    assert response.status_code == 409
    world.p_a.refresh_from_db()
    assert world.p_a.status == Status.ACCEPTED and world.p_a.events.count() == before


def test_an_action_the_state_does_not_allow_is_refused(client, world):
    client.force_login(world.rep_a.user)
    html = client.get(page_url(world.p_a)).content.decode()
    data = {"resolve-expected_status": "submitted", "resolve-version": form_state(html, A.ACCEPT)["accept-version"],
            "resolve-answer": "x"}
    response = client.post(action_url(world.p_a, A.RESOLVE), data, **HX)
    assert response.status_code in (403, 409)
    assert world.p_a.events.filter(action=A.RESOLVE).count() == 0


# --- the role matrix ---------------------------------------------------------------------------

PETITIONS = ["p_a", "p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3"]


def test_anonymous_is_sent_to_login_everywhere(client, world):
    for url in ("/dashboard/", page_url(world.p_a), action_url(world.p_a, A.ACCEPT)):
        response = client.get(url) if not url.endswith("/accept/") else client.post(url, {})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert world.p_a.events.count() == 0


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_role_matrix_pages_and_actions(client, world, role):
    user = user_of(world, role)
    client.force_login(user)
    queue = {row["p"].tracking_code for row in client.get("/dashboard/", {"status": ""}).context["rows"]}
    assert queue == {getattr(world, name).tracking_code for name in VISIBLE[role]}
    for name in PETITIONS:
        petition = getattr(world, name)
        page = client.get(page_url(petition))
        post = client.post(action_url(petition, A.NOTE),
                           {"note-expected_status": petition.status, "note-version": "0", "note-note": "x"}, **HX)
        if name in VISIBLE[role]:
            assert page.status_code == 200, (role, name)
            assert post.status_code in (403, 409), (role, name)  # stale version: refused, never applied
        else:
            # Never confirm existence: the same 404 as a code that does not exist.
            assert page.status_code == 404, (role, name)
            assert post.status_code == 404, (role, name)
            assert petition.text.encode() not in page.content
    assert client.get(reverse("dashboard:petition", args=["ZZZZZZZZ"])).status_code == 404
    assert PetitionEvent.objects.filter(action=A.NOTE).count() == 0


@pytest.mark.parametrize("role", sorted(VISIBLE))
@pytest.mark.parametrize("action", [A.ACCEPT, A.REJECT, A.NOTE])
def test_role_matrix_on_a_fresh_form(client, world, role, action):
    """With a genuine form (right status and version), what each role may do on A's new petition."""
    user = user_of(world, role)
    petition = world.p_a
    version = Petition.objects.get(pk=petition.pk)
    from petitions.dashboard.actions import petition_version

    data = {f"{action}-expected_status": petition.status, f"{action}-version": petition_version(version),
            f"{action}-reason": "原因", f"{action}-note": "备注"}
    client.force_login(user)
    response = client.post(action_url(petition, action), data, **HX)
    if "p_a" not in VISIBLE[role]:
        assert response.status_code == 404
    elif action in access.permitted_actions(user, petition):
        assert response.status_code == 200
    else:
        assert response.status_code == 403
    made = petition.events.filter(action=action).count()
    assert made == (1 if response.status_code == 200 else 0)


def test_dispatch_to_loop_2_without_a_studio_goes_to_the_hotline(client, world):
    petition = advance(world.p_a, Status.ACCEPTED)
    client.force_login(world.rep_a.user)
    response = _post(client, petition, A.DISPATCH, {"loop": "2", "studio": ""})
    assert response.status_code == 422  # a reason is needed
    response = _post(client, petition, A.DISPATCH, {"loop": "2", "studio": "", "note": "其他部门的事，无对口工作室"})
    assert response.status_code == 200
    petition.refresh_from_db()
    assert petition.status == Status.DISPATCHED and petition.loop == 2
    assert petition.events.filter(action=A.OVERRIDE, actor=world.rep_a.user).count() == 1
    assert petition.events.filter(action=A.HOTLINE).exists() or petition.hotline_deliveries.exists()
