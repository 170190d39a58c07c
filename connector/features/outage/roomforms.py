"""Forms an outage room asks for (the conclusion, the closing comment): opened by a press for
the presser alone — a Slack modal, or Telegram questions one by one, each a reply-forced
message only the presser gets the reply field of — and answered only by that person, for the
outage and the stage it was opened in. Whatever else arrives (a submission nobody was asked
for, someone else's reply, a reply after the outage moved on) changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.adapters import Performed
from connector.context import FeatureContext
from connector.events import Action, ChatButton, ChatForm, ChatMessage, TicketRef
from connector.features.outage import store, store_forms
from connector.features.outage.flows import FEATURE, HOME, RULE
from connector.forms import Form, FormField, FormProgress
from connector.store.outbox import OutboxItem

# The answers, by field name → the actions that record them (in the caller's transaction).
Done = Callable[[FeatureContext, Connection, Row[Any], dict[str, str], str], list[Action]]


@dataclass(frozen=True)
class RoomForm:
    """One form of the outage feature: its fields and texts, where it may still be answered,
    and what its answers do."""

    name: str  # conclusion | closing: `hdc:outage:<name>:<outage id>`
    fields: tuple[str, ...]  # template outage_form_<field> is each label
    title: str  # template ids of the title and the submit button
    submit: str
    done: Done
    optional: frozenset[str] = frozenset()
    single_line: frozenset[str] = frozenset()
    # The outage still stands where the form may be answered (e.g. restored, not concluded).
    open_in: Callable[[FeatureContext, Connection, Row[Any]], bool] = lambda c, conn, row: True
    # Pre-filled answers (Slack: the inputs' values; Telegram: kept by «-»).
    initial: Callable[[FeatureContext, Connection, Row[Any]], dict[str, str]] = \
        lambda c, conn, row: {}
    # More values a field's label says (its template's placeholders beside `value`).
    label_values: Callable[[FeatureContext, Row[Any]], dict[str, dict[str, str]]] = \
        lambda c, row: {}

    def form_id(self, outage_id: int) -> str:
        return f"hdc:{FEATURE}:{self.name}:{outage_id}"

    def params(self, c: FeatureContext, conn: Connection, row: Row[Any]) -> dict[str, Any]:
        """The form as an `open_form` action's parameters (without channel and trigger)."""
        mapping, initial = c.mappings.by_name[row.mapping].name, self.initial(c, conn, row)
        more = self.label_values(c, row)
        return {"form_id": self.form_id(row.id), "title": c.render(self.title, mapping),
                "submit": c.render(self.submit, mapping),
                "fields": [{"name": f, "label": c.render(f"outage_form_{f}", mapping,
                                                         value=initial.get(f, ""),
                                                         **more.get(f, {})),
                            "multiline": f not in self.single_line,
                            "optional": f in self.optional, "initial": initial.get(f, "")}
                           for f in self.fields]}

    def progress(self, params: dict[str, Any], answers: list[str],
                 prompt_id: str = "") -> FormProgress:
        form = Form(params["form_id"], params["title"],
                    tuple(FormField(**f) for f in params["fields"]), params["submit"])
        return FormProgress(form, tuple(answers), prompt_id)


def ask(c: FeatureContext, conn: Connection, row: Row[Any], form: RoomForm, ev: ChatButton,
        who: str) -> list[Action]:
    """The press that opens the form: it is the presser's, in this stage."""
    store_forms.start(conn, row.id, form.name, ev.chat, who, ev.user_id, row.stage)
    return [Action("open_form", ev.chat, TicketRef.parse(row.ticket), {
        "channel": HOME, "trigger_id": ev.trigger_id, "user_id": ev.user_id,
        "user_name": who, **form.params(c, conn, row)}, RULE)]


def parse_id(form_id: str, forms: dict[str, RoomForm]) -> tuple[RoomForm, int] | None:
    """`hdc:outage:<name>:<id>` → the form and the outage id; None for anything else."""
    parts = form_id.split(":")
    if len(parts) != 4 or parts[2] not in forms or not (
            parts[3].isascii() and parts[3].isdigit() and len(parts[3]) <= 18):
        return None
    return forms[parts[2]], int(parts[3])


def submitted(c: FeatureContext, conn: Connection, forms: dict[str, RoomForm],
              ev: ChatForm) -> list[Action]:
    """A Slack modal submitted: only as the form opened for this person, here and now."""
    found = parse_id(ev.form_id, forms)
    row = store.get(conn, found[1]) if found else None
    if found is None or row is None:
        return []
    form = found[0]
    pending = store_forms.get(conn, row.id, form.name, ev.chat)
    if not _still_theirs(c, conn, form, row, pending, ev.user_id):
        return []
    assert pending is not None
    return form.done(c, conn, row, {f: ev.values.get(f, "") for f in form.fields},
                     pending.who)


def replied(c: FeatureContext, conn: Connection, forms: dict[str, RoomForm], row: Row[Any],
            m: ChatMessage) -> list[Action] | None:
    """A Telegram reply to a form's question: the next question, or the answers' actions.
    None when it answers no question (it is room talk, or progress)."""
    for form in forms.values():
        pending = store_forms.get(conn, row.id, form.name, m.chat)
        if pending is None or not pending.prompt_id or m.reply_to != pending.prompt_id:
            continue
        if not _still_theirs(c, conn, form, row, pending, m.author_id):
            return []  # someone else's reply, or the outage moved on: room talk only
        params = form.params(c, conn, row)
        after = form.progress(params, store_forms.answers(pending),
                              pending.prompt_id).answer(m.text)
        if not store_forms.answered(conn, pending.id, list(after.answers), pending.prompt_id):
            return []  # answered before
        if after.done:
            return form.done(c, conn, row, after.values(), pending.who)
        return [Action("open_form", m.chat, TicketRef.parse(row.ticket), {
            "channel": HOME, "answers": list(after.answers), "reply_to": m.message_id,
            "user_id": pending.user_id, "user_name": pending.who, **params}, RULE)]
    return None


def after_form_opened(c: FeatureContext, conn: Connection, item: OutboxItem,
                      performed: Performed) -> None:
    """A Telegram question is out: the next reply to it (by the presser) answers it."""
    action = item.action
    prompt = str(performed.result.get("prompt_id") or "")
    parts = str(action.params.get("form_id") or "").split(":")
    if action.kind != "open_form" or action.reason != RULE or not prompt or len(parts) != 4:
        return
    row = store.by_ticket(conn, str(action.ticket))
    if row is not None:
        store_forms.asked(conn, row.id, parts[2], str(performed.result.get("chat")
                                                       or action.target), prompt)


def _still_theirs(c: FeatureContext, conn: Connection, form: RoomForm, row: Row[Any],
                  pending: Row[Any] | None, user_id: str) -> bool:
    """Opened for this person, in the stage the outage still stands in, and still wanted."""
    return pending is not None and bool(pending.user_id) and pending.user_id == user_id \
        and pending.stage == row.stage and form.open_in(c, conn, row)
