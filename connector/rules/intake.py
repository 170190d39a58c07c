"""Sevastopol intake (§3.1–3.4, Appendix 1): incomplete requests wait in Feedback."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from connector.events import Action, TicketEvent
from connector.rules.models import Detect, IntakeValidation
from connector.rules.state import TicketState

if TYPE_CHECKING:
    from connector.rules.engine import RuleContext

WAITING = "intake:waiting"


def apply_intake_validation(
    rule: IntakeValidation, event: TicketEvent, state: TicketState, ctx: RuleContext
) -> list[Action]:
    """Send a new request lacking mandatory items to Feedback with a note naming each; when the
    reporter completes it, return it to New. A person who moves it on by hand is left alone."""
    if event.kind != "ticket":
        return []
    missing = missing_items(rule, event)
    tracker, ref = event.ref.tracker, event.ref
    waiting = WAITING in state.flags
    if missing and not waiting and event.status == rule.complete_status:
        state.flags.add(WAITING)
        note = ctx.text("intake_incomplete", event,
                        missing="\n".join(f"— {title}" for title in missing))
        return [Action("set_status", tracker, ref, {"status": rule.incomplete_status}, rule.type),
                Action("add_note", tracker, ref, {"body": note}, rule.type)]
    if waiting and not missing and event.status == rule.incomplete_status:
        state.flags.discard(WAITING)
        return [Action("set_status", tracker, ref, {"status": rule.complete_status}, rule.type),
                Action("add_note", tracker, ref, {"body": ctx.text("intake_complete", event)},
                       rule.type)]
    if waiting and event.status not in (rule.incomplete_status, rule.complete_status):
        state.flags.discard(WAITING)  # someone took it on regardless
    return []


def missing_items(rule: IntakeValidation, event: TicketEvent) -> list[str]:
    """Titles of the mandatory items the request lacks, in the regulation's order."""
    missing = [f.title for f in rule.fields if not present(f.detect, event)]
    bare = {ext.lower() for ext in rule.bare_attachment_types}
    if event.attachments and not event.description.strip() and all(
            _extension(name) in bare for name in event.attachments):
        missing.insert(0, rule.description_title)
    return missing


def present(detect: Detect, event: TicketEvent) -> bool:
    """Any one of the detection methods finding the item is enough."""
    texts = "\n".join([event.description, *event.fields.values()])
    if any(_has_section(texts, label) for label in detect.sections):
        return True
    names = [*detect.custom_fields, *detect.text_fields]
    if any(event.fields.get(name, "").strip() for name in names):
        return True
    wanted = {ext.lower() for ext in detect.attachment_types}
    return any(_extension(name) in wanted for name in event.attachments)


def _has_section(text: str, label: str) -> bool:
    """A line `Label: something` (also `Label — something`), case-insensitive."""
    pattern = rf"^\s*{re.escape(label)}\s*[:：—-]\s*\S"
    return re.search(pattern, text, re.IGNORECASE | re.MULTILINE) is not None


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""
