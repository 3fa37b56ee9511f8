"""A studio's members over the API: its lead, admins and staff add a representative of the studio's area,
appoint a studio admin, remove a member, through the services the members page uses. Whoever may not manage
the studio gets 404 for all of it, as on the page (tests/api/test_write_permissions.py has the matrix)."""
import pytest

from liaison import access
from offices.models import StudioMembership
from tests.api.duty_world import snapshot
from tests.api.errors import refused
from tests.factories import RepresentativeFactory, UserFactory


@pytest.fixture
def lead(world):
    world.studio_a.lead = world.rep_a
    world.studio_a.save()
    return world.rep_a


@pytest.fixture
def newcomer(world):
    return RepresentativeFactory(region=world.county_a, name="李新", phone="13900001111",
                                 user=UserFactory(username="li_xin"))


def url(world, membership=None):
    base = f"/api/v1/studios/{world.studio_a.code}/members"
    return f"{base}/{membership}" if membership else base


def test_lead_adds_appoints_and_removes(api_as, world, lead, newcomer):
    client = api_as("rep_a")
    rows = client.get(url(world)).json()["results"]
    assert [(r["name"], r["is_lead"], r["role"]) for r in rows] == [(world.rep_a.name, True, "member")]

    added = client.post(url(world), {"representative": newcomer.pk}, format="json")
    assert added.status_code == 201, added.content
    assert (added.json()["name"], added.json()["role"], added.json()["is_lead"], added.json()["region"]) == (
        "李新", "member", False, world.county_a.code)
    membership = StudioMembership.objects.get(studio=world.studio_a, representative=newcomer)
    assert added.json()["id"] == membership.pk

    before = snapshot()
    body = refused(client.post(url(world), {"who": "李新"}, format="json", HTTP_ACCEPT_LANGUAGE="en"), 409)
    assert "already a member" in body["message"]
    refused(client.post(url(world), {"representative": world.rep_b.pk}, format="json"), 400, "representative")
    refused(client.post(url(world), {"who": world.rep_b.phone}, format="json"), 400, "who")  # the page's lookup
    refused(client.post(url(world), {"representative": 999999}, format="json"), 400, "representative")
    refused(client.post(url(world), {}, format="json"), 400, "representative")
    refused(client.post(url(world), {"representative": newcomer.pk, "who": "李新"}, format="json"), 400,
            "representative")
    assert snapshot() == before

    assert api_as(None).get(url(world)).status_code == 401
    appointed = client.patch(url(world, membership.pk), {"role": "admin"}, format="json")
    assert appointed.status_code == 200 and appointed.json()["role"] == "admin"
    newcomer.user.refresh_from_db()
    assert world.studio_a.pk in access.actor_for(newcomer.user).admin_studio_ids
    refused(client.patch(url(world, membership.pk), {"role": "boss"}, format="json"), 400, "role")

    # The lead stays (409); a member goes (204), then is gone (404).
    lead_membership = StudioMembership.objects.get(studio=world.studio_a, representative=world.rep_a)
    before = snapshot()
    body = refused(client.delete(url(world, lead_membership.pk), HTTP_ACCEPT_LANGUAGE="en"), 409)
    assert "lead" in body["message"]
    assert snapshot() == before
    assert client.delete(url(world, membership.pk)).status_code == 204
    assert not StudioMembership.objects.filter(pk=membership.pk).exists()
    refused(client.delete(url(world, membership.pk)), 404)


def test_by_name_or_mobile_as_on_the_page(api_as, world, newcomer):
    staff = api_as("studio_staff_a")
    assert staff.post(url(world), {"who": "13900001111"}, format="json").status_code == 201
    assert StudioMembership.objects.filter(studio=world.studio_a, representative=newcomer).exists()
    body = refused(staff.post(url(world), {"who": "无此人"}, format="json"), 400, "who")
    assert body["fields"]["who"][0]


def test_an_inactive_representative_cannot_join(api_as, world, newcomer):
    newcomer.active = False
    newcomer.save()
    before = snapshot()
    refused(api_as("studio_staff_a").post(url(world), {"representative": newcomer.pk}, format="json"), 400,
            "representative")
    assert snapshot() == before


def test_a_studio_admin_manages_a_plain_member_does_not(api_as, world, newcomer):
    assert api_as("rep_a").get(url(world)).status_code == 404  # a plain member of studio A
    StudioMembership.objects.filter(studio=world.studio_a, representative=world.rep_a).update(role="admin")
    assert api_as("rep_a").get(url(world)).status_code == 200
    assert api_as("rep_a").post(url(world), {"representative": newcomer.pk}, format="json").status_code == 201
    # Another studio's code, or one that does not exist: 404 alike.
    assert api_as("rep_a").get(f"/api/v1/studios/{world.studio_b.code}/members").status_code == 404
    assert api_as("rep_a").get("/api/v1/studios/no-such-studio/members").status_code == 404
    # A membership of another studio under studio A's code: 404.
    other = StudioMembership.objects.get(studio=world.studio_b, representative=world.rep_b)
    assert api_as("rep_a").delete(url(world, other.pk)).status_code == 404
    assert StudioMembership.objects.filter(pk=other.pk).exists()
