"""One signed JSON POST over HTTP, with the standard library (no extra dependency, easy to reason about)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from .signing import signed_headers


@dataclass(frozen=True)
class Reply:
    status: int  # 0: no HTTP answer at all (refused, timed out)
    body: dict
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def encode(payload: dict) -> bytes:
    """The exact bytes that are signed and sent: the same payload always gives the same bytes."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def post_signed(url: str, payload: dict, *, secret: str, timeout: float, idempotency_key: str = "") -> Reply:
    body = encode(payload)
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers=signed_headers(secret, body, idempotency_key=idempotency_key))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, _json(response.read()))
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, _json(exc.read()), error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:  # refused, reset, DNS, timeout
        reason = getattr(exc, "reason", exc)
        return Reply(0, {}, error=f"{type(reason).__name__}: {reason}"[:500])


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {"raw": raw[:200].decode(errors="replace")}
    return value if isinstance(value, dict) else {"value": value}
