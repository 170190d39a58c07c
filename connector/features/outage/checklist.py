"""A stage's checklist as the timeline has it: the steps ticked since the outage last entered
the stage, and the required ones still open."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from connector.features.outage import store
from connector.features.outage.models import Stage


def done(conn: Connection, outage_id: int, stage: str) -> frozenset[int]:
    """The steps of `stage` ticked so far (since the outage last entered it)."""
    ticked: set[int] = set()
    for e in store.timeline(conn, outage_id):
        if e["kind"] == "stage" and e.get("stage") == stage:
            ticked = set()  # entered again: its checklist starts over
        elif e["kind"] == "step" and e.get("stage") == stage:
            ticked.add(int(e["step"]))
    return frozenset(ticked)


def missing(conn: Connection, row: Row[Any], stage: Stage) -> list[str]:
    """The required steps of the stage the outage stands in that are not ticked yet."""
    if not any(stage.required(i) for i in range(len(stage.steps))):
        return []
    ticked = done(conn, row.id, stage.name)
    return [s.text for i, s in enumerate(stage.steps) if stage.required(i) and i not in ticked]
