"""A fake 12345 hotline for `make run` and the tests: real HTTP on loopback, signed both ways.

It does what the real one does from the portal's point of view: verifies the signature, takes each
Idempotency-Key once (201 the first time, 200 with the same case afterwards), then calls the portal
back with received -> handling -> resolved (or returned), each event signed, each retried with the
same event id until the portal answers. Knobs make it fail: --down (503 to everything), --fail-rate
(503 at random), --delay (slow answers). GET /_stats tells tests what it has seen.
"""
from __future__ import annotations

import json
import random
import threading
import time
import uuid
from datetime import datetime, timezone as dt_timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .client import post_signed
from .signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify

# What the real hotline's operators write back; data, so in Chinese.
DEFAULT_ANSWER = "您反映的问题已由12345热线转交相关部门办理完毕。如仍有疑问，请拨打12345。"
DEFAULT_RETURN_REASON = "该诉求不属于12345热线受理范围，退回首接工作室。"
CALLBACK_PATH = "/api/v1/hotline/events"


class FakeHotline:
    def __init__(self, *, secret: str, portal_url: str, path: str = "/api/petitions", down: bool = False,
                 fail_rate: float = 0.0, delay: float = 0.0, step_delay: float = 1.0, outcome: str = "resolved",
                 answer: str = DEFAULT_ANSWER, callbacks: bool = True, log=print, seed: int | None = None):
        self.secret, self.portal_url, self.path = secret, portal_url.rstrip("/"), path
        self.down, self.fail_rate, self.delay, self.step_delay = down, fail_rate, delay, step_delay
        self.outcome, self.answer, self.callbacks, self.log = outcome, answer, callbacks, log
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.cases: dict[str, dict] = {}  # idempotency key -> case
        self.posts = 0
        self.callbacks_sent: list[dict] = []

    # --- receiving forwarded petitions -------------------------------------------------------
    def receive(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        if self.delay:
            time.sleep(self.delay)
        if path != self.path:
            return 404, {"code": "not_found", "message": "no such endpoint"}
        with self.lock:
            self.posts += 1
        if self.down or (self.fail_rate and self.rng.random() < self.fail_rate):
            return 503, {"code": "unavailable", "message": "the hotline is down"}
        try:
            verify(self.secret, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER), body)
        except SignatureError as exc:
            return 401, {"code": exc.code, "message": str(exc.message)}
        key = headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            return 400, {"code": "malformed", "message": "Idempotency-Key header missing"}
        try:
            payload = json.loads(body)
            reference = payload["reference"]
        except (ValueError, KeyError, TypeError):
            return 400, {"code": "malformed", "message": "body must be JSON with a reference"}
        with self.lock:
            case = self.cases.get(key)
            if case is not None:
                case["posts"] += 1
                return 200, {"id": case["id"], "status": "received", "repeat": True}
            case = {"id": f"12345-{len(self.cases) + 1:06d}", "reference": reference, "key": key, "posts": 1}
            self.cases[key] = case
        self.log(f"case {case['id']} opened for petition {reference} (key {key})")
        if self.callbacks:
            threading.Thread(target=self._progress, args=(case,), daemon=True).start()
        return 201, {"id": case["id"], "status": "received"}

    def stats(self) -> dict:
        with self.lock:
            return {"posts": self.posts, "cases": len(self.cases),
                    "keys": {k: c["posts"] for k, c in self.cases.items()},
                    "callbacks": list(self.callbacks_sent)}

    # --- calling the portal back -------------------------------------------------------------
    def _progress(self, case: dict) -> None:
        for status in ("received", "handling", self.outcome):
            time.sleep(self.step_delay)
            event = {"event_id": uuid.uuid4().hex, "petition": case["reference"], "delivery": case["key"],
                     "status": status, "occurred_at": datetime.now(dt_timezone.utc).isoformat()}
            if status == "resolved":
                event["answer"] = self.answer
            elif status == "returned":
                event["reason"] = DEFAULT_RETURN_REASON
            self._send(event)

    def _send(self, event: dict, attempts: int = 8) -> None:
        url = self.portal_url + CALLBACK_PATH
        for attempt in range(attempts):
            reply = post_signed(url, event, secret=self.secret, timeout=10)
            if reply.status and reply.status < 500:
                self.log(f"callback {event['status']} for {event['petition']}: HTTP {reply.status} {reply.body}")
                with self.lock:
                    self.callbacks_sent.append({**event, "http": reply.status})
                return
            time.sleep(min(30, 0.5 * 2 ** attempt))
        self.log(f"callback {event['status']} for {event['petition']} given up: {reply.error or reply.status}")


def make_server(hotline: FakeHotline, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(*hotline.receive(self.path, self.headers, body))

        def do_GET(self):  # noqa: N802
            if self.path == "/_stats":
                self._answer(200, hotline.stats())
            else:
                self._answer(404, {"code": "not_found", "message": "no such endpoint"})

        def log_message(self, fmt, *args):
            hotline.log(f"{self.address_string()} {fmt % args}")

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
