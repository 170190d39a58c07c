"""A feature's buttons as a table: each action its refusal and its press, so a new action is
one entry (registry.button takes the table as the feature's `Buttons`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.events import Action, ChatButton

NOT_OURS = "not a button the connector posts"


@dataclass(frozen=True)
class ButtonAction:
    """One action: why a press may not act (None: it may), and what an allowed press does."""

    refusal: Callable[[FeatureContext, ChatButton], str | None]
    press: Callable[[FeatureContext, Connection, ChatButton], list[Action]]


class ButtonTable:
    """Dispatches a feature's presses by their action (`hdc:<feature>:<action>:…`)."""

    def __init__(self, actions: Mapping[str, ButtonAction]) -> None:
        self.actions = dict(actions)

    def refusal(self, c: FeatureContext, ev: ChatButton) -> str | None:
        action = self.actions.get(ev.action)
        return NOT_OURS if action is None else action.refusal(c, ev)

    def press(self, c: FeatureContext, conn: Connection, ev: ChatButton) -> list[Action]:
        action = self.actions.get(ev.action)
        return [] if action is None else action.press(c, conn, ev)


def numbers(value: str, count: int) -> list[int] | None:
    """A button's value as the `count` numbers the connector put in it (`12:2`); None for
    anything else (a forged or foreign button). Ids fit in 18 digits."""
    parts = value.split(":")
    if len(parts) != count or not all(p.isascii() and p.isdigit() and len(p) <= 18
                                      for p in parts):
        return None
    return [int(p) for p in parts]
