"""The outage feature's buttons, one entry an action: stage moves and checklist ticks on the
status message, related services' answers, the conclusion, the closing decisions."""

from __future__ import annotations

from connector.buttons import ButtonAction, ButtonTable
from connector.features.outage import closing, related, stages, steps

TABLE = ButtonTable({
    "go": ButtonAction(stages.refusal, stages.press),
    "step": ButtonAction(steps.refusal, steps.press),
    "ok": ButtonAction(related.refusal, related.press),
    "hit": ButtonAction(related.refusal, related.press),
    "conclude": ButtonAction(closing.refusal, closing.press),
    "close": ButtonAction(closing.refusal, closing.press),
})
