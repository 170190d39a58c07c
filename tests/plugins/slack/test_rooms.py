"""Slack rooms and forms through slack_sdk against the stand-in: a channel per room, invitations,
a pinned status kept current, archiving, and a modal per form; repeats are harmless, refusals
and limits classified for the outbox."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from connector.chat import Room
from connector.errors import PermanentActionError, RetryableActionError
from connector.forms import Form, FormField, FormProgress
from plugins.slack.chat import SlackChat
from plugins.slack.config import SlackConfig
from plugins.slack.rooms import channel_name, form_answers
from tests.standins.slack import BOT_ID, StandInSlack

HOME = "C0L2"
PEOPLE = ("U0DUTY", "U0L2ENG", "U0HEAD")
FORM = Form("hdc:outage:declare:42", "Объявить аварию",
            (FormField("summary", "Что не работает"),
             FormField("impact", "Кого затронуло", multiline=True, placeholder="клиенты, сервисы"),
             FormField("eta", "Когда починим", optional=True)), submit="Объявить")


@pytest.fixture
def slack(standin_slack: StandInSlack) -> StandInSlack:
    standin_slack.add_channel(HOME, "ehr_community")
    for user in PEOPLE:
        standin_slack.add_user(user, user.lower(), user, "")
    return standin_slack


@pytest.fixture
def chat(slack: StandInSlack) -> SlackChat:
    return SlackChat(SlackConfig(base_url=slack.url, bot_token=SecretStr(slack.token),
                                 signing_secret=SecretStr("x")))


@pytest.mark.parametrize(("name", "slug"), [
    ("outage-42", "outage-42"),
    ("Outage 42: VPN down!", "outage-42-vpn-down"),
    ("  __ops__ room  ", "__ops__-room"),
    ("Авария 7", "7"),
    ("x" * 100, "x" * 80),
    ("a" * 79 + " b", "a" * 79),
])
def test_a_room_name_becomes_a_valid_channel_name(name: str, slug: str) -> None:
    assert channel_name(name) == slug


def test_create_room_opens_a_private_channel_the_bot_is_in_and_posts_to(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    """Issue 20 item 5: an outage's room is private (`is_private`), so only the people
    invited see it; the bot that made it is in it and its messages land."""
    room = chat.create_room("Outage 42", HOME)

    channel = slack.channel(room.channel_id)
    assert room == Room(channel["id"], None, "outage-42")
    assert [c.params.get("is_private") for c in slack.calls("conversations.create")] == ["1"]
    assert (channel["name"], channel["is_private"], BOT_ID in channel["members"]) == (
        "outage-42", True, True)
    chat.invite(room.channel_id, PEOPLE)
    posted = chat.post(room.channel_id, room.thread_id, "🔥 Авария")
    assert [m["text"] for m in slack.messages(room.channel_id)] == ["🔥 Авария"]
    assert posted.channel_id == room.channel_id
    assert slack.channel(room.channel_id)["members"] == {BOT_ID, *PEOPLE}


def test_the_standin_hides_a_private_channel_the_bot_is_not_in(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    """As Slack does: a private channel without the bot is `channel_not_found` to it."""
    slack.add_channel("G0ELSE", "someone-elses", bot_member=False, is_private=True)
    with pytest.raises(PermanentActionError, match="channel_not_found"):
        chat.post("G0ELSE", None, "🔥 Авария")


def test_a_retried_create_adopts_the_channel_its_earlier_try_made(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    first = chat.create_room("outage-42", HOME)

    again = chat.create_room("outage-42", HOME)  # e.g. the answer to the first was lost

    assert again == first
    assert len(slack.calls("conversations.create")) == 1


@pytest.mark.parametrize("setup", ["someone else's", "archived"])
def test_a_name_taken_otherwise_gets_the_next_free_name(
    chat: SlackChat, slack: StandInSlack, setup: str,
) -> None:
    """Nobody can keep an outage's room shut by holding its predictable name."""
    if setup == "archived":
        chat.close_room(chat.create_room("outage-42", HOME))
    else:
        slack.add_channel("C0THEIRS", "outage-42", creator="U0DUTY")

    room = chat.create_room("outage-42", HOME)

    assert room.name == "outage-42-2" and room.channel_id != "C0THEIRS"
    assert chat.create_room("outage-42", HOME) == room  # a retry adopts it


def test_when_every_fallback_name_is_taken_the_refusal_says_so(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    for n in ["", *(f"-{i}" for i in range(2, 10))]:
        slack.add_channel(f"C0X{n or '1'}", f"outage-42{n}", creator="U0DUTY")
    with pytest.raises(PermanentActionError, match="are all taken"):
        chat.create_room("outage-42", HOME)


@pytest.mark.parametrize(("name", "error"), [
    ("", "invalid_name_required"), ("Авария", "invalid_name_required"),
])
def test_a_name_slack_cannot_take_is_refused(chat: SlackChat, name: str, error: str) -> None:
    with pytest.raises(PermanentActionError, match=error):
        chat.create_room(name, HOME)


def test_a_rate_limited_create_is_retryable_after_retry_after(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    slack.fail_next("conversations.create", 429, retry_after=30)

    with pytest.raises(RetryableActionError) as caught:
        chat.create_room("outage-42", HOME)

    assert caught.value.retry_after == 30.0


def test_invite_adds_people_and_repeating_it_is_harmless(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    room = chat.create_room("outage-42", HOME)

    assert chat.invite(room.channel_id, PEOPLE[:2]) is None
    assert chat.invite(room.channel_id, PEOPLE[:2]) is None  # a retry: all already in
    assert chat.invite(room.channel_id, PEOPLE) is None  # one more: the others already in

    assert slack.channel(room.channel_id)["members"] == {BOT_ID, *PEOPLE}
    assert chat.invite(room.channel_id, []) is None
    assert [len(c.params["users"].split(",")) for c in slack.calls("conversations.invite")] \
        == [2, 1]  # the third: refused whole (already_in_channel), then one by one


@pytest.mark.parametrize(("users", "error"), [
    (["U0NOBODY"], "user_not_found"), ([BOT_ID], "cant_invite_self"),
])
def test_inviting_who_cannot_be_invited_is_permanent(
    chat: SlackChat, users: list[str], error: str,
) -> None:
    with pytest.raises(PermanentActionError, match=error):
        chat.invite(HOME, users)


def test_a_pinned_status_is_kept_current_with_update(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    room = chat.create_room("outage-42", HOME)
    status = chat.post(room.channel_id, None, "Статус: расследуем")

    chat.pin(room.channel_id, status.message_id)
    chat.pin(room.channel_id, status.message_id)  # a retry after the first landed
    chat.update(room.channel_id, status.message_id, "Статус: починили")

    assert slack.pinned(room.channel_id) == [status.message_id]
    [message] = slack.messages(room.channel_id)
    assert (message["ts"], message["text"]) == (status.message_id, "Статус: починили")


@pytest.mark.parametrize(("channel", "ts", "error"), [
    ("C0OUTSIDE", None, "not_in_channel"),
    (HOME, "1.000001", "message_not_found"),
    ("C0NOWHERE", None, "channel_not_found"),
])
def test_pin_refusals_are_permanent(
    chat: SlackChat, slack: StandInSlack, channel: str, ts: str | None, error: str,
) -> None:
    slack.add_channel("C0OUTSIDE", "elsewhere", bot_member=False)
    posted = chat.post(HOME, None, "status")

    with pytest.raises(PermanentActionError, match=error):
        chat.pin(channel, ts or posted.message_id)


def test_close_room_archives_the_channel_once(chat: SlackChat, slack: StandInSlack) -> None:
    room = chat.create_room("outage-42", HOME)

    chat.close_room(room)
    chat.close_room(room)  # a retry: already_archived is not a failure

    assert slack.channel(room.channel_id)["is_archived"]
    assert len(slack.calls("conversations.archive")) == 1
    with pytest.raises(PermanentActionError, match="is_archived"):
        chat.post(room.channel_id, None, "too late")


def test_closing_a_channel_the_bot_is_not_in_is_permanent(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    slack.add_channel("C0OUTSIDE", "elsewhere", bot_member=False)

    with pytest.raises(PermanentActionError, match="not_in_channel"):
        chat.close_room(Room("C0OUTSIDE", None, "elsewhere"))


def test_slack_has_no_join_requests_to_answer(chat: SlackChat, slack: StandInSlack) -> None:
    chat.answer_join_request(HOME, "U0DUTY", True)
    chat.answer_join_request(HOME, "U0DUTY", False)

    assert slack.requests == []


def test_open_form_shows_every_field_in_one_modal(chat: SlackChat, slack: StandInSlack) -> None:
    progress = chat.open_form(FormProgress(FORM), HOME, "1.5", trigger_id=slack.trigger_id())

    [view] = slack.views
    assert progress.prompt_id == view["id"] and progress.answers == ()
    assert (view["type"], view["callback_id"], view["title"]["text"], view["submit"]["text"]) \
        == ("modal", "hdc:outage:declare:42", "Объявить аварию", "Объявить")
    assert json.loads(view["private_metadata"]) == {"channel": HOME, "thread": "1.5"}
    assert [(b["block_id"], b["label"]["text"], b["optional"], b["element"]["multiline"])
            for b in view["blocks"]] == [("summary", "Что не работает", False, False),
                                         ("impact", "Кого затронуло", False, True),
                                         ("eta", "Когда починим", True, False)]
    assert view["blocks"][1]["element"]["placeholder"]["text"] == "клиенты, сервисы"


def test_a_submitted_modal_gives_the_answers_by_field(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    progress = chat.open_form(FormProgress(FORM), HOME, trigger_id=slack.trigger_id())

    submitted = slack.submission(progress.prompt_id, "U0DUTY",
                                 {"summary": "VPN", "impact": "все клиники", "eta": ""})

    assert submitted["view"]["callback_id"] == FORM.form_id
    assert form_answers(submitted["view"]) == {"summary": "VPN", "impact": "все клиники",
                                               "eta": ""}


def test_answers_so_far_are_filled_in_and_long_texts_cut_to_slacks_limits(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    form = Form("hdc:outage:declare:43", "Очень длинный заголовок формы аварии",
                (FormField("summary", "Что"), FormField("eta", "Когда")), submit="Б" * 30)

    chat.open_form(FormProgress(form, ("VPN",)), HOME, trigger_id=slack.trigger_id())

    [view] = slack.views
    assert len(view["title"]["text"]) == 24 and len(view["submit"]["text"]) == 24
    assert view["blocks"][0]["element"]["initial_value"] == "VPN"
    assert "initial_value" not in view["blocks"][1]["element"]


@pytest.mark.parametrize(("trigger", "error"), [
    ("old", "expired_trigger_id"), ("used", "exchanged_trigger_id"),
    ("made-up", "invalid_trigger_id"),
])
def test_a_trigger_is_good_for_3_seconds_and_once(
    chat: SlackChat, slack: StandInSlack, trigger: str, error: str,
) -> None:
    trigger_id = {"old": slack.trigger_id(age=4), "used": slack.trigger_id(),
                  "made-up": "1.2.abc"}[trigger]
    if trigger == "used":
        chat.open_form(FormProgress(FORM), HOME, trigger_id=trigger_id)

    with pytest.raises(PermanentActionError, match=error):
        chat.open_form(FormProgress(FORM), HOME, trigger_id=trigger_id)


def test_a_form_without_a_trigger_is_refused_before_asking_slack(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    with pytest.raises(PermanentActionError, match="trigger_id"):
        chat.open_form(FormProgress(FORM), HOME)
    assert slack.requests == []


def test_a_modal_over_slacks_limits_is_refused_naming_the_place(slack: StandInSlack) -> None:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=slack.token, base_url=slack.url, retry_handlers=[])
    view = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25},
            "blocks": [{"type": "input", "label": {"type": "plain_text", "text": "Что"},
                        "element": {"type": "plain_text_input", "action_id": "a"}}]}

    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=slack.trigger_id(), view=view)

    answer = caught.value.response
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]",
        "[ERROR] must provide a submit property when using input blocks [json-pointer:/view]"]
