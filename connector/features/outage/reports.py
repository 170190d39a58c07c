"""After the conclusion: the outage report — a new ticket in the outage's project from the
mapping's template, assigned to the head of support (Belarus §4.3.4) — and, when the service
at fault runs under a state contract, «Сбой на исполнителя» in its contractor's project for its
work group, with the timeline as the evidence (EMIAS). Their links go to the room and to the
outage's ticket once the tracker has them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.actions import CreateIssue
from connector.adapters import Performed
from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import store
from connector.features.outage.criteria import criteria_line, current
from connector.features.outage.flows import HOME
from connector.features.outage.models import TimelineKind
from connector.features.outage.timeline import timeline_text
from connector.mappings import Mapping
from connector.store.outbox import OutboxItem
from connector.timestamps import from_epoch
from connector.wording import local_time, no_mentions, ticket_label, ticket_mention
from connector.work import enqueue_actions

# The reasons of the tickets an outage creates: its report, the contractor's, a problem.
REPORT, CONTRACT, PROBLEM = "outage_report", "outage_contract", "outage_problem"


def report_actions(c: FeatureContext, conn: Connection, row: Row[Any], mapping: Mapping,
                   values: dict[str, str], downtime: dict[str, str], who: str,
                   at_fault: str) -> list[Action]:
    """The report for the head of support and, when the service `at_fault` is under a
    contract, the contractor's ticket — else the room is told there is none: `values` the
    conclusion's answers, `downtime` its span as said (conclusion.span_values)."""
    rules, ref = mapping.outage, TicketRef.parse(row.ticket)
    assert rules is not None
    entry = c.mappings.catalog.services[row.service]
    events = store.timeline(conn, row.id)
    declared = next((e for e in events if e["kind"] == "declared"), {})
    none = c.render("outage_fact_unknown", mapping.name)
    facts = {"service": entry.title, "ticket": ticket_label(ref), "who": who,
             "url": str(declared.get("url") or ""), **downtime,
             "declared": local_time(from_epoch(row.declared_at), mapping.timezone),
             "timeline": timeline_text(c, mapping, events, seen_from=ref),
             "criteria": criteria_line(c, mapping.name, current(events)),
             **{k: v or none for k, v in values.items()}}
    actions = [Action("create_issue", ref.tracker, TicketRef(ref.tracker, ref.project, "new"), {
        "title": c.render("outage_report_title", mapping.name, **facts),
        "description": c.render("outage_report", mapping.name, **facts),
        "labels": rules.report_labels if ref.tracker == "gitlab" else [],
        "user": who, "for_ticket": str(ref)}, REPORT)]
    contract = c.mappings.catalog.services[at_fault].contract
    if contract is None or not contract.tracker_project:
        actions.append(Action("post_in_room", "chat", ref, {"channel": HOME, "text": c.render(
            "outage_no_contract", mapping.name,
            service=c.mappings.catalog.services[at_fault].title)}, CONTRACT))
    else:
        there = TicketRef(ref.tracker, contract.tracker_project, "new")  # as it reads there
        seen = {**facts, "service": c.mappings.catalog.services[at_fault].title,
                "timeline": timeline_text(c, mapping, events, seen_from=there),
                "ticket": ticket_mention(ref, there, str(declared.get("reference") or ""))
                or facts["url"]}
        actions.append(Action("create_issue", ref.tracker, there, {
            "title": c.render("outage_contract_title", mapping.name, **seen),
            "description": c.render("outage_contract", mapping.name,
                                    contractor=contract.contractor,
                                    contract=contract.contract or none, **seen),
            "labels": rules.contractor_labels if ref.tracker == "gitlab" else [],
            "user": who, "for_ticket": str(ref)}, CONTRACT))
    return actions


def after_created(c: FeatureContext, conn: Connection, item: OutboxItem,
                  performed: Performed) -> None:
    """The report or contractor ticket exists: assign it, note it on the outage's ticket, link
    it (Mantis), post it in the room, record it on the timeline."""
    action = item.action
    if action.kind != "create_issue" or action.reason not in (REPORT, CONTRACT):
        return
    iid, url = performed.result.get("iid"), str(performed.result.get("url") or "")
    p = action.params_as(CreateIssue)
    row = store.by_ticket(conn, p.for_ticket) if p.for_ticket else None
    if not iid or row is None:
        return
    outage_ref = TicketRef.parse(row.ticket)
    created = TicketRef(action.target, action.ticket.project, str(iid))
    mapping, catalog = c.mappings.by_name[row.mapping], c.mappings.catalog
    entry = catalog.services[row.service]
    kind: TimelineKind = "report" if action.reason == REPORT else "contract"
    reference = str(performed.result.get("reference") or "")
    store.record(conn, row.id, kind, p.user, ticket=str(created), url=url, reference=reference)
    at_fault = catalog.services.get(next((str(e.get("fault") or "") for e in store.timeline(
        conn, row.id) if e["kind"] == "conclusion"), "") or row.service, entry)
    owner_key = catalog.head_of_support if kind == "report" else (
        at_fault.contract.work_group if at_fault.contract else None)
    owner = catalog.people.get(owner_key or "")
    username = getattr(owner, created.tracker, "") if owner else ""
    text = c.render(f"outage_{kind}_created", mapping.name, url=url,
                    ticket=ticket_mention(created, outage_ref, reference),
                    owner=owner.name if owner else "—")
    actions = [Action("post_in_room", "chat", outage_ref, {"channel": HOME, "text": text},
                      action.reason),
               Action("add_note", outage_ref.tracker, outage_ref, {"body": text}, action.reason)]
    rules = mapping.outage
    assert rules is not None
    actions += tag_created(c, created, rules.report_labels if kind == "report"
                           else rules.contractor_labels, action.reason)
    if username:
        actions.insert(0, Action("assign", created.tracker, created,
                                 {"username": username, "role": kind}, action.reason))
    if created.tracker == "mantis":
        actions.append(Action("link", "mantis", outage_ref, {"target": created.key,
                                                             "type": "related-to"},
                              action.reason))
    enqueue_actions(c, conn, f"outage|{outage_ref}|{kind}|{created}", actions, None)


def tag_created(c: FeatureContext, created: TicketRef, labels: list[str],
                reason: str) -> list[Action]:
    """Labels a GitLab issue takes at creation, a Mantis issue as tags once it exists (an SLA
    policy or a filter on «Отчёт об аварии» sees the report on either tracker)."""
    if created.tracker == "gitlab" or not labels \
            or "update_labels" not in c.supports(created.tracker):
        return []
    return [Action("update_labels", created.tracker, created, {"add": labels, "remove": []},
                   reason)]


def after_failed(c: FeatureContext, conn: Connection, item: OutboxItem, reason: str) -> None:
    """A report, contractor or problem ticket the tracker would not create: said in the room
    and on the outage's ticket (the reason is on the failed outbox row, for the admin)."""
    action = item.action
    if action.kind != "create_issue" or action.reason not in (REPORT, CONTRACT, PROBLEM):
        return
    p = action.params_as(CreateIssue)
    row = store.by_ticket(conn, p.for_ticket) if p.for_ticket else None
    if row is None:
        return
    ref, mapping = TicketRef.parse(row.ticket), c.mappings.by_name[row.mapping]
    store.record(conn, row.id, "ticket_failed", "", title=p.title)
    text = c.render("outage_ticket_failed", mapping.name, title=no_mentions(p.title))
    enqueue_actions(c, conn, f"outage|{ref}|failed|{item.idempotency_key}", [
        Action("post_in_room", "chat", ref, {"channel": HOME, "text": text}, action.reason),
        Action("add_note", ref.tracker, ref, {"body": text}, action.reason)], None)
