"""SLA policies as a regulation writes them (the `sla:` list of a mapping): a target in working
or wall-clock time, when the clock starts, pauses, stops, is cancelled or reset, and what
happens at each threshold."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class Threshold(BaseModel):
    """At `at` per cent of the target: a note on the ticket, a label, a chat message."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    at: int = Field(gt=0, le=1000)  # per cent: 75 warns, 100 is the breach, 200 twice the norm
    note: bool = True  # a note on the ticket (template sla_note)
    label: str | None = None  # a label / tag to add, e.g. "SLA: нарушен"
    chat: str | None = None  # a logical chat channel to tell (template sla_chat)
    role: str | None = None  # whom the chat message names (a config role)
    room: str | None = None  # the ticket's own room in this logical channel (an outage's)
    head: bool = False  # the catalog's head of support is named there and gets a letter


class SlaPolicy(BaseModel):
    """One clock per ticket: e.g. Sevastopol §4.6, a request taken into work within 8 working
    hours of its arrival, paused while it waits in «Обратная связь»."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    title: str  # how notes and messages name it, in the regulation's words
    calendar: str | None = None  # calendars.yml; none: wall-clock time
    target_hours: float = Field(gt=0, le=24 * 366)  # config's sla.targets may override it
    start: When
    stop: When
    pause: When | None = None
    cancel: When | None = None  # the clock is dropped: e.g. the ticket closed before intake
    reset: When | None = None  # the clock starts again from zero
    thresholds: list[Threshold] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> SlaPolicy:
        at = [t.at for t in self.thresholds]
        if at != sorted(set(at)):
            raise ValueError("thresholds: give each `at` once, lowest first")
        return self
