"""Belarus regulation, Appendix A / §4.1: an issue carries exactly one priority label, and the
head of support assigns a responsible L1 on every new issue.

On a conflict the highest label stays and the others are removed with a note; a new issue
without a priority label or without an assignee gets one reminder naming what it lacks.
"""

from __future__ import annotations

import pytest

from connector.config import Config
from connector.events import Action, TicketEvent, TicketRef
from connector.mappings import Mapping, Mappings
from connector.rules.engine import Decision, RuleContext, decide
from connector.rules.state import TicketState
from tests.conftest import ROLES

LOW, MEDIUM, HIGH = "Priority: Low", "Priority: Medium", "Priority: High"
REF = TicketRef("gitlab", "1", "23")
RULE = "single_priority_label"


def issue(*labels: str, is_new: bool = False, updated_at: str = "",
          assignees: tuple[str, ...] = ("l1-ivanova",)) -> TicketEvent:
    return TicketEvent(ref=REF, kind="ticket", action="open" if is_new else "update",
                       actor="l1-user", title="Рецепт не печатается", labels=labels,
                       is_new=is_new, updated_at=updated_at, assignees=assignees)


def priority_actions(decision: Decision) -> list[Action]:
    return [a for a in decision.actions if a.reason == RULE]


def removed_labels(decision: Decision) -> list[str]:
    return [label for a in priority_actions(decision) if a.kind == "update_labels"
            for label in a.params["remove"]]


def notes(decision: Decision) -> list[str]:
    return [a.params["body"] for a in priority_actions(decision) if a.kind == "add_note"]


@pytest.mark.parametrize(
    ("labels", "removed", "kept"),
    [
        pytest.param((LOW, HIGH), [LOW], HIGH, id="low+high keeps high"),
        pytest.param((HIGH, LOW), [LOW], HIGH, id="order of labels does not matter"),
        pytest.param((LOW, MEDIUM), [LOW], MEDIUM, id="low+medium keeps medium"),
        pytest.param((MEDIUM, HIGH), [MEDIUM], HIGH, id="medium+high keeps high"),
        pytest.param((LOW, MEDIUM, HIGH), [LOW, MEDIUM], HIGH, id="all three keep high"),
        pytest.param(("API", LOW, "Backend", HIGH), [LOW], HIGH, id="other labels untouched"),
    ],
)
def test_conflicting_priority_labels_keep_only_the_highest(
    belarus: Mapping, ctx: RuleContext, labels: tuple[str, ...], removed: list[str], kept: str
) -> None:
    decision = decide(belarus, issue(*labels), TicketState(), ctx)

    assert removed_labels(decision) == removed
    assert kept not in removed_labels(decision)
    [note] = notes(decision)
    assert kept in note
    assert all(label in note for label in removed)
    assert all(a.target == "gitlab" and a.ticket == REF for a in priority_actions(decision))


@pytest.mark.parametrize("label", [LOW, MEDIUM, HIGH])
def test_exactly_one_priority_label_needs_nothing(
    belarus: Mapping, ctx: RuleContext, label: str
) -> None:
    for is_new in (True, False):
        assert priority_actions(decide(belarus, issue("API", label, is_new=is_new),
                                       TicketState(), ctx)) == []


def test_new_issue_without_priority_gets_one_reminder(belarus: Mapping, ctx: RuleContext) -> None:
    first = decide(belarus, issue("API", is_new=True), TicketState(), ctx)
    again = decide(belarus, issue("API", is_new=True), first.state, ctx)

    [reminder] = notes(first)
    assert all(label in reminder for label in (LOW, MEDIUM, HIGH))
    assert removed_labels(first) == []
    assert priority_actions(again) == []


@pytest.mark.parametrize(("labels", "assignees", "lacks"), [
    pytest.param(("API",), (), ["метку приоритета", "назначить ответственного"], id="both"),
    pytest.param((MEDIUM,), (), ["назначить ответственного"], id="no responsible L1"),
    pytest.param(("API",), ("l1-ivanova",), ["метку приоритета"], id="no priority label"),
])
def test_reminder_names_exactly_what_the_new_issue_lacks(
    belarus: Mapping, ctx: RuleContext, labels: tuple[str, ...], assignees: tuple[str, ...],
    lacks: list[str]
) -> None:
    [reminder] = notes(decide(belarus, issue(*labels, is_new=True, assignees=assignees),
                              TicketState(), ctx))
    assert "п. 4.1" in reminder and "#23" in reminder
    assert [phrase for phrase in ("метку приоритета", "назначить ответственного")
            if phrase in reminder] == lacks


def test_update_without_priority_is_not_reminded(belarus: Mapping, ctx: RuleContext) -> None:
    assert priority_actions(decide(belarus, issue("API", assignees=()), TicketState(),
                                   ctx)) == []


def test_repeated_conflict_event_adds_no_second_note(belarus: Mapping, ctx: RuleContext) -> None:
    event = issue(LOW, HIGH, updated_at="2024-05-01T10:00:00Z")
    first = decide(belarus, event, TicketState(), ctx)
    again = decide(belarus, event, first.state, ctx)

    assert len(notes(first)) == 1
    assert priority_actions(again) == []


def test_conflict_reintroduced_after_fix_is_corrected_again(
    belarus: Mapping, ctx: RuleContext
) -> None:
    conflict = decide(belarus, issue(LOW, HIGH), TicketState(), ctx)
    fixed = decide(belarus, issue(HIGH), conflict.state, ctx)
    reintroduced = decide(belarus, issue(LOW, HIGH), fixed.state, ctx)

    assert priority_actions(fixed) == []
    assert removed_labels(reintroduced) == [LOW]
    assert len(notes(reintroduced)) == 1


@pytest.mark.parametrize(
    ("language", "conflict_phrase", "reminder_phrase"),
    [
        pytest.param("ru", "оставлена наивысшая", "установить одну метку приоритета", id="ru"),
        pytest.param("en", "the highest stays", "set one priority label", id="en"),
    ],
)
def test_notes_speak_the_configured_language(
    belarus: Mapping, mappings: Mappings, language: str, conflict_phrase: str,
    reminder_phrase: str,
) -> None:
    ctx = RuleContext(mappings, language, ROLES)

    [conflict] = notes(decide(belarus, issue(LOW, HIGH), TicketState(), ctx))
    [reminder] = notes(decide(belarus, issue(is_new=True), TicketState(), ctx))

    assert conflict_phrase in conflict
    assert reminder_phrase in reminder


def test_russian_is_the_default_language() -> None:
    assert Config.model_validate({}).language == "ru"
