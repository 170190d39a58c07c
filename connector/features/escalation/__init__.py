"""The escalation feature's chat side: replies in a ticket's L2 thread go back to the ticket.
(The rules that escalate live with the regulation's rules: connector/rules/escalation.py.)"""

from __future__ import annotations

from connector.config import Config
from connector.registry import Registry


def register(registry: Registry, config: Config) -> None:
    """Always on: threads exist only where a mapping's rules open them."""
    from connector.features.escalation import flows

    registry.reply(None, flows.on_reply)
