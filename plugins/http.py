"""A small JSON-over-HTTP client for REST trackers, classifying failures for the outbox."""

from __future__ import annotations

import hashlib
import os
from email.utils import parsedate_to_datetime
from time import time
from typing import Any

import requests

from connector.errors import PermanentActionError, RetryableActionError


def session_for(base_url: str) -> requests.Session:
    """A session for one service: the environment's proxy and CA bundle (HTTPS_PROXY, NO_PROXY,
    REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) read once here, not scanned again on every request
    as requests does by default (a fifth of a write-back's time)."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get(
        "CURL_CA_BUNDLE") or True
    session.trust_env = False
    return session


class JsonClient:
    """requests with a base URL, fixed headers and a timeout; no retries of its own."""

    def __init__(self, base_url: str, name: str, headers: dict[str, str], timeout: float) -> None:
        self.base, self.name, self.timeout = base_url.rstrip("/"), name, timeout
        self.session = session_for(base_url)
        self.session.headers.update(headers)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The parsed JSON answer, or RetryableActionError / PermanentActionError."""
        try:
            response = self.session.request(method, self.base + path, timeout=self.timeout,
                                            **kwargs)
        except requests.RequestException as exc:
            raise RetryableActionError(f"{self.name} unreachable: {type(exc).__name__}") from None
        if response.status_code == 429:
            raise RetryableActionError(f"{self.name} rate limit (429)",
                                       parse_retry_after(response.headers.get("Retry-After")))
        if response.status_code >= 500:
            raise RetryableActionError(f"{self.name} error {response.status_code}")
        if response.status_code >= 400:
            raise PermanentActionError(
                f"{self.name} answered {response.status_code}: {_message(response)}")
        try:
            return response.json() if response.content else {}
        except ValueError:
            raise RetryableActionError(f"{self.name} sent a non-JSON answer") from None


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:200]
    return str(body)[:200]


def digest(idempotency_key: str) -> str:
    """Short stable token of an idempotency key, embedded in effects so a retry finds them."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None
