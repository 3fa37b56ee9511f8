"""Open311 GeoReport v2 under /open311/v2/: every endpoint in JSON and XML against the spec's field lists."""
import json
import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from petitions.models import Petition, Source, Status
from tests.roles import advance, build_world

DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
POST_FIELDS = {"service_request_id", "service_notice", "account_id"}
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
BASE = "/open311/v2/"


def get(client, path, fmt, **params):
    response = client.get(f"{BASE}{path}.{fmt}", params, HTTP_ACCEPT_LANGUAGE="en")
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return response, json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    return response, ET.fromstring(response.content)


def xml_items(root, item):
    return [{child.tag: child for child in element} for element in root.findall(item)]


@pytest.fixture
def world(db):
    return build_world()


def valid_post(raw, world, **extra):
    return {"api_key": raw, "service_code": world.sector.code, "lat": "36.86", "long": "116.23",
            "description": "路口红绿灯坏了三天，早晚高峰很危险，请尽快维修。", "first_name": "三", "last_name": "张",
            "phone": "13812341234", **extra}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(client, world, fmt):
    response, data = get(client, "discovery", fmt)
    assert response.status_code == 200
    if fmt == "json":
        assert set(data) == DISCOVERY_FIELDS
        endpoint = data["endpoints"][0]
        assert set(endpoint) == ENDPOINT_FIELDS
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}
        assert endpoint["url"].endswith("/open311/v2/")
    else:
        assert data.tag == "discovery"
        assert {c.tag for c in data} == DISCOVERY_FIELDS
        endpoint = data.find("endpoints/endpoint")
        assert {c.tag for c in endpoint} == ENDPOINT_FIELDS
        assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_one_per_sector(client, world, fmt):
    response, data = get(client, "services", fmt)
    assert response.status_code == 200
    if fmt == "json":
        assert [s["service_code"] for s in data] == [world.sector.code]
        assert set(data[0]) == SERVICE_FIELDS
        assert data[0]["metadata"] is False and data[0]["type"] == "realtime"
    else:
        assert data.tag == "services"
        (service,) = xml_items(data, "service")
        assert set(service) == SERVICE_FIELDS
        assert service["service_code"].text == world.sector.code
        assert service["metadata"].text == "false"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition(client, world, fmt):
    response, data = get(client, f"services/{world.sector.code}", fmt)
    assert response.status_code == 200
    if fmt == "json":
        assert data == {"service_code": world.sector.code, "attributes": []}
    else:
        assert data.tag == "service_definition" and data.find("service_code").text == world.sector.code
    response, data = get(client, "services/nope", fmt)
    assert response.status_code == 404
    if fmt == "json":
        assert data[0]["code"] == 404 and data[0]["description"]
    else:
        assert data.tag == "errors" and data.find("error/code").text == "404"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_list_fields_and_no_personal_data(client, world, fmt):
    response, data = get(client, "requests", fmt)
    assert response.status_code == 200
    if fmt == "json":
        assert len(data) == len(world.all)
        for row in data:
            assert set(row) == REQUEST_FIELDS
            assert row["status"] in ("open", "closed")
            assert ISO_WITH_OFFSET.match(row["requested_datetime"])
            assert ISO_WITH_OFFSET.match(row["updated_datetime"])
        body = response.content.decode()
    else:
        assert data.tag == "service_requests"
        items = xml_items(data, "request")
        assert len(items) == len(world.all)
        assert all(set(item) == REQUEST_FIELDS for item in items)
        body = response.content.decode()
    assert "13812341234" not in body and "张三丰" not in body


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_request_detail_status_notes_follow_the_loops(client, world, fmt):
    petition = advance(world.p_a, Status.DISPATCHED)
    response, data = get(client, f"requests/{petition.tracking_code}", fmt)
    assert response.status_code == 200
    row = data[0] if fmt == "json" else {k: v.text or "" for k, v in xml_items(data, "request")[0].items()}
    assert row["service_request_id"] == petition.tracking_code
    assert row["status"] == "open"
    assert "2 of 5" in row["status_notes"] and "loop 1" in row["status_notes"]
    assert row["agency_responsible"] == petition.current_studio.name
    assert row["expected_datetime"] == timezone.localtime(petition.due_at).isoformat(timespec="seconds")
    response, data = get(client, "requests/NOSUCHCODE", fmt)
    assert response.status_code == 404


def test_closed_statuses_are_closed(client, world):
    advance(world.p_a, Status.CLOSED)
    advance(world.p_b, Status.REJECTED)
    _, data = get(client, "requests", "json", status="closed")
    assert {r["service_request_id"] for r in data} == {world.p_a.tracking_code, world.p_b.tracking_code}
    row = next(r for r in data if r["service_request_id"] == world.p_a.tracking_code)
    assert "5 of 5" in row["status_notes"] and row["expected_datetime"] == ""
    _, data = get(client, "requests", "json", status="open")
    assert world.p_a.tracking_code not in {r["service_request_id"] for r in data}
    _, data = get(client, "requests", "json", status="open,closed")
    assert len(data) == len(world.all)


def test_get_filters(client, world):
    old = timezone.now() - timedelta(days=120)
    Petition.objects.filter(pk=world.p_b.pk).update(submitted_at=old)
    # The default window is the past 90 days.
    _, data = get(client, "requests", "json")
    assert world.p_b.tracking_code not in {r["service_request_id"] for r in data}
    _, data = get(client, "requests", "json", start_date=(old - timedelta(days=1)).isoformat(),
                  end_date=(old + timedelta(days=1)).isoformat())
    assert [r["service_request_id"] for r in data] == [world.p_b.tracking_code]
    # service_request_id, comma-separated, overrides every other filter.
    ids = f"{world.p_b.tracking_code},{world.p_a.tracking_code}"
    _, data = get(client, "requests", "json", service_request_id=ids, status="closed")
    assert {r["service_request_id"] for r in data} == {world.p_a.tracking_code, world.p_b.tracking_code}
    _, data = get(client, "requests", "json", service_code="other-service")
    assert data == []
    _, data = get(client, "requests", "json", service_code=world.sector.code)
    assert len(data) == len(world.all) - 1


@pytest.mark.parametrize("params, fragment", [
    ({"start_date": "yesterday"}, "start_date"),
    ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
    ({"status": "pending"}, "status"),
    ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "start_date"),
    ({"colour": "red"}, "colour"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_get_parameters_are_400_with_a_reason(client, world, params, fragment, fmt):
    response, data = get(client, "requests", fmt, **params)
    assert response.status_code == 400
    if fmt == "json":
        assert data[0]["code"] == 400 and fragment in data[0]["description"]
    else:
        assert data.find("error/code").text == "400" and fragment in data.find("error/description").text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_with_a_good_key_lands_in_the_studio_queue(client, world, api_key, fmt):
    raw, key = api_key
    key.studio = world.studio_a
    key.save()
    response = client.post(f"{BASE}requests.{fmt}", valid_post(raw, world, account_id="a-1"))
    assert response.status_code == 201
    if fmt == "json":
        (item,) = json.loads(response.content)
        assert set(item) == POST_FIELDS
        code = item["service_request_id"]
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "service_requests"
        assert {c.tag for c in root.find("request")} == POST_FIELDS
        code = root.find("request/service_request_id").text
    petition = Petition.objects.get(tracking_code=code)
    assert petition.studio == world.studio_a and petition.current_studio == world.studio_a
    assert petition.source == Source.OPEN311 and petition.status == Status.SUBMITTED
    assert petition.citizen_name == "张三" and petition.citizen_phone == "13812341234"
    assert petition.events.get().action == "submit"
    key.refresh_from_db()
    assert key.last_used_at is not None
    # The token endpoint answers for it too.
    response = client.get(f"{BASE}tokens/{code}.{fmt}")
    assert response.status_code == 200 and code.encode() in response.content
    assert client.get(f"{BASE}tokens/NOPE.{fmt}").status_code == 404


def test_post_without_a_studio_key_goes_to_the_sector_studio(client, world, api_key):
    raw, _key = api_key
    response = client.post(f"{BASE}requests.json", valid_post(raw, world))
    assert response.status_code == 201
    petition = Petition.objects.get(tracking_code=json.loads(response.content)[0]["service_request_id"])
    assert petition.studio.sector == world.sector


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("raw", ["", "wrong-key"])
def test_post_with_a_bad_key_is_403_and_writes_nothing(client, world, fmt, raw):
    response = client.post(f"{BASE}requests.{fmt}", valid_post(raw, world))
    assert response.status_code == 403
    assert b"api_key" in response.content
    assert Petition.objects.count() == len(world.all)


def test_an_inactive_key_is_refused(client, world, api_key):
    raw, key = api_key
    key.active = False
    key.save()
    assert client.post(f"{BASE}requests.json", valid_post(raw, world)).status_code == 403


@pytest.mark.parametrize("missing, fragment", [
    ("service_code", "service_code"), ("description", "description"), ("lat", "location"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_with_missing_fields_is_400(client, world, api_key, missing, fragment, fmt):
    data = valid_post(api_key[0], world)
    del data[missing]
    response = client.post(f"{BASE}requests.{fmt}", data)
    assert response.status_code == 400
    assert fragment.encode() in response.content
    assert Petition.objects.count() == len(world.all)


@pytest.mark.parametrize("override, fragment", [
    ({"phone": "12345"}, "phone"),
    ({"service_code": "nope"}, "nope"),
    ({"description": "太短"}, "description"),
    ({"lat": "north", "long": "east"}, "lat/long"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"colour": "red"}, "colour"),
])
def test_post_with_bad_values_is_400_with_a_reason(client, world, api_key, override, fragment):
    response = client.post(f"{BASE}requests.json", valid_post(api_key[0], world, **override))
    assert response.status_code == 400, response.content
    assert fragment in " ".join(e["description"] for e in json.loads(response.content))
    assert Petition.objects.count() == len(world.all)


def test_spec_fields_are_accepted_and_media_url_kept(client, world, api_key):
    data = valid_post(api_key[0], world, jurisdiction_id="liaocheng", device_id="d1", email="a@example.com",
                      media_url="https://example.com/p.jpg", **{"attribute[x]": "1"})
    response = client.post(f"{BASE}requests.json", data)
    assert response.status_code == 201
    petition = Petition.objects.get(tracking_code=json.loads(response.content)[0]["service_request_id"])
    assert petition.text.endswith("https://example.com/p.jpg")


def test_non_utf8_and_huge_bodies_are_400(client, world, api_key, settings):
    body = b"api_key=" + api_key[0].encode() + b"&description=\xff\xfe"
    response = client.generic("POST", f"{BASE}requests.json", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(f"{BASE}requests.json", valid_post(api_key[0], world, description="长" * 5000))
    assert response.status_code == 400
    assert Petition.objects.count() == len(world.all)


def test_each_key_has_its_own_rate_limit(client, world, api_key):
    raw, key = api_key  # 5/h
    for _ in range(5):
        assert client.post(f"{BASE}requests.json", valid_post(raw, world)).status_code == 201
    response = client.post(f"{BASE}requests.json", valid_post(raw, world))
    assert response.status_code == 429
    assert json.loads(response.content)[0]["code"] == 429
    assert Petition.objects.count() == len(world.all) + 5


def test_a_key_reads_no_personal_data(client, world, api_key):
    """The key only creates: reading with it shows what anyone sees, never the name or the phone."""
    raw, _key = api_key
    response = client.post(f"{BASE}requests.json", valid_post(raw, world))
    code = json.loads(response.content)[0]["service_request_id"]
    for path in (f"requests/{code}.json", "requests.json"):
        body = client.get(f"{BASE}{path}", {"api_key": raw} if path == "requests.json" else {}).content.decode()
        assert "13812341234" not in body and "张三" not in body
    # Nor does the key open the DRF API.
    assert client.get("/api/v1/petitions", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401


def test_list_query_count_is_constant(client, world, django_assert_max_num_queries):
    from tests.factories import PetitionFactory

    with django_assert_max_num_queries(3):
        client.get(f"{BASE}requests.json")
    PetitionFactory.create_batch(20, studio=world.studio_a)
    with django_assert_max_num_queries(3):
        response = client.get(f"{BASE}requests.json")
    assert len(json.loads(response.content)) == len(world.all) + 20


def test_nul_characters_are_400_not_500(client, world, api_key):
    assert client.get(f"{BASE}requests.json", {"service_code": "a\x00b"}).status_code == 400
    assert client.get(f"{BASE}requests.json", {"service_request_id": "\x00"}).status_code == 400
    response = client.post(f"{BASE}requests.json", valid_post(api_key[0], world, service_code="x\x00"))
    assert response.status_code == 400


def test_far_offsets_in_dates_are_handled(client, world):
    response = client.get(f"{BASE}requests.json", {"start_date": "0599-05-14T14:23:01+16:41",
                                                   "end_date": "2026-01-01T00:00:00+16:41"})
    assert response.status_code == 200
    response = client.get(f"{BASE}requests.json", {"start_date": "0001-01-01T00:00:00+01:00"})
    assert response.status_code == 400
