"""Downtime as Belarus §4.3.4 counts it («время простоя»): from when the service went down —
not from the declaration, which §1.1 allows only after «более 15 минут» of unavailability — to
«Восстановлено». The start is what the declarer stated (`/outage … | с 11:00`), else the
monitoring alert's `startsAt`, else the ticket's creation, else the declaration; the end is the
first entry into a stage that asks for the conclusion. The responsible may correct both in the
conclusion form; every end keeps where it came from, for the report."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection, Row

from connector.features.outage import store
from connector.features.outage.models import OutageRules
from connector.features.outage.spans import Span, plausible, span_of

_WHEN = re.compile(r"^(?:[сc]\s+)?(?:(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s+)?(\d{1,2}):(\d{2})$",
                   re.IGNORECASE)
SHOWN = "%d.%m.%Y %H:%M"  # how the conclusion form shows and takes a moment


def parse_moment(text: str, now: float, zone: str) -> float | None:
    """`11:00` (today in the team's zone, yesterday if that is still ahead), `05.03 11:00`,
    `05.03.2026 11:00`, each optionally after «с»; None for anything else, a moment ahead, or
    one more than PLAUSIBLE_DAYS back (`06.03` said on 05.03 is not last year's 6 March)."""
    found = written(_WHEN, text, now, zone)
    if found is None:
        return None
    moment, day, year = found
    if moment.timestamp() > now and not day:
        moment -= timedelta(days=1)  # «с 23:50» said just after midnight: yesterday
    elif moment.timestamp() > now and not year:
        moment = moment.replace(year=moment.year - 1)  # «с 31.12 23:50» said on 1 January
    return moment.timestamp() if plausible(moment.timestamp(), now) else None


def written(pattern: re.Pattern[str], text: str, now: float,
            zone: str) -> tuple[datetime, bool, bool] | None:
    """The moment `text` writes in `pattern`'s groups (day, month, year, hour, minute), the
    day, month and year not written taken from `now` in the team's zone; with whether the
    day and the year were written. None when it does not match or is no date (31.02, 25:00)."""
    found = pattern.match(" ".join(text.split()))
    if found is None:
        return None
    day, month, year, hour, minute = (int(g) if g else None for g in found.groups())
    assert hour is not None and minute is not None
    today = datetime.fromtimestamp(now, ZoneInfo(zone))
    try:
        return today.replace(year=year or today.year, month=month or today.month,
                             day=day or today.day, hour=hour, minute=minute, second=0,
                             microsecond=0), day is not None, year is not None
    except ValueError:
        return None


def shown(moment: float, zone: str) -> str:
    """A moment as the conclusion form pre-fills it."""
    return datetime.fromtimestamp(moment, ZoneInfo(zone)).strftime(SHOWN)


def span(conn: Connection, row: Row[Any], rules: OutageRules, now: float) -> Span:
    """The downtime the timeline gives (before anyone corrects it)."""
    events = [e for e in store.timeline(conn, row.id) if e["kind"] != "downtime"]
    return span_of(events, rules, float(row.declared_at), now)[0]


def corrected(found: Span, start_text: str, end_text: str, now: float,
              zone: str) -> tuple[Span, list[str]]:
    """The span with the ends the responsible wrote in the form, and the ends not taken
    ("start", "end"): one that is not a moment in the accepted forms, is ahead or far back,
    or would make the downtime run backwards stays as it was — and is said so. An end left
    as shown (or empty) is no correction."""
    start, start_source = found.start, found.start_source
    end, end_source = found.end, found.end_source
    refused = []
    for which, text, kept in (("start", start_text, found.start), ("end", end_text, found.end)):
        if not text.strip() or " ".join(text.split()) == shown(kept, zone):
            continue
        moment = parse_moment(text, now, zone)
        if moment is None:
            refused.append(which)
        elif which == "start":
            start, start_source = moment, "corrected"
        else:
            end, end_source = moment, "corrected"
    if end < start:  # whichever was corrected goes back
        refused += [w for w, source in (("start", start_source), ("end", end_source))
                    if source == "corrected" and w not in refused]
        start, start_source = (found.start, found.start_source) if "start" in refused \
            else (start, start_source)
        end, end_source = (found.end, found.end_source) if "end" in refused else (end, end_source)
        if end < start:
            return found, ["start", "end"]
    return Span(start, start_source, end, end_source), refused
