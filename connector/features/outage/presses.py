"""What every press on an outage's buttons starts with: the outage its value names (and the
rest of the numbers the connector put in it), and the answer that thanks the presser."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row

from connector.buttons import NOT_OURS, numbers
from connector.context import FeatureContext
from connector.events import Action, ChatButton, TicketRef
from connector.features.outage import store
from connector.features.outage.flows import RULE
from connector.store.db import reading


def pressed_outage(c: FeatureContext, ev: ChatButton,
                   count: int) -> tuple[Row[Any], list[int]] | str:
    """The outage (or problem) of a press whose value is `count` numbers, the outage's id
    first, with the others; or why the press names none."""
    found = numbers(ev.value, count)
    if found is None:
        return NOT_OURS
    with reading(c.engine) as conn:
        row = store.get(conn, found[0])
    mapping = c.mappings.by_name.get(row.mapping) if row is not None else None
    if row is None or mapping is None or mapping.outage is None \
            or row.service not in c.mappings.catalog.services:
        return "no such outage"
    return row, found[1:]


def thanks(c: FeatureContext, ev: ChatButton, ref: TicketRef) -> list[Action]:
    """The press answered to the presser (Telegram shows it; Slack's 200 already did)."""
    return [Action("answer_button", ev.chat, ref, {
        "callback_id": ev.callback_id, "text": c.render("button_answer")}, RULE)] \
        if ev.callback_id else []
