"""A chat message whose text holds a NUL (JSON `\\u0000`) is accepted with 200, and then cannot
be stored on PostgreSQL (text columns refuse NUL bytes): the worker crashes on it, the event is
parked as failed and the message is missing from the room's log. The receiver must refuse such
a body (4xx) or the text be stored without the NUL — the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connector.features.outage.flows import on_ticket
from connector.store.schema import inbox
from tests.drive import post_telegram, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.telegram import StandInTelegram
from tests.test_outage_telegram import OUTAGES, OWNER, REQUEST, sevastopol


def test_a_message_with_a_nul_in_an_outage_topic_is_logged_or_refused(
        db_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
        standin_telegram: StandInTelegram) -> None:
    standin_mantis.add_issue(7, status="new", severity="crash", priority="immediate",
                             summary="Не открывается МИС", category="Массовый сбой")
    c, client = sevastopol(db_url, standin_gitlab, standin_mantis, standin_telegram)
    try:
        with c.engine.begin() as conn:
            on_ticket(c, conn, REQUEST)
        run_until_idle(c)
        [topic] = standin_telegram.topics(OUTAGES)
        update: dict[str, Any] = standin_telegram.message_update(
            OUTAGES, "Сервер БД\x00 перезагружен", thread_id=topic,
            from_user={"id": OWNER, "first_name": "Ответственный"})

        answer = post_telegram(client, update)
        run_until_idle(c)

        assert answer.status_code < 500
        with c.engine.connect() as conn:
            outcomes = [r.outcome for r in conn.execute(
                sa.select(inbox.c.outcome).where(inbox.c.status == "failed"))]
        assert outcomes == [], outcomes
    finally:
        c.engine.dispose()
