"""The dashboard's filters are query parameters — `from`, `to` (whole days in the regulation's
zone), `service`, `regulation` — the last 30 days by default; a value that is no filter is a
400 with the page and one line saying why, never a 5xx."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from tests.dashboard import Marked, problem_line

DAY = 1440


def shown(reader: FlaskClient, query: str) -> tuple[str, str, Marked]:
    answer = reader.get(f"/dashboard?{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    page = answer.get_data(as_text=True)
    first = re.search(r'name="from" id="from" value="([^"]*)"', page)
    last = re.search(r'name="to" id="to" value="([^"]*)"', page)
    assert first and last
    return first[1], last[1], Marked(page)


def test_by_default_the_last_30_days_up_to_today(reader: FlaskClient) -> None:
    first, last, page = shown(reader, "")
    assert (first, last) == ("2026-02-19", "2026-03-20")
    assert float(page.by_id["reliability"]["minutes"]) > 0


@pytest.mark.parametrize(("query", "first", "last"), [
    ("from=2026-03-01", "2026-03-01", "2026-03-30"),
    ("to=2026-03-10", "2026-02-09", "2026-03-10"),
    ("from=2026-03-05&to=2026-03-05", "2026-03-05", "2026-03-05"),
])
def test_one_end_given_the_period_is_30_days_from_it(reader: FlaskClient, query: str,
                                                     first: str, last: str) -> None:
    assert shown(reader, query)[:2] == (first, last)


@pytest.mark.parametrize(("query", "minutes", "tickets"), [
    # 11:00–11:50 on erp-api and 11:30–12:30 on erp-mis: 11:00–12:30 once
    ("from=2026-03-05&to=2026-03-05", 90, ["gitlab:1#2", "gitlab:1#1"]),
    ("from=2026-03-05&to=2026-03-05&service=erp-api", 50, ["gitlab:1#1"]),
    # 23:00–01:00 across midnight: an hour on each day
    ("from=2026-03-10&to=2026-03-10", 60, ["gitlab:1#3"]),
    ("from=2026-03-06&to=2026-03-08", 0, []),
    ("from=2026-03-05&to=2026-03-05&regulation=sevastopol-miac", 0, []),
])
def test_the_filters_change_the_figures(reader: FlaskClient, query: str, minutes: float,
                                        tickets: list[str]) -> None:
    first, last, page = shown(reader, query)
    days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    assert float(page.by_id["reliability"]["minutes"]) == pytest.approx(minutes)
    assert float(page.by_id["reliability"]["percent"]) == pytest.approx(
        100 * (1 - minutes / (days * DAY)))
    assert [o["ticket"] for o in page.by_class.get("outage", [])] == tickets


@pytest.mark.parametrize(("query", "said"), [
    ("from=yesterday", "«yesterday» — не дата (пишите ГГГГ-ММ-ДД)."),
    ("to=2026-02-30", "«2026-02-30» — не дата (пишите ГГГГ-ММ-ДД)."),
    ("from=1999-12-31", "«1999-12-31» — не дата (пишите ГГГГ-ММ-ДД)."),
    ("from=2026-03-10&to=2026-03-01",
     "Период кончается (01.03.2026) раньше, чем начинается (10.03.2026)."),
    ("from=2020-01-01&to=2026-03-01", "Период длиннее 731 дней — выберите короче."),
    ("service=nope", "Сервиса «nope» нет в каталоге."),
    ("regulation=nope", "Регламента «nope» нет."),
    ("from=%3Cscript%3E", "«&lt;script&gt;» — не дата (пишите ГГГГ-ММ-ДД)."),
    ("from=2026-03-10&to=2026-03-01&lang=en",
     "The period ends (2026-03-01) before it starts (2026-03-10)."),
])
def test_a_value_that_is_no_filter_is_a_400_with_one_line(reader: FlaskClient, query: str,
                                                          said: str) -> None:
    answer = reader.get(f"/dashboard?{query}")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert problem_line(page) == said
    assert 'id="reliability"' not in page
    assert 'id="filters"' in page  # the form, to correct it
