"""Performs `query_metrics`: each query an instant query (GET /api/v1/query); the values come
back in the result, for the feature that asked. A query Prometheus refuses (bad PromQL) is
answered as such, not retried; Prometheus down or slow is retried like any service."""

from __future__ import annotations

import math
from typing import Any

from connector.actions import QueryMetrics
from connector.adapters import Adapter, Performed
from connector.errors import PermanentActionError, RetryableActionError
from connector.store.outbox import OutboxItem
from plugins.http import JsonClient
from plugins.prometheus.config import PrometheusConfig

MAX_SERIES = 5  # a query answering more series shows the first few
LAST_ATTEMPT = 3  # Prometheus still down then: the room is told so instead of waiting longer


class PrometheusClient(Adapter):
    def __init__(self, config: PrometheusConfig) -> None:
        token = config.bearer_token.get_secret_value()
        self.http = JsonClient(config.url, "prometheus",
                               {"Authorization": f"Bearer {token}"} if token else {},
                               config.timeout_seconds)

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
            body = self.http.call("GET", "/api/v1/query", params={"query": promql})
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
