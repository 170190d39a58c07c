"""The texts SLA clocks speak with (templates.yml, per regulation overridable)."""

from __future__ import annotations

_CLOCK = {"title", "percent", "target", "elapsed", "due", "ticket", "late"}

# Template id → the placeholders it may use; every mapping's texts must have them all.
TEMPLATES: dict[str, set[str]] = {
    "sla_note": _CLOCK,
    "sla_chat": {*_CLOCK, "url", "who"},
    "sla_late": {"due"},
    "sla_room": {*_CLOCK, "who"},
    "sla_head_subject": {*_CLOCK},
}
