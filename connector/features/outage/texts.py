"""The texts outages speak with (templates.yml, per regulation overridable)."""

from __future__ import annotations

_OUTAGE = {"service", "ticket", "title", "url"}

# Template id → the placeholders it may use; every mapping's texts must have them all.
TEMPLATES: dict[str, set[str]] = {
    "outage_intro": {*_OUTAGE, "responders", "related"},
    "outage_status": {*_OUTAGE, "stage", "since", "steps", "affected"},
    "outage_note_declared": {*_OUTAGE, "room", "responsible"},
    "outage_note_stage": {*_OUTAGE, "stage", "who"},
    "outage_button": {"stage"},
    "outage_related_ask": {"service", "related", "owners"},
    "outage_related_answer": {"related", "answer", "who"},
    "outage_progress": {"who", "text"},
    "outage_related_ok": set(),
    "outage_related_hit": set(),
    "outage_notice": {"service", "ticket", "link", "url"},
    "outage_mail_subject": {"service", "ticket", "link", "url"},
    "outage_mail_body": {"service", "ticket", "link", "url"},
    "outage_affected": {"samples"},
    "outage_affected_sample": {"stage", "users", "at"},
    "outage_metrics": {"service", "who", "lines"},
    "outage_metrics_line": {"title", "value"},
    "outage_metrics_no_data": set(),
    "outage_metrics_off": set(),
    "outage_metrics_error": set(),
    "outage_metrics_unknown": {"service", "known"},
    "outage_command_usage": {"services"},
    "outage_command_not_allowed": {"service"},
    "outage_command_no_project": set(),
    "outage_command_accepted": {"service"},
    "outage_command_description": {"who", "service", "summary", "functions", "data_loss",
                                   "share", "since"},
    "outage_fact_unknown": set(),
    "outage_related_remind": {"owners", "related", "minutes"},
}
