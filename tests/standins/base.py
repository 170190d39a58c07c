"""What every stand-in server shares, on top of pytest-httpserver (werkzeug).

:class:`StandIn` records each request (``requests``), answers it under one lock (so the server
may, and should, be created with ``HTTPServer(threaded=True)``), and turns an unexpected exception
into ``errors`` plus the vendor's 500 answer. Subclasses plug in three things: ``_record`` (the
vendor's ``RecordedRequest``), ``_dispatch`` (routing: an :class:`Answer`, or :class:`Reply`
raised) and ``_respond`` (the werkzeug ``Response``). ``fail_next`` rules live in ``_fails``.

:class:`HoldingStandIn` (the REST trackers) adds ``hold_next``/``release_all``/``writes`` and
``_apply``: a matching ``fail_next`` rule answers instead of the route, else the route is applied
and a matching ``hold_next`` makes its answer wait for an event, outside the lock.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from connector.clock import Clock

T = TypeVar("T")
ANY_PATH = re.compile("")  # matches every path: rules of stand-ins that match by method only


@dataclass(frozen=True)
class Answer:
    status: int | str  # a code, or "<code> <reason phrase>"
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    held: threading.Event | None = None  # the answer waits for it (<= 60 s), outside the lock


class Reply(Exception):  # an answer raised from deep inside a route
    def __init__(self, status: int | str, body: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.answer = Answer(status, body, headers or {})


@dataclass
class Rule(Generic[T]):
    """Applies to the next `times` requests whose method is `method` ("*" = any) and whose path
    matches `pattern` (re.search)."""

    method: str
    pattern: re.Pattern[str]
    times: int
    then: T  # the answer of a fail_next rule, the event of a hold_next rule


class _Record(Protocol):
    status: int


class _PathRecord(Protocol):
    method: str
    path: str
    status: int


R = TypeVar("R", bound=_Record)
P = TypeVar("P", bound=_PathRecord)


class StandIn(Generic[R]):
    _CRASH: ClassVar[Answer]  # the answer when the stand-in itself crashed

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.requests: list[R] = []
        self.errors: list[BaseException] = []  # unexpected exceptions in the stand-in (bugs)
        self._lock = threading.RLock()
        self._fails: list[Rule[Answer]] = []

    def _record(self, request: Request) -> R:
        raise NotImplementedError

    def _dispatch(self, request: Request, rec: R) -> Answer:
        """Answer the recorded request (called under the lock); may raise :class:`Reply`."""
        raise NotImplementedError

    def _annotate(self, rec: R, answer: Answer) -> None:
        """Note more of an answer (not of a crash) in the record; its status is set anyway."""

    def _respond(self, answer: Answer) -> Response:
        return Response(json.dumps(answer.body), answer.status, answer.headers,
                        content_type="application/json")

    def _handle(self, request: Request) -> Response:
        with self._lock:
            rec = self._record(request)
            self.requests.append(rec)
            try:
                try:
                    answer = self._dispatch(request, rec)
                except Reply as reply:
                    answer = reply.answer
                self._annotate(rec, answer)
            except Exception as exc:  # a bug in the stand-in: make it visible
                self.errors.append(exc)
                answer = self._CRASH
            rec.status = int(str(answer.status).split()[0])
        if answer.held is not None:
            answer.held.wait(60)
        return self._respond(answer)

    def _add_fail(self, rule: Rule[Answer]) -> None:
        with self._lock:
            self._fails.append(rule)

    def heal(self) -> None:
        """The service is fixed: fail_next rules not used up yet are dropped."""
        with self._lock:
            self._fails.clear()

    @staticmethod
    def _take(rules: list[Rule[T]], method: str, path: str = "") -> Rule[T] | None:
        """The first rule for this request, used up once (dropped when its `times` run out)."""
        for rule in rules:
            if rule.method in ("*", method) and rule.pattern.search(path):
                rule.times -= 1
                if rule.times <= 0:
                    rules.remove(rule)
                return rule
        return None


class HoldingStandIn(StandIn[P]):
    _clock: datetime  # the last time stamped on a write (the tracker's own clock)

    def __init__(self, server: HTTPServer) -> None:
        super().__init__(server)
        self._holds: list[Rule[threading.Event]] = []
        self._events: list[threading.Event] = []
        self._business: Clock | None = None

    def use_clock(self, clock: Clock) -> None:
        """Stamp writes by the test's business clock (a FakeClock) instead of the wall clock,
        so the tracker's history and the connector's own record tell the same times. Call it
        before anything is written: the next stamp is the clock's now."""
        with self._lock:
            self._business = clock
            self._clock = (self._wall() - timedelta(seconds=1)).replace(microsecond=0)

    def _wall(self) -> datetime:
        """Now, by the business clock if the test gave one (else the wall clock)."""
        if self._business is None:
            return datetime.now(UTC)
        return datetime.fromtimestamp(self._business.now(), UTC)

    def hold_next(self, method: str, path_regex: str) -> threading.Event:
        """The next matching request is applied, then its answer waits for the event (<=60 s)."""
        event = threading.Event()
        with self._lock:
            self._events.append(event)
            self._holds.append(Rule(method.upper(), re.compile(path_regex), 1, event))
        return event

    def hold_all(self, method: str, path_regex: str) -> threading.Event:
        """Every matching request from now on is applied, then its answer waits for the event
        (<=60 s): a service that takes requests and never answers."""
        event = threading.Event()
        with self._lock:
            self._events.append(event)
            self._holds.append(Rule(method.upper(), re.compile(path_regex), 10**9, event))
        return event

    def release_all(self) -> None:
        """Set every event hold_next ever returned (the fixture does this on teardown)."""
        with self._lock:
            self._holds.clear()
            for event in self._events:
                event.set()

    def writes(self, method: str | None = None, path_regex: str | None = None) -> list[P]:
        """Successful (2xx) non-GET requests, optionally filtered."""
        with self._lock:
            return [r for r in self.requests if r.method != "GET" and 200 <= r.status < 300
                    and (method is None or r.method == method.upper())
                    and (path_regex is None or re.search(path_regex, r.path))]

    def _apply(self, method: str, path: str, route: Callable[[], Answer]) -> Answer:
        """A fail_next answer (the route is not applied), else the route's answer, held if a
        hold_next rule matches. A :class:`Reply` raised by the route is never held."""
        fail = self._take(self._fails, method, path)
        if fail is not None:
            return fail.then
        answer = route()
        hold = self._take(self._holds, method, path)
        return dataclasses.replace(answer, held=hold.then) if hold else answer
