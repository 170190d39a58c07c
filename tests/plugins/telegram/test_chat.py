"""The Telegram chat through telebot against the stand-in: a forum topic per thread, buttons as
an inline keyboard, harmless repeats swallowed, failures classified for the outbox."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from connector.chat import Button
from connector.errors import PermanentActionError, RetryableActionError
from plugins.telegram.chat import TelegramChat
from plugins.telegram.config import TelegramConfig
from tests.standins.telegram import StandInTelegram

GROUP = -1001000000001
CHANNEL = str(GROUP)


@pytest.fixture
def tg(standin_telegram: StandInTelegram) -> StandInTelegram:
    standin_telegram.add_chat(GROUP, "EHR L2")
    return standin_telegram


def make_chat(tg: StandInTelegram, token: str | None = None) -> TelegramChat:
    return TelegramChat(TelegramConfig(api_url=tg.api_url.split("/bot{0}")[0],
                                       bot_token=SecretStr(token or tg.token),
                                       webhook_secret=SecretStr("s")))


@pytest.fixture
def chat(tg: StandInTelegram) -> TelegramChat:
    return make_chat(tg)


def test_create_thread_opens_a_topic_and_posts_land_in_it(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    thread = chat.create_thread(CHANNEL, "#23 Рецепт не печатается")

    posted = chat.post(CHANNEL, thread, "🔺 Эскалация")

    assert thread is not None
    assert tg.topics(GROUP) == {int(thread): {"name": "#23 Рецепт не печатается",
                                              "closed": False}}
    [message] = tg.messages(GROUP, int(thread))
    assert message["text"] == "🔺 Эскалация"
    assert (posted.channel_id, posted.thread_id, posted.message_id) == (
        CHANNEL, thread, str(message["message_id"]))


def test_a_long_title_is_cut_to_the_topic_name_limit(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    thread = chat.create_thread(CHANNEL, "Я" * 200)

    assert thread is not None and tg.topics(GROUP)[int(thread)]["name"] == "Я" * 128


def test_buttons_become_an_inline_keyboard_one_per_row(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    chat.post(CHANNEL, None, "🚨 Алерт", [Button("Разовое", "hdc:oneoff:1"),
                                          Button("Авария", "hdc:accident:1")])

    [message] = tg.messages(GROUP)
    assert message["reply_markup"] == {"inline_keyboard": [
        [{"text": "Разовое", "callback_data": "hdc:oneoff:1"}],
        [{"text": "Авария", "callback_data": "hdc:accident:1"}]]}


def test_update_replaces_text_and_an_identical_update_is_harmless(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    posted = chat.post(CHANNEL, None, "🚨 Алерт", [Button("Разовое", "hdc:oneoff:1")])

    chat.update(CHANNEL, posted.message_id, "✅ Алерт снят")
    chat.update(CHANNEL, posted.message_id, "✅ Алерт снят")  # e.g. a retried action

    [message] = tg.messages(GROUP)
    assert message["text"] == "✅ Алерт снят" and "reply_markup" not in message
    assert len(tg.calls("editMessageText")) == 1  # the second one changed nothing


def test_closing_or_reopening_twice_is_harmless(chat: TelegramChat, tg: StandInTelegram) -> None:
    thread = chat.create_thread(CHANNEL, "#23")
    assert thread is not None

    chat.close_thread(CHANNEL, thread)
    chat.close_thread(CHANNEL, thread)
    assert tg.topics(GROUP)[int(thread)]["closed"]

    chat.reopen_thread(CHANNEL, thread)
    chat.reopen_thread(CHANNEL, thread)
    assert not tg.topics(GROUP)[int(thread)]["closed"]
    assert len(tg.calls("closeForumTopic")) == len(tg.calls("reopenForumTopic")) == 1


def test_answer_button_answers_the_callback_query(chat: TelegramChat, tg: StandInTelegram) -> None:
    shown = chat.post(CHANNEL, None, "🚨 Алерт", [Button("Разовое", "hdc:oneoff:1")])
    query = tg.callback_update(GROUP, int(shown.message_id), "hdc:oneoff:1")["callback_query"]

    chat.answer_button(query["id"], "Принято")

    [call] = tg.calls("answerCallbackQuery")
    assert (call.params["callback_query_id"], call.params["text"]) == (query["id"], "Принято")
    # A query is answered once; a retry after the first answer landed is not a failure.
    chat.answer_button(query["id"], "Принято")
    assert len(tg.calls("answerCallbackQuery")) == 1


@pytest.mark.parametrize("retry_after", [1, 13])
def test_rate_limit_is_retryable_after_the_given_seconds(
    chat: TelegramChat, tg: StandInTelegram, retry_after: int,
) -> None:
    tg.fail_next("sendMessage", 429, retry_after=retry_after)

    with pytest.raises(RetryableActionError) as caught:
        chat.post(CHANNEL, None, "x")

    assert caught.value.retry_after == retry_after
    assert len(tg.recorded) == 1 and tg.messages(GROUP) == []  # telebot did not retry


@pytest.mark.parametrize("status", [500, 502])
def test_server_errors_are_retryable(chat: TelegramChat, tg: StandInTelegram,
                                     status: int) -> None:
    tg.fail_next("sendMessage", status)
    with pytest.raises(RetryableActionError, match=str(status)):
        chat.post(CHANNEL, None, "x")


def test_a_bad_request_is_permanent_with_telegrams_description(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    thread = chat.create_thread(CHANNEL, "#23")
    assert thread is not None
    chat.close_thread(CHANNEL, thread)

    with pytest.raises(PermanentActionError, match="Bad Request: TOPIC_CLOSED"):
        chat.post(CHANNEL, thread, "x")
    with pytest.raises(PermanentActionError, match="Bad Request: chat not found"):
        chat.post("-1009999999999", None, "x")


def test_an_unreachable_bot_api_is_retryable(standin_telegram: StandInTelegram) -> None:
    chat = TelegramChat(TelegramConfig(api_url="http://127.0.0.1:9", bot_token=SecretStr(
        standin_telegram.token), webhook_secret=SecretStr("s"), timeout_seconds=2))
    with pytest.raises(RetryableActionError, match="unreachable"):
        chat.post(CHANNEL, None, "x")


def test_a_wrong_token_is_permanent(tg: StandInTelegram) -> None:
    chat = make_chat(tg, "123456:" + "x" * 35)
    with pytest.raises(PermanentActionError, match="Unauthorized"):
        chat.post(CHANNEL, None, "x")


def test_register_webhook_sets_url_secret_and_the_updates_used(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    chat.register_webhook("https://connector.test/tg", "tg-secret-1")

    assert tg.webhook["url"] == "https://connector.test/tg"
    assert tg.webhook["secret_token"] == "tg-secret-1"
    allowed = tg.webhook["allowed_updates"]
    assert set(json.loads(allowed) if isinstance(allowed, str) else allowed) == {
        "message", "callback_query", "chat_join_request"}


def test_telegram_gives_no_user_details_and_no_history(chat: TelegramChat) -> None:
    assert chat.describe_user("5550001").name == ""
    assert chat.find_post(CHANNEL, "key", 0.0) is None
