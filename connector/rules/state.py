"""What the rules remember about a ticket between events, stored as JSON in the tickets table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class TicketState:
    """Flags set by rules ("reminded", "escalated:l2", …) and the ticket as last observed."""

    flags: set[str] = field(default_factory=set)
    seen_updated_at: str = ""
    labels: list[str] = field(default_factory=list)
    priority: str | None = None
    impact: str | None = None
    attachments: list[str] = field(default_factory=list)  # every file name ever seen on it

    def to_json(self) -> str:
        return json.dumps(
            {"flags": sorted(self.flags), "seen_updated_at": self.seen_updated_at,
             "labels": self.labels, "priority": self.priority, "impact": self.impact,
             "attachments": self.attachments},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | None) -> TicketState:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(set(data.get("flags", [])), data.get("seen_updated_at", ""),
                   list(data.get("labels", [])), data.get("priority"), data.get("impact"),
                   list(data.get("attachments", [])))

    def observe(self, labels: tuple[str, ...], priority: str | None, impact: str | None,
                updated_at: str) -> None:
        """Remember what the ticket looked like, so a repeated event repeats no action."""
        self.labels = list(labels)
        self.priority, self.impact = priority, impact
        self.seen_updated_at = max(self.seen_updated_at, updated_at)
