"""Who is reading the dashboard: a user of the store by a session cookie (after the login form)
or by HTTP Basic (scripts), or the person a trusted reverse proxy names in its header — the
header believed only from the proxy's own addresses. Sessions are signed with the key kept in
the store, so every process accepts them; a changed password or a removed user ends them.
Wrong passwords are limited per name and address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.engine import Connection
from werkzeug.wrappers import Request

from connector.context import FeatureContext
from connector.features.reports.dashboard import users
from connector.features.reports.dashboard.passwords import verify
from connector.store.db import reading

SESSION_COOKIE = "hdc_dashboard"
LOGIN_COOKIE = "hdc_dashboard_login"  # the login form's own nonce, before a session exists
LOGIN_SECONDS = 3600  # a login form may be sent within the hour
ATTEMPTS, WINDOW = 5, 60.0  # wrong passwords per name and address within the window
TRACKED = 10_000  # names and addresses remembered at most (the oldest forgotten first)


@dataclass(frozen=True)
class Reader:
    """Someone allowed to read; `csrf` is their session's token for the logout form."""

    name: str
    via: str  # session | basic | proxy
    csrf: str = ""


class Refused(Exception):
    """Credentials given and refused: wrong, or too many wrong ones lately."""

    def __init__(self, limited: bool) -> None:
        super().__init__("too many wrong passwords" if limited else "wrong name or password")
        self.limited = limited


class Attempts:
    """Wrong passwords per (name, address) within the last WINDOW seconds of business time."""

    def __init__(self, c: FeatureContext) -> None:
        self.c = c
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def limited(self, key: tuple[str, str]) -> bool:
        with self._lock:
            return len(self._recent(key)) >= ATTEMPTS

    def failed(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._recent(key).append(self.c.clock.now())
            while len(self._seen) > TRACKED:
                del self._seen[next(iter(self._seen))]

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= self.c.clock.now() - WINDOW:
            times.popleft()
        return times


class Gate:
    """The dashboard's door, for one app."""

    def __init__(self, c: FeatureContext) -> None:
        self.c = c
        self.settings = c.config.reports.dashboard
        self.attempts = Attempts(c)
        self._signer: URLSafeSerializer | None = None

    @property
    def signer(self) -> URLSafeSerializer:
        if self._signer is None:  # read once: made by the first process that needed it
            self._signer = URLSafeSerializer(users.session_key(self.c.engine), "hdc-dashboard")
        return self._signer

    def enabled(self, conn: Connection) -> bool:
        """Off until a user exists (or a trusted proxy is configured): never open by default."""
        return bool(self.settings.trusted_header) or users.any_user(conn)

    def reader(self, request: Request) -> Reader | None:
        """Who the request comes from, if anyone; Refused for wrong Basic credentials."""
        proxied = self._proxied(request)
        if proxied is not None:
            return proxied
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            name = auth.username or ""
            self.check(name, auth.password or "", client_address(request, self.trusted))
            return Reader(name, "basic")
        return self._session(request.cookies.get(SESSION_COOKIE, ""))

    def check(self, name: str, password: str, address: str) -> None:
        """Refused unless the password is the user's (and not too many were wrong lately)."""
        key = (name.casefold()[:64], address)
        if self.attempts.limited(key):
            raise Refused(limited=True)
        with reading(self.c.engine) as conn:
            stored = users.hash_of(conn, name[:64])
        if not verify(password, stored):
            self.attempts.failed(key)
            raise Refused(limited=False)

    def session(self, name: str) -> tuple[str, str]:
        """A new session's cookie value, and its CSRF token for the logout form."""
        with reading(self.c.engine) as conn:
            stored = users.hash_of(conn, name) or ""
        nonce = secrets.token_hex(16)
        value = self.signer.dumps({"u": name, "v": self._version(stored), "x": nonce,
                                   "e": self.c.clock.now() + self.lifetime})
        return value, self.token("logout", nonce)

    @property
    def lifetime(self) -> int:
        return int(self.settings.session_hours * 3600)

    def login_nonce(self) -> tuple[str, str]:
        """A fresh nonce for the login form's cookie, and the form's token tied to it."""
        nonce = secrets.token_hex(16)
        return nonce, self.token("login", nonce)

    def token(self, purpose: str, nonce: str) -> str:
        """The CSRF token a form carries: tied to the cookie's nonce by the store's key."""
        key = self.signer.secret_keys[-1]
        return hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).hexdigest()

    def token_ok(self, purpose: str, nonce: str, given: str) -> bool:
        return bool(nonce) and same(self.token(purpose, nonce), given)

    def secure(self, request: Request) -> bool:
        """Whether the browser came over https (itself, or to the trusted proxy)."""
        forwarded = request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        return request.is_secure or (forwarded and self.trusted(request.remote_addr))

    def _proxied(self, request: Request) -> Reader | None:
        header = self.settings.trusted_header
        if not header or not self.trusted(request.remote_addr):
            return None
        name = request.headers.get(header, "").strip()
        return Reader(name[:64], "proxy") if name and name.isprintable() else None

    def _session(self, cookie: str) -> Reader | None:
        if not cookie:
            return None
        try:
            found: Any = self.signer.loads(cookie)
            name, version, nonce, expires = found["u"], found["v"], found["x"], found["e"]
        except (BadSignature, KeyError, TypeError):
            return None
        if not isinstance(name, str) or not isinstance(expires, int | float) or (
                expires <= self.c.clock.now()):
            return None
        with reading(self.c.engine) as conn:
            stored = users.hash_of(conn, name)
        if stored is None or not same(self._version(stored), str(version)):
            return None  # removed, or the password changed since
        return Reader(name, "session", self.token("logout", str(nonce)))

    def _version(self, stored: str) -> str:
        """What ties a session to the password it was opened with."""
        key = self.signer.secret_keys[-1]
        return hmac.new(key, stored.encode(), hashlib.sha256).hexdigest()[:24]

    def trusted(self, address: str | None) -> bool:
        """Whether the peer is one of the trusted proxies."""
        return address is not None and _in(address, self.settings.trusted_proxies)


def client_address(request: Request, trusted: Any) -> str:
    """The browser's address: the peer, or behind a trusted proxy the address it forwarded."""
    peer = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
    if forwarded and trusted(peer):
        try:
            return str(ip_address(forwarded))
        except ValueError:
            return peer
    return peer


def same(expected: str, given: str) -> bool:
    """Compared in constant time, whatever characters were sent."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _in(address: str, networks: list[Any]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)
