"""Mass outages: a ticket that declares one (the mapping's `outage.declare`) gets its room at
once — created, the service's responders invited, the facts posted, the status message pinned
with the buttons of the next stages — and the ticket is assigned to the service's responsible
person. Every step is an outbox action, so it happens once however often the event comes."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection, Row

from connector.actions import CreateIssue
from connector.adapters import Performed
from connector.chat import button
from connector.context import FeatureContext
from connector.events import Action, TicketEvent, TicketRef
from connector.features.outage import clients, store
from connector.features.outage.catalog import Catalog
from connector.features.outage.criteria import criteria_line
from connector.features.outage.downtime import plausible
from connector.features.outage.models import OutageRules, Stage
from connector.mappings import Mapping
from connector.rules.vocab import read_event, write_action
from connector.store.outbox import OutboxItem
from connector.timestamps import from_epoch, to_epoch
from connector.wording import local_time, no_mentions, ticket_label
from connector.work import enqueue_actions

log = logging.getLogger(__name__)

FEATURE = "outage"
HOME = "outages"  # the logical chat channel rooms belong to (Telegram: the forum supergroup)
RULE = "outage"


def on_ticket(c: FeatureContext, conn: Connection, event: TicketEvent) -> None:
    """Declare an outage the first time its ticket meets the mapping's condition; its clients
    are told."""
    outage_id = declare(c, conn, event)
    row = store.get(conn, outage_id) if outage_id is not None else None
    if row is not None:
        clients.tell(c, conn, row, "declared")


def declare(c: FeatureContext, conn: Connection, event: TicketEvent,
            facts: dict[str, str] | None = None) -> int | None:
    """The outage's id when the ticket declares it now (None: not one, or declared before);
    `facts`: Belarus §1.1's criteria as the declaring path knows them (criteria.py)."""
    mapping = c.mapping_for(event.ref)
    if mapping is None or mapping.outage is None:
        return None
    rules, seen = mapping.outage, read_event(mapping, event)
    if not rules.declare.holds(seen):
        return None
    catalog = c.mappings.catalog
    service = service_of(rules, seen, catalog)
    first = rules.stages[0]
    outage_id = store.declare(conn, str(event.ref), mapping.name, service, first.name)
    if outage_id is None:
        return None  # declared before
    store.record(conn, outage_id, "declared", event.actor or "", service=service,
                 stage=first.name, title=event.title, url=event.url, reference=event.reference,
                 **({"created": to_epoch(event.created_at)} if event.created_at else {}))
    store.record(conn, outage_id, "criteria", event.actor or "", **(facts or {}))
    enqueue_actions(c, conn, f"outage|{event.ref}|declared",
                    declared_actions(c, mapping, outage_id, event, service, facts or {}), None)
    log.info("outage %s declared on %s (service %s)", outage_id, event.ref, service)
    return outage_id


def after_created(c: FeatureContext, conn: Connection, item: OutboxItem,
                  performed: Performed) -> None:
    """An issue the connector itself created that meets the declare condition (the alerts
    channel's «Авария») is declared at once, by the person who pressed, without waiting for
    the tracker's webhook about it (which then finds it declared)."""
    action = item.action
    iid = performed.result.get("iid")
    if action.kind != "create_issue" or not iid:
        return
    p = action.params_as(CreateIssue)
    ref = TicketRef(action.target, action.ticket.project, str(iid))
    fields = {"severity": p.severity} if p.severity else {}
    started = to_epoch(p.started_at) if p.started_at else None
    known = started is not None and plausible(started, c.clock.now())  # an alert's zero time
    mapping = c.mapping_for(ref)
    facts = dict(p.facts) if action.reason == RULE else {}  # what /outage was told
    if known and started is not None and mapping is not None and "since" not in facts:
        facts["since"] = local_time(from_epoch(started), mapping.timezone)  # the alert's
    declare(c, conn, TicketEvent(ref, "ticket", "open", p.user, title=p.title,
                                 url=str(performed.result.get("url") or ""),
                                 labels=tuple(p.labels), state="opened",
                                 category=p.category, fields=fields,
                                 reference=str(performed.result.get("reference") or "")), facts)
    row = store.by_ticket(conn, str(ref))
    if row is None or row.ticket != str(ref):
        return
    if known and started is not None:
        store.record(conn, row.id, "start", p.user, start=started,
                     source="alert" if p.alert_id is not None else "stated")
    clients.tell(c, conn, row, "declared")  # since the start the declarer stated


def declared_actions(c: FeatureContext, mapping: Mapping, outage_id: int, event: TicketEvent,
                     service: str, facts: dict[str, str]) -> list[Action]:
    """Assign, label, note on the ticket; the room with its pinned status in the chats."""
    rules, catalog, ref = _rules(mapping), c.mappings.catalog, event.ref
    entry = catalog.services[service]
    responders = catalog.responders(service)
    owner = catalog.people[entry.responsible[0]]
    values = _values(c, mapping, ref, event.title, event.url, service)
    date = datetime.fromtimestamp(c.clock.now(), ZoneInfo(mapping.timezone))
    room = f"{service}-{ref.key}-{date:%Y-%m-%d}"
    first = rules.stages[0]
    actions: list[Action] = []
    username = getattr(owner, ref.tracker, "")
    if username:
        actions.append(Action("assign", ref.tracker, ref, {"username": username,
                                                           "role": "responsible"}, RULE))
    actions += stage_actions(mapping, ref, None, first)
    critical = rules.criticality_labels.get(entry.criticality)
    if critical:  # its stage norms may be this criticality's
        actions.append(Action("update_labels", ref.tracker, ref, {"add": [critical],
                                                                  "remove": []}, RULE))
    actions.append(Action("add_note", ref.tracker, ref, {"body": c.render(
        "outage_note_declared", mapping.name, room=room, responsible=owner.name, **values)},
        RULE))
    thread = rules.room == "thread"
    actions.append(Action("open_room", "chat", ref, {
        "channel": HOME, "name": room, "thread": thread,
        "invite": {} if thread else {"slack": [p.slack for p in responders if p.slack]},
        "intro": c.render("outage_intro", mapping.name, responders=", ".join(
            p.name for p in responders), related=", ".join(
            catalog.services[s].title for s in entry.related) or "—", **values),
        "status": status_text(c, mapping, ref, service, first, c.clock.now(), event.title,
                              event.url, criteria=criteria_line(c, mapping.name, facts)),
        "buttons": buttons(c, mapping, outage_id, first)}, RULE))
    actions += _ask_related(c, mapping, outage_id, ref, service)
    actions += sample_affected(c, ref, service)
    return actions


def sample_affected(c: FeatureContext, ref: TicketRef, service: str) -> list[Action]:
    """The catalog's affected-users query, if the service has one (Prometheus answers later)."""
    query = c.mappings.catalog.services[service].affected_users
    if query is None:
        return []
    return [Action("query_metrics", "prometheus", ref, {
        "queries": [(query.title, query.promql)], "purpose": "affected"}, RULE)]


def _ask_related(c: FeatureContext, mapping: Mapping, outage_id: int, ref: TicketRef,
                 service: str) -> list[Action]:
    """Each related service's people are asked in the room: healthy or affected?"""
    catalog, entry = c.mappings.catalog, c.mappings.catalog.services[service]
    asks = []
    for index, other in enumerate(entry.related):
        related = catalog.services[other]
        owners = ", ".join(catalog.people[k].name for k in [*related.responsible,
                                                            *related.duty])
        asks.append(Action("post_in_room", "chat", ref, {
            "channel": HOME, "text": c.render(
                "outage_related_ask", mapping.name, service=entry.title,
                related=related.title, owners=owners),
            "buttons": [[c.render("outage_related_ok", mapping.name),
                         button(FEATURE, "ok", outage_id, index)],
                        [c.render("outage_related_hit", mapping.name),
                         button(FEATURE, "hit", outage_id, index)]]}, RULE))
    return asks


def status_text(c: FeatureContext, mapping: Mapping, ref: TicketRef, service: str, stage: Stage,
                since: float, title: str = "", url: str = "", *, affected: str = "",
                kind: str = "outage", done: frozenset[int] = frozenset(),
                criteria: str = "") -> str:
    must = c.render("outage_step_required", mapping.name)
    steps = "\n".join(f"{'☑' if i in done else '☐'} {s.text}"
                      f"{must if stage.required(i) and i not in done else ''}"
                      for i, s in enumerate(stage.steps)) or "—"
    return c.render(f"{kind}_status", mapping.name, stage=stage.title,
                    since=local_time(from_epoch(since), mapping.timezone), steps=steps,
                    affected=affected, criteria=criteria,
                    **_values(c, mapping, ref, title, url, service))


def affected_line(c: FeatureContext, mapping: Mapping, conn: Connection, outage_id: int) -> str:
    """The affected-users samples so far, on the status message (EMIAS's next step)."""
    rules, samples = _rules(mapping), [e for e in store.timeline(conn, outage_id)
                                       if e["kind"] == "affected"]
    if not samples:
        return ""
    titles = {s.name: s.title for s in rules.stages}
    parts = [c.render("outage_affected_sample", mapping.name,
                      stage=titles.get(e.get("stage", ""), ""),
                      users="—" if e.get("users") is None else f"{e['users']:,.0f}".replace(
                          ",", " "),
                      at=local_time(from_epoch(e["at"]), mapping.timezone)) for e in samples]
    return c.render("outage_affected", mapping.name, samples="; ".join(parts))


DECISIONS = ("comment", "link_problem", "new_problem")  # EMIAS' three closing decisions
STEP_TEXT = 60  # a step's button shows this much of it (Slack takes 75)


def buttons(c: FeatureContext, mapping: Mapping, outage_id: int, stage: Stage,
            kind: str = "outage", done: frozenset[int] = frozenset()) -> list[list[str]]:
    """The stage's steps not done yet (a press ticks one), the next stages (a closing stage:
    the three decisions), and the conclusion form where the stage asks for it; who may press
    which is checked at the press."""
    rules = _rules(mapping).of(kind)
    index = {s.name: i for i, s in enumerate(rules.stages)}
    found = [[f"☐ {step.text[:STEP_TEXT]}", button(FEATURE, "step", outage_id,
                                                    f"{index[stage.name]}:{i}")]
             for i, step in enumerate(stage.steps) if i not in done]
    found += [[c.render("outage_conclude", mapping.name),
               button(FEATURE, "conclude", outage_id, 0)]] if stage.conclusion else []
    for name in stage.next:
        if rules.stage(name).closing:  # without problems in the mapping: only the comment
            found += [[c.render(f"outage_close_{d}", mapping.name),
                       button(FEATURE, "close", outage_id, i)] for i, d in enumerate(DECISIONS)
                      if i == 0 or _rules(mapping).problem is not None]
        else:
            found.append([c.render("outage_button", mapping.name, stage=rules.stage(name).title),
                          button(FEATURE, "go", outage_id, index[name])])
    return found


def stage_actions(mapping: Mapping, ref: TicketRef, old: Stage | None,
                   new: Stage) -> list[Action]:
    """What entering a stage writes to the tracker: its label, its status."""
    actions = []
    if new.label or (old and old.label):
        actions.append(Action("update_labels", ref.tracker, ref, {
            "add": [new.label] if new.label else [],
            "remove": [old.label] if old and old.label and old.label != new.label else []},
            RULE))
    if new.status:
        actions.append(write_action(mapping, Action("set_status", ref.tracker, ref,
                                                    {"status": new.status}, RULE)))
    if new.state:
        actions.append(Action("set_state", ref.tracker, ref, {"state": new.state}, RULE))
    return actions


def is_over(c: FeatureContext, row: Row[Any]) -> bool:
    """The outage (or problem) stands in a last stage: it owns no room any more, even in the
    moments before the room is archived or given back."""
    mapping = c.mappings.by_name.get(row.mapping)
    if mapping is None or mapping.outage is None:
        return True
    lifecycle = mapping.outage.of(row.kind)
    return row.stage not in {s.name for s in lifecycle.stages} or \
        not lifecycle.stage(row.stage).next


def service_of(rules: OutageRules, event: TicketEvent, catalog: Catalog) -> str:
    """The catalog service a ticket names by label, else the mapping's default."""
    for label in event.labels:
        if label.startswith(rules.service_label_prefix):
            name = label.removeprefix(rules.service_label_prefix).strip()
            if name in catalog.services:
                return name
    return rules.default_service


def _values(c: FeatureContext, mapping: Mapping, ref: TicketRef, title: str, url: str,
            service: str) -> dict[str, Any]:
    entry = c.mappings.catalog.services.get(service)
    return {"service": entry.title if entry else service, "ticket": ticket_label(ref),
            "title": no_mentions(title), "url": url}


def _rules(mapping: Mapping) -> OutageRules:
    if mapping.outage is None:
        raise RuntimeError(f"mapping {mapping.name} has no outage section")
    return mapping.outage
