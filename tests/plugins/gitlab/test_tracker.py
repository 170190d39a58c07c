"""The GitLab adapter: what each action sends, how failures are classified, and how a retry
checks that an earlier attempt already landed instead of writing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pydantic import SecretStr

from connector.errors import PermanentActionError, RetryableActionError
from connector.events import Action, TicketRef
from connector.store.outbox import OutboxItem
from plugins.gitlab.config import GitLabConfig
from plugins.gitlab.tracker import GitLabTracker, note_marker
from plugins.http import parse_retry_after
from tests.standins.gitlab import StandInGitLab

REF = TicketRef("gitlab", "1", "23")


def tracker(gl: StandInGitLab, token: str | None = None) -> GitLabTracker:
    return GitLabTracker(GitLabConfig(base_url=gl.url, token=SecretStr(token or gl.token),
                                      webhook_secret=SecretStr("x")))


def item(kind: str, params: dict[str, object], attempt: int = 1) -> OutboxItem:
    return OutboxItem(id=1, idempotency_key=f"key-{kind}", attempt=attempt, created_at=0.0,
                      action=Action(kind, "gitlab", REF, params, "test"))  # type: ignore[arg-type]


def test_labels_are_added_and_removed_in_one_request(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23, labels=["Priority: Low", "Priority: High"])
    tracker(standin_gitlab).perform(item("update_labels", {"add": ["L2"],
                                                            "remove": ["Priority: Low"]}))
    assert standin_gitlab.issue(1, 23)["labels"] == ["L2", "Priority: High"]
    assert len(standin_gitlab.writes("PUT")) == 1


def test_retried_label_change_already_applied_is_not_sent_again(
    standin_gitlab: StandInGitLab,
) -> None:
    standin_gitlab.add_issue(1, 23, labels=["Priority: High"])
    tracker(standin_gitlab).perform(item("update_labels", {"add": [], "remove": ["Priority: Low"]},
                                         attempt=2))
    assert standin_gitlab.writes() == []


def test_note_carries_an_invisible_marker_and_is_not_repeated(
    standin_gitlab: StandInGitLab,
) -> None:
    standin_gitlab.add_issue(1, 23)
    t = tracker(standin_gitlab)
    t.perform(item("add_note", {"body": "Текст"}))
    t.perform(item("add_note", {"body": "Текст"}, attempt=2))  # the first one did land
    notes = standin_gitlab.issue(1, 23)["notes"]
    assert len(notes) == 1
    assert notes[0]["body"].startswith("Текст") and note_marker("key-add_note") in notes[0]["body"]


def test_assign_resolves_the_username(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    standin_gitlab.add_user("infra-head", 41)
    tracker(standin_gitlab).perform(item("assign", {"username": "infra-head"}))
    assert standin_gitlab.issue(1, 23)["assignee_ids"] == [41]


@pytest.mark.parametrize(("kind", "params", "setup", "reason"), [
    ("set_priority", {"priority": "High"}, None, "GitLab cannot set_priority"),
    ("add_note", {"body": "x"}, ("POST", 404, {"message": "404 Issue Not Found"}),
     "GitLab answered 404"),
    ("update_labels", {"add": ["x"], "remove": []}, ("PUT", 403, {"message": "403 Forbidden"}),
     "GitLab answered 403: 403 Forbidden"),
])
def test_refusals_are_permanent(standin_gitlab: StandInGitLab, kind: str,
                                params: dict[str, object], setup: tuple[str, int, dict[str, str]]
                                | None, reason: str) -> None:
    standin_gitlab.add_issue(1, 23)
    if setup:
        standin_gitlab.fail_next(setup[0], r"/issues/23", setup[1], body=setup[2])
    with pytest.raises(PermanentActionError, match=reason):
        tracker(standin_gitlab).perform(item(kind, params))


def test_wrong_token_is_permanent(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    with pytest.raises(PermanentActionError, match="refused the token"):
        tracker(standin_gitlab, "glpat-wrong").perform(item("add_note", {"body": "x"}))


def test_unknown_user_is_permanent(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    with pytest.raises(PermanentActionError, match="no GitLab user named 'nobody'"):
        tracker(standin_gitlab).perform(item("assign", {"username": "nobody"}))


@pytest.mark.parametrize(("status", "headers", "retry_after"), [
    (429, {"Retry-After": "7"}, 7.0),
    (429, {}, None),
    (503, {}, None),
])
def test_transient_failures_are_retryable(standin_gitlab: StandInGitLab, status: int,
                                          headers: dict[str, str],
                                          retry_after: float | None) -> None:
    standin_gitlab.add_issue(1, 23)
    standin_gitlab.fail_next("POST", r"/notes$", status, headers=headers)
    with pytest.raises(RetryableActionError) as caught:
        tracker(standin_gitlab).perform(item("add_note", {"body": "x"}))
    assert caught.value.retry_after == retry_after
    assert len(standin_gitlab.requests) == 1  # the SDK itself did not retry


def test_retry_after_accepts_http_dates() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (parse_retry_after(later) or 0) <= 30
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("-3") == 0.0


def test_changes_are_listed_oldest_first_with_canonical_times(
    standin_gitlab: StandInGitLab,
) -> None:
    standin_gitlab.add_issue(1, 1, updated_at="2026-11-20T10:00:00Z")
    standin_gitlab.add_issue(1, 2, updated_at="2026-11-21T10:00:00Z")
    standin_gitlab.add_issue(1, 3, updated_at="2026-11-19T10:00:00Z")
    changes = list(tracker(standin_gitlab).list_changes("1", "2026-11-20T00:00:00.000000Z"))
    assert [(ch.key, ch.updated_at) for ch in changes] == [
        ("1", "2026-11-20T10:00:00.000000Z"), ("2", "2026-11-21T10:00:00.000000Z")]
