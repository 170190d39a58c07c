"""Reconciliation: changes whose webhook was lost are found by polling and handled once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from connector.clock import FakeClock
from connector.core import Connector
from connector.reconcile import reconcile_all
from connector.store import schema
from connector.store.db import reading
from connector.timestamps import from_epoch
from tests.conftest import issue_hook
from tests.drive import post_hook, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.znuny import StandInZnuny
from webhooks.app import create_app

START = 1_772_442_000.0  # 2026-03-02T09:00:00Z: the connector's first poll
MINUTE, HOUR, DAY = 60.0, 3600.0, 86_400.0
REMINDER = "установить одну метку приоритета"  # Belarus §4.1, the «Новая задача» note


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


# How the connector watched the project before the poll that first sees issue 7:
# (seconds since the first poll, polls in between); None: this poll is the project's first.
HISTORY: dict[str, tuple[float, int] | None] = {
    "polled five minutes ago": (5 * MINUTE, 0),
    "stopped for a month (or the project left out of the config)": (30 * DAY, 0),
    "polled all month, nothing changed": (30 * DAY, 3),
    "project just added": None,
}


@pytest.mark.parametrize(("history", "created_ago", "updated_ago", "reminded"), [
    pytest.param("polled five minutes ago", 2 * MINUTE, 2 * MINUTE, True,
                 id="webhook lost two minutes ago"),
    pytest.param("stopped for a month (or the project left out of the config)", 2 * MINUTE,
                 2 * MINUTE, True, id="back after a month: created two minutes ago"),
    pytest.param("stopped for a month (or the project left out of the config)", 29 * DAY,
                 29 * DAY, False, id="back after a month: created during the stop"),
    pytest.param("polled all month, nothing changed", 21 * DAY, MINUTE, False,
                 id="quiet project: moved in with its creation date three weeks ago"),
    pytest.param("project just added", 10 * MINUTE, 10 * MINUTE, True,
                 id="new project: created ten minutes ago"),
    pytest.param("project just added", 2 * DAY, HOUR, False,
                 id="new project: created two days ago, edited an hour ago"),
])
def test_the_new_issue_reminder_is_for_issues_created_lately(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector],
    history: str, created_ago: float, updated_ago: float, reminded: bool
) -> None:
    """«Новая задача» is for an issue whose webhook was lost: first seen by polling AND created
    within the poll's window (lookback_seconds, here a day) — not one found long after."""
    gl, clock = standin_gitlab, FakeClock(START)
    gl.add_project(1)
    c = make_connector(sqlite_url, gl, clock=clock)
    watched = HISTORY[history]
    if watched is not None:
        gap, polls = watched
        gl.add_issue(1, 1, labels=["Priority: Low"], assignee_ids=[51],
                     created_at=from_epoch(START - HOUR))  # the last change the poll saw
        reconcile_all(c)
        run_until_idle(c)
        for _ in range(polls):
            clock.advance(gap / (polls + 1))
            reconcile_all(c)
        clock.set(START + gap)
    now = clock.now()
    gl.add_issue(1, 7, labels=["API"], created_at=from_epoch(now - created_ago),
                 updated_at=from_epoch(now - updated_ago))

    reconcile_all(c)
    run_until_idle(c)

    notes = [n["body"] for n in gl.issue(1, 7)["notes"]]
    assert any(REMINDER in n for n in notes) is reminded


def test_every_tracker_polls_a_ticket_created_during_a_long_stop_as_not_new(
    sqlite_url: str, standin_mantis: StandInMantis, standin_znuny: StandInZnuny,
    make_connector: Callable[..., Connector]
) -> None:
    """Mantis and Znuny (Reconcile, not TicketCreate) take `is_new` from the same poll."""
    clock = FakeClock(START)
    c = make_connector(sqlite_url, clock=clock, mantis=standin_mantis, otrs=standin_znuny)

    def at(ago: float, fmt: str) -> str:
        return datetime.fromtimestamp(clock.now() - ago, UTC).strftime(fmt)

    standin_mantis.add_issue(1, updated_at=at(HOUR, "%Y-%m-%dT%H:%M:%SZ"))
    standin_znuny.add_ticket(1, changed=at(HOUR, "%Y-%m-%d %H:%M:%S"))
    reconcile_all(c, "mantis")
    reconcile_all(c, "otrs")
    clock.advance(30 * DAY)  # stopped
    for key, ago in ((7, 29 * DAY), (8, 2 * MINUTE)):
        standin_mantis.add_issue(key, updated_at=at(ago, "%Y-%m-%dT%H:%M:%SZ"))
        standin_znuny.add_ticket(key, changed=at(ago, "%Y-%m-%d %H:%M:%S"))
    reconcile_all(c, "mantis")
    reconcile_all(c, "otrs")

    with reading(c.engine) as conn:
        rows = conn.execute(select(schema.inbox).order_by(schema.inbox.c.id)).all()
    polled = {(row.source, event.ref.key): event.is_new for row in rows
              if (event := c.plugins[row.source].normalize(
                  row.event_name, json.loads(row.payload))) is not None}
    assert {k: v for k, v in polled.items() if k[1] in ("7", "8")} == {
        ("mantis", "7"): False, ("mantis", "8"): True,
        ("otrs", "7"): False, ("otrs", "8"): True}
