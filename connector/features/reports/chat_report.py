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


def summary(c: FeatureContext, report: dict[str, Any], mapping: str | None) -> str:
    """The key figures, as the chat reads them: the weak zones numbered as the chart's bars."""
    number = formats.number
    r, sla = report["reliability"], [s for s in report["sla"] if s["tracker"] is None]
    weak = "; ".join(c.render("report_weak_zone", mapping, rank=i, title=s["title"],
                              minutes=number(s["outage_minutes"], 0))
                     for i, s in enumerate(weak_zones(report), 1))
    target = (c.render("report_target", mapping, target=number(r["target_percent"], 2))
              if r["target_percent"] is not None else c.render("report_no_target", mapping))
    over = "; ".join(c.render("report_stage_over", mapping, stage=formats.stage_title(c, name),
                              over=s["over_norm"], count=s["count"])
                     for name, s in report["stages"].items() if s["over_norm"])
    return c.render(
        "report_summary", mapping, **_days(report), scope=formats.scope_words(c, report, mapping),
        percent=number(r["percent"], 2), target=target, minutes=number(r["outage_minutes"], 0),
        outages=len(report["outages"]), repeated=len(report["repeated"]),
        weak=weak or c.render("report_no_outages", mapping),
        stages=over or c.render("report_no_stages_over", mapping),
        met=sum(s["met"] for s in sla), breached=sum(s["breached"] for s in sla),
        running=sum(s["running"] for s in sla),
        requests=sum(row["count"] for row in report["requests"]),
        feedback=number(report["feedback_percent"], 1))


def weak_zones(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The services that had outages, weakest first, as many as the chart shows."""
    return [s for s in report["services"] if s["outages"]][:chart.SERVICES_SHOWN]


def picture(c: FeatureContext, report: dict[str, Any], period: Period, scope: Scope) -> bytes:
    """The chart: reliability per day over the period (at least its last 30 days, each day
    by the same figures as the report), the weak zones' outage minutes."""
    window = Period(min(period.first, period.last - timedelta(days=CHART_DAYS - 1)),
                    period.last, period.zone)
    now = c.clock.now()
    with reading(c.engine) as conn:
        found = source.read_outages(c, conn, window, scope, now)
    days = [figures.reliability(Period(day, day, period.zone), found, now, None)["percent"]
            for day in window.days() if Period(day, day, period.zone).start < now]
    return chart.render(chart.ChartData(
        days, report["reliability"]["target_percent"],
        [s["outage_minutes"] for s in weak_zones(report)]))


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
        "text": summary(c, report, mapping) + "\n" + c.render("report_chart_legend", mapping)},
        REASON)


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

