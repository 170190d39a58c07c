"""The Slack chat through slack_sdk against the stand-in: threads under a top-level message, a key
in its metadata to find it again, buttons as blocks, and failures classified for the outbox."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from connector.chat import Button
from connector.errors import PermanentActionError, RetryableActionError
from plugins.slack.chat import METADATA_TYPE, SlackChat
from plugins.slack.config import SlackConfig
from plugins.slack.verify import MAX_AGE, is_valid, sign
from tests.standins.slack import StandInSlack

CHANNEL = "C0L2"


@pytest.fixture
def slack(standin_slack: StandInSlack) -> StandInSlack:
    standin_slack.add_channel(CHANNEL, "ehr_community")
    return standin_slack


@pytest.fixture
def chat(slack: StandInSlack) -> SlackChat:
    return SlackChat(SlackConfig(base_url=slack.url, bot_token=SecretStr(slack.token),
                                 signing_secret=SecretStr("x")))


def test_a_post_without_thread_starts_one_and_carries_the_key(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    posted = chat.post(CHANNEL, None, "🔺 Эскалация", key="outbox-key-1")

    [root] = slack.messages(CHANNEL)
    assert posted.thread_id == posted.message_id == root["ts"]
    assert posted.channel_id == CHANNEL
    assert root["metadata"] == {"event_type": METADATA_TYPE,
                                "event_payload": {"key": "outbox-key-1"}}


def test_a_post_in_a_thread_is_a_reply_findable_by_its_key(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    root = chat.post(CHANNEL, None, "root", key="k")

    reply = chat.post(CHANNEL, root.thread_id, "ответ", key="k#1")

    assert reply.thread_id == root.thread_id and reply.message_id != root.message_id
    [stored] = slack.messages(CHANNEL, root.thread_id)
    assert stored["text"] == "ответ"
    assert stored["metadata"]["event_payload"] == {"key": "k#1"}
    assert chat.find_post(CHANNEL, "k#1", 0, thread_id=root.thread_id) == reply
    assert chat.find_post(CHANNEL, "k#2", 0, thread_id=root.thread_id) is None


def test_find_post_finds_the_thread_by_its_key_only(chat: SlackChat) -> None:
    since = time.time() - 5
    chat.post(CHANNEL, None, "другое", key="key-other")
    mine = chat.post(CHANNEL, None, "моё", key="key-mine")

    assert chat.find_post(CHANNEL, "key-mine", since) == mine
    assert chat.find_post(CHANNEL, "key-missing", since) is None
    assert chat.find_post(CHANNEL, "key-mine", time.time() + 5) is None  # posted before `since`


def test_buttons_become_blocks_whose_action_and_value_are_the_data(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    chat.post(CHANNEL, None, "🚨 Алерт", [Button("Разовое", "hdc:oneoff:1"),
                                          Button("Авария", "hdc:accident:1")])

    [root] = slack.messages(CHANNEL)
    section, actions = root["blocks"]
    assert section["text"]["text"] == "🚨 Алерт"
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("Разовое", "hdc:oneoff:1", "hdc:oneoff:1"), ("Авария", "hdc:accident:1",
                                                       "hdc:accident:1")]


def test_update_replaces_the_text_and_drops_the_buttons(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    posted = chat.post(CHANNEL, None, "🚨 Алерт", [Button("Разовое", "hdc:oneoff:1")])

    chat.update(CHANNEL, posted.message_id, "✅ Алерт снят")

    [root] = slack.messages(CHANNEL)
    assert root["text"] == "✅ Алерт снят" and root["edited"] is not None
    assert [b["type"] for b in root["blocks"]] == ["section"]


def test_rate_limit_is_retryable_after_retry_after_without_sdk_retries(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    slack.fail_next("chat.postMessage", 429, retry_after=7)

    with pytest.raises(RetryableActionError) as caught:
        chat.post(CHANNEL, None, "x")

    assert caught.value.retry_after == 7.0
    assert [r.status for r in slack.requests] == [429]  # the SDK did not retry by itself
    assert slack.messages(CHANNEL) == []


@pytest.mark.parametrize(("status", "error"), [
    (500, None), (503, None), (200, "internal_error"), (503, "service_unavailable"),
])
def test_server_side_failures_are_retryable(
    chat: SlackChat, slack: StandInSlack, status: int, error: str | None,
) -> None:
    slack.fail_next("chat.postMessage", status, error=error)

    with pytest.raises(RetryableActionError):
        chat.post(CHANNEL, None, "x")
    assert len(slack.requests) == 1


@pytest.mark.parametrize(("channel", "error"), [
    ("C0NOWHERE", "channel_not_found"),
    ("C0OUTSIDE", "not_in_channel"),
])
def test_refusals_are_permanent(
    chat: SlackChat, slack: StandInSlack, channel: str, error: str,
) -> None:
    slack.add_channel("C0OUTSIDE", "elsewhere", bot_member=False)

    with pytest.raises(PermanentActionError, match=error):
        chat.post(channel, None, "x")


def test_a_wrong_token_is_permanent(slack: StandInSlack) -> None:
    chat = SlackChat(SlackConfig(base_url=slack.url, bot_token=SecretStr("xoxb-wrong"),
                                 signing_secret=SecretStr("x")))
    with pytest.raises(PermanentActionError, match="invalid_auth"):
        chat.post(CHANNEL, None, "x")


def test_describe_user_gives_real_name_and_email(chat: SlackChat, slack: StandInSlack) -> None:
    slack.add_user("U0L2ENG", "petrov", "Пётр Петров", "petrov@ehr.by")

    user = chat.describe_user("U0L2ENG")

    assert (user.name, user.email) == ("Пётр Петров", "petrov@ehr.by")


def test_slack_threads_need_no_container_and_cannot_be_closed(
    chat: SlackChat, slack: StandInSlack,
) -> None:
    assert chat.create_thread(CHANNEL, "title") is None
    chat.close_thread(CHANNEL, "1.1")
    chat.reopen_thread(CHANNEL, "1.1")
    chat.answer_button("cb", "ok")
    assert slack.requests == []


# --- request signatures ----------------------------------------------------------------------

SECRET, BODY, NOW = "8f742231b10e8888abcd99yyyzzz85a5", b"token=x&command=/helpdesk", 1_700_000_000


@pytest.mark.parametrize(("body", "age", "valid"), [
    pytest.param(BODY, 0, True, id="fresh"),
    pytest.param(BODY, MAX_AGE, True, id="300 s old"),
    pytest.param(BODY + b"&text=x", 0, False, id="body changed"),
    pytest.param(BODY, MAX_AGE + 1, False, id="301 s old"),
    pytest.param(BODY, -(MAX_AGE + 1), False, id="301 s ahead"),
])
def test_a_signature_is_valid_only_on_the_signed_body_within_300_s(
    body: bytes, age: int, valid: bool,
) -> None:
    ts = str(NOW - age)
    assert is_valid(SECRET, body, ts, sign(SECRET, ts, BODY), now=NOW) is valid


@pytest.mark.parametrize(("secret", "ts", "signature"), [
    ("", str(NOW), sign("", str(NOW), BODY)),
    (SECRET, None, sign(SECRET, str(NOW), BODY)),
    (SECRET, "yesterday", sign(SECRET, "yesterday", BODY)),
    (SECRET, str(NOW), None),
    (SECRET, str(NOW), sign("other", str(NOW), BODY)),
], ids=["no secret", "no timestamp", "timestamp not a number", "no signature", "other secret"])
def test_incomplete_or_foreign_signatures_are_invalid(
    secret: str, ts: str | None, signature: str | None,
) -> None:
    assert not is_valid(secret, BODY, ts, signature, now=NOW)


def test_an_unreachable_slack_is_retryable() -> None:
    chat = SlackChat(SlackConfig(base_url="http://127.0.0.1:9/api/", bot_token=SecretStr("xoxb-t"),
                                 signing_secret=SecretStr("x"), timeout_seconds=2))
    with pytest.raises(RetryableActionError, match="unreachable"):
        chat.post(CHANNEL, None, "x")
