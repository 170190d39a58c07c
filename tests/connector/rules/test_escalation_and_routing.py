"""Belarus regulation: the `L2` label escalates to the L2 chat (§4.1 item 3); the routing labels
`L1: Infrastructure` and `L1: New client` assign the people configured for them (Appendix A)."""

from __future__ import annotations

import pytest

from connector.events import Action, TicketEvent, TicketRef
from connector.mappings import Mapping, Mappings
from connector.rules.engine import Decision, RuleContext, decide
from connector.rules.state import TicketState
from tests.conftest import ROLES

REF = TicketRef("gitlab", "1", "23")
URL = "https://gitlab.example.com/support/ehr/-/issues/23"
HIGH = "Priority: High"


def issue(*labels: str, state: str = "opened") -> TicketEvent:
    return TicketEvent(ref=REF, kind="ticket", action="update", actor="l1-user",
                       title="Рецепт не печатается", url=URL, state=state, labels=labels,
                       assignees=("l1-user",), author="reporter")


def of_kind(decision: Decision, *kinds: str) -> list[Action]:
    return [a for a in decision.actions if a.kind in kinds]


# --- escalation to L2 ------------------------------------------------------------------------


def test_l2_label_escalates_once_to_the_l2_chat(
    belarus: Mapping, ctx: RuleContext, mappings: Mappings
) -> None:
    event = issue(HIGH, "L2")
    first = decide(belarus, event, TicketState(), ctx)
    again = decide(belarus, event, first.state, ctx)

    [escalate] = of_kind(first, "escalate", "deescalate")
    assert escalate.kind == "escalate"
    assert escalate.target == "chat"
    assert escalate.ticket == REF
    assert escalate.params["channel"] == "l2"
    assert escalate.params["url"] == URL
    # The message itself is rendered when it is sent, with L1's facts fetched from the tracker.
    assert escalate.params["priority"] == HIGH
    assert escalate.params["title"] == event.title
    assert escalate.params["assignees"] == ["l1-user"]
    assert of_kind(again, "escalate", "deescalate") == []


@pytest.mark.parametrize("labels", [
    pytest.param(("Priority: Low", HIGH, "L2"), id="low and high"),
    pytest.param((HIGH, "Priority: Medium", "L2"), id="high and medium, in any order"),
])
def test_escalation_shows_the_priority_that_remains_after_a_conflict(
    belarus: Mapping, ctx: RuleContext, labels: tuple[str, ...]
) -> None:
    decision = decide(belarus, issue(*labels), TicketState(), ctx)
    [escalate] = of_kind(decision, "escalate")
    [fix] = of_kind(decision, "update_labels")
    assert escalate.params["priority"] == HIGH and HIGH not in fix.params["remove"]


def test_notes_are_relayed_only_while_escalated(belarus: Mapping, ctx: RuleContext) -> None:
    note = TicketEvent(ref=REF, kind="note", action="note", actor="l2-engineer",
                       title="Рецепт не печатается", url=URL, note="Проверьте сертификат")
    before = decide(belarus, note, TicketState(), ctx)
    escalated = decide(belarus, issue(HIGH, "L2"), TicketState(), ctx)
    during = decide(belarus, note, escalated.state, ctx)

    assert of_kind(before, "relay_note") == []
    [relay] = of_kind(during, "relay_note")
    assert relay.target == "chat" and relay.params["channel"] == "l2"
    assert "l2-engineer" in relay.params["text"]
    assert "Проверьте сертификат" in relay.params["text"]


def test_removing_the_l2_label_ends_the_escalation(belarus: Mapping, ctx: RuleContext) -> None:
    escalated = decide(belarus, issue(HIGH, "L2"), TicketState(), ctx)
    removed = decide(belarus, issue(HIGH), escalated.state, ctx)
    removed_again = decide(belarus, issue(HIGH), removed.state, ctx)

    [end] = of_kind(removed, "escalate", "deescalate")
    assert end.kind == "deescalate"
    assert end.target == "chat"
    assert end.params["why"] == "label_removed"
    assert end.params["channel"] == "l2"
    assert "Метка L2 снята" in end.params["text"]
    assert of_kind(removed_again, "escalate", "deescalate") == []


def test_closing_an_escalated_issue_ends_the_escalation(
    belarus: Mapping, ctx: RuleContext
) -> None:
    escalated = decide(belarus, issue(HIGH, "L2"), TicketState(), ctx)
    closed = decide(belarus, issue(HIGH, "L2", state="closed"), escalated.state, ctx)

    [end] = of_kind(closed, "escalate", "deescalate")
    assert end.kind == "deescalate"
    assert end.params["why"] == "closed"
    assert "закрыта" in end.params["text"]


def test_without_l2_label_nothing_is_escalated(belarus: Mapping, ctx: RuleContext) -> None:
    decision = decide(belarus, issue(HIGH, "API"), TicketState(), ctx)
    assert of_kind(decision, "escalate", "deescalate") == []


def test_closed_issue_is_not_escalated(belarus: Mapping, ctx: RuleContext) -> None:
    decision = decide(belarus, issue(HIGH, "L2", state="closed"), TicketState(), ctx)
    assert of_kind(decision, "escalate", "deescalate") == []


def test_label_added_again_after_removal_escalates_again(
    belarus: Mapping, ctx: RuleContext
) -> None:
    escalated = decide(belarus, issue(HIGH, "L2"), TicketState(), ctx)
    removed = decide(belarus, issue(HIGH), escalated.state, ctx)
    readded = decide(belarus, issue(HIGH, "L2"), removed.state, ctx)
    assert [a.kind for a in of_kind(readded, "escalate", "deescalate")] == ["escalate"]


# --- routing labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "role"),
    [
        pytest.param("L1: Infrastructure", "infrastructure_owner", id="infrastructure"),
        pytest.param("L1: New client", "new_client_owner", id="new client"),
    ],
)
def test_routing_label_assigns_the_role_once(
    belarus: Mapping, ctx: RuleContext, label: str, role: str
) -> None:
    first = decide(belarus, issue(HIGH, label), TicketState(), ctx)
    again = decide(belarus, issue(HIGH, label), first.state, ctx)

    [assign] = of_kind(first, "assign")
    assert assign.params["username"] == ROLES[role]
    assert assign.params["role"] == role
    assert assign.target == "gitlab"
    assert assign.ticket == REF
    assert of_kind(again, "assign") == []


def test_routing_uses_whoever_the_config_names(belarus: Mapping, mappings: Mappings) -> None:
    ctx = RuleContext(mappings, "ru", {**ROLES, "infrastructure_owner": "a.petrov"})
    [assign] = of_kind(decide(belarus, issue("L1: Infrastructure"), TicketState(), ctx), "assign")
    assert assign.params["username"] == "a.petrov"


def test_routing_label_added_again_assigns_again(belarus: Mapping, ctx: RuleContext) -> None:
    routed = decide(belarus, issue("L1: Infrastructure"), TicketState(), ctx)
    dropped = decide(belarus, issue(), routed.state, ctx)
    readded = decide(belarus, issue("L1: Infrastructure"), dropped.state, ctx)

    assert of_kind(dropped, "assign") == []
    assert len(of_kind(readded, "assign")) == 1


def test_other_labels_assign_nobody(belarus: Mapping, ctx: RuleContext) -> None:
    assert of_kind(decide(belarus, issue(HIGH, "L1", "Infrastructure"), TicketState(), ctx),
                   "assign") == []
