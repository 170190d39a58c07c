"""The Mantis adapter against a stand-in answering as MantisBT 2.x's REST API."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from pydantic import SecretStr

from connector.errors import PermanentActionError, RetryableActionError
from connector.events import Action, TicketRef
from connector.store.outbox import OutboxItem
from plugins.mantis.config import MantisConfig
from plugins.mantis.tracker import MantisTracker
from tests.standins.mantis import StandInMantis


@pytest.fixture
def tracker(standin_mantis: StandInMantis) -> MantisTracker:
    standin_mantis.add_issue(42, summary="ЭМК", custom_fields={"Impact": "Minor"})
    standin_mantis.add_issue(43, summary="Другая")
    return MantisTracker(MantisConfig(base_url=standin_mantis.url,
                                      token=SecretStr(standin_mantis.token),
                                      webhook_secret=SecretStr("s")))


def item(kind: str, params: dict[str, Any], attempt: int = 1) -> OutboxItem:
    return OutboxItem(id=1, idempotency_key=f"k-{kind}", attempt=attempt, created_at=0.0,
                      action=Action(kind, "mantis", TicketRef("mantis", "1", "42"),  # type: ignore[arg-type]
                                    params, "test"))


@pytest.mark.parametrize(("kind", "params", "check"), [
    ("set_status", {"status": "feedback"}, lambda i: i["status"]["name"] == "feedback"),
    ("set_priority", {"priority": "high"}, lambda i: i["priority"]["name"] == "high"),
    ("set_field", {"field": "Impact", "value": "Major"},
     lambda i: {"field": {"id": i["custom_fields"][0]["field"]["id"], "name": "Impact"},
                "value": "Major"} in i["custom_fields"]),
    ("update_labels", {"add": ["L2"], "remove": []},
     lambda i: [t["name"] for t in i.get("tags", [])] == ["L2"]),
    ("link", {"target": "43"}, lambda i: len(i.get("relationships", [])) == 1),
])
def test_write_back_lands_on_the_issue(tracker: MantisTracker, standin_mantis: StandInMantis,
                                       kind: str, params: dict[str, Any], check: Any) -> None:
    tracker.perform(item(kind, params))
    assert check(standin_mantis.issue(42))
    assert all(r.headers.get("authorization") == standin_mantis.token
               for r in standin_mantis.requests)  # the raw token, not "Bearer …"


def test_note_is_not_repeated_by_a_retry(tracker: MantisTracker,
                                        standin_mantis: StandInMantis) -> None:
    tracker.perform(item("add_note", {"body": "Заявка принята"}))
    tracker.perform(item("add_note", {"body": "Заявка принята"}, attempt=2))
    assert [n["text"] for n in standin_mantis.issue(42)["notes"]] == ["Заявка принята"]


def test_unknown_status_name_is_a_permanent_failure(tracker: MantisTracker) -> None:
    with pytest.raises(PermanentActionError, match="no status named 'waiting'"):
        tracker.perform(item("set_status", {"status": "waiting"}))


@pytest.mark.parametrize(("status", "error"), [(503, RetryableActionError),
                                               (429, RetryableActionError),
                                               (404, PermanentActionError)])
def test_failures_are_classified(tracker: MantisTracker, standin_mantis: StandInMantis,
                                 status: int, error: type[Exception]) -> None:
    standin_mantis.fail_next("PATCH", r"/issues/42$", status)
    with pytest.raises(error):
        tracker.perform(item("set_priority", {"priority": "high"}))


def test_recent_changes_are_listed_oldest_first(tracker: MantisTracker) -> None:
    changes = list(tracker.list_changes("1", "2000-01-01T00:00:00.000000Z"))
    assert [c.key for c in changes] == ["42", "43"]
    assert changes[0].payload["_url"].endswith("/view.php?id=42")


def test_a_retried_create_finds_the_issue_even_beyond_the_first_page(
    tracker: MantisTracker, standin_mantis: StandInMantis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first attempt's issue was created, then more than a page of others updated."""
    monkeypatch.setattr("plugins.mantis.tracker.PAGE", 5)
    create = OutboxItem(id=7, idempotency_key="k-create", attempt=1, created_at=time.time(),
                        action=Action("create_issue", "mantis", TicketRef("mantis", "1", "new"),
                                      {"title": "Авария", "description": "Сбой"}, "test"))
    first = tracker.perform(create)
    for issue_id in range(100, 112):
        standin_mantis.add_issue(issue_id, summary=f"Другая {issue_id}")
    again = tracker.perform(replace(create, attempt=2))
    assert again.result == first.result
    assert sum(i["summary"] == "Авария" for i in
               (standin_mantis.issue(n) for n in [first.result["iid"], *range(100, 112)])) == 1
    assert len([r for r in standin_mantis.requests if r.method == "POST"
                and r.path == "/issues"]) == 1
