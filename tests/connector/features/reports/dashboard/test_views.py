"""What the page shows, for the head of support: the reliability against the target, day by
day; a 90-day bar per service coloured by each day's outage minutes; the outages with their
shares; stages against their norms; open problems with their outages; SLA compliance; the
request flow — in Russian by default, English with ?lang=en, every word from templates.yml,
nothing fetched from elsewhere."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from connector.core import Connector
from connector.features.reports.dashboard import drawing
from tests.dashboard import Marked

SECTIONS = ("headline", "daily", "services", "outages", "stages", "problems", "sla",
            "requests")
MARCH = "from=2026-03-01&to=2026-03-20"


def page_of(reader: FlaskClient, query: str = MARCH) -> str:
    answer = reader.get(f"/dashboard?{query}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def row_of(page: str, ticket_or_title: str) -> str:
    """The table row naming it."""
    found = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(ticket_or_title)}(?:(?!</tr>).)*"
                      rf"</tr>", page, re.S)
    assert found, f"no row of {ticket_or_title}"
    return found[0]


def test_the_page_is_russian_by_default_and_english_when_asked(reader: FlaskClient) -> None:
    ru, en = page_of(reader), page_of(reader, f"{MARCH}&lang=en")
    assert '<html lang="ru">' in ru and "Надёжность и работа поддержки" in ru
    assert '<html lang="en">' in en and "Reliability and support" in en
    for english in ("Reliability", "Sign out", "Outages", "Show", "All services"):
        assert english not in ru
    assert 'href="?from=2026-03-01&amp;to=2026-03-20&amp;lang=en">Английская версия' in ru


def test_a_number_reads_as_its_language_writes_it(reader: FlaskClient) -> None:
    ru, en = page_of(reader), page_of(reader, f"{MARCH}&lang=en")
    percent = float(Marked(ru).by_id["reliability"]["percent"])
    assert f"Надёжность {percent:.2f} %".replace(".", ",") in ru
    assert f"{percent:.2f} %" in en


def test_every_section_is_drawn_and_nothing_comes_from_elsewhere(reader: FlaskClient) -> None:
    answer = reader.get(f"/dashboard?{MARCH}")
    page = answer.get_data(as_text=True)
    for section in SECTIONS:
        assert f'<section id="{section}">' in page
    assert not re.search(r"""(?:src|href|action)=["'](?:https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_headline_is_the_reliability_against_the_target(reader: FlaskClient) -> None:
    page = page_of(reader)
    # 90 minutes on the 5th, 120 across the 9th, the open outage since 18.03 10:00 to now
    lost = 90 + 120 + (2 * 1440 + 120)
    percent = 100 * (1 - lost / (20 * 1440))
    marked = Marked(page).by_id["reliability"]
    assert float(marked["minutes"]) == pytest.approx(lost)
    assert float(marked["percent"]) == pytest.approx(percent)
    assert 'class="percent below"' in page  # 88,85 % is under 98,5 %
    assert "цель — 98,5 %" in page


def test_each_day_is_a_bar_against_the_dashed_target(reader: FlaskClient) -> None:
    daily = re.search(r'<section id="daily">.*?</section>', page_of(reader), re.S)
    assert daily
    bars = re.findall(r'fill="(#[0-9a-f]{6})"><title>([^<]*)</title>', daily[0])
    assert len(bars) == 20
    assert bars[4] == (drawing.RED, "05.03.2026: 93,75 %")  # 90 of 1,440 minutes
    assert bars[0] == (drawing.GREEN, "01.03.2026: 100,00 %")
    assert 'class="target"' in daily[0] and "stroke-dasharray" in daily[0]


def test_each_service_has_90_days_coloured_by_their_outage_minutes(
        reader: FlaskClient) -> None:
    page = page_of(reader)
    assert "Сервисы за 90 дней, 21.12.2025 — 20.03.2026" in page
    api = row_of(page, "АИС «Электронный рецепт» — API")
    days = dict((title, colour) for colour, title in re.findall(
        r'fill="(#[0-9a-f]{6})"><title>([^<]*)</title>', api))
    assert days == {"05.03.2026: сбои 50 мин": drawing.ORANGE,
                    "18.03.2026: сбои 840 мин": drawing.RED,
                    "19.03.2026: сбои 1\u00a0440 мин": drawing.RED,
                    "20.03.2026: сбои 720 мин": drawing.RED}
    assert 'viewBox="0 0 450 20"' in api  # 90 days
    night = row_of(page, "gitlab:1#3")
    assert "09.03.2026 23:00" in night and "10.03.2026 01:00" in night


@pytest.mark.parametrize(("severity_minutes", "colour"), [
    (0, drawing.GREEN), (1, drawing.YELLOW), (30, drawing.YELLOW), (31, drawing.ORANGE),
    (240, drawing.ORANGE), (241, drawing.RED), (1440, drawing.RED)])
def test_a_day_s_colour_is_by_its_outage_minutes(severity_minutes: float, colour: str) -> None:
    assert drawing.severity(severity_minutes) == colour


def test_the_weak_zones_come_first(reader: FlaskClient) -> None:
    services = Marked(page_of(reader)).by_class["service"]
    assert [s["service"] for s in services[:3]] == ["erp-api", "erp-pharmacy", "erp-mis"]
    assert float(services[0]["minutes"]) == pytest.approx(50 + 2 * 1440 + 120)


def test_each_outage_shows_its_share(reader: FlaskClient) -> None:
    page = page_of(reader)
    outages = {o["ticket"]: o for o in Marked(page).by_class["outage"]}
    assert float(outages["gitlab:1#1"]["share"]) == pytest.approx(50 / (20 * 1440) * 100)
    row = row_of(page, "gitlab:1#1")
    assert ">0,174<" in row  # 50 of 28,800 minutes, in percentage points
    assert "не восстановлен" in row_of(page, "gitlab:1#4")


def test_stages_stand_against_their_norms(reader: FlaskClient) -> None:
    page = page_of(reader)
    stages = {s["stage"]: s for s in Marked(page).by_class["stage"]}
    assert stages["diagnosing"]["count"] == "4"  # each left «Диагностика» once
    row = row_of(page, "Диагностика")
    assert ">30<" in row  # Belarus's norm, minutes
    assert f'fill="{drawing.RED}"' in row  # the norm's mark on the meter


def test_open_problems_are_listed_with_their_outages(reader: FlaskClient) -> None:
    page = page_of(reader)
    assert [p["ticket"] for p in Marked(page).by_class["problem"]] == ["gitlab:1#9"]
    assert "gitlab:1#1" in row_of(page, "gitlab:1#9")


def test_the_request_flow_is_counted_by_day(reader: FlaskClient, c: Connector) -> None:
    page = page_of(reader)
    assert Marked(page).by_id["requests-total"]["count"] == "3"
    requests = re.search(r'<section id="requests">.*?</section>', page, re.S)
    assert requests and "05.03.2026: обращений 2" in requests[0]
    assert "16.03.2026: обращений 1" in requests[0]
