"""SLA policies as a regulation writes them (the `sla:` list of a mapping): a target in working
or wall-clock time, when the clock starts, pauses, stops, is cancelled or reset, and what
happens at each threshold."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connector.conditions import When
from connector.features.sla.texts import NOTE_TEXTS


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
    # The note's own text (a template id of texts.NOTE_TEXTS) instead of sla_note: e.g. the
    # reminder to an applicant who has not answered (Sevastopol §2.9).
    text: str | None = None
    # The request's МО (catalog `organisations:`) is told by letter to its mailing lists
    # (§2.9: «доводиться до сведения руководства МО»); the head of support when it is unknown.
    organisation: bool = False

    @field_validator("text")
    @classmethod
    def _known_text(cls, value: str | None) -> str | None:
        if value is not None and value not in NOTE_TEXTS:
            raise ValueError(f"unknown note text {value!r}: use one of "
                             f"{', '.join(sorted(NOTE_TEXTS))}")
        return value


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
    # A run that met its stop starts afresh when the start holds again (each stay in
    # «Обратная связь» is a run of its own); without it a met clock rests until a reset.
    repeat: bool = False
    thresholds: list[Threshold] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> SlaPolicy:
        at = [t.at for t in self.thresholds]
        if at != sorted(set(at)):
            raise ValueError("thresholds: give each `at` once, lowest first")
        return self
