"""Outage rooms are private (issue 20 item 5) in a Telegram forum: one supergroup, a topic per
outage, and topics have no members of their own — so the people an outage let in leave the
forum when it closes (banChatMember, then unbanChatMember with only_if_banned: a later outage's
link lets them back in), through the outbox, once. They stay while another open outage in the
forum needs them (and leave with the last of those), and the forum's own people stay: members
from before any outage (never let in by one) and the chat's configured `forum_members`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from connector.core import Connector
from connector.store.db import reading
from connector.store.schema import outbox, room_admissions
from tests.drive import post_telegram, run_until_idle
from tests.mantis_hooks import delivery
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.telegram import StandInTelegram
from tests.test_outage_telegram import CONCLUSION, DUTY, OUTAGES, OWNER, close_as, sevastopol

L1 = 100000013  # sev-l1: configured as one of the forum's own people
OLD = 777  # a member of the forum before any outage
OTHER = 8  # a second request in the outage category (same service: the same responders)


@pytest.fixture
def world(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
          standin_telegram: StandInTelegram) -> Iterator[tuple[Connector, FlaskClient]]:
    standin_mantis.add_user("sev-owner", 31)
    for iid in (7, OTHER):
        standin_mantis.add_issue(iid, status="new", severity="crash", priority="immediate",
                                 summary=f"Не открывается МИС ({iid})", category="Массовый сбой")
    c, client = sevastopol(sqlite_url, standin_gitlab, standin_mantis, standin_telegram,
                           forum_members=[L1])
    standin_telegram.add_member(OUTAGES, OLD)
    yield c, client
    c.engine.dispose()


def declare(c: Connector, client: FlaskClient, mantis: StandInMantis, iid: int) -> None:
    headers, body = delivery("issue_reported", mantis.issue(iid))
    assert client.post("/webhooks/mantis", data=body, headers=headers).status_code == 200
    run_until_idle(c)


def join(c: Connector, client: FlaskClient, tg: StandInTelegram, *users: int) -> None:
    for user in users:
        update = tg.join_request_update(OUTAGES, {"id": user, "first_name": f"u{user}"})
        assert post_telegram(client, update).status_code == 200
    run_until_idle(c)


def topic_of(tg: StandInTelegram, iid: int) -> int:
    return next(t for t, v in tg.topics(OUTAGES).items() if v["name"].startswith(
        f"egisz-mis-{iid}-"))


def close(c: Connector, client: FlaskClient, tg: StandInTelegram, iid: int) -> None:
    """Restored, concluded question by question and closed with a comment, in its topic."""
    topic = topic_of(tg, iid)

    def status() -> dict[str, Any]:
        return next(m for m in tg.messages(OUTAGES, topic) if m["message_id"] in
                    tg.pinned(OUTAGES))

    def answer_last(text: str) -> None:
        question = tg.messages(OUTAGES)[-1]
        update = tg.reply_update(OUTAGES, question["message_id"], text,
                                 from_user={"id": OWNER, "first_name": "О"})
        assert post_telegram(client, update).status_code == 200
        run_until_idle(c)

    for label, user in (("→ Диагностика", DUTY), ("→ Восстановлено", OWNER),
                        ("📝 Заключение", OWNER)):
        close_as(c, client, tg, OUTAGES, status(), label, user)
    for text in CONCLUSION:
        answer_last(text)
    close_as(c, client, tg, OUTAGES, status(), "Закрыть с комментарием", OWNER)
    answer_last("Компонент работает у всех МО")
    assert tg.topics(OUTAGES)[topic]["closed"] is True


def kicked(tg: StandInTelegram) -> list[tuple[str, str]]:
    return [(r.method, r.params["user_id"]) for r in tg.recorded
            if r.ok and r.method in ("banChatMember", "unbanChatMember")]


def test_item_5_the_people_let_in_for_an_outage_leave_the_forum_when_it_closes(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = world
    declare(c, client, standin_mantis, 7)
    join(c, client, standin_telegram, DUTY, OWNER, L1)
    assert {u: standin_telegram.members(OUTAGES)[u] for u in (DUTY, OWNER, L1, OLD)} == {
        DUTY: "member", OWNER: "member", L1: "member", OLD: "member"}

    close(c, client, standin_telegram, 7)

    members = standin_telegram.members(OUTAGES)
    assert (members[DUTY], members[OWNER]) == ("left", "left")  # out, free to come back
    assert (members[L1], members[OLD]) == ("member", "member")  # the forum's own people
    assert kicked(standin_telegram) == [("banChatMember", str(DUTY)),
                                        ("unbanChatMember", str(DUTY)),
                                        ("banChatMember", str(OWNER)),
                                        ("unbanChatMember", str(OWNER))]
    unban = [r for r in standin_telegram.calls("unbanChatMember")]
    assert all(r.params["only_if_banned"] in ("true", "True") for r in unban)
    with reading(c.engine) as conn:
        keys = [k for k, in conn.execute(select(outbox.c.idempotency_key).where(
            outbox.c.kind == "remove_member"))]
    assert len(keys) == len(set(keys)) == 2

    join(c, client, standin_telegram, DUTY)  # closed: no open outage lets them in again
    assert standin_telegram.members(OUTAGES)[DUTY] == "left"


def test_item_5_someone_another_open_outage_needs_stays_and_leaves_with_the_last_of_them(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = world
    declare(c, client, standin_mantis, 7)
    join(c, client, standin_telegram, DUTY)  # let in while only #7 is open
    declare(c, client, standin_mantis, OTHER)  # the same service: DUTY is its responder too

    close(c, client, standin_telegram, 7)
    assert standin_telegram.members(OUTAGES)[DUTY] == "member"  # #8 still needs them
    assert kicked(standin_telegram) == []
    with reading(c.engine) as conn:
        held = sorted(conn.execute(select(room_admissions.c.ticket).where(
            room_admissions.c.user_id == str(DUTY), room_admissions.c.removed_at.is_(None)))
            .scalars())
    assert held == ["mantis:1#7", f"mantis:1#{OTHER}"]

    close(c, client, standin_telegram, OTHER)
    assert standin_telegram.members(OUTAGES)[DUTY] == "left"
    assert kicked(standin_telegram) == [("banChatMember", str(DUTY)),
                                        ("unbanChatMember", str(DUTY))]


def test_item_5_an_administrator_the_bot_cannot_remove_stays_and_nothing_fails(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    """Telegram refuses to ban an administrator («user is an administrator of the chat»): the
    log says so, the outbox does not keep failing."""
    c, client = world
    declare(c, client, standin_mantis, 7)
    join(c, client, standin_telegram, OWNER)
    standin_telegram.add_member(OUTAGES, OWNER, "administrator")  # made admin meanwhile

    close(c, client, standin_telegram, 7)
    assert standin_telegram.members(OUTAGES)[OWNER] == "administrator"
    with reading(c.engine) as conn:
        states = [s for s, in conn.execute(select(outbox.c.status).where(
            outbox.c.kind == "remove_member"))]
    assert states == ["done"]
