"""Hostile requests for the webhook receivers: realistic deliveries to spoil, values that break
naive parsers, and the one check every answer must pass (no 5xx, a one-line 4xx or a documented
200, nothing stored half-way, nothing the worker chokes on)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from connector.core import Connector
from connector.pipeline import drain_inbox
from connector.store.schema import alerts, inbox, metadata, threads
from plugins.slack.verify import sign
from tests.conftest import (
    ALERTS_TOKEN,
    MANTIS_SECRET,
    OTRS_HOOK_PASSWORD,
    OTRS_HOOK_USER,
    SLACK_L2,
    SLACK_SIGNING_SECRET,
    TELEGRAM_SECRET,
    TG_L2,
    WEBHOOK_SECRET,
    issue_hook,
    note_hook,
)

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_BODY = 1024 * 1024
THREAD_TS = "1700000000.000100"  # the seeded Slack thread of gitlab:1#23
TOPIC = 7  # the seeded Telegram topic of gitlab:1#23
ANSWERED = frozenset({"accepted", "duplicate", "ignored"})
SETTLED = frozenset({"done", "ignored", "failed"})


# --- JSON values that break assumptions ------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """JSON text put into a body verbatim: what json.dumps cannot (or will not) write."""

    text: str

    def __repr__(self) -> str:
        return f"Raw({short(self.text)})"


def short(value: Any, limit: int = 80) -> str:
    """repr of a value, cut to `limit` characters with its full length said."""
    text = value.text if isinstance(value, Raw) else repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


RAW_VALUES = (
    Raw("1" + "0" * 5000),  # more digits than int() converts (sys.get_int_max_str_digits)
    Raw("-" + "9" * 4301),
    Raw("1e400"), Raw("-1e400"), Raw("1e-400"), Raw("0." + "0" * 5000 + "1"),
    Raw("[" * 10_000 + "]" * 10_000),  # deeper than the recursion limit
    Raw('{"a":' * 3000 + "1" + "}" * 3000),
    Raw("[" * 900 + "]" * 900),
    Raw('"\\ud800"'), Raw('"\\udfff"'), Raw('"a\\ud83d"'), Raw('"\\u0000"'),
    Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("-0"),
)
SPECIAL_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**300,
    -(10**300), 1e308, -1e308, 5e-324, -0.0, 1.5,
    "", " ", "0", "-1", "1", "1e999", "nan", "inf", "NaN", "null", "true", "[]", "{}",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01 00:00:00",
    "9999-12-31 23:59:59 UTC", "2026-02-30T00:00:00Z", "2026-11-20T10:00:00", "yesterday",
    "1700000000.000100", "1e20", "-1e20", "99999999999999999999", "9" * 5000, "²",
    "\ud800", "\udfff", "x\udc00y", "\x00", "\u2028", "\ufeff", "ЭМК «Печать»", "🚨",
    "x" * 70_000, "Ж" * 40_000, "a\nb", "%s%d{0}", "../../etc/passwd",
    "hdc:oneoff:1", "hdc:oneoff:99999999999999999999", "hdc:oneoff:²", "hdc:oneoff:" + "9" * 5000,
    "hdc:register:1:" + "9" * 5000, "hdc:register:1:²", "hdc:accident:1", "hdc:",
    "Priority: High", "L2", "TicketCreate", "customer", "closed", "merged", "opened",
    [], {}, [[]], [{}], {"": {}}, {"id": None}, {"name": None}, [None], ["x"], [1, "a", None],
)
_SURROGATES = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
_ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(SPECIAL_VALUES), st.sampled_from(RAW_VALUES), st.none(), st.booleans(),
    st.integers(), st.floats(), st.text(max_size=30), _ANY_TEXT, _SURROGATES)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(st.text(max_size=10), _SURROGATES), inner, max_size=4),
    max_leaves=8)
ODD_TIMES = ("0001-01-01T00:00:00+01:00", "0001-01-01 00:30:00+14:00", "0001-01-01T00:00:00Z",
             "9999-12-31T23:59:59-01:00", "9999-12-31 23:00:00 -12:00", "9999-12-31 23:59:59 UTC",
             "2026-11-20T24:00:00Z", "2026-11-20T10:00:00+25:00", "2026-02-30 10:00:00",
             "2026-W47-5", "1e20", "1763632800", "")
ODD_NUMBERS: tuple[Any, ...] = (Raw("1" + "0" * 5000), Raw("1e400"), Raw("NaN"), Raw("-Infinity"),
                                10**30, -(10**30), 2**63, -1, 0, True, 1.5, 1e20, -1e20, "1",
                                "9" * 5000, "²", None)


def odd_like(original: Any) -> st.SearchStrategy[Any]:
    """Values a careless sender might put where `original` was: the same type at its limits,
    a near type, the value spelled differently."""
    if isinstance(original, bool):
        return st.sampled_from((0, 1, "true", "false", None, [], {}))
    if isinstance(original, int | float):
        return st.sampled_from(ODD_NUMBERS)
    if isinstance(original, str):
        variants = [original + "\ud800", "\udc00" + original, original * (70_000 // max(
            len(original), 1) + 1), original.upper(), f" {original} ", original + "\x00"]
        if original[:1].isdigit():
            variants += ["9" * 5000 + original, original + "e999", "-" + original]
        if original[-1:].isdigit():  # ids and numbers inside strings: "7", "hdc:oneoff:1"
            variants += [original + "9" * 30, original + "9" * 5000, original + "²"]
        if ":" in original and original[:2].isdigit():
            return st.sampled_from((*ODD_TIMES, *variants))
        return st.sampled_from((*variants, *ODD_NUMBERS))
    if isinstance(original, list):
        return st.sampled_from(([], [None], [[]], [{}], [1], original * 500, {"0": original}, "x",
                                1, True, 1.5, None))
    if isinstance(original, dict):
        return st.sampled_from(({}, [original], dict.fromkeys(original),
                                {k: {} for k in original}, {k: [] for k in original},
                                "x", 1, True, [], None))
    return JSON_VALUES


def replacement(original: Any) -> st.SearchStrategy[Any]:
    """Anything at all, but more often an odd variant of the value replaced."""
    return st.one_of(odd_like(original), odd_like(original), JSON_VALUES)


def dumps(doc: Any, *, ensure_ascii: bool = True) -> str:
    """JSON text of a document whose leaves may be Raw."""
    raws: dict[str, str] = {}

    def swap(node: Any) -> Any:
        if isinstance(node, Raw):
            marker = f"\x00raw{len(raws)}\x00"
            raws[json.dumps(marker)] = node.text
            return marker
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    text = json.dumps(swap(doc), ensure_ascii=ensure_ascii)
    for marker, raw in raws.items():
        text = text.replace(marker, raw)
    return text


def to_bytes(text: str) -> bytes:
    """UTF-8 bytes of a text; lone surrogates come out as (invalid) UTF-8 sequences."""
    return text.encode("utf-8", "surrogatepass")


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document where a value can be swapped or removed."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def changed(doc: Any, path: tuple[Any, ...], value: Any, *, remove: bool = False) -> Any:
    """A copy of the document with the value at `path` replaced (or removed)."""
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if remove:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def value_at(doc: Any, path: tuple[Any, ...]) -> Any:
    """The value at `path` in a JSON document."""
    for key in path:
        doc = doc[key]
    return doc


def dotted(path: tuple[Any, ...]) -> str:
    """A path as people write it: `labels[3].title`."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


# --- realistic deliveries ----------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A realistic delivery: its JSON document and how it travels (JSON, form field, form)."""

    name: str
    path: str
    doc: Any
    headers: tuple[tuple[str, str], ...] = ()
    form: str = ""  # "": JSON body; "payload": JSON in that form field; "fields": a form
    hot: tuple[str, ...] = ()  # in a big document, the places the connector reads (`a[*].b`)

    def paths(self) -> st.SearchStrategy[tuple[Any, ...]]:
        """Any place in the document; half of the time a hot one."""
        every = paths(self.doc)
        hot = re.compile("|".join(re.escape(h).replace(r"\[\*\]", r"\[\d+\]") for h in self.hot))
        chosen = [p for p in every if self.hot and hot.fullmatch(dotted(p))]
        anywhere = st.sampled_from(every)
        return st.one_of(st.sampled_from(chosen), anywhere) if chosen else anywhere

    @property
    def content_type(self) -> str:
        """The content type the sender uses for this sample."""
        return FORM_TYPE if self.form else JSON_TYPE

    def encode(self, doc: Any, *, ensure_ascii: bool = True) -> bytes:
        """The body carrying `doc` as the sender would put it."""
        if self.form == "payload":
            return form_body({"payload": dumps(doc, ensure_ascii=ensure_ascii)})
        if self.form == "fields":
            if not isinstance(doc, dict):
                return to_bytes(dumps(doc, ensure_ascii=ensure_ascii))
            return form_body({str(k): v if isinstance(v, str) else dumps(v) for k, v in
                              doc.items()})
        return to_bytes(dumps(doc, ensure_ascii=ensure_ascii))

    def wrap(self, text: bytes) -> bytes:
        """Arbitrary bytes where this sample's JSON goes (the `payload` field for a form)."""
        if self.form == "payload":
            return b"payload=" + urlencode({"": text}).encode()[1:]
        return text


def form_body(fields: Mapping[str, str]) -> bytes:
    """A urlencoded form; lone surrogates go out as (invalid) UTF-8 bytes."""
    return urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()


Auth = Callable[[bytes, Mapping[str, str]], dict[str, str]]


@dataclass(frozen=True)
class Receiver:
    """One receiver: realistic samples, how to authenticate a body, the headers it reads."""

    name: str
    samples: tuple[Sample, ...]
    auth: Auth
    header_names: tuple[str, ...]


def _gitlab_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"X-Gitlab-Token": WEBHOOK_SECRET}


def mantis_signature(body: bytes) -> str:
    """`X-Signature` as the Mantis plugin's Signer makes it."""
    return "sha256=" + hmac.new(MANTIS_SECRET.encode(), body, hashlib.sha256).hexdigest()


def _mantis_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"X-Signature": mantis_signature(body)}


OTRS_AUTH = "Basic " + base64.b64encode(f"{OTRS_HOOK_USER}:{OTRS_HOOK_PASSWORD}".encode()).decode()


def _otrs_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"Authorization": OTRS_AUTH}


def _slack_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    """Signed over the request's own timestamp header when it has one (odd or not)."""
    ts = headers.get("X-Slack-Request-Timestamp", str(int(time.time())))
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SLACK_SIGNING_SECRET, ts, body)}


def _telegram_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


def _alerts_auth(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {ALERTS_TOKEN}"}


def mantis_hook(event: str) -> dict[str, Any]:
    """A body as the shipped Mantis plugin's Payload::build makes it."""
    person = {"id": 3, "name": "ivanova"}
    issue = {
        "id": 42, "project": {"id": 1, "name": "МИАЦ"}, "category": "General",
        "summary": "Ошибка записи к логопеду",
        "description": "Данные о заявителе: Иванова А.А., медсестра\nОписание ошибки: нет шаблона",
        "steps_to_reproduce": "Регистратура → Расписание", "additional_information": "",
        "status": {"id": 10, "name": "new"}, "priority": {"id": 30, "name": "normal"},
        "severity": {"id": 50, "name": "minor"}, "reporter": person, "handler": None,
        "custom_fields": [{"field": {"id": 1, "name": "Линия"}, "value": "L2"},
                          {"field": {"id": 2, "name": "Данные пациента"}, "value": ""}],
        "attachments": [{"id": 1, "filename": "screen.png", "size": 2048,
                         "content_type": "image/png"}],
        "created_at": "2026-11-20T10:00:00+00:00", "updated_at": "2026-11-20T10:05:00+00:00"}
    body: dict[str, Any] = {
        "event": event, "delivery_id": "0b9e3c1e-8f0a-4c41-9f3e-3f1b2b0c7d11",
        "sent_at": "2026-11-20T10:05:01+00:00", "mantis_url": "https://mantis.test/",
        "actor": {"id": 5, "name": "l1-petrov", "access_level": {"id": 55, "name": "developer"}},
        "issue": issue, "changes": {}, "note": None}
    if event == "issue_updated":
        body["changes"] = {"priority": {"old": "low", "new": "normal"},
                           "custom_fields": {"Линия": {"old": "L1", "new": "L2"}}}
    if event == "note_added":
        body["note"] = {"id": 900, "text": "Данные пациента: Петров П.П., карта 123456",
                        "reporter": person, "view_state": "public",
                        "created_at": "2026-11-20T10:05:00+00:00"}
    return body


def otrs_hook(event: str) -> dict[str, Any]:
    """A body as the Ticket::Generic invoker of the shipped web service sends it."""
    article = {"ArticleID": "31", "SenderType": "customer", "From": "ivanova@example.com",
               "Subject": "Нет доступа к ЭМК", "Body": "Описание ошибки: «Нет доступа к ЭМК»",
               "Attachment": [{"Filename": "screen.png", "FilesizeRaw": "2048"}]}
    ticket = {
        "TicketID": "7", "TicketNumber": "2026112010000007", "Queue": "Support",
        "Title": "Не печатается ЭМК", "State": "open", "StateType": "open",
        "Priority": "3 normal", "Type": "Incident", "Owner": "root@localhost",
        "CustomerUserID": "ivanova", "ChangeBy": "5", "Changed": "2026-11-25 09:00:00",
        "DynamicField_Impact": "minor", "DynamicField_Line": ["L1", "L2"],
        "DynamicField": [{"Name": "Impact", "Value": "minor"}],
        "Articles": [article], "Article": article if event == "ArticleCreate" else {}}
    data: dict[str, Any] = {"TicketID": "7"}
    if event == "ArticleCreate":
        data["ArticleID"] = "31"
    if event == "TicketStateUpdate":
        data["OldTicketData"] = {"TicketID": "7", "State": "new", "StateType": "new"}
    return {"Event": data, "Ticket": ticket}


def slack_callback() -> dict[str, Any]:
    """An Events API callback: a person's reply in the seeded Slack thread."""
    return {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": "Ev01", "event_time": 1700000001,
            "event": {"type": "message", "channel": SLACK_L2, "user": "U0L2ENG",
                      "text": "Смотрю", "ts": "1700000001.000200", "thread_ts": THREAD_TS,
                      "files": [{"permalink": "https://slack.test/f/1"}]}}


def slack_button(value: str) -> dict[str, Any]:
    """A block_actions interaction: a press on a button carrying `value`."""
    return {"type": "block_actions", "user": {"id": "U0L1", "name": "l1-duty"},
            "container": {"type": "message", "message_ts": THREAD_TS, "channel_id": SLACK_L2},
            "channel": {"id": SLACK_L2}, "response_url": "https://hooks.slack.test/r/1",
            "actions": [{"action_id": value, "value": value, "action_ts": "1700000002.1"}]}


TG_USER = {"id": 5550001, "is_bot": False, "first_name": "Ivan", "last_name": "Petrov",
           "username": "ipetrov", "language_code": "ru"}
TG_CHAT = {"id": TG_L2, "title": "EHR L2", "is_forum": True, "type": "supergroup"}


def telegram_message() -> dict[str, Any]:
    """An update: a member's message with a photo in the seeded forum topic."""
    return {"update_id": 700000001, "message": {
        "message_id": 12, "from": TG_USER, "chat": TG_CHAT, "date": 1763632800,
        "message_thread_id": TOPIC, "is_topic_message": True, "text": "Воспроизвёл на стенде",
        "photo": [{"file_id": "F1", "width": 90, "height": 90}]}}


def telegram_button() -> dict[str, Any]:
    """An update: a press on the one-off button of alert 1 in the seeded topic."""
    shown = {"message_id": 11, "from": {"id": 1, "is_bot": True, "first_name": "Helpdesk"},
             "chat": TG_CHAT, "date": 1763632700, "message_thread_id": TOPIC,
             "is_topic_message": True, "text": "🚨 Алерт: disk full"}
    return {"update_id": 700000002, "callback_query": {
        "id": "4382", "from": TG_USER, "message": shown, "chat_instance": "-7919",
        "data": "hdc:oneoff:1"}}


def am_alert(name: str, fingerprint: str, status: str = "firing") -> dict[str, Any]:
    """One alert of an Alertmanager (version 4) body."""
    return {"status": status,
            "labels": {"alertname": name, "severity": "critical", "instance": "db1:9100"},
            "annotations": {"summary": f"{name} on db1"},
            "startsAt": "2026-11-20T10:00:00.000Z", "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.test/graph?g0.expr=up", "fingerprint": fingerprint}


ALERTMANAGER = {"version": "4", "groupKey": '{}:{alertname="DiskFull"}', "truncatedAlerts": 0,
                "status": "firing", "receiver": "helpdesk", "groupLabels": {},
                "commonLabels": {"severity": "critical"}, "commonAnnotations": {},
                "externalURL": "http://alertmanager.test",
                "alerts": [am_alert("DiskFull", "a1b2"), am_alert("HighLoad", "c3d4", "resolved")]}
GENERIC_ALERT = {"alerts": [{"id": "disk-full-db1", "status": "firing", "title": "Диск заполнен",
                             "severity": "critical", "summary": "95 %",
                             "url": "https://zabbix.test/e/1",
                             "started_at": "2026-11-20T10:00:00Z"}]}

ISSUE_READ = ("object_kind", "labels", "labels[*]", "labels[*].title", "changes",
              "changes.labels", "changes.labels.previous", "changes.labels.previous[*].title",
              "project", "project.id", "user", "user.username", "assignees", "assignees[*]",
              "assignees[*].username", "object_attributes", "object_attributes.labels",
              *(f"object_attributes.{k}" for k in ("id", "iid", "title", "state", "action", "url",
                                                   "updated_at")))
NOTE_READ = ("project", "project.id", "user", "user.username", "issue", "issue.iid",
             "issue.title", "issue.state", "issue.labels", "issue.labels[*].title",
             "object_attributes", *(f"object_attributes.{k}" for k in (
                 "id", "noteable_type", "system", "note", "url", "updated_at")))
GITLAB = Receiver("gitlab", (
    Sample("issue hook", "/webhooks/gitlab", issue_hook("Priority: Low", "Priority: High", "L2"),
           (("X-Gitlab-Event", "Issue Hook"),), hot=ISSUE_READ),
    Sample("note hook", "/webhooks/gitlab", note_hook("Смотрю, @l1-user"),
           (("X-Gitlab-Event", "Note Hook"),), hot=NOTE_READ),
), _gitlab_auth, ("X-Gitlab-Token", "X-Gitlab-Event", "Idempotency-Key", "X-Gitlab-Event-UUID",
                  "X-Gitlab-Webhook-UUID"))
MANTIS = Receiver("mantis", tuple(
    Sample(event, "/webhooks/mantis", mantis_hook(event),
           (("X-Mantis-Event", event), ("X-Delivery-Id", "0b9e3c1e-8f0a-4c41-9f3e-3f1b2b0c7d11"),
            ("User-Agent", "HelpdeskConnector-MantisBT/1.0")))
    for event in ("issue_reported", "issue_updated", "note_added")
), _mantis_auth, ("X-Signature", "X-Mantis-Event", "X-Delivery-Id"))
OTRS = Receiver("otrs", tuple(
    Sample(event, f"/webhooks/otrs/{event}", otrs_hook(event))
    for event in ("TicketCreate", "TicketStateUpdate", "TicketPriorityUpdate", "ArticleCreate")
), _otrs_auth, ("Authorization",))
SLACK_HEADERS = ("X-Slack-Request-Timestamp", "X-Slack-Signature")
SLACK_EVENTS = Receiver("slack-events", (
    Sample("reply in a thread", "/webhooks/slack/events", slack_callback()),
    Sample("url_verification", "/webhooks/slack/events",
           {"token": "legacy", "challenge": "3eZbrw1a", "type": "url_verification"}),
), _slack_auth, SLACK_HEADERS)
SLACK_INTERACTIONS = Receiver("slack-interactions", (
    Sample("one-off button", "/webhooks/slack/interactions", slack_button("hdc:oneoff:1"),
           form="payload"),
    Sample("register button", "/webhooks/slack/interactions", slack_button("hdc:register:1:0"),
           form="payload"),
), _slack_auth, SLACK_HEADERS)
SLACK_COMMANDS = Receiver("slack-commands", (
    Sample("/helpdesk", "/webhooks/slack/commands", {
        "token": "legacy", "team_id": "T1", "channel_id": SLACK_L2, "user_id": "U0L2ENG",
        "command": "/helpdesk", "text": "", "response_url": "https://hooks.slack.test/c/1",
        "trigger_id": "13345224609.738"}, form="fields"),
), _slack_auth, SLACK_HEADERS)
TELEGRAM = Receiver("telegram", (
    Sample("reply in a topic", "/webhooks/telegram", telegram_message()),
    Sample("button press", "/webhooks/telegram", telegram_button()),
), _telegram_auth, ("X-Telegram-Bot-Api-Secret-Token",))
ALERTS = Receiver("alerts", (
    Sample("alertmanager", "/webhooks/alerts", ALERTMANAGER),
    Sample("generic", "/webhooks/alerts", GENERIC_ALERT),
), _alerts_auth, ("Authorization",))
RECEIVERS = (GITLAB, MANTIS, OTRS, SLACK_EVENTS, SLACK_INTERACTIONS, SLACK_COMMANDS, TELEGRAM,
             ALERTS)


# --- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """One request to send; its repr (what hypothesis prints) says what is odd about it."""

    what: str
    path: str
    body: bytes
    headers: tuple[tuple[str, str], ...]
    method: str = "POST"
    chunked: bool = False  # sent as a server that decodes chunked bodies passes it on

    def __repr__(self) -> str:
        return f"<{self.what}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints dataclasses field by field (a body can be a MiB): use the repr."""
        printer.text(repr(self))


def signed(receiver: Receiver, sample: Sample, body: bytes, what: str,
           content_type: str | None = None) -> Delivery:
    """A delivery with the sample's headers and valid auth for this body."""
    headers = {**dict(sample.headers),
               "Content-Type": sample.content_type if content_type is None else content_type}
    headers.update(receiver.auth(body, headers))
    return Delivery(what, sample.path, body, tuple(headers.items()))


@st.composite
def spoiled(draw: st.DrawFn, receiver: Receiver) -> Delivery:
    """A valid, authenticated delivery with one value anywhere swapped for any JSON value, or
    one key (list item) removed."""
    sample = draw(st.sampled_from(receiver.samples))
    path = draw(sample.paths())
    if draw(st.integers(0, 5)) == 0:
        doc, change = changed(sample.doc, path, None, remove=True), f"{dotted(path)} removed"
    else:
        value = draw(replacement(value_at(sample.doc, path)), label="value")
        doc, change = changed(sample.doc, path, value), f"{dotted(path)} := {short(value)}"
    ensure_ascii = draw(st.booleans())
    body = sample.encode(doc, ensure_ascii=ensure_ascii)
    return signed(receiver, sample, body, f"{sample.name}: {change}"
                  + ("" if ensure_ascii else " (non-ASCII as UTF-8)"))


def _sample(receiver: Receiver, name: str) -> Sample:
    """The receiver's sample of that name."""
    return next(s for s in receiver.samples if s.name == name)


def with_value(receiver: Receiver, name: str, path: tuple[Any, ...], value: Any) -> Delivery:
    """The named sample, authenticated, with the value at `path` replaced."""
    sample = _sample(receiver, name)
    body = sample.encode(changed(sample.doc, path, value))
    return signed(receiver, sample, body, f"{name}: {dotted(path)} := {short(value)}")


def with_body(receiver: Receiver, name: str, body: bytes,
              content_type: str | None = None) -> Delivery:
    """An authenticated request of the named sample's kind carrying `body`."""
    sample = _sample(receiver, name)
    return signed(receiver, sample, body, f"{name}: body {short(body)}", content_type)


def with_header(receiver: Receiver, name: str, header: str, value: str) -> Delivery:
    """The named sample, authenticated (over this header too), with one header set."""
    sample = _sample(receiver, name)
    body = sample.encode(sample.doc)
    headers = {**dict(sample.headers), "Content-Type": sample.content_type, header: value}
    headers = {**receiver.auth(body, headers), **headers}
    return Delivery(f"{name}: {header}: {short(value)}", sample.path, body, tuple(headers.items()))


FIXED_JUNK: tuple[tuple[str, bytes], ...] = (
    ("empty", b""), ("spaces", b" " * 1000), ("NUL", b"\x00"),
    ("[ x10000", b"[" * 10_000), ("{ x10000", b"{" * 10_000),
    ("[] nested 10000 deep", b"[" * 10_000 + b"]" * 10_000),
    ('{"a": nested 10000 deep', b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
    ("5000-digit integer", b"1" + b"0" * 5000),
    ("5000-digit update_id", b'{"update_id": 1' + b"0" * 5000 + b"}"),
    ("5000-digit float", b"1." + b"0" * 5000),
    ("1e400", b"1e400"), ("NaN", b"NaN"), ("-Infinity", b"-Infinity"),
    ("UTF-8 BOM + {}", b"\xef\xbb\xbf{}"), ("UTF-16 JSON", '{"a": 1}'.encode("utf-16")),
    ("invalid UTF-8", b'{"a": "\xff\xfe"}'), ("CESU surrogate", b'{"a": "\xed\xa0\x80"}'),
    ("escaped lone surrogate", b'"\\ud800"'), ("surrogate key", b'{"\\ud800": 1}'),
    ("duplicate keys", b'{"a": 1, "a": 2}'), ("null", b"null"), ("true", b"true"),
    ("string", b'"text"'), ("[]", b"[]"), ("{}", b"{}"), ("0", b"0"),
    ("trailing comma", b'{"a": 1,}'), ("single quotes", b"{'a': 1}"),
    ("latin-1 text", "{\"a\": \"Иванова\"}".encode("cp1251")),
)


@st.composite
def junk(draw: st.DrawFn, receiver: Receiver) -> Delivery:
    """An authenticated request whose body is anything: random bytes, any JSON, broken
    encodings, deep nesting, a cut or padded valid body; under any content type."""
    sample = draw(st.sampled_from(receiver.samples))
    valid = sample.encode(sample.doc)
    name, body = draw(st.one_of(
        st.binary(max_size=300).map(lambda b: ("random bytes", b)),
        JSON_VALUES.map(lambda v: (f"JSON {short(v)}", to_bytes(dumps(v)))),
        st.sampled_from(FIXED_JUNK),
        st.integers(0, max(len(valid) - 1, 0)).map(lambda n: (f"cut at byte {n}", valid[:n])),
        st.binary(min_size=1, max_size=20).map(lambda b: (f"valid + {b!r}", valid + b)),
        st.just(("valid in latin-1", sample.encode(sample.doc, ensure_ascii=False)
                 .decode().encode("latin-1", "replace"))),
    ))
    if sample.form and draw(st.booleans()):
        name, body = f"form field payload = {name}", sample.wrap(body)
    content_type = draw(st.one_of(
        st.just(sample.content_type),
        st.sampled_from([JSON_TYPE, FORM_TYPE, "application/json; charset=utf-8",
                         "application/json; charset=latin-1", "text/plain", "",
                         "multipart/form-data", "multipart/form-data; boundary=x",
                         "application/JSON", "application/json;;;", "application/*+json",
                         "*/*", "x" * 5000]),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)))
    return signed(receiver, sample, body, f"{sample.name}: body {name} as {short(content_type)}",
                  content_type)


_b64 = base64.b64encode
ODD_HEADERS: dict[str, tuple[str, ...]] = {
    "x-slack-request-timestamp": (
        "9" * 400, "-" + "9" * 400, str(10**20), "1e10", "nan", "inf", "-1", "0", "",
        " 1700000000 ", "+1700000000", "1_700_000_000", "0x10", "²", "\xb9\xb2\xb3"),
    "x-slack-signature": ("", "v0=", "v0=" + "f" * 64, "v1=x", "v0=\xff", "x" * 100_000),
    "authorization": (
        "", "Basic", "Basic ", "Basic !!!!", "Basic ====", "Basic " + "A" * 10_001,
        "Basic " + _b64(b"\xff\xfe:\xff").decode(), "Basic " + _b64(b"znuny").decode(),
        "Basic " + _b64("znuny:пароль".encode()).decode(), "Basic émoji", "Basic \xff\xff",
        "Basic " + _b64(f"{OTRS_HOOK_USER}:{OTRS_HOOK_PASSWORD}".encode()).decode() + "\xe9",
        "Bearer", "Bearer ", "Bearer \xff", "bearer " + ALERTS_TOKEN, "Bearer  " + ALERTS_TOKEN,
        "Bearer " + ALERTS_TOKEN + "\xe9"),
    "x-signature": ("", "sha256=", "sha256=" + "0" * 64, "SHA256=zz", "sha256=\xff",
                    "md5=" + "0" * 32),
    "x-gitlab-token": ("", WEBHOOK_SECRET + "\xe9", WEBHOOK_SECRET.upper(), "\xff" * 10),
    "x-telegram-bot-api-secret-token": ("", TELEGRAM_SECRET + "\xe9", "\xff" * 10),
    "x-gitlab-event": ("Issue Hook", "Note Hook", "Confidential Note Hook", "Push Hook",
                       "issue hook", "Issue Hook\xe9", ""),
    "x-mantis-event": ("issue_reported", "issue_updated", "note_added", "Reconcile", "x"),
    "content-type": ("application/json; charset=latin-1", "text/plain", "", "*/*",
                     "multipart/form-data", FORM_TYPE, JSON_TYPE),
    "transfer-encoding": ("chunked", "gzip", "identity", "chunked, chunked"),
    "content-encoding": ("gzip", "deflate", "br", "x"),
}
ANY_HEADER = ("", " ", "x" * 100_000, "Иванов".encode().decode("latin-1"), "\xff\xfe\xfd",
              "é", "\x00", "\x7f", "-1", "9" * 400, "\t")
GENERIC_HEADERS = ("Content-Type", "Authorization", "Idempotency-Key", "User-Agent", "Accept",
                   "Content-Encoding", "Transfer-Encoding", "X-Forwarded-For", "Host")
HEADER_NAMES = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E,
                                     exclude_characters=":"), min_size=1, max_size=20)


def header_value(name: str) -> st.SearchStrategy[str]:
    """Odd values for a header: those known to upset its reader, or any latin-1 text."""
    known = st.sampled_from(ODD_HEADERS.get(name.lower(), ANY_HEADER))
    return st.one_of(known, known, known, st.sampled_from(ANY_HEADER),
                     st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=50))


@st.composite
def header_edit(draw: st.DrawFn, receiver: Receiver) -> tuple[str, str, str]:
    """(name, how, value): set, repeat or remove a header, mostly one the receiver reads."""
    own = st.sampled_from(receiver.header_names)
    name = draw(st.one_of(own, own, own, st.sampled_from(GENERIC_HEADERS), HEADER_NAMES))
    return name, draw(st.sampled_from(["set", "repeat", "remove"])), draw(header_value(name))


@st.composite
def odd_headers(draw: st.DrawFn, receiver: Receiver) -> Delivery:
    """A valid body with some headers odd (huge, non-ASCII, empty, repeated, removed) and
    with or without valid auth (a Slack signature is made over an odd timestamp too)."""
    sample = draw(st.sampled_from(receiver.samples))
    body = sample.encode(sample.doc)
    edits = draw(st.lists(header_edit(receiver), min_size=1, max_size=3))
    with_auth = draw(st.booleans())
    headers: list[tuple[str, str]] = [*sample.headers, ("Content-Type", sample.content_type)]
    touched = set()
    for name, how, value in edits:
        touched.add(name.lower())
        if how != "repeat":
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        if how != "remove":
            headers.append((name, value))
    if with_auth:
        auth = receiver.auth(body, dict(headers))
        headers += [(k, v) for k, v in auth.items() if k.lower() not in touched]
    shown = ", ".join(f"{how} {n}: {short(v, 40)}" for n, how, v in edits)
    return Delivery(f"{sample.name}, {'valid' if with_auth else 'no'} auth, {shown}",
                    sample.path, body, tuple(headers))


# --- the store ----------------------------------------------------------------------------


def connector(app: Flask) -> Connector:
    """The Connector behind an app."""
    found: Connector = app.extensions["helpdesk_connector"].connector
    return found


def reset(app: Flask) -> None:
    """An empty store but for a Slack thread and a Telegram topic of gitlab:1#23 and a pending
    alert 1, so every example starts alike (hypothesis replays must not meet duplicates)."""
    with connector(app).engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        now = time.time()
        conn.execute(threads.insert(), [
            {"ticket": "gitlab:1#23", "chat": chat, "channel": "l2", "channel_id": channel,
             "thread_id": thread, "message_id": thread, "state": "open", "created_at": now}
            for chat, channel, thread in (("slack", SLACK_L2, THREAD_TS),
                                          ("telegram", str(TG_L2), str(TOPIC)))])
        conn.execute(alerts.insert().values(
            id=1, fingerprint="am:a1b2@2026-11-20T10:00:00.000Z", status="firing",
            title="DiskFull", decision="pending", updated_at=now, details=json.dumps(
                {"fingerprint": "am:a1b2@2026-11-20T10:00:00.000Z", "status": "firing",
                 "title": "DiskFull", "severity": "critical", "summary": "DiskFull on db1",
                 "url": "http://prometheus.test"})))


def last_inbox_id(app: Flask) -> int:
    """The id of the newest inbox row (0 when empty)."""
    with connector(app).engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(inbox.c.id), 0))).scalar_one())


def inbox_since(app: Flask, after: int) -> list[Any]:
    """Inbox rows (id, status, outcome, payload) stored after row `after`."""
    with connector(app).engine.connect() as conn:
        return list(conn.execute(select(inbox.c.id, inbox.c.status, inbox.c.outcome,
                                        inbox.c.payload).where(inbox.c.id > after)))


# --- the check ----------------------------------------------------------------------------


class _Errors(logging.Handler):
    """Keeps the records logged at ERROR or above."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def first(self) -> BaseException | None:
        """The first exception logged, so a failure is reported where the app raised it
        (hypothesis then tells distinct bugs apart)."""
        return next((r.exc_info[1] for r in self.records if r.exc_info), None)


@contextmanager
def logged_errors(*names: str) -> Iterator[_Errors]:
    """Errors (with their exceptions) the named loggers log meanwhile."""
    handler = _Errors()
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def send(client: FlaskClient, delivery: Delivery) -> TestResponse:
    """Send a delivery; a chunked one has no Content-Length and a terminated input stream, as
    gunicorn (or werkzeug's server) hands a `Transfer-Encoding: chunked` body to the app."""
    if delivery.chunked:
        return client.open(delivery.path, method=delivery.method,
                           input_stream=io.BytesIO(delivery.body),
                           headers=[*delivery.headers, ("Transfer-Encoding", "chunked")],
                           environ_overrides={"wsgi.input_terminated": True})
    return client.open(delivery.path, method=delivery.method, data=delivery.body,
                       headers=list(delivery.headers))


def one_line_error(response: TestResponse) -> str:
    """The `error` of a 4xx answer, which must be JSON and one line."""
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and isinstance(body.get("error"), str), (
        f"{response.status_code} without a JSON error: {response.get_data()[:200]!r}")
    error: str = body["error"]
    assert error and "\n" not in error and len(error) <= 1000, (
        f"not a one-line reason: {short(error)}")
    return error


def documented_200(path: str, response: TestResponse) -> bool:
    """A 200 the README documents for this path."""
    body = response.get_json(silent=True)
    if path == "/webhooks/slack/interactions":
        return response.get_data() == b""
    if path == "/webhooks/slack/commands":
        return isinstance(body, dict) and body.get("response_type") == "ephemeral"
    if path == "/webhooks/telegram":
        return body == {"ok": True}
    if path == "/webhooks/slack/events" and isinstance(body, dict) and "challenge" in body:
        return isinstance(body["challenge"], str)
    return isinstance(body, dict) and body.get("status") in ANSWERED


def answer_is_sound(app: Flask, client: FlaskClient, delivery: Delivery, *,
                    redirect_ok: bool = False) -> TestResponse:
    """No 5xx; a 4xx is a one-line JSON error and stores nothing; a 200 is documented, stores
    only when accepted, and what it stored the worker settles without choking. With
    `redirect_ok`, werkzeug's 308 to the canonical path (`//` merged) is fine too."""
    before = last_inbox_id(app)
    with logged_errors("webhooks.app", "flask.app") as errors:
        response = send(client, delivery)
    status = response.status_code
    if status >= 500:
        raise AssertionError(f"{status} {response.get_data()[:200]!r}") from errors.first()
    stored = inbox_since(app, before)
    if redirect_ok and status == 308:
        assert not stored, f"redirected but stored {len(stored)} inbox event(s)"
        return response
    assert status == 200 or 400 <= status < 500, f"undocumented status {status}"
    if status >= 400:
        one_line_error(response)
        assert not stored, f"{status} but stored {len(stored)} inbox event(s)"
        return response
    assert documented_200(delivery.path, response), (
        f"undocumented 200 answer: {response.get_data()[:200]!r}")
    answer = response.get_json(silent=True)
    if isinstance(answer, dict) and answer.get("status") in ("ignored", "duplicate"):
        assert not stored, f"{answer['status']} but stored {len(stored)} inbox event(s)"
    if isinstance(answer, dict) and answer.get("status") == "accepted":
        assert stored, "accepted but nothing stored"
    if stored:
        worker_settles(app, before)
    return response


def worker_settles(app: Flask, before: int) -> None:
    """The worker settles what was stored (done, ignored, or failed as a bad payload) without
    raising: a crash it parks as failed is still a crash on input the receiver let in."""
    with logged_errors("connector.pipeline") as errors:
        drain_inbox(connector(app))
    rows = inbox_since(app, before)
    stuck = [(r.id, r.status) for r in rows if r.status not in SETTLED]
    if stuck or errors.first() is not None:
        outcomes = [(r.id, r.status, short(r.outcome)) for r in rows]
        raise AssertionError(f"the worker crashed on an accepted event: {outcomes}") \
            from errors.first()
