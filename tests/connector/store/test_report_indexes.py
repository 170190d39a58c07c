"""The report counts SLA clocks and requests from their indexes alone (migration 0011): the
migrated store has the indexes schema.py declares, and SQLite reads a year from them without
touching the tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Table, inspect, text

from connector.core import Connector
from connector.features.reports import source
from connector.features.reports.period import Period
from connector.features.reports.source import Scope
from connector.store.schema import requests, sla_clocks

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31), "Europe/Minsk")


@pytest.mark.parametrize("table", [sla_clocks, requests])
def test_the_migrated_store_has_the_declared_indexes(
        db_url: str, make_connector: Callable[..., Connector], table: Table) -> None:
    c = make_connector(db_url)
    found = {i["name"]: i["column_names"] for i in inspect(c.engine).get_indexes(table.name)
             if not i.get("duplicates_constraint")}  # PostgreSQL's of a unique constraint
    declared = {i.name: [col.name for col in i.columns] for i in table.indexes}
    assert found == declared


def test_sqlite_counts_a_year_from_the_indexes_alone(
        sqlite_url: str, make_connector: Callable[..., Connector]) -> None:
    c = make_connector(sqlite_url)
    with c.engine.connect() as conn:
        plans = []
        for query in (source.clock_query(conn, YEAR, Scope()),
                      source.request_query(conn, YEAR, Scope())):
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            plans.append(" ".join(row[3] for row in conn.execute(
                text(f"EXPLAIN QUERY PLAN {sql}"))))
    assert "COVERING INDEX ix_sla_clocks_counted" in plans[0]
    assert "COVERING INDEX ix_requests_counted" in plans[1]
