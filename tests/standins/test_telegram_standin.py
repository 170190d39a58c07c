"""The stand-in Telegram Bot API, driven by the real pyTelegramBotAPI (telebot)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import requests
import telebot
from telebot.apihelper import ApiTelegramException
from telebot.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from tests.standins import fixtures
from tests.standins.telegram import USER, StandInTelegram

standin_telegram = fixtures.standin_telegram
CHAT = -1001234567890


@pytest.fixture
def tg(standin_telegram: StandInTelegram) -> StandInTelegram:
    standin_telegram.add_chat(CHAT, "Helpdesk")
    return standin_telegram


def _bot(standin: StandInTelegram, token: str | None = None) -> telebot.TeleBot:
    return telebot.TeleBot(token or standin.token, threaded=False)


def _error(call: Any, *args: Any, **kwargs: Any) -> ApiTelegramException:
    with pytest.raises(ApiTelegramException) as info:
        call(*args, **kwargs)
    return info.value


def _keyboard(data: str) -> InlineKeyboardMarkup:
    markup = InlineKeyboardMarkup()
    markup.add(InlineKeyboardButton("Ack", callback_data=data))
    return markup


def test_api_url_is_set_for_telebot(tg: StandInTelegram) -> None:
    assert tg.api_url == telebot.apihelper.API_URL
    assert tg.api_url.startswith("http://127.0.0.1:") and tg.api_url.endswith("/bot{0}/{1}")
    me = _bot(tg).get_me()
    assert (me.is_bot, me.username, me.id, me.can_join_groups) == (True, "helpdesk_bot", 123456,
                                                                    True)


def test_topic_then_message_lands_in_it(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    topic = bot.create_forum_topic(CHAT, "Outage #23: VPN down")
    assert topic.name == "Outage #23: VPN down" and isinstance(topic.message_thread_id, int)
    first = bot.send_message(CHAT, "VPN is down", message_thread_id=topic.message_thread_id)
    second = bot.send_message(CHAT, "Still down", message_thread_id=topic.message_thread_id)
    general = bot.send_message(CHAT, "In General")
    assert isinstance(first, Message) and first.text == "VPN is down"
    assert first.message_thread_id == topic.message_thread_id and first.is_topic_message
    assert first.chat.id == CHAT and first.chat.type == "supergroup" and first.chat.is_forum
    assert first.from_user is not None and first.from_user.id == 123456 and first.from_user.is_bot
    assert topic.message_thread_id < first.message_id < second.message_id < general.message_id
    replied = bot.send_message(CHAT, "re", reply_to_message_id=first.message_id)
    assert replied.reply_to_message is not None
    assert replied.reply_to_message.message_id == first.message_id
    err = _error(bot.send_message, CHAT, "re", reply_to_message_id=999)
    assert err.description == "Bad Request: message to be replied not found"
    assert general.message_thread_id is None
    texts = [m["text"] for m in tg.messages(CHAT, topic.message_thread_id)]
    assert texts == ["VPN is down", "Still down"]
    assert [m["text"] for m in tg.messages(CHAT)] == [*texts, "In General", "re"]
    assert tg.topics(CHAT) == {topic.message_thread_id: {"name": "Outage #23: VPN down",
                                                         "closed": False}}


def test_params_arrive_in_the_query_string(tg: StandInTelegram) -> None:
    thread = _bot(tg).create_forum_topic(CHAT, "T").message_thread_id
    _bot(tg).send_message(CHAT, "hello", message_thread_id=thread)
    (rec,) = tg.calls("sendMessage")
    assert rec.query["chat_id"] == str(CHAT) and rec.query["text"] == "hello"
    assert rec.query["message_thread_id"] == str(thread)
    assert (rec.status, rec.ok, rec.description) == (200, True, None)
    assert rec.params == rec.query and rec.at <= time.monotonic()


def test_json_and_form_bodies_are_accepted_too(tg: StandInTelegram) -> None:
    base = tg.api_url.format(tg.token, "sendMessage")
    by_json = requests.post(base, json={"chat_id": CHAT, "text": "json"}, timeout=5).json()
    by_form = requests.post(base, data={"chat_id": str(CHAT), "text": "form"}, timeout=5).json()
    assert by_json["ok"] and by_json["result"]["text"] == "json"
    assert by_form["ok"] and by_form["result"]["text"] == "form"


def test_inline_keyboard_and_callback_data_limit(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    msg = bot.send_message(CHAT, "Escalate?", reply_markup=_keyboard("ack:" + "x" * 60))
    assert msg.reply_markup is not None
    assert msg.reply_markup.keyboard[0][0].callback_data == "ack:" + "x" * 60
    assert tg.messages(CHAT)[0]["reply_markup"] == {
        "inline_keyboard": [[{"text": "Ack", "callback_data": "ack:" + "x" * 60}]]}
    for data in ("x" * 65, "ж" * 33):  # 65 and 66 bytes in UTF-8
        err = _error(bot.send_message, CHAT, "Escalate?", reply_markup=_keyboard(data))
        assert (err.error_code, err.description) == (400, "Bad Request: BUTTON_DATA_INVALID")
    assert len(tg.messages(CHAT)) == 1


def test_text_limits(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    assert bot.send_message(CHAT, "я" * 4096).text == "я" * 4096
    err = _error(bot.send_message, CHAT, "я" * 4097)
    assert (err.error_code, err.description) == (400, "Bad Request: message is too long")
    err = _error(bot.send_message, CHAT, "   ")
    assert err.description == "Bad Request: message text is empty"
    assert err.result_json == {"ok": False, "error_code": 400,
                               "description": "Bad Request: message text is empty"}
    html = bot.send_message(CHAT, "<b>VPN</b> &amp; DNS", parse_mode="HTML")
    assert html.text == "VPN & DNS"


def test_429_surfaces_with_retry_after_and_is_not_applied(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    tg.fail_next("sendMessage", retry_after=7)
    err = _error(bot.send_message, CHAT, "hi")
    assert err.error_code == 429 and err.result_json["parameters"]["retry_after"] == 7
    assert err.result_json["description"] == "Too Many Requests: retry after 7"
    assert tg.messages(CHAT) == [] and tg.recorded[-1].status == 429
    bot.send_message(CHAT, "hi")
    assert [m["text"] for m in tg.messages(CHAT)] == ["hi"]


def test_5xx_and_times(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    tg.fail_next("*", 502, times=2)
    for _ in range(2):
        err = _error(bot.get_me)
        assert (err.error_code, err.description) == (502, "Bad Gateway")
    assert bot.get_me().username == "helpdesk_bot"


def test_rate_limit_window(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    tg.rate_limit("sendMessage", 1.5)
    err = _error(bot.send_message, CHAT, "hi")
    assert err.error_code == 429 and err.result_json["parameters"]["retry_after"] == 2
    assert bot.get_me().is_bot  # other methods are not limited
    time.sleep(0.6)
    assert _error(bot.send_message, CHAT, "hi").result_json["parameters"]["retry_after"] == 1
    time.sleep(1.0)
    assert bot.send_message(CHAT, "hi").text == "hi"


def test_tokens(tg: StandInTelegram) -> None:
    err = _error(_bot(tg, "123456:" + "Z" * 35).get_me)
    assert (err.error_code, err.description) == (401, "Unauthorized")
    for url in (tg.api_url.format("123:abc", "getMe"), tg.api_url.format(tg.token, "noSuch")):
        answer = requests.get(url, timeout=5)
        assert answer.status_code == 404
        assert answer.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


def test_closed_topic_rejects_messages(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    thread = bot.create_forum_topic(CHAT, "Outage").message_thread_id
    assert bot.close_forum_topic(CHAT, thread) is True
    assert tg.topics(CHAT)[thread]["closed"] is True
    err = _error(bot.send_message, CHAT, "hi", message_thread_id=thread)
    assert (err.error_code, err.description) == (400, "Bad Request: TOPIC_CLOSED")
    assert _error(bot.close_forum_topic, CHAT, thread).description == (
        "Bad Request: TOPIC_NOT_MODIFIED")
    assert bot.reopen_forum_topic(CHAT, thread) is True
    assert bot.send_message(CHAT, "back", message_thread_id=thread).text == "back"
    assert bot.edit_forum_topic(CHAT, thread, name="Outage (resolved)") is True
    assert tg.topics(CHAT)[thread]["name"] == "Outage (resolved)"
    err = _error(bot.send_message, CHAT, "hi", message_thread_id=thread + 100)
    assert err.description == "Bad Request: message thread not found"


def test_create_topic_errors(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    tg.add_chat(-1002, "Plain", is_forum=False)
    tg.add_chat(-1003, "No rights", bot_rights={"can_invite_users": True})
    cases = [(CHAT, "x" * 129, "TOPIC_NAME_INVALID"), (-1002, "t", "the chat is not a forum"),
             (-1003, "t", "not enough rights to create a topic"), (-1009, "t", "chat not found")]
    for chat, name, description in cases:
        err = _error(bot.create_forum_topic, chat, name)
        assert (err.error_code, err.description) == (400, f"Bad Request: {description}")
    assert bot.create_forum_topic(CHAT, "x" * 128).name == "x" * 128


def test_edit_message_text(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    msg = bot.send_message(CHAT, "Status: open", reply_markup=_keyboard("ack"))
    edited = bot.edit_message_text("Status: closed", CHAT, msg.message_id)
    assert isinstance(edited, Message) and edited.text == "Status: closed"
    assert edited.edit_date and edited.reply_markup is None  # no markup: keyboard removed
    err = _error(bot.edit_message_text, "Status: closed", CHAT, msg.message_id)
    assert err.description.startswith("Bad Request: message is not modified: ")
    err = _error(bot.edit_message_text, "x", CHAT, 999)
    assert err.description == "Bad Request: message to edit not found"
    assert tg.messages(CHAT)[0]["text"] == "Status: closed"


def test_webhook_settings(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    assert bot.set_webhook("https://hd.example.org/telegram", secret_token="s3cr3t-Token",
                           allowed_updates=["message", "callback_query"]) is True
    assert tg.webhook == {"url": "https://hd.example.org/telegram", "secret_token": "s3cr3t-Token",
                          "allowed_updates": ["message", "callback_query"]}
    info = bot.get_webhook_info()
    assert (info.url, info.has_custom_certificate, info.pending_update_count) == (
        "https://hd.example.org/telegram", False, 0)
    err = _error(bot.set_webhook, "http://hd.example.org/telegram")
    assert err.description == "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    assert bot.delete_webhook() is True and bot.get_webhook_info().url == ""


def test_message_update_goes_through_telebot(tg: StandInTelegram) -> None:
    bot, seen = _bot(tg), list[Message]()
    bot.message_handler(func=lambda _m: True)(seen.append)
    thread = bot.create_forum_topic(CHAT, "Outage").message_thread_id
    one = tg.message_update(CHAT, "is it fixed?", thread_id=thread,
                            from_user={"id": 42, "first_name": "Anna", "username": "anna"})
    two = tg.message_update(CHAT, "/status")
    assert two["update_id"] == one["update_id"] + 1
    assert one["message"]["is_topic_message"] and one["message"]["message_thread_id"] == thread
    assert one["message"]["from"] == {"id": 42, "is_bot": False, "first_name": "Anna",
                                      "username": "anna"}
    bot.process_new_updates([Update.de_json(json.dumps(u)) for u in (one, two)])
    assert [(m.text, m.message_thread_id, m.from_user and m.from_user.id) for m in seen] == [
        ("is it fixed?", thread, 42), ("/status", None, USER["id"])]
    assert seen[1].entities is not None and seen[1].entities[0].type == "bot_command"
    assert tg.messages(CHAT) == []  # only the bot's own messages


def test_callback_query_must_be_answered_once(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    msg = bot.send_message(CHAT, "Escalate?", reply_markup=_keyboard("esc:23"))
    update = Update.de_json(json.dumps(tg.callback_update(CHAT, msg.message_id, "esc:23")))
    query = update.callback_query
    assert query.data == "esc:23" and query.message.message_id == msg.message_id
    assert query.chat_instance and not query.from_user.is_bot
    assert bot.answer_callback_query(query.id, "Escalated") is True
    assert tg.calls("answerCallbackQuery")[0].params["text"] == "Escalated"
    err = _error(bot.answer_callback_query, query.id)
    assert err.description.startswith("Bad Request: query is too old")


def test_join_requests(tg: StandInTelegram) -> None:
    bot = _bot(tg)
    link = bot.create_chat_invite_link(CHAT, name="outage-23", creates_join_request=True)
    assert link.invite_link.startswith("https://t.me/+") and link.creates_join_request
    assert (link.is_primary, link.is_revoked, link.creator.id) == (False, False, 123456)
    user = {"id": 77, "first_name": "Oleg", "username": "oleg"}
    update = Update.de_json(json.dumps(tg.join_request_update(CHAT, user)))
    request = update.chat_join_request
    assert request.from_user.id == 77 and request.invite_link.invite_link == link.invite_link
    assert bot.approve_chat_join_request(CHAT, 77) is True
    err = _error(bot.decline_chat_join_request, CHAT, 77)
    assert err.description == "Bad Request: HIDE_REQUESTER_MISSING"
    assert [r.params["user_id"] for r in tg.calls("approveChatJoinRequest")] == ["77"]


def test_concurrent_senders_get_distinct_message_ids(tg: StandInTelegram) -> None:
    def send(n: int) -> None:
        for i in range(10):
            _bot(tg).send_message(CHAT, f"{n}-{i}")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [m["message_id"] for m in tg.messages(CHAT)]
    assert sorted(ids) == ids == list(range(1, 41))
