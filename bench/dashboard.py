"""Benchmark of the dashboard's first page (issue 19: under 1 s), beside the report it draws,
built in the same run over the same history.

    .venv/bin/python -m bench.dashboard [--outages 5000] [--services 300] [--inbox 1000000]
                                        [--store URL] [--repeat 5]

The history of bench.reliability (a year, 2025, of outages over the catalog's services with
their timelines, a year of request flow with its SLA clocks, the inbox events). Measured, for
the last 30 days of the year and for the whole year: `report.build` (every figure), and the
page a signed-in reader gets — GET /dashboard?from=…&to=… through the real app (the
session checked, the report built, the daily charts and the 90-day bars drawn, the HTML
rendered) — and their ratio.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from datetime import date
from functools import partial
from pathlib import Path

from flask.testing import FlaskClient

from bench.reliability import (
    NOW,
    ZONE,
    arguments,
    fill_flow,
    fill_outages,
    history_config,
    timed,
)
from connector.clock import FakeClock
from connector.core import Connector
from connector.features.reports.dashboard import users
from connector.features.reports.dashboard.passwords import hash_password
from connector.features.reports.period import Period
from connector.features.reports.report import build
from connector.features.reports.source import Scope
from webhooks.app import create_app

NAME, PASSWORD = "head", "bench-password"
PERIODS = {"30 days": Period(date(2025, 12, 2), date(2025, 12, 31), ZONE),
           "the year": Period(date(2025, 1, 1), date(2025, 12, 31), ZONE)}


def signed_in(client: FlaskClient, c: Connector) -> None:
    """A user, logged in through the form: the client keeps the session cookie."""
    with c.engine.begin() as conn:
        users.add(conn, NAME, hash_password(PASSWORD))
    form = client.get("/dashboard/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token is not None, "the login form carries no token"
    answer = client.post("/dashboard/login", data={"csrf": token[1], "name": NAME,
                                                   "password": PASSWORD})
    assert answer.status_code == 303, f"login refused: {answer.status_code}"


def page(client: FlaskClient, period: Period) -> int:
    answer = client.get(f"/dashboard?from={period.first}&to={period.last}")
    assert answer.status_code == 200, f"the page answered {answer.status_code}"
    return len(answer.data)


def main() -> None:
    o = arguments(__doc__).parse_args()
    rows: list[tuple[str, float, float, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = o.store or f"sqlite:///{tmp}/dashboard.db"
        config = history_config(url, o.services, Path(tmp))
        app = create_app(config, start_worker=False, setup_logs=False, clock=FakeClock(NOW))
        c: Connector = app.extensions["helpdesk_connector"].connector
        began = time.perf_counter()
        fill_outages(c, o.outages)
        fill_flow(c, o.inbox, 100_000)
        filled = time.perf_counter() - began
        client = app.test_client()
        signed_in(client, c)
        for name, period in PERIODS.items():
            began = time.perf_counter()  # the first page of the period: nothing cached
            size = page(client, period)
            first = time.perf_counter() - began
            report = timed(partial(build, c, period, Scope()), o.repeat)
            pages = timed(partial(page, client, period), o.repeat)
            rows.append((name, statistics.median(report), statistics.median(pages), first,
                         size))
        c.engine.dispose()
    print(f"filled in {filled:.1f} s: {o.outages} outages over {o.services} services, "
          f"{o.inbox} inbox events; store {url.split(':')[0]}")
    print("| period | report.build (s) | page (s) | ratio | a first page (s) | HTML (KiB) "
          "| target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, built, shown, first, size in rows:
        print(f"| {name}, median of {o.repeat} | {built:.3f} | {shown:.3f} | "
              f"{shown / built:.2f}× | {first:.3f} | {size / 1024:,.0f} | page < 1 s |")


if __name__ == "__main__":
    main()
