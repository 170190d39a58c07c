"""Sevastopol §3.1–3.4 and Appendix 1: a request lacking mandatory items waits in Feedback with
a note naming exactly what is missing; completing it returns it to New."""

from __future__ import annotations

import pytest

from connector.events import Action, TicketEvent, TicketRef
from connector.mappings import Mapping
from connector.rules.engine import Decision, RuleContext, decide
from connector.rules.state import TicketState

REF = TicketRef("mantis", "1", "42")
COMPLETE = {
    "description": "Заявитель: Иванова А.А., врач, ГБУЗ СГБ №1, +7 978 000-00-00\n"
                   "Пользователь: Иванова А.А., логин ivanova\n"
                   "Пациент: Петров П.П., карта 123456\n"
                   "Текст ошибки: «Нет доступа к ЭМК»",
    "steps": "1. Открыть карту\n2. Нажать «Печать»",
    "attachments": ("screen.png",),
}


def request(status: str = "new", *, drop: tuple[str, ...] = (), description: str | None = None,
            steps: str | None = None, attachments: tuple[str, ...] | None = None) -> TicketEvent:
    text = description if description is not None else "\n".join(
        line for line in str(COMPLETE["description"]).splitlines()
        if not any(line.startswith(d) for d in drop))
    return TicketEvent(
        ref=REF, kind="ticket", action="update", actor="reporter", title="Не печатается ЭМК",
        status=status, description=text,
        fields={"steps_to_reproduce": COMPLETE["steps"] if steps is None else steps},
        attachments=COMPLETE["attachments"] if attachments is None else attachments)  # type: ignore[arg-type]


def kinds(decision: Decision) -> list[tuple[str, object]]:
    return [(a.kind, a.params.get("status")) for a in decision.actions]


def note(decision: Decision) -> str:
    [action] = [a for a in decision.actions if a.kind == "add_note"]
    return str(action.params["body"])


def test_complete_request_is_left_alone(sevastopol: Mapping, ctx: RuleContext) -> None:
    assert decide(sevastopol, request(), TicketState(), ctx).actions == []


def test_missing_patient_and_steps_go_to_feedback_naming_both(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    decision = decide(sevastopol, request(drop=("Пациент",), steps=""), TicketState(), ctx)

    assert kinds(decision) == [("set_status", "feedback"), ("add_note", None)]
    text = note(decision)
    assert "— данные пациента (фамилия, инициалы, номер карты)" in text
    assert "— последовательность действий" in text
    assert "заявителя" not in text and "текст ошибки" not in text
    assert all(isinstance(a, Action) and a.target == "mantis" for a in decision.actions)


def test_completing_the_request_returns_it_to_new(sevastopol: Mapping, ctx: RuleContext) -> None:
    held = decide(sevastopol, request(drop=("Пациент",), steps=""), TicketState(), ctx)
    still = decide(sevastopol, request("feedback", drop=("Пациент",)), held.state, ctx)
    done = decide(sevastopol, request("feedback"), still.state, ctx)
    again = decide(sevastopol, request("new"), done.state, ctx)

    assert still.actions == []  # patient still missing: no second note
    assert kinds(done) == [("set_status", "new"), ("add_note", None)]
    assert "возвращена" in note(done)
    assert again.actions == []


def test_only_a_docx_without_description_is_not_a_request(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    decision = decide(sevastopol, request(description="", steps="", attachments=("заявка.docx",)),
                      TicketState(), ctx)
    assert "описание проблемы" in note(decision)


@pytest.mark.parametrize(("status", "acts"), [
    ("acknowledged", False),  # already taken into work: intake is over
    ("assigned", False),
    ("new", True),
])
def test_only_new_requests_are_checked(sevastopol: Mapping, ctx: RuleContext, status: str,
                                       acts: bool) -> None:
    decision = decide(sevastopol, request(status, steps=""), TicketState(), ctx)
    assert bool(decision.actions) is acts


def test_mandatory_items_can_come_from_custom_fields(sevastopol: Mapping,
                                                    ctx: RuleContext) -> None:
    event = request(drop=("Пациент",))
    event.fields["Пациент"] = "Петров П.П., карта 123456"
    assert decide(sevastopol, event, TicketState(), ctx).actions == []


def test_mantis_words_are_translated_both_ways(sevastopol: Mapping, ctx: RuleContext) -> None:
    event = request()
    event.fields["Impact"] = "Minor"
    urgent = TicketEvent(**{**event.__dict__, "priority": "urgent"})
    decision = decide(sevastopol, urgent, TicketState(), ctx)

    [set_priority] = [a for a in decision.actions if a.kind == "set_priority"]
    assert set_priority.params["priority"] == "high"  # Mantis' word for the regulation's High
    assert "«Urgent»" in note(decision) and "«High»" in note(decision)
