"""An outage's lifecycle as a regulation writes it (a mapping's `outage:` section): when a
ticket declares one, which stages it passes, who may move it on, what each stage asks for."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connector.conditions import When
from connector.features.outage.catalog import Criticality

Role = Literal["responsible", "duty", "l1", "head"]
# What an outage's (or problem's) timeline records: each kind has its line in the room log and
# the report (template outage_log_<kind>), so a kind without a text cannot be written.
TimelineKind = Literal[
    "declared", "criteria", "start", "room", "room_failed", "stage", "step", "join", "related",
    "related_reminder", "progress", "metrics", "affected", "conclusion", "downtime", "report",
    "contract", "problem", "outage", "ticket_failed", "eta", "clients", "norm", "norm_twice"]
# The per cent of a stage's norm at which its reminders fire: at the norm the room is reminded,
# at twice it the head of support is named there (EMIAS «многоуровневый SLA»).
NORM_AT = (100, 200)


class Step(BaseModel):
    """One step of a stage's checklist; `required`: the stage is not left by button before it
    is ticked (a step the regulation names as a must, e.g. Belarus §4.3.2's priorities)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1)
    required: bool = False


class Norm(BaseModel):
    """A stage's norm (EMIAS: «нормативный срок на каждый статус объекта»), timed by the
    outage feature from the stage's own moves — whatever the helpdesk shows of the stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    hours: float = Field(gt=0, le=24 * 366)  # config sla.targets may set the team's own
    calendar: str | None = None  # calendars.yml; none: wall-clock time
    label: str | None = None  # a label / tag added at twice the norm, e.g. "SLA: нарушен"
    # EMIAS: a service's criticality may shorten (or lengthen) the norm, e.g. {critical: 0.25}
    by_criticality: dict[Criticality, float] = {}

    @field_validator("by_criticality")
    @classmethod
    def _positive(cls, value: dict[Criticality, float]) -> dict[Criticality, float]:
        for level, hours in value.items():
            if not 0 < hours <= 24 * 366:
                raise ValueError(f"by_criticality.{level}: {hours} is no norm — write hours "
                                 "above 0, up to a year")
        return value


class Stage(BaseModel):
    """One status of an outage (EMIAS: each with its mandatory steps)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z_]{1,24}$")
    title: str  # «Диагностика»
    next: list[str] = []  # stages a button may move it to
    roles: list[Role] = ["responsible", "duty"]  # who may move it INTO this stage
    # The checklist shown while it is in this stage, ticked by buttons: each a text, or
    # {text: …, required: true} for a step that must be ticked before the stage is left.
    steps: list[Step] = []
    steps_required: bool = False  # every step required (EMIAS: mandatory steps)
    label: str | None = None  # GitLab label / Mantis tag while in this stage
    status: str | None = None  # tracker status (regulation words) on entering it
    state: Literal["opened", "closed"] | None = None  # GitLab: the state on entering it
    sample_affected: bool = False  # sample the catalog's affected-users query on entering it
    conclusion: bool = False  # while in it, the status offers the conclusion form (§4.3.4)
    requires: list[Literal["conclusion"]] = []  # what must be on the timeline to enter it
    closing: bool = False  # entered by one of the three closing decisions (EMIAS)
    owner: Role | None = None  # a problem's stage: assigned on entering it to this role
    norm: Norm | None = None  # how long it may last; a last stage (no `next`) has none

    @field_validator("steps", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        """A plain text is a step that is not required."""
        return [{"text": v} if isinstance(v, str) else v for v in value] \
            if isinstance(value, list) else value

    def required(self, index: int) -> bool:
        """Whether the step must be ticked before the stage is left."""
        return self.steps_required or self.steps[index].required


class ProblemRules(BaseModel):
    """Problems (EMIAS): a ticket of their own, a room, an owner per stage, their outages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    labels: list[str] = ["Проблема"]  # on the problem's ticket (GitLab, Mantis tags)
    stages: list[Stage] = Field(min_length=2)

    @model_validator(mode="after")
    def _linked(self) -> ProblemRules:
        _check_stages(self.stages)
        return self

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)


def _check_stages(stages: list[Stage]) -> None:
    """Each stage named once; every `next` names a stage."""
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise ValueError("stages: each name once")
    for stage in stages:
        for target in stage.next:
            if target not in names:
                raise ValueError(f"stages.{stage.name}.next: no stage {target!r}")
        if stage.norm is not None and not stage.next:
            raise ValueError(f"stages.{stage.name}.norm: a last stage has nothing to run to; "
                             "drop its norm")


def norm_key(mapping: str, kind: str, stage: str) -> str:
    """The key of config sla.targets that sets the team's own norm of a stage, in hours:
    `belarus-ehr.outage_diagnosing`, `sevastopol-miac.problem_analysis`."""
    return f"{mapping}.{kind}_{stage}"


def norm_hours(targets: dict[str, float], mapping: str, kind: str, stage: Stage,
               criticality: Criticality = "normal") -> float | None:
    """A stage's norm in hours for a service of this criticality — the one source the
    reminders and the report both read: the team's own (config sla.targets, per criticality
    `belarus-ehr.outage_diagnosing.critical` before the stage's) over the mapping's (its
    `by_criticality` before its `hours`); None: the stage has none."""
    if stage.norm is None:
        return None
    key = norm_key(mapping, kind, stage.name)
    own = targets.get(f"{key}.{criticality}", targets.get(key))
    return own if own is not None else stage.norm.by_criticality.get(criticality,
                                                                     stage.norm.hours)


class OutageRules(BaseModel):
    """How this regulation's tickets become outages and how outages move."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    declare: When  # e.g. {labels: [Accident]} with Priority: High
    service_label_prefix: str = "Сервис: "  # a label naming the catalog service
    default_service: str  # when the ticket names none
    services: list[str] = []  # more catalog services whose outages this regulation handles
    # channel: a room of its own per outage (EMIAS). thread: Belarus §4.3's form — a thread in
    # the chat channel `outages` points at (#ehr_community), where everyone logs their actions.
    room: Literal["channel", "thread"] = "channel"
    related_answer_minutes: float = Field(15, gt=0)  # silence past it: a reminder in the room
    stages: list[Stage] = Field(min_length=2)
    problem: ProblemRules | None = None  # problems' own lifecycle (closing: «create a problem»)
    report_labels: list[str] = ["Отчёт об аварии"]  # on the report issue (GitLab, Mantis tags)
    contractor_labels: list[str] = ["Сбой на исполнителя"]  # on «Сбой на исполнителя»
    # The service's criticality (catalog) as a label on the outage's ticket from declaring
    # on, so a stage norm can be one per criticality: an SLA policy starting on the stage's
    # label and this one (EMIAS: «критичность сервиса»).
    criticality_labels: dict[Criticality, str] = {}

    @model_validator(mode="after")
    def _linked(self) -> OutageRules:
        _check_stages(self.stages)
        return self

    def covers(self, service: str) -> bool:
        """Whether `/outage <service>` opens its ticket under this regulation."""
        return service == self.default_service or service in self.services

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)

    def of(self, kind: str) -> OutageRules | ProblemRules:
        """The lifecycle of an outage, or of a problem."""
        if kind == "problem" and self.problem is not None:
            return self.problem
        return self
