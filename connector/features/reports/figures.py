"""The figures a head of support reads, as pure functions over facts read from the store
(source.py): reliability by the EMIAS method — «отношение времени, когда ни в одном из
сервисов не наблюдалось сбоев, к общему времени за отчётный период» — with each outage's share,
the services, stage durations against their norms, repeated outages. Minutes and percentages
are unrounded; a hand count gives the same numbers."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from connector.features.reports.period import Period

START_SOURCES = {"stated": "stated", "alert": "alert", "created": "ticket",
                 "declared": "ticket", "corrected": "corrected"}  # timeline → report words


@dataclass(frozen=True)
class Outage:
    """An outage as the figures need it (read from its row and timeline)."""

    ticket: str
    mapping: str
    service: str
    start: float
    start_source: str  # stated | alert | ticket | corrected
    end: float | None  # None: not restored yet
    declared_at: float
    room_at: float | None  # when its room opened
    stages: tuple[tuple[str, float], ...]  # (stage, entered at), in order
    final: frozenset[str]  # the stages that end it (time in them is no stage's duration)
    imported: bool = False

    def interval(self, period: Period, now: float) -> tuple[float, float] | None:
        """Its downtime inside the period; one still open runs to the period's end (not past
        now)."""
        end = self.end if self.end is not None else min(period.end, now)
        return period.clip(self.start, end)

    def visits(self, now: float) -> list[tuple[str, float, bool]]:
        """(stage, seconds spent, whether it was left) for each stay, the last running to now
        unless it is a final stage."""
        found = []
        for (stage, entered), nxt in zip(self.stages, [*self.stages[1:], None], strict=True):
            if nxt is not None:
                found.append((stage, nxt[1] - entered, True))
            elif stage not in self.final:
                found.append((stage, max(0.0, now - entered), False))
        return found


def union_seconds(intervals: Iterable[tuple[float, float]]) -> float:
    """The length of the union: overlaps count once."""
    total, reach = 0.0, -math.inf
    for a, b in sorted(intervals):
        if b <= reach:
            continue
        total += b - max(a, reach)
        reach = b
    return total


def reliability(period: Period, outages: Sequence[Outage], now: float,
                target: float | None) -> dict[str, Any]:
    """1 − (the union of every outage's downtime) ÷ the period, in per cent."""
    lost = union_seconds(i for o in outages if (i := o.interval(period, now)) is not None) / 60
    return {"percent": 100 * (1 - lost / period.minutes), "target_percent": target,
            "outage_minutes": lost}


def services(period: Period, outages: Sequence[Outage], titles: dict[str, str],
             now: float) -> list[dict[str, Any]]:
    """Every service with its own reliability, its outage minutes and count — the «слабые
    зоны» first (most minutes, then most outages)."""
    by: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for o in outages:
        if (i := o.interval(period, now)) is not None:
            by[o.service].append(i)
    rows = []
    for service, title in titles.items():
        lost = union_seconds(by.get(service, [])) / 60
        rows.append({"service": service, "title": title, "outage_minutes": lost,
                     "percent": 100 * (1 - lost / period.minutes),
                     "outages": len(by.get(service, []))})
    return sorted(rows, key=lambda r: (-r["outage_minutes"], -r["outages"], r["service"]))


def outage_rows(period: Period, outages: Sequence[Outage], now: float,
                zone_time: Callable[[float], str]) -> list[dict[str, Any]]:
    """Each outage in the period: its clipped minutes, the minutes only it covered, its share
    of the period in percentage points, its stages' minutes."""
    clipped = [(o, i) for o in outages if (i := o.interval(period, now)) is not None]
    alone = alone_seconds([i for _, i in clipped])
    rows = []
    for k, (o, (a, b)) in enumerate(clipped):
        minutes = (b - a) / 60
        stages: dict[str, float] = defaultdict(float)
        for stage, seconds, _ in o.visits(now):
            stages[stage] += seconds / 60
        rows.append({"ticket": o.ticket, "service": o.service, "start": zone_time(o.start),
                     "end": zone_time(o.end) if o.end is not None else None,
                     "minutes": minutes, "unique_minutes": alone[k] / 60,
                     "share_pp": minutes / period.minutes * 100,
                     "start_source": o.start_source, "stages": dict(stages),
                     "imported": o.imported})
    return sorted(rows, key=lambda r: (-r["share_pp"], r["ticket"]))


def alone_seconds(intervals: Sequence[tuple[float, float]]) -> list[float]:
    """For each interval, the time no other interval covers — one sweep over the ends."""
    ends = sorted([(a, 1, k) for k, (a, _) in enumerate(intervals)] +
                  [(b, -1, k) for k, (_, b) in enumerate(intervals)])
    alone = [0.0] * len(intervals)
    active: set[int] = set()
    before = None
    for moment, step, k in ends:
        if before is not None and len(active) == 1 and moment > before:
            alone[next(iter(active))] += moment - before
        (active.add if step == 1 else active.discard)(k)
        before = moment
    return alone


def nearest_rank(values: Sequence[float], percent: float) -> float:
    """The percentile by nearest rank: the smallest value with `percent` % at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def spread(values: Sequence[float]) -> dict[str, Any]:
    """count, median, p90 and max of a list of minutes (None for none)."""
    if not values:
        return {"count": 0, "median_minutes": None, "p90_minutes": None, "max_minutes": None}
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"count": len(ordered), "median_minutes": median,
            "p90_minutes": nearest_rank(ordered, 90), "max_minutes": ordered[-1]}


# A stage's norm: its minutes, and how a stay is measured against it (working minutes on the
# norm's calendar, or wall-clock).
Norm = tuple[float, Callable[[float, float], float]]


def stages(outages: Sequence[Outage], norms: Mapping[tuple[str, ...], Norm],
           now: float) -> dict[str, Any]:
    """Per stage, over the stays that ended: how many, median, p90, max minutes, the norm and
    how many were strictly longer than it — each stay against its own regulation's norm of
    the stage (`norms` by regulation and stage, or by regulation, stage and service where
    the service's criticality gives it its own), measured on the norm's own calendar. The
    norm shown is the one they share; none when they differ."""
    stays: dict[str, list[tuple[float, float, Norm | None]]] = defaultdict(list)
    for o in outages:
        entered = dict(o.stages)
        for stage, seconds, left in o.visits(now):
            if left:
                stays[stage].append((entered.get(stage, 0.0), seconds,
                                     norms.get((o.mapping, stage, o.service),
                                               norms.get((o.mapping, stage)))))
    found = {}
    for stage, spans in stays.items():
        known = [(start, seconds, norm) for start, seconds, norm in spans if norm is not None]
        minutes = {norm[0] for _, _, norm in known}
        over = sum(1 for start, seconds, norm in known
                   if norm[1](start, start + seconds) / 60 > norm[0]) if known else None
        found[stage] = {**spread([s / 60 for _, s, _ in spans]),
                        "norm_minutes": minutes.pop() if len(minutes) == 1 else None,
                        "over_norm": over}
    return found


def times(outages: Sequence[Outage]) -> dict[str, Any]:
    """How long it took to open the room (from the declaration) and to restore (the downtime
    of the outages that ended)."""
    return {"room_minutes": spread([(o.room_at - o.declared_at) / 60 for o in outages
                                    if o.room_at is not None]),
            "restore_minutes": spread([(o.end - o.start) / 60 for o in outages
                                       if o.end is not None])}


def repeated(outages: Sequence[Outage], days: float) -> list[dict[str, Any]]:
    """Services that failed again within `days` of their previous outage, with the chain of
    outages (EMIAS: repeated outages must go down)."""
    by: dict[str, list[Outage]] = defaultdict(list)
    for o in outages:
        by[o.service].append(o)
    found = []
    for service, theirs in sorted(by.items()):
        theirs.sort(key=lambda o: o.start)
        chain: list[str] = []
        for before, after in pairwise(theirs):
            if after.start - (before.end or before.start) <= days * 86400:
                chain += [t for t in (before.ticket, after.ticket) if t not in chain]
        if chain:
            found.append({"service": service, "outages": chain})
    return found
