"""Chat normalisers read every field as its vendor documents it: a wrong type wherever they read
(an object for a topic id, a string for the entities or the sender, a user id beyond 64 bits) is
a PayloadError naming that field — answered 422 by the receiver, never guessed into a value.
Optional fields may be absent or null, never of another type."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.errors import PayloadError
from connector.events import ChatJoin, ChatMessage
from plugins.slack import events as slack_events
from plugins.telegram import events as telegram_events
from tests.webhooks.hostile.values import SPECIAL_VALUES, changed, dotted

INT64, INT32 = 2**63 - 1, 2**31 - 1
GROUP = -1001000000001


@dataclass(frozen=True, repr=False)
class Kind:
    """A documented type: what fits it."""

    name: str
    fits: Callable[[Any], bool]

    def __repr__(self) -> str:
        return self.name

    def or_null(self) -> Kind:
        return Kind(f"{self.name} or null", lambda v: v is None or self.fits(v))


def _int_within(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


OBJECT = Kind("object", lambda v: isinstance(v, dict))
LIST = Kind("list", lambda v: isinstance(v, list))
TEXT = Kind("text", lambda v: isinstance(v, str))
REQUIRED_TEXT = Kind("non-empty text", lambda v: isinstance(v, str) and v != "")
FLAG = Kind("true or false", lambda v: isinstance(v, bool))
USER_ID = Kind("user id", _int_within(1, INT64))  # Bot API: at most 52 significant bits
CHAT_ID = Kind("chat id", lambda v: _int_within(-INT64, INT64)(v) and v != 0)
MESSAGE_ID = Kind("message id", _int_within(1, INT32))
OFFSET = Kind("offset", _int_within(0, INT32))
UPDATE_ID = Kind("update id", _int_within(0, INT64))

# --- Telegram: the updates the connector reads, and every field it reads in them ---------------

TG_USER = {"id": 5550001, "is_bot": False, "first_name": "Ivan", "last_name": "Petrov",
           "username": "ipetrov"}
TG_CHAT = {"id": GROUP, "title": "EHR L2", "is_forum": True, "type": "supergroup"}
TG_DOCS: dict[str, dict[str, Any]] = {
    "command": {"update_id": 700000001, "message": {
        "message_id": 12, "from": TG_USER, "chat": TG_CHAT, "date": 1763632800,
        "message_thread_id": 7, "is_topic_message": True, "text": "/progress Перезапустили",
        "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
        "reply_to_message": {"message_id": 7, "chat": TG_CHAT, "date": 1763632700}}},
    "photo": {"update_id": 700000002, "message": {
        "message_id": 13, "from": TG_USER, "chat": TG_CHAT, "date": 1763632800,
        "caption": "скриншот", "photo": [{"file_id": "F1", "width": 90, "height": 60}]}},
    "button": {"update_id": 700000003, "callback_query": {
        "id": "4382", "from": TG_USER, "chat_instance": "-7919", "data": "hdc:oneoff:1",
        "message": {"message_id": 11, "chat": TG_CHAT, "date": 1763632700,
                    "message_thread_id": 9, "is_topic_message": True, "text": "🚨 Алерт"}}},
    "join": {"update_id": 700000004, "chat_join_request": {
        "chat": TG_CHAT, "from": TG_USER, "user_chat_id": 5550001, "date": 1763632900}},
}


def _person(doc: str, *where: str, sender: Kind = OBJECT
            ) -> list[tuple[str, tuple[Any, ...], Kind]]:
    return [(doc, (*where, "from"), sender), (doc, (*where, "from", "id"), USER_ID),
            *((doc, (*where, "from", k), TEXT.or_null())
              for k in ("first_name", "last_name", "username"))]


def _message_in(doc: str, *where: str) -> list[tuple[str, tuple[Any, ...], Kind]]:
    return [(doc, (*where, "chat"), OBJECT),
            (doc, (*where, "chat", "id"), CHAT_ID), (doc, (*where, "message_id"), MESSAGE_ID),
            (doc, (*where, "message_thread_id"), MESSAGE_ID.or_null())]


TELEGRAM_READS = [
    *((doc, ("update_id",), UPDATE_ID) for doc in TG_DOCS),
    ("command", ("message",), OBJECT.or_null()), ("button", ("callback_query", "message"), OBJECT),
    *_message_in("command", "message"), *_person("command", "message", sender=OBJECT.or_null()),
    ("command", ("message", "from", "is_bot"), FLAG.or_null()),
    ("command", ("message", "is_topic_message"), FLAG.or_null()),
    ("command", ("message", "text"), TEXT.or_null()),
    ("command", ("message", "entities"), LIST.or_null()),
    ("command", ("message", "entities", 0), OBJECT),
    ("command", ("message", "entities", 0, "type"), REQUIRED_TEXT),
    ("command", ("message", "entities", 0, "offset"), OFFSET),
    ("command", ("message", "entities", 0, "length"), OFFSET),
    ("command", ("message", "reply_to_message"), OBJECT.or_null()),
    ("command", ("message", "reply_to_message", "message_id"), MESSAGE_ID),
    ("photo", ("message", "caption"), TEXT.or_null()),
    ("photo", ("message", "photo"), LIST.or_null()),
    *(("photo", ("message", kind), OBJECT.or_null())
      for kind in ("document", "video", "audio", "voice")),
    *_message_in("button", "callback_query", "message"), *_person("button", "callback_query"),
    ("button", ("callback_query",), OBJECT.or_null()),
    ("button", ("callback_query", "id"), REQUIRED_TEXT),
    ("button", ("callback_query", "data"), TEXT.or_null()),
    ("join", ("chat_join_request",), OBJECT.or_null()),
    ("join", ("chat_join_request", "chat"), OBJECT),
    ("join", ("chat_join_request", "chat", "id"), CHAT_ID),
    *_person("join", "chat_join_request"),
]

_PLAIN = st.one_of(st.sampled_from(SPECIAL_VALUES), st.integers(), st.floats(),
                   st.text(max_size=20), st.booleans(), st.none())
ANY_JSON = st.recursive(_PLAIN, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)


def refused_naming(normalize: Callable[[str, Any], Any], event: str, doc: Any,
                   path: tuple[Any, ...]) -> None:
    """The normaliser refuses the document with a short reason starting with the field."""
    with pytest.raises(PayloadError) as refused:
        normalize(event, doc)
    reason = refused.value.reason
    assert re.match(f"{re.escape(dotted(path))}: ", reason), reason
    assert refused.value.status == 422 and len(reason) < 200 and "\n" not in reason


@pytest.mark.parametrize(("doc", "path", "kind"), [
    pytest.param(d, p, k, id=f"{d}: {dotted(p)}") for d, p, k in TELEGRAM_READS])
def test_every_telegram_sample_reads_as_documented(
        doc: str, path: tuple[Any, ...], kind: Kind) -> None:
    """The table's own check: the unspoiled samples fit it and are read."""
    node: Any = TG_DOCS[doc]
    for key in path:
        node = node.get(key) if isinstance(node, dict) else node[key]
    assert kind.fits(node), f"{doc}: {dotted(path)} = {node!r} is not {kind}"
    assert telegram_events.normalize("update", TG_DOCS[doc]) is not None


@settings(max_examples=400, deadline=None)
@given(field=st.sampled_from(TELEGRAM_READS), data=st.data())
def test_a_wrong_type_anywhere_telegram_is_read_is_refused_naming_the_field(
        field: tuple[str, tuple[Any, ...], Kind], data: st.DataObject) -> None:
    doc, path, kind = field
    value = data.draw(ANY_JSON.filter(lambda v: not kind.fits(v)), label="value")
    refused_naming(telegram_events.normalize, "update", changed(TG_DOCS[doc], path, value),
                   path)


@pytest.mark.parametrize(("doc", "path", "value"), [
    pytest.param("command", ("message", "message_thread_id"), {"id": 7},
                 id="topic id an object"),
    pytest.param("command", ("message", "entities"), "bot_command", id="entities a string"),
    pytest.param("command", ("message", "from"), "ipetrov", id="sender a string"),
    pytest.param("command", ("message", "from", "id"), 10**30, id="user id of 10^30"),
    pytest.param("join", ("chat_join_request", "from", "id"), 10**30,
                 id="joiner's id of 10^30"),
    pytest.param("button", ("callback_query", "message", "message_id"), 2**31,
                 id="message id beyond 32 bits"),
    pytest.param("command", ("message",), "привет", id="message a string"),
    pytest.param("join", ("update_id",), True, id="update id true"),
])
def test_the_testers_wrong_types_are_refused_naming_the_field(
        doc: str, path: tuple[Any, ...], value: Any) -> None:
    refused_naming(telegram_events.normalize, "update", changed(TG_DOCS[doc], path, value),
                   path)


@pytest.mark.parametrize(("doc", "path", "value", "check"), [
    pytest.param("command", ("message", "from"), None,
                 lambda e: isinstance(e, ChatMessage) and e.author_id == "", id="no sender"),
    pytest.param("command", ("message", "entities"), None,
                 lambda e: isinstance(e, ChatMessage), id="entities null: just text"),
    pytest.param("command", ("message", "message_thread_id"), INT32,
                 lambda e: e.thread_id == str(INT32), id="largest topic id"),
    pytest.param("join", ("chat_join_request", "from", "id"), INT64,
                 lambda e: e == ChatJoin("telegram", str(GROUP), str(INT64), "Ivan Petrov"),
                 id="largest user id"),
    pytest.param("button", ("callback_query", "data"), None, lambda e: e is None,
                 id="a press without data: not ours"),
])
def test_absent_null_or_extreme_but_documented_values_are_read(
        doc: str, path: tuple[Any, ...], value: Any, check: Callable[[Any], bool]) -> None:
    assert check(telegram_events.normalize("update", changed(TG_DOCS[doc], path, value)))


# --- Slack: signed, but a bug in a payload is still a 4xx, never a worker's crash ------------

SLACK_DOCS: dict[str, tuple[str, dict[str, Any]]] = {
    "message": ("event_callback", {"type": "event_callback", "event_id": "Ev01", "event": {
        "type": "message", "channel": "C0L2", "user": "U0L2ENG", "text": "Смотрю",
        "ts": "1700000001.000200", "thread_ts": "1700000000.000100", "username": "eng",
        "bot_id": "B0", "subtype": "bot_message",
        "files": [{"permalink": "https://slack.test/f/1", "url_private": "https://f.test/1"}]}}),
    "button": ("block_actions", {
        "type": "block_actions", "user": {"id": "U0L1", "name": "l1-duty", "username": "l1"},
        "container": {"type": "message", "message_ts": "1700000000.000100",
                      "thread_ts": "1700000000.000100", "channel_id": "C0L2"},
        "channel": {"id": "C0L2"}, "response_url": "https://hooks.slack.test/r/1",
        "trigger_id": "1.2", "actions": [{"action_id": "hdc:oneoff:1", "value": "hdc:oneoff:1",
                                          "action_ts": "1700000002.1"}]}),
    "form": ("view_submission", {"type": "view_submission", "trigger_id": "1.2",
                                 "user": {"id": "U0L2", "name": "eng", "username": "eng"},
                                 "view": {"id": "V1", "hash": "h1",
                                          "callback_id": "hdc:outage:conclude:1",
                                          "state": {"values": {"cause": {"cause": {
                                              "type": "plain_text_input",
                                              "value": "Отказ сервера"}}}}}}),
    "command": ("slash_command", {"command": "/progress", "text": "данные целы",
                                  "channel_id": "C0L2", "user_id": "U0L2", "user_name": "eng",
                                  "trigger_id": "1.2"}),
}
SLACK_READS = [
    ("message", ("event",), OBJECT), ("message", ("event", "type"), REQUIRED_TEXT),
    ("message", ("event", "channel"), REQUIRED_TEXT), ("message", ("event", "ts"), REQUIRED_TEXT),
    *(("message", ("event", k), TEXT.or_null())
      for k in ("subtype", "thread_ts", "user", "bot_id", "username", "text")),
    ("message", ("event", "files"), LIST.or_null()), ("message", ("event", "files", 0), OBJECT),
    ("message", ("event", "files", 0, "permalink"), TEXT.or_null()),
    ("message", ("event", "files", 0, "url_private"), TEXT.or_null()),
    ("button", ("actions",), LIST), ("button", ("actions", 0), OBJECT),
    *(("button", ("actions", 0, k), TEXT.or_null()) for k in ("action_id", "value", "action_ts")),
    ("button", ("user",), OBJECT), ("button", ("user", "id"), REQUIRED_TEXT),
    *(("button", ("user", k), TEXT.or_null()) for k in ("name", "username")),
    ("button", ("container",), OBJECT),
    *(("button", ("container", k), TEXT.or_null())
      for k in ("channel_id", "message_ts", "thread_ts")),
    ("button", ("channel",), OBJECT.or_null()), ("button", ("channel", "id"), TEXT.or_null()),
    *(("button", (k,), TEXT.or_null()) for k in ("response_url", "trigger_id")),
    ("form", ("view",), OBJECT), ("form", ("user",), OBJECT),
    ("form", ("user", "id"), REQUIRED_TEXT),
    *(("form", ("view", k), TEXT.or_null()) for k in ("id", "hash", "callback_id")),
    ("form", ("view", "state"), OBJECT), ("form", ("view", "state", "values"), OBJECT),
    ("form", ("view", "state", "values", "cause"), OBJECT),
    ("form", ("view", "state", "values", "cause", "cause"), OBJECT.or_null()),
    ("form", ("view", "state", "values", "cause", "cause", "value"), TEXT.or_null()),
    *(("command", (k,), REQUIRED_TEXT) for k in ("command", "channel_id", "user_id")),
    *(("command", (k,), TEXT.or_null()) for k in ("text", "user_name", "trigger_id")),
]


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(SLACK_READS), data=st.data())
def test_a_wrong_type_anywhere_slack_is_read_is_refused_naming_the_field(
        field: tuple[str, tuple[Any, ...], Kind], data: st.DataObject) -> None:
    doc, path, kind = field
    event, payload = SLACK_DOCS[doc]
    assert slack_events.normalize(event, payload) is not None  # the sample itself is read
    value = data.draw(ANY_JSON.filter(lambda v: not kind.fits(v)), label="value")
    refused_naming(slack_events.normalize, event, changed(payload, path, value), path)
