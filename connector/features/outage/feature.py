"""Registers mass outages: declaring, rooms and their notices, the status buttons, the room's
commands and forms, join requests, reports and problems, reminders, stage norms."""

from __future__ import annotations

from connector.config import Config
from connector.features.outage import (
    alertrooms,
    answers,
    buttons,
    criteria_command,
    declaring,
    eta,
    flows,
    joins,
    metrics,
    norms,
    notices,
    problems,
    progress,
    reminders,
    reports,
    roomforms,
)
from connector.registry import Job, Registry


def register(registry: Registry, config: Config) -> None:
    """Always on: a mapping without `outage:` declares none."""
    registry.on_ticket(flows.on_ticket)
    registry.after(flows.after_created)
    registry.after(notices.after_room_opened)
    registry.failed(notices.after_room_failed)
    registry.failed(reports.after_failed)
    registry.after(metrics.after_query)
    registry.after(roomforms.after_form_opened)
    registry.after(reports.after_created)
    registry.after(problems.after_created)
    registry.form(flows.FEATURE, answers.on_form)
    registry.command("metrics", metrics.on_metrics)
    registry.command("outage", declaring.on_outage)
    registry.on_join(joins.on_join)
    registry.service_rooms(alertrooms.open_rooms)
    registry.command("progress", progress.on_progress)
    registry.command("eta", eta.on_eta)
    registry.command("criteria", criteria_command.on_criteria)
    registry.room_reply(flows.HOME, progress.on_room_message)
    registry.button(flows.FEATURE, buttons.TABLE)
    registry.job(Job("outage:related-reminders", reminders.EVERY_SECONDS,
                     reminders.remind_silent))
    registry.job(Job("outage:stage-norms", norms.EVERY_SECONDS, norms.remind_norms))
