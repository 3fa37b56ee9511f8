"""Background downloads of the large report tables (issue 9): started from the page's export form with the
page's own filters, built by a real worker with progress, served to their owner only, swept after a day."""
import csv
import io
import os
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from assessment.downloads.selectors import downloads_root
from assessment.downloads.services import (MAX_ACTIVE_PER_USER, STALE, download_job_run, download_job_start,
                                           download_jobs_sweep)
from assessment.models import DownloadJob, Scorecard
from tests.conftest import wait_for
from tests.factories import RepresentativeFactory, StaffProfileFactory, StudioFactory, UserFactory

from .test_reports import FILTER, make_data

pytestmark = pytest.mark.django_db
START = "/downloads/start/"
OPERATION = {"kind": "report", "report": "operation", "table": "", "format": "xlsx", "period": "month",
             "start": "2026-11-01"}
RANKING = {"kind": "report", "report": "assessment", "table": "representatives", "format": "csv", "period": "month",
           "start": "2026-11-01"}


def en_client(user=None):
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _own_downloads_folder(request, settings, tmp_path):
    """In-process runs write into this test's folder; a real worker writes where its settings say."""
    if request.node.get_closest_marker("worker") is None:
        settings.DOWNLOADS_ROOT = tmp_path / "downloads"


@pytest.fixture
def organisation(db):
    return StaffProfileFactory(role="organisation").user


def _sheet(content: bytes):
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def _file(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the page: export forms, and old export links of large tables -------------------------------------

def test_large_tables_offer_a_background_export_carrying_the_pages_filters(organisation):
    make_data(1)
    html = en_client(organisation).get("/reports/assessment/" + FILTER).content.decode()
    assert html.count(f'action="{START}"') == 2  # studios and representatives
    assert 'name="table" value="representatives"' in html and 'name="start" value="2026-11-01"' in html
    assert 'id="download-assessment-studios"' in html and 'hx-target="#download-assessment-studios"' in html
    overview = en_client(organisation).get("/reports/" + FILTER).content.decode()
    assert "export=xlsx&amp;table=sectors" in overview and START not in overview  # small tables stay streamed


def test_an_old_export_link_of_a_large_table_goes_back_to_the_page_saying_how(organisation):
    client = en_client(organisation)
    response = client.get("/reports/operation/" + FILTER + "&export=xlsx")
    assert response.status_code == 302 and response["Location"] == "/reports/operation/" + FILTER
    page = client.get(response["Location"]).content.decode()
    assert "prepared in the background" in page
    assert client.get("/reports/operation/?export=pdf").status_code == 404
    assert not DownloadJob.objects.exists()


# --- starting: bad input is refused with a message, and nothing is queued ------------------------------

@pytest.mark.parametrize("change, message", [
    ({"period": "quarter"}, "A quarter starts on its first day"),
    ({"start": "not-a-date"}, "Enter a valid date"),
    ({"region": "999999"}, "Select a valid choice"),
    ({"format": "pdf"}, "Choose XLSX or CSV"),
    ({"table": "nope"}, "Unknown table"),
    ({"report": "overview"}, "Unknown table"),
    ({"kind": "everything"}, "Unknown download"),
])
def test_bad_parameters_give_a_clear_message_and_queue_nothing(organisation, change, message):
    client = en_client(organisation)
    data = {**RANKING, **change}
    response = client.post(START, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert b"<html" in response.content  # without JavaScript: a page with the message
    fragment = client.post(START, data, headers={"hx-request": "true"})
    assert fragment.status_code == 400 and b'role="alert"' in fragment.content and b"<html" not in fragment.content
    assert not DownloadJob.objects.exists()


def test_only_the_organisation_department_starts_report_exports(client):
    assert client.post(START, OPERATION).status_code == 302  # anonymous: to the login page
    rep = UserFactory()
    RepresentativeFactory(user=rep)
    studio_staff = StaffProfileFactory(role="studio", studio=StudioFactory()).user
    for user in (rep, studio_staff):
        assert en_client(user).post(START, OPERATION).status_code == 403
    assert en_client(UserFactory()).get(START).status_code == 405
    assert not DownloadJob.objects.exists()


def test_the_same_export_twice_is_one_job_and_a_user_has_a_few_at_most(organisation):
    first = download_job_start(user=organisation, kind="report", data=OPERATION)
    again = download_job_start(user=organisation, kind="report", data=OPERATION)
    assert again.pk == first.pk
    assert first.params == {"report": "operation", "table": "", "format": "xlsx",
                            "filters": {"period": "month", "start": "2026-11-01"}}
    for n in range(MAX_ACTIVE_PER_USER - 1):
        download_job_start(user=organisation, kind="report", data={**OPERATION, "start": f"2026-0{n + 1}-01"})
    from assessment.downloads.kinds import DownloadRefused

    with pytest.raises(DownloadRefused, match="being prepared"):
        download_job_start(user=organisation, kind="report", data={**OPERATION, "format": "csv"})
    assert DownloadJob.objects.count() == MAX_ACTIVE_PER_USER


# --- running: in this process (the worker's code path, without the broker) ------------------------------

def test_a_ranking_export_builds_the_csv_with_every_representative(organisation):
    make_data(3)
    job = download_job_start(user=organisation, kind="report", data=RANKING, language="en")
    assert download_job_run(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempt) == ("done", 3, 3, 1)
    assert job.filename.startswith("assessment-representatives-") and job.filename.endswith(".csv")
    response = en_client(organisation).get(f"/downloads/{job.pk}/file/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="{job.filename}"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(_file(response).decode("utf-8-sig"))))
    assert rows[0][:2] == ["rank", "representative"] and len(rows) == 1 + 3 and rows[1][0] == "1"


def test_a_scorecard_drill_down_exports_for_its_representative_too(organisation):
    make_data(1)
    card = Scorecard.objects.get(representative__isnull=False)
    owner = UserFactory()
    card.representative.user = owner
    card.representative.save()
    data = {"kind": "report", "report": "scorecard", "card": card.pk, "figure": "red", "format": "xlsx"}
    response = en_client(owner).post(START, data)
    job = DownloadJob.objects.get(owner=owner)
    assert response.status_code == 302 and response["Location"] == f"/downloads/{job.pk}/"
    download_job_run(job_id=job.pk)
    assert len(_sheet(_file(en_client(owner).get(f"/downloads/{job.pk}/file/")))) == 1 + 3
    other = Scorecard.objects.get(studio__isnull=False)
    assert en_client(owner).post(START, {**data, "card": other.pk}).status_code == 403
    assert en_client(owner).post(START, {**data, "figure": "bogus"}).status_code == 400


def test_a_second_delivery_never_builds_twice_and_a_dead_run_is_taken_over(organisation):
    make_data(1)
    job = download_job_start(user=organisation, kind="report", data=OPERATION)
    # A run that is alive elsewhere (another delivery of the same message, late acks): this one stays out.
    DownloadJob.objects.filter(pk=job.pk).update(status="running", attempt=1, runner="other-task",
                                                 heartbeat_at=timezone.now())
    assert download_job_run(job_id=job.pk, runner="this-task") == "skipped"
    # That worker died: no progress for longer than STALE. The next delivery takes the job over.
    DownloadJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - STALE - timedelta(seconds=1))
    assert download_job_run(job_id=job.pk, runner="this-task") == "done"
    job.refresh_from_db()
    assert (job.status, job.attempt) == ("done", 2)
    path = downloads_root() / job.file_path
    built = path.stat().st_mtime_ns
    assert download_job_run(job_id=job.pk, runner="third") == "skipped"  # done stays done, untouched
    assert path.stat().st_mtime_ns == built
    assert sorted(p.name for p in path.parent.iterdir()) == [job.filename]  # no half-written file left


def test_a_job_whose_filters_no_longer_hold_fails_with_the_reason(organisation):
    make_data(1)
    studio = StudioFactory()
    job = download_job_start(user=organisation, kind="report", data={**OPERATION, "region": studio.region.pk},
                             language="en")
    DownloadJob.objects.filter(pk=job.pk).update(params={**job.params, "filters": {"region": "999999"}})
    assert download_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "Select a valid choice" in job.error
    html = en_client(organisation).get(f"/downloads/{job.pk}/").content.decode()
    assert 'role="alert"' in html and "Select a valid choice" in html and "hx-trigger" not in html


# --- the sweep ---------------------------------------------------------------------------------------

def test_the_sweep_deletes_day_old_jobs_with_their_files_and_queues_lost_ones_again(organisation):
    make_data(1)
    old = download_job_start(user=organisation, kind="report", data=OPERATION)
    download_job_run(job_id=old.pk)
    old.refresh_from_db()
    folder = (downloads_root() / old.file_path).parent
    assert folder.is_dir()
    orphan = downloads_root() / "not-a-job"
    orphan.mkdir(parents=True, exist_ok=True)
    long_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(orphan, (long_ago, long_ago))
    lost = download_job_start(user=organisation, kind="report", data={**OPERATION, "format": "csv"})
    DownloadJob.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - STALE - timedelta(minutes=1))

    result = download_jobs_sweep(now=timezone.now() + timedelta(hours=1))
    assert result == {"expired": 0, "orphans": 1, "requeued": 1}
    assert not orphan.exists() and folder.is_dir()
    result = download_jobs_sweep(now=timezone.now() + timedelta(days=1, minutes=1))
    assert result["expired"] == 2 and not DownloadJob.objects.exists() and not folder.exists()


def test_the_sweep_task_is_scheduled_by_beat():
    from config.schedule import BEAT_SCHEDULE

    by_task = {entry["task"]: entry["schedule"] for entry in BEAT_SCHEDULE.values()}
    assert by_task["assessment.tasks.download_jobs_sweep_task"] <= timedelta(hours=1)


# --- the list of one's downloads ----------------------------------------------------------------------

def test_my_downloads_lists_only_mine_in_constant_queries(organisation):
    make_data(1)
    other = StaffProfileFactory(role="organisation").user
    theirs = download_job_start(user=other, kind="report", data=OPERATION)

    def fill(n):  # all done but the last, which waits for a worker
        for i in range(n):
            job = download_job_start(user=organisation, kind="report",
                                     data={**OPERATION, "start": f"20{10 + len(created)}-01-01"})
            created.append(job)
            if i < n - 1:
                download_job_run(job_id=job.pk)

    created = []
    client = en_client(organisation)
    fill(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/downloads/").status_code == 200
    fill(4)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/downloads/")
    assert len(large) == len(small) <= 8
    html = response.content.decode()
    assert all(str(job.pk) in html for job in created) and str(theirs.pk) not in html


# --- a real worker: start on the page, progress fragment, the file ------------------------------------------

@pytest.mark.worker
def test_an_operation_export_runs_in_a_real_worker_and_only_its_owner_downloads_it(celery_worker_process,
                                                                                transactional_db):
    make_data(3)
    organisation = StaffProfileFactory(role="organisation").user
    client = en_client(organisation)
    started = client.post(START, OPERATION, headers={"hx-request": "true"})
    assert started.status_code == 200
    job = DownloadJob.objects.get()
    fragment = started.content.decode()
    assert f'hx-get="/downloads/{job.pk}/status/"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert "<progress" in fragment

    assert wait_for(lambda: DownloadJob.objects.filter(pk=job.pk, status="done").exists(), timeout=30), \
        DownloadJob.objects.values("status", "error").get(pk=job.pk)
    job.refresh_from_db()
    assert (job.done, job.total) == (3, 3)
    done = client.get(f"/downloads/{job.pk}/status/").content.decode()
    assert "hx-trigger" not in done and f'href="/downloads/{job.pk}/file/"' in done  # polling stops: the link
    response = client.get(f"/downloads/{job.pk}/file/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(_file(response))
    assert rows[0][0] == "studio" and len(rows) == 1 + 3
    assert sorted(r[3] for r in rows[1:]) == [2, 2, 2]  # open petitions of each studio

    # Anyone else: the job does not exist for them, whatever their role.
    intruders = [StaffProfileFactory(role="organisation").user, UserFactory()]
    RepresentativeFactory(user=intruders[1])
    for intruder in intruders:
        other = en_client(intruder)
        for url in (f"/downloads/{job.pk}/", f"/downloads/{job.pk}/status/", f"/downloads/{job.pk}/file/"):
            assert other.get(url).status_code == 404, url
    assert Client().get(f"/downloads/{job.pk}/file/").status_code == 302  # anonymous: log in first
    # The owner who left the organisation department keeps the job's page but not the file.
    organisation.staff_profile.delete()
    assert client.get(f"/downloads/{job.pk}/file/").status_code == 404
