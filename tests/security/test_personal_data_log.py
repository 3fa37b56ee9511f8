"""Reading a citizen's unmasked name and phone leaves a row in the append-only access log."""
from liaison.models import PersonalDataAccess
from tests.roles import build_world


def test_the_admin_page_of_a_petition_logs_the_superuser_reading_the_contact(client, db):
    world = build_world()
    client.force_login(world.superuser)
    response = client.get(f"/admin/petitions/petition/{world.p_b.pk}/change/")
    assert response.status_code == 200 and "13812341234" in response.content.decode()
    (row,) = PersonalDataAccess.objects.all()
    assert (row.user, row.petition_id, row.where) == (world.superuser, world.p_b.pk, "admin")
    assert row.path == f"/admin/petitions/petition/{world.p_b.pk}/change/"


def test_the_dashboard_logs_an_unmasked_reading_and_not_a_masked_one(client, db):
    world = build_world()
    client.force_login(world.rep_b.user)  # handles p_b: sees the contact, and the reading is logged
    assert "13812341234" in client.get(f"/dashboard/p/{world.p_b.tracking_code}/").content.decode()
    assert list(PersonalDataAccess.objects.values_list("user__username", "petition_id", "where")) == [
        ("rep_b", world.p_b.pk, "dashboard")]
    client.force_login(world.organisation)  # sees the petition, masked: nothing to log
    page = client.get(f"/dashboard/p/{world.p_b.tracking_code}/")
    if page.status_code == 200:
        assert "13812341234" not in page.content.decode()
    assert PersonalDataAccess.objects.count() == 1


def test_a_list_of_the_back_office_shows_contacts_masked_and_logs_nothing(client, db):
    world = build_world()
    client.force_login(world.superuser)
    assert "13812341234" not in client.get("/admin/petitions/petition/").content.decode()
    assert not PersonalDataAccess.objects.exists()
