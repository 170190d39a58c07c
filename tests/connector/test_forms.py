"""A form's progress, as a step-by-step chat (Telegram) walks it: one answer per field, blanks
asked again, `-` skipping only optional fields."""

from __future__ import annotations

import pytest

from connector.forms import Form, FormField, FormProgress

FORM = Form("hdc:outage:declare:42", "Авария",
            (FormField("summary", "Что?"), FormField("eta", "Когда?", optional=True),
             FormField("who", "Кто?")))


@pytest.mark.parametrize(("replies", "answers", "current"), [
    ([], (), "summary"),
    (["VPN"], ("VPN",), "eta"),
    (["  VPN \n"], ("VPN",), "eta"),
    (["", "   "], (), "summary"),  # blank: ask again
    (["-"], (), "summary"),  # a required field cannot be skipped
    (["VPN", "-"], ("VPN", ""), "who"),  # an optional one can
    (["VPN", "к обеду", "Петров"], ("VPN", "к обеду", "Петров"), None),
    (["VPN", "-", "Петров", "лишнее"], ("VPN", "", "Петров"), None),  # done: nothing more
])
def test_replies_fill_the_fields_in_order(
    replies: list[str], answers: tuple[str, ...], current: str | None,
) -> None:
    progress = FormProgress(FORM)
    for reply in replies:
        progress = progress.answer(reply)

    assert progress.answers == answers
    assert (progress.current.name if progress.current else None) == current
    assert progress.done is (current is None)


def test_values_name_the_answered_fields_only() -> None:
    progress = FormProgress(FORM).answer("VPN").answer("-")

    assert progress.values() == {"summary": "VPN", "eta": ""}


@pytest.mark.parametrize(("prompt", "reply_to", "expected"), [
    ("101", "101", True), ("101", "102", False), ("", "", False),
])
def test_a_reply_answers_only_the_prompt_asked(prompt: str, reply_to: str,
                                               expected: bool) -> None:
    assert FormProgress(FORM).asked(prompt).replies_to(reply_to) is expected


def test_an_answer_waits_for_the_next_prompt() -> None:
    progress = FormProgress(FORM).asked("101").answer("VPN")

    assert progress.prompt_id == "" and not progress.replies_to("101")


@pytest.mark.parametrize("fields", [
    (), (FormField("a", "A"), FormField("a", "B")), (FormField("", "A"),),
], ids=["no fields", "twice the same name", "empty name"])
def test_a_form_needs_distinct_named_fields(fields: tuple[FormField, ...]) -> None:
    with pytest.raises(ValueError, match="distinct, non-empty names"):
        Form("hdc:x:y:1", "X", fields)
