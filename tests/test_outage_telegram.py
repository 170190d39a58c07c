"""Sevastopol on Mantis and Telegram: a request in the outage category with impact
«Критическое» gets a topic of its own in the outage supergroup, with the component's status in
it, pinned; the duty engineer moves it on from Telegram and Mantis' status follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from connector.assembly import build_connector
from connector.clock import SYSTEM_CLOCK, Clock
from connector.config import Config
from connector.core import Connector
from connector.events import TicketEvent, TicketRef
from connector.features.outage import store as outages
from connector.features.outage.flows import on_ticket
from connector.store.db import reading
from tests.conftest import config_data
from tests.drive import post_telegram, run_until_idle
from tests.standins.gitlab import StandInGitLab
from tests.standins.mantis import StandInMantis
from tests.standins.telegram import StandInTelegram
from webhooks.app import create_app

OUTAGES = -1001000000077
DUTY, OWNER, STRANGER = 100000012, 100000011, 555
REQUEST = TicketEvent(TicketRef("mantis", "1", "7"), "ticket", "open", "reporter",
                      title="Не открывается МИС", status="new", category="Массовый сбой",
                      fields={"severity": "crash"}, updated_at="2026-03-02T07:00:00.000000Z")


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
          standin_mantis: StandInMantis, standin_telegram: StandInTelegram
          ) -> Iterator[tuple[Connector, FlaskClient]]:
    critical_request(standin_mantis)
    c, client = sevastopol(sqlite_url, standin_gitlab, standin_mantis, standin_telegram)
    yield c, client
    c.engine.dispose()


def critical_request(mantis: StandInMantis) -> None:
    """Request 7 in the outage category, «Критическое»; its component's owner in Mantis."""
    mantis.add_user("sev-owner", 31)
    mantis.add_issue(7, status="new", severity="crash", priority="immediate",
                     summary="Не открывается МИС", category="Массовый сбой")


def sevastopol(sqlite_url: str, standin_gitlab: StandInGitLab, standin_mantis: StandInMantis,
               standin_telegram: StandInTelegram, clock: Clock = SYSTEM_CLOCK,
               **telegram: Any) -> tuple[Connector, FlaskClient]:
    """Sevastopol in topic mode: the outage supergroup is a forum, each outage a topic;
    `telegram`: more of chats.telegram (forum_members)."""
    standin_telegram.add_chat(OUTAGES, "Сбои ЕГИСЗ")
    data = config_data(sqlite_url, standin_gitlab, mantis=standin_mantis,
                       telegram=standin_telegram)
    data["chats"]["telegram"]["channels"]["outages"] = OUTAGES
    data["chats"]["telegram"].update(telegram)
    c = build_connector(Config.model_validate(data), clock=clock)
    return c, create_app(c.config, start_worker=False, setup_logs=False).test_client()


def press(client: FlaskClient, tg: StandInTelegram, c: Connector, message_id: int,
          data: str, user: int) -> None:
    update = tg.callback_update(OUTAGES, message_id, data,
                                from_user={"id": user, "first_name": "Дежурный"})
    assert post_telegram(client, update).status_code == 200
    run_until_idle(c)


def next_stage(status: dict[str, Any]) -> str:
    """The first «→ …» button under the status (the steps' ticks come first)."""
    return str(next(b["callback_data"] for row in status["reply_markup"]["inline_keyboard"]
                    for b in row if b["text"].startswith("→ ")))


def ask_to_join(client: FlaskClient, c: Connector, tg: StandInTelegram, chat_id: int) -> None:
    """The duty engineer and a stranger ask to join: the one is let in, the other is not."""
    for user in (DUTY, STRANGER):
        update = tg.join_request_update(chat_id, {"id": user, "first_name": f"user{user}"})
        assert post_telegram(client, update).status_code == 200
    run_until_idle(c)
    assert [r.params["user_id"] for r in tg.calls("approveChatJoinRequest")] == [str(DUTY)]
    assert [r.params["user_id"] for r in tg.calls("declineChatJoinRequest")] == [str(STRANGER)]


def test_a_critical_request_gets_a_topic_and_is_moved_on_from_telegram(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = world
    with c.engine.begin() as conn:
        on_ticket(c, conn, REQUEST)
        on_ticket(c, conn, REQUEST)  # the request seen again: one outage
    run_until_idle(c)

    [(topic_id, topic)] = standin_telegram.topics(OUTAGES).items()
    assert topic["name"].startswith("egisz-mis-7-")
    intro, status = standin_telegram.messages(OUTAGES, topic_id)
    assert "МИС регионального сегмента ЕГИСЗ" in intro["text"]
    assert "Зарегистрирован" in status["text"]
    assert standin_telegram.pinned(OUTAGES) == [status["message_id"]]
    issue = standin_mantis.issue(7)
    assert issue["status"]["name"] == "assigned" and issue["handler"]["name"] == "sev-owner"

    go = next_stage(status)
    press(client, standin_telegram, c, status["message_id"], go, STRANGER)  # refused
    press(client, standin_telegram, c, status["message_id"], go, DUTY)

    assert "Диагностика" in standin_telegram.messages(OUTAGES, topic_id)[-1]["text"]
    assert standin_mantis.issue(7)["status"]["name"] == "acknowledged"
    with reading(c.engine) as conn:
        assert [(e["kind"], e["who"]) for e in outages.timeline(conn, 1)
                if e["kind"] not in ("room", "criteria")] == [
            ("declared", "reporter"), ("stage", "Дежурный инженер МИАЦ")]


def test_from_a_mantis_webhook_to_restored_with_progress_from_the_topic(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    """The whole part-1 path in topic mode: the plugin's webhook declares it, the duty engineer
    and the owner move it on by buttons, progress comes by /progress and by replying to the
    status message, and talk in the topic stays out of the ticket."""
    from tests.mantis_hooks import delivery
    c, client = world
    headers, body = delivery("issue_reported", standin_mantis.issue(7))
    assert client.post("/webhooks/mantis", data=body, headers=headers).status_code == 200
    run_until_idle(c)
    [(topic_id, _)] = standin_telegram.topics(OUTAGES).items()
    owner = {"id": OWNER, "first_name": "Ответственный"}

    def status() -> dict[str, Any]:
        [pinned] = standin_telegram.pinned(OUTAGES)
        return next(m for m in standin_telegram.messages(OUTAGES, topic_id)
                    if m["message_id"] == pinned)

    def go() -> str:
        return next_stage(status())

    press(client, standin_telegram, c, status()["message_id"], go(), DUTY)  # → Диагностика
    for update in (
            standin_telegram.message_update(OUTAGES, "/progress@helpdesk_bot Данные целы",
                                            thread_id=topic_id, from_user=owner),
            standin_telegram.reply_update(OUTAGES, status()["message_id"],
                                          "Недоступна запись к врачу", from_user=owner),
            standin_telegram.message_update(OUTAGES, "кто на связи?", thread_id=topic_id,
                                            from_user=owner)):
        assert post_telegram(client, update).status_code == 200
    run_until_idle(c)
    press(client, standin_telegram, c, status()["message_id"], go(), OWNER)  # → Устранение
    press(client, standin_telegram, c, status()["message_id"], go(), OWNER)  # → Восстановлено

    assert "Восстановлено" in status()["text"]
    issue = standin_mantis.issue(7)
    assert issue["status"]["name"] == "resolved" and issue["handler"]["name"] == "sev-owner"
    notes = [n["text"] for n in issue["notes"]]
    assert any("Данные целы" in n for n in notes)
    assert any("Недоступна запись к врачу" in n for n in notes)
    assert not any("кто на связи" in n for n in notes)  # room talk is not a ticket note
    with reading(c.engine) as conn:
        assert [(e["kind"], e.get("stage") or e.get("text")) for e in outages.timeline(conn, 1)
                if e["kind"] not in ("room", "criteria")] == [
                    ("declared", "registered"), ("stage", "diagnosing"),
                    ("progress", "Данные целы"), ("progress", "Недоступна запись к врачу"),
                    ("stage", "fixing"), ("stage", "restored")]


def test_a_request_outside_the_outage_category_declares_nothing(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram) -> None:
    c, _ = world
    from dataclasses import replace
    with c.engine.begin() as conn:
        on_ticket(c, conn, replace(REQUEST, category="General"))
    run_until_idle(c)
    assert standin_telegram.topics(OUTAGES) == {}


def test_join_requests_are_approved_for_the_services_people_only(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram) -> None:
    c, client = world
    with c.engine.begin() as conn:
        on_ticket(c, conn, REQUEST)
    run_until_idle(c)

    ask_to_join(client, c, standin_telegram, OUTAGES)
    with reading(c.engine) as conn:
        joins = [(e["who"], e["approved"]) for e in outages.timeline(conn, 1)
                 if e["kind"] == "join"]
    assert joins == [("Дежурный инженер МИАЦ", True)]  # the stranger on no outage's timeline


POOL = [-1001000000101, -1001000000102]


@pytest.fixture
def pool_world(tmp_path: Path, sqlite_url: str, standin_gitlab: StandInGitLab,
               standin_mantis: StandInMantis, standin_telegram: StandInTelegram
               ) -> Iterator[tuple[Connector, FlaskClient]]:
    """Sevastopol in pool mode: two supergroups the admin made, the bot their admin."""
    c, client = sevastopol_pool(sqlite_url, standin_gitlab, standin_mantis, standin_telegram)
    yield c, client
    c.engine.dispose()


def sevastopol_pool(sqlite_url: str, standin_gitlab: StandInGitLab,
                    standin_mantis: StandInMantis, standin_telegram: StandInTelegram
                    ) -> tuple[Connector, FlaskClient]:
    """Pool mode: the POOL supergroups for outages' rooms, Mantis issues 7 and 8 critical."""
    standin_mantis.add_user("sev-owner", 31)
    for iid in (7, 8):
        standin_mantis.add_issue(iid, status="new", severity="crash", priority="immediate",
                                 summary="Не открывается МИС", category="Массовый сбой")
    standin_telegram.add_chat(OUTAGES, "Сбои ЕГИСЗ")
    for room in POOL:
        standin_telegram.add_chat(room, "Свободная комната", is_forum=False)
    data = config_data(sqlite_url, standin_gitlab, mantis=standin_mantis,
                       telegram=standin_telegram)
    data["chats"]["telegram"]["channels"]["outages"] = OUTAGES
    data["chats"]["telegram"]["room_pool"] = POOL
    c = build_connector(Config.model_validate(data))
    return c, create_app(c.config, start_worker=False, setup_logs=False).test_client()


def test_pool_mode_gives_the_outage_a_supergroup_of_its_own_driven_to_restored(
        pool_world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    """EMIAS's room per outage: a pool supergroup renamed for it, a join-request link, the
    catalog's people let in and others not, the status pinned and moved on by role to
    «Восстановлено», Mantis following; a second outage takes the other room."""
    from tests.mantis_hooks import delivery
    c, client = pool_world
    for iid in (7, 7, 8):  # the plugin's webhook, sent again, then another outage
        headers, body = delivery("issue_reported", standin_mantis.issue(iid))
        assert client.post("/webhooks/mantis", data=body, headers=headers).status_code == 200
    run_until_idle(c)

    room, other = POOL
    assert standin_telegram.title(room).startswith("egisz-mis-7-")
    assert standin_telegram.title(other).startswith("egisz-mis-8-")
    assert standin_telegram.topics(OUTAGES) == {}  # no topic: each has a room of its own
    [link] = [r for r in standin_telegram.calls("createChatInviteLink")
              if r.params["chat_id"] == str(room)]
    assert link.params["creates_join_request"] in (True, "true", "True")
    intro, status = standin_telegram.messages(room)[:2]
    assert "МИС регионального сегмента ЕГИСЗ" in intro["text"]
    assert standin_telegram.pinned(room) == [status["message_id"]]

    ask_to_join(client, c, standin_telegram, room)

    def status_now() -> dict[str, Any]:
        [pinned] = standin_telegram.pinned(room)
        return next(m for m in standin_telegram.messages(room) if m["message_id"] == pinned)

    def press_in_room(user: int) -> None:
        message = status_now()
        data = next_stage(message)
        update = standin_telegram.callback_update(room, message["message_id"], data,
                                                  from_user={"id": user, "first_name": "x"})
        assert post_telegram(client, update).status_code == 200
        run_until_idle(c)

    press_in_room(STRANGER)  # refused: not in the catalog
    press_in_room(DUTY)  # → Диагностика
    update = standin_telegram.message_update(room, "/progress Данные целы",
                                             from_user={"id": OWNER, "first_name": "О"})
    assert post_telegram(client, update).status_code == 200
    run_until_idle(c)
    press_in_room(OWNER)  # → Устранение
    press_in_room(OWNER)  # → Восстановлено

    assert "Восстановлено" in status_now()["text"]
    issue = standin_mantis.issue(7)
    assert issue["status"]["name"] == "resolved" and issue["handler"]["name"] == "sev-owner"
    assert any("Данные целы" in n["text"] for n in issue["notes"])
    with reading(c.engine) as conn:
        timeline = outages.timeline(conn, 1)
    assert [(e["kind"], e.get("stage") or e.get("approved")) for e in timeline
            if e["kind"] not in ("room", "criteria")] == [
        ("declared", "registered"), ("join", True), ("join", False), ("stage", "diagnosing"),
        ("progress", None), ("stage", "fixing"), ("stage", "restored")]
    [opened] = [e for e in timeline if e["kind"] == "room"]
    assert opened["link"].startswith("https://t.me/+")


def test_when_every_pool_room_is_taken_the_outage_gets_a_topic(
        pool_world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, _ = pool_world
    standin_mantis.add_issue(9, status="new", severity="crash", priority="immediate",
                             summary="Третий сбой", category="Массовый сбой")
    with c.engine.begin() as conn:
        for iid in ("7", "8", "9"):
            on_ticket(c, conn, TicketEvent(TicketRef("mantis", "1", iid), "ticket", "open",
                                           "reporter", title="Сбой", status="new",
                                           category="Массовый сбой",
                                           fields={"severity": "crash"}))
    run_until_idle(c)
    assert [t["name"][:12] for t in standin_telegram.topics(OUTAGES).values()] == [
        "egisz-mis-9-"]


CONCLUSION = ["Отказ сервера приложений", "Перезапустили сервер, добавили память", "-",
              "12 МО", "-", "-", "-"]  # the declared service at fault; the downtime's start
# and end kept as the timeline gives them


def buttons_of(message: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
            for b in row}


def to_restored_and_concluded(c: Connector, client: FlaskClient, tg: StandInTelegram,
                              mantis: StandInMantis, chat_id: int) -> dict[str, Any]:
    """From the plugin's webhook to «Восстановлено», then the conclusion answered question by
    question in the room; returns the pinned status message."""
    from tests.mantis_hooks import delivery
    headers, body = delivery("issue_reported", mantis.issue(7))
    assert client.post("/webhooks/mantis", data=body, headers=headers).status_code == 200
    run_until_idle(c)
    topics = tg.topics(chat_id) if chat_id == OUTAGES else {}
    thread = next(iter(topics), None)  # topic mode: the outage's topic

    def status() -> dict[str, Any]:
        [pinned] = tg.pinned(chat_id)
        return next(m for m in tg.messages(chat_id) if m["message_id"] == pinned)

    def press_as(label: str, user: int) -> None:
        data = buttons_of(status())[label]
        update = tg.callback_update(chat_id, status()["message_id"], data,
                                    from_user={"id": user, "first_name": "x"})
        assert post_telegram(client, update).status_code == 200
        run_until_idle(c)

    press_as("→ Диагностика", DUTY)
    say = tg.message_update(chat_id, "Сервер приложений не отвечает", thread_id=thread,
                            from_user={"id": DUTY, "first_name": "Дежурный"})
    assert post_telegram(client, say).status_code == 200
    press_as("→ Восстановлено", OWNER)
    press_as("📝 Заключение", OWNER)
    for answer in CONCLUSION:
        question = tg.messages(chat_id)[-1]
        assert question["text"].startswith("Заключение по сбою (")
        update = tg.reply_update(chat_id, question["message_id"], answer,
                                 from_user={"id": OWNER, "first_name": "О"})
        assert post_telegram(client, update).status_code == 200
        run_until_idle(c)
    return status()


def close_as(c: Connector, client: FlaskClient, tg: StandInTelegram, chat_id: int,
             status: dict[str, Any], label: str, user: int) -> None:
    update = tg.callback_update(chat_id, status["message_id"], buttons_of(status)[label],
                                from_user={"id": user, "first_name": "x"})
    assert post_telegram(client, update).status_code == 200
    run_until_idle(c)


def close_with_comment(c: Connector, client: FlaskClient, tg: StandInTelegram, chat_id: int,
                       status: dict[str, Any], user: int, comment: str) -> None:
    """«Закрыть с комментарием» asks the presser for the comment; their reply closes it."""
    close_as(c, client, tg, chat_id, status, "Закрыть с комментарием", user)
    question = tg.messages(chat_id)[-1]
    assert question["text"].startswith("Закрытие сбоя")
    answer = tg.reply_update(chat_id, question["message_id"], comment,
                             from_user={"id": user, "first_name": "x"})
    assert post_telegram(client, answer).status_code == 200
    run_until_idle(c)


def test_topic_mode_concludes_by_questions_and_closes_the_topic_with_the_log(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = world
    status = to_restored_and_concluded(c, client, standin_telegram, standin_mantis, OUTAGES)
    [(topic_id, _)] = standin_telegram.topics(OUTAGES).items()
    said = [m["text"] for m in standin_telegram.messages(OUTAGES, topic_id)]
    assert any(t.startswith("📝 Заключение по массовому сбою «МИС регионального сегмента ЕГИСЗ»")
               and "Причина сбоя: Отказ сервера приложений" in t
               and "Заявки, чтобы сбой не повторился: не указано" in t for t in said)
    report = standin_mantis.issue(8)
    assert report["summary"] == "Отчёт о сбое: МИС регионального сегмента ЕГИСЗ (#7)"
    assert [t["name"] for t in report["tags"]] == ["Отчёт об аварии"]  # as on GitLab
    assert any(t.startswith("📄 Отчёт о сбое: #8") for t in said)
    assert [r["issue"]["id"] for r in standin_mantis.issue(7)["relationships"]] == [8]

    close_with_comment(c, client, standin_telegram, OUTAGES, status, OWNER,
                       "Компонент работает у всех МО")

    assert standin_mantis.issue(7)["status"]["name"] == "closed"
    assert standin_telegram.topics(OUTAGES)[topic_id]["closed"] is True
    log = standin_mantis.file_contents[(7, "outage-log-7.txt")].decode()
    assert "Сервер приложений не отвечает" in log and "статус «Восстановлено»" in log
    assert "Отказ сервера приложений" in log  # the answers are recorded messages too


def test_pool_mode_closes_by_creating_a_problem_and_returns_the_room(
        pool_world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = pool_world
    room = POOL[0]
    join = standin_telegram.join_request_update(room, {"id": DUTY, "first_name": "Дежурный"})
    status = None
    from tests.mantis_hooks import delivery
    headers, body = delivery("issue_reported", standin_mantis.issue(7))
    client.post("/webhooks/mantis", data=body, headers=headers)
    run_until_idle(c)
    assert post_telegram(client, join).status_code == 200
    run_until_idle(c)
    assert standin_telegram.members(room)[DUTY] == "member"
    status = to_restored_and_concluded(c, client, standin_telegram, standin_mantis, room)

    close_as(c, client, standin_telegram, room, status, "Закрыть и создать проблему", OWNER)

    assert standin_mantis.issue(7)["status"]["name"] == "closed"
    problem = standin_mantis.issue(10)  # 8 the other outage's request, 9 the report
    assert problem["summary"].startswith("Проблема: МИС регионального сегмента ЕГИСЗ")
    assert problem["handler"]["name"] == "sev-owner"  # the first stage's owner
    assert standin_telegram.members(room)[DUTY] == "left"  # taken out of the pool room
    assert standin_telegram.title(room) == "Свободный чат для сбоев"
    log = standin_mantis.file_contents[(7, "outage-log-7.txt")].decode()
    assert "Сервер приложений не отвечает" in log
    with reading(c.engine) as conn:
        from connector.store import pool
        assert pool.held_by(conn, "telegram", str(room)) is None


def test_a_problem_gets_a_topic_whose_joins_are_verified_too(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = world
    status = to_restored_and_concluded(c, client, standin_telegram, standin_mantis, OUTAGES)
    close_as(c, client, standin_telegram, OUTAGES, status, "Закрыть и создать проблему", OWNER)

    topics = standin_telegram.topics(OUTAGES)
    [problem_topic] = [t for t in topics.values() if t["name"].startswith("problem-egisz-mis-")]
    assert problem_topic["closed"] is False
    ask_to_join(client, c, standin_telegram, OUTAGES)
    with reading(c.engine) as conn:
        problem = outages.by_ticket(conn, "mantis:1#9")
        assert problem is not None and problem.kind == "problem"
        joins = [(e["user"], e["approved"]) for e in outages.timeline(conn, problem.id)
                 if e["kind"] == "join"]
    assert joins == [(str(DUTY), True)]  # the stranger on no outage's timeline


def test_only_the_presser_answers_the_conclusion_questions(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    """Someone else replying to the question is room talk, not the conclusion."""
    from tests.mantis_hooks import delivery
    c, client = world
    headers, body = delivery("issue_reported", standin_mantis.issue(7))
    client.post("/webhooks/mantis", data=body, headers=headers)
    run_until_idle(c)

    def status() -> dict[str, Any]:
        [pinned] = standin_telegram.pinned(OUTAGES)
        return next(m for m in standin_telegram.messages(OUTAGES) if m["message_id"] == pinned)

    for label, user in (("→ Диагностика", DUTY), ("→ Восстановлено", OWNER),
                        ("📝 Заключение", OWNER)):
        close_as(c, client, standin_telegram, OUTAGES, status(), label, user)
    question = standin_telegram.messages(OUTAGES)[-1]
    update = standin_telegram.reply_update(OUTAGES, question["message_id"], "Это всё DNS",
                                           from_user={"id": STRANGER, "first_name": "Чужой"})
    assert post_telegram(client, update).status_code == 200
    run_until_idle(c)

    assert standin_telegram.messages(OUTAGES)[-1]["message_id"] == question["message_id"]
    with reading(c.engine) as conn:
        assert "conclusion" not in [e["kind"] for e in outages.timeline(conn, 1)]


def test_a_pool_room_goes_back_even_when_someone_cannot_be_removed(
        pool_world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = pool_world
    room = POOL[0]
    from tests.mantis_hooks import delivery
    headers, body = delivery("issue_reported", standin_mantis.issue(7))
    client.post("/webhooks/mantis", data=body, headers=headers)
    run_until_idle(c)
    join = standin_telegram.join_request_update(room, {"id": DUTY, "first_name": "Дежурный"})
    post_telegram(client, join)
    run_until_idle(c)
    status = to_restored_and_concluded(c, client, standin_telegram, standin_mantis, room)
    standin_telegram.fail_next("banChatMember", 400, description="Bad Request: can't remove "
                               "chat owner")

    close_with_comment(c, client, standin_telegram, room, status, OWNER, "Комната свободна")

    assert standin_telegram.title(room) == "Свободный чат для сбоев"
    with reading(c.engine) as conn:
        from connector.store import pool
        assert pool.held_by(conn, "telegram", str(room)) is None
