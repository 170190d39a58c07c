"""Features: each package registers what it needs (inbox sources, buttons, thread replies,
after-action hooks, jobs, templates) in the connector's registry; the spine names none of them.

A new feature copies the alerts package: `models.py` (its shapes), `flows.py` (what events and
presses do), `buttons.py` (who may press what), `texts.py` (how values read), and `register`
in `__init__.py`."""

from __future__ import annotations

from connector.config import Config
from connector.features import alerts, escalation, outage, sla
from connector.registry import Registry

FEATURES = (escalation.register, alerts.register, sla.register, outage.register)


def register_all(registry: Registry, config: Config) -> Registry:
    """Let every feature register what this config turns on."""
    for register in FEATURES:
        register(registry, config)
    return registry
