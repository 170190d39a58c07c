"""Sevastopol §3.1–3.5, Appendix 1, §2.9: a problem report lacking a row of the form waits in
«Обратная связь» with a note naming exactly what is missing; the applicant completes it in the
request or in a note, and it returns to «Новая».

Events are what the Mantis normaliser reports, in MantisBT's own words (status `new`,
severity `minor`…); the rule speaks the regulation's («Новая», «Малое»).
"""

from __future__ import annotations

import dataclasses

import pytest

from connector.conditions import When
from connector.events import Action, Attachment, Person, TicketEvent, TicketRef
from connector.mappings import Mapping
from connector.rules.engine import Decision, RuleContext, decide
from connector.rules.state import TicketState
from tests.appendix1 import FORM, ROWS, without

REF = TicketRef("mantis", "1", "42")
APPLICANT = "ivanova"
PNG = (Attachment("ошибка.png", 200_000),)


def request(description: str = FORM, *, status: str = "new", files: tuple[Attachment, ...] = PNG,
            severity: str = "minor", category: str = "General", is_new: bool = False,
            fields: dict[str, str] | None = None, supplements: tuple[str, ...] = (),
            kind: str = "ticket", status_by: Person | None = None,
            priority: str = "normal") -> TicketEvent:
    return TicketEvent(
        ref=REF, kind=kind, action="note" if kind == "note" else "update", actor=APPLICANT,
        author=APPLICANT, title="Ошибка записи к логопеду", status=status, priority=priority,
        description=description, category=category, attachments=files, is_new=is_new,
        fields={"severity": severity, **(fields or {})}, supplements=supplements,
        note=supplements[0] if kind == "note" and supplements else None,
        changed_by={"status": status_by} if status_by else {})


def kinds(decision: Decision) -> list[tuple[str, object]]:
    return [(a.kind, a.params.get("status")) for a in decision.actions]


def note(decision: Decision) -> str:
    [body] = [a.params["body"] for a in decision.actions if a.kind == "add_note"]
    return str(body)


def held(sevastopol: Mapping, ctx: RuleContext, description: str) -> Decision:
    decision = decide(sevastopol, request(description, is_new=True), TicketState(), ctx)
    assert kinds(decision) == [("set_status", "feedback"), ("add_note", None)]
    return decision


def test_request_written_exactly_as_appendix_1_is_left_alone(sevastopol: Mapping,
                                                             ctx: RuleContext) -> None:
    assert decide(sevastopol, request(is_new=True), TicketState(), ctx).actions == []


@pytest.mark.parametrize("form", [
    pytest.param(FORM.upper(), id="in capitals"),
    pytest.param(FORM.replace(": ", " "), id="without colons"),
    pytest.param(FORM.replace(": ", ":\n"), id="value on the next line"),
    pytest.param(FORM.replace(": ", "\t"), id="pasted from the form's table (tabs)"),
    pytest.param("\n".join(f"| {r.replace(': ', ' | ')} |" for r in ROWS), id="markdown table"),
    pytest.param("\n".join(f"**{r.replace(': ', '**: ')}" for r in ROWS), id="bold labels"),
    pytest.param("\n".join(f"{i}. {r.replace(': ', chr(10))}" for i, r in enumerate(ROWS, 1)),
                 id="numbered, values below"),
    pytest.param(FORM.replace("Данные пациента:", "Данные пациента (фамилия, инициалы, № карты)"),
                 id="label with the form's hint in brackets"),
    pytest.param(FORM.replace("ё", "е").replace("Данные о заявителе", "данные о  заявителе"),
                 id="odd spacing and case"),
])
def test_the_forms_own_row_labels_pass_however_written(sevastopol: Mapping, ctx: RuleContext,
                                                      form: str) -> None:
    assert decide(sevastopol, request(form, is_new=True), TicketState(), ctx).actions == []


def test_missing_patient_goes_to_feedback_naming_only_that(sevastopol: Mapping,
                                                           ctx: RuleContext) -> None:
    text = note(held(sevastopol, ctx, without("Данные пациента")))
    assert "— «Данные пациента» — фамилия, инициалы, № карты" in text
    assert text.count("\n— ") == 1
    assert "Приложение 1" in text and "«Обратная связь»" in text


def test_copying_the_forms_hint_is_not_an_answer(sevastopol: Mapping, ctx: RuleContext) -> None:
    form = FORM.replace("Петров П.П., карта 123456", "Фамилия, инициалы пациента, № карты")
    assert "«Данные пациента»" in note(held(sevastopol, ctx, form))


def test_a_sentence_starting_with_a_word_of_a_label_is_not_a_row(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    form = without("Данные пациента") + "\nПациент не может записаться уже неделю"
    assert "«Данные пациента»" in note(held(sevastopol, ctx, form))


@pytest.mark.parametrize(("files", "passes"), [
    pytest.param(PNG, True, id="a PNG"),
    pytest.param((Attachment("скрин.JPG"), Attachment("2.gif")), True, id="JPG and GIF"),
    pytest.param((Attachment("скриншоты.zip", 3_000_000),), True, id="7 PNG files in a zip"),
    pytest.param((Attachment("s.7z"),), True, id="7z archive"),
    pytest.param((), False, id="«Скриншоты: приложены» with no file"),
    pytest.param((Attachment("скрин.bmp"),), False, id="a BMP is not a screenshot format"),
    pytest.param((Attachment("описание.docx"),), False, id="a Word file"),
])
def test_screenshots_are_files(sevastopol: Mapping, ctx: RuleContext,
                               files: tuple[Attachment, ...], passes: bool) -> None:
    decision = decide(sevastopol, request(is_new=True, files=files), TicketState(), ctx)
    held_for_screenshots = any(a.kind == "set_status" for a in decision.actions)
    assert held_for_screenshots is not passes


@pytest.mark.parametrize(("files", "phrase"), [
    pytest.param((Attachment("a.png", 6_000_000), Attachment("b.png", 5_000_000)),
                 "10,5 МБ, а на одну заявку допускается не более 10 МБ", id="over 10 MB"),
    pytest.param((*PNG, Attachment("схема.bmp")), "форматах JPG, GIF, PNG, а схема.bmp",
                 id="another picture format"),
    pytest.param(tuple(Attachment(f"{i}.png") for i in range(7)),
                 "скриншотов 7: больше 5 файлов следует упаковать в архив (zip, 7z, rar)",
                 id="more than 5 loose screenshots"),
])
def test_attachment_rules_get_a_note_not_a_rejection(
    sevastopol: Mapping, ctx: RuleContext, files: tuple[Attachment, ...], phrase: str
) -> None:
    first = decide(sevastopol, request(is_new=True, files=files), TicketState(), ctx)
    again = decide(sevastopol, request(files=files), first.state, ctx)

    assert [a.kind for a in first.actions] == ["add_note"]
    assert phrase in note(first) and "п. 3.5" in note(first)
    assert again.actions == []  # said once


def test_only_a_docx_without_explanation_is_not_a_request(sevastopol: Mapping,
                                                          ctx: RuleContext) -> None:
    decision = decide(sevastopol, request("", is_new=True, files=(Attachment("заявка.docx"),)),
                      TicketState(), ctx)
    assert "только с файлом .doc, .docx или видео" in note(decision)


@pytest.mark.parametrize(("severity", "priority", "held_back"), [
    pytest.param("tweak", "normal", False, id="«Настройка»: an access or settings request"),
    pytest.param("feature", "low", False, id="«Нововведение»"),
    pytest.param("text", "low", False, id="«Текст/опечатка»"),
    pytest.param("minor", "normal", True, id="«Малое»: an error found in operation"),
    pytest.param("block", "immediate", True, id="«Блокирующее»"),
])
def test_appendix_1_applies_to_problem_reports_only(sevastopol: Mapping, ctx: RuleContext,
                                                    severity: str, priority: str,
                                                    held_back: bool) -> None:
    event = request("Прошу создать учётную запись врачу Сидорову А.А.", is_new=True, files=(),
                    severity=severity, priority=priority)
    decision = decide(sevastopol, event, TicketState(), ctx)
    assert any(a.kind == "set_status" for a in decision.actions) is held_back


def test_which_categories_are_problem_reports_is_data(sevastopol: Mapping,
                                                      ctx: RuleContext) -> None:
    rule = sevastopol.rules[0]
    scoped = rule.model_copy(update={"applies_to": rule.applies_to.model_copy(  # type: ignore[union-attr]
        update={"categories": ["Ошибка в МИС"]})})
    mapping = sevastopol.model_copy(update={"rules": [scoped]})
    access = request(without("Данные пациента"), is_new=True, category="Учётные записи")
    error = request(without("Данные пациента"), is_new=True, category="Ошибка в МИС")
    assert decide(mapping, access, TicketState(), ctx).actions == []
    assert kinds(decide(mapping, error, TicketState(), ctx))[0] == ("set_status", "feedback")


def test_applicants_note_supplying_the_item_completes_the_request(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    """Mantis' default rights: the reporter answers with a note, and Mantis itself moves the
    request from feedback to new (reassign_on_feedback)."""
    state = held(sevastopol, ctx, without("Данные пациента")).state
    answer = request(without("Данные пациента"), kind="note", status="new",
                     supplements=("Данные пациента\nПетров П.П., карта 123456",))
    done = decide(sevastopol, answer, state, ctx)
    later = decide(sevastopol, request(without("Данные пациента")), done.state, ctx)

    assert kinds(done) == [("add_note", None)]  # Mantis already moved it to new
    assert "заявка дополнена" in note(done) and "«Новая»" in note(done)
    assert later.actions == []  # what the note supplied is remembered


def test_applicants_note_without_the_item_sends_it_back_naming_what_is_missing(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    state = held(sevastopol, ctx, without("Данные пациента", "Описание ошибки")).state
    answer = request(without("Данные пациента", "Описание ошибки"), kind="note", status="new",
                     supplements=("Описание ошибки: «Шаблон не найден»",))
    decision = decide(sevastopol, answer, state, ctx)

    assert kinds(decision) == [("set_status", "feedback"), ("add_note", None)]
    text = note(decision)
    assert "по-прежнему не хватает" in text
    assert "«Данные пациента»" in text and "«Описание ошибки»" not in text


def test_with_reassign_on_feedback_off_the_answer_moves_it_back_to_new(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    state = held(sevastopol, ctx, without("Данные пациента")).state
    answer = request(without("Данные пациента"), kind="note", status="feedback",
                     supplements=("Данные пациента: Петров П.П., карта 123456",))
    assert kinds(decide(sevastopol, answer, state, ctx)) == [("set_status", "new"),
                                                             ("add_note", None)]


def test_a_note_that_supplies_nothing_new_gets_no_second_note_while_in_feedback(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    state = held(sevastopol, ctx, without("Данные пациента")).state
    chat = request(without("Данные пациента"), kind="note", status="feedback",
                   supplements=("А когда будет готово?",))
    assert decide(sevastopol, chat, state, ctx).actions == []


def test_notes_by_others_do_not_count(sevastopol: Mapping, ctx: RuleContext) -> None:
    state = held(sevastopol, ctx, without("Данные пациента")).state
    other = request(without("Данные пациента"), kind="note", status="feedback")
    assert decide(sevastopol, other, state, ctx).actions == []


def test_l1_taking_it_on_while_it_waits_ends_the_check(sevastopol: Mapping,
                                                       ctx: RuleContext) -> None:
    state = held(sevastopol, ctx, without("Данные пациента")).state
    taken = request(without("Данные пациента"), status="acknowledged",
                    status_by=Person("l1-petrov", level=55))
    reset = request(without("Данные пациента"), status="new",
                    status_by=Person("l1-petrov", level=55))
    after = decide(sevastopol, taken, state, ctx)
    assert after.actions == []
    assert decide(sevastopol, reset, state, ctx).actions == []  # L1 put it back to new


def test_completing_the_request_itself_returns_it_to_new(sevastopol: Mapping,
                                                         ctx: RuleContext) -> None:
    state = held(sevastopol, ctx, without("Данные пациента")).state
    still = decide(sevastopol, request(without("Данные пациента"), status="feedback"), state, ctx)
    done = decide(sevastopol, request(status="feedback"), still.state, ctx)
    again = decide(sevastopol, request(status="new"), done.state, ctx)

    assert still.actions == []
    assert kinds(done) == [("set_status", "new"), ("add_note", None)]
    assert again.actions == []


@pytest.mark.parametrize(("status", "acts"), [
    ("acknowledged", False),  # already taken into work: intake is over
    ("assigned", False),
    ("new", True),
])
def test_only_new_requests_are_held(sevastopol: Mapping, ctx: RuleContext, status: str,
                                    acts: bool) -> None:
    decision = decide(sevastopol, request(without("Данные пациента"), status=status),
                      TicketState(), ctx)
    assert bool(decision.actions) is acts


def test_mandatory_items_can_come_from_custom_fields(sevastopol: Mapping,
                                                    ctx: RuleContext) -> None:
    event = request(without("Данные пациента"),
                    fields={"Данные пациента": "Петров П.П., карта 123456"})
    assert decide(sevastopol, event, TicketState(), ctx).actions == []


def test_statuses_are_written_in_the_trackers_words(sevastopol: Mapping,
                                                    ctx: RuleContext) -> None:
    decision = held(sevastopol, ctx, without("Данные пациента"))
    assert all(isinstance(a, Action) and a.target == "mantis" for a in decision.actions)
    assert decision.actions[0].params == {"status": "feedback"}


def test_a_view_from_before_the_move_to_feedback_landed_adds_nothing(
    sevastopol: Mapping, ctx: RuleContext
) -> None:
    """L1 edits the request while Mantis is slow to take the move to Feedback: the event
    still shows «Новая», but the applicant has not answered anything."""
    state = held(sevastopol, ctx, without("Данные пациента")).state
    stale = request(without("Данные пациента"), status="new")
    assert decide(sevastopol, stale, state, ctx).actions == []


OUTAGE_CATEGORY = "Массовый сбой"  # the mapping's outage.declare.category


@pytest.mark.parametrize(("category", "severity", "priority", "held_back"), [
    pytest.param(OUTAGE_CATEGORY, "crash", "immediate", False,
                 id="«Массовый сбой», «Критическое»: an outage is declared"),
    pytest.param(OUTAGE_CATEGORY, "block", "immediate", False,
                 id="«Массовый сбой», «Блокирующее»: an outage is declared"),
    pytest.param(OUTAGE_CATEGORY, "minor", "normal", False,
                 id="«Массовый сбой», «Малое»: not declared, still the outage category"),
    pytest.param("General", "crash", "immediate", True,
                 id="«Критическое» in another category: a problem report"),
])
def test_a_request_in_the_outage_category_is_never_held_for_appendix_1(
    sevastopol: Mapping, ctx: RuleContext, category: str, severity: str, priority: str,
    held_back: bool
) -> None:
    event = request(without("Данные пациента"), is_new=True, category=category,
                    severity=severity, priority=priority)
    decision = decide(sevastopol, event, TicketState(), ctx)
    assert any(a.kind == "set_status" for a in decision.actions) is held_back


@pytest.mark.parametrize(("status", "kind"), [
    pytest.param("assigned", "note", id="L1's note once the outage made it «Назначена»"),
    pytest.param("new", "note", id="a note while still «Новая»"),
    pytest.param("feedback", "ticket", id="seen again in «Обратная связь»"),
])
def test_an_outage_request_put_to_wait_is_let_go(sevastopol: Mapping, ctx: RuleContext,
                                                 status: str, kind: str) -> None:
    """A wait from before it was in the outage category (moved there, or held by an older
    version) ends: nothing sends an outage request to «Обратная связь»."""
    state = held(sevastopol, ctx, without("Данные пациента")).state
    event = request(without("Данные пациента"), kind=kind, status=status,
                    category=OUTAGE_CATEGORY, severity="crash", priority="immediate",
                    supplements=("Не работает у всех МО, разбираемся",))
    decision = decide(sevastopol, event, state, ctx)
    later = decide(sevastopol, request(without("Данные пациента"), status="assigned",
                                       supplements=("Ещё одна заметка",), kind="note"),
                   decision.state, ctx)

    assert decision.actions == []
    assert later.actions == []  # the wait is forgotten, whatever the category says later
    assert not any(f.startswith("intake:") for f in decision.state.flags)


def test_an_outage_declared_by_a_tag_is_not_held_either(sevastopol: Mapping,
                                                       ctx: RuleContext) -> None:
    """A regulation declaring outages by a tag rather than a category: a request carrying it
    declares one and is not held; without it, it is an ordinary problem report."""
    assert sevastopol.outage is not None
    declare = When(labels=["Авария"], impact=["Критическое", "Блокирующее"])
    mapping = sevastopol.model_copy(update={"outage": sevastopol.outage.model_copy(
        update={"declare": declare})})
    tagged = dataclasses.replace(request(without("Данные пациента"), is_new=True,
                                         severity="crash", priority="immediate"),
                                 labels=("Авария",))
    untagged = dataclasses.replace(tagged, labels=())
    assert decide(mapping, tagged, TicketState(), ctx).actions == []
    assert kinds(decide(mapping, untagged, TicketState(), ctx))[0] == ("set_status", "feedback")
