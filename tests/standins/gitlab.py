"""Stand-in GitLab REST v4 server for tests, on top of pytest-httpserver (werkzeug).

Answers like GitLab does: status codes, JSON shapes, ``{"message": ...}`` / ``{"error": ...}``
bodies, ``X-*`` pagination headers and a ``Link`` header (python-gitlab follows ``rel="next"``).
Covers issues (get/list/create/update), issue notes (list/create) and users.

Thread safety (see base.py): all state is guarded by one lock, so the server may (and should) be
created with ``HTTPServer(threaded=True)`` and hit concurrently by several threads or processes.
Requests held by :meth:`StandInGitLab.hold_next` block only their own werkzeug thread.
"""

from __future__ import annotations

import copy
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request

from tests.standins.base import Answer, HoldingStandIn, Reply, Rule
from tests.standins.gitlab_history import GitLabHistory

Json = dict[str, Any]
Result = tuple[int, Any, dict[str, str]]
BOT_ID, BOT_USERNAME = 99, "helpdesk-bot"
_PROJECT = r"/projects/(\d+)"
_ISSUE = _PROJECT + r"/issues/(\d+)"


@dataclass
class RecordedRequest:
    at: float  # time.monotonic() when received
    method: str
    path: str
    query: dict[str, str]
    json: Any  # parsed JSON body, form dict (lists for "key[]" fields) or None
    status: int = 0  # what was answered


def _fmt(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(value: str) -> datetime:
    t = datetime.fromisoformat(re.sub(r" (\d\d:?\d\d)$", r"+\1", value.strip()))  # "+" -> " "
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _split(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [s.strip() for s in map(str, items) if s.strip()]


def _ids(value: Any) -> list[int]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [int(i) for i in items if str(i).strip() not in ("", "0")]


class StandInGitLab(GitLabHistory, HoldingStandIn[RecordedRequest]):
    _CRASH = Answer(500, {"message": "500 Internal Server Error"})

    def __init__(self, server: HTTPServer, token: str = "glpat-standin") -> None:
        super().__init__(server)
        self.token = token
        self.url = server.url_for("/").rstrip("/")
        self._issues: dict[tuple[int, int], Json] = {}
        self.uploads: dict[str, bytes] = {}  # the upload's URL (/uploads/<hash>/<name>) → bytes
        self._projects: set[int] = set()
        self._users: dict[str, int] = {BOT_USERNAME: BOT_ID}
        self._emails: dict[str, str] = {}
        self._clock = datetime.now(UTC)
        self._next_id = {"issue": 5000, "note": 9000, "user": 1000}
        table: list[tuple[str, str, Callable[..., Result]]] = [
            ("GET", "/user", lambda _r, _b: (200, self._user_json(BOT_USERNAME), {})),
            ("GET", "/users", self._list_users),
            ("GET", _PROJECT + "/issues", self._list_issues),
            ("POST", _PROJECT + "/issues", self._create_issue),
            ("GET", _ISSUE, lambda _r, _b, p, i: (200, self._issue_json(self._get(p, i)), {})),
            ("PUT", _ISSUE, self._update_issue),
            ("GET", _ISSUE + "/notes", self._list_notes),
            ("GET", _ISSUE + "/resource_label_events", self._label_events),
            ("GET", _ISSUE + "/resource_state_events", self._state_events),
            ("POST", _ISSUE + "/notes", self._create_note),
            ("POST", _PROJECT + "/uploads", self._upload),
        ]
        self._routes = [(m, re.compile(f"^/api/v4{p}$"), f) for m, p, f in table]
        server.expect_request(re.compile(r"^/api/v4(/.*)?$")).respond_with_handler(self._handle)

    def add_user(self, username: str, user_id: int, email: str = "") -> None:
        """A user; `search=` finds it by username or e-mail (as GitLab does for admins)."""
        with self._lock:
            self._users[username] = user_id
            if email:
                self._emails[username] = email

    def add_project(self, project_id: int) -> None:
        with self._lock:
            self._projects.add(project_id)

    def add_issue(self, project_id: int, iid: int, *, title: str = "Issue",
                  labels: list[str] | None = None, assignee_ids: list[int] | None = None,
                  state: str = "opened", description: str = "", author: str = "l1-user",
                  created_at: str | None = None, updated_at: str | None = None) -> Json:
        """Store an issue; returns a copy of its state (see :meth:`issue`)."""
        with self._lock:
            updated = _fmt(_parse_time(updated_at)) if updated_at else None
            created = _fmt(_parse_time(created_at)) if created_at else updated or self._tick()
            self._user_id(author)
            self._projects.add(project_id)
            self._issues[(project_id, iid)] = {
                "id": self._new_id("issue"), "iid": iid, "project_id": project_id,
                "title": title, "description": description, "state": state,
                "labels": sorted(set(labels or [])), "assignee_ids": list(assignee_ids or []),
                "author": author, "created_at": created, "updated_at": updated or created,
                "closed_at": (updated or created) if state == "closed" else None, "notes": [],
            }
            return self.issue(project_id, iid)

    def add_note(self, project_id: int, iid: int, body: str, *, author: str = "l1-user") -> Json:
        with self._lock:
            return copy.deepcopy(self._add_note(self._get(project_id, iid), body, author))

    def issue(self, project_id: int, iid: int) -> Json:
        """Copy of the current state: labels, assignee_ids, state, updated_at, author (username),
        notes ([{id, body, author (username), created_at, updated_at, system}]), ..."""
        with self._lock:
            return copy.deepcopy(self._issues[(project_id, iid)])

    def fail_next(self, method: str, path_regex: str, status: int, *,
                  headers: dict[str, str] | None = None, body: Json | None = None,
                  times: int = 1) -> None:
        """The next `times` requests whose method matches ("*" = any) and whose path (e.g.
        "/api/v4/projects/1/issues/23") matches `path_regex` (re.search) get this answer
        instead, without being applied. Default body: {"message": "<status> <reason>"}."""
        if body is None:
            body = {"message": f"{status} {HTTPStatus(status).phrase}"}
        self._add_fail(Rule(method.upper(), re.compile(path_regex), times,
                            Answer(status, body, dict(headers or {}))))

    def _record(self, request: Request) -> RecordedRequest:
        return RecordedRequest(time.monotonic(), request.method, request.path,
                               request.args.to_dict(), None)

    def _dispatch(self, request: Request, rec: RecordedRequest) -> Answer:
        rec.json = body = self._body(request)
        return self._apply(request.method, request.path, lambda: self._route(request, body))

    @staticmethod
    def _body(request: Request) -> Any:
        if request.is_json:
            return request.get_json(silent=True)
        if request.form:
            return {k: v if k.endswith("[]") else v[0] for k, v in request.form.lists()}
        return None

    def _route(self, request: Request, raw: Any) -> Answer:
        auth = request.headers.get("PRIVATE-TOKEN") or request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") != self.token:
            return Answer(401, {"message": "401 Unauthorized"})
        if raw is not None and not isinstance(raw, dict):
            return Answer(400, {"error": "body is invalid"})
        body = {k.removesuffix("[]"): v for k, v in (raw or {}).items()}
        for method, pattern, func in self._routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                try:
                    return Answer(*func(request, body, *match.groups()))
                except Reply as reply:
                    return reply.answer
                except ValueError:  # e.g. page=abc, updated_after=soon, assignee_ids=["x"]
                    return Answer(400, {"error": "400 Bad request"})
        return Answer(404, {"error": "404 Not Found"})

    def _upload(self, request: Request, _body: Json, project: str) -> Result:
        """POST /projects/:id/uploads (multipart `file`) → 201 with the Markdown to embed."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return 400, {"message": "400 Bad request - file is missing"}, {}
        content = upload.read()
        secret = hashlib.md5(content + upload.filename.encode()).hexdigest()
        url = f"/uploads/{secret}/{upload.filename}"
        self.uploads[url] = content
        return 201, {"id": len(self.uploads), "alt": upload.filename, "url": url,
                     "full_path": f"/-/project/{project}{url}",
                     "markdown": f"[{upload.filename}]({url})"}, {}

    def _tick(self, after: str | None = None) -> str:
        """Strictly increasing wall-clock-ish time stamp (microseconds)."""
        floor = max(self._clock, _parse_time(after) if after else self._clock)
        self._clock = max(self._wall(), floor + timedelta(microseconds=1))
        return _fmt(self._clock)

    def _new_id(self, kind: str) -> int:
        self._next_id[kind] += 1
        return self._next_id[kind]

    def _user_id(self, username: str) -> int:
        if username not in self._users:
            self._users[username] = self._new_id("user")
        return self._users[username]

    def _user_json(self, username: str, uid: int | None = None) -> Json:
        uid = self._user_id(username) if uid is None else uid
        return {"id": uid, "username": username, "name": username.replace("-", " ").title(),
                "state": "active", "locked": False, "avatar_url": None,
                "web_url": f"{self.url}/{username}"}

    def _user_by_id(self, uid: int) -> Json:
        names = [u for u, i in self._users.items() if i == uid]
        return self._user_json(names[0] if names else f"user{uid}", uid)

    def _get(self, project_id: int | str, iid: int | str) -> Json:
        issue = self._issues.get((int(project_id), int(iid)))
        if issue is None:
            raise Reply(404, {"message": "404 Issue Not Found"})
        return issue

    def _page(self, request: Request, items: list[Any]) -> Result:
        args = request.args
        per_page = min(max(int(args.get("per_page", "20") or 20), 1), 100)
        page = max(int(args.get("page", "1") or 1), 1)
        pages = max(1, -(-len(items) // per_page))

        def link(p: int, rel: str) -> str:
            query = {**args.to_dict(flat=False), "page": [str(p)], "per_page": [str(per_page)]}
            return f'<{self.url}{request.path}?{urlencode(query, doseq=True)}>; rel="{rel}"'

        links = [link(page - 1, "prev")] if page > 1 else []
        links += [link(page + 1, "next")] if page < pages else []
        headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items)),
                   "X-Total-Pages": str(pages), "X-Next-Page": str(page + 1) if page < pages
                   else "", "X-Prev-Page": str(page - 1) if page > 1 else "",
                   "Link": ", ".join([*links, link(1, "first"), link(pages, "last")])}
        return 200, items[(page - 1) * per_page:page * per_page], headers

    def _names(self, ids: set[int]) -> str:
        by_id = {i: name for name, i in self._users.items()}
        return ", ".join(f"@{by_id.get(i, f'user{i}')}" for i in sorted(ids))

    def _issue_json(self, it: Json) -> Json:
        assignees = [self._user_by_id(i) for i in it["assignee_ids"]]
        plain = ("id", "iid", "project_id", "title", "description", "state", "created_at",
                 "updated_at", "closed_at", "labels")
        return {**copy.deepcopy({k: it[k] for k in plain}), "closed_by": None, "milestone": None,
                "assignees": assignees, "assignee": assignees[0] if assignees else None,
                "author": self._user_json(it["author"]), "type": "ISSUE", "issue_type": "issue",
                "user_notes_count": len(it["notes"]), "confidential": False,
                "web_url": f"{self.url}/group/project-{it['project_id']}/-/issues/{it['iid']}",
                "references": {"short": f"#{it['iid']}", "relative": f"#{it['iid']}",
                               "full": f"group/project-{it['project_id']}#{it['iid']}"}}

    def _note_json(self, it: Json, note: Json) -> Json:
        return {"id": note["id"], "type": None, "body": note["body"], "attachment": None,
                "author": self._user_json(note["author"]), "created_at": note["created_at"],
                "updated_at": note["updated_at"], "system": note["system"],
                "noteable_id": it["id"], "noteable_type": "Issue", "noteable_iid": it["iid"],
                "project_id": it["project_id"], "resolvable": False, "confidential": False,
                "internal": False}

    def _add_note(self, it: Json, body: str, author: str) -> Json:
        now = self._tick(it["updated_at"])
        note = {"id": self._new_id("note"), "body": body, "author": author,
                "created_at": now, "updated_at": now, "system": False}
        it["notes"].append(note)
        it["updated_at"] = now  # GitLab touches the noteable
        return note

    def _list_users(self, request: Request, _body: Json) -> Result:
        name, search = request.args.get("username"), request.args.get("search", "").lower()
        users = sorted(self._users.items(), key=lambda kv: kv[1])
        return self._page(request, [
            self._user_json(u, i) for u, i in users
            if (name is None or u.lower() == name.lower())
            and (not search or search in u.lower() or search == self._emails.get(u, "").lower())])

    def on_list_issues(self, hook: Callable[[int], None] | None) -> None:
        """Call `hook(page)` (under the lock) before answering each issue-list request, e.g.
        to edit issues while a client pages through them."""
        with self._lock:
            self._list_hook = hook

    def touch(self, project_id: int, iid: int, title: str | None = None,
              labels: list[str] | None = None) -> Json:
        """Someone edits an issue in GitLab (title, labels): its updated_at moves on. Returns
        the issue as a webhook's object_attributes would show it."""
        with self._lock:
            it = self._issues[(project_id, iid)]
            it.update(title=it["title"] if title is None else title,
                      labels=it["labels"] if labels is None else sorted(set(labels)),
                      updated_at=self._tick(it["updated_at"]))
            return self._issue_json(it)

    def _list_issues(self, request: Request, _body: Json, pid: str) -> Result:
        if int(pid) not in self._projects:
            raise Reply(404, {"message": "404 Project Not Found"})
        hook = getattr(self, "_list_hook", None)
        if hook is not None:
            hook(int(request.args.get("page", "1") or 1))
        args, issues = request.args, [i for (p, _), i in self._issues.items() if p == int(pid)]
        if "updated_after" in args:  # GitLab: "updated on or after"
            after = _parse_time(args["updated_after"])
            issues = [i for i in issues if _parse_time(i["updated_at"]) >= after]
        if args.get("state", "all") in ("opened", "closed"):
            issues = [i for i in issues if i["state"] == args["state"]]
        key = "updated_at" if args.get("order_by") == "updated_at" else "created_at"
        issues.sort(key=lambda i: (_parse_time(i[key]), i["id"]),
                    reverse=args.get("sort", "desc") != "asc")
        return self._page(request, [self._issue_json(i) for i in issues])

    def _create_issue(self, _request: Request, body: Json, pid: str) -> Result:
        if int(pid) not in self._projects:
            raise Reply(404, {"message": "404 Project Not Found"})
        if not str(body.get("title") or "").strip():
            raise Reply(400, {"message": {"title": ["can't be blank"]}})
        iid = max([i for p, i in self._issues if p == int(pid)], default=0) + 1
        self.add_issue(int(pid), iid, title=str(body["title"]), labels=_split(body.get("labels")),
                       assignee_ids=_ids(body.get("assignee_ids", [])), author=BOT_USERNAME,
                       description=str(body.get("description") or ""))
        return 201, self._issue_json(self._issues[(int(pid), iid)]), {}

    def _update_issue(self, _request: Request, body: Json, pid: str, iid: str) -> Result:
        it, event = self._get(pid, iid), body.get("state_event")
        if event not in (None, "close", "reopen"):
            raise Reply(400, {"error": "state_event does not have a valid value"})
        if "title" in body and not str(body["title"]).strip():
            raise Reply(400, {"message": {"title": ["can't be blank"]}})
        labels = set(_split(body["labels"])) if "labels" in body else set(it["labels"])
        labels |= set(_split(body.get("add_labels")))
        new: Json = {"labels": sorted(labels - set(_split(body.get("remove_labels"))))}
        for key in ("assignee_id", "assignee_ids"):
            if key in body:
                new["assignee_ids"] = _ids(body[key] if body[key] is not None else [])
        new.update({k: str(body[k] or "") for k in ("title", "description") if k in body})
        if event:
            new["state"] = "closed" if event == "close" else "opened"
        if any(it[k] != v for k, v in new.items()):  # GitLab does not touch unchanged issues
            closes = new.get("state", it["state"]) != it["state"]
            at = self._tick(it["updated_at"])
            self._record_changes(it, new, at, BOT_USERNAME)
            it.update(new, updated_at=at)
            if closes:
                it["closed_at"] = it["updated_at"] if it["state"] == "closed" else None
        return 200, self._issue_json(it), {}

    def _list_notes(self, request: Request, _body: Json, pid: str, iid: str) -> Result:
        it = self._get(pid, iid)  # GitLab default: order_by=created_at, sort=desc
        notes = sorted(it["notes"], key=lambda n: n["id"],
                       reverse=request.args.get("sort", "desc") != "asc")
        return self._page(request, [self._note_json(it, n) for n in notes])

    def _create_note(self, _request: Request, body: Json, pid: str, iid: str) -> Result:
        it = self._get(pid, iid)
        if not str(body.get("body") or "").strip():
            raise Reply(400, {"message": {"note": ["can't be blank"]}})
        return 201, self._note_json(it, self._add_note(it, str(body["body"]), BOT_USERNAME)), {}
