"""A report as it goes out: the key figures with the chart into a chat channel (one image
with its caption), the whole Markdown report onto the tracker (an issue of its own in a
project, or a note on an issue) — what a schedule sends each period and /report answers."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.reports import chart, figures, formats, source
from connector.features.reports.period import Period
from connector.features.reports.source import Scope
from connector.store.db import reading

REASON = "report"  # the reason of every action a sent report decides
CHART_DAYS = 30  # a day's or a week's chart shows the month before it too
WEAK_ZONES = 3


def summary(c: FeatureContext, report: dict[str, Any], mapping: str | None) -> str:
    """The key figures, as the chat reads them."""
    number = formats.number
    r, sla = report["reliability"], [s for s in report["sla"] if s["tracker"] is None]
    weak = "; ".join(c.render("report_weak_zone", mapping, title=s["title"],
                              minutes=number(s["outage_minutes"], 0))
                     for s in report["services"][:WEAK_ZONES] if s["outages"])
    target = (c.render("report_target", mapping, target=number(r["target_percent"], 2))
              if r["target_percent"] is not None else c.render("report_no_target", mapping))
    return c.render(
        "report_summary", mapping, **_days(report), scope=formats.scope_words(c, report, mapping),
        percent=number(r["percent"], 2), target=target, minutes=number(r["outage_minutes"], 0),
        outages=len(report["outages"]), repeated=len(report["repeated"]),
        weak=weak or c.render("report_no_outages", mapping),
        met=sum(s["met"] for s in sla), breached=sum(s["breached"] for s in sla),
        running=sum(s["running"] for s in sla),
        requests=sum(row["count"] for row in report["requests"]),
        feedback=number(report["feedback_percent"], 1))


def picture(c: FeatureContext, report: dict[str, Any], period: Period, scope: Scope,
            mapping: str | None) -> bytes:
    """The chart: reliability per day over the period (at least its last 30 days), the
    period's outage minutes per service."""
    window = Period(min(period.first, period.last - timedelta(days=CHART_DAYS - 1)),
                    period.last, period.zone)
    now = c.clock.now()
    with reading(c.engine) as conn:
        found = source.read_outages(c, conn, window, scope, now)
    days = [(day, figures.reliability(Period(day, day, period.zone), found, now,
                                      None)["percent"])
            for day in window.days() if Period(day, day, period.zone).start < now]
    target = report["reliability"]["target_percent"]
    words = chart.ChartWords(
        title=c.render("report_chart_title", mapping, **_days(report)),
        days=c.render("report_chart_days", mapping),
        target=c.render("report_chart_target", mapping, target=formats.number(target, 2))
        if target is not None else "",
        services=c.render("report_chart_services", mapping),
        nothing=c.render("report_no_outages", mapping))
    return chart.render(chart.ChartData(days, target, [
        (s["title"], s["outage_minutes"]) for s in report["services"]]), words)


def chat_action(c: FeatureContext, target: str, channel: str, ref: TicketRef,
                report: dict[str, Any], png: bytes, mapping: str | None) -> Action:
    """The chart with the key figures as its caption, in a logical channel (`target`: a chat
    by name, or "chat" for every chat that has the channel)."""
    first, last = report["period"]["from"], report["period"]["to"]
    return Action("post_image", target, ref, {
        "channel": channel, "filename": f"report-{first}" + (
            f"-{last}.png" if last != first else ".png"),
        "content": base64.b64encode(png).decode("ascii"),
        "title": c.render("report_chart_title", mapping, **_days(report)),
        "text": summary(c, report, mapping)}, REASON)


def tracker_action(c: FeatureContext, place: str, report: dict[str, Any],
                   mapping: str | None) -> Action:
    """`gitlab:1`: an issue of its own in project 1; `gitlab:1#57`: a note on issue 57."""
    text = formats.as_markdown(c, report, mapping)
    kind, _, rest = place.partition(":")
    project, _, issue = rest.partition("#")
    if issue:
        return Action("add_note", kind, TicketRef(kind, project, issue), {"body": text},
                      REASON)
    title = c.render("report_issue_title", mapping, **_days(report),
                     scope=formats.scope_words(c, report, mapping))
    return Action("create_issue", kind, TicketRef(kind, project, "new"),
                  {"title": title, "description": text}, REASON)


def _days(report: dict[str, Any]) -> dict[str, str]:
    """The period's first and last day as people write them (05.03.2026)."""
    return {k: formats.day(report["period"][k]) for k in ("from", "to")}
