"""HMAC-SHA256 signatures over "timestamp.body", both directions (portal -> 12345 and callbacks).

Plain Python: the secret and the clock are arguments, so the fake hotline and the tests use the same
code as the portal. The timestamp is inside the signed data, so a captured request cannot be replayed
with a fresh timestamp, and one older than MAX_SKEW is refused.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from django.utils.translation import gettext_lazy as _

TIMESTAMP_HEADER = "X-Hotline-Timestamp"
SIGNATURE_HEADER = "X-Hotline-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SCHEME = "sha256="
MAX_SKEW = 300  # seconds, either way


class SignatureError(Exception):
    code = "signature_invalid"

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class StaleTimestamp(SignatureError):
    code = "timestamp_stale"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, idempotency_key: str = "", now: float | None = None) -> dict:
    timestamp = int(now if now is not None else time.time())
    headers = {"Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: str(timestamp),
               SIGNATURE_HEADER: sign(secret, timestamp, body)}
    if idempotency_key:
        headers[IDEMPOTENCY_HEADER] = idempotency_key
    return headers


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, *,
           now: float | None = None, max_skew: int = MAX_SKEW) -> None:
    """Raise SignatureError (or StaleTimestamp) unless `signature` signs `timestamp.body` and is fresh."""
    if not timestamp or not signature:
        raise SignatureError(_("The request is not signed."))
    try:
        stamp = int(timestamp)
    except ValueError:
        raise SignatureError(_("The timestamp is not a number of seconds.")) from None
    # Compare first, so that a wrong signature never learns whether its timestamp would have passed.
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        raise SignatureError(_("The signature does not match the body."))
    if abs((now if now is not None else time.time()) - stamp) > max_skew:
        raise StaleTimestamp(_("The timestamp is more than five minutes away from now."))
