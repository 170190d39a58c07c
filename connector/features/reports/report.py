"""A report: every figure for one period and scope, as one document with stable keys — what
`helpdesk-connector report` prints (JSON, Markdown, CSV), the dashboard draws and the scheduled
report sends. The keys are documented in docs/features/reports.md."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.features.outage.models import norm_hours
from connector.features.reports import figures, flow, source
from connector.features.reports.figures import Norm, Outage
from connector.features.reports.period import Period, PeriodError
from connector.features.reports.source import Scope
from connector.mappings import Mapping
from connector.store.db import reading

Counts = tuple[list[dict[str, Any]], list[dict[str, Any]]]  # (sla, requests) of a report


def zone_of(c: FeatureContext, regulation: str | None) -> str:
    """The time zone a report's days are counted in: the regulation's, else the first
    configured regulation's."""
    if regulation:
        mapping = c.mappings.by_name.get(regulation)
        if mapping is None:
            raise PeriodError(f"no regulation named {regulation!r}: "
                              f"{', '.join(sorted(c.mappings.by_name))}")
        return mapping.timezone
    used = [c.mappings.get(p.mapping) for t in c.config.trackers.configured().values()
            for p in t.projects if p.mapping in c.mappings.by_name]
    return (used or list(c.mappings.by_name.values()))[0].timezone


def build(c: FeatureContext, period: Period, scope: Scope, found: list[Outage] | None = None,
          counts: Counts | None = None) -> dict[str, Any]:
    """Every figure of the period, in scope; `found`: the outages in scope already read that
    may touch the period, `counts`: counted() (the dashboard reads both once for its charts
    too). The database counts while the outages are read here."""
    if scope.service and scope.service not in c.mappings.catalog.services:
        raise PeriodError(f"no service named {scope.service!r} in the catalog")
    now = c.clock.now()
    with ThreadPoolExecutor(max_workers=1) as pool:
        counting = None if counts else pool.submit(counted, c, period, scope)
        with reading(c.engine) as conn:
            if found is None:
                found = source.read_outages(c, conn, period, scope, now, since=period.start)
            in_period = [o for o in found if o.interval(period, now) is not None]
            problems = _problems(c, conn, period, scope, now)
        sla, requests = counting.result() if counting else counts or ([], [])
    titles = {s: e.title for s, e in c.mappings.catalog.services.items()
              if scope.service in (None, s)}
    target = c.config.reports.target_percent
    return {
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat(),
                   "minutes": period.minutes, "zone": period.zone},
        "scope": {"service": scope.service, "regulation": scope.regulation},
        "reliability": figures.reliability(period, in_period, now, target),
        "services": figures.services(period, in_period, titles, now),
        "outages": figures.outage_rows(period, in_period, now,
                                       lambda t: _local(t, period.zone)),
        "stages": figures.stages(in_period, _norms(c, scope), now),
        "times": figures.times(in_period),
        "problems": problems,
        "repeated": figures.repeated(in_period, c.config.reports.repeat_days),
        "sla": sla,
        "requests": requests,
        "feedback_percent": flow.feedback_share(requests),
    }


def counted(c: FeatureContext, period: Period, scope: Scope) -> Counts:
    """SLA compliance and the request flow, counted by the database on a connection of its
    own (it groups with the GIL released, so a thread runs it beside the outages' reading)."""
    with reading(c.engine) as conn:
        return (flow.sla(source.clocks(conn, period, scope)),
                flow.requests(period, source.request_facts(conn, period, scope)))


def _norms(c: FeatureContext, scope: Scope) -> dict[tuple[str, ...], Norm]:
    """Each regulation's outage stages' norms — the stage's own `norm:` (the team's from
    sla.targets), as the stage-norm reminders read it — measured on its calendar; by
    (regulation, stage), and by (regulation, stage, service) where the service's criticality
    gives it another."""
    found: dict[tuple[str, ...], Norm] = {}
    services = c.mappings.catalog.services
    for mapping in c.mappings.by_name.values():
        if mapping.outage is None or scope.regulation not in (None, mapping.name):
            continue
        for stage in mapping.outage.stages:
            if stage.norm is None:
                continue
            measure = _measure(c, stage.norm.calendar)
            usual = norm_hours(c.config.sla.targets, mapping.name, "outage", stage)
            if usual is not None:
                found[mapping.name, stage.name] = (usual * 60, measure)
            for sid, service in services.items():
                own = norm_hours(c.config.sla.targets, mapping.name, "outage", stage,
                                 service.criticality)
                if own is not None and own != usual:
                    found[mapping.name, stage.name, sid] = (own * 60, measure)
    return found


def _measure(c: FeatureContext, calendar: str | None) -> Any:
    if calendar:
        return c.mappings.calendars[calendar].working_seconds
    return lambda start, end: max(0.0, end - start)


def _problems(c: FeatureContext, conn: Connection, period: Period, scope: Scope,
              now: float) -> list[dict[str, Any]]:
    """Problems declared by the period's end: their stage, the stage's owner, their outages."""
    rows = []
    for row, events in source.outage_facts(c, conn, period, scope, now, kind="problem"):
        mapping = c.mappings.by_name.get(row.mapping)
        rules = mapping.outage.problem if mapping and mapping.outage else None
        stage = next((s for s in rules.stages if s.name == row.stage), None) if rules else None
        rows.append({"ticket": row.ticket, "service": row.service, "stage": row.stage,
                     "owner": _owner(c, mapping, row.service, stage.owner if stage else None),
                     "outages": [str(e["ticket"]) for e in events
                                 if e["kind"] == "outage" and e.get("ticket")]})
    return rows


def _owner(c: FeatureContext, mapping: Mapping | None, service: str, role: str | None) -> Any:
    catalog = c.mappings.catalog
    entry = catalog.services.get(service)
    if role is None or entry is None or mapping is None:
        return None
    keys = {"responsible": entry.responsible, "duty": entry.duty, "l1": entry.l1,
            "head": [catalog.head_of_support] if catalog.head_of_support else []}.get(role, [])
    person = catalog.people.get(keys[0]) if keys else None
    return person.name if person else None


def _local(moment: float, zone: str) -> str:
    return datetime.fromtimestamp(moment, ZoneInfo(zone)).isoformat(timespec="seconds")
