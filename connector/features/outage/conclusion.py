"""Restored → conclusion (Belarus §4.3.4; EMIAS: "after fixed"): the responsible people fill in
cause, measures taken, follow-up tasks and affected users — a modal in Slack, one question a
message in Telegram — and the downtime is computed from the timeline. The conclusion is
written to the ticket and the room once, and the outage report (and, under a state contract,
the contractor's ticket) is created from it (reports.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.adapters import Performed
from connector.core import Connector
from connector.events import Action, ChatButton, ChatForm, ChatMessage, TicketRef
from connector.features.outage import store, store_forms
from connector.features.outage.flows import HOME, RULE
from connector.features.outage.reports import report_actions
from connector.forms import Form, FormField, FormProgress
from connector.mappings import Mapping
from connector.store.outbox import OutboxItem
from connector.wording import no_mentions

FORM = "conclusion"
FIELDS = ("cause", "measures", "tasks", "affected")
OPTIONAL = {"tasks", "affected"}
MAY_CONCLUDE = {"responsible", "duty", "head"}


def form_params(c: Connector, mapping: Mapping, outage_id: int) -> dict[str, Any]:
    """The conclusion form as an `open_form` action's parameters (without channel, trigger)."""
    fields = [{"name": f, "label": c.render(f"outage_form_{f}", mapping.name),
               "multiline": f != "affected", "optional": f in OPTIONAL} for f in FIELDS]
    return {"form_id": f"hdc:outage:{FORM}:{outage_id}", "fields": fields,
            "title": c.render("outage_form_title", mapping.name),
            "submit": c.render("outage_form_submit", mapping.name)}


def asks_conclusion(c: Connector, row: Row[Any]) -> bool:
    """Whether the outage stands in a stage that offers the conclusion."""
    rules = c.mappings.by_name[row.mapping].outage
    return rules is not None and rules.stage(row.stage).conclusion


def concluded(conn: Connection, outage_id: int) -> bool:
    return any(e["kind"] == "conclusion" for e in store.timeline(conn, outage_id))


def ask(c: Connector, conn: Connection, row: Row[Any], ev: ChatButton, who: str) -> list[Action]:
    """The press on «Заключение»: the form opens for the presser (Telegram: in the room)."""
    mapping = c.mappings.by_name[row.mapping]
    store_forms.start(conn, row.id, FORM, ev.chat, who, ev.user_id)
    return [Action("open_form", ev.chat, TicketRef.parse(row.ticket), {
        "channel": HOME, "trigger_id": ev.trigger_id, **form_params(c, mapping, row.id)}, RULE)]


def after_form_opened(c: Connector, conn: Connection, item: OutboxItem,
                      performed: Performed) -> None:
    """Telegram's question is out: the next reply to it answers the form."""
    action = item.action
    if action.kind != "open_form" or action.reason != RULE:
        return
    prompt = str(performed.result.get("prompt_id") or "")
    row = store.by_ticket(conn, str(action.ticket))
    if row is not None and prompt:
        store_forms.asked(conn, row.id, FORM, str(performed.result.get("chat") or
                                                   action.target), prompt)


def on_form(c: Connector, conn: Connection, ev: ChatForm) -> list[Action]:
    """A Slack modal submitted: by someone allowed, for an outage not yet concluded."""
    from connector.features.outage.buttons import presser_roles
    parts = ev.form_id.split(":")
    if len(parts) != 4 or parts[2] != FORM or not (parts[3].isascii() and parts[3].isdigit()
                                                   and len(parts[3]) <= 18):
        return []
    row = store.get(conn, int(parts[3]))
    person = c.mappings.catalog.person(ev.chat, ev.user_id)
    if row is None or person is None or row.kind != "outage" or not asks_conclusion(c, row) \
            or not presser_roles(c, row.service, ev.chat, ev.user_id) & MAY_CONCLUDE:
        return []  # as the button would have refused it
    return conclude(c, conn, row, {f: ev.values.get(f, "") for f in FIELDS}, person.name)


def on_reply(c: Connector, conn: Connection, row: Row[Any], m: ChatMessage,
             who: str) -> list[Action] | None:
    """A Telegram reply to the form's question: the next question, or the conclusion. None
    when the message answers no question of this outage's form."""
    pending = store_forms.get(conn, row.id, FORM, m.chat)
    if pending is None or not pending.prompt_id or m.reply_to != pending.prompt_id:
        return None
    if pending.user_id and m.author_id != pending.user_id:
        return []  # the form is the presser's: others' replies stay in the room log
    mapping = c.mappings.by_name[row.mapping]
    params = form_params(c, mapping, row.id)
    form = Form(params["form_id"], params["title"],
                tuple(FormField(**f) for f in params["fields"]), params["submit"])
    progress = FormProgress(form, tuple(store_forms.answers(pending)), pending.prompt_id)
    after = progress.answer(m.text)
    if not store_forms.answered(conn, pending.id, list(after.answers), pending.prompt_id):
        return []  # answered before
    if after.done:
        return conclude(c, conn, row, after.values(), pending.who or who)
    return [Action("open_form", m.chat, TicketRef.parse(row.ticket), {
        "channel": HOME, "answers": list(after.answers), **params}, RULE)]


def conclude(c: Connector, conn: Connection, row: Row[Any], values: dict[str, str],
             who: str) -> list[Action]:
    """Once: the conclusion on the timeline, the ticket and in the room, then the report."""
    if not values.get("cause", "").strip() or concluded(conn, row.id) \
            or not store_forms.claim_once(conn, row.id, FORM):
        return []
    mapping = c.mappings.by_name[row.mapping]
    ref = TicketRef.parse(row.ticket)
    downtime = downtime_seconds(c, conn, row)
    clean = {f: no_mentions(values.get(f, "").strip())[:3000] for f in FIELDS}
    store.record(conn, row.id, "conclusion", who, downtime=downtime, **clean)
    none = c.render("outage_fact_unknown", mapping.name)
    text = c.render("outage_conclusion", mapping.name, who=who,
                    service=c.mappings.catalog.services[row.service].title,
                    downtime=duration(c, mapping, downtime),
                    **{f: clean[f] or none for f in FIELDS})
    return [Action("add_note", ref.tracker, ref, {"body": text}, RULE),
            Action("post_in_room", "chat", ref, {"channel": HOME, "text": text}, RULE),
            *report_actions(c, conn, row, mapping, clean, downtime, who)]


def downtime_seconds(c: Connector, conn: Connection, row: Row[Any]) -> float:
    """From the declaration to the first entry into a stage that asks for the conclusion
    (restored); until now if it was never entered."""
    rules = c.mappings.by_name[row.mapping].outage
    marks = {s.name for s in rules.stages if s.conclusion} if rules else set()
    restored = next((e["at"] for e in store.timeline(conn, row.id)
                     if e["kind"] == "stage" and e.get("stage") in marks), c.clock.now())
    return max(0.0, float(restored) - float(row.declared_at))


def duration(c: Connector, mapping: Mapping, seconds: float) -> str:
    minutes = round(seconds / 60)
    return c.render("outage_duration", mapping.name, hours=minutes // 60,
                    minutes=f"{minutes % 60:02d}")
