"""SLA clocks on working-hours calendars: policies in each mapping's `sla:`, calendars in
calendars.yml, clocks as rows claimed when a threshold falls due."""

from __future__ import annotations

from connector.config import Config
from connector.registry import Job, Registry


def register(registry: Registry, config: Config) -> None:
    """Always on: a mapping without `sla:` has no clocks."""
    from connector.features.sla import flows, gauges

    registry.on_ticket(flows.on_ticket, late=True)  # clocks place late events
    registry.gauge(gauges.SlaGauges)
    registry.job(Job("sla:tick", config.sla.tick_seconds, flows.tick))
