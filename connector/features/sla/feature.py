"""Registers SLA clocks: their ticket hook, their tick and their gauges."""

from __future__ import annotations

from connector.config import Config
from connector.features.sla import flows, gauges
from connector.registry import Job, Registry


def register(registry: Registry, config: Config) -> None:
    """Always on: a mapping without `sla:` has no clocks."""
    registry.on_ticket(flows.on_ticket, late=True)  # clocks place late events
    registry.gauge(gauges.SlaGauges)
    registry.job(Job("sla:tick", config.sla.tick_seconds, flows.tick))
