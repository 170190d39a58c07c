"""An outage's downtime from its timeline (spans.py): a stated start is judged against the
declaration, not today — an outage open for months keeps it — and an outage read from history
that begins in its restored or closing stage has ended there."""

from __future__ import annotations

from typing import Any

import pytest

from connector.features.outage.spans import PLAUSIBLE_DAYS, span_of
from connector.mappings import load_mappings
from tests.conftest import REPO

RULES = load_mappings(REPO / "mappings").get("belarus-ehr").outage
DAY = 86400.0
DECLARED = 1_772_700_000.0  # 2026-03-05 08:40 UTC


def declared(stage: str = "registered", **more: Any) -> dict[str, Any]:
    return {"kind": "declared", "at": DECLARED, "stage": stage, **more}


@pytest.mark.parametrize(("events", "now", "start", "source", "ended"), [
    # stated an hour before the declaration, still open 40 days later: the start stands
    ([declared(), {"kind": "start", "at": DECLARED, "start": DECLARED - 3600,
                   "source": "stated"}], DECLARED + 40 * DAY, DECLARED - 3600, "stated", False),
    # a slip of a century: the declaration counts
    ([declared(), {"kind": "start", "at": DECLARED, "start": DECLARED - 36500 * DAY,
                   "source": "stated"}], DECLARED + DAY, DECLARED, "declared", False),
    # a ticket opened more than PLAUSIBLE_DAYS before the declaration is not the start
    ([declared(created=DECLARED - (PLAUSIBLE_DAYS + 1) * DAY)], DECLARED + DAY, DECLARED,
     "declared", False),
    ([declared(created=DECLARED - 600)], DECLARED + 50 * DAY, DECLARED - 600, "created", False),
    # read from history straight into the restored stage: it ended when declared
    ([declared("restored", created=DECLARED - 600)], DECLARED + 50 * DAY, DECLARED - 600,
     "created", True),
    ([declared("closed")], DECLARED + 50 * DAY, DECLARED, "declared", True),
])
def test_the_downtime_of_an_outage(events: list[dict[str, Any]], now: float, start: float,
                                   source: str, ended: bool) -> None:
    assert RULES is not None
    span, over = span_of(events, RULES, DECLARED, now)
    assert (span.start, span.start_source, over) == (start, source, ended)
    assert span.end == (DECLARED if ended else now)
