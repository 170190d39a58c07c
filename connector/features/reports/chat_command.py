"""`/report [days | from to]` in one of the connector's channels: the reliability report there
and then — the key figures with the chart, as a schedule sends them — for the members of the
head of support's channel and, anywhere, the head of support and the catalog services'
responsible and duty engineers; anyone else is told who may ask, bad dates how to ask."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.events import Action, ChatCommand, TicketRef
from connector.features.reports import chat_report
from connector.features.reports.commands import DEFAULT_DAYS
from connector.features.reports.period import Period, last_days, today
from connector.features.reports.report import build, zone_of
from connector.features.reports.source import Scope

MAX_DAYS = 366
ASKED = "report-asked"  # the tracker part of an asked-for report's ref: report-asked:<chat>#<id>


def on_report(c: FeatureContext, conn: Connection, ev: ChatCommand) -> list[Action]:
    chat = c.config.chats.configured().get(ev.chat)
    channel = next((name for name, cid in (chat.channels.items() if chat else ())
                    if str(cid) == ev.channel_id), None)
    if channel is None:
        return []  # not one of the connector's channels: nobody to answer there
    ref = TicketRef(ASKED, ev.chat, ev.channel_id)

    def say(template: str, **values: object) -> list[Action]:
        return [Action("notify", ev.chat, ref, {"channel": channel, "text": c.render(
            template, None, **values)}, chat_report.REASON)]

    if not may_ask(c, ev.chat, ev.user_id, channel):
        return say("report_command_not_allowed")
    zone = zone_of(c, None)
    period = asked_period(ev.text, today(c.clock.now(), zone), zone)
    if period is None:
        return say("report_command_usage", days=DEFAULT_DAYS)
    report = build(c, period, Scope())
    png = chat_report.picture(c, report, period, Scope())
    return [chat_report.chat_action(c, ev.chat, channel, ref, report, png, None)]


def may_ask(c: FeatureContext, chat: str, user_id: str, channel: str) -> bool:
    """Anyone in the head of support's channel (a schedule's: the chat delivers a command
    only from its members); elsewhere the head of support, or a service's responsible or
    duty engineer, by the catalog."""
    if any(s.channel == channel for s in c.config.reports.schedules):
        return True
    catalog = c.mappings.catalog
    found = catalog.keyed(chat, user_id)
    return found is not None and (found[0] == catalog.head_of_support or any(
        found[0] in (*s.responsible, *s.duty) for s in catalog.services.values()))


def asked_period(text: str, day: date, zone: str) -> Period | None:
    """Nothing: the last 30 days up to today; `7`: the last 7 days; `2026-03-01 2026-03-31`
    (or 01.03.2026): those days. None for anything else, or more than a year, or the future."""
    words = text.split()
    if not words:
        return last_days(day, DEFAULT_DAYS, zone)
    if len(words) == 1 and words[0].isascii() and words[0].isdigit():
        days = int(words[0])
        return last_days(day, days, zone) if 1 <= days <= MAX_DAYS else None
    if len(words) != 2:
        return None
    first, last = (_day(w) for w in words)
    if first is None or last is None or not first <= last <= day \
            or last - first >= timedelta(days=MAX_DAYS):
        return None
    return Period(first, last, zone)


def _day(word: str) -> date | None:
    for shape in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(word, shape).date()
        except ValueError:
            continue
    return None
