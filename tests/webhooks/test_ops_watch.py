"""What an admin alerts on (docs/operations.md, docs/deploy/alerts.rules.yml), on /metrics: how
long each lane's oldest pending event or action has waited, when each tracker's poll last went
through and how often it failed, which targets' circuits are open."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from connector.circuits import OPEN_AFTER
from connector.clock import FakeClock
from connector.config import Config
from connector.core import Connector
from connector.errors import ActionError
from connector.inbox_processing import drain_inbox
from connector.reconcile import reconciliation_jobs
from tests.conftest import config_data, issue_hook
from tests.drive import post_hook
from tests.standins.gitlab import StandInGitLab
from tests.webhooks.test_ops import metrics, sample
from webhooks.app import create_app

LOW, HIGH = "Priority: Low", "Priority: High"
MINUTE = 60.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def watched(db_url: str, clock: FakeClock, standin_gitlab: StandInGitLab) -> Iterator[Flask]:
    """The receivers' app on a stand-in GitLab, on the test's clock."""
    app = create_app(Config.model_validate(config_data(db_url, standin_gitlab)),
                     start_worker=False, setup_logs=False, clock=clock)
    yield app
    connector(app).engine.dispose()


def connector(app: Flask) -> Connector:
    found: Connector = app.extensions["helpdesk_connector"].connector
    return found


def test_every_lane_shows_an_age_of_zero_while_nothing_waits(watched: Flask) -> None:
    scrape = metrics(watched)

    assert ("hdc_inbox_oldest_pending_seconds", (("source", "gitlab"),)) in scrape
    assert sample(scrape, "hdc_inbox_oldest_pending_seconds", source="gitlab") == 0
    for target in ("gitlab", "chat"):
        assert ("hdc_outbox_oldest_pending_seconds", (("target", target),)) in scrape
        assert sample(scrape, "hdc_outbox_oldest_pending_seconds", target=target) == 0


def test_an_event_nobody_processes_ages_in_its_lane(watched: Flask, clock: FakeClock) -> None:
    post_hook(watched.test_client(), issue_hook(LOW, HIGH), **{"Idempotency-Key": "first"})
    clock.advance(5 * MINUTE)
    post_hook(watched.test_client(), issue_hook(LOW, HIGH, iid=24), **{"Idempotency-Key": "2nd"})
    clock.advance(2 * MINUTE)

    assert sample(metrics(watched), "hdc_inbox_oldest_pending_seconds", source="gitlab") == 420

    drain_inbox(connector(watched))

    assert sample(metrics(watched), "hdc_inbox_oldest_pending_seconds", source="gitlab") == 0


def test_an_action_nobody_performs_ages_in_its_target_lane(
    watched: Flask, clock: FakeClock
) -> None:
    post_hook(watched.test_client(), issue_hook(LOW, HIGH))
    drain_inbox(connector(watched))  # the rules decide: labels and a note for GitLab
    clock.advance(10 * MINUTE)

    scrape = metrics(watched)

    assert sample(scrape, "hdc_outbox_oldest_pending_seconds", target="gitlab") == 600
    assert sample(scrape, "hdc_outbox_oldest_pending_seconds", target="chat") == 0


def test_the_ages_are_read_through_the_claim_indexes(sqlite_url: str,
                                                       make_app: Callable[..., Flask]) -> None:
    with connector(make_app(sqlite_url)).engine.connect() as conn:
        plans = [" ".join(row[-1] for row in conn.execute(text(
            f"EXPLAIN QUERY PLAN SELECT {lane}, min({at}) FROM {table} "
            f"WHERE status = 'pending' GROUP BY {lane}")))
            for table, lane, at in (("inbox", "source", "received_at"),
                                    ("outbox", "target", "created_at"))]

    assert "USING INDEX ix_inbox_claim" in plans[0]
    assert "USING INDEX ix_outbox_claim" in plans[1]


def test_a_tracker_polled_to_the_end_shows_when(watched: Flask, clock: FakeClock,
                                                standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_project(1)
    assert sample(metrics(watched), "hdc_reconcile_last_success_timestamp_seconds",
                  tracker="gitlab") == 0
    polled_at = clock.now()
    (job,) = reconciliation_jobs(connector(watched))

    job.run(connector(watched))
    clock.advance(30 * MINUTE)

    scrape = metrics(watched)
    assert sample(scrape, "hdc_reconcile_last_success_timestamp_seconds",
                  tracker="gitlab") == polled_at
    assert sample(scrape, "hdc_reconcile_errors_total", tracker="gitlab") == 0


def test_a_failed_poll_is_counted_and_leaves_the_last_success(
    watched: Flask, clock: FakeClock, standin_gitlab: StandInGitLab
) -> None:
    standin_gitlab.add_project(1)
    (job,) = reconciliation_jobs(connector(watched))
    job.run(connector(watched))
    polled_at = clock.now()
    clock.advance(30 * MINUTE)
    standin_gitlab.fail_next("GET", r"/issues", 500, times=10)

    with pytest.raises(ActionError):
        job.run(connector(watched))

    scrape = metrics(watched)
    assert sample(scrape, "hdc_reconcile_errors_total", tracker="gitlab") == 1
    assert sample(scrape, "hdc_reconcile_last_success_timestamp_seconds",
                  tracker="gitlab") == polled_at


def test_a_circuit_shows_open_after_failures_in_a_row_until_an_action_succeeds(
    watched: Flask,
) -> None:
    circuits = connector(watched).circuits
    assert sample(metrics(watched), "hdc_circuit_open", target="gitlab") == 0
    assert ("hdc_circuit_open", (("target", "gitlab"),)) in metrics(watched)

    for _ in range(OPEN_AFTER - 1):
        circuits.failed("gitlab")
    assert sample(metrics(watched), "hdc_circuit_open", target="gitlab") == 0
    circuits.failed("gitlab")
    circuits.failed("gitlab")  # the half-open trial failed too
    assert sample(metrics(watched), "hdc_circuit_open", target="gitlab") == 1
    assert sample(metrics(watched), "hdc_circuit_open", target="chat") == 0

    circuits.succeeded("gitlab")

    assert sample(metrics(watched), "hdc_circuit_open", target="gitlab") == 0
