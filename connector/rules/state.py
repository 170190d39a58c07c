"""What the rules remember about a ticket between events, stored as JSON in the tickets table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from connector.events import Attachment


@dataclass
class TicketState:
    """Flags set by rules ("reminded", "escalated:l2", …) and the ticket as last observed."""

    flags: set[str] = field(default_factory=set)
    seen_updated_at: str = ""
    labels: list[str] = field(default_factory=list)
    priority: str | None = None
    impact: str | None = None
    attachments: list[Attachment] = field(default_factory=list)  # every file ever seen on it

    def to_json(self) -> str:
        return json.dumps(
            {"flags": sorted(self.flags), "seen_updated_at": self.seen_updated_at,
             "labels": self.labels, "priority": self.priority, "impact": self.impact,
             "attachments": [[a.name, a.size] for a in self.attachments]},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | None) -> TicketState:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(set(data.get("flags", [])), data.get("seen_updated_at", ""),
                   list(data.get("labels", [])), data.get("priority"), data.get("impact"),
                   [_attachment(a) for a in data.get("attachments", [])])

    def observe(self, labels: tuple[str, ...], priority: str | None, impact: str | None,
                updated_at: str) -> None:
        """Remember what the ticket looked like, so a repeated event repeats no action."""
        self.labels = list(labels)
        self.priority, self.impact = priority, impact
        self.seen_updated_at = max(self.seen_updated_at, updated_at)


def _attachment(saved: Any) -> Attachment:
    """`[name, size]`; states saved before sizes were kept hold only the name."""
    if isinstance(saved, list):
        return Attachment(str(saved[0]), int(saved[1]))
    return Attachment(str(saved))
