"""`/outage <service> <summary> | <недоступные функции> | <потеря данных> | <доля клиентов> |
<с какого времени>` in one of the connector's chat channels: a catalog person with a role for
the service declares an outage there and then. The ticket is created in the first tracker
project whose regulation handles that service's outages (`outage.default_service` or
`outage.services`), meeting its declare condition (GitLab: its labels;
Mantis: its category and impact), with what the declarer recorded (Belarus §1.1: data loss,
share of clients, since when); the connector declares it the moment the ticket exists.
Everything after the summary is optional: the declarer adds it with /progress later."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from connector.context import FeatureContext
from connector.events import Action, ChatCommand, TicketRef
from connector.features.outage.criteria import FACTS
from connector.features.outage.downtime import parse_moment
from connector.features.outage.flows import RULE
from connector.mappings import Mapping
from connector.timestamps import from_epoch
from connector.wording import no_mentions

COMMAND = "outage_command"  # the reason of what the command decides


@dataclass(frozen=True)
class Declaration:
    service: str
    summary: str
    facts: dict[str, str]


def parse(text: str) -> Declaration | None:
    """None when the service or the summary is missing."""
    head, *rest = [no_mentions(part).strip() for part in text.split("|")]
    words = head.split(maxsplit=1)
    if len(words) < 2 or not words[1].strip():
        return None
    facts = {key: value[:500] for key, value in zip(FACTS, rest, strict=False) if value}
    return Declaration(words[0].lower(), words[1].strip()[:200], facts)


def on_outage(c: FeatureContext, conn: Connection, ev: ChatCommand) -> list[Action]:
    channel = _logical_channel(c, ev)
    if channel is None:
        return []  # not one of the connector's channels: nobody to answer there
    catalog = c.mappings.catalog

    def say(template: str, **values: str) -> list[Action]:
        ref = TicketRef("outage", ev.chat, ev.channel_id)
        return [Action("notify", ev.chat, ref, {"channel": channel, "text": c.render(
            template, None, **values)}, COMMAND)]

    declaration = parse(ev.text)
    services = ", ".join(sorted(catalog.services)) or "—"
    if declaration is None or declaration.service not in catalog.services:
        return say("outage_command_usage", services=services)
    person = catalog.person(ev.chat, ev.user_id)
    service = catalog.services[declaration.service]
    if person is None or not _may_declare(c, declaration.service, ev):
        return say("outage_command_not_allowed", service=service.title)
    found = _project(c, declaration.service)
    if found is None:
        return say("outage_command_no_project")
    tracker, project, mapping = found
    assert mapping.outage is not None
    rules, values = mapping.outage, {k: no_mentions(v) for k, v in declaration.facts.items()}
    unknown = c.render("outage_fact_unknown", mapping.name)
    description = c.render("outage_command_description", mapping.name, who=person.name,
                           service=service.title, summary=no_mentions(declaration.summary),
                           **{k: values.get(k, unknown) for k in FACTS})
    labels = [*rules.declare.all_labels, *rules.declare.labels[:1],
              f"{rules.service_label_prefix}{declaration.service}"]
    vocab = mapping.trackers.get(tracker)
    impact = rules.declare.impact[0] if rules.declare.impact else ""
    params = {"title": no_mentions(declaration.summary), "description": description,
              "labels": labels if tracker == "gitlab" else [], "user": person.name,
              "facts": values, "severity": (vocab.impacts.get(impact, impact)
                                            if vocab and impact else "")}
    if rules.declare.category:
        params["category"] = rules.declare.category[0]
    since = declaration.facts.get("since", "")
    started = parse_moment(since, c.clock.now(), mapping.timezone) if since else None
    params["started_at"] = from_epoch(started) if started is not None else ""
    unread = say("outage_since_unknown", given=no_mentions(since[:40])) \
        if since and started is None else []
    return [Action("create_issue", tracker, TicketRef(tracker, project, "new"), params, RULE),
            *say("outage_command_accepted", service=service.title), *unread]


def _may_declare(c: FeatureContext, service: str, ev: ChatCommand) -> bool:
    """The service's responsible, duty, L1, or the head of support."""
    person = c.mappings.catalog.person(ev.chat, ev.user_id)
    return person is not None and person in c.mappings.catalog.responders(service)


def _project(c: FeatureContext, service: str) -> tuple[str, str, Mapping] | None:
    """The first configured tracker project whose regulation handles the service's outages."""
    for kind, tracker in c.config.trackers.configured().items():
        for project in tracker.projects:
            mapping = c.mappings.by_name.get(project.mapping)
            if mapping is not None and mapping.outage is not None \
                    and mapping.outage.covers(service):
                return kind, project.id, mapping
    return None


def _logical_channel(c: FeatureContext, ev: ChatCommand) -> str | None:
    chat = c.config.chats.configured().get(ev.chat)
    if chat is None:
        return None
    return next((name for name, cid in chat.channels.items() if str(cid) == ev.channel_id),
                None)
