"""Reliability by the EMIAS method and the outages' shares, hand-counted: overlaps count once,
an outage is clipped to the period (across midnight, at its edges), one still open counts to
the period's end; stage durations against their norms; repeated outages."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from connector.features.reports.figures import (
    Outage,
    nearest_rank,
    outage_rows,
    reliability,
    repeated,
    services,
    stages,
    union_seconds,
)
from connector.features.reports.period import Period

MINSK = "Europe/Minsk"
SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 30), MINSK)  # 43,200 minutes
AFTER = datetime(2026, 11, 1, tzinfo=ZoneInfo(MINSK)).timestamp()  # "now", after the period
FINAL = frozenset({"closed"})


def at(text: str) -> float:
    return datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=ZoneInfo(MINSK)).timestamp()


def outage(ticket: str, service: str, start: str, end: str | None,
           stays: tuple[tuple[str, str], ...] = ()) -> Outage:
    return Outage(ticket=ticket, mapping="belarus-ehr", service=service, start=at(start),
                  start_source="stated", end=at(end) if end else None, declared_at=at(start),
                  room_at=None, stages=tuple((s, at(t)) for s, t in stays) or (
                      ("registered", at(start)),), final=FINAL)


def test_september_has_43200_minutes() -> None:
    assert SEPTEMBER.minutes == 43_200


@pytest.mark.parametrize(("intervals", "seconds"), [
    ([], 0),
    ([(0, 60)], 60),
    ([(0, 60), (30, 90)], 90),  # overlapping: once
    ([(0, 60), (60, 90)], 90),  # touching
    ([(0, 100), (10, 20), (30, 40)], 100),  # nested
    ([(50, 60), (0, 10)], 20),  # unordered
])
def test_overlaps_count_once(intervals: list[tuple[float, float]], seconds: float) -> None:
    assert union_seconds(intervals) == seconds


def test_two_services_down_at_once_count_once_and_each_keeps_its_share() -> None:
    a = outage("gitlab:1#23", "erp-api", "03.09.2026 10:00", "03.09.2026 11:00")
    b = outage("gitlab:1#24", "erp-pharmacy", "03.09.2026 10:30", "03.09.2026 12:00")
    found = reliability(SEPTEMBER, [a, b], AFTER, 98.5)
    assert found == {"percent": pytest.approx(100 * (1 - 120 / 43_200)),
                     "target_percent": 98.5, "outage_minutes": pytest.approx(120)}
    rows = {r["ticket"]: r for r in outage_rows(SEPTEMBER, [a, b], AFTER, str)}
    assert rows["gitlab:1#23"]["minutes"] == pytest.approx(60)
    assert rows["gitlab:1#23"]["unique_minutes"] == pytest.approx(30)  # 10:00–10:30
    assert rows["gitlab:1#24"]["unique_minutes"] == pytest.approx(60)  # 11:00–12:00
    assert rows["gitlab:1#23"]["share_pp"] == pytest.approx(60 / 43_200 * 100)
    assert rows["gitlab:1#24"]["share_pp"] == pytest.approx(90 / 43_200 * 100)


@pytest.mark.parametrize(("start", "end", "minutes"), [
    ("30.09.2026 23:30", "01.10.2026 00:30", 30),  # across midnight at the period's end
    ("31.08.2026 23:00", "01.09.2026 01:00", 60),  # begun before the period
    ("31.08.2026 20:00", "31.08.2026 23:00", None),  # over before it
    ("25.09.2026 12:00", None, 5 * 24 * 60 + 12 * 60),  # still open: to the period's end
])
def test_an_outage_is_clipped_to_the_period(start: str, end: str | None,
                                            minutes: float | None) -> None:
    rows = outage_rows(SEPTEMBER, [outage("mantis:1#7", "egisz-mis", start, end)], AFTER, str)
    assert [r["minutes"] for r in rows] == ([pytest.approx(minutes)] if minutes else [])


def test_an_outage_still_open_does_not_count_past_now() -> None:
    now = at("10.09.2026 12:00")
    open_one = outage("mantis:1#7", "egisz-mis", "10.09.2026 11:00", None)
    assert reliability(SEPTEMBER, [open_one], now, None)["outage_minutes"] == pytest.approx(60)


def test_the_emias_year_at_93_73_per_cent() -> None:
    """EMIAS's starting figure: 6.27 % of a year (2025: 525,600 minutes) with some service
    down — 1,977,307.2 seconds in all, one outage wholly inside another's (counted once)."""
    year = Period(date(2025, 1, 1), date(2025, 12, 31), MINSK)
    base = datetime(2025, 2, 1, tzinfo=ZoneInfo(MINSK)).timestamp()
    spans = [(base, base + 500_000), (base + 1e6, base + 1.5e6), (base + 2e6, base + 2.5e6),
             (base + 3e6, base + 3e6 + 477_307.2)]
    found = [Outage(f"gitlab:1#{i}", "belarus-ehr", "erp-api" if i % 2 else "erp-mis", a,
                    "stated", b, a, None, (("registered", a),), FINAL)
             for i, (a, b) in enumerate(spans)]
    found.append(Outage("gitlab:1#99", "belarus-ehr", "erp-pharmacy", base + 100, "alert",
                        base + 200, base, None, (("registered", base),), FINAL))  # inside
    assert year.minutes == 525_600
    assert reliability(year, found, base + 4e7, 98.5)["percent"] == pytest.approx(93.73)


def test_services_rank_the_weak_zones_first() -> None:
    found = [outage("a", "erp-api", "03.09.2026 10:00", "03.09.2026 11:00"),
             outage("b", "erp-mis", "04.09.2026 10:00", "04.09.2026 12:00"),
             outage("c", "erp-api", "05.09.2026 10:00", "05.09.2026 11:00")]
    rows = services(SEPTEMBER, found, {"erp-api": "API", "erp-mis": "МИС",
                                       "erp-pharmacy": "Аптеки"}, AFTER)
    assert [(r["service"], r["outage_minutes"], r["outages"]) for r in rows] == [
        ("erp-api", pytest.approx(120), 2), ("erp-mis", pytest.approx(120), 1),
        ("erp-pharmacy", 0, 0)]
    assert rows[2]["percent"] == 100


@pytest.mark.parametrize(("values", "percent", "rank"), [
    ([30, 31], 90, 31), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9),
    ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 90, 100), ([5], 90, 5)])
def test_p90_by_nearest_rank(values: list[float], percent: float, rank: float) -> None:
    assert nearest_rank(values, percent) == rank


def test_stages_against_their_norms() -> None:
    """Diagnosing's norm is 30 minutes (wall clock): 30 is not over it, 31 is."""
    one = outage("a", "erp-api", "03.09.2026 10:00", "03.09.2026 11:40", (
        ("registered", "03.09.2026 10:00"), ("diagnosing", "03.09.2026 10:10"),
        ("fixing", "03.09.2026 10:40"), ("restored", "03.09.2026 11:40"),
        ("closed", "03.09.2026 13:20")))
    two = outage("b", "erp-api", "04.09.2026 10:00", None, (
        ("registered", "04.09.2026 10:00"), ("diagnosing", "04.09.2026 10:05"),
        ("fixing", "04.09.2026 10:36")))
    found = stages([one, two], {("belarus-ehr", "diagnosing"): (30, lambda a, b: b - a)}, AFTER)
    assert found["diagnosing"] == {"count": 2, "median_minutes": 30.5, "p90_minutes": 31,
                                   "max_minutes": 31, "norm_minutes": 30, "over_norm": 1}
    assert found["registered"]["median_minutes"] == pytest.approx(7.5)
    assert found["fixing"]["count"] == 1  # the other still in it: no stay ended
    assert found["restored"]["max_minutes"] == pytest.approx(100)
    assert "closed" not in found  # a final stage is no stay
    assert found["fixing"]["norm_minutes"] is None and found["fixing"]["over_norm"] is None


def test_a_service_failing_again_within_the_days_is_repeated() -> None:
    found = [outage("a", "erp-api", "03.09.2026 10:00", "03.09.2026 11:00"),
             outage("b", "erp-api", "20.09.2026 10:00", "20.09.2026 11:00"),
             outage("c", "erp-mis", "01.09.2026 10:00", "01.09.2026 11:00"),
             outage("d", "erp-mis", "29.09.2026 10:00", "29.09.2026 11:00")]
    assert repeated(found, 14) == []
    assert repeated(found, 30) == [{"service": "erp-api", "outages": ["a", "b"]},
                                   {"service": "erp-mis", "outages": ["c", "d"]}]
    assert repeated(found, 20) == [{"service": "erp-api", "outages": ["a", "b"]}]


@pytest.mark.parametrize(("intervals", "alone"), [
    ([(0, 60), (30, 90)], [30, 30]),
    ([(0, 100), (10, 20), (30, 40)], [80, 0, 0]),  # nested: the inner ones cover nothing alone
    ([(0, 60), (60, 90)], [60, 30]),  # touching
    ([(0, 10), (0, 10)], [0, 0]),  # the same span twice
    ([(0, 50), (10, 60), (20, 30)], [10, 10, 0]),
])
def test_the_minutes_only_one_outage_covered(intervals: list[tuple[float, float]],
                                             alone: list[float]) -> None:
    from connector.features.reports.figures import alone_seconds
    assert alone_seconds(intervals) == alone
