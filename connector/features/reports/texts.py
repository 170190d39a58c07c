"""The texts reports speak with (templates.yml, per regulation overridable): the Markdown
report, and the names people read for the CSV's columns are the JSON keys (documented)."""

from __future__ import annotations

from connector.features.reports.dashboard.texts import TEMPLATES as DASHBOARD

TEMPLATES: dict[str, set[str]] = {
    "report_title": {"from", "to", "scope"},
    "report_scope_all": set(),
    "report_scope_service": {"service"},
    "report_scope_regulation": {"regulation"},
    "report_reliability": {"percent", "target", "minutes"},
    "report_no_target": set(),
    "report_services": set(),
    "report_service_line": {"title", "minutes", "percent", "outages"},
    "report_outages": set(),
    "report_outage_line": {"ticket", "service", "start", "end", "minutes", "share", "source"},
    "report_still_open": set(),
    "report_source_stated": set(),
    "report_source_alert": set(),
    "report_source_ticket": set(),
    "report_source_corrected": set(),
    "report_stages": set(),
    "report_stage_line": {"stage", "count", "median", "p90", "max", "norm", "over"},
    "report_times": {"opened", "restore"},
    "report_problems": set(),
    "report_problem_line": {"ticket", "stage", "owner", "outages"},
    "report_repeated": set(),
    "report_repeated_line": {"service", "outages"},
    "report_sla": set(),
    "report_sla_line": {"policy", "met", "breached", "running", "percent"},
    "report_requests": {"count", "feedback"},
    "report_nothing": set(),
    # sent by a schedule, or asked for with /report (schedule_job.py, chat_report.py)
    "report_summary": {"from", "to", "scope", "percent", "target", "minutes", "outages",
                       "repeated", "weak", "stages", "met", "breached", "running", "requests",
                       "feedback"},
    "report_weak_zone": {"rank", "title", "minutes"},
    "report_stage_over": {"stage", "over", "count"},
    "report_target": {"target"},
    "report_no_outages": set(),
    "report_no_stages_over": set(),
    "report_chart_title": {"from", "to"},
    "report_chart_legend": set(),
    "report_issue_title": {"from", "to", "scope"},
    "report_command_usage": {"days"},
    "report_command_not_allowed": set(),
    **DASHBOARD,
}
