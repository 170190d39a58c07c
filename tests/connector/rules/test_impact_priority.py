"""Sevastopol regulation §4.9–4.10: the impact decides which priorities a request may have.

A priority the impact allows is left alone (L1 may lower within the set); any other is
corrected to the highest allowed one, with a note that says why.
"""

from __future__ import annotations

import pytest

from connector.events import TicketEvent, TicketRef
from connector.mappings import Mapping, Mappings
from connector.rules.engine import Decision, RuleContext, decide
from connector.rules.models import ImpactPriority
from connector.rules.state import TicketState

REF = TicketRef("mantis", "1", "7")
PRIORITIES = ("Urgent", "High", "Normal", "Low")

# REGULATIONS.md §2: impact → (priority → expected priority after the rule; None = no action).
TABLE: dict[str, dict[str, str | None]] = {
    "Blocking": {"Urgent": None, "High": "Urgent", "Normal": "Urgent", "Low": "Urgent"},
    "Critical": {"Urgent": None, "High": "Urgent", "Normal": "Urgent", "Low": "Urgent"},
    "Major": {"Urgent": "High", "High": None, "Normal": "High", "Low": "High"},
    "Minor": {"Urgent": "High", "High": None, "Normal": None, "Low": "High"},
    "Setting": {"Urgent": "Normal", "High": "Normal", "Normal": None, "Low": None},
    "Text/typo": {"Urgent": "Low", "High": "Low", "Normal": "Low", "Low": None},
    "New feature": {"Urgent": "Low", "High": "Low", "Normal": "Low", "Low": None},
}
CASES = [
    pytest.param(impact, priority, expected, id=f"{priority} on {impact}")
    for impact, row in TABLE.items() for priority, expected in row.items()
]


@pytest.fixture(scope="module")
def sevastopol(mappings: Mappings) -> Mapping:
    """The shipped impact table alone, in the regulation's own words (no tracker vocabulary:
    see test_vocabulary.py for how Mantis and OTRS spell them)."""
    shipped = mappings.get("sevastopol-miac")
    rules = [r for r in shipped.rules if isinstance(r, ImpactPriority)]
    return Mapping(name=shipped.name, rules=rules)


def ticket(impact: str | None, priority: str | None) -> TicketEvent:
    return TicketEvent(ref=REF, kind="ticket", action="update", actor="l1-user",
                       title="Не открывается карта пациента", impact=impact, priority=priority)


def corrected_to(decision: Decision) -> str | None:
    """The priority the rule sets, checking it comes with exactly one explaining note."""
    if not decision.actions:
        return None
    set_priority, note = decision.actions
    assert (set_priority.kind, note.kind) == ("set_priority", "add_note")
    assert set_priority.target == note.target == "mantis"
    assert set_priority.ticket == note.ticket == REF
    return str(set_priority.params["priority"])


def test_table_covers_every_impact_and_priority(sevastopol: Mapping) -> None:
    [rule] = sevastopol.rules
    assert isinstance(rule, ImpactPriority)
    assert tuple(rule.priorities) == PRIORITIES
    assert set(TABLE) == set(rule.allowed)
    assert all(tuple(row) == PRIORITIES for row in TABLE.values())


@pytest.mark.parametrize(("impact", "priority", "expected"), CASES)
def test_priority_follows_impact(
    sevastopol: Mapping, ctx: RuleContext, impact: str, priority: str, expected: str | None
) -> None:
    decision = decide(sevastopol, ticket(impact, priority), TicketState(), ctx)
    assert corrected_to(decision) == expected


@pytest.mark.parametrize(
    ("impact", "priority", "expected"),
    [
        pytest.param("Minor", "Urgent", "High", id="urgent on minor is lowered to high"),
        pytest.param("Minor", "Low", "High", id="low on minor is raised to the highest allowed"),
        pytest.param("Setting", "Normal", None, id="lowering within the set is allowed"),
        pytest.param("Critical", "Low", "Urgent", id="low on critical becomes urgent"),
    ],
)
def test_regulation_examples(
    sevastopol: Mapping, ctx: RuleContext, impact: str, priority: str, expected: str | None
) -> None:
    assert corrected_to(decide(sevastopol, ticket(impact, priority), TicketState(), ctx)) \
        == expected


def test_correction_note_explains_it(sevastopol: Mapping, ctx: RuleContext) -> None:
    """The issue's done-when: Urgent on Minor is set to High and a note says why."""
    set_priority, note = decide(sevastopol, ticket("Minor", "Urgent"), TicketState(), ctx).actions

    assert set_priority.params == {"priority": "High", "was": "Urgent"}
    body = note.params["body"]
    assert "не допускается для влияния «Minor»" in body
    assert "«Urgent»" in body
    assert "исправлен на «High»" in body
    assert "High, Normal" in body


def test_correction_note_in_english(sevastopol: Mapping, mappings: Mappings) -> None:
    ctx = RuleContext(mappings.templates, "en", {})
    _, note = decide(sevastopol, ticket("Minor", "Urgent"), TicketState(), ctx).actions
    assert 'Priority "Urgent" is not allowed for impact "Minor"' in note.params["body"]
    assert 'corrected to "High"' in note.params["body"]


def test_same_wrong_combination_is_corrected_once(sevastopol: Mapping, ctx: RuleContext) -> None:
    first = decide(sevastopol, ticket("Minor", "Urgent"), TicketState(), ctx)
    again = decide(sevastopol, ticket("Minor", "Urgent"), first.state, ctx)
    assert corrected_to(first) == "High"
    assert again.actions == []


def test_wrong_priority_set_again_after_fix_is_corrected_again(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    first = decide(sevastopol, ticket("Minor", "Urgent"), TicketState(), ctx)
    fixed = decide(sevastopol, ticket("Minor", "High"), first.state, ctx)
    again = decide(sevastopol, ticket("Minor", "Urgent"), fixed.state, ctx)
    assert fixed.actions == []
    assert corrected_to(again) == "High"


@pytest.mark.parametrize(
    ("impact", "priority"),
    [
        pytest.param("Catastrophic", "Low", id="impact unknown to the table"),
        pytest.param(None, "Urgent", id="no impact"),
        pytest.param("Minor", None, id="no priority"),
    ],
)
def test_nothing_to_check_means_no_action(
    sevastopol: Mapping, ctx: RuleContext, impact: str | None, priority: str | None
) -> None:
    assert decide(sevastopol, ticket(impact, priority), TicketState(), ctx).actions == []
