"""Registers the alerts feature: its inbox source, its buttons, its thread replies, its
reminders."""

from __future__ import annotations

from connector.buttons import ButtonTable
from connector.config import Config
from connector.events import ALERT_SOURCE
from connector.features.alerts import buttons, flows, models, reminders, silences
from connector.registry import Job, Registry


def register(registry: Registry, config: Config) -> None:
    """Turned on by an `alerts:` section."""
    if config.alerts is None:
        return
    registry.source(ALERT_SOURCE, flows.process_alert)
    registry.button(models.FEATURE, ButtonTable({**buttons.ACTIONS, **silences.ACTIONS}),
                    legacy=buttons.LEGACY)
    registry.reply(models.TRACKER, flows.on_reply)
    registry.after(flows.follow_up)
    registry.job(Job("alerts:reminders", reminders.EVERY_SECONDS, reminders.remind_undecided))
    registry.posts_to("alerts.channel", config.alerts.channel)
