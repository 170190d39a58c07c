"""The texts outages speak with (templates.yml, per regulation overridable)."""

from __future__ import annotations

from typing import get_args

from connector.features.outage.models import TimelineKind

SOURCES = ("stated", "alert", "created", "declared", "stage", "corrected")  # of downtime ends

_OUTAGE = {"service", "ticket", "title", "url"}
_CONCLUSION = {"cause", "measures", "tasks", "affected"}
_NOTICE = {"service", "ticket", "link", "url", "title", "outages"}  # rooms announced
_CLIENTS = {"service", "since", "eta", "restored"}  # what clients are told
_SPAN = {"downtime", "start", "start_source", "end", "end_source"}  # the downtime, said
_REPORT = {"service", "ticket", "who", "url", "declared", "timeline", "criteria", *_SPAN,
           *_CONCLUSION}
_LOG = {"stage", "text", "service", "answer", "link", "url", "users", "ticket", "time",
        "source", "end", "end_source", "downtime"}
TIMELINE_KINDS: tuple[str, ...] = get_args(TimelineKind)

# Template id → the placeholders it may use; every mapping's texts must have them all.
TEMPLATES: dict[str, set[str]] = {
    "outage_intro": {*_OUTAGE, "responders", "related"},
    "outage_status": {*_OUTAGE, "stage", "since", "steps", "affected", "criteria"},
    # Belarus §1.1's criteria (criteria.py), given by /outage, the alert, or /criteria
    "outage_criteria": {"functions", "data_loss", "share", "since"},
    "outage_criteria_set": {"who", "criteria"},
    "outage_criteria_usage": set(),
    "outage_criteria_not_allowed": set(),
    "outage_note_declared": {*_OUTAGE, "room", "responsible"},
    "outage_note_stage": {*_OUTAGE, "stage", "who"},
    "outage_button": {"stage"},
    "outage_step_required": set(),
    "outage_related_ask": {"service", "related", "owners"},
    "outage_related_answer": {"related", "answer", "who"},
    "outage_progress": {"who", "text"},
    "outage_related_ok": set(),
    "outage_related_hit": set(),
    **{f"{kind}_{text}": _NOTICE for kind in ("outage", "problem")
       for text in ("notice", "room_failed", "mail_subject", "mail_body")},
    "outage_affected": {"samples"},
    "outage_affected_sample": {"stage", "users", "at"},
    "outage_metrics": {"service", "who", "lines"},
    "outage_metrics_line": {"title", "value"},
    "outage_metrics_no_data": set(),
    "outage_metrics_off": set(),
    "outage_metrics_down": set(),
    "outage_metrics_error": set(),
    "outage_metrics_unknown": {"service", "known"},
    "outage_metrics_not_allowed": set(),
    "outage_command_usage": {"services"},
    "outage_command_not_allowed": {"service"},
    "outage_command_no_project": set(),
    "outage_command_accepted": {"service"},
    "outage_since_unknown": {"given"},
    "outage_command_description": {"who", "service", "summary", "functions", "data_loss",
                                   "share", "since"},
    "outage_fact_unknown": set(),
    "outage_related_remind": {"owners", "related", "minutes"},
    # clients and MOs told (Belarus §4.3.1, Sevastopol §2.7), the expected end (/eta)
    **{f"outage_clients_{kind}{part}": _CLIENTS for kind in ("declared", "eta", "restored")
       for part in ("", "_subject")},
    "outage_clients_eta_unknown": set(),
    "outage_eta_set": {"who", "eta", "service", "ticket", "url"},
    "outage_eta_usage": {"given"},
    "outage_eta_not_allowed": set(),
    "outage_eta_over": set(),
    # a stage's norm (norms.py) is said in the SLA clocks' texts under this title
    "outage_norm_title": {"stage"},
    "problem_norm_title": {"stage"},
    # the conclusion (§4.3.4) and the report
    "outage_conclude": set(),
    "outage_form_title": set(),
    "outage_form_submit": set(),
    "outage_form_cause": set(),
    "outage_form_measures": set(),
    "outage_form_tasks": set(),
    "outage_form_affected": set(),
    "outage_form_start": {"value"},
    "outage_correction_refused_start": {"who", "given", "kept"},
    "outage_correction_refused_end": {"who", "given", "kept"},
    "outage_form_end": {"value"},
    "outage_form_fault": {"value", "choices"},  # EMIAS: «по вине сервиса» (fault.py)
    "outage_fault_refused": {"who", "given", "kept"},
    "outage_no_contract": {"service"},
    "outage_duration": {"hours", "minutes"},
    "outage_conclusion": {"who", "service", *_SPAN, *_CONCLUSION},
    "outage_report_title": _REPORT,
    "outage_report": _REPORT,
    "outage_contract_title": _REPORT,
    "outage_contract": {*_REPORT, "contractor", "contract"},
    "outage_report_created": {"url", "ticket", "owner"},
    "outage_contract_created": {"url", "ticket", "owner"},
    # closing, the room log, problems
    "outage_close_comment": set(),
    "outage_close_link_problem": set(),
    "outage_close_new_problem": set(),
    "outage_closed": {"who", "service", "decision", "comment"},
    "outage_closed_comment": {"text"},
    "outage_closing_title": set(),
    "outage_closing_submit": set(),
    "outage_closing_empty": {"who"},
    "outage_form_comment": {"value"},
    "outage_log_attached": set(),
    "outage_pool_free": set(),
    "outage_log_header": {"ticket", "service"},
    "outage_log_message": {"time", "who", "text"},
    "outage_log_message_other": {"time", "who", "id", "text"},  # someone not in the catalog
    "outage_log_timeline": set(),
    "outage_log_cut": set(),
    "outage_ticket_failed": {"title"},
    "outage_log_line": {"time", "who", "what"},
    **{f"outage_log_{kind}": _LOG for kind in TIMELINE_KINDS},
    "outage_log_connector": set(),
    "outage_join_approved": set(),
    "outage_join_declined": set(),
    **{f"outage_source_{source}": set() for source in SOURCES},
    "problem_status": {*_OUTAGE, "stage", "since", "steps", "affected"},  # affected: outages
    "problem_note_stage": {*_OUTAGE, "stage", "who"},
    "problem_title": {"service", "ticket"},
    "problem_description": {"ticket", "who", "title"},
    "problem_intro": {*_OUTAGE, "responders"},
    "problem_linked": {"outage", "problem"},
    "problem_outages": {"outages"},
    "problem_none_open": set(),
    "problem_pick": set(),
    "problem_choice": {"ticket", "service"},
}
