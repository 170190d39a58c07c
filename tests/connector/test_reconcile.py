"""Reconciliation: changes whose webhook was lost are found by polling and handled once."""

from __future__ import annotations

from collections.abc import Callable

from connector.core import Connector
from connector.reconcile import reconcile_all
from tests.conftest import issue_hook
from tests.drive import post_hook, run_until_idle
from tests.standins.gitlab import StandInGitLab
from webhooks.app import create_app


def test_lost_webhook_is_found_by_polling_and_acted_on_once(
    db_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=["Priority: Low", "Priority: High"], assignee_ids=[51])
    c = make_connector(db_url, gl)

    assert reconcile_all(c) == 1
    run_until_idle(c)
    # The connector's own writes moved updated_at; the next poll sees them and does nothing.
    reconcile_all(c)
    run_until_idle(c)
    reconcile_all(c)
    run_until_idle(c)

    assert gl.issue(1, 23)["labels"] == ["Priority: High"]
    assert len(gl.writes("PUT")) == 1
    assert len(gl.writes("POST", r"/notes$")) == 1


def test_new_issue_found_by_polling_gets_the_reminder(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    gl = standin_gitlab
    gl.add_project(1)
    c = make_connector(sqlite_url, gl)
    reconcile_all(c)  # sets the watermark
    gl.add_issue(1, 7, labels=["API"])

    assert reconcile_all(c) == 1
    run_until_idle(c)

    [note] = gl.issue(1, 7)["notes"]
    assert "установить одну метку приоритета" in note["body"]
    assert "назначить ответственного" in note["body"]


def test_webhook_after_poll_of_the_same_change_adds_nothing(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=["Priority: Low", "Priority: High"], assignee_ids=[51])
    c = make_connector(sqlite_url, gl)
    reconcile_all(c)
    run_until_idle(c)

    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    post_hook(client, issue_hook("Priority: Low", "Priority: High", action="update"))
    run_until_idle(c)

    assert len(gl.writes("PUT")) == 1
    assert len(gl.writes("POST", r"/notes$")) == 1


def test_own_writes_coming_back_as_webhooks_are_ignored(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector]
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=["Priority: Low", "Priority: High"])
    c = make_connector(sqlite_url, gl)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    # Pretend the bot itself produced a conflicting state: it must not react to it.
    answer = post_hook(client, issue_hook("Priority: Low", "Priority: High", user="helpdesk-bot"))
    run_until_idle(c)

    assert answer.json["status"] == "accepted"
    assert gl.writes() == []
