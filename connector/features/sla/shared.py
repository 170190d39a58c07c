"""A ticket's observations, kept once for all the policies of its mapping: every tracker event
is one entry — the tracker's time, when the connector learned it, and for each policy the
conditions that held — in one history row per ticket (`sla_clocks` with the policy HISTORY).
Kept per policy, the same event was written as many times as the mapping has policies, idle
ones included, and every row grew with every event (issue 17 item 9's cost). A policy's own
observations are its column of the entries (`view`); its row keeps only its run, the
thresholds fired in it and its base (history.py)."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any, cast

from connector.features.sla.clocks import Base, Condition, Observation, base_as_dict, base_from_dict

# The `policy` of a ticket's history row. Policy names match ^[a-z0-9_]{1,40}$ (models.py), so
# no policy can have it; kept in sla_clocks rather than a table of its own so that an event
# still reads its ticket's rows in one SELECT and writes them in one upsert.
HISTORY = "~"

RANK = {"start": 0, "reset": 0, "again": 0, "pause": 2, "stop": 3, "cancel": 4}  # a life's order


def order(o: Observation) -> tuple[float, int, tuple[str, ...]]:
    """Where an observation goes in a policy's history: its time, then — for changes of the
    same second — the order a ticket's life takes them in (nothing held ranks 1: it runs)."""
    rank = max((RANK[c] for c in o.held if c in ("pause", "stop", "cancel")),
               default=min((RANK[c] for c in o.held), default=1))
    return o.at, rank, tuple(sorted(o.held))


Held = list[str] | None  # one policy's conditions that held, sorted; None: it did not observe


@dataclass
class Shared:
    """The entries `[at, learned, [held by column]]` in tracker time order (equal times in the
    order they came), the policies naming the columns (a policy added to the mapping later
    gets a new one: older entries did not observe it), and the folded part of the policies
    that have no row (no run yet; history.py folds the oldest entries beyond KEEP)."""

    policies: list[str] = field(default_factory=list)
    seen: list[list[Any]] = field(default_factory=list)
    idle: dict[str, Base] = field(default_factory=dict)
    # What the ticket told of itself that a threshold needs when it fires (the request's МО:
    # `organisation`), as its latest event showed it.
    facts: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"policies": self.policies, "seen": self.seen, "idle": {
            name: base_as_dict(base) for name, base in self.idle.items()},
            **({"facts": self.facts} if self.facts else {})}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Shared:
        data = json.loads(text)
        return cls(data["policies"], data["seen"],
                   {name: base_from_dict(b) for name, b in data.get("idle", {}).items()},
                   dict(data.get("facts", {})))

    def column(self, name: str) -> int:
        """The policy's column, a new one if it has none yet."""
        if name not in self.policies:
            self.policies.append(name)
        return self.policies.index(name)

    def add(self, at: float, learned: float, held: dict[str, frozenset[Condition]]) -> None:
        """An entry for the event: after every entry of an earlier or equal time."""
        columns: list[Held] = [None] * len(self.policies)
        for name, conditions in held.items():
            i = self.column(name)
            columns.extend([None] * (i + 1 - len(columns)))
            columns[i] = sorted(conditions)
        entry = [at, learned, columns]
        if not self.seen or at >= self.seen[-1][0]:
            self.seen.append(entry)
        else:
            self.seen.insert(bisect.bisect_right(self.seen, at, key=lambda e: e[0]), entry)

    def has(self, name: str, at: float, held: frozenset[Condition]) -> bool:
        """The policy already observed these conditions at this time (a copy of an event)."""
        if name not in self.policies:
            return False
        i, want = self.policies.index(name), sorted(held)
        j = bisect.bisect_left(self.seen, at, key=lambda e: e[0])
        while j < len(self.seen) and self.seen[j][0] == at:
            columns = self.seen[j][2]
            if i < len(columns) and columns[i] == want:
                return True
            j += 1
        return False

    def view(self, name: str, entries: list[list[Any]] | None = None) -> list[Observation]:
        """The policy's observations (of `entries`, else of all), in order: one per time and
        conditions — a copy delivered again keeps the first one's time of learning."""
        if name not in self.policies:
            return []
        i, kept, out = self.policies.index(name), set(), []
        for at, learned, columns in self.seen if entries is None else entries:
            held = columns[i] if i < len(columns) else None
            if held is None or (at, *held) in kept:
                continue
            kept.add((at, *held))
            out.append(Observation(at, frozenset(cast(list[Condition], held)), learned))
        out.sort(key=order)
        return out

