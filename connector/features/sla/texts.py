"""The texts SLA clocks speak with (templates.yml, per regulation overridable)."""

from __future__ import annotations

# `url`: the ticket's web address (every text may link it; chat messages do)
_CLOCK = {"title", "percent", "target", "elapsed", "due", "ticket", "url", "late"}

# Template id → the placeholders it may use; every mapping's texts must have them all.
TEMPLATES: dict[str, set[str]] = {
    "sla_note": _CLOCK,  # a policy counting in a calendar's working hours
    "sla_note_wall": _CLOCK,  # one counting wall-clock time
    "sla_chat": {*_CLOCK, "who"},
    "sla_late": {"due"},  # the connector was not running at the due time
    "sla_late_ticket": {"due"},  # it learned of the ticket only after it
    "sla_late_change": {"due"},  # it learned of the change that made it due only after it
    "sla_room": {*_CLOCK, "who"},
    "sla_room_head": {"name"},  # the `who` of sla_room: the head of support asked to look
    "sla_head_subject": {*_CLOCK},
    # Sevastopol §2.9, the applicant's silence in «Обратная связь» (a threshold's `text`)
    "sla_feedback_reminder": {*_CLOCK, "organisation"},
    "sla_feedback_management": {*_CLOCK, "organisation"},
    "sla_organisation_subject": {*_CLOCK, "organisation"},  # the letter to the МО's lists
    "sla_organisation_mail": {*_CLOCK, "organisation"},
    "sla_organisation_unknown": set(),  # how the texts name an МО the catalog does not know
}
# The notes a threshold's `text` may choose instead of sla_note.
NOTE_TEXTS = frozenset({"sla_note", "sla_note_wall", "sla_feedback_reminder",
                        "sla_feedback_management"})
