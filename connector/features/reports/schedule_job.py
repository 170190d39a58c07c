"""Scheduled reports, sent once a period however many processes run: a job in every process
finds each schedule's latest due period (schedule.py); the process whose insert of the
(schedule, period) row into report_runs wins — the unique pair lets only one — enqueues the
report's actions in that same transaction, keyed by the schedule and the period. A new
schedule's first tick only marks the period due then as `before` (a report starts with the
first period that falls due after it is configured, not at once on deployment). A crash
before the commit leaves neither row nor actions (the next tick, anywhere, sends it); after
it, the outbox delivers them, retried until they land (a row is `queued` when its actions
are in the outbox; what failed for good is listed by `helpdesk-connector failed`)."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.engine import Connection

from connector.config import ReportSchedule
from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.reports import chat_report
from connector.features.reports.period import PeriodError
from connector.features.reports.report import build, zone_of
from connector.features.reports.schedule import Due, latest_due
from connector.features.reports.source import Scope
from connector.logs import every_so_often
from connector.store.db import insert_ignore, reading
from connector.store.schema import report_runs
from connector.work import enqueue_actions

log = logging.getLogger(__name__)

EVERY_SECONDS = 30.0  # how soon after `at` a report goes out
SCHEDULED = "report"  # the tracker part of a scheduled report's ref: report:<schedule>#<period>


def send_due(c: FeatureContext) -> list[str]:
    """Send every schedule's latest due period not sent yet; returns no inbox sources."""
    for schedule in c.config.reports.schedules:
        try:
            send(c, schedule)
        except PeriodError as exc:  # boundary: a schedule naming what left the mappings
            every_so_often(log, f"report schedule {schedule.name}: {exc}")
    return []


def send(c: FeatureContext, schedule: ReportSchedule) -> bool:
    """Claim and enqueue the schedule's latest due period; False when it was sent before."""
    due = latest_due(schedule.every, schedule.at, zone_of(c, schedule.regulation),
                     c.clock.now())
    with reading(c.engine) as conn:
        if _claimed(conn, schedule.name, due.key):
            return False  # the usual tick: nothing new (figures are built only when due)
        new = _new(conn, schedule.name)
    if new:  # its first tick: what fell due before it existed is not sent
        with c.engine.begin() as conn:
            _claim(c, conn, schedule.name, due.key, "before")
        log.info("report %s starts after %s", schedule.name, due.key)
        return False
    actions = _actions(c, schedule, due)
    with c.engine.begin() as conn:
        if not _claim(c, conn, schedule.name, due.key, "queued"):
            return False  # another process claimed it a moment ago
        enqueue_actions(c, conn, f"report|{schedule.name}|{due.key}", actions)
    log.info("report %s for %s queued", schedule.name, due.key)
    return True


def _claimed(conn: Connection, schedule: str, period: str) -> bool:
    return conn.execute(select(report_runs.c.id).where(
        report_runs.c.schedule == schedule, report_runs.c.period == period)).first() is not None


def _new(conn: Connection, schedule: str) -> bool:
    return conn.execute(select(report_runs.c.id).where(
        report_runs.c.schedule == schedule).limit(1)).first() is None


def _claim(c: FeatureContext, conn: Connection, schedule: str, period: str,
           status: str) -> bool:
    """The (schedule, period) row inserted, unless another process has it: whether we won."""
    return insert_ignore(conn, report_runs, {
        "schedule": schedule, "period": period, "status": status,
        "claimed_by": c.worker_id, "created_at": c.clock.now(),
        "done_at": c.clock.now()}) is not None


def _actions(c: FeatureContext, schedule: ReportSchedule, due: Due) -> list[Action]:
    scope, mapping = Scope(schedule.service, schedule.regulation), schedule.regulation
    report = build(c, due.period, scope)
    ref = TicketRef(SCHEDULED, schedule.name, due.key)
    actions = []
    if schedule.channel:
        png = chat_report.picture(c, report, due.period, scope)
        actions.append(chat_report.chat_action(c, "chat", schedule.channel, ref, report, png,
                                               mapping))
    if schedule.tracker:
        actions.append(chat_report.tracker_action(c, schedule.tracker, report, mapping))
    return actions
