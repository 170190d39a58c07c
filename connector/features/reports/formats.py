"""A report as people read it: Markdown in the team's language (templates.yml), CSV a
Russian-locale spreadsheet opens as is (UTF-8 with BOM, `;`, a decimal comma), JSON as built."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from connector.context import FeatureContext

TABLES = ("outages", "services", "stages", "problems", "sla", "requests")


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def as_csv(report: dict[str, Any], table: str = "outages") -> str:
    """One table of the report, a row per item; the columns are the JSON keys."""
    rows = report[table]
    if table == "stages":
        rows = [{"stage": name, **figures} for name, figures in rows.items()]
    out = io.StringIO()
    out.write("\ufeff")
    columns = list(rows[0]) if rows else _EMPTY[table]
    writer = csv.DictWriter(out, columns, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


_EMPTY = {"outages": ["ticket", "service", "start", "end", "minutes", "unique_minutes",
                      "share_pp", "start_source", "stages", "imported"],
          "services": ["service", "title", "outage_minutes", "percent", "outages"],
          "stages": ["stage", "count", "median_minutes", "p90_minutes", "max_minutes",
                     "norm_minutes", "over_norm"],
          "problems": ["ticket", "service", "stage", "owner", "outages"],
          "sla": ["policy", "tracker", "priority", "met", "breached", "running", "percent"],
          "requests": ["day", "tracker", "priority", "count", "feedback"]}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def as_markdown(c: FeatureContext, report: dict[str, Any], mapping: str | None = None) -> str:
    """The report for the head of support, in the regulation's words."""

    def say(template: str, **values: Any) -> str:
        return c.render(template, mapping, **values)

    where = scope_words(c, report, mapping)
    r = report["reliability"]
    lines = [say("report_title", **{"from": day(report["period"]["from"]),
                                    "to": day(report["period"]["to"]), "scope": where}), "",
             say("report_reliability", percent=number(r["percent"], 2),
                 target=number(r["target_percent"], 2) if r["target_percent"] is not None
                 else say("report_no_target"), minutes=number(r["outage_minutes"], 0)), "",
             say("report_services")]
    lines += [say("report_service_line", title=s["title"], minutes=number(s["outage_minutes"], 0),
                  percent=number(s["percent"], 2), outages=s["outages"])
              for s in report["services"] if s["outages"]] or [say("report_nothing")]
    lines += ["", say("report_outages")]
    lines += [say("report_outage_line", ticket=o["ticket"], service=service_title(c, o["service"]),
                  start=_moment(o["start"]), end=_moment(o["end"]) if o["end"]
                  else say("report_still_open"), minutes=number(o["minutes"], 0),
                  share=number(o["share_pp"], 3),
                  source=say(f"report_source_{o['start_source']}"))
              for o in report["outages"]] or [say("report_nothing")]
    lines += ["", say("report_stages")]
    lines += [say("report_stage_line", stage=stage_title(c, name), count=s["count"],
                  median=number(s["median_minutes"], 1), p90=number(s["p90_minutes"], 1),
                  max=number(s["max_minutes"], 1), norm=number(s["norm_minutes"], 0),
                  over=s["over_norm"] if s["over_norm"] is not None else "—")
              for name, s in report["stages"].items()] or [say("report_nothing")]
    times = report["times"]
    lines += ["", say("report_times", opened=number(times["room_minutes"]["median_minutes"], 1),
                      restore=number(times["restore_minutes"]["median_minutes"], 1))]
    lines += ["", say("report_problems")]
    lines += [say("report_problem_line", ticket=p["ticket"], stage=stage_title(c, p["stage"], True),
                  owner=p["owner"] or "—", outages=", ".join(p["outages"]) or "—")
              for p in report["problems"]] or [say("report_nothing")]
    lines += ["", say("report_repeated")]
    lines += [say("report_repeated_line", service=service_title(c, x["service"]),
                  outages=", ".join(x["outages"])) for x in report["repeated"]] or [
        say("report_nothing")]
    lines += ["", say("report_sla")]
    lines += [say("report_sla_line", policy=policy_title(c, s["policy"]), met=s["met"],
                  breached=s["breached"],
                  running=s["running"], percent=number(s["percent"], 1))
              for s in report["sla"] if s["tracker"] is None] or [say("report_nothing")]
    total = sum(row["count"] for row in report["requests"])
    lines += ["", say("report_requests", count=total,
                      feedback=number(report["feedback_percent"], 1))]
    return "\n".join(lines) + "\n"


def scope_words(c: FeatureContext, report: dict[str, Any], mapping: str | None = None) -> str:
    """What the report is about, in words: all services, a service, a regulation."""
    scope = report["scope"]
    if scope["service"]:
        return c.render("report_scope_service", mapping, service=service_title(c, scope["service"]))
    if scope["regulation"]:
        return c.render("report_scope_regulation", mapping,
                        regulation=regulation_title(c, scope["regulation"]))
    return c.render("report_scope_all", mapping)


def number(value: float | None, digits: int) -> str:
    """1 234,5 — as people in the team's language read it; — for none."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def service_title(c: FeatureContext, service: str | None) -> str:
    entry = c.mappings.catalog.services.get(service or "")
    return entry.title if entry else str(service or "")


def stage_title(c: FeatureContext, name: str, problem: bool = False) -> str:
    """A stage as its regulation titles it («Диагностика»), never its stored name."""
    for mapping in c.mappings.by_name.values():
        rules = mapping.outage.problem if mapping.outage and problem else mapping.outage
        found = next((s.title for s in rules.stages if s.name == name), None) if rules else None
        if found:
            return found
    return name


def regulation_title(c: FeatureContext, name: str) -> str:
    """A regulation as its description names it («Севастополь, ГБУЗС «МИАЦ»»)."""
    mapping = c.mappings.by_name.get(name)
    return (mapping.description.split(" — ")[0] if mapping and mapping.description else name)


def policy_title(c: FeatureContext, name: str) -> str:
    """An SLA policy as its regulation titles it."""
    return next((p.title for m in c.mappings.by_name.values() for p in m.sla if p.name == name),
                name)


def day(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%d.%m.%Y")


def _moment(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%d.%m.%Y %H:%M")
