"""Operations endpoints: `/healthz` tells whether the store answers, `/metrics` counts deliveries
and shows inbox/outbox depth read from the store."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from connector import __version__
from connector.core import Connector
from connector.inbox_processing import drain_inbox
from tests.conftest import issue_hook
from tests.drive import post_hook

LOW, HIGH = "Priority: Low", "Priority: High"


def connector(app: Flask) -> Connector:
    found: Connector = app.extensions["helpdesk_connector"].connector
    return found


def metrics(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by name and sorted labels."""
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def sample(scrape: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
           **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


# --- /healthz --------------------------------------------------------------------------------


def test_healthz_is_ok_when_the_store_answers(
    db_url: str, make_app: Callable[[str], Flask]
) -> None:
    response = make_app(db_url).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "store": "reachable", "version": __version__}


def test_healthz_is_503_when_the_sqlite_file_is_gone(
    sqlite_url: str, tmp_path: Path, make_app: Callable[[str], Flask]
) -> None:
    app = make_app(sqlite_url)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    database = tmp_path / "hdc.db"
    connector(app).engine.dispose()
    for leftover in tmp_path.glob("hdc.db*"):
        leftover.unlink()
    database.mkdir()  # a directory where the database was: SQLite cannot open it

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json == {"status": "unhealthy", "store": "OperationalError",
                             "version": __version__}
    shutil.rmtree(database)


def test_healthz_is_503_when_the_database_server_is_down(
    sqlite_url: str, make_app: Callable[[str], Flask]
) -> None:
    app = make_app(sqlite_url)
    connector(app).engine = create_engine(
        "postgresql+psycopg://hdc@127.0.0.1:1/hdc", connect_args={"connect_timeout": 2})

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json is not None and response.json["status"] == "unhealthy"


# --- /metrics --------------------------------------------------------------------------------


def test_metrics_are_exposed_from_zero(db_url: str, make_app: Callable[[str], Flask]) -> None:
    scrape = metrics(make_app(db_url))

    for status in ("pending", "failed", "done", "dry_run"):
        assert ("hdc_outbox_actions", (("status", status),)) in scrape
        assert sample(scrape, "hdc_outbox_actions", status=status) == 0
    for status in ("pending", "done", "ignored", "failed"):
        assert sample(scrape, "hdc_inbox_events", status=status) == 0
    assert sample(scrape, "hdc_events_received_total", source="gitlab") == 0


def test_metrics_name_the_running_release(sqlite_url: str,
                                          make_app: Callable[[str], Flask]) -> None:
    assert sample(metrics(make_app(sqlite_url)), "hdc_build_info", version=__version__) == 1


def test_metrics_count_deliveries_and_duplicates(
    db_url: str, make_app: Callable[[str], Flask]
) -> None:
    app = make_app(db_url)
    client = app.test_client()
    payload = issue_hook(LOW, HIGH)

    post_hook(client, payload, **{"Idempotency-Key": "d-1"})
    post_hook(client, payload, **{"Idempotency-Key": "d-1"})
    post_hook(client, payload, **{"Idempotency-Key": "d-1"})
    post_hook(client, payload, token="wrong")
    after_posts = metrics(app)

    assert sample(after_posts, "hdc_events_received_total", source="gitlab") == 1
    assert sample(after_posts, "hdc_events_deduplicated_total", source="gitlab") == 2
    assert sample(after_posts, "hdc_events_rejected_total", source="gitlab", status="401") == 1
    assert sample(after_posts, "hdc_inbox_events", status="pending") == 1
    assert sample(after_posts, "hdc_outbox_actions", status="pending") == 0


def test_metrics_still_scrape_when_the_store_is_down(
    sqlite_url: str, make_app: Callable[[str], Flask]
) -> None:
    app = make_app(sqlite_url)
    post_hook(app.test_client(), issue_hook(LOW, HIGH))
    connector(app).engine = create_engine("sqlite:////nonexistent-dir/for/sure/hdc.db")

    scrape = metrics(app)

    assert sample(scrape, "hdc_events_received_total", source="gitlab") == 1
    assert ("hdc_outbox_actions", (("status", "pending"),)) not in scrape


def test_outbox_depth_moves_when_the_rules_decide(
    db_url: str, make_app: Callable[[str], Flask]
) -> None:
    app = make_app(db_url)
    post_hook(app.test_client(), issue_hook(LOW, HIGH, "L2"))

    drain_inbox(connector(app))
    scrape = metrics(app)

    assert sample(scrape, "hdc_inbox_events", status="pending") == 0
    assert sample(scrape, "hdc_inbox_events", status="done") == 1
    # update_labels + add_note for the conflict, escalate for L2
    assert sample(scrape, "hdc_outbox_actions", status="pending") == 3
    assert sample(scrape, "hdc_events_processed_total", source="gitlab", outcome="done") == 1
