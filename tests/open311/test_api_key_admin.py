"""API keys are made in the admin: the key is shown once, only its hash is stored, and it posts."""
import re

from offices.models import ApiKey


def test_admin_creates_a_key_shown_once(admin_client, db):
    response = admin_client.post("/admin/offices/apikey/add/", {"name": "市民 App", "rate": "30/h", "active": "on",
                                                                 "contact": ""}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    raw = re.search(r"(\S{40})", " ".join(messages)).group(1)
    key = ApiKey.objects.get()
    assert key.key_hash != raw and raw not in key.key_hash and key.prefix == raw[:8]
    assert ApiKey.lookup(raw) == key
    assert ApiKey.lookup(raw + "x") is None
    page = admin_client.get(f"/admin/offices/apikey/{key.pk}/change/").content.decode()
    assert raw not in page


def test_admin_refuses_a_bad_rate(admin_client, db):
    response = admin_client.post("/admin/offices/apikey/add/", {"name": "x", "rate": "lots", "active": "on"})
    assert response.status_code == 200 and ApiKey.objects.count() == 0
