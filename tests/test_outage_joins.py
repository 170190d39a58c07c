"""Join requests to outage rooms (EMIAS's verification bot, seed 000): the decision is taken as
before — a responder of a service with an open outage is let in, anyone else is not — and it is
written where the request was made, once. A request to the outage supergroup (topic mode) is
made to no single outage: a person let in is recorded on the outages of the services they
answer for, and a stranger on none (a log line only). A request to a pool room is made where
its one outage is, and recorded there."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from connector.core import Connector
from connector.features.outage import store as outages
from connector.store.db import reading
from tests.drive import post_telegram, run_until_idle
from tests.mantis_hooks import delivery
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.telegram import StandInTelegram
from tests.test_outage_telegram import DUTY, OUTAGES, POOL, STRANGER, sevastopol, sevastopol_pool

BELARUS_DUTY = 100000001  # catalog `duty`: on duty for the e-prescription services only
FIVE_OPEN = [("mantis:1#7", "sevastopol-miac", "egisz-mis"),
             ("mantis:1#8", "sevastopol-miac", "egisz-mis"),
             ("mantis:1#9", "sevastopol-miac", "egisz-mis"),
             ("gitlab:1#23", "belarus-ehr", "erp-api"),
             ("gitlab:1#24", "belarus-ehr", "erp-pharmacy")]


@pytest.fixture
def five_open(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
              standin_telegram: StandInTelegram
              ) -> Iterator[tuple[Connector, FlaskClient, list[int]]]:
    """Topic mode with five open outages: three of the МИС, two of the e-prescription."""
    c, client = sevastopol(sqlite_url, standin_gitlab, standin_mantis, standin_telegram)
    with c.engine.begin() as conn:
        ids = [outages.declare(conn, ticket, mapping, service, "registered")
               for ticket, mapping, service in FIVE_OPEN]
    yield c, client, [i for i in ids if i is not None]
    c.engine.dispose()


def ask(client: FlaskClient, c: Connector, tg: StandInTelegram, chat_id: int, user: int) -> None:
    update = tg.join_request_update(chat_id, {"id": user, "first_name": f"user{user}"})
    assert post_telegram(client, update).status_code == 200
    run_until_idle(c)


def joins(c: Connector, outage_ids: list[int]) -> list[list[tuple[str, bool]]]:
    """Each outage's join entries: (user id, approved)."""
    with reading(c.engine) as conn:
        return [[(e["user"], e["approved"]) for e in outages.timeline(conn, i)
                 if e["kind"] == "join"] for i in outage_ids]


@pytest.mark.parametrize(("user", "approved", "recorded_on"), [
    pytest.param(STRANGER, False, [], id="a stranger: on no outage"),
    pytest.param(DUTY, True, [0, 1, 2], id="МИАЦ duty: on the МИС outages"),
    pytest.param(BELARUS_DUTY, True, [3, 4], id="e-prescription duty: on theirs"),
])
def test_a_request_to_the_outages_forum_is_recorded_once_on_the_persons_outages_only(
        five_open: tuple[Connector, FlaskClient, list[int]], standin_telegram: StandInTelegram,
        caplog: pytest.LogCaptureFixture, user: int, approved: bool,
        recorded_on: list[int]) -> None:
    c, client, ids = five_open

    with caplog.at_level(logging.INFO, logger="connector.features.outage.joins"):
        ask(client, c, standin_telegram, OUTAGES, user)

    answered = "approveChatJoinRequest" if approved else "declineChatJoinRequest"
    assert [r.params["user_id"] for r in standin_telegram.calls(answered)] == [str(user)]
    assert joins(c, ids) == [[(str(user), approved)] if n in recorded_on else []
                             for n in range(len(ids))]
    declined = [r.getMessage() for r in caplog.records if "declined" in r.getMessage()]
    if approved:
        assert declined == []
    else:
        [line] = declined
        assert str(user) in line and str(OUTAGES) in line and "\n" not in line
        assert standin_telegram.token not in line


@pytest.fixture
def two_rooms(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
              standin_telegram: StandInTelegram) -> Iterator[tuple[Connector, FlaskClient]]:
    """Pool mode: outages 7 and 8 each in a supergroup of their own."""
    c, client = sevastopol_pool(sqlite_url, standin_gitlab, standin_mantis, standin_telegram)
    for iid in (7, 8):
        headers, body = delivery("issue_reported", standin_mantis.issue(iid))
        assert client.post("/webhooks/mantis", data=body, headers=headers).status_code == 200
    run_until_idle(c)
    yield c, client
    c.engine.dispose()


@pytest.mark.parametrize(("user", "approved"), [
    pytest.param(DUTY, True, id="МИАЦ duty let in"), pytest.param(STRANGER, False, id="stranger")])
def test_a_request_to_a_pool_room_is_recorded_once_on_that_rooms_outage(
        two_rooms: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram, user: int,
        approved: bool) -> None:
    c, client = two_rooms

    ask(client, c, standin_telegram, POOL[1], user)

    with reading(c.engine) as conn:
        rows = [outages.by_ticket(conn, f"mantis:1#{iid}") for iid in (7, 8)]
    assert joins(c, [r.id for r in rows if r is not None]) == [[], [(str(user), approved)]]
