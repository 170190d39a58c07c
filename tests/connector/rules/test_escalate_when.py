"""Escalation triggers for Mantis and OTRS are data: a status, a handler group or a custom field
(Sevastopol: escalate_when). While the condition holds the ticket is in the L2 chat."""

from __future__ import annotations

import pytest

from connector.events import TicketEvent, TicketRef
from connector.mappings import Mapping
from connector.rules.engine import RuleContext, decide
from connector.rules.models import Condition, EscalateWhen
from connector.rules.state import TicketState

REF = TicketRef("mantis", "1", "42")


def ticket(**kw: object) -> TicketEvent:
    base: dict[str, object] = {"ref": REF, "kind": "ticket", "action": "update", "actor": "l1",
                               "title": "ЭМК", "status": "acknowledged"}
    return TicketEvent(**{**base, **kw})  # type: ignore[arg-type]


def mapping(when: Condition) -> Mapping:
    return Mapping(name="t", rules=[EscalateWhen(type="escalate_when", when=when, channel="l2")])


@pytest.mark.parametrize(("when", "on", "off"), [
    pytest.param(Condition(status="acknowledged"), ticket(), ticket(status="assigned"),
                 id="status"),
    pytest.param(Condition(handler_in=["l2-ivanov", "l2-petrov"]), ticket(handler="l2-petrov"),
                 ticket(handler="l1-sidorova"), id="handler group"),
    pytest.param(Condition(field={"Линия": "L2"}), ticket(fields={"Линия": "L2"}),
                 ticket(fields={"Линия": "L1"}), id="custom field"),
])
def test_condition_starts_and_ends_the_escalation(
    ctx: RuleContext, when: Condition, on: TicketEvent, off: TicketEvent
) -> None:
    rules = mapping(when)
    started = decide(rules, on, TicketState(), ctx)
    again = decide(rules, on, started.state, ctx)
    ended = decide(rules, off, again.state, ctx)

    assert [a.kind for a in started.actions] == ["escalate"]
    assert again.actions == []
    assert [a.kind for a in ended.actions] == ["deescalate"]
    assert "больше не на второй линии" in ended.actions[0].params["text"]


def test_shipped_sevastopol_mapping_escalates_on_the_line_field(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    event = ticket(status="assigned", fields={"Линия": "L2", "steps_to_reproduce": "1."})
    kinds = [a.kind for a in decide(sevastopol, event, TicketState(), ctx).actions]
    assert "escalate" in kinds


def test_condition_needs_exactly_one_trigger() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Condition(status="acknowledged", handler_in=["x"])
