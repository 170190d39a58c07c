"""The stand-in Slack Web API, driven by the real slack_sdk WebClient."""

from __future__ import annotations

import threading
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.standins import fixtures
from tests.standins.slack import BOT_ID, StandInSlack

standin_slack = fixtures.standin_slack


def _client(standin: StandInSlack, token: str | None = None) -> WebClient:
    return WebClient(token=token or standin.token, base_url=standin.url, retry_handlers=[])


def _error(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


def test_auth_test_and_bad_tokens(standin_slack: StandInSlack) -> None:
    me = _client(standin_slack).auth_test()
    assert (me["user_id"], me["bot_id"], me["team_id"]) == (BOT_ID, "B0BOT", "T1")
    with pytest.raises(SlackApiError) as exc:
        _client(standin_slack, "xoxb-wrong").auth_test()
    assert _error(exc) == "invalid_auth" and exc.value.response.status_code == 200
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=standin_slack.url, retry_handlers=[]).api_call("auth.test")
    assert _error(exc) == "not_authed"
    assert [r.ok for r in standin_slack.requests] == [True, False, False]


def test_post_message_json_and_thread_replies(standin_slack: StandInSlack) -> None:
    standin_slack.add_channel("C1", "outage-1")
    client = _client(standin_slack)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*down*"}}]
    meta = {"event_type": "outage", "event_payload": {"id": 7}}
    parent = client.chat_postMessage(channel="C1", text="VPN down", blocks=blocks, metadata=meta)
    assert parent["channel"] == "C1" and parent["message"]["user"] == BOT_ID
    assert parent["message"]["metadata"] == meta and parent["message"]["blocks"] == blocks
    r1 = client.chat_postMessage(channel="C1", text="update 1", thread_ts=parent["ts"])
    r2 = client.chat_postMessage(channel="C1", text="update 2", thread_ts=parent["ts"])
    assert r1["message"]["thread_ts"] == parent["ts"] and r1["ts"] < r2["ts"]
    assert float(parent["ts"]) < float(r1["ts"]) < float(r2["ts"])
    [top] = standin_slack.messages("C1")
    assert (top["text"], top["blocks"], top["metadata"]) == ("VPN down", blocks, meta)
    assert [m["text"] for m in standin_slack.messages("C1", parent["ts"])] == ["update 1",
                                                                                "update 2"]
    rec = standin_slack.calls("chat.postMessage")[0]
    assert rec.content_type == "application/json" and rec.params["blocks"] == blocks
    replies = client.conversations_replies(channel="C1", ts=parent["ts"])["messages"]
    assert [m["text"] for m in replies] == ["VPN down", "update 1", "update 2"]
    assert replies[0]["reply_count"] == 2
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x", thread_ts="1.000001")
    assert _error(exc) == "thread_not_found"


def test_post_message_errors(standin_slack: StandInSlack) -> None:
    standin_slack.add_channel("C1", "outage-1")
    standin_slack.add_channel("C2", "elsewhere", bot_member=False)
    client = _client(standin_slack)
    cases = [({"channel": "C9", "text": "x"}, "channel_not_found"),
             ({"channel": "C2", "text": "x"}, "not_in_channel"),
             ({"channel": "C1"}, "no_text"),
             ({"channel": "C1", "text": "x" * 40001}, "msg_too_long")]
    for kwargs, error in cases:
        with pytest.raises(SlackApiError) as exc:
            client.api_call("chat.postMessage", json=kwargs)
        assert _error(exc) == error
    assert standin_slack.messages("C1") == [] and standin_slack.calls("chat.postMessage") == []


def test_chat_update(standin_slack: StandInSlack) -> None:
    standin_slack.add_channel("C1", "outage-1")
    client = _client(standin_slack)
    ts = client.chat_postMessage(channel="C1", text="open")["ts"]
    res = client.chat_update(channel="C1", ts=ts, text="closed")
    assert res["ts"] == ts and standin_slack.messages("C1")[0]["text"] == "closed"
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C1", ts="1.000002", text="x")
    assert _error(exc) == "message_not_found"


def test_create_invite_archive(standin_slack: StandInSlack) -> None:
    standin_slack.add_user("U1", "ivanov", "Ivan Ivanov", "ivanov@example.com")
    client = _client(standin_slack)
    channel = client.conversations_create(name="outage-42", is_private=True)["channel"]
    assert channel["name"] == "outage-42" and channel["is_private"] is True
    cid = channel["id"]
    with pytest.raises(SlackApiError) as exc:
        client.conversations_create(name="outage-42")
    assert _error(exc) == "name_taken"
    for bad, error in (("Outage 42", "invalid_name_specials"), ("x" * 81,
                                                                "invalid_name_maxlength")):
        with pytest.raises(SlackApiError) as exc:
            client.conversations_create(name=bad)
        assert _error(exc) == error
    client.conversations_invite(channel=cid, users=["U1"])
    rec = standin_slack.calls("conversations.invite")[0]
    assert rec.content_type == "application/x-www-form-urlencoded" and rec.params["users"] == "U1"
    assert standin_slack.channel("outage-42")["members"] == {BOT_ID, "U1"}
    for users, error in ((["U1"], "already_in_channel"), (["U404"], "user_not_found")):
        with pytest.raises(SlackApiError) as exc:
            client.conversations_invite(channel=cid, users=users)
        assert _error(exc) == error
    client.conversations_archive(channel=cid)
    with pytest.raises(SlackApiError) as exc:
        client.conversations_archive(channel=cid)
    assert _error(exc) == "already_archived"
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel=cid, text="late")
    assert _error(exc) == "is_archived"
    assert client.conversations_info(channel=cid)["channel"]["is_archived"] is True


def test_conversations_list_paginates(standin_slack: StandInSlack) -> None:
    for i in range(5):
        standin_slack.add_channel(f"C{i}", f"chan-{i}")
    client, names, cursor = _client(standin_slack), [], None
    while True:
        page = client.conversations_list(limit=2, cursor=cursor)
        names += [c["name"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert names == [f"chan-{i}" for i in range(5)]


def test_history_newest_first(standin_slack: StandInSlack) -> None:
    standin_slack.add_channel("C1", "outage-1")
    client = _client(standin_slack)
    meta = {"event_type": "note", "event_payload": {"n": 1}}
    ts = [client.chat_postMessage(channel="C1", text=f"m{i}", metadata=meta)["ts"]
          for i in range(3)]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=ts[0])
    history = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["m2", "m1", "m0"]
    assert all("metadata" not in m for m in history)
    newer = client.conversations_history(channel="C1", oldest=ts[0], include_all_metadata=True)
    assert [(m["text"], m["metadata"]) for m in newer["messages"]] == [("m2", meta),
                                                                       ("m1", meta)]


def test_users_info_and_lookup(standin_slack: StandInSlack) -> None:
    standin_slack.add_user("U1", "ivanov", "Ivan Ivanov", "ivanov@example.com")
    client = _client(standin_slack)
    user = client.users_info(user="U1")["user"]
    assert (user["id"], user["name"], user["real_name"]) == ("U1", "ivanov", "Ivan Ivanov")
    assert user["profile"]["email"] == "ivanov@example.com"
    assert client.users_lookupByEmail(email="ivanov@example.com")["user"]["id"] == "U1"
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U404")
    assert _error(exc) == "user_not_found"
    with pytest.raises(SlackApiError) as exc:
        client.users_lookupByEmail(email="nobody@example.com")
    assert _error(exc) == "users_not_found"


def test_fail_next_429_5xx_and_error(standin_slack: StandInSlack) -> None:
    standin_slack.add_channel("C1", "outage-1")
    client = _client(standin_slack)
    standin_slack.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    assert exc.value.response.status_code == 429 and _error(exc) == "ratelimited"
    assert exc.value.response.headers["Retry-After"] == "7"
    standin_slack.fail_next("chat.postMessage", 503)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    assert exc.value.response.status_code == 503
    standin_slack.fail_next("chat.postMessage", 200, error="fatal_error")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    assert _error(exc) == "fatal_error"
    assert standin_slack.messages("C1") == []
    client.chat_postMessage(channel="C1", text="x")
    assert [r.status for r in standin_slack.requests] == [429, 503, 200, 200]


def test_rate_limit_window_then_success(standin_slack: StandInSlack) -> None:
    standin_slack.add_channel("C1", "outage-1")
    client = _client(standin_slack)
    standin_slack.rate_limit("chat.postMessage", 1.5)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "2"
    assert client.auth_test()["ok"]  # other methods are not limited
    time.sleep(int(exc.value.response.headers["Retry-After"]))
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert len(standin_slack.calls("chat.postMessage")) == 1


def test_concurrent_posts_get_unique_increasing_ts(standin_slack: StandInSlack) -> None:
    standin_slack.add_channel("C1", "outage-1")
    client = _client(standin_slack)

    def post(worker: int) -> None:
        for i in range(10):
            client.chat_postMessage(channel="C1", text=f"{worker}-{i}")

    threads = [threading.Thread(target=post, args=(w,)) for w in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = standin_slack.messages("C1")
    assert len({m["ts"] for m in stored}) == 50
    assert [m["ts"] for m in stored] == sorted((m["ts"] for m in stored), key=float)
    for w in range(5):  # each thread's messages arrive in its own order
        assert [m["text"] for m in stored if m["text"].startswith(f"{w}-")] == [
            f"{w}-{i}" for i in range(10)]
