"""Mantis dates a change to the second. A request reported at 10:00:00 and sent to «обратная
связь» within that same second (the intake check asks the applicant at once) gives two webhooks
with one tracker time; they may reach the connector in either order. The clock places events by
the tracker's time and, for equal times, «in the order they came in» — so the order of delivery
still decides whether the intake clock ran all weekend (issue 17 item 9: «the order of delivery
never changes a due time»)."""

from __future__ import annotations

from typing import Any

import pytest

from connector.core import Connector
from tests.connector.features.sla.test_order import _webhook, c, deliver, shown
from tests.standins.mantis import StandInMantis

__all__ = ["c"]  # Sevastopol on Mantis; every webhook reaches the connector on Monday 10:35

REPORTED_AND_ASKED = "2026-03-13T07:00:00Z"  # Friday 10:00:00 local, both changes
BACK = "2026-03-16T07:30:00Z"  # Monday 10:30: the applicant answered


def same_second(mantis: StandInMantis) -> dict[str, dict[str, Any]]:
    """The plugin's three webhooks: reported, sent to feedback in the same second, back."""
    mantis.add_issue(7, status="new", reporter="ivanova", updated_at=REPORTED_AND_ASKED)
    sent = {"reported": _webhook("issue_reported", mantis.issue(7), {})}
    for name, at, status in (("asked", REPORTED_AND_ASKED, "feedback"), ("back", BACK, "new")):
        before = mantis.issue(7)["status"]["name"]
        mantis.change_status(7, status, at, by="l1-petrov")
        payload = _webhook("issue_updated", mantis.issue(7),
                           {"status": {"old": before, "new": status}})
        payload["delivery_id"] = f"{name}-{at}"  # two deliveries, one tracker time
        sent[name] = payload
    return sent


@pytest.mark.parametrize("order", [
    pytest.param(["reported", "asked", "back"], id="in order"),
    pytest.param(["asked", "reported", "back"], id="the feedback webhook first"),
])
def test_two_changes_in_one_second_give_the_same_due_time_in_either_order(
        c: Connector, standin_mantis: StandInMantis, order: list[str]) -> None:
    sent = same_second(standin_mantis)
    deliver(c, [sent[name] for name in order])

    text, _ = shown(c)
    # asked the applicant at once: paused from the start; 6:30 on Monday,
    # 1:30 on Tuesday from 08:00
    assert "due (100%): 17.03.2026 09:30 MSK" in text, text
