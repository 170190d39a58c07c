"""A group's message as L1 reads it (issue 21 item 2): each alert with the labels the mapping
names, its summary and description, its links (source, runbook, dashboard), Alertmanager's
silence form, the suggested priority, alerts Alertmanager left out, the decision and silence.
Every word from templates.yml, worded as the alerts project's regulation words it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import Connection, Row

from connector.chat import button
from connector.config import AlertsConfig
from connector.context import FeatureContext
from connector.events import TicketRef
from connector.features.alerts import store
from connector.features.alerts.models import FEATURE, AlertRules
from connector.features.alerts.wording import decision_text, severity_text
from connector.timestamps import from_epoch
from connector.wording import local_time

SILENCE_HOURS = (1, 4)


def alerts_config(c: FeatureContext) -> AlertsConfig:
    if c.config.alerts is None:
        raise RuntimeError("alerts are not configured")  # registered only when they are
    return c.config.alerts


def buttons(c: FeatureContext, cfg: AlertsConfig, group_id: int,
            mapping: str | None = None) -> list[tuple[str, str]]:
    """L1's decisions on a group: one-off, one ticket button per priority label, accident."""
    rows = [(c.render("button_oneoff", mapping), button(FEATURE, "oneoff", group_id))]
    rows += [(c.render("button_register", mapping, label=label),
              button(FEATURE, "register", group_id, i))
             for i, label in enumerate(cfg.priority_labels)]
    rows.append((c.render("button_accident", mapping), button(FEATURE, "accident", group_id)))
    return rows


def rules_for(c: FeatureContext) -> tuple[str | None, AlertRules]:
    """The alerts project's regulation (its name, for wording) and its `alerts:` section."""
    cfg = alerts_config(c)
    mapping = c.mapping_for(TicketRef(cfg.tracker, cfg.project, "0"))
    if mapping is None:
        return None, AlertRules()
    return mapping.name, mapping.alerts or AlertRules()


def render_group(c: FeatureContext, conn: Connection,
                 group: Row[Any]) -> tuple[str, list[tuple[str, str]]]:
    """The group's message text and its buttons, as the group is now."""
    name, rules = rules_for(c)

    def say(template_id: str, **values: object) -> str:
        return c.render(template_id, name, **values)

    details = json.loads(group.details)
    rows, firing, resolved = store.members(conn, group.id, rules.max_alerts_shown)
    alerts = [json.loads(r.details) | {"status": r.status} for r in rows]
    lines = [line for a in alerts for line in alert_lines(c, name, rules, a)]
    if firing + resolved > len(rows):
        lines.append(say("alert_more", count=firing + resolved - len(rows)))
    severity = _first(alerts, "severity")
    priority = rules.priorities.get(severity.lower(), "") if severity else ""
    extra = [say("alert_truncated", count=details["truncated"])] if details.get("truncated") \
        else []
    silence_link = _silence_form(c, details)
    if silence_link:
        extra.append(say("alert_silence_form", url=silence_link))
    if priority:
        extra.append(say("alert_priority", priority=priority))
    if group.silence_id and group.silenced_until:
        zone = _zone(c, name)
        extra.append(say("alert_silenced", user=group.silenced_by or "",
                         until=local_time(from_epoch(group.silenced_until), zone)))
    if group.decision in store.UNDECIDED and group.state == "firing":
        extra.append(say("alert_choices"))
    template = "alert_group_firing" if group.state == "firing" else "alert_group_resolved"
    text = say(template, title=_title(alerts, details), severity=severity_text(c, severity, name),
               firing=firing, resolved=resolved, alerts="\n".join(lines),
               details="\n".join(extra), decision=_decision(c, name, group))
    return text, _buttons(c, name, group)


def alert_lines(c: FeatureContext, name: str | None, rules: AlertRules,
                 a: dict[str, Any]) -> list[str]:
    labels: dict[str, str] = a.get("labels") or {"severity": a.get("severity", "")}
    notes: dict[str, str] = a.get("annotations") or {"summary": a.get("summary", "")}
    shown = [c.render("alert_label", name, label=_caption(c, name, key),
                      value=_label_value(c, key, labels[key]))
             for key in rules.labels if labels.get(key)]
    links = [c.render("alert_link", name, what=c.render(f"alert_link_{kind}", name), url=url)
             for kind, url in _links(a, notes, rules) if url]
    state = c.render("alert_state_firing" if a["status"] == "firing" else
                     "alert_state_resolved", name)
    lines = [c.render("alert_line", name, state=state, title=a.get("title", ""),
                      summary=notes.get("summary", "") or a.get("summary", ""))]
    if shown:
        lines.append("   " + ", ".join(shown))
    if notes.get("description"):
        lines.append("   " + notes["description"])
    if links:
        lines.append("   " + " · ".join(links))
    return lines


def _links(a: dict[str, Any], notes: dict[str, str],
           rules: AlertRules) -> list[tuple[str, str]]:
    dashboard = next((notes[k] for k in rules.dashboard_annotations if notes.get(k)), "")
    return [("source", str(a.get("url") or "")), ("runbook", notes.get("runbook_url", "")),
            ("dashboard", dashboard)]


def _caption(c: FeatureContext, name: str | None, label: str) -> str:
    """A label's caption in the team's words where templates.yml has one, else its name."""
    template = f"alert_label_{label}"
    return c.render(template, name) if template in c.mappings.templates.get("ru", {}) else label


def _label_value(c: FeatureContext, key: str, value: str) -> str:
    return severity_text(c, value) if key == "severity" else value


def _first(alerts: list[dict[str, Any]], key: str) -> str:
    return next((str(a[key]) for a in alerts if a.get(key)), "")


def _title(alerts: list[dict[str, Any]], details: dict[str, Any]) -> str:
    """What the group is about: its group labels' values, else its first alert's name."""
    grouped = details.get("group_labels") or {}
    return ", ".join(str(v) for v in grouped.values()) or _first(alerts, "title")


def group_title(conn: Connection, group: Row[Any]) -> str:
    """What a group is about, for lines that name it (its thread, its ticket)."""
    rows, _, _ = store.members(conn, group.id, 1)
    return _title([json.loads(r.details) for r in rows], json.loads(group.details))


def _silence_form(c: FeatureContext, details: dict[str, Any]) -> str:
    """Alertmanager's new-silence form with the group's matchers filled in: its configured
    API base, else the webhook's externalURL."""
    cfg = alerts_config(c)
    base = (cfg.alertmanager.url if cfg.alertmanager else "") or details.get("external_url", "")
    grouped: dict[str, str] = details.get("group_labels") or {}
    if not base or not grouped:
        return ""
    matchers = ",".join(f'{k}="{v}"' for k, v in sorted(grouped.items()))
    return f"{base.rstrip('/')}/#/silences/new?filter={quote('{' + matchers + '}')}"


def _decision(c: FeatureContext, name: str | None, group: Row[Any]) -> str:
    """L1's decision with what it left: the cause of a one-off, the registered ticket."""
    said = decision_text(c, group.decision, name)
    if group.cause:
        said = c.render("alert_decision_cause", name, decision=said, cause=group.cause)
    if group.issue_url:
        said = c.render("alert_decision_ticket", name, decision=said, url=group.issue_url)
    return said


def _buttons(c: FeatureContext, name: str | None, group: Row[Any]) -> list[tuple[str, str]]:
    """The decision buttons while undecided; silence buttons while it fires (or «Снять»
    while silenced) — only where Alertmanager's API is configured."""
    cfg = alerts_config(c)
    rows = buttons(c, cfg, group.id, name) if group.decision in store.UNDECIDED else []
    if cfg.alertmanager is None:
        return rows
    details = json.loads(group.details)
    if group.silence_id:
        rows.append((c.render("button_unsilence", name), button(FEATURE, "unsilence", group.id)))
    elif group.state == "firing" and details.get("group_labels"):
        rows += [(c.render("button_silence", name, hours=h),
                  button(FEATURE, "silence", group.id, h)) for h in SILENCE_HOURS]
    return rows


def _zone(c: FeatureContext, name: str | None) -> str:
    return c.mappings.by_name[name].timezone if name else "Europe/Moscow"
