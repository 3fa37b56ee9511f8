"""/reports/: access, filters, constant query counts, drill-down and exports."""
import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from openpyxl import load_workbook

from assessment.scorecards import scorecards_compute
from assessment.workdays import TZ
from offices.models import StudioActivity
from tests.factories import (PetitionFactory, RepresentativeFactory, StaffProfileFactory, StudioFactory,
                             UserFactory)
from tests.factories import flag_change

pytestmark = pytest.mark.django_db
START = date(2026, 11, 1)
NOV = datetime(2026, 11, 10, 10, tzinfo=TZ)
PAGES = ["/reports/", "/reports/team/", "/reports/position/", "/reports/operation/", "/reports/assessment/"]
FILTER = "?period=month&start=2026-11-01"


@pytest.fixture
def org_client(client):
    staff = StaffProfileFactory(role="organisation")
    client.force_login(staff.user)
    return client


def make_data(n):
    for i in range(n):
        studio = StudioFactory()
        rep = RepresentativeFactory(region=studio.region)
        for k in range(3):
            p = PetitionFactory(studio=studio, current_studio=studio, current_representative=rep, submitted_at=NOV,
                                status=["submitted", "dispatched", "closed"][k], flag=["blue", "red", "blue"][k],
                                sector=studio.sector, rating="satisfied" if k == 2 else "")
            flag_change(petition=p, from_flag="blue", to_flag="red", at=NOV)
        StudioActivity.objects.create(studio=studio, kind=StudioActivity.Kind.choices[0][0], title="t",
                                      held_on=date(2026, 11, 5))
    scorecards_compute(period="month", start=START, now=NOV + timedelta(days=5))


@pytest.mark.parametrize("url", PAGES + ["/reports/?export=csv&table=sectors", "/reports/operation/?export=xlsx"])
def test_anonymous_gets_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("url", PAGES + ["/reports/assessment/?export=csv&table=studios"])
def test_representatives_and_other_staff_get_403(client, url):
    user = UserFactory()
    RepresentativeFactory(user=user)
    client.force_login(user)
    assert client.get(url).status_code == 403
    staff = StaffProfileFactory(role="studio", studio=StudioFactory())
    client.force_login(staff.user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_superuser_and_organisation_read_every_page(client, org_client, url):
    make_data(2)
    assert org_client.get(url + FILTER).status_code == 200
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert (b"<svg" in response.content) == (not url.endswith("assessment/"))


@pytest.mark.parametrize("query", ["?period=quarter&start=2026-11-01", "?period=week", "?start=not-a-date",
                                   "?region=999999", "?level=galaxy", "?sector=abc"])
def test_invalid_filters_get_a_clear_message_not_a_500(org_client, query):
    response = org_client.get("/reports/assessment/" + query)
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_unknown_export_or_table_is_404(org_client):
    assert org_client.get("/reports/?export=pdf&table=sectors").status_code == 404
    assert org_client.get("/reports/?export=csv&table=nope").status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_query_count_is_constant_as_data_grows(org_client, url):
    make_data(2)
    with CaptureQueriesContext(connection) as small:
        assert org_client.get(url + FILTER).status_code == 200
    make_data(8)
    with CaptureQueriesContext(connection) as large:
        assert org_client.get(url + FILTER).status_code == 200
    assert len(large) == len(small) <= 20


def test_operation_marks_inactive_studios_and_counts_overdue(org_client):
    make_data(1)
    idle = StudioFactory(name="Idle studio")
    response = org_client.get("/reports/operation/" + FILTER)
    rows = {r["name"]: r for r in response.context["rows"]}
    assert rows["Idle studio"]["inactive"] is True
    busy = next(r for r in rows.values() if r["name"] != idle.name)
    assert (busy["load"], busy["overdue"]) == (2, 1)


def test_csv_and_xlsx_exports_of_the_grouped_tables_are_streamed(org_client):
    # The tables that grow with the data (operation, rankings) are background downloads: test_report_downloads.py.
    make_data(2)
    response = org_client.get("/reports/" + FILTER + "&export=csv&table=sectors")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 2 and sorted(r[1] for r in rows[1:]) == ["3", "3"]
    response = org_client.get("/reports/team/" + FILTER + "&export=xlsx&table=levels")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    assert len(sheet) == 1 + 1 and sheet[1][1] == 2  # two county-level representatives


def test_drill_down_from_scorecard_to_its_petitions_and_own_card_only(client, org_client):
    make_data(1)
    from assessment.models import Scorecard

    card = Scorecard.objects.get(representative__isnull=False)
    page = org_client.get(f"/reports/scorecards/{card.pk}/")
    assert page.status_code == 200
    listing = org_client.get(f"/reports/scorecards/{card.pk}/red/")
    assert listing.status_code == 200 and len(listing.context["page"].object_list) == 3
    assert len(org_client.get(f"/reports/scorecards/{card.pk}/satisfied/").context["page"].object_list) == 1
    assert org_client.get(f"/reports/scorecards/{card.pk}/bogus/").status_code == 404
    # A representative sees their own scorecard, nobody else's.
    owner = UserFactory()
    card.representative.user = owner
    card.representative.save()
    client.force_login(owner)
    assert client.get(f"/reports/scorecards/{card.pk}/").status_code == 200
    other = Scorecard.objects.get(studio__isnull=False)
    assert client.get(f"/reports/scorecards/{other.pk}/").status_code == 403



def test_team_and_position_group_and_export(org_client):
    make_data(3)
    team = org_client.get("/reports/team/" + FILTER)
    levels = {s["name"]: s["rows"] for s in team.context["sections"]}["levels"]
    assert sum(r["count"] for r in levels) == 3
    position = org_client.get("/reports/position/" + FILTER)
    kinds = {s["name"]: s["rows"] for s in position.context["sections"]}["kinds"]
    assert sum(r["studios"] for r in kinds) == 3 and sum(r["activities"] for r in kinds) == 3
    response = org_client.get("/reports/position/" + FILTER + "&export=csv&table=sectors")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 3 and len(rows[0]) == 4 and rows[1][1:] == ["1", "1", "0"]


def test_team_counts_representatives_and_the_active_ones_per_level_sector_and_region(org_client):
    """Active: a duty record in the period. A representative of two sectors counts in each; one of none in "—"."""
    from liaison.models import DutyRecord
    from offices.models import Region
    from tests.factories import RegionFactory, SectorFactory

    city = RegionFactory(kind=Region.Kind.CITY)
    county = RegionFactory(parent=city, kind=Region.Kind.COUNTY, name="东昌府区")
    other = RegionFactory(parent=city, kind=Region.Kind.COUNTY, name="临清市")
    farming, finance = SectorFactory(name="农业技术"), SectorFactory(name="金融服务")
    a = RepresentativeFactory(region=county, level="county")
    a.sectors.set([farming, finance])
    b = RepresentativeFactory(region=RegionFactory(parent=county, kind=Region.Kind.TOWNSHIP, name="古楼街道"),
                              level="township")
    b.sectors.set([farming])
    c = RepresentativeFactory(region=other, level="township")  # no sector, no duty in November
    RepresentativeFactory(region=other, level="township", active=False)  # not counted at all
    for rep, at in ((a, NOV), (a, NOV + timedelta(days=1)), (b, NOV), (c, datetime(2026, 10, 20, tzinfo=TZ))):
        DutyRecord.objects.create(representative=rep, kind="petition", source="t", source_id=DutyRecord.objects.count(),
                                  summary="s", occurred_at=at)
    sections = {s["name"]: {r["label"]: (r["count"], r["active"]) for r in s["rows"]}
                for s in org_client.get("/reports/team/" + FILTER).context["sections"]}
    assert {k: v for k, v in sections["regions"].items() if k in ("东昌府区", "临清市")} == {
        "东昌府区": (2, 2), "临清市": (1, 0)}
    assert sections["sectors"]["农业技术"] == (2, 2) and sections["sectors"]["金融服务"] == (1, 1)
    assert sections["sectors"]["—"][0] >= 1 and sections["sectors"]["—"][1] == 0
    levels = {k: v for k, v in sections["levels"].items()}
    assert sum(v[0] for v in levels.values()) == 3 and sum(v[1] for v in levels.values()) == 2
    # Within a county: its townships, and the county itself for those registered at county level.
    within = org_client.get(f"/reports/team/{FILTER}&region={county.pk}").context["sections"]
    regions = {r["label"]: (r["count"], r["active"]) for r in {s["name"]: s["rows"] for s in within}["regions"]}
    assert regions == {"东昌府区": (1, 1), "古楼街道": (1, 1)}


def test_overview_counts_trends_and_sectors(org_client):
    make_data(2)
    PetitionFactory(submitted_at=datetime(2026, 10, 20, 10, tzinfo=TZ), status="closed")  # October
    data = org_client.get("/reports/" + FILTER).context["data"]
    assert (data["totals"]["collected"], data["totals"]["resolved"]) == (6, 2)
    monthly = {m: (c, r) for m, c, r in data["monthly"]}
    assert monthly[date(2026, 11, 1)] == (6, 2) and monthly[date(2026, 10, 1)] == (1, 1)
    weekly = {w: (c, r) for w, c, r in data["weekly"]}
    assert weekly[date(2026, 11, 9)] == (6, 2)  # 10 Nov 2026 is in the week from Monday 9 Nov
    assert sorted(r["collected"] for r in data["by_sector"]) == [3, 3]
