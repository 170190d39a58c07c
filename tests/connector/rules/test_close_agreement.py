"""Belarus §4.1: «После устранения проблемы сотрудник службы технической поддержки по
согласованию с руководителем службы технической поддержки закрывает задачу». The agreement the
tracker can show: the head closing the issue, or the head's comment on it before. Closed
otherwise, the issue gets one reminder naming the head; an accident closes by its own
decisions; a closing the tracker does not attribute (a poll) is not judged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from connector.events import TicketEvent, TicketRef
from connector.mappings import Mapping
from connector.rules.engine import RuleContext, decide
from connector.rules.state import TicketState
from tests.conftest import ROLES

REF = TicketRef("gitlab", "1", "23")
HEAD = ROLES["head_of_support"]
OPEN = TicketEvent(ref=REF, kind="ticket", action="update", actor="l1-user",
                   title="Рецепт не печатается", state="opened",
                   labels=("Priority: Medium",), assignees=("l1-user",), author="reporter")


def closed(by: str, *labels: str) -> TicketEvent:
    return replace(OPEN, action="close", actor=by, state="closed",
                   labels=OPEN.labels + labels)


def note(by: str) -> TicketEvent:
    return replace(OPEN, kind="note", action="note", actor=by, note="Согласовано, закрывайте")


# (what happened on the issue, in order; whether its closing gets the §4.1 reminder)
CASES = [
    pytest.param([closed("l1-user")], True, id="L1 closes, no word from the head"),
    pytest.param([note(HEAD), closed("l1-user")], False, id="the head commented first"),
    pytest.param([note("l2-dev"), closed("l1-user")], True, id="someone else commented"),
    pytest.param([closed(HEAD)], False, id="the head closes it"),
    pytest.param([closed("l1-user", "Accident")], False, id="an accident: its own decisions"),
    pytest.param([replace(closed("l1-user"), action="sync", actor="")], False,
                 id="a poll: who closed it is not known"),
    pytest.param([replace(closed("helpdesk-bot"), own=True)], False, id="the connector"),
]


@pytest.mark.parametrize(("events", "reminded"), CASES)
def test_section_4_1_a_closing_without_the_heads_agreement_is_reminded(
        belarus: Mapping, ctx: RuleContext, events: list[TicketEvent], reminded: bool) -> None:
    state, notes = TicketState(), []
    for event in [OPEN, *events]:
        decision = decide(belarus, event, state, ctx)
        state = decision.state
        notes += [a.params["body"] for a in decision.actions
                  if a.reason == "close_agreement"]

    assert len(notes) == (1 if reminded else 0)
    if reminded:
        assert f"@{HEAD}" in notes[0] and "п. 4.1" in notes[0] and "#23" in notes[0]


def test_the_reminder_is_once_even_when_the_closing_comes_again(
        belarus: Mapping, ctx: RuleContext) -> None:
    """GitLab redelivers the close; L1 reopens and closes again: one reminder per issue."""
    state, count = TicketState(), 0
    for event in [OPEN, closed("l1-user"), closed("l1-user"),
                  replace(OPEN, action="reopen"), closed("l1-user")]:
        decision = decide(belarus, event, state, ctx)
        state = decision.state
        count += sum(a.reason == "close_agreement" for a in decision.actions)
    assert count == 1
