"""Mantis' issue history read back into what the issue was after each change: status,
priority, severity and category (what Sevastopol declares an outage by), the handler and tags
— each snapshot the issue as it was then — and the issues open now, for outages from
history."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from connector.adapters import Snapshot
from connector.clock import FakeClock
from connector.events import Action, TicketRef
from connector.store.outbox import OutboxItem
from connector.timestamps import canonical, to_epoch
from plugins.mantis.config import MantisConfig
from plugins.mantis.tracker import MantisTracker
from tests.standins.mantis import StandInMantis

REF = TicketRef("mantis", "1", "7")


def at(hhmm: str) -> str:
    return f"2026-03-02T{hhmm}:00Z"


@pytest.fixture
def tracker(standin_mantis: StandInMantis) -> MantisTracker:
    return MantisTracker(MantisConfig(base_url=standin_mantis.url,
                                      token=SecretStr(standin_mantis.token),
                                      webhook_secret=SecretStr("s")))


def tags(tracker: MantisTracker, add: list[str], remove: list[str]) -> None:
    tracker.perform(OutboxItem(id=1, idempotency_key="k", attempt=1, created_at=0.0,
                               action=Action("update_labels", "mantis", REF,
                                             {"add": add, "remove": remove}, "test")))


def test_each_snapshot_is_the_issue_as_it_was_then(
        tracker: MantisTracker, standin_mantis: StandInMantis) -> None:
    clock = FakeClock(to_epoch(canonical(at("07:00"))))
    standin_mantis.use_clock(clock)
    standin_mantis.add_issue(7, category="General", severity="minor", priority="normal")
    standin_mantis.add_issue(99, category="Массовый сбой")  # the category exists in Mantis
    standin_mantis.change_at(7, at("07:10"), category="Массовый сбой", severity="crash")
    standin_mantis.change_at(7, at("07:20"), status="assigned", priority="immediate")
    clock.set(to_epoch(canonical(at("07:30"))))
    tags(tracker, ["Сбой"], [])  # POST /issues/7/tags
    clock.set(to_epoch(canonical(at("07:40"))))
    tags(tracker, [], ["Сбой"])  # DELETE /issues/7/tags/{id}
    standin_mantis.change_at(7, at("07:50"), category="General", severity="minor",
                             status="closed")

    history = tracker.ticket_history(REF)

    def seen(s: Snapshot) -> tuple[str, str | None, str | None, str, str, tuple[str, ...]]:
        return (s.at[11:16], s.status, s.priority, s.category, s.fields["severity"], s.labels)

    assert [seen(s) for s in history] == [
        ("07:00", "new", "normal", "General", "minor", ()),
        ("07:10", "new", "normal", "Массовый сбой", "crash", ()),  # one edit, one snapshot
        ("07:20", "assigned", "immediate", "Массовый сбой", "crash", ()),
        ("07:30", "assigned", "immediate", "Массовый сбой", "crash", ("Сбой",)),
        ("07:40", "assigned", "immediate", "Массовый сбой", "crash", ()),
        ("07:50", "closed", "immediate", "General", "minor", ())]
    assert [s.state for s in history][-2:] == ["opened", "closed"]


def test_custom_fields_and_the_handler_are_read_back_too(
        tracker: MantisTracker, standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(7, custom_fields={"Impact": "Minor"}, updated_at=at("07:00"))
    standin_mantis.add_user("sev-owner", 31)
    tracker.perform(OutboxItem(id=1, idempotency_key="k", attempt=1, created_at=0.0,
                               action=Action("set_field", "mantis", REF,
                                             {"field": "Impact", "value": "Major"}, "test")))
    tracker.perform(OutboxItem(id=2, idempotency_key="j", attempt=1, created_at=0.0,
                               action=Action("assign", "mantis", REF,
                                             {"username": "sev-owner"}, "test")))

    history = tracker.ticket_history(REF)

    assert [(s.fields["Impact"], s.assigned) for s in history] == [
        ("Minor", False), ("Major", False), ("Major", True)]


def test_the_issues_open_now_are_every_one_not_closed(
        tracker: MantisTracker, standin_mantis: StandInMantis) -> None:
    for iid, status in ((7, "closed"), (8, "resolved"), (9, "new")):
        standin_mantis.add_issue(iid, status=status)
    assert [c.key for c in tracker.list_open("1")] == ["8", "9"]
