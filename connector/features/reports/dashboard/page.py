"""What the dashboard's page shows for its filters: the report (report.build) and, day by day,
the reliability and each service's outage minutes (days.py), drawn (drawing.py) and worded
(words.py) for the template."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from connector.context import FeatureContext
from connector.features.reports import report, source
from connector.features.reports.dashboard import days, drawing
from connector.features.reports.dashboard.filters import Filters
from connector.features.reports.dashboard.words import Words
from connector.features.reports.formats import (
    policy_title,
    regulation_title,
    service_title,
    stage_title,
)
from connector.features.reports.period import Period
from connector.store.db import reading

SHOWN_OUTAGES = 100  # the outages with the largest share; the report's export has them all
TRACKERS = {"gitlab": "GitLab", "mantis": "MantisBT", "otrs": "Znuny"}  # product names


def view(c: FeatureContext, filters: Filters, words: Words) -> dict[str, Any]:
    """Everything the page draws."""
    now, period = c.clock.now(), filters.period
    bars = days.bar_period(period)
    drawn = Period(min(bars.first, period.first), period.last, period.zone)
    with ThreadPoolExecutor(max_workers=1) as pool:  # the database counts meanwhile
        counting = pool.submit(report.counted, c, period, filters.scope)
        with reading(c.engine) as conn:  # the outages that may touch the days drawn
            found = source.read_outages(c, conn, period, filters.scope, now,
                                        since=drawn.start)
        figures = report.build(c, period, filters.scope, found, counting.result())
    target = figures["reliability"]["target_percent"]
    daily = days.reliability(period, found, now, target)
    return {
        "scope": _scope(c, words, filters),
        "figures": figures,
        "headline": _headline(words, figures),
        "daily": drawing.day_bars(
            [(words("dashboard_day_percent", at=day, percent=words.number(p, 2)), p)
             for day, p in daily], target, lambda v: f"{words.number(v, 1)} %"),
        "bars": {"from": bars.first, "to": bars.last},
        "services_defs": drawing.defs(),
        "services": _services(c, words, figures, bars, found, now),
        "outages": _outages(c, words, figures),
        "stages": _stages(c, words, figures),
        "times": words("report_times", **{
            k: words.number(figures["times"][f"{k2}_minutes"]["median_minutes"], 1)
            for k, k2 in (("opened", "room"), ("restore", "restore"))}),
        "problems": _problems(c, figures),
        "repeat_days": words.number(c.config.reports.repeat_days),
        "repeated": [{"service": service_title(c, r["service"]), "outages": ", ".join(r["outages"])}
                     for r in figures["repeated"]],
        "sla": _sla(c, words, figures),
        "requests": _requests(words, period, figures),
    }


def _scope(c: FeatureContext, words: Words, filters: Filters) -> str:
    scope = filters.scope
    where = (words("report_scope_service", service=service_title(c, scope.service)) if scope.service
             else words("report_scope_regulation", regulation=regulation_title(c, scope.regulation))
             if scope.regulation else words("report_scope_all"))
    return words("dashboard_period", **{"from": filters.period.first,
                                        "to": filters.period.last, "scope": where})


def _headline(words: Words, figures: dict[str, Any]) -> dict[str, Any]:
    r = figures["reliability"]
    return {"percent": words("dashboard_reliability", percent=words.number(r["percent"], 2)),
            "target": words("dashboard_target", target=words.number(r["target_percent"], 1))
            if r["target_percent"] is not None else words("dashboard_no_target"),
            "below": r["target_percent"] is not None and r["percent"] < r["target_percent"],
            "minutes": words("dashboard_outage_minutes", minutes=words.number(
                r["outage_minutes"]), count=len(figures["outages"]))}


def _services(c: FeatureContext, words: Words, figures: dict[str, Any], bars: Period,
              found: list[Any], now: float) -> list[dict[str, Any]]:
    """Every service, weak zones first, with its 90 days."""
    titles = {s["service"]: s["title"] for s in figures["services"]}
    minutes = days.service_minutes(bars, found, titles, now)
    shown = bars.days()

    def tip(day: date, down: float) -> str:
        return words("dashboard_day_minutes", at=day, minutes=words.number(down))

    return [{"title": s["title"], "service": s["service"], "raw_minutes": s["outage_minutes"],
             "strip": drawing.strip(shown, minutes.get(s["service"], {}), tip),
             "minutes": words.number(s["outage_minutes"]), "outages": s["outages"],
             "percent": words.number(s["percent"], 2)} for s in figures["services"]]


def _outages(c: FeatureContext, words: Words, figures: dict[str, Any]) -> dict[str, Any]:
    rows = figures["outages"]
    top = max([o["share_pp"] for o in rows] + [0.0])
    return {"total": len(rows), "rows": [
        {"ticket": o["ticket"], "service": service_title(c, o["service"]),
         "raw_minutes": o["minutes"],
         "raw_share": o["share_pp"],
         "start": words.moment(o["start"]),
         "end": words.moment(o["end"]) if o["end"] else words("report_still_open"),
         "minutes": words.number(o["minutes"]), "unique": words.number(o["unique_minutes"]),
         "share": words.number(o["share_pp"], 3),
         "meter": drawing.meter([(o["share_pp"], drawing.ORANGE)], top, width=100),
         "source": words(f"report_source_{o['start_source']}")}
        for o in rows[:SHOWN_OUTAGES]]}


def _stages(c: FeatureContext, words: Words, figures: dict[str, Any]) -> list[dict[str, Any]]:
    stages = figures["stages"]
    scale = max([max(s["max_minutes"] or 0, s["norm_minutes"] or 0) for s in stages.values()]
                + [1.0])
    return [{"stage": stage_title(c, name), "name": name, "count": s["count"],
             "median": words.number(s["median_minutes"], 1),
             "p90": words.number(s["p90_minutes"], 1), "max": words.number(s["max_minutes"], 1),
             "norm": words.number(s["norm_minutes"]),
             "over": s["over_norm"] if s["over_norm"] is not None else "—",
             "meter": drawing.meter([(s["p90_minutes"] or 0, drawing.LIGHT),
                                     (s["median_minutes"] or 0, drawing.DARK)], scale,
                                    s["norm_minutes"], stage_title(c, name))}
            for name, s in stages.items()]


def _problems(c: FeatureContext, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems not yet in a final stage of their regulation."""
    final = {s.name for m in c.mappings.by_name.values() if m.outage and m.outage.problem
             for s in m.outage.problem.stages if s.closing or not s.next}
    return [{"ticket": p["ticket"], "service": service_title(c, p["service"]),
             "stage": stage_title(c, p["stage"], True), "owner": p["owner"] or "—",
             "outages": ", ".join(p["outages"]) or "—"}
            for p in figures["problems"] if p["stage"] not in final]


def _sla(c: FeatureContext, words: Words, figures: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [s for s in figures["sla"] if s["tracker"] is None]
    return [{"policy": policy_title(c, s["policy"]), "name": s["policy"], "met": s["met"],
             "breached": s["breached"],
             "running": s["running"], "percent": words.number(s["percent"], 1),
             "meter": drawing.meter([(total, drawing.GREY),
                                     (s["met"] + s["breached"], drawing.RED),
                                     (s["met"], drawing.GREEN)], total)}
            for s in rows for total in [s["met"] + s["breached"] + s["running"]]]


def _requests(words: Words, period: Period, figures: dict[str, Any]) -> dict[str, Any]:
    """Requests each day, stacked by tracker."""
    trackers = sorted({r["tracker"] for r in figures["requests"]})
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in figures["requests"]:
        counts[r["day"]][r["tracker"]] += r["count"]
    columns = []
    for day in period.days():
        theirs = counts.get(day.isoformat(), {})
        columns.append((words("dashboard_day_requests", at=day, count=sum(theirs.values())),
                        [float(theirs.get(t, 0)) for t in trackers]))
    total = sum(r["count"] for r in figures["requests"])
    return {"chart": drawing.stacked(columns), "total": total,
            "legend": [(TRACKERS.get(t, t), drawing.SERIES[i % len(drawing.SERIES)])
                       for i, t in enumerate(trackers)],
            "text": words("report_requests", count=total,
                          feedback=words.number(figures["feedback_percent"], 1))}
