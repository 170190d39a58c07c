"""SLA: a ticket's observations kept once for all its policies — one history row per ticket in
sla_clocks (policy "~", state `history`) — instead of a copy in every policy's clock row; the
rows of policies that never started (`idle`) go, their observations being in the history. A
clock stored before history was kept gets its state as its base, as the code read it.

A data migration: plain JSON, independent of the code that reads it later. Each policy row's
`seen` entries become the ticket's entries, one per tracker time and time of learning (the
k-th such of one policy with the k-th of another), each naming what every policy held.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

HISTORY = "~"
RANK = {"start": 0, "reset": 0, "pause": 2, "stop": 3, "cancel": 4}  # as sla/shared.py
RUN = ("state", "started_at", "paused_at", "pauses", "fired", "stopped_at")
BATCH = 500  # tickets read at a time

clocks = sa.table("sla_clocks", *(sa.column(name) for name in (
    "id", "ticket", "policy", "mapping", "clock", "state", "level", "status", "due_at",
    "ordering_key", "claimed_by", "lease_until", "attempts", "updated_at")))


def upgrade() -> None:
    _each_ticket(_shared)


def downgrade() -> None:
    _each_ticket(_per_policy)


def _each_ticket(convert: Any) -> None:
    conn = op.get_bind()
    tickets = [t for (t,) in conn.execute(sa.select(clocks.c.ticket).distinct()
                                          .order_by(clocks.c.ticket))]
    for start in range(0, len(tickets), BATCH):
        rows = conn.execute(sa.select(clocks).where(
            clocks.c.ticket.in_(tickets[start:start + BATCH]))
            .order_by(clocks.c.ticket, clocks.c.policy)).all()
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        deletes: list[int] = []
        for _, group in groupby(rows, key=lambda r: r.ticket):
            convert(list(group), updates, inserts, deletes)
        if updates:
            conn.execute(sa.update(clocks).where(clocks.c.id == sa.bindparam("row_id"))
                         .values(clock=sa.bindparam("new_clock")), updates)
        if inserts:
            conn.execute(sa.insert(clocks), inserts)
        if deletes:
            conn.execute(sa.delete(clocks).where(clocks.c.id.in_(deletes)))


def _shared(rows: list[Any], updates: list[dict[str, Any]], inserts: list[dict[str, Any]],
            deletes: list[int]) -> None:
    policies: list[str] = []
    entries: dict[tuple[float, float, int], dict[str, list[str]]] = {}
    idle: dict[str, Any] = {}
    if any(row.policy == HISTORY for row in rows):
        return  # already in this form
    for row in rows:
        data = json.loads(row.clock)
        seen, base = data.get("seen") or [], data.get("base")
        if base is None and not seen and data["state"] != "idle":  # before history was kept
            base = {"clock": {**data, "fired": []}, "until": _latest(data), "learned": 0.0}
        if seen:
            policies.append(row.policy)
            counts: Counter[tuple[float, float]] = Counter()
            for at, held, learned in seen:
                entries.setdefault((at, learned, counts[(at, learned)]), {})[row.policy] = held
                counts[(at, learned)] += 1
        if base is not None and base["clock"] is not None:
            base = {**base, "clock": _run(base["clock"])}
        if data["state"] == "idle":
            deletes.append(row.id)
            if base is not None:
                idle[row.policy] = base
        else:
            updates.append({"row_id": row.id, "new_clock": json.dumps({**_run(data),
                                                                       "base": base})})
    if policies or idle:
        seen_all = [[at, learned, [held_by.get(p) for p in policies]]
                    for (at, learned, _), held_by in sorted(entries.items())]
        inserts.append(_row(rows[0], HISTORY, "history", {
            "policies": policies, "seen": seen_all, "idle": idle}))


def _per_policy(rows: list[Any], updates: list[dict[str, Any]], inserts: list[dict[str, Any]],
                deletes: list[int]) -> None:
    history = next((r for r in rows if r.policy == HISTORY), None)
    if history is None:
        return
    shared = json.loads(history.clock)
    deletes.append(history.id)
    own = {r.policy: r for r in rows if r.policy != HISTORY}
    for i, policy in enumerate(shared["policies"]):
        seen = _view(shared["seen"], i)
        row = own.pop(policy, None)
        if row is not None:
            updates.append({"row_id": row.id,
                            "new_clock": json.dumps({**json.loads(row.clock), "seen": seen})})
        elif seen or policy in shared["idle"]:
            inserts.append(_row(history, policy, "idle", {
                "state": "idle", "started_at": 0.0, "paused_at": None, "pauses": [],
                "fired": [], "stopped_at": None, "seen": seen,
                "base": shared["idle"].get(policy)}))
    for row in own.values():  # seen nothing kept (all folded)
        updates.append({"row_id": row.id, "new_clock": json.dumps({**json.loads(row.clock),
                                                                   "seen": []})})


def _view(entries: list[Any], i: int) -> list[Any]:
    """One policy's observations as its row kept them: `[at, held, learned]`, one per time
    and conditions, in a ticket's life's order."""
    kept: dict[tuple[Any, ...], list[Any]] = {}
    for at, learned, columns in entries:
        held = columns[i] if i < len(columns) else None
        if held is not None:
            kept.setdefault((at, *held), [at, held, learned])

    def order(o: list[Any]) -> tuple[Any, ...]:
        stops = [RANK[c] for c in o[1] if c in ("pause", "stop", "cancel")]
        rank = max(stops) if stops else min((RANK[c] for c in o[1]), default=1)
        return o[0], rank, tuple(sorted(o[1]))

    return sorted(kept.values(), key=order)


def _run(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in RUN}


def _latest(data: dict[str, Any]) -> float:
    return float(max([data["started_at"], data.get("paused_at") or 0.0,
                      data.get("stopped_at") or 0.0, *(b for _, b in data.get("pauses", []))]))


def _row(like: Any, policy: str, state: str, clock: dict[str, Any]) -> dict[str, Any]:
    return {"ticket": like.ticket, "policy": policy, "mapping": like.mapping,
            "clock": json.dumps(clock), "state": state, "level": 0, "status": "done",
            "due_at": None, "ordering_key": f"{like.ticket}|{policy}"[:255],
            "claimed_by": None, "lease_until": None, "attempts": 0,
            "updated_at": like.updated_at}
