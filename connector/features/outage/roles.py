"""Who a catalog person is for a service (responsible, duty, L1, head of support): what every
press and form of the outage feature checks, and whom a problem's stage is assigned to."""

from __future__ import annotations

from connector.context import FeatureContext
from connector.events import Action, ChatButton, TicketRef
from connector.features.outage.catalog import Catalog, Person
from connector.features.outage.flows import RULE
from connector.features.outage.models import Role, Stage


def roles_of(catalog: Catalog, service: str, key: str) -> set[Role]:
    """What a catalog person is for a service."""
    entry = catalog.services[service]
    found: set[Role] = set()
    if key in entry.responsible:
        found.add("responsible")
    if key in entry.duty:
        found.add("duty")
    if key in entry.l1:
        found.add("l1")
    if key == catalog.head_of_support:
        found.add("head")
    return found


def presser(catalog: Catalog, ev: ChatButton) -> tuple[str, Person] | None:
    """The catalog person behind a press."""
    return catalog.keyed(ev.chat, ev.user_id)


def presser_roles(c: FeatureContext, service: str, chat: str, user_id: str) -> set[Role]:
    """What the person behind a chat identity is for a service (nothing if unknown)."""
    catalog, found = c.mappings.catalog, c.mappings.catalog.keyed(chat, user_id)
    return roles_of(catalog, service, found[0]) if found and service in catalog.services \
        else set()


def owner_actions(c: FeatureContext, ref: TicketRef, service: str, stage: Stage) -> list[Action]:
    """A problem's stage with an owner: the ticket assigned to that role's person."""
    if stage.owner is None:
        return []
    entry, catalog = c.mappings.catalog.services[service], c.mappings.catalog
    keys = {"responsible": entry.responsible, "duty": entry.duty, "l1": entry.l1,
            "head": [catalog.head_of_support] if catalog.head_of_support else []}[stage.owner]
    person = catalog.people.get(keys[0]) if keys else None
    username = getattr(person, ref.tracker, "") if person else ""
    return [Action("assign", ref.tracker, ref, {"username": username, "role": stage.owner},
                   RULE)] if username else []
