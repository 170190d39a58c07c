"""Regulations as data: the rule files and message templates in `mappings/`, parsed once."""

from __future__ import annotations

import string
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from connector.errors import ConfigError, format_problem
from connector.features.alerts.models import AlertRules
from connector.features.outage.catalog import Catalog
from connector.features.outage.models import OutageRules
from connector.features.sla.calendars import WorkCalendar
from connector.features.sla.models import SlaPolicy
from connector.features.templates import FEATURE_TEMPLATES
from connector.fieldnames import comma_names
from connector.rules.models import AnyRule, AssignOnLabel, CloseAgreement
from connector.upgrades import Fallback, files_to_load, fill_from_shipped
from connector.validators import TimeZoneName
from connector.vocabulary import Vocabulary
from connector.words import Words
from connector.yamlfile import parse_model, read_yaml

Templates = dict[str, dict[str, str]]  # language → template id → text

TEMPLATES_FILE = "templates.yml"
CALENDARS_FILE = "calendars.yml"
CATALOG_FILE = "catalog.yml"
LANGUAGES = ("ru", "en")
COMMON_FILES = (TEMPLATES_FILE, CALENDARS_FILE, CATALOG_FILE)  # every mappings directory's

# Template id → placeholders it may use. Rules render these, and features the ids they declare
# (connector/features/*/texts.py); nothing user-facing lives in code.
_TICKET = {"ticket", "title"}
TEMPLATE_FIELDS: dict[str, set[str]] = {
    "priority_conflict": {"kept", "removed", *_TICKET},
    "new_issue_reminder": {"missing", *_TICKET},
    "close_agreement_reminder": {"who", "head", *_TICKET},
    "reminder_priority_label": {"labels", *_TICKET},
    "reminder_assignee": {*_TICKET},
    "impact_priority_corrected": {"impact", "priority", "corrected", "allowed", *_TICKET},
    "intake_incomplete": {"missing", "status", *_TICKET},
    "intake_still_incomplete": {"missing", "status", *_TICKET},
    "intake_complete": {"status", *_TICKET},
    "intake_files": {"problems", *_TICKET},
    "intake_files_too_big": {"size", "limit", *_TICKET},
    "intake_files_format": {"files", "types", *_TICKET},
    "intake_files_archive": {"count", "limit", "archives", *_TICKET},
    "registration_incomplete": {"missing", *_TICKET},
    "escalation": {"url", "priority", "assignees", "author", "channel", "facts", *_TICKET},
    "tracker_note_to_chat": {"url", "author", "text", *_TICKET},
    "chat_reply_note": {"author", "chat", "time", "text", "files", *_TICKET},
    "deescalation_label_removed": {"url", "channel", *_TICKET},
    "deescalation_closed": {"url", "channel", *_TICKET},
    "deescalation_ended": {"url", "channel", *_TICKET},
    "button_not_allowed": set(),
    "command_not_allowed": set(),
    "command_open": {"listing"},
    "command_recorded": set(),
    "duration": {"hours", "minutes"},  # rendered with wording.duration_parts
    **FEATURE_TEMPLATES,
}


class Mapping(BaseModel):
    """One regulation: a named list of rules, how each tracker spells its terms, the team's
    time zone and the texts it words differently from `templates.yml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    timezone: TimeZoneName = "Europe/Moscow"  # times in notes and messages are shown in it
    trackers: dict[str, Vocabulary] = {}
    templates: Templates = {}  # language → template id → text, overriding templates.yml
    words: Words = Words()  # the regulation's own terms and those its texts never hold
    rules: list[AnyRule]
    sla: list[SlaPolicy] = []  # clocks on this regulation's tickets (connector/features/sla)
    outage: OutageRules | None = None  # mass outages (connector/features/outage)
    alerts: AlertRules | None = None  # the alerts channel (connector/features/alerts)

    def roles(self) -> set[str]:
        """Config roles this mapping needs."""
        return {r.assignee_role for r in self.rules
                if isinstance(r, AssignOnLabel) and r.assignee_role} | {
            r.agreeing_role for r in self.rules if isinstance(r, CloseAgreement)}


class CalendarsFile(BaseModel):
    """calendars.yml: named working-hours calendars."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    calendars: dict[str, WorkCalendar] = {}


class CatalogFile(BaseModel):
    """catalog.yml: the service catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    catalog: Catalog = Catalog()


class Mappings(BaseModel):
    """Everything under `mappings/`: regulations by name and the templates they speak with."""

    by_name: dict[str, Mapping]
    templates: Templates
    calendars: dict[str, WorkCalendar] = {}  # calendars.yml: working hours SLA clocks count in
    catalog: Catalog = Catalog()  # catalog.yml: services, who answers for them, where to tell
    fallbacks: list[Fallback] = []  # what the admin's copy lacks, taken from the shipped files
    notices: list[str] = []  # other warnings: names no field can have, the config's people moved

    def get(self, name: str) -> Mapping:
        return self.by_name[name]

    def warnings(self) -> list[str]:
        """What check-config prints and the connector logs once at start, not refused."""
        return [f.line() for f in self.fallbacks] + self.notices

    def texts(self, mapping: Mapping | None, language: str) -> dict[str, str]:
        """Template id → text in a language, with a regulation's own wording over the defaults."""
        own = mapping.templates.get(language, {}) if mapping else {}
        return {**self.templates[language], **own}


def _norm_calendars(source: str, mapping: Mapping,
                    calendars: dict[str, WorkCalendar]) -> list[str]:
    """A stage's norm counts in a calendar calendars.yml defines."""
    if mapping.outage is None:
        return []
    lifecycles = [("stages", mapping.outage.stages)] + (
        [("problem.stages", mapping.outage.problem.stages)] if mapping.outage.problem else [])
    return [format_problem(source, f"outage.{key}[{i}].norm.calendar",
                           f"no calendar {stage.norm.calendar!r} in {CALENDARS_FILE}",
                           f"use one of: {', '.join(sorted(calendars)) or 'none defined'}")
            for key, stages in lifecycles for i, stage in enumerate(stages)
            if stage.norm and stage.norm.calendar and stage.norm.calendar not in calendars]


def load_mappings(directory: Path) -> Mappings:
    """Load and cross-check every `*.yml` in a directory; all problems are reported at once."""
    if not directory.is_dir():
        raise ConfigError.at(str(directory), "mappings_dir", "not a directory",
                             "point it at mappings/")
    problems: list[str] = []
    by_name: dict[str, Mapping] = {}
    templates: Templates = {}
    calendars: dict[str, WorkCalendar] = {}
    catalog = Catalog()
    fallbacks: list[Fallback] = []
    notices: list[str] = []
    for path, whole in files_to_load(directory, COMMON_FILES):
        try:
            data, filled = fill_from_shipped(path, read_yaml(path),
                                             texts=path.name == TEMPLATES_FILE)
            fallbacks += [whole] if whole else filled
            if path.name == TEMPLATES_FILE:
                templates = _load_templates(path, data)
                continue
            if path.name == CALENDARS_FILE:
                calendars = parse_model(CalendarsFile, data, str(path)).calendars
                continue
            if path.name == CATALOG_FILE:
                catalog = parse_model(CatalogFile, data, str(path)).catalog
                problems += catalog.problems(str(path))
                continue
            mapping = parse_model(Mapping, data, str(path))
        except ConfigError as exc:
            problems += exc.problems
            continue
        if mapping.name != path.stem:
            problems.append(format_problem(
                str(path), "name", f"{mapping.name!r} differs from the file name",
                f"write name: {path.stem}"))
        problems += _check_templates(str(path), mapping.templates, "templates.", complete=False)
        notices += comma_names(str(path), mapping)
        by_name[mapping.name] = mapping
    if not templates and not any(TEMPLATES_FILE in p for p in problems):
        problems.append(format_problem(
            str(directory / TEMPLATES_FILE), "", "file not found", "ship the message templates"))
    for mapping in by_name.values():
        for i, policy in enumerate(mapping.sla):
            if policy.calendar is not None and policy.calendar not in calendars:
                problems.append(format_problem(
                    str(directory / f"{mapping.name}.yml"), f"sla[{i}].calendar",
                    f"no calendar {policy.calendar!r} in {CALENDARS_FILE}",
                    f"use one of: {', '.join(sorted(calendars)) or 'none defined'}"))
        problems += _norm_calendars(str(directory / f"{mapping.name}.yml"), mapping, calendars)
        if mapping.outage is not None and not any(CATALOG_FILE in p for p in problems):
            problems += _outage_services(str(directory / f"{mapping.name}.yml"),
                                         mapping.outage, catalog)
        if mapping.alerts is not None and not any(CATALOG_FILE in p for p in problems):
            problems += [format_problem(str(directory / f"{mapping.name}.yml"),
                                        f"alerts.silencers[{i}]",
                                        f"no person {key!r} in {CATALOG_FILE}",
                                        "add them under catalog.people")
                         for i, key in enumerate(mapping.alerts.silencers)
                         if key not in catalog.people]
    if problems:
        raise ConfigError(problems)
    return Mappings(by_name=by_name, templates=templates, calendars=calendars, catalog=catalog,
                    fallbacks=fallbacks, notices=notices)


def _outage_services(file: str, rules: OutageRules, catalog: Catalog) -> list[str]:
    """The services an outage section names are in the catalog."""
    named = [("outage.default_service", rules.default_service),
             *((f"outage.services[{i}]", s) for i, s in enumerate(rules.services))]
    known = ", ".join(sorted(catalog.services)) or f"none yet: add them to {CATALOG_FILE}"
    return [format_problem(file, key, f"no service {sid!r} in {CATALOG_FILE}",
                           f"use one of: {known}")
            for key, sid in named if sid not in catalog.services]


def _load_templates(path: Path, data: object) -> Templates:
    if not isinstance(data, dict) or not all(isinstance(v, dict | None) for v in data.values()):
        raise ConfigError.at(str(path), "", "expected a mapping of languages", "write ru: and en:")
    texts = {str(lang): dict(v or {}) for lang, v in data.items()}
    problems = _check_templates(str(path), texts, "", complete=True)
    if problems:
        raise ConfigError(problems)
    return {lang: texts[lang] for lang in LANGUAGES}


def _check_templates(file: str, data: Templates, prefix: str, *, complete: bool) -> list[str]:
    """Known languages and ids, placeholders each id may use; with `complete`, every id."""
    problems: list[str] = []
    for lang in data:
        if lang not in LANGUAGES:
            problems.append(format_problem(file, f"{prefix}{lang}", "unknown language",
                                           f"use one of {', '.join(LANGUAGES)}"))
    for lang in LANGUAGES:
        texts = data.get(lang) or {}
        wanted = TEMPLATE_FIELDS if complete else {t: TEMPLATE_FIELDS[t] for t in texts
                                                    if t in TEMPLATE_FIELDS}
        for tid, allowed in wanted.items():
            key, text = f"{prefix}{lang}.{tid}", texts.get(tid)
            if not isinstance(text, str):
                problems.append(format_problem(file, key, "template is missing", "add the text"))
                continue
            try:
                used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
            except ValueError as exc:
                problems.append(format_problem(file, key, f"malformed placeholder: {exc}",
                                               "write {name}, and {{ or }} for a brace"))
                continue
            for name in sorted(used - allowed):
                problems.append(format_problem(
                    file, key, f"unknown placeholder {{{name}}}",
                    f"use only {', '.join('{' + a + '}' for a in sorted(allowed)) or 'none'}"))
        for tid in texts:
            if tid not in TEMPLATE_FIELDS:
                problems.append(format_problem(file, f"{prefix}{lang}.{tid}", "unknown template id",
                                               f"known ids: {', '.join(TEMPLATE_FIELDS)}"))
    return problems


def render(templates: dict[str, str], template_id: str, **values: object) -> str:
    """Fill a template; placeholders were checked at load time."""
    return templates[template_id].format(**values)
