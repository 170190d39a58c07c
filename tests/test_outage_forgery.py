"""Presses and forms only a signed request could forge are refused anyway (the signing secret
may leak): a button acts only when the connector put it on that very message, and a form is
answered only by the person it was opened for, for the outage and stage it was opened in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector.clock import FakeClock
from tests.drive import post_slack, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.test_outage import DUTY, HEAD, OWNER, PHARMACY, Outage
from tests.test_outage_closing import (
    CONCLUSION,
    button,
    clock,
    conclude,
    restored,
    submit,
    world,
)

__all__ = ["clock", "world"]  # the fixtures: Belarus on GitLab and Slack, a frozen clock


def intro(world: Outage) -> dict[str, Any]:
    """The room's first message: the connector posted it, with no buttons on it."""
    return world.slack.messages(world.room()["id"])[0]


def forged_submission(world: Outage, user: str, form_id: str, values: dict[str, str]) -> None:
    """A view_submission for a modal nobody opened for `user` (correctly signed)."""
    view = {"id": f"V0FORGED{user}", "hash": "1.x", "team_id": "T1", "callback_id": form_id,
            "state": {"values": {k: {k: {"value": v}} for k, v in values.items()}}}
    payload = {"type": "view_submission", "user": {"id": user}, "view": view}
    answer = post_slack(world.client, "/webhooks/slack/interactions",
                        f"payload={json.dumps(payload)}".encode(),
                        content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    run_until_idle(world.c)


def test_a_related_answer_on_a_message_the_connector_never_asked_on_is_refused(
        world: Outage) -> None:
    world.declare()
    world.press_on(intro(world), "hdc:outage:hit:1:0", PHARMACY)
    assert "related" not in [kind for kind, _, _ in world.timeline()]
    assert world.slack.responses[-1]["response_type"] == "ephemeral"


@pytest.mark.parametrize("decision", ["hdc:outage:close:1:0", "hdc:outage:close:1:2"])
def test_a_closing_decision_off_the_status_message_is_refused(
        world: Outage, clock: FakeClock, decision: str) -> None:
    restored(world, clock)
    conclude(world)
    world.press(4, OWNER)  # → Заключение: the decisions are on the status now
    world.press_on(intro(world), decision, HEAD)
    assert world.gl.issue(1, 23)["state"] == "opened"
    assert world.slack.views[-1]["callback_id"] != "hdc:outage:closing:1"


def test_a_picked_problem_must_be_one_the_connector_offered_there(
        world: Outage, clock: FakeClock, standin_gitlab: StandInGitLab) -> None:
    from connector.events import TicketRef
    from connector.features.outage import store as outages
    from connector.features.outage.problems import KIND
    restored(world, clock)
    with world.c.engine.begin() as conn:
        pid = outages.declare(conn, str(TicketRef("gitlab", "1", "40")), "belarus-ehr",
                              "erp-api", "analysis", KIND)
    standin_gitlab.add_issue(1, 40, labels=["Проблема"])
    conclude(world)
    world.press(4, OWNER)
    world.press_on(world.status(), f"hdc:outage:close:1:{3 + pid}", HEAD)  # never offered
    assert world.gl.issue(1, 23)["state"] == "opened"


def test_a_conclusion_nobody_asked_for_records_nothing(world: Outage, clock: FakeClock) -> None:
    restored(world, clock)
    forged_submission(world, OWNER, "hdc:outage:conclusion:1", CONCLUSION)
    assert "conclusion" not in [kind for kind, _, _ in world.timeline()]


def test_a_conclusion_is_taken_from_the_presser_only(world: Outage, clock: FakeClock) -> None:
    restored(world, clock)
    world.press_on(world.status(), button(world, "📝 Заключение"), OWNER)
    forged_submission(world, DUTY, "hdc:outage:conclusion:1", CONCLUSION)
    assert "conclusion" not in [kind for kind, _, _ in world.timeline()]
    submit(world, OWNER, CONCLUSION)
    assert [kind for kind, _, _ in world.timeline()].count("conclusion") == 1


def test_a_form_opened_in_one_stage_is_not_answered_in_another(
        world: Outage, clock: FakeClock) -> None:
    """The closing comment was asked in «Заключение»; a form opened before it moved on (here:
    the conclusion's, opened at «Восстановлено») takes no answers after."""
    restored(world, clock)
    world.press_on(world.status(), button(world, "📝 Заключение"), OWNER)
    [opened] = world.slack.views[-1:]
    with world.c.engine.begin() as conn:  # another process moved it on meanwhile
        from connector.features.outage import store as outages
        assert outages.move(conn, 1, "restored", "fixing")
    body = f"payload={json.dumps(world.slack.submission(opened['id'], OWNER, CONCLUSION))}"
    post_slack(world.client, "/webhooks/slack/interactions", body.encode(),
               content_type="application/x-www-form-urlencoded")
    run_until_idle(world.c)
    assert "conclusion" not in [kind for kind, _, _ in world.timeline()]
