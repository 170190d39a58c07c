"""The alerts feature: monitoring alerts into a chat channel, L1 decides by buttons."""

from __future__ import annotations

from connector.config import Config
from connector.registry import Registry


def register(registry: Registry, config: Config) -> None:
    """Turned on by an `alerts:` section."""
    if config.alerts is None:
        return
    from connector.features.alerts import buttons, flows, models

    registry.source(models.SOURCE, flows.process_alert)
    registry.button(models.FEATURE, buttons.AlertButtons(), legacy=buttons.LEGACY)
    registry.reply(models.TRACKER, flows.on_reply)
    registry.after(flows.follow_up)
    registry.posts_to("alerts.channel", config.alerts.channel)
