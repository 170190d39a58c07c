"""An outage's downtime read from its timeline — pure, over the recorded entries, so the
conclusion (downtime.py) and the reports count it alike. Start: the stated or alerted start,
else the ticket's creation, else the declaration (a start more than PLAUSIBLE_DAYS before the
declaration is a slip, not a fact); end: the first entry into a stage that asks for the conclusion
(restored), else into the closing stage, else none yet. The conclusion's «downtime» entry,
when the responsible corrected either end, is the word that counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from connector.features.outage.models import OutageRules

PLAUSIBLE_DAYS = 31


@dataclass(frozen=True)
class Span:
    """A downtime: its two ends (Unix seconds) and where each came from (texts.SOURCES)."""

    start: float
    start_source: str
    end: float
    end_source: str

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded to the nearest; never negative."""
        return max(0, round((self.end - self.start) / 60))


def plausible(moment: float, now: float) -> bool:
    """Not ahead of `now`, nor more than PLAUSIBLE_DAYS before it."""
    return now - PLAUSIBLE_DAYS * 86400 <= moment <= now


def restored_at(events: Sequence[dict[str, Any]], rules: OutageRules) -> float | None:
    """The first entry into a stage that asks for the conclusion, else into the closing
    stage; None while the outage is neither."""
    marks = {s.name for s in rules.stages if s.conclusion}
    closing = {s.name for s in rules.stages if s.closing or not s.next}
    for wanted in (marks, closing):  # an outage read from history may begin in either
        found = next((float(e["at"]) for e in events
                      if e["kind"] in ("stage", "declared") and e.get("stage") in wanted), None)
        if found is not None:
            return found
    return None


def span_of(events: Sequence[dict[str, Any]], rules: OutageRules, declared_at: float,
            now: float) -> tuple[Span, bool]:
    """The downtime, and whether it has ended (else it runs to `now`)."""
    corrected = [e for e in events if e["kind"] == "downtime"
                 and isinstance(e.get("start"), int | float)
                 and isinstance(e.get("end"), int | float)]
    if corrected:
        last = corrected[-1]
        return Span(float(last["start"]), str(last.get("source") or "stated"),
                    float(last["end"]), str(last.get("end_source") or "stage")), True
    restored = restored_at(events, rules)
    end = restored if restored is not None else now
    stated = [e for e in events if e["kind"] == "start" and isinstance(e.get("start"),
                                                                        int | float)]
    declared = next((e for e in events if e["kind"] == "declared"), {})
    created = declared.get("created")
    earliest = float(declared_at) - PLAUSIBLE_DAYS * 86400  # not today: an outage open for
    if stated and earliest <= float(stated[-1]["start"]) <= end:  # months keeps its start
        start, source = float(stated[-1]["start"]), str(stated[-1].get("source") or "stated")
    elif isinstance(created, int | float) and earliest <= float(created) <= end:
        start, source = float(created), "created"  # a ticket opened long before is not one
    else:
        start, source = float(declared_at), "declared"
    return Span(min(start, end), source, end, "stage"), restored is not None
