"""Registers the escalation feature's chat side: replies in a ticket's L2 thread."""

from __future__ import annotations

from connector.config import Config
from connector.features.escalation import flows
from connector.registry import Registry


def register(registry: Registry, config: Config) -> None:
    """Always on: threads exist only where a mapping's rules open them."""
    registry.reply(None, flows.on_reply)
