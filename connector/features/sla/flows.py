"""SLA clocks at work: every tracker event moves its ticket's clocks — placed at the tracker's
own time of the change, whatever order events arrive in (history.py) — and a tick fires the
thresholds that fell due — each once, across processes: a due clock is claimed like an outbox
action, and its threshold's actions are written in the same transaction that marks it fired."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, TicketEvent, TicketRef
from connector.features.sla import store
from connector.features.sla.calendars import CalendarError
from connector.features.sla.clocks import Clock, Hours, WallClock, due, holding, next_due
from connector.features.sla.facts import facts_of
from connector.features.sla.history import Lateness, lateness, place, too_old
from connector.features.sla.models import SlaPolicy, Threshold
from connector.logs import every_so_often
from connector.mappings import Mapping
from connector.rules.vocab import read_event
from connector.store.db import reading
from connector.timestamps import from_epoch
from connector.wording import duration_parts, local_time, ticket_label
from connector.work import enqueue_actions

log = logging.getLogger(__name__)

RULE = "sla"
# why a threshold was marked late → the text that says so
LATE_TEXTS: dict[Lateness, str] = {"down": "sla_late", "unknown_ticket": "sla_late_ticket",
                                   "unknown_change": "sla_late_change"}


class SettleLost(Exception):
    """The clock changed (a ticket event) or another process took it while its thresholds
    were being fired: nothing of this firing may be kept."""


def on_ticket(c: FeatureContext, conn: Connection, event: TicketEvent) -> None:
    """Start, pause, resume, stop, cancel or reset the ticket's clocks as the event shows it —
    an event delivered late (after a newer one) too: it takes its place in the history."""
    mapping = c.mapping_for(event.ref)
    if mapping is None or not mapping.sla:
        return
    at, learned = _event_time(c, event), c.clock.now()
    event = read_event(mapping, event)  # statuses and priorities in the regulation's words
    ticket = str(event.ref)
    stored, held = store.load(conn, ticket), {}
    for policy in mapping.sla:
        if too_old(stored.base(policy.name), at):
            every_so_often(log, f"SLA {ticket} {policy.name}: a change of {event.updated_at} "
                                "is older than the history kept; `sla repair` rebuilds it")
        else:
            held[policy.name] = holding(policy, event)
    changed = place(stored, held, at, learned) if held else None
    facts = {**stored.history.facts, **facts_of(mapping, c.mappings.catalog, event)}
    if changed is None and facts == stored.history.facts:
        return  # a copy of an event seen: nothing to write
    stored.history.facts, changed = facts, changed or set()
    clocks = []
    for name in sorted(changed):  # a policy that left the mapping has a fold to keep at most
        clock = stored.clocks[name]
        clocks.append((name, clock, _next_due_at(
            c, mapping, next((p for p in mapping.sla if p.name == name), None), clock, at)))
    store.save_all(conn, ticket, mapping.name, stored.history, clocks)


def _next_due_at(c: FeatureContext, mapping: Mapping, policy: SlaPolicy | None, clock: Clock,
                 now: float) -> float | None:
    """When the clock's next threshold falls due (None: none while it stands as it is, or its
    policy left the mapping)."""
    if policy is None:
        return None
    try:
        upcoming = next_due(clock, hours_for(c, policy), target_of(c, mapping, policy), policy,
                            now)
    except CalendarError as exc:  # boundary: a calendar without hours holds up no event
        every_so_often(log, f"SLA {mapping.name}.{policy.name}: {exc}; the clock rests")
        return None
    return upcoming[1] if upcoming else None


def tick(c: FeatureContext) -> list[str]:
    """Fire every threshold due by now; returns no inbox sources (nothing to wake)."""
    w = c.config.worker
    while True:
        with c.engine.begin() as conn:
            rows = store.claim_due(conn, c.worker_id, w.batch_size, w.lease_seconds)
        if not rows:
            return []
        for row in rows:
            try:
                _fire(c, row)
            except SettleLost:
                log.info("SLA clock of %s changed while firing; it is looked at again",
                         row.ticket)
            except CalendarError as exc:  # boundary: one bad calendar holds up no other clock
                every_so_often(log, f"SLA clock of {row.ticket}: {exc}; the clock rests")
                with c.engine.begin() as conn:
                    store.settle(conn, row.id, c.worker_id, Clock.from_json(row.clock), None)


def _fire(c: FeatureContext, row: Row[Any]) -> None:
    mapping = c.mappings.by_name.get(row.mapping)
    policy = next((p for p in mapping.sla if p.name == row.policy), None) if mapping else None
    clock = Clock.from_json(row.clock)
    if mapping is None or policy is None:  # the policy left the mappings: the clock rests
        with c.engine.begin() as conn:
            store.settle(conn, row.id, c.worker_id, clock, None)
        return
    hours, target, now = hours_for(c, policy), target_of(c, mapping, policy), c.clock.now()
    ref, actions, facts = TicketRef.parse(row.ticket), [], _facts(c, row)
    for threshold in policy.thresholds:
        if threshold.at in clock.fired:
            continue
        when = due(clock, hours, target, threshold.at, now)
        if when is None or when > now:
            break
        late = now - when > max(120.0, 2 * c.config.sla.tick_seconds)
        why = LATE_TEXTS[lateness(_observed(c, row, clock), hours, target, threshold.at,
                                  when)] if late else ""
        actions += threshold_actions(c, mapping, policy, threshold, ref, target, when, why,
                                     facts)
        clock.fired.append(threshold.at)
    upcoming = next_due(clock, hours, target, policy, now)
    with c.engine.begin() as conn:
        enqueue_actions(c, conn, f"sla|{row.ticket}|{policy.name}|{clock.started_at}", actions)
        if not store.settle(conn, row.id, c.worker_id, clock, upcoming[1] if upcoming else None):
            raise SettleLost()
    if actions:
        log.info("SLA %s on %s: %s%% fired", policy.name, row.ticket, clock.fired[-1])


def _observed(c: FeatureContext, row: Row[Any], clock: Clock) -> Clock:
    """The clock with its observations, read from the ticket's history: why a threshold comes
    late is told by when the connector learned each change."""
    with reading(c.engine) as conn:
        history = store.history_of(conn, row.ticket)
    return replace(clock, seen=history.view(row.policy))


def threshold_actions(c: FeatureContext, mapping: Mapping, policy: SlaPolicy, threshold: Threshold,
                      ref: TicketRef, target: float, when: float, late: str,
                      facts: dict[str, str] | None = None) -> list[Action]:
    """A note, a label, a chat message, a letter to the request's МО: what the regulation's
    YAML chose for this threshold; `late`: the text saying why it comes late (LATE_TEXTS), or
    none; `facts`: what the ticket's events told of it (facts.py) — its web address, which
    every chat message links, and the request's МО (catalog code), if known."""
    due_text = local_time(from_epoch(when), mapping.timezone)
    known = facts or {}
    org = c.mappings.catalog.organisations.get(known.get("organisation", ""))
    values = {"title": policy.title, "percent": threshold.at,
              "target": c.render("duration", mapping.name, **duration_parts(target)),
              "elapsed": c.render("duration", mapping.name,
                                  **duration_parts(target * threshold.at / 100)),
              "due": due_text,
              "ticket": ticket_label(ref), "url": known.get("url", ""),
              "late": c.render(late, mapping.name, due=due_text) if late else ""}
    named = {"organisation": org.title if org else c.render("sla_organisation_unknown",
                                                           mapping.name)}
    actions = []
    if threshold.note:  # working time only when the policy counts in a calendar's hours
        note = threshold.text or ("sla_note" if policy.calendar else "sla_note_wall")
        extra = named if note in ("sla_feedback_reminder", "sla_feedback_management") else {}
        actions.append(Action("add_note", ref.tracker, ref,
                              {"body": c.render(note, mapping.name, **values, **extra)}, RULE))
    if threshold.organisation:
        actions += _to_organisation(c, mapping, ref, org.mailing_lists if org else [],
                                    {**values, **named})
    if threshold.label:
        actions.append(Action("update_labels", ref.tracker, ref,
                              {"add": [threshold.label], "remove": []}, RULE))
    if threshold.chat:
        text = c.render("sla_chat", mapping.name, who=_who(c, threshold.role), **values).rstrip()
        actions.append(Action("notify", "chat", ref, {"channel": threshold.chat,
                                                      "text": text}, RULE))
    return actions + _in_room(c, mapping, threshold, ref, values)


def _in_room(c: FeatureContext, mapping: Mapping, threshold: Threshold, ref: TicketRef,
             values: dict[str, Any]) -> list[Action]:
    """A reminder in the ticket's own room; at `head`, the head of support named there and
    told by letter (their e-mail in the catalog)."""
    catalog = c.mappings.catalog
    head = catalog.people.get(catalog.head_of_support or "") if threshold.head else None
    who = c.render("sla_room_head", mapping.name, name=head.name) if head else ""
    text = c.render("sla_room", mapping.name, who=who, **values).rstrip()
    actions = []
    if threshold.room:
        actions.append(Action("post_in_room", "chat", ref, {"channel": threshold.room,
                                                            "text": text}, RULE))
    if head is not None and head.email:
        actions.append(Action("send_mail", "mail", ref, {
            "to": [head.email], "subject": c.render("sla_head_subject", mapping.name, **values),
            "body": text}, RULE))
    return actions


def _to_organisation(c: FeatureContext, mapping: Mapping, ref: TicketRef, lists: list[str],
                     values: dict[str, Any]) -> list[Action]:
    """§2.9: a letter to the МО's mailing lists; to the head of support when the catalog
    knows no list for it (they tell the MO's management), or none if neither is known."""
    catalog = c.mappings.catalog
    head = catalog.people.get(catalog.head_of_support or "")
    to = lists or ([head.email] if head is not None and head.email else [])
    if not to:
        every_so_often(log, f"SLA on {ref}: no mailing list for the request's МО and no head "
                            "of support's e-mail in the catalog: the МО is not told")
        return []
    return [Action("send_mail", "mail", ref, {
        "to": to, "subject": c.render("sla_organisation_subject", mapping.name, **values),
        "body": c.render("sla_organisation_mail", mapping.name, **values)}, RULE)]


def _facts(c: FeatureContext, row: Row[Any]) -> dict[str, str]:
    """What the ticket's events told of it (its address, its МО), kept with its SLA history."""
    with reading(c.engine) as conn:
        return store.history_of(conn, row.ticket).facts


def hours_for(c: FeatureContext, policy: SlaPolicy) -> Hours:
    """The calendar a policy counts in, or the wall clock."""
    return c.mappings.calendars[policy.calendar] if policy.calendar else WallClock()


def target_of(c: FeatureContext, mapping: Mapping, policy: SlaPolicy) -> float:
    """The target in seconds: the team's own (config sla.targets) over the mapping's."""
    return c.config.sla.targets.get(f"{mapping.name}.{policy.name}", policy.target_hours) * 3600


def _event_time(c: FeatureContext, event: TicketEvent) -> float:
    """When the tracker says the change happened; our own time if it does not say."""
    try:
        return datetime.fromisoformat(event.updated_at.replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError, OSError):  # none given, or a time no calendar holds
        return c.clock.now()


def _who(c: FeatureContext, role: str | None) -> str:
    """The catalog's people holding a role, by name; else the role's tracker username from
    the config."""
    if not role:
        return ""
    names = [p.name for p in c.mappings.catalog.holding(role)]
    return ", ".join(names) or c.config.roles.get(role, "")
