"""Stand-in MantisBT 2.x REST API for tests, on top of pytest-httpserver (werkzeug).

REST under ``<url>/api/rest/index.php/...`` (``<url>/api/rest/...`` too, as with URL rewriting).
Answers like MantisBT 2.28.4 (api/rest/restcore/*, api/soap/mc_*.php, core/commands/*), quirks
included:

* Auth: ``Authorization: <token>`` (the raw token) of a user: the bot's by default, others from
  :meth:`StandInMantis.add_token`; what a request changes is recorded as that user's.
  ``Bearer <token>``, a wrong or no token: 401 with an EMPTY body (reason phrase "Valid API
  token required"). Unreleased master accepts Bearer.
* Issue JSON drops null keys and empty arrays: no ``handler``/``steps_to_reproduce``/``notes``/
  ``tags``/``attachments``/``relationships``/``history`` key when there are none. Every defined
  custom field is listed (value "" when unset); fields are linked to all projects.
* ``history`` as mci_issue_get_history builds it (oldest first): ``issue-new``, ``field-updated``
  (status, priority, severity, handler, resolution, category, custom fields: ``field``,
  ``old_value``, ``new_value`` — enum values as ``{id, name, label}``, users as accounts,
  categories and custom fields as text), ``note-added``, ``file-added``, ``tag-added`` and
  ``tag-deleted`` (``tag: {id, name}``), ``issue-description-updated``,
  ``issue-steps-to-reproduce-updated``.
* A note by the issue's reporter on an issue in feedback moves it back to new (or assigned when
  it has a handler), recorded as the reporter's change: ``$g_reassign_on_feedback = ON``, the
  default, for REST and web notes alike (IssueNoteAddCommand).
* ``GET /projects/{id}/users?access_level=N&include_access_levels=1``: users with at least
  that access level (everyone is on every project here), sorted by name, paged.
* Errors of commands: ``{"message", "code", "localized"}`` (400/404); legacy faults (PATCH):
  ``{"message"}``; 401, 412, unknown project, missing body: empty body.
* PATCH/POST enum refs (status, priority, severity, resolution, reproducibility, view_state):
  ``{"id": N}`` is stored unchecked; an unknown ``{"name"}`` silently becomes id 0 (``"@0@"``),
  not a 400 -- unless ``strict_enums=True`` (400 ``Invalid status 'foo'``, code 29; NOT real).
  An unknown handler name silently UNASSIGNS; an unknown handler id is a 404. PATCH always bumps
  ``updated_at``; a blank summary or description is a 400.
* Timestamps: ISO 8601 with offset, 1-second precision. A fake clock stamps every write >= 1 s
  after the previous stamp (and the issue's own ``updated_at``), never behind the wall clock
  (or the test's business clock, :meth:`use_clock`), so ``updated_at`` strictly increases even
  for writes within one real second.
* ``PATCH`` takes ``category`` (``{id}``, ``{name}`` or a name, any case; unknown: 404);
  ``DELETE /issues/{id}/tags/{tag_id}`` detaches a tag (an unknown tag id: 404).

Thread safety (see base.py): one lock guards all state; use ``HTTPServer(threaded=True)``.
Requests held by :meth:`StandInMantis.hold_next` wait in their own werkzeug thread.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import mimetypes
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.standins.base import Answer, HoldingStandIn, Reply, Rule

Json = dict[str, Any]
Result = tuple[int | str, Any, dict[str, str]]
BOT_ID, BOT_NAME = 99, "helpdesk-bot"
ENUMS = {kind: {int(k): v for k, v in (p.split(":") for p in spec.split(","))} for kind, spec in {
    # $g_<kind>_enum_string defaults (config_defaults_inc.php); labels: lang/strings_english.txt
    "status": "10:new,20:feedback,30:acknowledged,40:confirmed,50:assigned,80:resolved,90:closed",
    "resolution": "10:open,20:fixed,30:reopened,40:unable to duplicate,50:not fixable,"
                  "60:duplicate,70:not a bug,80:suspended,90:wont fix",
    "view_state": "10:public,50:private",
    "priority": "10:none,20:low,30:normal,40:high,50:urgent,60:immediate",
    "severity": "10:feature,20:trivial,30:text,40:tweak,50:minor,60:major,70:crash,80:block",
    "reproducibility": "10:always,30:sometimes,50:random,70:have not tried,"
                       "90:unable to duplicate,100:N/A"}.items()}
DEFAULTS = {"status": 10, "resolution": 10, "view_state": 10, "priority": 30, "severity": 50,
            "reproducibility": 70}
LABELS = {("resolution", 40): "unable to reproduce", ("resolution", 70): "no change required",
          ("resolution", 90): "won't fix", ("reproducibility", 90): "unable to reproduce"}
COLORS = {"new": "#fcbdbd", "feedback": "#e3b7eb", "acknowledged": "#ffcd85",
          "confirmed": "#fff494", "assigned": "#c2dfff", "resolved": "#d2f5b0", "closed": "#c9ccc4"}
# API name -> (type id, label, complementary type id)
RELATIONS = {"duplicate-of": (0, "duplicate of", 4), "related-to": (1, "related to", 1),
             "parent-of": (2, "parent of", 3), "child-of": (3, "child of", 2),
             "has-duplicate": (4, "has duplicate", 0)}
_REL_BY_ID = {t: (name, label, comp) for name, (t, label, comp) in RELATIONS.items()}
_LOCALIZED = {11: 'A necessary field "%s" was empty. Please recheck your inputs.',
              29: 'Invalid value for "%s"', 700: 'Project "%s" not found.',
              811: 'User with id "%s" not found.', 1100: "Issue %s not found.",
              1300: "Custom field not found.", 1502: "Category not found.",
              1803: "An issue cannot be related to itself.", 2200: 'Could not find tag "%s".'}
_PATH = re.compile(r"^/mantisbt/api/rest(?:/index\.php)?(/.*)?$")
ACCESS = {10: "viewer", 25: "reporter", 40: "updater", 55: "developer", 70: "manager",
          90: "administrator"}
# history types (core/constant_inc.php) and their REST names (history_get_type_name)
NORMAL, NEW_BUG, NOTE_ADDED, DESCRIPTION, STEPS, FILE_ADDED = 0, 1, 2, 6, 8, 9
TAG_ATTACHED, TAG_DETACHED = 25, 26
TYPE_NAMES = {NORMAL: "field-updated", NEW_BUG: "issue-new", NOTE_ADDED: "note-added",
              DESCRIPTION: "issue-description-updated",
              STEPS: "issue-steps-to-reproduce-updated", FILE_ADDED: "file-added",
              TAG_ATTACHED: "tag-added", TAG_DETACHED: "tag-deleted"}
HISTORY_ENUMS = ("status", "priority", "severity", "resolution")


@dataclass
class RecordedRequest:
    at: float  # time.monotonic() when received
    method: str
    path: str  # after ".../index.php", e.g. "/issues/5"
    query: dict[str, str]
    json: Any  # parsed JSON body or None
    status: int = 0  # what was answered
    headers: dict[str, str] = field(default_factory=dict)  # authorization, if-match, content-type


def _fail(status: int, message: str, code: int | None = None, param: Any = "") -> Reply:
    body: Json = {"message": message}
    if code is not None:
        body.update(code=code, localized=_LOCALIZED[code].replace("%s", str(param)))
    return Reply(status, body)


def _obj(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _fmt(t: datetime) -> str:
    return t.astimezone(UTC).replace(microsecond=0).isoformat()


def _parse(value: str) -> datetime:
    t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return (t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)).replace(microsecond=0)


class StandInMantis(HoldingStandIn[RecordedRequest]):
    _CRASH = Answer(500)

    def __init__(self, server: HTTPServer, token: str = "mantis-token-0123456789", *,
                 strict_enums: bool = False) -> None:
        super().__init__(server)
        self.token, self.strict_enums = token, strict_enums
        self.url = server.url_for("/mantisbt").rstrip("/")
        self._issues: dict[int, Json] = {}
        self._users: dict[int, Json] = {}
        self._projects: dict[int, str] = {}
        self._categories: dict[str, int] = {"General": 1}
        self._fields: dict[str, int] = {}
        self._tags: dict[str, int] = {}
        self.file_contents: dict[tuple[int, str], bytes] = {}  # (issue, file name) → bytes
        self._rels: list[list[int]] = []  # [id, source issue, destination issue, type]
        self._clock = datetime.now(UTC).replace(microsecond=0)
        self._next = {"note": 100, "file": 100, "rel": 100, "tag": 100, "user": 100, "field": 0}
        self._tokens: dict[str, int] = {token: BOT_ID}
        self._actor = BOT_ID  # whose token the request being answered carries
        self.add_user("administrator", 1, "root@localhost", access_level=90)
        self.add_user(BOT_NAME, BOT_ID, "helpdesk-bot@example.com", real_name="Helpdesk Bot",
                      access_level=55)
        table: list[tuple[str, str, Callable[..., Result]]] = [
            ("GET", r"/issues", self._list), ("POST", r"/issues", self._create),
            ("GET", r"/issues/(\d+)", self._get_one), ("PATCH", r"/issues/(\d+)", self._update),
            ("POST", r"/issues/(\d+)/notes", self._note),
            ("POST", r"/issues/(\d+)/files", self._files),
            ("POST", r"/issues/(\d+)/tags", self._tag),
            ("DELETE", r"/issues/(\d+)/tags/(\d+)", self._untag),
            ("POST", r"/issues/(\d+)/relationships", self._relate),
            ("GET", r"/projects/(\d+)/users", self._project_users)]
        self._routes = [(m, re.compile(f"^{p}/?$"), f) for m, p, f in table]
        server.expect_request(_PATH).respond_with_handler(self._handle)

    # ----- helpers for tests -------------------------------------------------------------------
    def add_user(self, name: str, user_id: int, email: str = "", *, real_name: str = "",
                 access_level: int = 25) -> None:
        """A user; `access_level` on every project (25 reporter, 55 developer…)."""
        with self._lock:
            self._users[user_id] = {"name": name, "real_name": real_name, "email": email,
                                    "level": access_level}

    def add_token(self, name: str, *, access_level: int | None = None) -> str:
        """An API token acting as user `name` (created if new, with `access_level`)."""
        with self._lock:
            uid = self._user_id(name)
            if access_level is not None:
                self._users[uid]["level"] = access_level
            token = f"token-{name}-{uid}"
            self._tokens[token] = uid
            return token

    def add_issue(self, issue_id: int, *, project_id: int = 1, summary: str = "Issue",
                  description: str = "Description", steps_to_reproduce: str = "",
                  additional_information: str = "", status: str = "new",
                  priority: str = "normal", severity: str = "minor", reporter: str = "reporter",
                  handler: str | None = None, custom_fields: dict[str, str] | None = None,
                  attachments: list[str | tuple[str, int]] | None = None,
                  category: str = "General",
                  updated_at: str | None = None) -> Json:
        """Store an issue (enum names must be valid); returns :meth:`issue`. Real issues always
        have a description, and a PATCH of one with a blank description is a 400."""
        with self._lock:
            now = _parse(updated_at) if updated_at else self._tick()
            names = {k: {v: i for i, v in ENUMS[k].items()} for k in ENUMS}
            rid = self._user_id(reporter)
            self._projects.setdefault(project_id, f"Project {project_id}")
            self._categories.setdefault(category, len(self._categories) + 1)
            for name in custom_fields or {}:
                self._field_id(name)
            self._issues[issue_id] = {
                "id": issue_id, "project_id": project_id, "summary": summary,
                "description": description, "steps": steps_to_reproduce,
                "info": additional_information, "category": category, "reporter": rid,
                "handler": self._user_id(handler) if handler else 0, "sticky": False,
                "status": names["status"][status], "priority": names["priority"][priority],
                "severity": names["severity"][severity], **{k: DEFAULTS[k] for k in (
                    "resolution", "view_state", "reproducibility")},
                "created": now, "updated": now, "custom": dict(custom_fields or {}),
                "notes": [], "tags": [], "attachments": [],
                "history": [(now, rid, NEW_BUG, "", "", "")]}
            self._attach(self._issues[issue_id], rid, now, attachments or [])
            return self.issue(issue_id)

    def change_status(self, issue_id: int, status: str, at: str, *,
                      by: str = "developer") -> None:
        """A status change made in the web UI at `at` (ISO time), as Mantis records it."""
        self.change_at(issue_id, at, by=by, status=status)

    def change_at(self, issue_id: int, at: str, *, by: str = "developer",
                  category: str | None = None, **enums: str) -> None:
        """An edit made in the web UI at `at` (ISO time) — enums by name (status, severity,
        priority…), the category — as Mantis records it: the fields and the issue's
        `updated`, and a field-updated history entry with old and new for each change."""
        with self._lock:
            it, when, uid = self._issues[issue_id], _parse(at), self._user_id(by)
            new: Json = {kind: {v: i for i, v in ENUMS[kind].items()}[name]
                         for kind, name in enums.items()}
            if category is not None:
                new["category"] = self._category_of(category)
            for key, value in new.items():
                if value != it[key]:
                    it["history"].append((when, uid, NORMAL, key, it[key], value))
            it.update(new, updated=when)

    def add_note(self, issue_id: int, text: str, *, reporter: str = "reporter",
                 private: bool = False, files: list[str | tuple[str, int]] | None = None) -> Json:
        """A note written by someone else through the web UI, with files attached to it;
        returns its REST shape. Feedback moves back as Mantis does (module docstring)."""
        with self._lock:
            it = self._issues[issue_id]
            uid = self._user_id(reporter)
            note = self._add_note(it, text, uid, private)
            self._attach(it, uid, note["created"], files or [])
            return self._note_json(note)

    def issue(self, issue_id: int) -> Json:
        """Copy of the issue exactly as ``GET /issues/{id}`` shows it (``["issues"][0]``)."""
        with self._lock:
            return copy.deepcopy(self._issue_json(self._issues[issue_id]))

    def on_list_issues(self, hook: Callable[[int], None] | None) -> None:
        """Call `hook(page)` (under the lock) before answering each `GET /issues`, e.g. to edit
        issues while a client pages through them."""
        with self._lock:
            self._list_hook = hook

    def touch(self, issue_id: int, summary: str) -> None:
        """Someone edits an issue in the web UI: its updated_at moves on."""
        with self._lock:
            it = self._issues[issue_id]
            it.update(summary=summary, updated=self._tick(it["updated"]))

    def fail_next(self, method: str, path_regex: str, status: int, *,
                  headers: dict[str, str] | None = None, body: Json | None = None,
                  times: int = 1) -> None:
        """The next `times` requests whose method matches ("*" = any) and whose path after
        index.php (e.g. "/issues/5") matches `path_regex` get this answer instead, unapplied.
        Default body: empty, as Mantis' middleware answers."""
        self._add_fail(Rule(method.upper(), re.compile(path_regex), times,
                            Answer(status, body, dict(headers or {}))))

    # ----- plumbing ----------------------------------------------------------------------------
    def _record(self, request: Request) -> RecordedRequest:
        path = (_PATH.match(request.path) or [None, None])[1] or "/"
        keep = ("Authorization", "If-Match", "Content-Type")
        return RecordedRequest(time.monotonic(), request.method, path, request.args.to_dict(),
                               request.get_json(silent=True),
                               headers={k.lower(): request.headers[k] for k in keep
                                        if k in request.headers})

    def _dispatch(self, request: Request, rec: RecordedRequest) -> Answer:
        return self._apply(request.method, rec.path,
                           lambda: self._route(request, rec.path, rec.json))

    def _respond(self, answer: Answer) -> Response:
        headers = {"X-Mantis-Version": "2.28.4", **answer.headers}
        if answer.body is None:
            return Response(b"", answer.status, headers)
        return Response(json.dumps(answer.body), answer.status, headers,
                        content_type="application/json")

    def _route(self, request: Request, path: str, body: Any) -> Answer:
        given = request.headers.get("Authorization", "").split(", ")
        users = [self._tokens[t] for t in given if t in self._tokens]
        if not users:
            raise Reply("401 Valid API token required")  # Bearer, wrong or missing token
        self._actor = users[0]
        for method, pattern, func in self._routes:
            match = pattern.match(path)
            if match and method == request.method:
                try:
                    return Answer(*func(request, body if isinstance(body, dict) else {},
                                        *match.groups()))
                except (TypeError, ValueError):  # e.g. page=abc, {"id": "x"}
                    raise Reply("400 Bad Request") from None
        raise Reply(404)

    def _tick(self, after: datetime | None = None) -> datetime:
        floor = max(self._clock, after or self._clock) + timedelta(seconds=1)
        self._clock = max(self._wall().replace(microsecond=0), floor)
        return self._clock

    def _new(self, kind: str) -> int:
        self._next[kind] += 1
        return self._next[kind]

    def _user_id(self, name: str) -> int:
        found = [i for i, u in self._users.items() if u["name"] == name]
        if not found:
            found = [self._new("user")]
            self.add_user(name, found[0])
        return found[0]


    def _category_of(self, cat: Any) -> str:
        """A category by {id}, {name} or name (any case) as Mantis finds it; "" when none is
        named, 404 for one it does not know."""
        name = cat.get("name") if isinstance(cat, dict) else cat
        if isinstance(cat, dict) and cat.get("id") is not None:
            name = {i: n for n, i in self._categories.items()}.get(cat["id"])
            if name is None:
                raise _fail(404, f"Category Id '{cat['id']}' not found.", 1502)
        if not name:
            return ""
        known = {n.lower(): n for n in self._categories}
        if str(name).lower() not in known:
            raise _fail(404, f"Category '{name}' not found.", 1502)
        return known[str(name).lower()]

    def _field_id(self, name: str) -> int:
        if name not in self._fields:
            self._fields[name] = self._new("field")
        return self._fields[name]

    def _attach(self, it: Json, uid: int, now: datetime,
                files: list[str | tuple[str, int]]) -> None:
        for f in files:
            name, size = (f, 1024) if isinstance(f, str) else f
            it["attachments"].append({
                "id": self._new("file"), "reporter": uid, "created": now, "filename": name,
                "size": size, "type": mimetypes.guess_type(name)[0] or "application/octet-stream"})
            it["history"].append((now, uid, FILE_ADDED, "", name, ""))

    def _get(self, issue_id: int | str) -> Json:
        if int(issue_id) not in self._issues:
            raise _fail(404, f"Issue #{int(issue_id)} not found", 1100, int(issue_id))
        return self._issues[int(issue_id)]

    def _etag(self, it: Json) -> str:
        data = json.dumps({"issues": [self._issue_json(it)]}, sort_keys=True)
        return hashlib.sha256(f"v1_{self._actor}_{it['id']}_{data}".encode()).hexdigest()

    # ----- JSON shapes -------------------------------------------------------------------------
    def _user_json(self, uid: int) -> Json:
        user = self._users.get(uid, {})
        return {"id": uid, **{k: v for k, v in user.items() if v and k != "level"}}

    @staticmethod
    def _enum_json(kind: str, value: int) -> Json:
        name = ENUMS[kind].get(value, f"@{value}@")
        out: Json = {"id": value, "name": name, "label": LABELS.get((kind, value), name)}
        return {**out, "color": COLORS.get(name, "currentcolor")} if kind == "status" else out

    def _note_json(self, note: Json) -> Json:
        return {"id": note["id"], "reporter": self._user_json(note["reporter"]),
                "text": note["text"], "view_state": self._enum_json("view_state", note["vs"]),
                "attachments": [], "type": "note", "created_at": _fmt(note["created"]),
                "updated_at": _fmt(note["updated"])}

    def _relations_json(self, issue_id: int) -> list[Json]:
        out = []
        for rid, src, dst, rtype in self._rels:
            if issue_id not in (src, dst):
                continue
            shown = rtype if src == issue_id else _REL_BY_ID[rtype][2]
            other = self._issues[dst if src == issue_id else src]
            related = {"id": other["id"], "status": self._enum_json("status", other["status"]),
                       "resolution": self._enum_json("resolution", other["resolution"]),
                       "summary": other["summary"]}
            if other["handler"]:
                related["handler"] = self._user_json(other["handler"])
            out.append({"id": rid, "type": {"id": shown, "name": _REL_BY_ID[shown][0],
                                            "label": _REL_BY_ID[shown][1]}, "issue": related})
        return out

    def _history_json(self, it: Json) -> list[Json]:
        out = []
        for at, uid, kind, field_name, old, new in it["history"]:
            entry: Json = {"created_at": _fmt(at), "user": self._user_json(uid)}
            if field_name:
                entry["field"] = {"name": field_name, "label": field_name}
            entry["type"] = {"id": kind, "name": TYPE_NAMES[kind]}
            if kind == NORMAL:
                entry["old_value"], entry["new_value"] = (self._history_value(field_name, v)
                                                          for v in (old, new))
            elif kind == NOTE_ADDED:
                entry["note"] = {"id": old}
            elif kind == FILE_ADDED:
                entry["file"] = {"filename": old}
            elif kind in (TAG_ATTACHED, TAG_DETACHED):  # a deleted tag: its name alone
                entry["tag"] = {"id": self._tags[old], "name": old} if old in self._tags \
                    else {"name": old}
            entry["message"] = field_name or TYPE_NAMES[kind]
            out.append(entry)
        return out

    def _history_value(self, field_name: str, value: Any) -> Any:
        if value in ("", None):
            return ""
        if field_name in HISTORY_ENUMS:
            return self._enum_json(field_name, int(value))
        if field_name == "handler":
            return self._user_json(int(value))
        return value

    def _issue_json(self, it: Json) -> Json:
        pid, cat = it["project_id"], it["category"]
        out: Json = {
            "id": it["id"], "summary": it["summary"], "description": it["description"],
            "steps_to_reproduce": it["steps"] or None, "additional_information": it["info"] or None,
            "project": {"id": pid, "name": self._projects[pid]},
            "category": {"id": self._categories[cat], "name": cat} if cat else None,
            "reporter": self._user_json(it["reporter"]),
            "handler": self._user_json(it["handler"]) if it["handler"] else None,
            **{k: self._enum_json(k, it[k]) for k in ENUMS}, "sticky": it["sticky"],
            "created_at": _fmt(it["created"]), "updated_at": _fmt(it["updated"]),
            "attachments": [{"id": a["id"], "reporter": self._user_json(a["reporter"]),
                             "created_at": _fmt(a["created"]), "filename": a["filename"],
                             "size": a["size"], "content_type": a["type"]}
                            for a in it["attachments"]],
            "notes": [self._note_json(n) for n in it["notes"]],
            "relationships": self._relations_json(it["id"]),
            "custom_fields": [{"field": {"id": i, "name": n}, "value": it["custom"].get(n, "")}
                              for n, i in sorted(self._fields.items(), key=lambda kv: kv[1])],
            "tags": [{"id": self._tags[t], "name": t} for t in it["tags"]],
            "history": self._history_json(it)}
        return {k: v for k, v in out.items() if v is not None and v != []}

    # ----- request handlers --------------------------------------------------------------------
    def _enum_ref(self, kind: str, ref: Any) -> int:
        ref = _obj(ref)
        if ref.get("id") not in (None, 0, "0", ""):
            return int(ref["id"])  # not checked, as in Mantis
        if not str(ref.get("name") or "").strip():
            return DEFAULTS[kind]
        found = {v: i for i, v in ENUMS[kind].items()}.get(str(ref["name"]))
        if found is None and self.strict_enums:
            raise _fail(400, f"Invalid {kind} '{ref['name']}'", 29, kind)
        return found or 0  # webservice_<kind>_enum_default_when_not_found = 0

    def _handler_ref(self, ref: Any) -> int:
        ref = _obj(ref)
        if ref.get("id") not in (None, 0, "0", ""):
            uid = int(ref["id"])
            if uid not in self._users:
                raise _fail(404, f"User '{uid}' does not exist.")
            return uid
        found = [i for i, u in self._users.items() if u["name"] == ref.get("name")]
        return found[0] if found else 0  # mci_get_user_id swallows "not found": unassigned

    def _custom(self, values: dict[str, str], specs: Any) -> dict[str, str]:
        values, by_id = dict(values), {i: n for n, i in self._fields.items()}
        for spec in specs if isinstance(specs, list) else []:
            ref = spec.get("field") if isinstance(spec, dict) else None
            if not isinstance(ref, dict) or spec.get("value") is None or not (
                    ref.get("id") or "name" in ref):
                raise _fail(400, "Invalid Custom field specification", 11, "custom_field['id']")
            name = by_id.get(int(ref["id"])) if ref.get("id") else ref["name"]
            if name not in self._fields:
                raise _fail(404, f"Custom field '{ref.get('name', '')}' not found.", 1300)
            values[name] = str(spec["value"])
        return values

    def _add_note(self, it: Json, text: str, reporter: int, private: bool) -> Json:
        now = it["updated"] = self._tick(it["updated"])  # bugnote_add touches the issue
        note = {"id": self._new("note"), "reporter": reporter, "text": text,
                "vs": 50 if private else 10, "created": now, "updated": now}
        it["notes"].append(note)
        it["history"].append((now, reporter, NOTE_ADDED, "", note["id"], ""))
        if it["status"] == 20 and reporter == it["reporter"] != it["handler"]:
            status = 50 if it["handler"] else 10  # reassign_on_feedback
            it["history"].append((now, reporter, NORMAL, "status", it["status"], status))
            it["status"] = status
        return note

    def _get_one(self, _request: Request, _body: Json, iid: str) -> Result:
        it = self._get(iid)
        return 200, {"issues": [self._issue_json(it)]}, {"ETag": self._etag(it)}

    def _list(self, request: Request, _body: Json) -> Result:
        hook = getattr(self, "_list_hook", None)
        if hook is not None:
            hook(int(request.args.get("page", 1) or 1))
        pid = int(request.args.get("project_id", 0))
        if pid and pid not in self._projects:
            raise Reply(f"404 Project '{pid}' doesn't exist")
        size = int(request.args.get("page_size", 50))
        page = max(int(request.args.get("page", 1)), 1)
        issues = sorted((i for i in self._issues.values() if pid in (0, i["project_id"])),
                        key=lambda i: (i["updated"], i["id"]), reverse=True)
        pages = max(1, -(-len(issues) // max(size, 1)))
        shown = issues[(page - 1) * size:page * size] if page <= pages else []
        return 200, {"issues": [self._issue_json(i) for i in shown]}, {}

    def _update(self, request: Request, body: Json, iid: str) -> Result:
        it = self._get(iid)
        etag = self._etag(it)
        if "If-Match" in request.headers and request.headers["If-Match"] != etag:
            raise Reply("412 Precondition Failed", None, {"ETag": etag})
        if not body:
            raise Reply("400 Invalid request body or format")
        if "id" in body and str(body["id"]) != str(it["id"]):
            raise Reply("400 Issue id mismatch")
        new: Json = {k: str(body[k]) for k in ("summary", "description")
                     if body.get(k) is not None}
        new.update({k: str(body[f]) for k, f in (("steps", "steps_to_reproduce"),
                                                 ("info", "additional_information"))
                    if body.get(f) is not None})
        for key in ("summary", "description"):
            if not str(new.get(key, it[key])).strip():
                raise _fail(400, f"Mandatory field '{key}' is missing.")
        if body.get("handler") is not None:
            new["handler"] = self._handler_ref(body["handler"])
        if body.get("category") is not None:
            new["category"] = self._category_of(body["category"]) or it["category"]
        new.update({k: self._enum_ref(k, body[k]) for k in ENUMS if body.get(k) is not None})
        new["custom"] = self._custom(it["custom"], body.get("custom_fields"))
        new["sticky"] = bool(body.get("sticky", it["sticky"]))
        now = self._tick(it["updated"])
        self._log_changes(it, new, now)
        it.update(new, updated=now)  # always bumped, even if unchanged
        return 200, {"issues": [self._issue_json(it)]}, {"ETag": self._etag(it)}

    def _log_changes(self, it: Json, new: Json, now: datetime) -> None:
        """History rows for what an update changes, as the acting user's."""
        rows = [(k, it[k], new[k]) for k in (*HISTORY_ENUMS, "handler", "category")
                if k in new and new[k] != it[k]]
        rows += [(name, it["custom"].get(name, ""), value)
                 for name, value in new["custom"].items() if value != it["custom"].get(name, "")]
        it["history"] += [(now, self._actor, NORMAL, k, old, value) for k, old, value in rows]
        for key, kind in (("description", DESCRIPTION), ("steps", STEPS)):
            if key in new and new[key] != it[key]:
                it["history"].append((now, self._actor, kind, "", "", ""))

    def _project_users(self, request: Request, _body: Json, pid: str) -> Result:
        if int(pid) not in self._projects:
            raise _fail(404, f"Project '{pid}' not found", 700, pid)
        floor = int(request.args.get("access_level", 0) or 0)
        size = int(request.args.get("page_size", 50))
        page = max(int(request.args.get("page", 1)), 1)
        levels = request.args.get("include_access_levels", "1") not in ("0", "")
        users = sorted((u["name"], uid) for uid, u in self._users.items() if u["level"] >= floor)
        shown = users[(page - 1) * size:page * size] if size else users
        out = []
        for _, uid in shown:
            user = self._user_json(uid)
            if levels:
                level = self._users[uid]["level"]
                user["access_level"] = {"id": level, "name": ACCESS.get(level, f"@{level}@"),
                                        "label": ACCESS.get(level, f"@{level}@")}
            out.append(user)
        return 200, {"users": out}, {}

    def _create(self, _request: Request, body: Json) -> Result:
        if not body:
            raise Reply("400 Invalid request body or format")
        for key in ("summary", "description"):
            if not str(body.get(key) or "").strip():
                raise _fail(400, f"{key.title()} not specified", 11, key)
        ref = _obj(body.get("project"))
        pid = int(ref["id"]) if ref.get("id") else {n: i for i, n in self._projects.items()}.get(
            str(ref.get("name")), 0)
        if not pid:
            raise _fail(400, "Project not specified", 11, "project")
        if pid not in self._projects:
            raise _fail(404, f"Project '{pid}' not found", 700, pid)
        name = self._category_of(body.get("category"))
        if not name:
            raise _fail(400, "Category field must be supplied.", 11, "category")
        handler = self._handler_ref(body.get("handler"))
        enums = {k: self._enum_ref(k, body[k]) if body.get(k) is not None else DEFAULTS[k]
                 for k in ENUMS}
        custom = self._custom({}, body.get("custom_fields"))
        iid = max(self._issues, default=0) + 1
        if not handler and enums["status"] >= 80:  # resolved issues get a handler
            handler = BOT_ID
        now = self._tick()
        self._issues[iid] = {
            "id": iid, "project_id": pid, "summary": str(body["summary"]),
            "description": str(body["description"]), "category": name,
            "steps": str(body.get("steps_to_reproduce") or ""),
            "info": str(body.get("additional_information") or ""), "reporter": self._actor,
            "handler": handler, "sticky": False, **enums, "created": now, "updated": now,
            "custom": custom, "notes": [], "tags": [], "attachments": [],
            "history": [(now, self._actor, NEW_BUG, "", "", "")]}
        return 201, {"issue": self._issue_json(self._issues[iid])}, {}

    def _note(self, _request: Request, body: Json, iid: str) -> Result:
        it = self._get(iid)
        text = str(body.get("text") or "").strip()
        if not text:
            raise _fail(400, "Issue note not specified.", 11, "Note")
        vs = _obj(body.get("view_state"))
        private = vs.get("name") == "private" or str(vs.get("id")) == "50"
        note = self._add_note(it, text, self._actor, private)
        return 201, {"note": self._note_json(note), "issue": self._issue_json(it)}, {}

    def _files(self, _request: Request, body: Json, iid: str) -> Result:
        """POST /issues/{id}/files: {"files": [{"name", "content" (base64)}]} → 201, no body."""
        it, files = self._get(iid), body.get("files")
        if not isinstance(files, list) or not files:
            raise _fail(400, "No files attached", 11, "files")
        for f in files:
            if not isinstance(f, dict) or not f.get("name") or "content" not in f:
                raise _fail(400, "File name or content missing", 11, "files")
            try:
                content = base64.b64decode(str(f["content"]), validate=True)
            except ValueError:
                raise _fail(400, "File content is not base64", 11, "files") from None
            self._attach(it, self._actor, self._tick(), [(str(f["name"]), len(content))])
            self.file_contents[(int(iid), str(f["name"]))] = content
        return 201, None, {}

    def _relate(self, _request: Request, body: Json, iid: str) -> Result:
        ref = body.get("type") or {"id": 1}
        if isinstance(ref, dict) and ref.get("id") is not None and int(ref["id"]) in _REL_BY_ID:
            rtype = int(ref["id"])
        elif isinstance(ref, dict) and str(ref.get("name", "")).lower() in RELATIONS:
            rtype = RELATIONS[str(ref["name"]).lower()][0]
        else:
            name = ref.get("name", ref.get("id")) if isinstance(ref, dict) else ref
            raise _fail(400, f"Unknown relationship type '{name}'", 29, "relationship_type")
        target = body.get("issue")
        if not isinstance(target, dict) or target.get("id") is None:
            raise _fail(400, "Invalid issue id", 29, "issue_id")
        src = self._get(iid)
        if int(target["id"]) == src["id"]:
            raise _fail(400, "Issue can't have relationship to itself", 1803)
        dst = self._get(target["id"])
        pair = {src["id"], dst["id"]}
        old = [r for r in self._rels if {r[1], r[2]} == pair]  # relationship_upsert
        self._rels = [r for r in self._rels if r not in old]
        self._rels.append([old[0][0] if old else self._new("rel"), src["id"], dst["id"], rtype])
        for it in (src, dst):
            it["updated"] = self._tick(it["updated"])
        return 201, {"issue": self._issue_json(src)}, {}

    def _tag(self, _request: Request, body: Json, iid: str) -> Result:
        it = self._get(iid)
        tags, names = body.get("tags"), []
        if not isinstance(tags, list) or not tags:
            raise _fail(400, "Invalid tags array", 29, "tags")
        for tag in tags:
            if isinstance(tag, dict) and tag.get("id") is not None:
                by_id = {i: n for n, i in self._tags.items()}
                if int(tag["id"]) not in by_id:
                    raise _fail(404, f"Tag '{tag['id']}' not found.", 2200, tag["id"])
                names.append(by_id[int(tag["id"])])
            elif isinstance(tag, dict) and str(tag.get("name") or "").strip():
                names.append(str(tag["name"]))
            else:
                raise _fail(400, "Invalid tag with no id or name", 29, "tags")
        for name in names:  # unknown names are created (the bot may create tags)
            self._tags.setdefault(name, self._new("tag"))
        new = [n for n in dict.fromkeys(names) if n not in it["tags"]]
        if new:
            it["tags"] += new
            it["updated"] = self._tick(it["updated"])
            it["history"] += [(it["updated"], self._actor, TAG_ATTACHED, "", n, "") for n in new]
        return 201, {"issues": [self._issue_json(it)]}, {}

    def _untag(self, _request: Request, _body: Json, iid: str, tag_id: str) -> Result:
        """TagDetachCommand: an unknown tag is a 404, one not attached changes nothing."""
        it = self._get(iid)
        name = {i: n for n, i in self._tags.items()}.get(int(tag_id))
        if name is None:
            raise _fail(404, f"Tag '{tag_id}' not found.", 2200, tag_id)
        if name in it["tags"]:
            it["tags"].remove(name)
            it["updated"] = self._tick(it["updated"])
            it["history"].append((it["updated"], self._actor, TAG_DETACHED, "", name, ""))
        return 200, {"issues": [self._issue_json(it)]}, {}
