"""Telegram rooms and forms through telebot against the stand-in: a forum topic per room, a
join-request link and its answers, a pinned status kept current, closing, and a form asked one
reply-forced question at a time; repeats are harmless, refusals classified for the outbox."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr
from telebot.types import Update

from connector.chat import Room
from connector.errors import PermanentActionError, RetryableActionError
from connector.forms import Form, FormField, FormProgress
from plugins.telegram.chat import TelegramChat
from plugins.telegram.config import TelegramConfig
from tests.standins.telegram import USER, StandInTelegram

GROUP, PLAIN = -1001000000001, -1001000000009
HOME = str(GROUP)
OLEG = {"id": 77, "first_name": "Oleg", "username": "oleg"}
FORM = Form("hdc:outage:declare:42", "Объявить аварию",
            (FormField("summary", "Что не работает?", placeholder="VPN, ЕМИАС…"),
             FormField("eta", "Когда починим? «-» — не знаем", optional=True)))


@pytest.fixture
def tg(standin_telegram: StandInTelegram) -> StandInTelegram:
    standin_telegram.add_chat(GROUP, "EHR outages")
    standin_telegram.add_chat(PLAIN, "Not a forum", is_forum=False)
    return standin_telegram


@pytest.fixture
def chat(tg: StandInTelegram) -> TelegramChat:
    return TelegramChat(TelegramConfig(api_url=tg.api_url.split("/bot{0}")[0],
                                       bot_token=SecretStr(tg.token),
                                       webhook_secret=SecretStr("s")))


def sent_markup(tg: StandInTelegram) -> dict[str, object]:
    markup = tg.calls("sendMessage")[-1].params["reply_markup"]
    return dict(json.loads(markup) if isinstance(markup, str) else markup)


def test_create_room_opens_a_topic_in_the_forum(chat: TelegramChat, tg: StandInTelegram) -> None:
    room = chat.create_room("Авария 42: VPN " + "я" * 200, HOME)

    assert room.channel_id == HOME and room.thread_id is not None
    assert room.name == ("Авария 42: VPN " + "я" * 200)[:128]
    assert tg.topics(GROUP) == {int(room.thread_id): {"name": room.name, "closed": False}}
    chat.post(room.channel_id, room.thread_id, "🔥 Авария")
    assert [m["text"] for m in tg.messages(GROUP, int(room.thread_id))] == ["🔥 Авария"]


@pytest.mark.parametrize(("home", "description"), [
    (str(PLAIN), "the chat is not a forum"), ("-1009999999999", "chat not found"),
])
def test_a_room_needs_a_forum_supergroup(chat: TelegramChat, home: str,
                                         description: str) -> None:
    with pytest.raises(PermanentActionError, match=f"Bad Request: {description}"):
        chat.create_room("Авария 42", home)


def test_invite_gives_a_join_request_link_and_the_answer_lets_people_in(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    link = chat.invite(HOME, ["77", "78"])
    assert link is not None and link.startswith("https://t.me/+")
    request = Update.de_json(json.dumps(tg.join_request_update(GROUP, OLEG))).chat_join_request
    assert request.invite_link.invite_link == link and request.from_user.id == 77

    chat.answer_join_request(HOME, "77", True)
    chat.answer_join_request(HOME, "77", True)  # a retry after the first landed

    assert chat.is_member(HOME, "77")
    assert len(tg.calls("approveChatJoinRequest")) == 1


def test_a_declined_request_leaves_them_out(chat: TelegramChat, tg: StandInTelegram) -> None:
    tg.join_request_update(GROUP, OLEG)

    chat.answer_join_request(HOME, "77", False)

    assert not chat.is_member(HOME, "77")
    assert [c.params["user_id"] for c in tg.calls("declineChatJoinRequest")] == ["77"]


def test_answering_without_the_right_to_invite_is_permanent(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    tg.add_chat(-1001000000003, "No rights", bot_rights={"can_manage_topics": True})
    tg.join_request_update(-1001000000003, OLEG)

    with pytest.raises(PermanentActionError, match="CHAT_ADMIN_REQUIRED"):
        chat.answer_join_request("-1001000000003", "77", True)


def test_a_pinned_status_is_kept_current_with_update(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    room = chat.create_room("Авария 42", HOME)
    status = chat.post(room.channel_id, room.thread_id, "Статус: расследуем")

    chat.pin(room.channel_id, status.message_id)
    chat.pin(room.channel_id, status.message_id)  # a retry after the first landed
    chat.update(room.channel_id, status.message_id, "Статус: починили")

    assert tg.pinned(GROUP) == [int(status.message_id)]
    assert tg.calls("pinChatMessage")[0].params["disable_notification"] in (True, "True")
    assert [m["text"] for m in tg.messages(GROUP, int(str(room.thread_id)))] == [
        "Статус: починили"]


@pytest.mark.parametrize(("rights", "message", "description"), [
    ({"can_manage_topics": True}, None, "not enough rights to manage pinned messages"),
    (None, "999", "message to pin not found"),
])
def test_pin_refusals_are_permanent(
    chat: TelegramChat, tg: StandInTelegram, rights: dict[str, bool] | None,
    message: str | None, description: str,
) -> None:
    tg.add_chat(-1001000000003, "Other", bot_rights=rights)
    posted = chat.post("-1001000000003", None, "status")

    with pytest.raises(PermanentActionError, match=description):
        chat.pin("-1001000000003", message or posted.message_id)


def test_a_rate_limited_pin_is_retryable_after_retry_after(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    posted = chat.post(HOME, None, "status")
    tg.fail_next("pinChatMessage", 429, retry_after=17)

    with pytest.raises(RetryableActionError) as caught:
        chat.pin(HOME, posted.message_id)

    assert caught.value.retry_after == 17 and tg.pinned(GROUP) == []


def test_close_room_closes_the_topic_once(chat: TelegramChat, tg: StandInTelegram) -> None:
    room = chat.create_room("Авария 42", HOME)
    assert room.thread_id is not None

    chat.close_room(room)
    chat.close_room(room)  # TOPIC_NOT_MODIFIED: not a failure

    assert tg.topics(GROUP)[int(room.thread_id)]["closed"]
    assert len(tg.calls("closeForumTopic")) == 1
    with pytest.raises(PermanentActionError, match="TOPIC_CLOSED"):
        chat.post(room.channel_id, room.thread_id, "too late")


def test_a_room_without_a_topic_has_nothing_to_close(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    chat.close_room(Room(HOME, None, "whole group"))
    assert tg.recorded == []


def test_a_form_is_asked_one_field_at_a_time_by_reply(
    chat: TelegramChat, tg: StandInTelegram,
) -> None:
    room = chat.create_room("Авария 42", HOME)
    assert room.thread_id is not None

    progress = chat.open_form(FormProgress(FORM), room.channel_id, room.thread_id)

    [prompt] = tg.messages(GROUP, int(room.thread_id))
    assert progress.prompt_id == str(prompt["message_id"])
    assert prompt["text"] == "Объявить аварию (1/2)\nЧто не работает?"
    assert "reply_markup" not in prompt  # Telegram shows only inline keyboards in a Message
    assert sent_markup(tg) == {"force_reply": True, "input_field_placeholder": "VPN, ЕМИАС…"}

    reply = Update.de_json(json.dumps(tg.reply_update(
        GROUP, prompt["message_id"], "  VPN  ", from_user=USER))).message
    assert progress.replies_to(str(reply.reply_to_message.message_id))
    progress = chat.open_form(progress.answer(reply.text), room.channel_id, room.thread_id,
                              reply_to=str(reply.message_id))

    second = tg.messages(GROUP, int(room.thread_id))[-1]
    assert second["text"] == "Объявить аварию (2/2)\nКогда починим? «-» — не знаем"
    assert second["reply_to_message"]["message_id"] == reply.message_id
    assert sent_markup(tg) == {"force_reply": True, "selective": True}
    assert progress.prompt_id == str(second["message_id"]) and progress.answers == ("VPN",)

    done = chat.open_form(progress.answer("-"), room.channel_id, room.thread_id)
    assert done.done and done.values() == {"summary": "VPN", "eta": ""}
    assert len(tg.calls("sendMessage")) == 2  # nothing left to ask


def test_a_form_in_a_closed_topic_is_refused(chat: TelegramChat) -> None:
    room = chat.create_room("Авария 42", HOME)
    chat.close_room(room)

    with pytest.raises(PermanentActionError, match="TOPIC_CLOSED"):
        chat.open_form(FormProgress(FORM), room.channel_id, room.thread_id)
