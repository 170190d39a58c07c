"""Issue 3 done-when: L1 → L2 escalation into a Slack thread and a Telegram topic, both ways."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from connector.core import Connector
from tests.conftest import SLACK_L2, TG_L2, issue_hook, note_hook
from tests.drive import post_hook, post_telegram, run_until_idle, slack_reply
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from webhooks.app import create_app

HIGH = "Priority: High"
TITLE = "Рецепт не печатается"


@dataclass
class World:
    c: Connector
    client: FlaskClient
    gl: StandInGitLab
    slack: StandInSlack
    tg: StandInTelegram

    def settle(self, timeout: float = 30) -> None:
        run_until_idle(self.c, timeout)

    def slack_root(self) -> dict[str, object]:
        [root] = self.slack.messages(SLACK_L2)
        return root

    def topic(self) -> int:
        [thread_id] = self.tg.topics(TG_L2)
        return int(thread_id)


@pytest.fixture
def world(db_url: str, standin_gitlab: StandInGitLab, standin_slack: StandInSlack,
          standin_telegram: StandInTelegram, make_connector: Callable[..., Connector]) -> World:
    gl = standin_gitlab
    gl.add_issue(1, 23, title=TITLE, labels=[HIGH, "L2"],
                 description="Аптека 12: печать рецепта падает с ошибкой 500.")
    gl.add_note(1, 23, "Проверили принтер и сертификат — в порядке.", author="l1-ivanova")
    c = make_connector(db_url, gl, slack=standin_slack, telegram=standin_telegram)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    return World(c, client, gl, standin_slack, standin_telegram)


def escalate(w: World, deliveries: int = 1) -> None:
    for n in range(deliveries):
        answer = post_hook(w.client, issue_hook(HIGH, "L2", action="update", title=TITLE),
                           **{"Idempotency-Key": f"escalation-{n}"})
        assert answer.status_code == 200
    w.settle()


def test_l2_label_opens_one_slack_thread_and_one_telegram_topic(world: World) -> None:
    escalate(world, deliveries=3)

    root = world.slack_root()
    text = str(root["text"])
    for fact in ("Рецепт не печатается", HIGH, "Аптека 12", "l1-ivanova",
                 "Проверили принтер", "задача #23", "/issues/23"):
        assert fact in text
    [topic] = world.tg.topics(TG_L2).values()
    assert topic["name"] == "#23 Рецепт не печатается" and not topic["closed"]
    [opening] = world.tg.messages(TG_L2, world.topic())
    assert "Аптека 12" in opening["text"]


def test_replies_become_notes_and_notes_reach_both_chats(world: World) -> None:
    world.slack.add_user("U0L2ENG", "petrov", "Пётр Петров", "petrov@ehr.by")
    world.gl.add_user("ppetrov", 77, email="petrov@ehr.by")
    escalate(world)
    root_ts = str(world.slack_root()["ts"])

    slack_reply(world.client, channel=SLACK_L2, thread_ts=root_ts, text="Смотрю логи")
    post_telegram(world.client, world.tg.message_update(
        TG_L2, "Воспроизвёл на стенде, @sidorov глянь", thread_id=world.topic(),
        from_user={"id": 4242, "first_name": "Иван", "username": "ivan_tg"},
        date=1795345200))  # 2026-11-22 11:00 UTC
    world.settle()
    notes = [n["body"] for n in world.gl.issue(1, 23)["notes"]][1:]  # after L1's own note
    assert len(notes) == 2
    assert any("Пётр Петров (@ppetrov)" in n and "Slack" in n and "Смотрю логи" in n
               for n in notes)  # the GitLab user whose e-mail matches: a real mention
    [from_telegram] = [n for n in notes if "Telegram" in n]
    # a Telegram handle is not a GitLab username: no @-mention of whoever is called so there
    assert "Иван (＠ivan_tg)" in from_telegram and "＠sidorov глянь" in from_telegram
    assert "@ivan_tg" not in from_telegram and "@sidorov" not in from_telegram
    assert "22.11.2026 14:00 UTC+3" in from_telegram  # Minsk time, the Belarus team's zone

    post_hook(world.client, note_hook("Нужен дамп запроса", note_id=5001), event="Note Hook")
    # What GitLab and Slack send back about the connector's own writes must not echo.
    post_hook(world.client, note_hook(notes[0], user="helpdesk-bot", note_id=5002),
              event="Note Hook")
    slack_reply(world.client, channel=SLACK_L2, thread_ts=root_ts, text="💬 relayed",
                bot=True, event_id="Ev-bot")
    world.settle()

    replies = world.slack.messages(SLACK_L2, root_ts)
    relayed = [m for m in replies if "Нужен дамп запроса" in str(m["text"])]
    assert len(relayed) == 1 and len(replies) == 1
    topic_texts = [m["text"] for m in world.tg.messages(TG_L2, world.topic())]
    assert sum("Нужен дамп запроса" in t for t in topic_texts) == 1
    assert len(topic_texts) == 2  # the opening message and the relayed note, nothing else
    assert len(world.gl.issue(1, 23)["notes"]) == 3


def test_removing_l2_posts_a_final_message_and_closes_the_topic(world: World) -> None:
    escalate(world)
    post_hook(world.client, issue_hook(HIGH, action="update", title=TITLE))
    world.settle()

    [topic] = world.tg.topics(TG_L2).values()
    assert topic["closed"]
    replies = world.slack.messages(SLACK_L2, str(world.slack_root()["ts"]))
    assert [m["text"] for m in replies] == [
        "Метка L2 снята с задачи #23 — эскалация завершена.\n"
        "http://example.com/diaspora/issues/23"]


def test_burst_of_notes_survives_slack_rate_limit_in_order(world: World) -> None:
    escalate(world)
    world.slack.rate_limit("chat.postMessage", 10)
    for n in range(50):
        post_hook(world.client, note_hook(f"Заметка {n:02d}", note_id=6000 + n),
                  event="Note Hook")
    world.settle(timeout=90)

    root_ts = str(world.slack_root()["ts"])
    slack_texts = [str(m["text"]) for m in world.slack.messages(SLACK_L2, root_ts)]
    assert [t.split("\n")[-2] for t in slack_texts] == [f"Заметка {n:02d}" for n in range(50)]
    assert any(r.status == 429 for r in world.slack.requests)
    tg_texts = [str(m["text"]) for m in world.tg.messages(TG_L2, world.topic())][1:]
    assert [t.split("\n")[-2] for t in tg_texts] == [f"Заметка {n:02d}" for n in range(50)]
