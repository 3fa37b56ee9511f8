"""Report snapshots: a view's figures are computed once and shared for REPORTS_SNAPSHOT_SECONDS, and the page
says when they were computed (assessment/reports/snapshots.py)."""
import re
from datetime import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.workdays import TZ
from tests.factories import PetitionFactory, StaffProfileFactory, StudioFactory

pytestmark = pytest.mark.django_db
NOV = datetime(2026, 11, 10, 10, tzinfo=TZ)
FILTER = "?period=month&start=2026-11-01"
COLLECTED = re.compile(r'Petitions collected</span><span class="counter-value">(\d+)<')


@pytest.fixture
def shared(settings):
    settings.REPORTS_SNAPSHOT_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org_client(client):
    client.force_login(StaffProfileFactory(role="organisation").user)
    return client


def collected(response) -> int:
    return int(COLLECTED.search(response.content.decode()).group(1))


def _petitions(n, studio=None):
    studio = studio or StudioFactory()
    for _ in range(n):
        PetitionFactory(studio=studio, current_studio=studio, submitted_at=NOV, sector=studio.sector)
    return studio


def test_a_second_view_shows_the_first_views_figures_and_when_they_were_computed(shared, org_client):
    _petitions(3)
    first = org_client.get("/reports/" + FILTER, HTTP_ACCEPT_LANGUAGE="en")
    assert collected(first) == 3
    assert "Figures as of " in first.content.decode() and "at most every 5 minutes" in first.content.decode()
    _petitions(2)
    with CaptureQueriesContext(connection) as queries:
        second = org_client.get("/reports/" + FILTER, HTTP_ACCEPT_LANGUAGE="en")
    # The shared figures: no aggregate over petitions this time, and the new petitions not yet counted.
    assert collected(second) == 3
    assert not [q for q in queries if 'FROM "petitions_petition"' in q["sql"]]
    # Another filter set is another view, computed now.
    assert collected(org_client.get("/reports/?period=year&start=2026-01-01", HTTP_ACCEPT_LANGUAGE="en")) == 5


def test_the_figures_are_computed_again_when_the_snapshot_has_expired(shared, settings, org_client):
    _petitions(1)
    assert collected(org_client.get("/reports/" + FILTER, HTTP_ACCEPT_LANGUAGE="en")) == 1
    _petitions(1)
    cache.clear()  # what expiry does after REPORTS_SNAPSHOT_SECONDS
    assert collected(org_client.get("/reports/" + FILTER, HTTP_ACCEPT_LANGUAGE="en")) == 2


def test_the_note_is_in_the_readers_language(shared, org_client):
    _petitions(1)
    zh = org_client.get("/reports/team/" + FILTER, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = org_client.get("/reports/team/" + FILTER, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "数据统计于" in zh and "Figures as of" not in zh
    assert "Figures as of" in en


def test_each_language_has_its_own_snapshot_of_translated_labels(shared, org_client):
    from tests.factories import RepresentativeFactory

    RepresentativeFactory(level="national")
    zh = org_client.get("/reports/team/" + FILTER, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = org_client.get("/reports/team/" + FILTER, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The level's label was translated when the figures were computed: each language keeps its own.
    assert "<td>全国</td>" in zh and "<td>national</td>" not in zh
    assert "<td>national</td>" in en and "<td>全国</td>" not in en


def test_operation_and_the_api_share_snapshots_too(shared, org_client):
    studio = _petitions(2)
    page = org_client.get("/reports/operation/" + FILTER).content.decode()
    assert studio.name in page
    body = org_client.get("/api/v1/reports/figures" + FILTER.replace("?", "?format=json&")).json()
    assert body["collected"] == 2 and body["as_of"]
    _petitions(1, studio)
    again = org_client.get("/api/v1/reports/figures" + FILTER.replace("?", "?format=json&")).json()
    assert again["collected"] == 2 and again["as_of"] == body["as_of"]


def test_with_the_setting_at_zero_every_view_is_computed(settings, org_client):
    settings.REPORTS_SNAPSHOT_SECONDS = 0
    cache.clear()
    _petitions(1)
    assert collected(org_client.get("/reports/" + FILTER, HTTP_ACCEPT_LANGUAGE="en")) == 1
    _petitions(1)
    assert collected(org_client.get("/reports/" + FILTER, HTTP_ACCEPT_LANGUAGE="en")) == 2
