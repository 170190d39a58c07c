"""Stand-in Telegram Bot API for tests, on top of pytest-httpserver (werkzeug).

Point the real telebot at it with ``telebot.apihelper.API_URL = standin.api_url``. Paths are
``/bot<TOKEN>/<method>``; parameters are read from the query string (telebot sends them there
even on POST), form/multipart and JSON bodies. Every answer is ``{"ok": true, "result": ...}``
or ``{"ok": false, "error_code": N, "description": ...}`` with HTTP status N, as Telegram does.
Photos (``sendPhoto``): telegram_files.py.
Update builders (:meth:`message_update`, ...) make webhook bodies exactly as Telegram sends them.

Thread safety (see base.py): all state is guarded by one lock; create the server with
``HTTPServer(threaded=True)``.
"""

from __future__ import annotations

import copy
import html
import json
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request

from tests.standins.base import ANY_PATH, Answer, Rule, StandIn
from tests.standins.telegram_files import TelegramFiles
from tests.standins.telegram_rooms import TelegramRooms

Json = dict[str, Any]
TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
USER: Json = {"id": 5550001, "is_bot": False, "first_name": "Ivan", "last_name": "Petrov",
              "username": "ipetrov", "language_code": "ru"}
RIGHTS: Json = {"can_manage_topics": True, "can_invite_users": True, "can_pin_messages": True,
                "can_change_info": True, "can_restrict_members": True}
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                 "exactly the same as a current content and reply markup of the message")
_OLD_QUERY = "query is too old and response timeout expired or query ID is invalid"
_PATH = re.compile(r"/bot([^/]*)/([^/]+)")


@dataclass
class RecordedRequest:
    at: float  # time.monotonic() when received
    method: str  # as in the path, e.g. "sendMessage"
    params: Json  # query string + form/multipart (file names) + JSON body, merged
    query: dict[str, str] = field(default_factory=dict)  # the query string alone
    status: int = 0
    ok: bool = False
    description: str | None = None


class TelegramError(Exception):
    def __init__(self, status: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def answer(self) -> Answer:
        payload: Json = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            payload["parameters"] = self.parameters
        return Answer(self.status, payload)


def _ensure(condition: Any, description: str) -> None:
    if not condition:
        raise TelegramError(400, f"Bad Request: {description}")


def _found(value: Json | None, description: str) -> Json:
    if value is None:
        raise TelegramError(400, f"Bad Request: {description}")
    return value


def _int(p: Json, key: str) -> int:
    _ensure(re.fullmatch(r"-?\d+", str(p.get(key, "")).strip()), f"invalid {key} specified")
    return int(p[key])


def _json(value: Any, what: str = "JSON object") -> Any:  # telebot sends JSON strings
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        raise TelegramError(400, f"Bad Request: can't parse {what}") from None


class StandInTelegram(TelegramFiles, TelegramRooms, StandIn[RecordedRequest]):
    _CRASH = Answer(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})

    def __init__(self, server: HTTPServer, token: str = TOKEN, *, first_name: str = "Helpdesk",
                 username: str = "helpdesk_bot") -> None:
        super().__init__(server)
        self.token = token
        self.api_url = server.url_for("/").rstrip("/") + "/bot{0}/{1}"
        self.bot: Json = {"id": int(token.split(":")[0]), "is_bot": True,
                          "first_name": first_name, "username": username}
        self.webhook: Json = {"url": "", "secret_token": None, "allowed_updates": None}
        self._chats: dict[int, Json] = {}
        self._windows: dict[str, float] = {}
        self._queries: set[str] = set()
        self._update_id, self._query_id = 700000000, 4300000000000000000
        self._methods: dict[str, Callable[[Json], Any]] = {
            "getme": lambda _p: {**self.bot, "can_join_groups": True,
                                 "can_read_all_group_messages": False,
                                 "supports_inline_queries": False,
                                 "can_connect_to_business": False, "has_main_web_app": False},
            "createforumtopic": self._create_topic, "editforumtopic": self._edit_topic,
            "closeforumtopic": lambda p: self._close_topic(p, True),
            "reopenforumtopic": lambda p: self._close_topic(p, False),
            "sendmessage": self._send_message, "editmessagetext": self._edit_message,
            "createchatinvitelink": self._create_link,
            "approvechatjoinrequest": lambda p: self._join(p, True),
            "declinechatjoinrequest": lambda p: self._join(p, False),
            "answercallbackquery": self._answer_query,
            "setwebhook": self._set_webhook, "getwebhookinfo": self._webhook_info,
            "getchatmember": self._member,
            "deletewebhook": lambda _p: self._set_webhook({"url": ""}),
            **self._room_methods(),  # pinChatMessage: telegram_rooms.py
            **self._file_methods()}  # sendPhoto: telegram_files.py
        self._uploaded: dict[str, bytes] = {}  # the files of the request being answered
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self._handle)

    @property
    def recorded(self) -> list[RecordedRequest]:
        """Every request received, oldest first (``requests`` in the other stand-ins)."""
        return self.requests

    def add_chat(self, chat_id: int, title: str = "Helpdesk", *, is_forum: bool = True,
                 bot_rights: Json | None = None) -> None:
        """A supergroup (id like -1001234567890) where the bot is an admin with `bot_rights`."""
        with self._lock:
            self._chats[chat_id] = {"id": chat_id, "title": title, "is_forum": is_forum,
                                    "rights": dict(RIGHTS if bot_rights is None else bot_rights),
                                    "topics": {}, "messages": {}, "next_id": 1, "links": [],
                                    "pending": set(), "members": {USER["id"]: "member"}}

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """A user's place in a chat: member, administrator, creator, left, kicked…"""
        with self._lock:
            self._chats[chat_id]["members"][user_id] = status

    def fail_next(self, method: str, status: int = 429, *, retry_after: int | None = None,
                  description: str | None = None, times: int = 1) -> None:
        """The next `times` calls of `method` ("*" = any) get this error, without being applied."""
        params = None
        if status == 429:
            params = {"retry_after": 1 if retry_after is None else retry_after}
            description = description or f"Too Many Requests: retry after {params['retry_after']}"
        answer = TelegramError(status, description or HTTPStatus(status).phrase, params).answer()
        with self._lock:  # one rule per failing call
            self._fails += [Rule(method.lower(), ANY_PATH, 1, answer) for _ in range(times)]

    def rate_limit(self, method: str, seconds: float) -> None:
        """For `seconds` every call of `method` answers 429, retry_after = remaining seconds."""
        with self._lock:
            self._windows[method.lower()] = time.monotonic() + seconds

    def calls(self, method: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.recorded if r.ok and r.method.lower() == method.lower()]

    def messages(self, chat_id: int, thread_id: int | None = None) -> list[Json]:
        """Text messages the bot sent to the chat (to one topic if `thread_id`), current state."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._chats[chat_id]["messages"].values()
                    if m["from"]["id"] == self.bot["id"] and "text" in m
                    and (thread_id is None or m.get("message_thread_id") == thread_id)]

    def topics(self, chat_id: int) -> dict[int, Json]:
        with self._lock:
            return {t: {"name": v["name"], "closed": v["closed"]}
                    for t, v in self._chats[chat_id]["topics"].items()}

    def message_update(self, chat_id: int, text: str, *, thread_id: int | None = None,
                       from_user: Json | None = None, message_id: int | None = None,
                       date: int | None = None, reply_to: int | None = None) -> Json:
        """A person's message; `reply_to` answers that message (as Telegram shows it, one
        level deep)."""
        with self._lock:
            chat = self._chats[chat_id]
            when: Json = {} if date is None else {"date": date}
            if reply_to is not None:
                replied = {k: v for k, v in chat["messages"][reply_to].items()
                           if k != "reply_to_message"}
                when["reply_to_message"] = copy.deepcopy(replied)
            msg = self._new_message(chat, {"is_bot": False, **(from_user or USER)}, thread_id,
                                    message_id, text=text, **when)
            if text.startswith("/"):
                msg["entities"] = [{"offset": 0, "length": len(text.split()[0]),
                                    "type": "bot_command"}]
            return self._update("message", msg)

    def callback_update(self, chat_id: int, message_id: int, data: str, *,
                        from_user: Json | None = None) -> Json:
        """A button press on a message the stand-in knows (KeyError otherwise)."""
        with self._lock:
            message = self._chats[chat_id]["messages"][message_id]
            self._query_id += 1
            self._queries.add(str(self._query_id))
            return self._update("callback_query", {
                "id": str(self._query_id), "from": {"is_bot": False, **(from_user or USER)},
                "message": message, "chat_instance": str(-(abs(chat_id) * 7919 % 10**19)),
                "data": data})

    def join_request_update(self, chat_id: int, user: Json | None = None) -> Json:
        """A request to join via the chat's last join-request invite link (if any)."""
        with self._lock:
            chat, user = self._chats[chat_id], {"is_bot": False, **(user or USER)}
            chat["pending"].add(user["id"])
            request = {"chat": self._chat_json(chat), "from": user, "user_chat_id": user["id"],
                       "date": int(time.time())}
            links = [link for link in chat["links"] if link["creates_join_request"]]
            if links:
                request["invite_link"] = links[-1]
            return self._update("chat_join_request", request)

    def _record(self, request: Request) -> RecordedRequest:
        match = _PATH.fullmatch(request.path)
        params: Json = request.args.to_dict()
        params.update(request.form.to_dict())
        self._uploaded = {k: f.read() for k, f in request.files.items()}  # under the lock
        params.update({k: f.filename for k, f in request.files.items()})
        body = request.get_json(silent=True) if request.is_json else None
        params.update(body if isinstance(body, dict) else {})
        return RecordedRequest(time.monotonic(), match.group(2) if match else request.path,
                               params, request.args.to_dict())

    def _dispatch(self, request: Request, rec: RecordedRequest) -> Answer:
        match = _PATH.fullmatch(request.path)
        try:
            if not match or not _TOKEN_SHAPE.match(match.group(1)):
                raise TelegramError(404, "Not Found")
            if match.group(1) != self.token:
                raise TelegramError(401, "Unauthorized")
            return self._call(match.group(2).lower(), rec.params)
        except TelegramError as exc:
            return exc.answer()

    def _annotate(self, rec: RecordedRequest, answer: Answer) -> None:
        rec.ok, rec.description = answer.body["ok"], answer.body.get("description")

    def _call(self, method: str, p: Json) -> Answer:
        handler = self._methods.get(method)
        if handler is None:
            raise TelegramError(404, "Not Found")
        fail = self._take(self._fails, method)
        if fail is not None:
            return fail.then
        left = self._windows.get(method, 0.0) - time.monotonic()
        if left > 0:
            wait = max(1, math.ceil(left))
            raise TelegramError(429, f"Too Many Requests: retry after {wait}",
                                {"retry_after": wait})
        return Answer(200, {"ok": True, "result": handler(p)})

    def _update(self, kind: str, obj: Json) -> Json:
        self._update_id += 1
        return {"update_id": self._update_id, kind: copy.deepcopy(obj)}

    @staticmethod
    def _chat_json(chat: Json) -> Json:
        forum = {"is_forum": True} if chat["is_forum"] else {}  # absent when false
        return {"id": chat["id"], "title": chat["title"], **forum, "type": "supergroup"}

    def _chat(self, p: Json) -> Json:
        raw = str(p.get("chat_id") or "").strip()
        _ensure(raw, "chat_id is empty")
        return _found(self._chats.get(int(raw)) if re.fullmatch(r"-?\d+", raw) else None,
                      "chat not found")

    def _topic(self, chat: Json, p: Json) -> Json:
        _ensure(chat["is_forum"], "the chat is not a forum")
        return _found(chat["topics"].get(_int(p, "message_thread_id")), "TOPIC_ID_INVALID")

    def _new_message(self, chat: Json, sender: Json, thread: int | None,
                     message_id: int | None = None, **fields: Any) -> Json:
        message_id = chat["next_id"] if message_id is None else message_id
        msg: Json = {"message_id": message_id, "from": sender,
                     "chat": self._chat_json(chat), "date": int(time.time())}
        chat["next_id"] = max(chat["next_id"], message_id + 1)
        if thread:
            msg.update(message_thread_id=thread, is_topic_message=True)
            if thread in chat["topics"] and thread in chat["messages"]:  # as Telegram does
                msg["reply_to_message"] = copy.deepcopy(chat["messages"][thread])
        msg.update(fields)
        chat["messages"][message_id] = msg
        return msg

    @staticmethod
    def _text(p: Json) -> str:
        text, mode = str(p.get("text") or ""), str(p.get("parse_mode") or "").lower()
        _ensure(mode in ("", "html", "markdown", "markdownv2"), f"unsupported parse_mode {mode}")
        if mode == "html":  # entities are not computed
            text = html.unescape(re.sub(r"<[^>]*>", "", text))
        _ensure(text.strip(), "message text is empty")
        _ensure(len(text) <= 4096, "message is too long")
        return text

    @staticmethod
    def _entities(p: Json, text: str) -> list[Json]:
        """Explicit entities, checked as the Bot API does: within the text (UTF-16 units), a
        text_mention naming a user by id."""
        entities = _json(p.get("entities"), "entities JSON array") or []
        _ensure(isinstance(entities, list), "can't parse entities: expected an array")
        units = len(text.encode("utf-16-le")) // 2
        for e in entities:
            _ensure(isinstance(e, dict) and isinstance(e.get("offset"), int)
                    and isinstance(e.get("length"), int) and e["length"] > 0
                    and e["offset"] >= 0 and e["offset"] + e["length"] <= units,
                    "can't parse entities: entity beyond the end of the text")
            if e.get("type") == "text_mention":
                user = e.get("user")
                _ensure(isinstance(user, dict) and isinstance(user.get("id"), int),
                        "can't parse entities: text_mention without a user")
        return [{k: v for k, v in e.items() if v is not None} for e in entities]

    @staticmethod
    def _markup(p: Json) -> Json | None:
        what = "reply keyboard markup JSON object"
        markup = _json(p.get("reply_markup"), what)
        try:
            rows = (markup or {}).get("inline_keyboard")
            data = [b.get("callback_data") for row in rows or [] for b in row if b["text"]]
        except (TypeError, AttributeError, KeyError):
            raise TelegramError(400, f"Bad Request: can't parse {what}") from None
        _ensure(all(d is None or 1 <= len(str(d).encode()) <= 64 for d in data),
                "BUTTON_DATA_INVALID")
        return markup if rows else None  # only inline keyboards show up in the Message

    def _create_topic(self, p: Json) -> Json:
        chat, name = self._chat(p), str(p.get("name") or "")
        _ensure(chat["is_forum"], "the chat is not a forum")
        _ensure(chat["rights"].get("can_manage_topics"), "not enough rights to create a topic")
        _ensure(1 <= len(name) <= 128, "TOPIC_NAME_INVALID")
        color = int(p.get("icon_color") or 7322096)
        thread = chat["next_id"]  # the id of the "topic created" service message
        self._new_message(chat, self.bot, None, message_thread_id=thread, is_topic_message=True,
                          forum_topic_created={"name": name, "icon_color": color})
        chat["topics"][thread] = {"name": name, "closed": False}
        return {"message_thread_id": thread, "name": name, "icon_color": color}

    def _edit_topic(self, p: Json) -> bool:
        topic, name = self._topic(self._chat(p), p), p.get("name")
        _ensure(name is None or 1 <= len(str(name)) <= 128, "TOPIC_NAME_INVALID")
        _ensure(name is not None and name != topic["name"], "TOPIC_NOT_MODIFIED")
        topic["name"] = str(name)
        return True

    def _close_topic(self, p: Json, closed: bool) -> bool:
        topic = self._topic(self._chat(p), p)
        _ensure(topic["closed"] != closed, "TOPIC_NOT_MODIFIED")
        topic["closed"] = closed
        return True

    def _send_message(self, p: Json) -> Json:
        chat, thread = self._chat(p), None
        if p.get("message_thread_id") not in (None, "", "0", 0):
            thread = _int(p, "message_thread_id")
            _ensure(thread in chat["topics"], "message thread not found")
            _ensure(not chat["topics"][thread]["closed"], "TOPIC_CLOSED")
        text, markup = self._text(p), self._markup(p)
        reply_to = dict(_json(p.get("reply_parameters"), "reply parameters JSON object") or {}
                        ).get("message_id") or p.get("reply_to_message_id")
        reply = chat["messages"].get(int(reply_to)) if reply_to else None
        _ensure(not reply_to or reply, "message to be replied not found")
        msg = self._new_message(chat, self.bot, thread, text=text)
        entities = self._entities(p, text)
        if entities:
            msg["entities"] = entities
        if reply is not None:
            msg["reply_to_message"] = {k: v for k, v in reply.items() if k != "reply_to_message"}
        if markup:
            msg["reply_markup"] = markup
        return copy.deepcopy(msg)

    def _edit_message(self, p: Json) -> Json:
        msg = _found(self._chat(p)["messages"].get(_int(p, "message_id")),
                     "message to edit not found")
        _ensure(msg["from"]["id"] == self.bot["id"], "message can't be edited")
        _ensure("text" in msg, "there is no text in the message to edit")
        text, markup = self._text(p), self._markup(p)
        _ensure(text != msg["text"] or markup != msg.get("reply_markup"), _NOT_MODIFIED)
        msg.update(text=text, edit_date=int(time.time()))
        msg.pop("reply_markup", None)  # no reply_markup: the keyboard goes away
        msg.update({"reply_markup": markup} if markup else {})
        return copy.deepcopy(msg)

    def _create_link(self, p: Json) -> Json:
        chat = self._chat(p)
        _ensure(chat["rights"].get("can_invite_users"),
                "not enough rights to manage chat invite link")
        link = {"invite_link": "https://t.me/+" + secrets.token_urlsafe(12), "creator": self.bot,
                "creates_join_request": str(p.get("creates_join_request")).lower() in (
                    "true", "1"), "is_primary": False, "is_revoked": False}
        link.update({"name": p["name"]} if p.get("name") else {})
        chat["links"].append(link)
        return copy.deepcopy(link)

    def _join(self, p: Json, approve: bool) -> bool:  # answer a pending join request
        chat, user_id = self._chat(p), _int(p, "user_id")
        _ensure(chat["rights"].get("can_invite_users"), "CHAT_ADMIN_REQUIRED")
        _ensure(user_id in chat["pending"], "HIDE_REQUESTER_MISSING")
        chat["pending"].discard(user_id)
        if approve:
            chat["members"][user_id] = "member"
        return True

    def _member(self, p: Json) -> Json:
        chat, user_id = self._chat(p), _int(p, "user_id")
        status = chat["members"].get(user_id, "left")
        user = {**USER, "id": user_id} if user_id != USER["id"] else USER
        return {"status": status, "user": user}

    def _answer_query(self, p: Json) -> bool:
        query_id = str(p.get("callback_query_id"))
        _ensure(query_id in self._queries, _OLD_QUERY)  # answered already or never sent
        self._queries.discard(query_id)
        return True

    def _set_webhook(self, p: Json) -> bool:
        url, secret = str(p.get("url") or ""), p.get("secret_token")
        _ensure(not url or url.startswith("https://"),
                "bad webhook: An HTTPS URL must be provided for webhook")
        _ensure(not secret or re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)),
                "secret token contains unallowed characters")
        allowed = _json(p.get("allowed_updates")) if url else None
        self.webhook = {"url": url, "secret_token": secret or None, "allowed_updates": allowed}
        return True

    def _webhook_info(self, _p: Json) -> Json:
        info: Json = {"url": self.webhook["url"], "has_custom_certificate": False,
                      "pending_update_count": 0}
        info.update({"max_connections": 40} if self.webhook["url"] else {})
        if self.webhook["allowed_updates"] is not None:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info
