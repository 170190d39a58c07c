"""Stand-in Znuny (OTRS) GenericInterface web service for tests, on pytest-httpserver (werkzeug).

``url`` is the web service base ``.../otrs/nph-genericinterface.pl/Webservice/<name>``; routes as
our web service YAML maps them: ``POST /Session``, ``GET|PATCH /Ticket/:TicketID``,
``POST /Ticket``, ``GET /TicketSearch``. Query string, JSON body and route parameters are merged
into one data hash, as the HTTP::REST transport does. Behaviour taken from Znuny's
Kernel/GenericInterface/Operation/{Session,Ticket}/*.pm:

* Every operation error is HTTP **200** ``{"Error": {"ErrorCode", "ErrorMessage"}}`` (real codes
  and texts); an unknown or inaccessible ticket is ``*.AccessDenied``; a bad/expired SessionID is
  ``*.AuthFail``. Unknown routes: HTTP 500, plain text.
* IDs are strings (Perl/DB values); ``Changed``/``Created`` are "YYYY-MM-DD HH:MM:SS" (UTC here).
  ``TicketGet`` lists only dynamic fields that have a value, and attachments only with
  ``Attachments=1`` (base64 ``Content`` unless ``GetAttachmentContents=0``). Articles carry
  ``CommunicationChannelID`` (1 Email, 2 Phone, 3 Internal, 4 Chat), not a channel name.
* TicketUpdate: an article defaults to channel Internal, sender agent and
  ``IsVisibleForCustomer`` **1**; ``ContentType`` needs a charset ("text/plain; charset=utf8").
  Setting a value equal to the current one is a no-op (no ``Changed`` bump). A pending state
  needs ``Ticket.PendingTime``. Changes are checked first and applied all at once here.
* TicketSearch returns ``{"TicketID": ["3", "1"]}`` or ``{}``; a malformed date yields ``{}``.
  ``StateType``: ``Open`` (the viewable types: new, open, pending), ``Closed``, or type names.
* Time: 1-second precision; a fake clock stamps every write >= 1 s after the previous stamp.

:meth:`StandInZnuny.invoker_payload` builds the body Znuny's ``Ticket::Generic`` invoker POSTs
(Invoker/Ticket/Generic.pm): ``{"Event": <the event's data>, "Ticket": TicketDeepGet(...)}``.
``Event`` does NOT name the event: it is ``{"TicketID"}`` (TicketCreate, TicketPriorityUpdate),
plus ``"OldTicketData"`` (TicketGet before the change) for TicketStateUpdate, plus
``"ArticleID"`` for ArticleCreate. ``Ticket`` is TicketGet(DynamicFields=1) with
``DynamicField_<Name>`` keys flattened, ``TimeUnit``, ``Articles`` (every article), ``Article``
(the event's article, or the only one, else ``{}``; with base64 ``Attachment`` list),
``CustomerUser``, ``CustomerCompany``, ``QueueData``, ``TypeData``, ``PriorityData``,
``ServiceData``, ``SLAData``, ``OwnerData``, ``ResponsibleData``, ``CreateByData``.
"""

from __future__ import annotations

import base64
import copy
import json
import mimetypes
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.standins.base import Answer, HoldingStandIn, Reply, Rule

Json = dict[str, Any]
STATES = {"new": (1, "new"), "closed successful": (2, "closed"),
          "closed unsuccessful": (3, "closed"), "open": (4, "open"), "removed": (5, "removed"),
          "pending reminder": (6, "pending reminder"), "pending auto close+": (7, "pending auto"),
          "pending auto close-": (8, "pending auto"), "merged": (9, "merged")}
VIEWABLE = {"new", "open", "pending reminder", "pending auto"}  # Ticket::ViewableStateType
PRIORITIES = {"1 very low": 1, "2 low": 2, "3 normal": 3, "4 high": 4, "5 very high": 5}
CHANNELS = {"Email": 1, "Phone": 2, "Internal": 3, "Chat": 4}
SENDERS = {"agent": 1, "system": 2, "customer": 3}
CHARSETS = {"utf8", "utf-8", "us-ascii", "iso-8859-1", "iso-8859-15", "windows-1252"}
_FMT = "%Y-%m-%d %H:%M:%S"


@dataclass
class RecordedRequest:
    at: float  # time.monotonic() when received
    method: str
    path: str  # after the web service base, e.g. "/Ticket/5"
    query: dict[str, str]
    json: Any  # parsed JSON body or None
    status: int = 0  # HTTP status answered
    error: str | None = None  # ErrorCode of a 200-with-Error answer


class _Error(Reply):  # an operation's error: HTTP 200 {"Error": {...}}
    def __init__(self, code: str, message: str) -> None:
        super().__init__(200, {"Error": {"ErrorCode": code, "ErrorMessage": message}})


def _strip(data: Any) -> Json:
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


class StandInZnuny(HoldingStandIn[RecordedRequest]):
    _CRASH = Answer(500, "Internal Server Error")

    def __init__(self, server: HTTPServer, webservice: str = "HelpdeskConnector",
                 user: str = "helpdesk-bot", password: str = "bot-password") -> None:
        super().__init__(server)
        self.user, self.password = user, password
        self._prefix = f"/otrs/nph-genericinterface.pl/Webservice/{webservice}"
        self.url = server.url_for(self._prefix)
        self._tickets: dict[int, Json] = {}
        self._agents: dict[str, Json] = {}
        self._queues = {"Postmaster": 1, "Raw": 2, "Junk": 3, "Misc": 4, "Support": 5}
        self._fields: dict[str, list[str] | None] = {}  # ticket dynamic fields: allowed values
        self._sessions: dict[str, str] = {}
        self._clock = datetime.now(UTC).replace(microsecond=0)
        self._next_article = 100
        self.add_agent("root@localhost", "root", "Admin OTRS")
        self.add_agent(user, password, "Helpdesk Bot")
        table: list[tuple[str, str, Callable[[Json], Json]]] = [
            ("POST", "/Session", self._session), ("GET", "/Ticket/(?P<TicketID>[^/]+)", self._get),
            ("PATCH", "/Ticket/(?P<TicketID>[^/]+)", self._update),
            ("POST", "/Ticket", self._create), ("GET", "/TicketSearch", self._search)]
        self._routes = [(m, re.compile(f"^{p}$"), f) for m, p, f in table]
        server.expect_request(re.compile(f"^{re.escape(self._prefix)}(/.*)?$")) \
            .respond_with_handler(self._handle)

    # ----- helpers for tests -------------------------------------------------------------------
    def add_agent(self, login: str, password: str = "secret", full_name: str = "") -> None:
        with self._lock:
            first, _, last = (full_name or login).partition(" ")
            self._agents[login] = {"UserID": str(len(self._agents) + 1), "UserLogin": login,
                                   "UserFirstname": first, "UserLastname": last,
                                   "UserFullname": full_name or login, "ValidID": "1",
                                   "UserEmail": login if "@" in login else f"{login}@localhost",
                                   "password": password}

    def add_dynamic_field(self, name: str, values: list[str] | None = None) -> None:
        """A ticket dynamic field; `values` restricts it (a dropdown), None = free text."""
        with self._lock:
            self._fields[name] = values

    def add_ticket(self, ticket_id: int, *, title: str = "Ticket", queue: str = "Support",
                   state: str = "new", priority: str = "3 normal", owner: str = "root@localhost",
                   customer_user: str = "", dynamic_fields: dict[str, str] | None = None,
                   articles: list[Json] | None = None, changed: str | None = None) -> Json:
        """Store a ticket; `articles`: [{body, from?, subject?, attachments?: [filenames],
        sender_type? ("customer"), channel? ("Email"), visible? (1)}]. Returns :meth:`ticket`."""
        if state not in STATES or priority not in PRIORITIES:
            raise ValueError(f"unknown state {state!r} or priority {priority!r}")
        with self._lock:
            now = datetime.strptime(changed, _FMT).replace(tzinfo=UTC) if changed else self._tick()
            if owner not in self._agents:
                self.add_agent(owner)
            self._queues.setdefault(queue, len(self._queues) + 1)
            for name in dynamic_fields or {}:
                self._fields.setdefault(name, None)
            t = self._tickets[ticket_id] = {
                "TicketID": ticket_id, "TicketNumber": f"{now:%Y%m%d}10{ticket_id:06d}",
                "Title": title, "Queue": queue, "State": state, "Priority": priority,
                "Owner": owner, "CustomerUserID": customer_user, "Created": now, "Changed": now,
                "ChangeBy": "1", "df": dict(dynamic_fields or {}), "articles": [], "old": None}
            for a in articles or []:
                sender = a.get("sender_type", "customer")
                self._add_article(t, {
                    "Subject": a.get("subject", title), "Body": a["body"],
                    "From": a.get("from", customer_user or "customer@example.com"),
                    "SenderType": sender, "Channel": a.get("channel", "Email"),
                    "Visible": a.get("visible", 1), "MimeType": "text/plain", "Charset": "utf-8",
                    "ContentType": "text/plain; charset=utf-8", "CreateBy": "1"}, now,
                    a.get("attachments", []))
            return self.ticket(ticket_id)

    def files(self, ticket_id: int) -> dict[str, bytes]:
        """The ticket's attached files by name, with their contents."""
        with self._lock:
            return {name: data for a in self._tickets[ticket_id]["articles"]
                    for name, data in a["Files"]}

    def ticket(self, ticket_id: int) -> Json:
        """TicketGet shape (DynamicFields=1, AllArticles=1, Attachments=1, no contents)."""
        with self._lock:
            t = self._tickets[ticket_id]
            return copy.deepcopy(self._ticket_json(t, {"DynamicFields": "1", "AllArticles": "1",
                                                       "Attachments": "1",
                                                       "GetAttachmentContents": "0"}))

    def expire_sessions(self) -> None:
        with self._lock:
            self._sessions.clear()

    def invoker_payload(self, ticket_id: int, event: str, *,
                        article_id: int | None = None) -> Json:
        """Body of the Ticket::Generic invoker for `event` (see the module docstring); for
        ArticleCreate the event's article is `article_id` or the newest one."""
        with self._lock:
            t = self._tickets[ticket_id]
            data: Json = {"TicketID": str(ticket_id)}
            arts = t["articles"]
            if event == "ArticleCreate" and arts:
                data["ArticleID"] = str(article_id or arts[-1]["ArticleID"])
            if event == "TicketStateUpdate":
                data["OldTicketData"] = t["old"] or self._ticket_json(t, {})
            ticket = self._ticket_json(t, {"DynamicFields": "1"}, flat=True)
            ticket["Articles"] = [self._article_json(t, a, {}) for a in arts]
            chosen = [a for a in arts if len(arts) == 1 or a["ArticleID"] == data.get("ArticleID")]
            ticket["Article"] = self._article_json(t, chosen[0], {"Attachments": "1"}) \
                if chosen else {}
            cu = t["CustomerUserID"]
            owner = {k: v for k, v in self._agents[t["Owner"]].items() if k != "password"}
            root = {k: v for k, v in self._agents["root@localhost"].items() if k != "password"}
            ticket.update(
                CustomerUser={"UserLogin": cu, "UserEmail": cu, "UserCustomerID": cu} if cu else {},
                CustomerCompany={}, ServiceData={}, SLAData={}, OwnerData=owner,
                ResponsibleData=root, CreateByData=root,
                QueueData={"QueueID": ticket["QueueID"], "Name": t["Queue"], "GroupID": "1",
                           "ValidID": "1"},
                TypeData={"ID": "1", "Name": "Unclassified", "ValidID": "1"},
                PriorityData={"ID": ticket["PriorityID"], "Name": t["Priority"], "ValidID": "1"})
            return {"Event": data, "Ticket": copy.deepcopy(ticket)}

    def fail_next(self, method: str, path_regex: str, status: int, *, body: Any = None,
                  times: int = 1) -> None:
        """A real HTTP failure (5xx, 429, ...) for the next `times` matching requests ("*" =
        any method; path after the web service base, e.g. "/Ticket/5"); not applied. `body`: a
        dict (JSON) or text; default "<status> <reason>" as text."""
        self._add_fail(Rule(method.upper(), re.compile(path_regex), times, Answer(
            status, body if body is not None else f"{status} {HTTPStatus(status).phrase}")))

    def fail_next_with_error(self, path_regex: str, code: str, message: str,
                             times: int = 1) -> None:
        """HTTP 200 ``{"Error": {...}}`` for the next `times` requests on a matching path."""
        self._add_fail(Rule("*", re.compile(path_regex), times, _Error(code, message).answer))

    def writes(self, method: str | None = None,
               path_regex: str | None = None) -> list[RecordedRequest]:
        """Ticket writes that succeeded: non-GET, 2xx, no ``Error``, not ``/Session``."""
        with self._lock:
            return [r for r in super().writes(method, path_regex)
                    if r.error is None and r.path != "/Session"]

    # ----- plumbing ----------------------------------------------------------------------------
    def _record(self, request: Request) -> RecordedRequest:
        return RecordedRequest(time.monotonic(), request.method,
                               request.path[len(self._prefix):] or "/", request.args.to_dict(),
                               request.get_json(silent=True))

    def _dispatch(self, request: Request, rec: RecordedRequest) -> Answer:
        return self._apply(request.method, rec.path, lambda: self._route(request, rec))

    def _annotate(self, rec: RecordedRequest, answer: Answer) -> None:
        if isinstance(answer.body, dict) and isinstance(answer.body.get("Error"), dict):
            rec.error = answer.body["Error"].get("ErrorCode")

    def _respond(self, answer: Answer) -> Response:
        if isinstance(answer.body, dict):
            return Response(json.dumps(answer.body), answer.status,
                            content_type="application/json; charset=UTF-8")
        return Response(str(answer.body), answer.status, content_type="text/plain; charset=UTF-8")

    def _route(self, request: Request, rec: RecordedRequest) -> Answer:
        data = {k: v[0] if len(v) == 1 else v for k, v in request.args.lists()}
        body = _strip(rec.json if isinstance(rec.json, dict) else {})
        for method, pattern, func in self._routes:
            match = pattern.match(rec.path)
            if match and method == request.method:
                return Answer(200, func({**data, **body, **match.groupdict()}))
        raise Reply(500, f"Error while determine Operation for request URI '{rec.path}'.")

    def _tick(self, after: datetime | None = None) -> datetime:
        floor = max(self._clock, after or self._clock) + timedelta(seconds=1)
        self._clock = max(datetime.now(UTC).replace(microsecond=0), floor)
        return self._clock

    def _auth(self, data: Json, op: str) -> Json:
        """The agent of a valid SessionID, else of UserLogin + Password (as Operation::Auth)."""
        if data.get("SessionID"):
            agent = self._agents.get(self._sessions.get(str(data["SessionID"]), ""))
        else:
            agent = self._agents.get(str(data.get("UserLogin")))
            agent = agent if agent and agent["password"] == data.get("Password") else None
        if agent is None:
            raise _Error(f"{op}.AuthFail", f"{op}: Authorization failing!" if op in (
                "TicketGet", "TicketSearch") else f"{op}: User could not be authenticated!")
        return agent

    def _ticket_by_id(self, op: str, ticket_id: Any) -> Json:
        t = self._tickets.get(int(ticket_id)) if str(ticket_id).isdigit() else None
        if t is None:
            raise _Error(f"{op}.AccessDenied", f"{op}: User does not have access to the ticket!")
        return t

    def _add_article(self, t: Json, a: Json, now: datetime, files: list[str]) -> str:
        self._next_article += 1
        t["articles"].append({**a, "ArticleID": str(self._next_article), "Created": now,
                              "Files": [(f, f"content of {f}".encode()) for f in files]})
        return str(self._next_article)

    # ----- JSON shapes -------------------------------------------------------------------------
    def _ticket_json(self, t: Json, args: Json, flat: bool = False) -> Json:
        state_id, state_type = STATES[t["State"]]
        out: Json = {
            "TicketID": str(t["TicketID"]), "TicketNumber": t["TicketNumber"],
            "Title": t["Title"], "StateID": str(state_id), "State": t["State"],
            "StateType": state_type, "PriorityID": str(PRIORITIES[t["Priority"]]),
            "Priority": t["Priority"], "QueueID": str(self._queues[t["Queue"]]),
            "Queue": t["Queue"], "GroupID": "1", "LockID": "1", "Lock": "unlock", "TypeID": "1",
            "Type": "Unclassified", "ServiceID": "", "SLAID": "",
            "OwnerID": self._agents[t["Owner"]]["UserID"], "Owner": t["Owner"],
            "ResponsibleID": "1", "Responsible": "root@localhost",
            "CustomerID": t["CustomerUserID"], "CustomerUserID": t["CustomerUserID"],
            "Created": f"{t['Created']:{_FMT}}", "CreateBy": "1",
            "Changed": f"{t['Changed']:{_FMT}}", "ChangeBy": t["ChangeBy"],
            "Age": int((datetime.now(UTC) - t["Created"]).total_seconds()), "ArchiveFlag": "n",
            "UnlockTimeout": "0", "UntilTime": 0, "EscalationTime": "0",
            "EscalationResponseTime": "0", "EscalationUpdateTime": "0",
            "EscalationSolutionTime": "0", "TimeUnit": 0}
        if str(args.get("DynamicFields")) == "1" and flat:
            out.update({f"DynamicField_{n}": v for n, v in sorted(t["df"].items())})
        elif str(args.get("DynamicFields")) == "1" and t["df"]:
            out["DynamicField"] = [{"Name": n, "Value": v} for n, v in sorted(t["df"].items())]
        if str(args.get("AllArticles")) == "1" and t["articles"]:
            arts = t["articles"][::-1] if args.get("ArticleOrder") == "DESC" else t["articles"]
            limit = int(args.get("ArticleLimit") or 0) or len(arts)
            out["Article"] = [self._article_json(t, a, args) for a in arts[:limit]]
        return out

    def _article_json(self, t: Json, a: Json, args: Json) -> Json:
        out: Json = {
            "ArticleID": a["ArticleID"], "TicketID": str(t["TicketID"]),
            "ArticleNumber": str(t["articles"].index(a) + 1),
            "CommunicationChannelID": str(CHANNELS[a["Channel"]]),
            "SenderTypeID": str(SENDERS[a["SenderType"]]), "SenderType": a["SenderType"],
            "IsVisibleForCustomer": int(a["Visible"]), "CreateBy": a["CreateBy"],
            "CreateTime": f"{a['Created']:{_FMT}}", "ChangeBy": a["CreateBy"],
            "ChangeTime": f"{a['Created']:{_FMT}}", "IncomingTime": str(int(
                a["Created"].timestamp())), "From": a["From"], "To": "", "Cc": "", "Bcc": "",
            "ReplyTo": "", "Subject": a["Subject"], "Body": a["Body"], "MessageID": "",
            "InReplyTo": "", "References": "", "ContentType": a["ContentType"],
            "MimeType": a["MimeType"], "Charset": a["Charset"], "TimeUnit": 0}
        if str(args.get("Attachments")) == "1" and a["Files"]:
            contents = str(args.get("GetAttachmentContents", "1")) != "0"
            out["Attachment"] = [{
                "Content": base64.b64encode(data).decode() if contents else "",
                "ContentAlternative": "", "ContentID": "", "Disposition": "attachment",
                "ContentType": mimetypes.guess_type(name)[0] or "application/octet-stream",
                "Filename": name, "FilesizeRaw": len(data), "FileID": i + 1}
                for i, (name, data) in enumerate(a["Files"])]
        return out

    # ----- operations --------------------------------------------------------------------------
    def _session(self, data: Json) -> Json:
        if not data:
            raise _Error("SessionCreate.MissingParameter", "SessionCreate: The request is empty!")
        if not data.get("Password"):
            raise _Error("SessionCreate.MissingParameter",
                         "SessionCreate: Password parameter is missing!")
        agent = self._agents.get(str(data.get("UserLogin")))
        if agent is None or agent["password"] != data["Password"]:
            raise _Error("SessionCreate.AuthFail", "SessionCreate: Authorization failing!")
        session = secrets.token_hex(16)
        self._sessions[session] = agent["UserLogin"]
        return {"SessionID": session}

    def _get(self, data: Json) -> Json:
        self._auth(data, "TicketGet")
        ids = str(data["TicketID"]).split(",")
        if not all(re.fullmatch(r"\s*[1-9]\d*\s*", i) for i in ids):
            raise _Error("TicketGet.WrongStructure",
                         "TicketGet: Invalid ticket ID parameter(s) found!")
        tickets = [self._ticket_by_id("TicketGet", i.strip()) for i in ids]
        return {"Ticket": [self._ticket_json(t, data) for t in tickets]}

    def _search(self, data: Json) -> Json:
        self._auth(data, "TicketSearch")
        tickets = list(self._tickets.values())
        for key, attr in (("TicketChangeTime", "Changed"), ("TicketLastChangeTime", "Changed"),
                          ("TicketCreateTime", "Created")):
            for side in ("NewerDate", "OlderDate"):
                if data.get(key + side):
                    try:
                        when = datetime.strptime(str(data[key + side]), _FMT).replace(tzinfo=UTC)
                    except ValueError:
                        return {}  # TicketSearch() logs "Invalid time format" and finds nothing
                    tickets = [t for t in tickets
                               if (t[attr] >= when if side == "NewerDate" else t[attr] <= when)]
        kind = data.get("StateType")  # "Open": the viewable state types; else their names
        if kind:
            kinds = VIEWABLE if kind == "Open" else ({"closed"} if kind == "Closed" else
                                                     set(kind if isinstance(kind, list) else
                                                         [kind]))
            tickets = [t for t in tickets if STATES[t["State"]][1] in kinds]
        for key, attr in (("Queues", "Queue"), ("States", "State"), ("Priorities", "Priority")):
            if data.get(key):
                wanted = data[key] if isinstance(data[key], list) else [data[key]]
                tickets = [t for t in tickets if t[attr] in wanted]
        sort_by, order = data.get("SortBy") or "Age", data.get("OrderBy") or "Down"
        attr = {"Changed": "Changed", "TicketNumber": "TicketNumber", "Title": "Title"}.get(
            sort_by, "Created")
        down = order == "Down" if sort_by != "Age" else order == "Up"  # Age Down: oldest first
        tickets.sort(key=lambda t: (t[attr], t["TicketID"]), reverse=down)
        ids = [str(t["TicketID"]) for t in tickets][:int(data.get("Limit") or 500)]
        return {"TicketID": ids} if ids else {}

    def _check(self, op: str, ticket: Json, create: bool = False) -> Json:
        """Validated ticket attributes (names), like _CheckTicket."""
        new: Json = {}
        ticket = _strip(ticket)
        for need in ("Title", "CustomerUser") if create else ():
            if not ticket.get(need):
                raise _Error(f"{op}.MissingParameter",
                             f"{op}: Ticket->{need} parameter is missing!")
        if ticket.get("CustomerUser"):
            new["CustomerUserID"] = ticket["CustomerUser"]
        for attr, table in (("Queue", self._queues), ("State", {n: v[0] for n, v in
                                                                STATES.items()}),
                            ("Priority", PRIORITIES), ("Owner", {n: int(a["UserID"]) for n, a in
                                                                 self._agents.items()})):
            if ticket.get(attr) or ticket.get(attr + "ID"):
                by_id = {str(i): n for n, i in table.items()}
                name = ticket[attr] if ticket.get(attr) else by_id.get(str(ticket[attr + "ID"]))
                if name not in table:
                    raise _Error(f"{op}.InvalidParameter",
                                 f"{op}: Ticket->{attr}ID or Ticket->{attr} parameter is invalid!")
                new[attr] = name
            elif create and attr != "Owner":
                raise _Error(f"{op}.MissingParameter",
                             f"{op}: Ticket->{attr}ID or Ticket->{attr} parameter is missing!")
        if ticket.get("Title"):
            new["Title"] = str(ticket["Title"])[:255]
        if STATES.get(new.get("State", ""), (0, ""))[1].startswith("pending") and not ticket.get(
                "PendingTime"):
            raise _Error(f"{op}.MissingParameter",
                         "Can't set a ticket on a pending state without pendig time!")
        return new

    @staticmethod
    def _check_attachments(op: str, raw: Any, articles: list[Json]) -> list[tuple[str, bytes]]:
        """Attachment: [{Content (base64), ContentType, Filename}], only with an Article."""
        if raw is None:
            return []
        items = raw if isinstance(raw, list) else [raw]
        if not articles or not all(isinstance(a, dict) for a in items):
            raise _Error(f"{op}.InvalidParameter", f"{op}: Attachment parameter is invalid!")
        files = []
        for a in items:
            for need in ("Content", "ContentType", "Filename"):
                if not a.get(need):
                    raise _Error(f"{op}.MissingParameter",
                                 f"{op}: Attachment->{need} parameter is missing!")
            try:
                files.append((str(a["Filename"]), base64.b64decode(str(a["Content"]),
                                                                   validate=True)))
            except ValueError:
                raise _Error(f"{op}.InvalidParameter",
                             f"{op}: Attachment->Content is invalid!") from None
        return files

    def _check_article(self, op: str, a: Any, agent: Json) -> Json:
        if not isinstance(a, dict) or not a:
            raise _Error(f"{op}.InvalidParameter", f"{op}: Article parameter is not valid!")
        a = _strip(a)
        for need in ("Subject", "Body"):
            if not a.get(need):
                raise _Error(f"{op}.MissingParameter",
                             f"{op}: Article->{need} parameter is missing!")
        channel = a.get("CommunicationChannel") or {str(v): k for k, v in CHANNELS.items()}.get(
            str(a.get("CommunicationChannelID")), "Internal" if not a.get(
                "CommunicationChannelID") else "?")
        if channel not in CHANNELS:
            raise _Error(f"{op}.InvalidParameter", f"{op}: Article->CommunicationChannel or "
                         "Article->CommunicationChannelID parameter is invalid or not supported!")
        sender = a.get("SenderType") or "agent"
        if sender not in SENDERS:
            raise _Error(f"{op}.InvalidParameter",
                         f"{op}: Article->SenderTypeID or Ticket->SenderType parameter is invalid!")
        mime, charset = str(a.get("MimeType") or "").lower(), str(a.get("Charset") or "").lower()
        if a.get("ContentType"):
            ctype = str(a["ContentType"]).lower()
            mime = ctype.split(";")[0].strip()
            found = re.search(r"charset\s*=\s*[\"']?([\w-]+)", ctype)
            charset = found.group(1) if found else ""
            if charset not in CHARSETS or not re.fullmatch(r"\w+/\w+", mime):
                raise _Error(f"{op}.InvalidParameter", f"{op}: Article->ContentType is invalid!")
        elif not mime and not charset:
            raise _Error(f"{op}.MissingParameter", f"{op}: Article->ContentType or "
                         "Ticket->MimeType and Article->Charset parameters are required!")
        elif not mime or not charset:
            missing = "Charset" if mime else "MimeType"
            raise _Error(f"{op}.MissingParameter", f"{op}: Article->{missing} is required!")
        elif charset not in CHARSETS or not re.fullmatch(r"\w+/\w+", mime):
            which = "Charset" if charset not in CHARSETS else "MimeType"
            raise _Error(f"{op}.InvalidParameter", f"{op}: Article->{which} is invalid!")
        visible = a.get("IsVisibleForCustomer")
        return {"Subject": str(a["Subject"]), "Body": str(a["Body"]),
                "From": a.get("From") or agent["UserFullname"], "SenderType": sender,
                "Channel": channel, "Visible": 1 if visible is None else int(visible),
                "MimeType": mime, "Charset": charset, "CreateBy": agent["UserID"],
                "ContentType": a.get("ContentType") or f"{mime}; charset={charset}"}

    def _check_fields(self, op: str, fields: Any) -> dict[str, Any]:
        if fields is None:
            return {}
        items = [fields] if isinstance(fields, dict) else fields
        if not isinstance(items, list) or not items:
            raise _Error(f"{op}.MissingParameter",
                         f"{op}: DynamicField parameter is missing or not valid!")
        values = {}
        for item in items:
            for need in ("Name", "Value"):
                if not isinstance(item, dict) or not isinstance(item.get(need), str | list):
                    raise _Error(f"{op}.MissingParameter",
                                 f"{op}: DynamicField->{need} parameter is missing!")
            name, value = item["Name"], item["Value"]
            if name not in self._fields:
                raise _Error(f"{op}.InvalidParameter",
                             f"{op}: DynamicField->Name parameter is invalid!")
            allowed = self._fields[name]
            if allowed is not None and any(v not in allowed for v in (
                    value if isinstance(value, list) else [value]) if v != ""):
                raise _Error(f"{op}.InvalidParameter",
                             f"{op}: DynamicField->Value parameter is invalid!")
            values[name] = value.strip() if isinstance(value, str) else value
        return values

    def _update(self, data: Json) -> Json:
        op = "TicketUpdate"
        if not data.get("SessionID") and not data.get("UserLogin"):
            raise _Error(f"{op}.MissingParameter",
                         f"{op}: UserLogin, CustomerUserLogin or SessionID is required!")
        agent = self._auth(data, op)
        t = self._ticket_by_id(op, data["TicketID"])
        ticket = data.get("Ticket")
        if ticket is not None and not (isinstance(ticket, dict) and ticket):
            raise _Error(f"{op}.InvalidParameter", f"{op}: Ticket parameter is not valid!")
        fields = self._check_fields(op, data.get("DynamicField"))
        changes = {k: v for k, v in self._check(op, ticket or {}).items() if t[k] != v}
        raw = data.get("Article")
        if raw is not None and not (isinstance(raw, dict | list) and raw):
            raise _Error(f"{op}.InvalidParameter", f"{op}: Article parameter is not valid!")
        articles = [self._check_article(op, a, agent) for a in (
            raw if isinstance(raw, list) else [raw] if raw else [])]
        fields = {k: v for k, v in fields.items() if t["df"].get(k) != v}
        if not (changes or articles or fields):
            return {"TicketID": str(data["TicketID"]), "TicketNumber": t["TicketNumber"]}
        if "State" in changes:
            t["old"] = self._ticket_json(t, {})  # OldTicketData of TicketStateUpdate
        now = self._tick(t["Changed"])
        t.update(changes, Changed=now, ChangeBy=agent["UserID"])
        t["df"].update(fields)
        files = self._check_attachments(op, data.get("Attachment"), articles)
        ids = [self._add_article(t, a, now, []) for a in articles]
        if files:  # TicketUpdate's attachments go with its article
            t["articles"][-1]["Files"] = files
        out: Json = {"TicketID": str(data["TicketID"]), "TicketNumber": t["TicketNumber"]}
        if ids:
            out.update({"ArticleID": ids[0]} if len(ids) == 1 else {"ArticleIDs": ids})
        return out

    def _create(self, data: Json) -> Json:
        op = "TicketCreate"
        if not data.get("SessionID") and not data.get("UserLogin"):
            raise _Error(f"{op}.MissingParameter",
                         f"{op}: UserLogin, CustomerUserLogin or SessionID is required!")
        agent = self._auth(data, op)
        for need in ("Ticket", "Article"):
            if not isinstance(data.get(need), dict) or not data[need]:
                raise _Error(f"{op}.MissingParameter",
                             f"{op}: {need} parameter is missing or not valid!")
        new = self._check(op, data["Ticket"], create=True)
        article = self._check_article(op, data["Article"], agent)
        fields = self._check_fields(op, data.get("DynamicField"))
        ticket_id = max(self._tickets, default=0) + 1
        self.add_ticket(ticket_id, title=new["Title"], queue=new["Queue"], state=new["State"],
                        priority=new["Priority"], owner=str(new.get("Owner", agent["UserLogin"])),
                        customer_user=new["CustomerUserID"], dynamic_fields=fields)
        t = self._tickets[ticket_id]
        t["ChangeBy"] = agent["UserID"]
        article_id = self._add_article(t, article, t["Changed"], [])
        return {"TicketID": str(ticket_id), "TicketNumber": t["TicketNumber"],
                "ArticleID": article_id}
