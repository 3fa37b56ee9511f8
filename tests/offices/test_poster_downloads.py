"""A county's posters as one zip, built in the background (issue 9): one SVG and one PNG per active studio of
the county, progress poster by poster, the file for its owner only; bad input refused before anything is queued."""
import io
import time
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from assessment.downloads.services import PROGRESS_STEPS, download_job_run
from assessment.models import DownloadJob
from offices import posters
from offices.models import Region
from tests.factories import RegionFactory, RepresentativeFactory, StaffProfileFactory, UserFactory, township
from tests.petitions.intake_helpers import _fresh_cache, make_studio, studio  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
START = "/downloads/start/"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _own_downloads_folder(request, settings, tmp_path):
    """In-process runs write into this test's folder; a real worker writes where its settings say."""
    if request.node.get_closest_marker("worker") is None:
        settings.DOWNLOADS_ROOT = tmp_path / "downloads"


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def client_for(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def county_with_studios(studio, n_more=0):
    """The studio's county with a township studio in it, n_more studios besides; and studios that must stay
    out of its zip: one in another county, one inactive."""
    town = township(studio.region, name="刘集镇")
    inside = [studio, make_studio(region=town, kind="township", level="township", host_department=None)]
    inside += [make_studio() for _ in range(n_more)]
    other_county = RegionFactory(parent=studio.region.parent, kind=Region.Kind.COUNTY, name="阳谷县")
    outside = [make_studio(county=other_county), make_studio(active=False)]
    return inside, outside


def svg_texts(data: bytes) -> str:
    return " ".join(t.text for t in ET.fromstring(data).iter(f"{SVG}text") if t.text)


def test_the_posters_page_offers_the_zip_as_a_background_download(staff, studio):
    client = client_for(staff)
    html = client.get("/posters/", {"region": studio.region.code}).content.decode()
    assert studio.name in html and f'action="{START}"' in html and 'hx-target="#download-posters"' in html
    assert 'name="kind" value="posters"' in html and f'name="region" value="{studio.region.code}"' in html
    assert "/posters/posters.zip" not in html and client.get("/posters/posters.zip").status_code == 404
    assert f'/s/{studio.code}/poster.svg' in html  # one poster stays a plain, immediate download


@pytest.mark.parametrize("region, message", [(None, "Choose a county or district"),
                                             ("999999", "Choose a county or district"),
                                             ("township", "Choose a county or district"),
                                             ("empty", "No active studio in this area")])
def test_an_unknown_area_or_one_without_studios_is_refused_and_nothing_is_queued(staff, studio, region, message):
    data = {"kind": "posters"}
    if region == "township":
        data["region"] = township(studio.region).code
    elif region == "empty":
        data["region"] = RegionFactory(parent=studio.region.parent, kind=Region.Kind.COUNTY).code
    elif region:
        data["region"] = region
    client = client_for(staff)
    response = client.post(START, data)
    assert response.status_code == 400 and message in response.content.decode()
    htmx = client.post(START, data, headers={"hx-request": "true"})
    assert htmx.status_code == 400 and b'role="alert"' in htmx.content and message.encode() in htmx.content
    assert not DownloadJob.objects.exists()


def test_without_a_cjk_font_the_zip_is_refused_saying_what_to_install(staff, studio, settings, monkeypatch):
    settings.POSTER_FONT = ""
    monkeypatch.setattr(posters, "FONT_CANDIDATES", (("/nonexistent/a.ttc", "/nonexistent/b.ttc"),))
    response = client_for(staff).post(START, {"kind": "posters", "region": studio.region.code})
    assert response.status_code == 400 and b"fonts-noto-cjk" in response.content
    assert not DownloadJob.objects.exists()


def test_a_user_without_a_role_may_not_start_a_zip(studio):
    assert client_for(UserFactory()).post(START, {"kind": "posters", "region": studio.region.code}).status_code == 403
    assert not DownloadJob.objects.exists()


def test_the_city_zip_holds_every_county_and_reads_in_constant_queries(staff, studio):
    inside, outside = county_with_studios(studio, n_more=8)
    city = studio.region.parent
    client = client_for(staff)
    response = client.post(START, {"kind": "posters", "region": city.code})
    assert response.status_code == 302, response.content.decode()[-1500:]
    job = DownloadJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/downloads/{job.pk}/"
    assert job.params == {"region": city.code, "base_url": "http://testserver"}
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "<progress" in page  # without JavaScript too
    with CaptureQueriesContext(connection) as run:
        assert download_job_run(job_id=job.pk) == "done"
    reads = [q for q in run.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) <= 4, [q["sql"] for q in reads]  # the job, the region, the studios: none per studio
    assert len(run.captured_queries) <= PROGRESS_STEPS + 10  # progress writes are bounded too
    names = set(zipfile.ZipFile(io.BytesIO(b"".join(client.get(f"/downloads/{job.pk}/file/").streaming_content)))
                .namelist())
    active = [s for s in (*inside, *outside) if s.active]
    assert names == {f"{s.code}.{ext}" for s in active for ext in ("svg", "png")}
    assert "refresh" not in client.get(f"/downloads/{job.pk}/").content.decode()  # done: the page stops reloading


@pytest.mark.worker
def test_a_countys_zip_job_holds_one_svg_and_png_per_studio_and_its_progress_increases(celery_worker_process,
                                                                                     transactional_db, studio):
    inside, outside = county_with_studios(studio, n_more=4)
    staff = UserFactory(is_staff=True)
    client = client_for(staff)
    started = client.post(START, {"kind": "posters", "region": studio.region.code}, headers={"hx-request": "true"})
    assert started.status_code == 200 and b"<progress" in started.content
    job = DownloadJob.objects.get()

    seen, fragments = [], []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = DownloadJob.objects.values_list("status", "done", "total").get(pk=job.pk)
        seen.append(row)
        if row[0] == "running" and row[2] and 0 < row[1] < row[2] and not fragments:
            fragments.append(client.get(f"/downloads/{job.pk}/status/").content.decode())
        if row[0] in ("done", "failed"):
            break
        time.sleep(0.02)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert (job.done, job.total) == (len(inside), len(inside))
    done_values = [done for status, done, _total in seen if status in ("running", "done")]
    assert done_values == sorted(done_values), seen  # progress never goes back
    assert any(0 < done < len(inside) for done in done_values), seen  # and was seen on its way
    assert fragments, seen
    running = fragments[0]
    assert f'max="{len(inside)}"' in running and "Done " in running and f"/{len(inside)}" in running
    assert 'hx-trigger="every 1s"' in running

    response = client.get(f"/downloads/{job.pk}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="posters-{studio.region.code}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert set(archive.namelist()) == {f"{s.code}.{ext}" for s in inside for ext in ("svg", "png")}
    Image.open(io.BytesIO(archive.read(f"{studio.code}.png"))).load()
    texts = svg_texts(archive.read(f"{studio.code}.svg"))
    assert studio.name in texts and f"http://testserver/s/{studio.code}/" in texts

    # A representative, or other staff, may print posters, but this file is not theirs: 404.
    rep = UserFactory()
    RepresentativeFactory(user=rep)
    for other in (rep, UserFactory(is_staff=True), StaffProfileFactory(role="organisation").user):
        assert client_for(other).get(f"/downloads/{job.pk}/file/").status_code == 404
