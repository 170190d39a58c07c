"""Registers reports: the request flow kept from every ticket event."""

from __future__ import annotations

from connector.config import Config
from connector.features.reports import requests
from connector.features.reports.dashboard import views
from connector.registry import Registry


def register(registry: Registry, config: Config) -> None:
    """Always on: every governed ticket is a request of the flow; the dashboard's pages answer
    only once a user exists."""
    registry.on_ticket(requests.on_ticket)
    registry.page(views.blueprint)
