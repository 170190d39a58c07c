"""A stand-in Prometheus HTTP API (GET|POST /api/v1/query), answering as Prometheus 2.x does:
`{"status": "success", "data": {"resultType": "vector", "result": [...]}}`, sample values as
strings; a query that does not parse is 400 `bad_data`; an unknown metric is an empty vector."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request

from tests.standins.base import ANY_PATH, Answer, Rule, StandIn

Json = dict[str, Any]


@dataclass
class RecordedQuery:
    at: float
    method: str
    path: str
    query: str
    status: int = 0
    params: Json = field(default_factory=dict)


class StandInPrometheus(StandIn[RecordedQuery]):
    _CRASH = Answer(500, {"status": "error", "errorType": "internal", "error": "crash"})

    def __init__(self, server: HTTPServer) -> None:
        super().__init__(server)
        self.url = server.url_for("/").rstrip("/")
        self._series: dict[str, list[tuple[Json, float]]] = {}
        self._bad: set[str] = set()
        server.expect_request(ANY_PATH).respond_with_handler(self._handle)

    def set(self, promql: str, *series: tuple[Json, float] | float) -> None:
        """What `promql` answers now: plain numbers are series without labels."""
        with self._lock:
            self._series[promql] = [s if isinstance(s, tuple) else ({}, float(s))
                                    for s in series]

    def refuse(self, promql: str) -> None:
        """`promql` does not parse: 400 bad_data."""
        with self._lock:
            self._bad.add(promql)

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        self._add_fail(Rule("*", ANY_PATH, times, Answer(status, {
            "status": "error", "errorType": "unavailable", "error": "overloaded"})))

    def queries(self) -> list[str]:
        with self._lock:
            return [r.query for r in self.requests if r.path == "/api/v1/query"]

    def _record(self, request: Request) -> RecordedQuery:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        return RecordedQuery(time.monotonic(), request.method, request.path,
                             str(params.get("query", "")), params=params)

    def _dispatch(self, request: Request, rec: RecordedQuery) -> Answer:
        fail = self._take(self._fails, request.method, request.path)
        if fail is not None:
            return fail.then
        if rec.path != "/api/v1/query" or rec.method not in ("GET", "POST"):
            return Answer(404, {"status": "error", "errorType": "not_found",
                                "error": "404 page not found"})
        if not rec.query or rec.query in self._bad:
            return Answer(400, {"status": "error", "errorType": "bad_data",
                                "error": f'1:1: parse error: unexpected "{rec.query[:10]}"'})
        now = time.time()
        result = [{"metric": labels, "value": [now, _sample(value)]}
                  for labels, value in self._series.get(rec.query, [])]
        return Answer(200, {"status": "success",
                            "data": {"resultType": "vector", "result": result}})

    def _respond(self, answer: Answer) -> Any:
        from werkzeug import Response
        return Response(json.dumps(answer.body), answer.status, answer.headers,
                        content_type="application/json")


def _sample(value: float) -> str:
    """Prometheus writes sample values as strings: "NaN", "+Inf", "12.5"."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value) if value % 1 else str(int(value))
