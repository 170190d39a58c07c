"""Slack request signatures: v0 HMAC-SHA256 of `v0:{ts}:{body}`, within 300 s."""

from __future__ import annotations

import hashlib
import hmac
import time

MAX_AGE = 300


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Slack-Signature` Slack would send."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def is_valid(signing_secret: str, body: bytes, timestamp: str | None,
             signature: str | None, now: float | None = None) -> bool:
    """True only for a correct signature on a request younger than five minutes."""
    if not signing_secret or not timestamp or not signature:
        return False
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False  # Unix seconds; anything else is forged or garbage
    age = abs((now if now is not None else time.time()) - int(timestamp))
    if age > MAX_AGE:
        return False
    return hmac.compare_digest(sign(signing_secret, timestamp, body).encode(), signature.encode())
