"""Registers reports: the request flow kept from every ticket event, the reports sent by
schedule and asked for with /report, and the reliability gauges."""

from __future__ import annotations

from connector.config import Config
from connector.features.reports import chat_command, gauges, requests, schedule_checks, schedule_job
from connector.features.reports.dashboard import views
from connector.registry import Job, Registry


def register(registry: Registry, config: Config) -> None:
    """Always on: every governed ticket is a request of the flow; the dashboard's pages answer
    only once a user exists; schedules when configured."""
    registry.on_ticket(requests.on_ticket)
    registry.command("report", chat_command.on_report)
    registry.gauge(gauges.ReportGauges)
    registry.check(schedule_checks.problems)
    registry.page(views.blueprint)
    if config.reports.schedules:
        registry.job(Job("reports:schedule", schedule_job.EVERY_SECONDS, schedule_job.send_due))
    for i, schedule in enumerate(config.reports.schedules):
        if schedule.channel:
            registry.posts_to(f"reports.schedules[{i}].channel", schedule.channel)
