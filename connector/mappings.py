"""Regulations as data: the rule files and message templates in `mappings/`, parsed once."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connector.errors import ConfigError, format_problem
from connector.yamlfile import parse_model, read_yaml

TEMPLATES_FILE = "templates.yml"
LANGUAGES = ("ru", "en")

# Template id → placeholders it may use. Rules render these; nothing user-facing lives in code.
TEMPLATE_FIELDS: dict[str, set[str]] = {
    "priority_conflict": {"kept", "removed", "ticket", "title"},
    "priority_missing": {"labels", "ticket", "title"},
    "impact_priority_corrected": {"impact", "priority", "corrected", "allowed", "ticket", "title"},
    "escalation": {"ticket", "title", "url", "priority", "assignees", "author", "channel",
                   "facts"},
    "tracker_note_to_chat": {"ticket", "title", "url", "author", "text"},
    "chat_reply_note": {"ticket", "title", "author", "chat", "time", "text", "files"},
    "alert_message": {"title", "severity", "summary", "url", "status"},
    "alert_resolved": {"title", "severity", "summary", "url", "decision"},
    "alert_ask_cause": {"title", "user"},
    "alert_cause_recorded": {"title", "severity", "summary", "url", "cause", "user"},
    "alert_issue_created": {"title", "url", "user", "issue_url"},
    "alert_issue_title": {"title", "severity"},
    "alert_issue_description": {"title", "severity", "summary", "url", "user", "decision"},
    "button_oneoff": set(),
    "button_register": {"label"},
    "button_accident": set(),
    "button_answer": set(),
    "command_open": {"listing"},
    "deescalation_label_removed": {"ticket", "title", "url", "channel"},
    "deescalation_closed": {"ticket", "title", "url", "channel"},
}


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SinglePriorityLabel(Rule):
    """Exactly one priority label: highest wins a conflict; none on a new ticket → reminder."""

    type: Literal["single_priority_label"]
    labels: list[str] = Field(min_length=2, description="lowest priority first")
    remind_when_missing: bool = True


class EscalateOnLabel(Rule):
    """A label hands the ticket to another support level through a chat channel."""

    type: Literal["escalate_on_label"]
    label: str
    channel: str
    priority_labels: list[str] = []  # which label tells the priority, for the chat message


class AssignOnLabel(Rule):
    """A routing label assigns a configured person (a role from the config) and may add labels."""

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
    """Each impact allows a set of priorities; anything else is corrected to the highest allowed."""

    type: Literal["impact_priority"]
    priorities: list[str] = Field(min_length=1, description="highest priority first")
    allowed: dict[str, list[str]]

    @model_validator(mode="after")
    def _known_priorities(self) -> ImpactPriority:
        for impact, allowed in self.allowed.items():
            unknown = [p for p in allowed if p not in self.priorities]
            if unknown or not allowed:
                raise ValueError(
                    f"impact {impact!r}: priorities {unknown or '[]'} are not in `priorities`"
                )
        return self


AnyRule = Annotated[
    SinglePriorityLabel | EscalateOnLabel | AssignOnLabel | ImpactPriority,
    Field(discriminator="type"),
]


class Mapping(BaseModel):
    """One regulation: a named list of rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    rules: list[AnyRule]

    def roles(self) -> set[str]:
        """Config roles this mapping needs."""
        return {r.assignee_role for r in self.rules
                if isinstance(r, AssignOnLabel) and r.assignee_role}


Templates = dict[str, dict[str, str]]  # language → template id → text


class Mappings(BaseModel):
    """Everything under `mappings/`: regulations by name and the templates they speak with."""

    by_name: dict[str, Mapping]
    templates: Templates

    def get(self, name: str) -> Mapping:
        return self.by_name[name]


def load_mappings(directory: Path) -> Mappings:
    """Load and cross-check every `*.yml` in a directory; all problems are reported at once."""
    if not directory.is_dir():
        raise ConfigError.at(str(directory), "mappings_dir", "not a directory",
                             "point it at mappings/")
    problems: list[str] = []
    by_name: dict[str, Mapping] = {}
    templates: Templates = {}
    for path in sorted(directory.glob("*.yml")):
        try:
            if path.name == TEMPLATES_FILE:
                templates = _load_templates(path)
                continue
            mapping = parse_model(Mapping, read_yaml(path), str(path))
        except ConfigError as exc:
            problems += exc.problems
            continue
        if mapping.name != path.stem:
            problems.append(format_problem(
                str(path), "name", f"{mapping.name!r} differs from the file name",
                f"write name: {path.stem}"))
        by_name[mapping.name] = mapping
    if not templates and not any(TEMPLATES_FILE in p for p in problems):
        problems.append(format_problem(
            str(directory / TEMPLATES_FILE), "", "file not found", "ship the message templates"))
    if problems:
        raise ConfigError(problems)
    return Mappings(by_name=by_name, templates=templates)


def _load_templates(path: Path) -> Templates:
    data = read_yaml(path)
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ConfigError.at(str(path), "", "expected a mapping of languages", "write ru: and en:")
    for lang in data:
        if lang not in LANGUAGES:
            problems.append(format_problem(str(path), str(lang), "unknown language",
                                           f"use one of {', '.join(LANGUAGES)}"))
    for lang in LANGUAGES:
        texts = data.get(lang) or {}
        for tid, allowed in TEMPLATE_FIELDS.items():
            text = texts.get(tid)
            if not isinstance(text, str):
                problems.append(format_problem(str(path), f"{lang}.{tid}", "template is missing",
                                               "add the text"))
                continue
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            for name in sorted(used - allowed):
                problems.append(format_problem(
                    str(path), f"{lang}.{tid}", f"unknown placeholder {{{name}}}",
                    f"use only {', '.join('{' + a + '}' for a in sorted(allowed))}"))
        for tid in texts:
            if tid not in TEMPLATE_FIELDS:
                problems.append(format_problem(str(path), f"{lang}.{tid}", "unknown template id",
                                               f"known ids: {', '.join(TEMPLATE_FIELDS)}"))
    if problems:
        raise ConfigError(problems)
    return {lang: dict(data[lang]) for lang in LANGUAGES}


def render(templates: Templates, language: str, template_id: str, **values: object) -> str:
    """Fill a template; placeholders were checked at load time."""
    return templates[language][template_id].format(**values)
