"""The repository's stand-in GitLab, served from this process for the connector's REST calls."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request

from bench.hooks import ASSIGNEE, CONFLICT, PROJECT
from bench.keepalive import KeepAliveServer
from tests.standins.gitlab import RecordedRequest, StandInGitLab

LONG_AGO = "2020-01-01T00:00:00Z"  # before any reconciliation look-back: polling finds nothing
_ISSUE_PUT = re.compile(rf"^/api/v4/projects/{PROJECT}/issues/(\d+)$")
_NOTE_POST = re.compile(rf"^/api/v4/projects/{PROJECT}/issues/(\d+)/notes$")


class BenchGitLab(StandInGitLab):
    """StandInGitLab stamping requests with `clock` and inventing issues nobody created."""

    def __init__(self, server: HTTPServer, clock: Callable[[], float]) -> None:
        self.clock = clock
        super().__init__(server)

    def add_conflict_issue(self, iid: int) -> None:
        """Issue `iid` of project 1 as the webhooks describe it: both labels, an assignee."""
        self.add_issue(PROJECT, iid, labels=["API", *CONFLICT], assignee_ids=[ASSIGNEE],
                       updated_at=LONG_AGO)

    def _record(self, request: Request) -> RecordedRequest:
        record = super()._record(request)
        record.at = self.clock()
        return record

    def _get(self, project_id: int | str, iid: int | str) -> dict[str, Any]:
        if (int(project_id), int(iid)) not in self._issues:  # under the stand-in's lock
            self.add_conflict_issue(int(iid))
        return super()._get(project_id, iid)

    def first_puts(self, since: float) -> dict[int, float]:
        """Per iid, when the first successful PUT on the issue arrived (at or after `since`)."""
        with self._lock:
            records = list(self.requests)
        first: dict[int, float] = {}
        for r in records:
            match = _ISSUE_PUT.match(r.path)
            if r.method == "PUT" and match and 200 <= r.status < 300 and r.at >= since:
                iid = int(match.group(1))
                first[iid] = min(first.get(iid, r.at), r.at)
        return first

    def notes_posted(self, iids: range) -> list[tuple[int, float]]:
        """(iid, when) of every note created on issues `iids`, in arrival order."""
        with self._lock:
            records = list(self.requests)
        out = []
        for r in records:
            match = _NOTE_POST.match(r.path)
            if r.method == "POST" and match and r.status == 201 and int(match.group(1)) in iids:
                out.append((int(match.group(1)), r.at))
        return out

    def counts(self) -> dict[str, int]:
        """Requests by method and answer, e.g. {"PUT 200": 10}."""
        with self._lock:
            records = list(self.requests)
        out: dict[str, int] = {}
        for r in records:
            key = f"{r.method} {r.status}"
            out[key] = out.get(key, 0) + 1
        return out


@contextmanager
def serve_gitlab(clock: Callable[[], float], keep_alive: bool = False) -> Iterator[BenchGitLab]:
    """A threaded stand-in GitLab on 127.0.0.1 for the duration of the block; `keep_alive`:
    connections stay open between requests, as GitLab's do (werkzeug's server closes each)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    own = KeepAliveServer(server.application) if keep_alive else None
    if own is not None:
        server.port = own.port  # the stand-in's URLs name the server that answers
        own.start()
    else:
        server.start()
    try:
        gitlab = BenchGitLab(server, clock)
        gitlab.add_project(PROJECT)  # reconciliation's issue list finds the project
        yield gitlab
    finally:
        server.clear()
        if own is not None:
            own.stop()
        else:
            server.stop()
