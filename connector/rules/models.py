"""The rule types a regulation file may use, as typed, validated models."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # What the rule may ask of the ticket's own tracker (connector/actions.py kinds):
    # check-config refuses a mapping on a tracker that cannot do one of them.
    asks_tracker: ClassVar[frozenset[str]] = frozenset()


class SinglePriorityLabel(Rule):
    """Exactly one priority label: highest wins a conflict. A new ticket without one (or, with
    `remind_when_unassigned`, without an assignee) gets one reminder naming what it lacks."""

    asks_tracker: ClassVar[frozenset[str]] = frozenset({"update_labels", "add_note"})
    type: Literal["single_priority_label"]
    labels: list[str] = Field(min_length=2, description="lowest priority first")
    remind_when_missing: bool = True
    remind_when_unassigned: bool = False


class EscalateOnLabel(Rule):
    """A label hands the ticket to another support level through a chat channel."""

    type: Literal["escalate_on_label"]
    label: str
    channel: str
    priority_labels: list[str] = []  # lowest first; the highest present is shown in the chat


class AssignOnLabel(Rule):
    """A routing label assigns a configured person (a role from the config) and may add labels."""

    asks_tracker: ClassVar[frozenset[str]] = frozenset({"assign", "update_labels"})
    type: Literal["assign_on_label"]
    label: str
    assignee_role: str | None = None
    add_labels: list[str] = []

    @model_validator(mode="after")
    def _does_something(self) -> AssignOnLabel:
        if not self.assignee_role and not self.add_labels:
            raise ValueError("set assignee_role, add_labels or both")
        return self


class ImpactPriority(Rule):
    """Each impact allows a set of priorities (Sevastopol §4.9–4.10). A priority outside the set
    is corrected to the nearest allowed one at creation and on later raises; L1's own changes
    stand. `priorities` ranks every value a tracker may hold, highest first, including ones the
    regulation does not use (Mantis «Срочный», «Нет»): they are simply never allowed."""

    asks_tracker: ClassVar[frozenset[str]] = frozenset({"set_priority", "add_note"})
    type: Literal["impact_priority"]
    priorities: list[str] = Field(min_length=1, description="highest priority first")
    allowed: dict[str, list[str]] = Field(description="impact → its priorities, highest first")

    @model_validator(mode="after")
    def _known_priorities(self) -> ImpactPriority:
        for impact, allowed in self.allowed.items():
            unknown = [p for p in allowed if p not in self.priorities]
            if unknown or not allowed:
                raise ValueError(
                    f"impact {impact!r}: priorities {unknown or '[]'} are not in `priorities`"
                )
        return self


class Condition(BaseModel):
    """When a ticket counts as escalated: exactly one of these must be set."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str | None = None
    status: str | None = None  # regulation status, e.g. acknowledged
    handler_in: list[str] | None = None  # usernames of the L2 group
    field: dict[str, str] | None = None  # {name: value}: a custom field has this value

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        if sum(v is not None for v in (self.label, self.status, self.handler_in, self.field)) != 1:
            raise ValueError("set exactly one of label, status, handler_in, field")
        return self


class EscalateWhen(Rule):
    """Escalate to a chat channel while a condition holds (status, handler group, field…)."""

    type: Literal["escalate_when"]
    when: Condition
    channel: str
    priority_labels: list[str] = []


class Detect(BaseModel):
    """Ways to find one mandatory item in a request; any one of them is enough."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    labels: list[str] = []  # the form's row labels, read as connector/rules/form.py says
    custom_fields: list[str] = []  # tracker custom fields that must be non-empty
    text_fields: list[str] = []  # e.g. steps_to_reproduce
    attachment_types: list[str] = []  # file extensions, e.g. [png, jpg, gif]
    # The ticket's own field (Mantis' priority, its category — «сервис» in Sevastopol §2.7):
    # given when it holds a value other than those in `unset` (Mantis' «Нет», a catch-all
    # category such as General).
    ticket_field: Literal["priority", "category"] | None = None
    unset: list[str] = []


class IntakeField(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    title: str  # how the note names it to the applicant
    hint: str = ""  # the form's own prompt for the row: a copy of it is not an answer
    detect: Detect


class Scope(BaseModel):
    """Which requests the form applies to (Appendix 1: reports of a problem); an empty list
    does not narrow. A request whose category or impact is unknown is checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    categories: list[str] = []  # Mantis categories, OTRS ticket types
    impacts: list[str] = []  # regulation impact values


class AttachmentAdvice(BaseModel):
    """§3.5 on files: a note names the rule; the request is not held for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    max_total_mb: float = Field(10, gt=0)
    screenshot_types: list[str] = ["jpg", "jpeg", "gif", "png"]
    archive_types: list[str] = ["zip", "7z", "rar"]
    archive_above: int = Field(5, ge=1)  # more loose screenshots than this go in an archive
    other_image_types: list[str] = ["bmp", "tif", "tiff", "webp", "heic", "heif", "jfif",
                                    "svg"]


class L1Registration(BaseModel):
    """What L1 records when registering a request (Sevastopol §2.7: «с указанием МО,
    ответственного лица от имени МО, приоритета заявки и сервиса»). A request L1 reports is
    checked against these instead of the applicant's form: a missing item gets L1 one comment
    naming it, and the status stays — L1 is never sent to «Обратная связь» on their own."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    items: list[IntakeField] = Field(min_length=1)
    # The item naming the request's МО (its value is looked up in the catalog's
    # `organisations:`): whose management hears of the applicant's silence (§2.9).
    organisation: str | None = None

    @model_validator(mode="after")
    def _organisation_is_an_item(self) -> L1Registration:
        names = [item.name for item in self.items]
        if len(set(names)) != len(names):
            raise ValueError("items: give each name once")
        if self.organisation is not None and self.organisation not in names:
            raise ValueError(f"organisation: {self.organisation!r} is not one of the items "
                             f"({', '.join(names)})")
        return self


class IntakeValidation(Rule):
    """A new request lacking mandatory items waits in `incomplete_status` with a note naming
    them; when the applicant completes it — in the request or in a note — it goes back to
    `complete_status` (Sevastopol §3.1–3.5, Appendix 1, §2.9)."""

    asks_tracker: ClassVar[frozenset[str]] = frozenset({"set_status", "add_note"})
    type: Literal["intake_validation"]
    incomplete_status: str
    complete_status: str
    # Statuses the tracker itself moves an answered request to (Mantis reassign_on_feedback:
    # new or assigned; a Znuny follow-up: open): from these the check goes on.
    answered_statuses: list[str] = []
    applies_to: Scope = Scope()
    fields: list[IntakeField] = Field(min_length=1)
    bare_attachment_types: list[str] = []  # alone, without a description, they do not count
    description_title: str = "описание проблемы"
    attachments: AttachmentAdvice | None = None
    # §2.7: a request reported by L1 (the tracker's `l1` staff, or an L1 person of the
    # catalog) is checked against these items instead (connector/rules/registration.py).
    registered_by_l1: L1Registration | None = None


class CloseAgreement(Rule):
    """An issue closed without the agreement of the person in `agreeing_role` (Belarus §4.1:
    «по согласованию с руководителем службы технической поддержки закрывает задачу») gets one
    reminder: agreed means that person closed it or commented on it before."""

    asks_tracker: ClassVar[frozenset[str]] = frozenset({"add_note"})
    type: Literal["close_agreement"]
    agreeing_role: str  # a config role: the head of support's username
    skip_labels: list[str] = []  # issues closed by a procedure of their own (an accident)


AnyRule = Annotated[
    SinglePriorityLabel | EscalateOnLabel | EscalateWhen | AssignOnLabel | ImpactPriority
    | IntakeValidation | CloseAgreement,
    Field(discriminator="type"),
]
