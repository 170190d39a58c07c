"""Performs `query_metrics`: each query an instant query (GET /api/v1/query); the values come
back in the result, for the feature that asked. A query Prometheus refuses (bad PromQL) is
answered as such, not retried; Prometheus down or slow is retried like any service."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import requests

from connector.actions import QueryMetrics
from connector.adapters import Adapter, Performed
from connector.errors import PermanentActionError, RetryableActionError
from connector.store.outbox import OutboxItem
from plugins.http import parse_retry_after, session_for
from plugins.prometheus.config import PrometheusConfig

MAX_SERIES = 5  # a query answering more series shows the first few
MAX_BYTES = 1 << 20  # an instant query's answer for a room: a megabyte is plenty
CHUNK = 64 * 1024
LAST_ATTEMPT = 3  # Prometheus still down then: the room is told so instead of waiting longer


class PrometheusClient(Adapter):
    def __init__(self, config: PrometheusConfig) -> None:
        token = config.bearer_token.get_secret_value()
        self.url, self.timeout = config.url.rstrip("/") + "/api/v1/query", config.timeout_seconds
        self.session = session_for(config.url)
        self.session.headers.update({"Authorization": f"Bearer {token}"} if token else {})

    def perform(self, item: OutboxItem) -> Performed:
        if item.action.kind != "query_metrics":
            raise PermanentActionError(f"prometheus cannot {item.action.kind}")
        p = item.action.params_as(QueryMetrics)
        last = item.attempt >= LAST_ATTEMPT
        answers = [{"title": title, **self._query(promql, last)} for title, promql in p.queries]
        return Performed(result={"answers": answers})

    def _query(self, promql: str, last: bool) -> dict[str, Any]:
        """The query's values; a refused query, or Prometheus still down on the last attempt,
        answered as such (the room hears it rather than nothing)."""
        try:
            body = self._fetch(promql)
        except PermanentActionError as exc:  # 400 bad_data: the catalog's query is wrong
            return {"error": str(exc)[:300]}
        except RetryableActionError as exc:
            if not last:
                raise
            return {"down": str(exc)[:300]}
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return {"down": "Prometheus answered without data"}
        return {"values": values(data)}


    def _fetch(self, promql: str) -> Any:
        """The parsed answer, read within `timeout_seconds` in all (a server trickling bytes
        does not hold the worker) and at most MAX_BYTES (a runaway query does not fill it)."""
        deadline, chunks, size = time.monotonic() + self.timeout, [], 0
        try:
            with self.session.get(self.url, params={"query": promql}, timeout=self.timeout,
                                  stream=True) as answer:
                for chunk in answer.iter_content(CHUNK):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise PermanentActionError(f"prometheus answered more than {MAX_BYTES} "
                                                   "bytes: narrow the catalog's query")
                    if time.monotonic() > deadline:
                        raise RetryableActionError(f"prometheus slower than {self.timeout} s")
                    chunks.append(chunk)
                status, retry_after = answer.status_code, answer.headers.get("Retry-After")
        except requests.RequestException as exc:
            raise RetryableActionError(f"prometheus unreachable: {type(exc).__name__}") from None
        if status == 429:
            raise RetryableActionError("prometheus rate limit (429)",
                                       parse_retry_after(retry_after))
        if status >= 500:
            raise RetryableActionError(f"prometheus error {status}")
        try:
            body = json.loads(b"".join(chunks) or b"{}")
        except ValueError:
            raise RetryableActionError("prometheus sent a non-JSON answer") from None
        if status >= 400:
            said = body.get("error") if isinstance(body, dict) else None
            raise PermanentActionError(f"prometheus answered {status}: {str(said)[:200]}")
        return body


def values(data: dict[str, Any]) -> list[tuple[str, float]]:
    """(series labels, value) of an instant query's vector or scalar, NaN dropped."""
    kind, result = data.get("resultType"), data.get("result")
    rows: list[tuple[str, float]] = []
    if kind in ("scalar", "string") and isinstance(result, list) and len(result) == 2:
        rows.append(("", _number(result[1])))
    elif kind == "vector" and isinstance(result, list):
        for series in result[:MAX_SERIES]:
            if not isinstance(series, dict) or not isinstance(series.get("value"), list) \
                    or len(series["value"]) != 2:
                continue
            metric = series.get("metric")
            labels: dict[str, Any] = metric if isinstance(metric, dict) else {}
            name = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "__name__")
            rows.append((name, _number(series["value"][1])))
    return [(name, v) for name, v in rows if not math.isnan(v)]


def _number(raw: Any) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan
