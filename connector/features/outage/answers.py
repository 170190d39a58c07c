"""The outage feature's forms by name — the conclusion and the closing comment — for the
answers that come back: a Slack modal submitted, a Telegram reply to a question."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, ChatForm, ChatMessage
from connector.features.outage import closing, conclusion, roomforms

FORMS = {form.name: form for form in (conclusion.FORM, closing.FORM)}


def on_form(c: FeatureContext, conn: Connection, ev: ChatForm) -> list[Action]:
    return roomforms.submitted(c, conn, FORMS, ev)


def on_reply(c: FeatureContext, conn: Connection, row: Row[Any],
             m: ChatMessage) -> list[Action] | None:
    return roomforms.replied(c, conn, FORMS, row, m)
