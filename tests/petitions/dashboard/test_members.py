"""A studio's lead and admins manage its members; nobody else may, or learn of the page."""
import pytest
from django.urls import reverse

from liaison import access
from offices.models import StudioMembership
from tests.factories import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(world):
    world.studio_a.lead = world.rep_a
    world.studio_a.save()
    return world.rep_a


def test_lead_adds_appoints_and_removes(client, world, lead):
    newcomer = RepresentativeFactory(region=world.county_a, name="李新", phone="13900001111",
                                     user=UserFactory(username="li"))
    url = reverse("dashboard:studio_members", args=[world.studio_a.code])
    client.force_login(newcomer.user)
    assert client.get(url).status_code == 404  # not a member, not an admin

    client.force_login(lead.user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"who": "13900001111"}).status_code == 302
    membership = StudioMembership.objects.get(studio=world.studio_a, representative=newcomer)
    again = client.post(url, {"who": "李新"})
    assert again.status_code == 400 and "已是本工作室成员" in again.content.decode()
    outside = client.post(url, {"who": world.rep_b.phone})  # county B: not this studio's area
    assert outside.status_code == 400 and not world.studio_a.memberships.filter(representative=world.rep_b).exists()

    client.force_login(newcomer.user)
    assert client.get(url).status_code == 404  # a plain member does not manage
    client.force_login(lead.user)
    client.post(reverse("dashboard:studio_member", args=[world.studio_a.code, membership.pk]), {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == StudioMembership.Role.ADMIN
    client.force_login(newcomer.user)
    assert client.get(url).status_code == 200  # the appointed admin manages now
    assert world.studio_a.pk in access.actor_for(newcomer.user).admin_studio_ids

    # The admin cannot remove the lead; the lead removes the admin.
    lead_membership = StudioMembership.objects.get(studio=world.studio_a, representative=lead)
    client.post(reverse("dashboard:studio_member", args=[world.studio_a.code, lead_membership.pk]), {"remove": "1"})
    assert StudioMembership.objects.filter(pk=lead_membership.pk).exists()
    client.force_login(lead.user)
    client.post(reverse("dashboard:studio_member", args=[world.studio_a.code, membership.pk]), {"remove": "1"})
    assert not StudioMembership.objects.filter(pk=membership.pk).exists()


def test_members_role_matrix(client, world, lead):
    membership_b = StudioMembership.objects.get(studio=world.studio_b, representative=world.rep_b)
    url_b = reverse("dashboard:studio_members", args=[world.studio_b.code])
    change_b = reverse("dashboard:studio_member", args=[world.studio_b.code, membership_b.pk])
    response = client.get(url_b)
    assert response.status_code == 302 and "/login" in response.url
    for user in (lead.user, world.studio_staff_a, world.liaison_a, world.department_staff, world.nobody):
        client.force_login(user)
        assert client.get(url_b).status_code == 404
        assert client.post(change_b, {"remove": "1"}).status_code == 404
    assert StudioMembership.objects.filter(pk=membership_b.pk).exists()
    # Studio A's staff manage studio A; but a membership id of studio B through A's address is not found.
    client.force_login(world.studio_staff_a)
    assert client.get(reverse("dashboard:studio_members", args=[world.studio_a.code])).status_code == 200
    client.post(reverse("dashboard:studio_member", args=[world.studio_a.code, membership_b.pk]), {"remove": "1"})
    assert StudioMembership.objects.filter(pk=membership_b.pk).exists()
