"""Done-when: a 429 with Retry-After: 2 delays the write-back by at least 2 s, then it succeeds;
5xx and connection errors are retried; other 4xx fail with the reason recorded."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from connector.assembly import build_connector
from connector.config import Config
from connector.core import Connector
from connector.store.schema import outbox
from tests.conftest import config_data, issue_hook
from tests.drive import post_hook, run_until_idle
from tests.standins.gitlab import StandInGitLab
from webhooks.app import create_app


def deliver_conflict(c: Connector) -> None:
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    assert post_hook(client, issue_hook("Priority: Low", "Priority: High")).status_code == 200


def test_retry_after_is_honoured(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=["Priority: Low", "Priority: High"])
    gl.fail_next("PUT", r"/issues/23$", 429, headers={"Retry-After": "2"})
    c = make_connector(sqlite_url, gl)
    deliver_conflict(c)
    run_until_idle(c)

    puts = [r for r in gl.requests if r.method == "PUT"]
    assert [r.status for r in puts] == [429, 200]
    assert puts[1].at - puts[0].at >= 2.0
    assert gl.issue(1, 23)["labels"] == ["Priority: High"]


def test_server_errors_are_retried_until_success(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=["Priority: Low", "Priority: High"])
    gl.fail_next("POST", r"/issues/23/notes$", 502, times=2)
    c = make_connector(sqlite_url, gl)
    deliver_conflict(c)
    run_until_idle(c)

    posts = [r.status for r in gl.requests if r.method == "POST"]
    assert posts[:2] == [502, 502] and posts.count(201) == 1
    assert len(gl.issue(1, 23)["notes"]) == 1


def test_client_error_fails_with_reason_and_is_counted(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=["Priority: Low", "Priority: High"])
    gl.fail_next("PUT", r"/issues/23$", 403, body={"message": "403 Forbidden"})
    c = make_connector(sqlite_url, gl)
    deliver_conflict(c)
    run_until_idle(c)

    with c.engine.connect() as conn:
        failed = conn.execute(select(outbox.c.kind, outbox.c.last_error)
                              .where(outbox.c.status == "failed")).all()
    assert failed == [("update_labels", "GitLab answered 403: 403 Forbidden")]
    assert len([r for r in gl.requests if r.method == "PUT"]) == 1  # not retried
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'hdc_outbox_actions{status="failed"} 1.0' in metrics


def test_unreachable_gitlab_is_retried_then_given_up(
    sqlite_url: str, standin_gitlab: StandInGitLab
) -> None:
    data = config_data(sqlite_url, standin_gitlab, max_attempts=3)
    data["trackers"]["gitlab"]["base_url"] = "http://127.0.0.1:9"  # nothing listens there
    c = build_connector(Config.model_validate(data))
    deliver_conflict(c)
    run_until_idle(c)

    with c.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.status, outbox.c.attempts, outbox.c.last_error)).all()
    assert len(rows) == 2
    for status, attempts, error in rows:
        assert (status, attempts) == ("failed", 3)
        assert "GitLab unreachable: ConnectionError" in error


def test_without_token_nothing_is_written_only_logged(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    c = make_connector(sqlite_url, None)
    deliver_conflict(c)
    run_until_idle(c)

    with c.engine.connect() as conn:
        statuses = conn.execute(select(outbox.c.status)).scalars().all()
    assert statuses == ["dry_run", "dry_run"]
    assert standin_gitlab.requests == []
