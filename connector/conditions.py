"""A condition on a ticket as it is now — what SLA policies start and stop on, what declares an
outage: read by every layer that looks at a regulation, so it lives below them all."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from connector.events import TicketEvent


class When(BaseModel):
    """A condition on the ticket as it is now: every key set must hold; a list means any of."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    status: list[str] = []  # regulation statuses (Mantis/OTRS)
    labels: list[str] = []  # at least one of these labels (GitLab labels, Mantis tags)
    all_labels: list[str] = []  # every one of these labels
    no_labels: list[str] = []  # none of these
    state: Literal["opened", "closed"] | None = None
    assigned: bool | None = None
    priority: list[str] = []
    impact: list[str] = []  # regulation impact (Sevastopol «Влияние»)
    category: list[str] = []  # Mantis category, OTRS ticket type
    field: dict[str, str] = {}  # custom field → value

    @model_validator(mode="after")
    def _says_something(self) -> When:
        if not self.model_dump(exclude_defaults=True):
            raise ValueError("name at least one of status, labels, all_labels, no_labels, "
                             "state, assigned, priority, impact, category, field")
        return self

    def holds(self, e: TicketEvent) -> bool:
        have = set(e.labels)
        return ((not self.status or (e.status or "") in self.status)
                and (not self.labels or bool(have & set(self.labels)))
                and set(self.all_labels) <= have
                and not (have & set(self.no_labels))
                and (self.state is None or e.state == self.state)
                and (self.assigned is None or bool(e.assignees or e.handler) == self.assigned)
                and (not self.priority or (e.priority or "") in self.priority)
                and (not self.impact or (e.impact or "") in self.impact)
                and (not self.category or e.category in self.category)
                and all(e.fields.get(k) == v for k, v in self.field.items()))
