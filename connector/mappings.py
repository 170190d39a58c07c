"""Regulations as data: the rule files and message templates in `mappings/`, parsed once."""

from __future__ import annotations

import string
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from connector.errors import ConfigError, format_problem
from connector.rules.models import AnyRule, AssignOnLabel
from connector.yamlfile import parse_model, read_yaml

TEMPLATES_FILE = "templates.yml"
LANGUAGES = ("ru", "en")

# Template id → placeholders it may use. Rules render these; nothing user-facing lives in code.
TEMPLATE_FIELDS: dict[str, set[str]] = {
    "priority_conflict": {"kept", "removed", "ticket", "title"},
    "priority_missing": {"labels", "ticket", "title"},
    "impact_priority_corrected": {"impact", "priority", "corrected", "allowed", "ticket", "title"},
    "intake_incomplete": {"missing", "ticket", "title"},
    "intake_complete": {"ticket", "title"},
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
    "deescalation_ended": {"ticket", "title", "url", "channel"},
}


class Vocabulary(BaseModel):
    """How one tracker spells the regulation's statuses, priorities and impact."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    impact_field: str | None = None  # custom/dynamic field that holds the impact
    statuses: dict[str, str] = {}  # regulation status → tracker status
    priorities: dict[str, str] = {}  # regulation priority → tracker priority
    aliases: dict[str, str] = {}  # other tracker values → regulation value (for reading)

    def read(self, value: str | None, table: dict[str, str]) -> str | None:
        """A tracker value in the regulation's words (unknown values pass through)."""
        if value is None:
            return None
        for ours, theirs in table.items():
            if theirs.lower() == value.lower():
                return ours
        return self.aliases.get(value, value)


class Mapping(BaseModel):
    """One regulation: a named list of rules, and how each tracker spells its terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    trackers: dict[str, Vocabulary] = {}
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
