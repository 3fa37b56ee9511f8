"""The Django admin as the back office: every page opens, lists cost a constant number of queries,
the trail cannot be edited, nothing a citizen submitted can be deleted, and citizens are masked."""
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    Notification,
    RedCard,
    Scorecard,
    ScoreWeights,
    SlaPause,
    SlaPolicy,
    WorkdayOverride,
)
from liaison.models import (
    Assignment,
    AssignmentReport,
    Discussion,
    DiscussionPost,
    DutyRecord,
    LiaisonAgency,
    Proposal,
    Representative,
    ResearchClaim,
    ResearchTopic,
    StaffProfile,
)
from offices.choices import Flag, Level, Loop
from offices.models import Department, Region, Sector, Studio, StudioActivity, StudioMembership, StudioOutcome
from petitions.codes import new_tracking_code
from petitions.models import (
    ConsultationDecision,
    HotlineCallback,
    HotlineDelivery,
    HotlineStatus,
    JointConsultation,
    Petition,
    PetitionEvent,
    PetitionPhoto,
    PetitionTerm,
    SectorKeyword,
    Status,
)
from tests.factories import flag_change

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def region(**kw):
    obj = Region(**kw)
    obj.full_clean()  # Region.clean() computes the path
    obj.save()
    return obj


def make_petition(world, n, **kw):
    now = timezone.now()
    fields = dict(
        tracking_code=new_tracking_code(), studio=world.studio, current_studio=world.studio,
        current_department=world.department, current_representative=world.rep, category=world.sector,
        sector=world.sector, region=world.county, loop=Loop.WITHIN_SECTOR, status=Status.DISPATCHED,
        flag=Flag.YELLOW, text=f"第{n}号诉求：村口道路积水。", citizen_name="张三", citizen_phone=f"139{n:08d}",
        submitted_at=now - timedelta(minutes=n),
    )
    fields.update(kw)
    petition = Petition.objects.create(**fields)
    PetitionEvent.objects.create(petition=petition, action=PetitionEvent.Action.SUBMIT, actor_label="citizen",
                                 to_status=Status.SUBMITTED, studio=world.studio)
    PetitionEvent.objects.create(petition=petition, action=PetitionEvent.Action.DISPATCH, actor=world.user,
                                 from_status=Status.ACCEPTED, to_status=Status.DISPATCHED, loop=1,
                                 studio=world.studio, department=world.department)
    return petition


@pytest.fixture
def world(admin_user):
    """One row of every model, built by hand (no factories), enough for each admin page to render."""
    today = timezone.localdate()
    now = timezone.now()
    w = SimpleNamespace(user=admin_user)
    w.sector = Sector.objects.create(code="agri", name="农业技术", name_en="Agricultural technology", position=1)
    w.city = region(code="371500", name="聊城市", kind=Region.Kind.CITY)
    w.county = region(code="371502", name="东昌府区", kind=Region.Kind.COUNTY, parent=w.city)
    w.department = Department.objects.create(code="dcf-agri", name="东昌府区农业农村局", sector=w.sector, region=w.county)
    w.rep = Representative.objects.create(name="王小明", level=Level.COUNTY, region=w.county, phone="13900001111")
    w.rep.sectors.add(w.sector)
    w.studio = Studio.objects.create(code="dcf-agri", name="农业技术行业党代表工作室", kind=Studio.Kind.INDUSTRY,
                                     level=Level.COUNTY, sector=w.sector, host_department=w.department,
                                     region=w.county, lead=w.rep)
    StudioMembership.objects.create(studio=w.studio, representative=w.rep, role=StudioMembership.Role.ADMIN)
    activity = StudioActivity.objects.create(studio=w.studio, kind=StudioActivity.Kind.TRAINING, title="玉米种植培训",
                                             held_on=today, people_reached=40)
    StudioOutcome.objects.create(studio=w.studio, activity=activity, metric=StudioOutcome.Metric.PEOPLE_TRAINED,
                                 value=Decimal("40"), achieved_on=today)

    w.agency = LiaisonAgency.objects.create(name="市党代表联络工作机构", level=Level.CITY, region=w.city)
    staff = get_user_model().objects.create_user("studio-staff", password="x")
    StaffProfile.objects.create(user=staff, role=StaffProfile.Role.STUDIO, studio=w.studio)
    Proposal.objects.create(representative=w.rep, agency=w.agency, title="关于农田排涝的建议", body="……", sector=w.sector)
    topic = ResearchTopic.objects.create(agency=w.agency, title="农村排涝调研", due_on=today + timedelta(days=30))
    ResearchClaim.objects.create(topic=topic, representative=w.rep)
    assignment = Assignment.objects.create(agency=w.agency, title="走访种粮大户", studio=w.studio,
                                           due_on=today + timedelta(days=7), created_by=admin_user)
    AssignmentReport.objects.create(assignment=assignment, representative=w.rep)
    discussion = Discussion.objects.create(title="排涝经验交流", studio=w.studio, created_by=admin_user)
    DiscussionPost.objects.create(discussion=discussion, author=admin_user, body="各村情况汇总如下。")
    DutyRecord.objects.create(representative=w.rep, kind=DutyRecord.Kind.ACTIVITY, source="offices.studioactivity",
                              source_id=activity.pk, summary="参加玉米种植培训")

    w.petition = make_petition(w, 0, citizen_name="李四", citizen_phone="13812341234")
    PetitionPhoto(petition=w.petition, image="petitions/2025/01/photo.jpg", width=1, height=1).save()
    SectorKeyword.objects.create(sector=w.sector, term="玉米", weight=3)
    PetitionTerm.objects.create(petition=w.petition, term="玉米", sector=w.sector, at=now)
    consultation = JointConsultation.objects.create(petition=w.petition, agency=w.agency,
                                                    reason=JointConsultation.Reason.SEVERAL_DEPARTMENTS)
    consultation.departments.add(w.department)
    ConsultationDecision.objects.create(consultation=consultation, text="疏通排水沟渠", owner=w.department,
                                        due_on=today + timedelta(days=10))
    delivery = HotlineDelivery.objects.create(petition=w.petition, idempotency_key="delivery-1",
                                              payload={"text": "积水"})
    HotlineCallback.objects.create(event_id="hotline-event-1", petition=w.petition, delivery=delivery,
                                   status=HotlineStatus.RECEIVED, outcome=HotlineCallback.Outcome.APPLIED)

    SlaPolicy.objects.create(loop=Loop.WITHIN_SECTOR, resolve_days=5)
    WorkdayOverride.objects.create(date=date(2025, 2, 8), is_workday=True, note="春节调休")
    flag_change(petition=w.petition, from_flag=Flag.BLUE, to_flag=Flag.YELLOW, stage="resolve")
    RedCard.objects.create(studio=w.studio, reason="超期未办结", rectify_by=now + timedelta(days=5))
    Scorecard.objects.create(studio=w.studio, period=Scorecard.Period.MONTH, period_start=today.replace(day=1),
                             received=10, rated=4, satisfied=3)
    Scorecard.objects.create(representative=w.rep, period=Scorecard.Period.MONTH, period_start=today.replace(day=1))
    SlaPause.objects.create(petition=w.petition, stage="resolve", started_at=now - timedelta(hours=2), ended_at=now)
    Notification.objects.create(user=admin_user, kind=Notification.Kind.REMINDER, text="诉求即将超期，请及时办理。")
    ScoreWeights.objects.create()
    return w


def superuser_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_model_of_the_project_apps_is_registered():
    from django.apps import apps

    for label in ("offices", "liaison", "petitions", "assessment"):
        missing = [m.__name__ for m in apps.get_app_config(label).get_models() if m not in admin.site._registry]
        assert missing == [], f"{label}: not in the admin: {missing}"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_superuser_opens_every_admin_page(admin_client, world, model):
    model_admin = admin.site._registry[model]

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    if model_admin.search_fields:
        assert admin_client.get(admin_url(model, "changelist"), {"q": "聊城 1"}).status_code == 200

    expected_add = 200 if model_admin.has_add_permission(superuser_request(world.user)) else 403
    assert admin_client.get(admin_url(model, "add")).status_code == expected_add

    obj = model._default_manager.first()
    if obj is not None:
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_tracking_code_search_finds_the_petition_exactly(admin_client, world):
    other = make_petition(world, 1)
    code = world.petition.tracking_code
    typed = f"{code[:5].lower()}-{code[5:]}"  # as a citizen reads it out

    response = admin_client.get(admin_url(Petition, "changelist"), {"q": typed})

    assert list(response.context["cl"].result_list) == [world.petition]
    assert other.tracking_code not in response.content.decode()


def _changelist_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_petition_changelist_query_count_does_not_grow_with_rows(admin_client, world):
    url = admin_url(Petition, "changelist")
    for n in range(1, 3):
        make_petition(world, n)
    admin_client.get(url)  # warm the session and content-type caches

    response, few = _changelist_queries(admin_client, url)
    assert response.context["cl"].result_count == 3

    for n in range(3, 30):
        make_petition(world, n)
    response, many = _changelist_queries(admin_client, url)
    assert response.context["cl"].result_count == 30

    assert many == few
    assert many <= 12, f"{many} queries for the petition list"


def test_petition_event_changelist_query_count_does_not_grow_with_rows(admin_client, world):
    url = admin_url(PetitionEvent, "changelist")
    admin_client.get(url)
    _response, few = _changelist_queries(admin_client, url)
    for n in range(1, 15):
        make_petition(world, n)
    response, many = _changelist_queries(admin_client, url)
    assert response.context["cl"].result_count == 31  # 2 per petition, and the world's flag change (a FLAG event)
    assert many == few


def test_petition_change_page_query_count_does_not_grow_with_events(admin_client, world):
    url = admin_url(Petition, "change", world.petition.pk)
    admin_client.get(url)
    _response, few = _changelist_queries(admin_client, url)
    for _ in range(10):
        PetitionEvent.objects.create(petition=world.petition, action=PetitionEvent.Action.NOTE, actor=world.user,
                                     studio=world.studio, department=world.department, note="电话回访")
    _response, many = _changelist_queries(admin_client, url)
    assert many == few


def test_petition_list_shows_citizens_masked(admin_client, world):
    content = admin_client.get(admin_url(Petition, "changelist")).content.decode()

    assert "138****1234" in content
    assert "13812341234" not in content
    assert "李*" in content
    assert "李四" not in content


def test_staff_without_superuser_see_citizens_masked_on_the_petition_page(client, world):
    staff = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_petition"))
    client.force_login(staff)

    content = client.get(admin_url(Petition, "change", world.petition.pk)).content.decode()

    assert "138****1234" in content
    assert "13812341234" not in content


def test_petition_event_cannot_be_added_changed_or_deleted(admin_client, world):
    event = world.petition.events.first()
    change_url = admin_url(PetitionEvent, "change", event.pk)

    assert admin_client.get(admin_url(PetitionEvent, "add")).status_code == 403
    assert admin_client.post(change_url, {"note": "edited", "action": "close"}).status_code == 403
    assert admin_client.get(admin_url(PetitionEvent, "delete", event.pk)).status_code == 403
    assert admin_client.post(admin_url(PetitionEvent, "delete", event.pk), {"post": "yes"}).status_code == 403

    page = admin_client.get(change_url)
    assert page.status_code == 200  # viewable
    assert 'name="_save"' not in page.content.decode()
    event.refresh_from_db()
    assert event.note == ""

    changelist = admin_client.get(admin_url(PetitionEvent, "changelist"))
    assert "delete_selected" not in changelist.content.decode()


def test_nothing_a_citizen_submitted_can_be_deleted(admin_client, world):
    petition, photo = world.petition, world.petition.photos.get()

    for model, obj in ((Petition, petition), (PetitionPhoto, photo)):
        assert admin_client.get(admin_url(model, "delete", obj.pk)).status_code == 403
        assert admin_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        changelist = admin_client.get(admin_url(model, "changelist"))
        assert "delete_selected" not in changelist.content.decode()

    response = admin_client.post(admin_url(Petition, "changelist"),
                                 {"action": "delete_selected", "_selected_action": [petition.pk], "post": "yes"})
    assert response.status_code in (200, 302)
    assert Petition.objects.filter(pk=petition.pk).exists()
    assert PetitionPhoto.objects.filter(pk=photo.pk).exists()


def test_petition_state_is_not_edited_through_the_admin(admin_client, world):
    petition = world.petition

    response = admin_client.post(admin_url(Petition, "change", petition.pk), {
        "status": Status.CLOSED, "flag": Flag.BLUE, "text": "changed", "citizen_phone": "1",
        "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "1", "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "3", "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    })

    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.status, petition.flag, petition.citizen_phone) == (Status.DISPATCHED, Flag.YELLOW, "13812341234")
    assert petition.text.startswith("第0号")
    assert petition.events.count() == 3  # two steps and the world's flag change


def test_a_walk_in_petition_added_in_the_admin_goes_through_petition_submit(admin_client, world):
    response = admin_client.post(admin_url(Petition, "add"), {
        "studio": world.studio.pk, "source": "visit", "category": world.sector.pk, "region": world.county.pk,
        "text": "来访反映：灌溉水渠堵塞。", "citizen_name": "赵六", "citizen_phone": "13700001234",
        "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0", "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    })

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    petition = Petition.objects.get(text="来访反映：灌溉水渠堵塞。")
    assert len(petition.tracking_code) == 10
    assert (petition.status, petition.source, petition.current_studio) == (Status.SUBMITTED, "visit", world.studio)
    assert list(petition.events.values_list("action", flat=True)) == [PetitionEvent.Action.SUBMIT]


def test_admin_speaks_chinese_by_default_and_english_on_request(admin_client, world):
    index = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "诉求" in index
    assert "党代表" in index
    assert "工作室" in index

    changelist = admin_client.get(admin_url(Petition, "changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    content = changelist.content.decode()
    assert "查询码" in content
    assert "闭环" in content
    assert "黄" in content

    english = admin_client.get(admin_url(Petition, "changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "tracking code" in english.lower()


def test_a_region_added_in_the_admin_gets_its_path(admin_client, world):
    response = admin_client.post(admin_url(Region, "add"), {
        "name": "古楼街道", "code": "371502001", "kind": Region.Kind.TOWNSHIP, "parent": world.county.pk,
    })

    assert response.status_code == 302
    assert Region.objects.get(code="371502001").path == "/371500/371502/371502001/"


def test_a_region_with_children_cannot_be_moved_or_renumbered(admin_client, world):
    region(code="371502001", name="古楼街道", kind=Region.Kind.TOWNSHIP, parent=world.county)
    page = admin_client.get(admin_url(Region, "change", world.county.pk))
    assert set(page.context["adminform"].readonly_fields) >= {"code", "kind", "parent", "path"}

    admin_client.post(admin_url(Region, "change", world.county.pk),
                      {"name": "东昌府区", "code": "371599", "kind": Region.Kind.COUNTY, "parent": world.city.pk})
    world.county.refresh_from_db()
    assert (world.county.code, world.county.path) == ("371502", "/371500/371502/")


def test_studios_filter_by_county_through_the_region_path(admin_client, world):
    other_county = region(code="371521", name="阳谷县", kind=Region.Kind.COUNTY, parent=world.city)
    url = admin_url(Studio, "changelist")

    mine = admin_client.get(url, {"area_region": world.county.path}).context["cl"].result_list
    other = admin_client.get(url, {"area_region": other_county.path}).context["cl"].result_list

    assert list(mine) == [world.studio]
    assert list(other) == []


def test_date_hierarchy_of_big_lists_does_not_scan_every_row(admin_client, world):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    make_petition(world, 1, submitted_at=datetime(2024, 11, 30, 23, 30, tzinfo=shanghai))
    make_petition(world, 2, submitted_at=datetime(2025, 2, 1, 0, 30, tzinfo=shanghai))
    Petition.objects.filter(pk=world.petition.pk).update(submitted_at=datetime(2025, 1, 15, 8, tzinfo=shanghai))
    url = admin_url(Petition, "changelist")

    with CaptureQueriesContext(connection) as queries:
        years = admin_client.get(url)
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert len([q for q in queries.captured_queries if "MIN(" in q["sql"].upper()]) == 1
    assert "submitted_at__year=2024" in years.content.decode()
    assert "submitted_at__year=2025" in years.content.decode()

    months = admin_client.get(url, {"submitted_at__year": "2025"}).content.decode()
    assert "submitted_at__month=1" in months and "submitted_at__month=2" in months
    assert "submitted_at__month=3" not in months

    days = admin_client.get(url, {"submitted_at__year": "2025", "submitted_at__month": "1"})
    assert days.context["cl"].result_count == 1
    assert "submitted_at__day=15" in days.content.decode()
