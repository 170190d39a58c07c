"""Forms a chat shows (Slack: one modal; Telegram: one question at a time) and their progress."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

SKIP = "-"  # the answer that leaves an optional field empty in a step-by-step form


@dataclass(frozen=True)
class FormField:
    """One question; `name` is the key of its answer."""

    name: str  # ≤ 255 characters, unique in the form (Slack's block and action id)
    label: str
    multiline: bool = False
    optional: bool = False
    placeholder: str = ""  # a hint inside the empty input (≤ 64 characters shown in Telegram)
    initial: str = ""  # pre-filled (Slack: the input's value; Telegram: what `-` keeps)


@dataclass(frozen=True)
class Form:
    """What a flow asks for; `form_id` comes back with the answers (Slack's callback_id)."""

    form_id: str  # e.g. hdc:outage:declare:42, ≤ 255 characters
    title: str  # Slack shows ≤ 24 characters
    fields: tuple[FormField, ...]
    submit: str = "OK"  # the button that sends a Slack modal (≤ 24 characters)

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if not names or len(set(names)) != len(names) or not all(names):
            raise ValueError(f"form {self.form_id!r} needs fields with distinct, non-empty names")


@dataclass(frozen=True)
class FormProgress:
    """Where a form stands: answers so far and the prompt the next answer must reply to.

    Telegram asks one field per message, so the flow keeps this between replies (it is plain
    data: store `answers` and `prompt_id`, rebuild with the Form). Slack fills the whole form in
    one modal; its submission is read with the Slack plugin's `form_answers`.
    """

    form: Form
    answers: tuple[str, ...] = ()
    prompt_id: str = ""  # Telegram: the prompt message; Slack: the modal's view id

    @property
    def current(self) -> FormField | None:
        """The field to ask next; None when every field is answered."""
        step = len(self.answers)
        return self.form.fields[step] if step < len(self.form.fields) else None

    @property
    def done(self) -> bool:
        return self.current is None

    def answer(self, text: str) -> FormProgress:
        """Take a reply to the current field. A blank reply to a required field, or any reply
        once done, changes nothing (ask again); `-` keeps a pre-filled value, and leaves an
        optional field empty."""
        field, text = self.current, text.strip()
        if field is None or not text or (text == SKIP and not (field.optional or field.initial)):
            return self
        value = (field.initial if field.initial else "") if text == SKIP else text
        return dataclasses.replace(self, answers=(*self.answers, value), prompt_id="")

    def asked(self, prompt_id: str) -> FormProgress:
        """The same progress, waiting for a reply to `prompt_id`."""
        return dataclasses.replace(self, prompt_id=prompt_id)

    def replies_to(self, message_id: str) -> bool:
        """Whether a message replying to `message_id` answers this form's current prompt."""
        return bool(self.prompt_id) and message_id == self.prompt_id and not self.done

    def values(self) -> dict[str, str]:
        """Answers by field name (unanswered fields absent)."""
        return {f.name: a for f, a in zip(self.form.fields, self.answers, strict=False)}
