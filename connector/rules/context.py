"""What a rule may read besides the event, and the warnings it leaves for people: below every
rule module and the engine that runs them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from connector.events import TicketEvent
from connector.mappings import Mapping, Mappings, render
from connector.wording import ticket_label


@dataclass(frozen=True)
class RuleWarning:
    """Something a rule could not act on and a person should fix: logged and counted."""

    rule: str
    field: str  # what it is about: impact, priority…
    value: str
    text: str  # one line for the log, naming the fix


@dataclass(frozen=True)
class RuleContext:
    """What rules may read besides the event: how to speak and who fills roles. `decide` gives
    each decision its own copy, bound to the regulation, that collects warnings."""

    mappings: Mappings
    language: str
    roles: dict[str, str] = field(default_factory=dict)
    mapping: Mapping | None = None
    warnings: list[RuleWarning] = field(default_factory=list)

    def bound(self, mapping: Mapping) -> RuleContext:
        return dataclasses.replace(self, mapping=mapping, warnings=[])

    def text(self, template_id: str, event: TicketEvent, **values: Any) -> str:
        """Render a template with the ticket's common fields filled in."""
        values = {"ticket": ticket_label(event.ref), "title": event.title, **values}
        return render(self.mappings.texts(self.mapping, self.language), template_id, **values)

    def warn(self, rule: str, field_name: str, value: str, text: str) -> None:
        self.warnings.append(RuleWarning(rule, field_name, value, text))
