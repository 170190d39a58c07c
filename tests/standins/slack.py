"""Stand-in Slack Web API for tests, on top of pytest-httpserver (werkzeug).

Drive it with the real SDK: ``slack_sdk.WebClient(token=s.token, base_url=s.url)`` (``s.url`` ends
with "/api/"). Every method is ``POST /api/<method>``; the body may be JSON, urlencoded or multipart
(form values are strings), query-string arguments are accepted too. API errors are HTTP 200 with
``{"ok": false, "error": "<code>"}``; rate limits are HTTP 429 with ``Retry-After``. Files
(upload v2): slack_files.py.

Thread safety (see base.py): all state is guarded by one lock, so the server may (and should) be
created with ``HTTPServer(threaded=True)`` and hit concurrently.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.standins.base import ANY_PATH, Answer, Rule, StandIn
from tests.standins.slack_files import SlackFiles
from tests.standins.slack_rooms import SlackRooms

Json = dict[str, Any]
BOT_ID, BOT_BOT_ID, BOT_NAME, TEAM_ID = "U0BOT", "B0BOT", "helpdesk-bot", "T1"
MAX_TEXT = 40000


@dataclass
class RecordedRequest:
    at: float  # time.monotonic() when received
    method: str  # Slack method, e.g. "chat.postMessage"
    content_type: str  # body mimetype: "application/json", "application/x-www-form-urlencoded", ...
    params: Json  # query + body arguments (JSON values as sent, form values as strings), no token
    status: int = 0  # HTTP status answered
    ok: bool = False
    error: str | None = None


class _SlackError(Exception):  # answered as {"ok": false, "error": args[0]}
    pass


def _need(condition: Any, error: str) -> None:
    if not condition:
        raise _SlackError(error)


def _str(p: Json, key: str) -> str:
    return "" if p.get(key) is None else str(p[key])


def _flag(p: Json, key: str) -> bool:
    return str(p.get(key, "")).lower() in ("1", "true")


def _json_arg(p: Json, key: str, error: str) -> Any:
    value = p.get(key)
    try:
        return (json.loads(value) if value.strip() else None) if isinstance(value, str) else value
    except ValueError:
        raise _SlackError(error) from None


def _page(p: Json, items: list[Any]) -> tuple[list[Any], str]:
    """Slice by `limit`/`cursor`; returns the page and the next cursor ("" at the end)."""
    try:
        limit = min(max(int(p.get("limit") or 100), 1), 1000)
        cursor = _str(p, "cursor")
        start = int(base64.b64decode(cursor).decode().removeprefix("offset:")) if cursor else 0
    except ValueError:
        raise _SlackError("invalid_cursor") from None
    end = start + limit
    more = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], more


class StandInSlack(SlackFiles, SlackRooms, StandIn[RecordedRequest]):
    _CRASH = Answer(500, "Internal Server Error")

    def __init__(self, server: HTTPServer, token: str = "xoxb-standin-token") -> None:
        super().__init__(server)
        self.token = token
        self.url = server.url_for("/api/")
        self._channels: dict[str, Json] = {}
        self._msgs: dict[str, list[Json]] = {}  # channel -> messages incl. replies, oldest first
        self._users: dict[str, Json] = {}
        self._limits: dict[str, float] = {}  # method -> time.monotonic() its 429 window ends
        self._last_us, self._seq = 0, 100
        self.add_user(BOT_ID, BOT_NAME, "Helpdesk Bot", "")
        self._methods: dict[str, Callable[[Json], Json]] = {
            "auth.test": lambda _p: {
                "url": self.url.removesuffix("api/"), "team": "Helpdesk", "user": BOT_NAME,
                "team_id": TEAM_ID, "user_id": BOT_ID, "bot_id": BOT_BOT_ID},
            "chat.postMessage": self._post, "chat.update": self._update,
            "conversations.create": self._create, "conversations.invite": self._invite,
            "conversations.archive": self._archive, "conversations.list": self._list,
            "conversations.info": lambda p: {"channel": self._chan_json(self._chan(p))},
            "conversations.history": self._history, "conversations.replies": self._replies,
            "users.info": lambda p: {"user": self._user_json(self._user(_str(p, "user")))},
            "users.lookupByEmail": self._lookup,
            "conversations.members": self._members,
            **self._room_methods(),  # pins.add, views.open: slack_rooms.py
            **self._file_methods(server),  # files.*: slack_files.py
        }
        server.expect_request(re.compile(r"^/api/[\w.]+$")).respond_with_handler(self._handle)
        # response_url of interactions (hooks.slack.com in Slack): what was said to a presser
        self.response_url = server.url_for("/hooks/T0STANDIN/B0STANDIN/response")
        self.responses: list[Json] = []
        server.expect_request(re.compile(r"^/hooks/.*$"), method="POST") \
            .respond_with_handler(self._respond_to_url)

    def add_channel(self, channel_id: str, name: str, *, bot_member: bool = True,
                    is_private: bool = False, members: Iterable[str] = (),
                    creator: str = BOT_ID) -> None:
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id, "name": name, "is_private": is_private, "is_archived": False,
                "members": {*members, *([BOT_ID] if bot_member else [])},
                "created": int(time.time()), "creator": creator}
            self._msgs.setdefault(channel_id, [])

    def add_user(self, user_id: str, name: str, real_name: str, email: str) -> None:
        with self._lock:
            self._users[user_id] = {"id": user_id, "name": name, "real_name": real_name,
                                    "email": email, "is_bot": user_id == BOT_ID}

    def channel(self, key: str) -> Json:
        """Copy of a channel by id or name: {id, name, is_private, is_archived, members (set)}."""
        with self._lock:
            ch = self._channels.get(key) or next(
                c for c in self._channels.values() if c["name"] == key)
            return copy.deepcopy(ch)

    def messages(self, channel_id: str, thread_ts: str | None = None) -> list[Json]:
        """Top-level messages (thread_ts None) or a thread's replies without the parent, oldest
        first; each {ts, user, bot_id, text, blocks, metadata, thread_ts, edited} (or None)."""
        with self._lock:
            return copy.deepcopy([m for m in self._msgs.get(channel_id, [])
                                  if m["thread_ts"] == thread_ts])

    def calls(self, method: str) -> list[RecordedRequest]:
        """Successful (ok=True) recorded requests of `method`."""
        with self._lock:
            return [r for r in self.requests if r.method == method and r.ok]

    def fail_next(self, method: str, status: int = 429, *, retry_after: int | None = None,
                  error: str | None = None, times: int = 1) -> None:
        """The next `times` calls of `method` ("*" = any) are not applied but answered: 429 →
        Retry-After (default 1) + {"ok":false,"error":"ratelimited"}; with `error` →
        {"ok":false,"error":error} at `status`; other statuses → a short text body."""
        retry = {"Retry-After": str(1 if retry_after is None else retry_after)}
        headers = retry if status == 429 or retry_after is not None else {}
        error = error or {429: "ratelimited", 200: "internal_error"}.get(status)
        body = {"ok": False, "error": error} if error else f"{status} {HTTPStatus(status).phrase}"
        self._add_fail(Rule(method, ANY_PATH, times, Answer(status, body, headers)))

    def rate_limit(self, method: str, seconds: float) -> None:
        """For the next `seconds`, every call of `method` gets 429 (Retry-After: remaining s)."""
        with self._lock:
            self._limits[method] = time.monotonic() + seconds

    def _record(self, request: Request) -> RecordedRequest:
        return RecordedRequest(time.monotonic(), request.path.removeprefix("/api/"),
                               request.mimetype, {})

    def _dispatch(self, request: Request, rec: RecordedRequest) -> Answer:
        body: Any = request.form.to_dict()
        if request.is_json and request.get_data():
            body = request.get_json(silent=True)
        params: Json = {**request.args.to_dict(), **(body if isinstance(body, dict) else {})}
        token, rec.params = params.pop("token", None), params
        fail = self._take(self._fails, rec.method)
        if fail is not None:
            return fail.then
        left = self._limits.get(rec.method, 0.0) - time.monotonic()
        if left > 0:
            retry = str(max(1, math.ceil(left)))
            return Answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": retry})
        auth = request.headers.get("Authorization", "")
        given = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else token
        try:
            _need(rec.method in self._methods, "unknown_method")
            _need(given, "not_authed")
            _need(given == self.token, "invalid_auth")
            _need(isinstance(body, dict), "invalid_json")
            return Answer(200, {"ok": True, **self._methods[rec.method](params)})
        except _SlackError as err:
            return Answer(200, {"ok": False, "error": err.args[0]})

    def _annotate(self, rec: RecordedRequest, answer: Answer) -> None:
        if isinstance(answer.body, dict):
            rec.ok, rec.error = bool(answer.body.get("ok")), answer.body.get("error")

    def _respond(self, answer: Answer) -> Response:
        text, mime = (json.dumps(answer.body), "application/json") if isinstance(
            answer.body, dict) else (answer.body, "text/plain")
        return Response(text, answer.status, answer.headers, content_type=f"{mime}; charset=utf-8")

    def _ts(self) -> str:
        """Unique, strictly increasing message ts (wall clock, microseconds)."""
        self._last_us = max(time.time_ns() // 1000, self._last_us + 1)
        return f"{self._last_us // 10**6}.{self._last_us % 10**6:06d}"

    def _chan(self, p: Json, *, member: bool = False, writable: bool = False) -> Json:
        ch = self._channels.get(_str(p, "channel")) or {}
        _need(ch and (not ch["is_private"] or BOT_ID in ch["members"]), "channel_not_found")
        _need(not (writable and ch["is_archived"]), "is_archived")
        _need(not member or BOT_ID in ch["members"], "not_in_channel")
        return ch

    def _chan_json(self, ch: Json) -> Json:
        return {**{k: ch[k] for k in ("id", "name", "is_private", "is_archived", "created",
                                      "creator")}, "name_normalized": ch["name"],
                "is_channel": True, "is_group": False, "is_im": False, "is_mpim": False,
                "is_member": BOT_ID in ch["members"], "num_members": len(ch["members"])}

    def _find(self, ch: Json, ts: str, error: str) -> Json:
        found = next((m for m in self._msgs[ch["id"]] if m["ts"] == ts), {})
        _need(found, error)
        return found

    def _msg_json(self, ch: Json, m: Json, metadata: bool = True) -> Json:
        out = {"type": "message", "team": TEAM_ID, **{k: copy.deepcopy(v) for k, v in m.items()
               if v is not None and (metadata or k != "metadata")}}
        if m["thread_ts"] is not None:
            out["parent_user_id"] = self._find(ch, m["thread_ts"], "thread_not_found")["user"]
        elif replies := [r for r in self._msgs[ch["id"]] if r["thread_ts"] == m["ts"]]:
            users = sorted({r["user"] for r in replies})
            out.update(thread_ts=m["ts"], reply_count=len(replies), reply_users=users,
                       reply_users_count=len(users), latest_reply=replies[-1]["ts"])
        return out

    def _content(self, p: Json, old: Json | None = None) -> Json:
        """text/blocks/metadata of a new message, or of `old` with the given fields replaced."""
        new = {k: v for k, v in (old or {}).items() if k in ("text", "blocks", "metadata")}
        if "text" in p or old is None:
            new["text"] = _str(p, "text")
        for key, error in (("blocks", "invalid_blocks_format"), ("metadata", "invalid_metadata")):
            if key in p or old is None:
                new[key] = _json_arg(p, key, error) or None
        _need(new["text"] or new["blocks"], "no_text")
        _need(len(new["text"]) <= MAX_TEXT, "msg_too_long")
        return new

    def _post(self, p: Json) -> Json:
        ch = self._chan(p, member=True, writable=True)
        content, thread = self._content(p), _str(p, "thread_ts") or None
        if thread is not None:  # a reply's ts means its thread, as in Slack
            parent = self._find(ch, thread, "thread_not_found")
            thread = parent["thread_ts"] or parent["ts"]
        msg = {"ts": self._ts(), "user": BOT_ID, "bot_id": BOT_BOT_ID, **content,
               "thread_ts": thread, "edited": None}
        self._msgs[ch["id"]].append(msg)
        return {"channel": ch["id"], "ts": msg["ts"], "message": self._msg_json(ch, msg)}

    def _update(self, p: Json) -> Json:
        ch = self._chan(p, writable=True)
        msg = self._find(ch, _str(p, "ts"), "message_not_found")
        msg.update(self._content(p, msg), edited={"user": BOT_ID, "ts": self._ts()})
        return {"channel": ch["id"], "ts": msg["ts"], "text": msg["text"],
                "message": self._msg_json(ch, msg)}

    def _create(self, p: Json) -> Json:
        name = _str(p, "name")
        _need(name, "invalid_name_required")
        _need(len(name) <= 80, "invalid_name_maxlength")
        _need(re.fullmatch(r"[a-z0-9_-]+", name), "invalid_name_specials")
        _need(re.search(r"[a-z0-9]", name), "invalid_name_punctuation")
        _need(all(c["name"] != name for c in self._channels.values()), "name_taken")
        self._seq += 1
        channel_id = f"C0{self._seq:07d}"
        self.add_channel(channel_id, name, is_private=_flag(p, "is_private"))
        return {"channel": self._chan_json(self._channels[channel_id])}

    def _invite(self, p: Json) -> Json:
        ch, raw = self._chan(p, member=True, writable=True), p.get("users")
        users = [u.strip() for u in (raw if isinstance(raw, list) else _str(p, "users").split(","))
                 if u.strip()]
        _need(users, "no_user")
        for user in users:
            _need(user != BOT_ID, "cant_invite_self")
            self._user(user)
            _need(user not in ch["members"], "already_in_channel")
        ch["members"].update(users)
        return {"channel": self._chan_json(ch)}

    def _archive(self, p: Json) -> Json:
        ch = self._chan(p)
        _need(not ch["is_archived"], "already_archived")
        _need(BOT_ID in ch["members"], "not_in_channel")
        ch["is_archived"] = True
        return {}

    def _members(self, p: Json) -> Json:
        ch = self._chan(p)
        page, cursor = _page(p, sorted(ch["members"]))
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _respond_to_url(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        with self._lock:
            self.responses.append(body if isinstance(body, dict) else {"raw": request.data})
        return Response("ok", 200, content_type="text/html")

    def _list(self, p: Json) -> Json:
        types = {t.strip() for t in (_str(p, "types") or "public_channel").split(",")}
        chans = [c for c in self._channels.values()
                 if ("private_channel" if c["is_private"] else "public_channel") in types
                 and (not c["is_private"] or BOT_ID in c["members"])
                 and not (c["is_archived"] and _flag(p, "exclude_archived"))]
        page, cursor = _page(p, [self._chan_json(c) for c in chans])
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    def _history(self, p: Json) -> Json:
        """Top-level messages newest first; `oldest`/`latest` exclusive unless inclusive=true."""
        ch = self._chan(p, member=True)
        try:
            lo, hi = Decimal(_str(p, "oldest") or "0"), Decimal(_str(p, "latest") or "9e12")
        except InvalidOperation:
            raise _SlackError("invalid_ts_oldest") from None
        within = (lambda t: lo <= t <= hi) if _flag(p, "inclusive") else (lambda t: lo < t < hi)
        return self._message_page(ch, p, [m for m in reversed(self._msgs[ch["id"]])
                                          if m["thread_ts"] is None and within(Decimal(m["ts"]))])

    def _replies(self, p: Json) -> Json:
        ch = self._chan(p, member=True)
        msg = self._find(ch, _str(p, "ts"), "thread_not_found")
        parent = self._find(ch, msg["thread_ts"], "thread_not_found") if msg["thread_ts"] else msg
        return self._message_page(ch, p, [parent, *(
            m for m in self._msgs[ch["id"]] if m["thread_ts"] == parent["ts"])])

    def _message_page(self, ch: Json, p: Json, msgs: list[Json]) -> Json:
        page, cursor = _page(p, msgs)
        meta = _flag(p, "include_all_metadata")
        return {"messages": [self._msg_json(ch, m, meta) for m in page], "has_more": bool(cursor),
                "response_metadata": {"next_cursor": cursor}}

    def _user(self, user_id: str) -> Json:
        _need(user_id in self._users, "user_not_found")
        return self._users[user_id]

    def _user_json(self, u: Json) -> Json:
        profile = {"real_name": u["real_name"], "display_name": u["name"],
                   **({"email": u["email"]} if u["email"] else {})}
        return {"id": u["id"], "team_id": TEAM_ID, "name": u["name"], "deleted": False,
                "real_name": u["real_name"], "is_bot": u["is_bot"], "profile": profile}

    def _lookup(self, p: Json) -> Json:
        email = _str(p, "email").lower()
        found = [u for u in self._users.values() if email and u["email"].lower() == email]
        _need(found, "users_not_found")
        return {"user": self._user_json(found[0])}
