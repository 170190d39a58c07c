"""Clocks stored before the ticket's history was shared (migration 0009) go on as they were:
each policy's own observations become the ticket's, the rows of policies never started go,
`sla show` says what it said, a late event finds what an idle policy saw, and a downgrade gives
the rows back. The rows are those the code of issue 17 item 9 stored (tests/fixtures/sla)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, insert, select

from connector.clock import FakeClock
from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.sla import store
from connector.features.sla.commands import describe
from connector.features.sla.flows import on_ticket
from connector.store.db import MIGRATIONS, make_engine
from connector.store.schema import sla_clocks
from tests.conftest import REPO
from tests.connector.features.sla.label_clocks import label_clock_mappings

FIXTURES = REPO / "tests" / "fixtures" / "sla"
STORED: list[dict[str, Any]] = json.loads((FIXTURES / "clocks_0008.json").read_text("utf-8"))
MINSK = ZoneInfo("Europe/Minsk")
NOON = datetime(2026, 3, 6, 12, 0, tzinfo=MINSK).timestamp()  # when shown_0008.txt was printed


def minsk(hour: int, minute: int) -> str:
    return datetime(2026, 3, 6, hour, minute, tzinfo=MINSK).astimezone(
        ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A store at migration 0008 holding the rows the code before 0009 wrote."""
    engine = make_engine(db_url)
    migrate(engine, "0008")
    with engine.begin() as conn:
        conn.execute(insert(sla_clocks), [
            {**row, "clock": json.dumps(row["clock"]), "ordering_key": f"{row['ticket']}|"
             f"{row['policy']}", "attempts": 0, "updated_at": NOON} for row in STORED])
    yield engine
    engine.dispose()


@pytest.fixture
def upgraded(engine: Engine, db_url: str, tmp_path: Path,
             make_connector: Callable[..., Connector]) -> Connector:
    """The connector started on that store (it migrates to the newest revision), with the
    label-started policies those rows belong to."""
    return make_connector(db_url, clock=FakeClock(NOON),
                          mappings_dir=label_clock_mappings(tmp_path / "mappings"))


def rows(engine: Engine) -> dict[tuple[str, str], Any]:
    """The clock rows by ticket and policy (the columns every revision since 0008 has)."""
    c = sla_clocks.c
    with engine.connect() as conn:
        return {(r.ticket, r.policy): r for r in conn.execute(select(
            c.ticket, c.policy, c.clock, c.state, c.level, c.status, c.due_at))}


def test_only_started_clocks_keep_a_row_and_each_ticket_its_history(
        engine: Engine, upgraded: Connector) -> None:
    assert sorted(rows(engine)) == [
        ("gitlab:1#23", "outage_diagnosing"), ("gitlab:1#23", "outage_fixing"),
        ("gitlab:1#23", "triage"), ("gitlab:1#23", "~"),
        ("gitlab:1#24", "outage_diagnosing"), ("gitlab:1#24", "triage"), ("gitlab:1#24", "~"),
        ("gitlab:1#25", "triage")]
    for (ticket, policy), row in rows(engine).items():
        assert "seen" not in json.loads(row.clock) or policy == "~", (ticket, policy)


def test_sla_show_says_what_it_said_before_the_upgrade(
        engine: Engine, upgraded: Connector) -> None:
    with upgraded.engine.connect() as conn:
        shown = [describe(upgraded, row, store.history_of(conn, row.ticket))
                 for ticket in ("gitlab:1#23", "gitlab:1#24")
                 for row in store.find(conn, "gitlab", ticket)]

    assert "\n---\n".join(shown) + "\n---" == (FIXTURES / "shown_0008.txt").read_text("utf-8")


FIXING = ("API", "Сбой: устранение")
TICKET_24 = [(minsk(10, 0), ("API",)), (minsk(10, 30), ("API", "Сбой: диагностика"))]


def run_of(c: Connector, ticket: str) -> dict[str, tuple[object, ...]]:
    """Every policy's run and observations (tracker times and conditions)."""
    with c.engine.connect() as conn:
        stored = store.load(conn, ticket)
    runs = {}
    for policy in c.mappings.get("belarus-ehr").sla:
        k = stored.clock(policy.name)
        runs[policy.name] = (k.state, k.started_at, k.pauses, k.stopped_at,
                             [(o.at, o.held) for o in k.seen])
    return runs


def deliver(c: Connector, key: str, at: str, labels: tuple[str, ...]) -> None:
    with c.engine.begin() as conn:
        on_ticket(c, conn, TicketEvent(TicketRef("gitlab", "1", key), "ticket", "update", "",
                                       state="opened", labels=labels, updated_at=at))


def test_a_late_event_finds_what_a_policy_never_started_had_seen(
        upgraded: Connector, tmp_path: Path, make_connector: Callable[..., Connector]) -> None:
    """#24's outage_fixing was idle with two observations (its row goes): the fixing stage
    delivered late, at 09:50, is stopped by the 10:00 change it had seen."""
    deliver(upgraded, "24", minsk(9, 50), FIXING)

    fresh = make_connector(f"sqlite:///{tmp_path}/fresh.db", clock=FakeClock(NOON),
                           mappings_dir=tmp_path / "mappings")
    for at, labels in [(minsk(9, 50), FIXING), *TICKET_24]:
        deliver(fresh, "24", at, labels)
    after = run_of(upgraded, "gitlab:1#24")
    assert after["outage_fixing"][:4] == ("met", datetime.fromisoformat(
        "2026-03-06T09:50:00+03:00").timestamp(), [], datetime.fromisoformat(
        "2026-03-06T10:00:00+03:00").timestamp())
    assert after == run_of(fresh, "gitlab:1#24")


def test_a_clock_stored_before_history_was_kept_goes_on_from_where_it_stood(
        engine: Engine, upgraded: Connector) -> None:
    """#25's triage, running since 10:00, its breach fired: triaged at 11:00."""
    deliver(upgraded, "25", minsk(9, 0), ("API", "Priority: High"))  # before what it knew
    assert run_of(upgraded, "gitlab:1#25")["triage"][:4] == ("running", NOON - 2 * 3600, [],
                                                             None)
    with upgraded.engine.begin() as conn:
        on_ticket(upgraded, conn, TicketEvent(
            TicketRef("gitlab", "1", "25"), "ticket", "update", "", state="opened",
            labels=("API", "Priority: High"), assignees=("ivanova",), updated_at=minsk(11, 0)))

    with upgraded.engine.connect() as conn:
        [row] = store.find(conn, "gitlab", "25")
        text = describe(upgraded, row, store.history_of(conn, row.ticket))
    assert "state: met; started 06.03.2026 10:00" in text and "fired: 100%" in text
    assert "before that: the clock as stored up to 06.03.2026 10:00 UTC+3, before history " \
        "was kept" in text


def test_a_downgrade_gives_the_rows_back(engine: Engine, upgraded: Connector) -> None:
    migrate(engine, "0008", down=True)

    def as_stored(clock: dict[str, Any]) -> dict[str, Any]:
        base = clock.get("base")
        if base and base["clock"]:  # a base's run is kept without a history of its own
            base = {**base, "clock": {k: v for k, v in base["clock"].items()
                                      if k not in ("seen", "base")}}
        return {**clock, "base": base}

    back = rows(engine)
    for row in STORED[:-1]:  # #25: it keeps the base its state gave it
        assert as_stored(json.loads(back[(row["ticket"], row["policy"])].clock)) == \
            as_stored(row["clock"]), (row["ticket"], row["policy"])
        assert back[(row["ticket"], row["policy"])].state == row["state"]
    assert len(back) == len(STORED)
