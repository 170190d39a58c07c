"""The timeline as people read it — in the room log, the report and the contractor's ticket:
one line per entry, time, who, and what in the regulation's words (stage and service titles,
answers as said in the room, never the stored internal values)."""

from __future__ import annotations

from typing import Any

from connector.context import FeatureContext
from connector.events import TicketRef
from connector.features.outage.texts import SOURCES
from connector.mappings import Mapping
from connector.timestamps import from_epoch
from connector.wording import duration_parts, local_time, no_mentions, ticket_label, ticket_mention


def timeline_text(c: FeatureContext, mapping: Mapping, events: list[dict[str, Any]],
                  kind: str = "outage", seen_from: TicketRef | None = None) -> str:
    """Every entry of an outage's (or a problem's) timeline, a line each; tickets named as a
    text on `seen_from` must name them (another GitLab project: `group/project#7`)."""
    return "\n".join(c.render("outage_log_line", mapping.name,
                              time=local_time(from_epoch(e["at"]), mapping.timezone),
                              who=no_mentions(str(e.get("who") or "")) or c.render(
                                  "outage_log_connector", mapping.name),
                              what=c.render(f"outage_log_{e['kind']}", mapping.name,
                                            **entry_values(c, mapping, e, kind,
                                                           seen_from)).rstrip())
                     for e in events)


def entry_values(c: FeatureContext, mapping: Mapping, e: dict[str, Any], kind: str = "outage",
                 seen_from: TicketRef | None = None) -> dict[str, str]:
    """What an entry's line may say (every `outage_log_<kind>` takes the same placeholders)."""
    titles = {s.name: s.title for s in mapping.outage.of(kind).stages} if mapping.outage else {}
    service = str(e.get("service") or "")
    entry = c.mappings.catalog.services.get(service)
    return {
        "stage": titles.get(str(e.get("stage") or ""), ""),
        "text": no_mentions(str(e.get("text") or e.get("cause") or e.get("comment") or "")),
        "service": entry.title if entry else no_mentions(service),
        "answer": _answer(c, mapping, e),
        "link": str(e.get("link") or ""), "url": str(e.get("url") or ""),
        "users": "—" if e.get("users") is None else f"{float(e['users']):,.0f}".replace(
            ",", " "),
        "ticket": _ticket(str(e.get("ticket") or ""), seen_from, str(e.get("reference") or "")),
        "time": _moment(e.get("start"), mapping.timezone),
        "source": source_text(c, mapping, str(e.get("source") or "")),
        "end": _moment(e.get("end"), mapping.timezone),
        "end_source": source_text(c, mapping, str(e.get("end_source") or "")),
        "downtime": c.render("outage_duration", mapping.name,
                             **duration_parts(int(e["minutes"]) * 60))
        if isinstance(e.get("minutes"), int) else "",
    }


def _moment(value: Any, zone: str) -> str:
    return local_time(from_epoch(float(value)), zone) if isinstance(value, int | float) else ""


def source_text(c: FeatureContext, mapping: Mapping, source: str) -> str:
    """«со слов заявившего», «по оповещению мониторинга»…; "" for an unknown source."""
    return c.render(f"outage_source_{source}", mapping.name) if source in SOURCES else ""


def _answer(c: FeatureContext, mapping: Mapping, e: dict[str, Any]) -> str:
    """A related service's answer or a join decision, as the room was told it."""
    if e["kind"] == "related":
        return c.render("outage_related_ok" if e.get("answer") == "healthy"
                        else "outage_related_hit", mapping.name)
    if e["kind"] == "join":
        return c.render("outage_join_approved" if e.get("approved")
                        else "outage_join_declined", mapping.name)
    return ""


def _ticket(text: str, seen_from: TicketRef | None, reference: str) -> str:
    """A stored ticket (`mantis:1#9`) as the helpdesk names it where the text is read (`#9`,
    or `group/project#9` from another GitLab project)."""
    try:
        ref = TicketRef.parse(text) if text else None
    except ValueError:
        return no_mentions(text[:60])
    if ref is None:
        return ""
    return ticket_mention(ref, seen_from, reference) if seen_from else ticket_label(ref)
