"""Locust users for `make bench-intake` (runs in .venv-bench; imports nothing of the portal).

    .venv-bench/bin/locust -f bench/locustfile.py --headless -H http://127.0.0.1:8011 FormUser

FastHttpUser (geventhttpclient): the load generator shares the two cores with the server, so the cheapest
client is used; it keeps cookies like a browser.

One user class per phase, chosen on the command line:
- FormUser: a citizen's browser at the studio page. On start it GETs /s/<code>/ once (the CSRF cookie,
  the csrfmiddlewaretoken and the form's fields, as a browser does on opening the QR code), then POSTs the
  form again and again, each time with a fresh idempotency key (a browser gets a new one with each fresh
  form: the same key would return the first petition, not a new one). The POST's 302 to the success page is
  the success; the redirect is not followed (the success page is a separate, cheap GET). The body is
  multipart/form-data with an empty photo input, as a browser sends this form without a photo.
- ApiUser: POST /api/v1/petitions, JSON, anonymous, a fresh idempotency key each time; 201 is the success.
- FloorUser: POST /bench/floor/ (bench/urls.py): one INSERT behind the same middleware, 201.

Every user submits as fast as it is answered (no think time): throughput at this many concurrent users.
BENCH_STUDIOS (comma-separated studio codes) spreads the submissions over studios.
"""
from __future__ import annotations

import os
import random
import re
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task

STUDIOS = [c for c in os.environ.get("BENCH_STUDIOS", "371526-agri").split(",") if c]
TEXTS = (
    "村里的道路破损坑洼不平，下雨天积水，电动车经常摔倒，希望尽快修一修。",
    "小区暖气不热，室内只有十几度，老人孩子都冻感冒了，请帮忙协调供热公司。",
    "合作社想流转土地种大蒜，土地流转合同怎么签才规范，请农技站给些指导。",
    "手机上被人拉进群做刷单，被骗了好几万元，想问怎么报案，钱还能追回来吗。",
    "低保申请交上去三个月了还没有消息，家里生活困难，请帮忙问一问进度。",
)
# What each success returned (the form's signed success-page token, the API's tracking code), written to
# BENCH_RECEIPTS when locust quits: the harness checks that each is a stored petition, and nothing more.
RECEIPTS: list[str] = []


@events.quitting.add_listener
def _write_receipts(environment, **kwargs):
    path = os.environ.get("BENCH_RECEIPTS")
    if path:
        with open(path, "w") as f:
            f.write("\n".join(RECEIPTS))


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_CATEGORY = re.compile(r'<select name="category"[^>]*>.*?<option value="(\d+)"[^>]*selected', re.S)


def multipart(fields: dict) -> tuple[bytes, str]:
    """The body a browser sends for the form (enctype multipart/form-data), with the empty photo input."""
    boundary = "----benchboundary" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n\r\n")
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


class FormUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.studio = random.choice(STUDIOS)
        self.url = f"/s/{self.studio}/"
        response = self.client.get(self.url, name="GET /s/<code>/ (once per user)")
        token = _TOKEN.search(response.text or "")
        category = _CATEGORY.search(response.text or "")
        self.token = token.group(1) if token else ""
        self.category = category.group(1) if category else ""

    @task
    def submit(self):
        data = {"csrfmiddlewaretoken": self.token, "text": random.choice(TEXTS), "category": self.category,
                "citizen_name": "王秀英", "citizen_phone": "13812345678", "address": "", "consent": "on",
                "idempotency_key": uuid.uuid4().hex, "website": "", "latitude": "", "longitude": ""}
        body, content_type = multipart(data)
        with self.client.post(self.url, data=body, name="POST /s/<code>/", allow_redirects=False,
                              headers={"Referer": self.host + self.url, "Content-Type": content_type},
                              catch_response=True) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and "/submitted/" in location:
                RECEIPTS.append(location.rstrip("/").rsplit("/", 1)[-1])
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")


class ApiUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def submit(self):
        body = {"studio": random.choice(STUDIOS), "text": random.choice(TEXTS), "citizen_name": "王秀英",
                "citizen_phone": "13812345678", "consent": True, "idempotency_key": uuid.uuid4().hex}
        with self.client.post("/api/v1/petitions", json=body, name="POST /api/v1/petitions",
                              catch_response=True) as response:
            if response.status_code == 201 and (response.json() or {}).get("created"):
                RECEIPTS.append(response.json()["tracking_code"])
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")


class FloorUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def submit(self):
        body = urlencode({"text": random.choice(TEXTS)}).encode()
        with self.client.post("/bench/floor/", data=body, name="POST /bench/floor/", catch_response=True,
                              headers={"Content-Type": "application/x-www-form-urlencoded"}) as response:
            if response.status_code == 201:
                RECEIPTS.append("floor")
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
