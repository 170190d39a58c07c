"""What a ticket tells of itself that a threshold needs when it fires, long after the event:
its web address (every chat message about a ticket links it, issue 20 item 9) and the
request's МО (Sevastopol §2.9: the MO's management hears of an applicant's silence). Read from
each event and kept with the ticket's SLA history (shared.py `facts`)."""

from __future__ import annotations

from connector.events import TicketEvent
from connector.features.outage.catalog import Catalog
from connector.mappings import Mapping
from connector.rules.models import IntakeValidation
from connector.rules.registration import item_value


def facts_of(mapping: Mapping, catalog: Catalog, event: TicketEvent) -> dict[str, str]:
    """The facts this event tells; a fact it does not tell is left out (the kept one stays)."""
    code = organisation_of(mapping, catalog, event)
    return {**({"url": event.url} if event.url else {}),
            **({"organisation": code} if code else {})}


def organisation_of(mapping: Mapping, catalog: Catalog, event: TicketEvent) -> str | None:
    """The catalog code of the request's МО: the one it names — the §2.7 item the mapping's
    `intake_validation` calls its `organisation` (a custom field or an `МО:` line) — else the
    one its reporter files for (`organisations.*.reporters`); None when neither is known."""
    named = ""
    for rule in mapping.rules:
        registration = rule.registered_by_l1 if isinstance(rule, IntakeValidation) else None
        if registration is None or registration.organisation is None:
            continue
        item = next(i for i in registration.items if i.name == registration.organisation)
        named = item_value(item, event)
        break
    return catalog.organisation(named=named, reporter=event.author)
