"""The Prometheus plugin answers the room with what Prometheus said, never more than it can
read: a refused query is named, a runaway answer is cut off, Prometheus down is retried and,
on the last attempt, said."""

from __future__ import annotations

import pytest

from connector.errors import RetryableActionError
from connector.events import Action, TicketRef
from connector.store.outbox import OutboxItem
from plugins.prometheus.client import LAST_ATTEMPT, PrometheusClient
from plugins.prometheus.config import PrometheusConfig
from tests.standins.prometheus import StandInPrometheus


def item(*queries: str, attempt: int = 1) -> OutboxItem:
    action = Action("query_metrics", "prometheus", TicketRef("gitlab", "1", "23"), {
        "queries": [(f"q{i}", q) for i, q in enumerate(queries)], "purpose": "ask"}, "outage")
    return OutboxItem(1, "key", action, attempt, 0.0)


@pytest.fixture
def client(standin_prometheus: StandInPrometheus) -> PrometheusClient:
    return PrometheusClient(PrometheusConfig(url=standin_prometheus.url, timeout_seconds=5))


def test_values_refusals_and_empty_answers_each_as_they_are(
        client: PrometheusClient, standin_prometheus: StandInPrometheus) -> None:
    standin_prometheus.set("up", ({"job": "erp"}, 1), ({"job": "mis"}, 0))
    standin_prometheus.refuse("sum(")
    answers = client.perform(item("up", "sum(", "nothing")).result["answers"]
    assert answers[0]["values"] == [("job=erp", 1.0), ("job=mis", 0.0)]
    assert "400" in answers[1]["error"]
    assert answers[2]["values"] == []


def test_a_runaway_answer_is_cut_off_not_read_whole(
        client: PrometheusClient, standin_prometheus: StandInPrometheus) -> None:
    standin_prometheus.set("huge", *[({"pod": f"pod-{i:06d}-" + "x" * 80}, i)
                                     for i in range(20_000)])
    [answer] = client.perform(item("huge")).result["answers"]
    assert "more than 1048576 bytes" in answer["error"]


def test_prometheus_down_is_retried_then_said_on_the_last_attempt(
        client: PrometheusClient, standin_prometheus: StandInPrometheus) -> None:
    standin_prometheus.fail_next(503, times=2)
    with pytest.raises(RetryableActionError, match="503"):
        client.perform(item("up"))
    [answer] = client.perform(item("up", attempt=LAST_ATTEMPT)).result["answers"]
    assert "503" in answer["down"]
