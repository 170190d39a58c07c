"""Registers reports: the request flow kept from every ticket event."""

from __future__ import annotations

from connector.config import Config
from connector.features.reports import requests
from connector.registry import Registry


def register(registry: Registry, config: Config) -> None:
    """Always on: every governed ticket is a request of the flow."""
    registry.on_ticket(requests.on_ticket)
