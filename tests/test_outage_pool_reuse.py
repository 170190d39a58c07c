"""One Telegram pool room, two outages in turn: when outage A closes its supergroup goes back to
the pool and outage G takes it. From then on everything said or pressed in that room is G's —
on G's ticket and timeline, answered in G's room — and nothing reaches A's closed ticket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from connector.assembly import build_connector
from connector.config import Config
from connector.core import Connector
from connector.features.outage import store as outages
from connector.store.db import reading
from tests.conftest import config_data
from tests.drive import post_telegram, run_until_idle
from tests.mantis_hooks import delivery
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.telegram import StandInTelegram
from tests.test_outage_telegram import (
    DUTY,
    OUTAGES,
    OWNER,
    buttons_of,
    close_with_comment,
    to_restored_and_concluded,
)
from webhooks.app import create_app

ROOM = -1001000000101


@pytest.fixture
def one_room(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
             standin_telegram: StandInTelegram) -> Iterator[tuple[Connector, FlaskClient]]:
    """Sevastopol in pool mode with a single supergroup in the pool."""
    standin_mantis.add_user("sev-owner", 31)
    for iid, summary in ((7, "Не открывается МИС"), (8, "МИС снова недоступна")):
        standin_mantis.add_issue(iid, status="new", severity="crash", priority="immediate",
                                 summary=summary, category="Массовый сбой")
    standin_telegram.add_chat(OUTAGES, "Сбои ЕГИСЗ")
    standin_telegram.add_chat(ROOM, "Свободная комната", is_forum=False)
    data = config_data(sqlite_url, standin_gitlab, mantis=standin_mantis,
                       telegram=standin_telegram)
    data["chats"]["telegram"]["channels"]["outages"] = OUTAGES
    data["chats"]["telegram"]["room_pool"] = [ROOM]
    c = build_connector(Config.model_validate(data))
    yield c, create_app(c.config, start_worker=False, setup_logs=False).test_client()
    c.engine.dispose()


def test_a_reused_pool_room_speaks_for_the_outage_that_holds_it_now(
        one_room: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = one_room
    tg, owner = standin_telegram, {"id": OWNER, "first_name": "Ответственный"}
    status_a = to_restored_and_concluded(c, client, tg, standin_mantis, ROOM)
    close_with_comment(c, client, tg, ROOM, status_a, OWNER, "Закрыто после проверки")
    assert standin_mantis.issue(7)["status"]["name"] == "closed"
    notes_on_a = len(standin_mantis.issue(7)["notes"])

    headers, body = delivery("issue_reported", standin_mantis.issue(8))  # outage G
    assert client.post("/webhooks/mantis", data=body, headers=headers).status_code == 200
    run_until_idle(c)
    assert tg.title(ROOM).startswith("egisz-mis-8-")
    [pinned] = tg.pinned(ROOM)
    status_g = next(m for m in tg.messages(ROOM) if m["message_id"] == pinned)
    assert "(#8)" in status_g["text"]

    for update in (tg.message_update(ROOM, "/progress Перезапускаем балансировщик",
                                     from_user=owner),
                   tg.reply_update(ROOM, status_g["message_id"], "Балансировщик поднят",
                                   from_user=owner),
                   tg.message_update(ROOM, "/metrics erp-api", from_user=owner),
                   tg.callback_update(ROOM, status_g["message_id"],
                                      buttons_of(status_g)["→ Диагностика"],
                                      from_user={"id": DUTY, "first_name": "Дежурный"})):
        assert post_telegram(client, update).status_code == 200
        run_until_idle(c)

    assert len(standin_mantis.issue(7)["notes"]) == notes_on_a  # nothing on A's closed ticket
    notes_on_g = [n["text"] for n in standin_mantis.issue(8)["notes"]]
    assert any("Перезапускаем балансировщик" in n for n in notes_on_g)
    assert any("Балансировщик поднят" in n for n in notes_on_g)
    assert standin_mantis.issue(8)["status"]["name"] == "acknowledged"  # «Рассматривается»
    with reading(c.engine) as conn:
        a, g = outages.by_ticket(conn, "mantis:1#7"), outages.by_ticket(conn, "mantis:1#8")
        assert a is not None and g is not None
        kinds_a = [e["kind"] for e in outages.timeline(conn, a.id)]
        said_g = [(e["kind"], e.get("text") or e.get("service") or e.get("stage"))
                  for e in outages.timeline(conn, g.id)
                  if e["kind"] not in ("room", "declared", "criteria")]
    assert kinds_a[-1] != "progress" and "metrics" not in kinds_a
    assert said_g == [("progress", "Перезапускаем балансировщик"),
                      ("progress", "Балансировщик поднят"), ("metrics", "erp-api"),
                      ("stage", "diagnosing")]
    answered = [m["text"] for m in tg.messages(ROOM)[-4:]]
    assert any("мониторинг не подключён" in t for t in answered)


def test_a_closed_outage_room_that_nobody_holds_answers_for_nobody(
        one_room: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = one_room
    tg = standin_telegram
    status_a = to_restored_and_concluded(c, client, tg, standin_mantis, ROOM)
    close_with_comment(c, client, tg, ROOM, status_a, OWNER, "Закрыто")
    notes_on_a = len(standin_mantis.issue(7)["notes"])
    said: dict[str, Any] = tg.message_update(ROOM, "/progress ещё что-то",
                                             from_user={"id": OWNER, "first_name": "О"})
    assert post_telegram(client, said).status_code == 200
    run_until_idle(c)
    assert len(standin_mantis.issue(7)["notes"]) == notes_on_a
