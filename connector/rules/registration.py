"""Sevastopol §2.7: a request L1 registers names the МО, the person responsible on the MO's
side, the priority and the service. Such a request is checked against these items, not the
applicant's form (Appendix 1); a missing item gets L1 one comment naming it — once per set of
missing items — and the status stays: L1 is never sent to «Обратная связь» on their own."""

from __future__ import annotations

import hashlib

from connector.events import Action, Person, TicketEvent
from connector.rules.context import RuleContext
from connector.rules.form import filled, form_values
from connector.rules.models import ImpactPriority, IntakeField, L1Registration
from connector.rules.state import TicketState

BY_L1 = "registration:l1"  # the request was seen reported by L1: it stays theirs
FOUND = "registration:found:"  # + item name: found in L1's own comment
NOTED = "registration:noted:"  # + digest of a set of missing items L1 was told of


def reported_by_l1(event: TicketEvent, state: TicketState, ctx: RuleContext) -> bool:
    """The reporter is L1: their access level as the tracker sends it is the mapping's L1
    level (`trackers.<tracker>.l1`), or they are one of the catalog's L1 people. Once seen,
    remembered: a later event that does not tell the level changes nothing."""
    if BY_L1 in state.flags:
        return True
    if not event.author or ctx.mapping is None:
        return False
    vocabulary = ctx.mapping.trackers.get(event.ref.tracker)
    staff = vocabulary is not None and vocabulary.l1.covers(
        Person(event.author, event.author_level))
    if staff or event.author in ctx.mappings.catalog.l1_usernames(event.ref.tracker):
        state.flags.add(BY_L1)
        return True
    return False


def check_registration(registration: L1Registration, event: TicketEvent, state: TicketState,
                       ctx: RuleContext, reason: str) -> list[Action]:
    """One comment to L1 naming the §2.7 items the request lacks, never twice for the same
    set; nothing else changes."""
    if event.kind not in ("ticket", "note"):
        return []
    _remember(registration, event, state)
    missing = missing_items(registration, event, state, ctx)
    if not missing:
        return []
    key = NOTED + hashlib.sha256("\n".join(sorted(missing)).encode()).hexdigest()[:12]
    if key in state.flags:
        return []
    state.flags.add(key)
    titles = list(missing.values())
    listed = ";\n".join(f"— {title}" for title in titles) + "."
    note = ctx.text("registration_incomplete", event, missing=listed)
    return [Action("add_note", event.ref.tracker, event.ref, {"body": note}, reason)]


def missing_items(registration: L1Registration, event: TicketEvent,
                  state: TicketState | None = None,
                  ctx: RuleContext | None = None) -> dict[str, str]:
    """Name → title of each §2.7 item the request lacks, in the mapping's order."""
    found = {f[len(FOUND):] for f in (state or TicketState()).flags if f.startswith(FOUND)}
    values = _values(registration, "\n".join([event.description, *event.fields.values()]))
    return {item.name: item.title for item in registration.items
            if item.name not in found and not given(item, values, event, ctx)}


def item_value(item: IntakeField, event: TicketEvent) -> str:
    """What the request says for one item — its custom field, else its line — or ""."""
    for name in [*item.detect.custom_fields, *item.detect.text_fields]:
        if filled(event.fields.get(name, ""), item.hint):
            return event.fields[name].strip()
    values = form_values("\n".join([event.description, *event.supplements]), item.detect.labels)
    return next((values[label] for label in item.detect.labels
                 if filled(values.get(label), item.hint)), "")


def given(item: IntakeField, values: dict[str, str], event: TicketEvent,
          ctx: RuleContext | None = None) -> bool:
    """The item is in the request: a line, a custom or text field, or the ticket's own field."""
    detect = item.detect
    if any(filled(values.get(label), item.hint) for label in detect.labels):
        return True
    if any(filled(event.fields.get(name, ""), item.hint)
           for name in [*detect.custom_fields, *detect.text_fields]):
        return True
    if detect.ticket_field == "category":
        return bool(event.category.strip()) and event.category not in detect.unset
    if detect.ticket_field == "priority":
        own = event.priority or ""
        return (bool(own.strip()) and own not in detect.unset) or _corrected(event, ctx)
    return False


def _corrected(event: TicketEvent, ctx: RuleContext | None) -> bool:
    """A new request's priority the impact does not allow is set by `impact_priority` in the
    same step (the ban holds for L1 too, §4.10): it is given, not one to ask L1 for."""
    if ctx is None or ctx.mapping is None or not event.is_new or event.impact is None:
        return False
    return any(isinstance(rule, ImpactPriority) and event.impact in rule.allowed
               and event.priority not in rule.allowed[event.impact]
               for rule in ctx.mapping.rules)


def _values(registration: L1Registration, text: str) -> dict[str, str]:
    return form_values(text, [label for item in registration.items
                              for label in item.detect.labels])


def _remember(registration: L1Registration, event: TicketEvent, state: TicketState) -> None:
    """Items L1 gives in a comment of their own (a note event carries only its own note)."""
    for text in event.supplements:
        values = _values(registration, text)
        for item in registration.items:
            if any(filled(values.get(label), item.hint) for label in item.detect.labels):
                state.flags.add(FOUND + item.name)
