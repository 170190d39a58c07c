"""Reconciliation: changes whose webhook was lost are found by polling and handled once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

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


def test_issues_edited_while_the_poll_pages_through_them_are_all_seen(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """An issue edited mid-poll jumps to the end of the list by updated_at; with offset pages
    the issue after it slipped into a page already read and was never seen again."""
    monkeypatch.setattr("plugins.gitlab.tracker.PAGE", 10)
    gl = standin_gitlab
    for iid in range(1, 61):
        gl.add_issue(1, iid, labels=["Priority: Low", "Priority: High"], assignee_ids=[51])
    c = make_connector(sqlite_url, gl)
    requests = iter(range(1, 100))

    def edit_while_paging(_page: int) -> None:
        """Before every request but the first, someone edits the oldest issue — one the poll
        has already read — so everything after it moves one place up."""
        if next(requests) > 1:
            oldest = min(range(1, 61), key=lambda iid: gl.issue(1, iid)["updated_at"])
            gl.touch(1, oldest, "Изменена во время опроса")

    gl.on_list_issues(edit_while_paging)
    reconcile_all(c)
    gl.on_list_issues(None)
    run_until_idle(c)

    for iid in range(1, 61):
        issue = gl.issue(1, iid)
        assert issue["labels"] == ["Priority: High"], iid
        assert len(issue["notes"]) == 1, iid
