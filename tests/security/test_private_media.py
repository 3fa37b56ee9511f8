"""Uploaded files are private: citizens' photos (personal data) and the duties' files are reached only
through access-checked views, never at /media/; behind nginx the view hands the file over with
X-Accel-Redirect to an `internal` location (deploy/nginx/servicedesk.conf)."""
import json
import re

import pytest
from django.urls import reverse

from tests.roles import VISIBLE
from tests.security.world import ADMIN_VIEWER, CITIZEN, ROLES, SEES, build_full_world

pytestmark = pytest.mark.django_db

PHOTOS = {"photo_a": "p_a", "photo_b": "p_b", "photo_loop3": "p_loop3"}
# Photos follow the petition (liaison.access.can_see_petition_photos), plus the admin's photo viewers.
PHOTO_VIEWERS = {photo: {role for role, seen in VISIBLE.items() if petition in seen} | {ADMIN_VIEWER}
                 for photo, petition in PHOTOS.items()}
FILES = {"proposal": ("dashboard:proposal_attachment", "attachment"),
         "claim": ("dashboard:research_report_file", "report_file"),
         "report": ("dashboard:assignment_evidence_file", "evidence_file")}
FILE_VIEWERS = {"proposal": SEES["proposal"], "claim": SEES["claim"], "report": SEES["task"]}


def _untokened(html: bytes) -> bytes:
    return re.sub(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*"', rb'\1"', html)


@pytest.fixture
def world():
    return build_full_world()


def login(client, world, role):
    if role == CITIZEN:
        # The citizen follows p_a with its code and digits: that opens the tracking page, no photo.
        page = client.get("/track/", {"code": world.p_a.tracking_code, "digits": "1234"})
        assert page.status_code == 200 and "A 的诉求" in page.content.decode()
    elif role != "anonymous":
        user = getattr(world, role)
        client.force_login(user.user if hasattr(user, "user") and not hasattr(user, "username") else user)
    return client


def test_petition_photos_link_to_the_checked_view_and_nothing_is_served_at_media(client, world):
    url = world.photo_a.image.url
    assert url == reverse("dashboard:petition_photo", args=[world.photo_a.pk]) and "/media/" not in url
    login(client, world, "superuser")
    page = client.get(f"/dashboard/p/{world.p_a.tracking_code}/").content.decode()
    assert url in page and "/media/" not in page
    # The file's real path, even for a superuser and even with DEBUG: no route serves it.
    assert client.get("/media/" + world.photo_a.image.name).status_code == 404
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_photos_of_the_petitions_it_may_see(client, world, role):
    login(client, world, role)
    for photo_name, viewers in PHOTO_VIEWERS.items():
        photo = getattr(world, photo_name)
        response = client.get(photo.image.url)
        if role in viewers:
            assert response.status_code == 200, (role, photo_name, response.status_code)
            assert response["Content-Type"] == "image/jpeg"
            assert response["Content-Disposition"].startswith("inline")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
            assert b"".join(response.streaming_content) == photo.image.open("rb").read()
        elif role in ("anonymous", CITIZEN):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (role, photo_name)
        else:
            assert response.status_code == 404, (role, photo_name, response.status_code)


@pytest.mark.parametrize("role", ["rep_a", "rep_b", "studio_staff_a", "department_staff", "liaison_a"])
def test_guessing_another_petitions_photo_gives_404_like_a_photo_that_does_not_exist(client, world, role):
    login(client, world, role)
    hidden = [getattr(world, p) for p, viewers in PHOTO_VIEWERS.items() if role not in viewers]
    assert hidden, role
    missing_url = reverse("dashboard:petition_photo", args=[10**9])
    missing = client.get(missing_url)
    assert missing.status_code == 404
    for photo in hidden:
        for path in (photo.image.url, f"/media/{photo.image.name}", f"/dashboard/photos/{photo.pk}/../",
                     f"/dashboard/photos/{photo.pk}/?name=../../{photo.image.name}"):
            response = client.get(path)
            assert response.status_code == 404, (role, path, response.status_code)
            assert b"JFIF" not in response.content
    # The same answer as for a photo that does not exist (but for the page's CSRF tokens and own address).
    guessed = client.get(hidden[0].image.url).content.replace(hidden[0].image.url.encode(), b"URL")
    assert _untokened(guessed) == _untokened(missing.content.replace(missing_url.encode(), b"URL"))


def test_the_citizens_tracking_page_shows_no_photo(client, world):
    page = client.get("/track/", {"code": world.p_a.tracking_code, "digits": "1234"}).content.decode()
    assert "A 的诉求" in page and "/dashboard/photos/" not in page and "/media/" not in page


def test_open311_never_publishes_a_photo(client, world):
    body = json.loads(client.get(f"/open311/v2/requests/{world.p_a.tracking_code}.json").content)
    assert body[0]["media_url"] == ""
    rows = json.loads(client.get("/open311/v2/requests.json").content)
    assert rows and all(row["media_url"] == "" for row in rows)


@pytest.mark.parametrize("role", ROLES)
def test_duty_files_open_only_for_their_people_and_never_run_in_the_portals_origin(client, world, role):
    login(client, world, role)
    for kind, (url_name, field) in FILES.items():
        for side in ("a", "b"):
            row = getattr(world, f"{kind}_{side}")
            url = getattr(row, field).url
            assert url == reverse(url_name, args=[row.pk])
            response = client.get(url)
            if role in FILE_VIEWERS[kind][side]:
                assert response.status_code == 200, (role, kind, side, response.status_code)
                # An uploaded HTML page is a download, never a page of the portal.
                assert response["Content-Type"] == "application/octet-stream"
                assert response["Content-Disposition"].startswith("attachment")
                assert response["X-Content-Type-Options"] == "nosniff"
                assert "sandbox" in response["Content-Security-Policy"]
            elif role in ("anonymous", CITIZEN):
                assert response.status_code == 302, (role, kind, side)
            else:
                assert response.status_code == 404, (role, kind, side, response.status_code)
            assert client.get(f"/media/{getattr(row, field).name}").status_code == 404


def test_behind_nginx_the_view_answers_with_x_accel_redirect_and_no_body(client, world, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    login(client, world, "rep_a")
    response = client.get(world.photo_a.image.url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{world.photo_a.image.name}"
    assert response["Content-Type"] == "image/jpeg" and response["Cache-Control"] == "private, no-store"
    denied = client.get(world.photo_b.image.url)
    assert denied.status_code == 404 and "X-Accel-Redirect" not in denied


def test_the_back_office_links_photos_to_the_checked_view(client, world):
    login(client, world, ADMIN_VIEWER)
    page = client.get(f"/admin/petitions/petitionphoto/{world.photo_b.pk}/change/").content.decode()
    assert world.photo_b.image.url in page and "/media/" not in page
    assert client.get(world.photo_b.image.url).status_code == 200
    # The same clerk without the permission to view photos: no longer.
    clerk = world.admin_viewer
    clerk.user_permissions.remove(*clerk.user_permissions.filter(codename="view_petitionphoto"))
    client.force_login(type(world.admin_viewer).objects.get(pk=world.admin_viewer.pk))
    assert client.get(world.photo_b.image.url).status_code == 404
