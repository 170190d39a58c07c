"""Chat flows on the Telegram stand-in: one topic per ticket however often an action is retried,
long texts split without loss, nothing posted where no thread is open, a topic reopened when the
ticket is escalated again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from connector.chatflows import ChatPerformer
from connector.core import Connector
from connector.errors import RetryableActionError
from connector.events import Action, ActionKind, TicketRef
from connector.store import threads
from connector.store.outbox import OutboxItem
from tests.conftest import TG_L2
from tests.standins.gitlab import StandInGitLab
from tests.standins.telegram import StandInTelegram

REF = TicketRef("gitlab", "1", "23")
TITLE = "Рецепт не печатается"


@dataclass
class Flow:
    c: Connector
    performer: ChatPerformer
    tg: StandInTelegram

    def perform(self, kind: ActionKind, attempt: int = 1, **params: Any) -> None:
        action = Action(kind, "chat", REF, {"channel": "l2", "title": TITLE,
                                            "url": "https://gitlab.test/1/23", **params}, "test")
        self.performer.perform(OutboxItem(id=1, idempotency_key=f"key-{kind}", attempt=attempt,
                                          created_at=time.time(), action=action))

    def escalate(self, attempt: int = 1) -> None:
        self.perform("escalate", attempt, priority="Priority: High", assignees=["l2-petrov"],
                     labels=["L2", "Priority: High"], author="l1-ivanova")

    def thread(self) -> Any:
        with self.c.engine.connect() as conn:
            return threads.find(conn, str(REF), "telegram", "l2")

    def topic(self) -> int:
        [thread_id] = self.tg.topics(TG_L2)
        return thread_id

    def texts(self) -> list[str]:
        return [str(m["text"]) for m in self.tg.messages(TG_L2, self.topic())]


@pytest.fixture
def flow(sqlite_url: str, standin_gitlab: StandInGitLab, standin_telegram: StandInTelegram,
         make_connector: Callable[..., Connector]) -> Flow:
    standin_gitlab.add_issue(1, 23, title=TITLE, labels=["L2", "Priority: High"],
                             description="Аптека 12: печать рецепта падает с ошибкой 500.")
    c = make_connector(sqlite_url, standin_gitlab, telegram=standin_telegram)
    performer = c.adapters["telegram"]
    assert isinstance(performer, ChatPerformer)
    return Flow(c, performer, standin_telegram)


def test_escalation_opens_a_named_topic_with_the_ticket_facts(flow: Flow) -> None:
    flow.escalate()

    assert flow.tg.topics(TG_L2) == {flow.topic(): {"name": f"#23 {TITLE}", "closed": False}}
    [opening] = flow.texts()
    assert all(fact in opening for fact in ("#23", TITLE, "Priority: High",
                                            "l2-petrov", "Аптека 12"))
    row = flow.thread()
    assert (row.thread_id, row.state) == (str(flow.topic()), "open")
    assert row.message_id == str(flow.tg.messages(TG_L2, flow.topic())[0]["message_id"])


LINES = "\n".join(f"Строка {n:03d}: " + "ж" * 88 for n in range(90))  # 90 × 100 − 1 chars
UNBROKEN = "я" * 9000


@pytest.mark.parametrize(("text", "joiner"), [
    pytest.param(LINES, "\n", id="cut at line breaks"),
    pytest.param(UNBROKEN, "", id="one endless line"),
])
def test_a_long_note_is_split_into_ordered_messages_losing_nothing(
    flow: Flow, text: str, joiner: str,
) -> None:
    assert len(text) >= 8999
    flow.escalate()

    flow.perform("relay_note", text=text)

    pieces = flow.texts()[1:]  # after the opening message
    assert len(pieces) == 3
    assert all(len(p) <= 4096 for p in pieces)
    assert joiner.join(pieces) == text


def test_a_retried_escalation_reuses_the_topic_an_earlier_attempt_created(flow: Flow) -> None:
    flow.tg.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryableActionError):
        flow.escalate(attempt=1)  # the topic exists, its first message did not land
    assert flow.thread().message_id == ""

    flow.escalate(attempt=2)

    assert len(flow.tg.calls("createForumTopic")) == 1
    [opening] = flow.tg.messages(TG_L2, flow.topic())
    assert flow.thread().message_id == str(opening["message_id"])


def test_escalating_an_escalated_ticket_again_posts_nothing(flow: Flow) -> None:
    flow.escalate()
    flow.escalate(attempt=2)  # e.g. the first attempt's result was lost

    assert len(flow.tg.calls("createForumTopic")) == 1
    assert len(flow.texts()) == 1


def test_a_note_for_a_ticket_without_thread_is_not_posted(flow: Flow) -> None:
    flow.perform("relay_note", text="💬 l2-petrov: смотрю")

    assert flow.tg.calls("sendMessage") == []
    assert flow.thread() is None


def test_deescalation_closes_the_topic_and_a_new_escalation_reopens_it(flow: Flow) -> None:
    flow.escalate()
    topic = flow.topic()

    flow.perform("deescalate", text="Метка L2 снята с задачи #23 — эскалация завершена.")
    assert flow.tg.topics(TG_L2)[topic]["closed"]
    assert flow.texts()[-1] == "Метка L2 снята с задачи #23 — эскалация завершена."
    assert flow.thread().state == "closed"

    flow.perform("relay_note", text="после закрытия")  # nobody listens in a closed topic
    assert "после закрытия" not in flow.texts()

    flow.escalate()

    assert len(flow.tg.calls("reopenForumTopic")) == 1
    assert len(flow.tg.calls("createForumTopic")) == 1
    assert flow.tg.topics(TG_L2) == {topic: {"name": f"#23 {TITLE}", "closed": False}}
    assert flow.thread().state == "open"
    assert "Аптека 12" in flow.texts()[-1]  # the facts are told again in the same topic


def fail_second_post(flow: Flow, work: Callable[[], None]) -> None:
    """Run `work` while the chat answers its second message with a transient error (a 502:
    nothing was posted)."""
    real, calls = flow.performer.chat.post, []

    def post(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:
            raise RetryableActionError("Telegram error 502")
        return real(*args, **kwargs)

    flow.performer.chat.post = post  # type: ignore[method-assign]
    try:
        with pytest.raises(RetryableActionError):
            work()
    finally:
        flow.performer.chat.post = real  # type: ignore[method-assign]


def test_a_long_note_failing_on_its_second_piece_is_finished_without_repeats(
    flow: Flow,
) -> None:
    """A 5,000-character note whose second piece gets one 502: the retry posts the second
    piece only — two messages, the first not twice."""
    flow.escalate()
    note = "\n".join(f"Строка {i:03d}: " + "ж" * 40 for i in range(95))
    assert len(note) > 5000

    fail_second_post(flow, lambda: flow.perform("relay_note", text=note))
    flow.perform("relay_note", attempt=2, text=note)

    posted = flow.texts()[1:]  # after the opening message
    assert len(posted) == 2
    assert "\n".join(posted) == note


def test_an_escalation_whose_tail_failed_gets_its_tail(flow: Flow,
                                                       standin_gitlab: StandInGitLab) -> None:
    for i in range(12):  # what L1 found: the opening text runs past one message
        standin_gitlab.add_note(1, 23, f"Проверка {i}: " + "разбор лога; " * 40,
                                author="l1-ivanova")

    fail_second_post(flow, flow.escalate)
    flow.escalate(attempt=2)

    texts = flow.texts()
    assert len(texts) == 2 and texts[0].startswith("🔺") and "разбор лога" in texts[1]
