"""Write-back to Znuny/OTRS through the GenericInterface REST operations of our web service."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from connector.actions import (
    AddNote,
    Assign,
    AttachFile,
    CreateIssue,
    SetField,
    SetPriority,
    SetStatus,
)
from connector.adapters import DONE, Change, Performed, Snapshot, TicketFacts, Tracker
from connector.errors import PermanentActionError, RetryableActionError
from connector.events import TicketRef
from connector.store.outbox import OutboxItem
from connector.timestamps import canonical
from plugins.http import JsonClient, digest
from plugins.otrs.config import OtrsConfig
from plugins.otrs.events import OWN_SUBJECT

log = logging.getLogger(__name__)

SEARCH_LIMIT = 10000  # tickets per poll; Znuny's own default is 500


class OtrsTracker(Tracker):
    """Auth goes in the body (SessionID), and errors come back as HTTP 200 with an `Error`."""

    def __init__(self, config: OtrsConfig) -> None:
        self.config = config
        self.api = JsonClient(config.base_url, "Znuny", {}, config.timeout_seconds)
        self._session: str | None = None
        self._lock = threading.Lock()

    def perform(self, item: OutboxItem) -> Performed:
        a, tid = item.action, item.action.ticket.key
        handlers: dict[str, Callable[[], Performed]] = {
            "set_status": lambda: self._update(tid, {"Ticket": _state(
                a.params_as(SetStatus).status)}),
            "set_priority": lambda: self._update(tid, {"Ticket": {
                "Priority": a.params_as(SetPriority).priority}}),
            "assign": lambda: self._update(tid, {"Ticket": {
                "Owner": a.params_as(Assign).username}}),
            "set_field": lambda: self._update(tid, {"DynamicField": [
                {"Name": a.params_as(SetField).field, "Value": a.params_as(SetField).value}]}),
            "add_note": lambda: self._note(item),
            "create_issue": lambda: self._create(item),
            "attach_file": lambda: self._attach(item),
        }
        if a.kind not in handlers:
            raise PermanentActionError(f"Znuny cannot {a.kind}")
        return handlers[a.kind]()

    def list_changes(self, project: str, since: str) -> Iterator[Change]:
        """Tickets changed at or after `since`, oldest first. TicketSearch answers one list of
        ids, no pages, so nothing shifts while it is read; it stops at `Limit`, and a list cut
        there fails the poll after yielding, so the watermark never passes tickets not read."""
        moment = datetime.strptime(since, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        found = self._call("GET", "/TicketSearch", params={
            "TicketLastChangeTimeNewerDate": moment.strftime("%Y-%m-%d %H:%M:%S"),
            "Queues": project, "SortBy": "Changed", "OrderBy": "Up", "Limit": SEARCH_LIMIT})
        ids = found.get("TicketID") or []
        yield from self._changes(ids)
        if len(ids) >= SEARCH_LIMIT:
            raise RetryableActionError(f"more than {SEARCH_LIMIT} tickets changed in queue "
                                       f"{project} since {since}: not all were read")

    def list_open(self, project: str) -> Iterator[Change]:
        """Tickets of the queue in a viewable (open) state type now: TicketSearch's
        `StateType: Open` — new, open and the pending ones."""
        found = self._call("GET", "/TicketSearch", params={
            "Queues": project, "StateType": "Open", "SortBy": "Age", "OrderBy": "Down",
            "Limit": SEARCH_LIMIT})
        ids = found.get("TicketID") or []
        yield from self._changes(ids)
        if len(ids) >= SEARCH_LIMIT:
            raise PermanentActionError(f"more than {SEARCH_LIMIT} open tickets in queue "
                                       f"{project}: not all were read")

    def _changes(self, ids: list[Any]) -> Iterator[Change]:
        for ticket_id in ids:
            ticket = self._get(str(ticket_id))
            yield Change(str(ticket_id), canonical(ticket.get("Changed")),
                         canonical(ticket.get("Created")), ticket)

    def ticket_history(self, ref: TicketRef) -> list[Snapshot]:
        """The shipped web service (HelpdeskConnector.yml) offers TicketGet, TicketSearch and
        TicketUpdate, and none of them tells a ticket's history."""
        raise PermanentActionError(
            "Znuny: the connector cannot read ticket history through the shipped web service "
            "(HelpdeskConnector.yml has no operation that tells it)")

    def ticket_facts(self, ref: TicketRef) -> TicketFacts:
        ticket = self._get(ref.key)
        articles = ticket.get("Article") or []
        notes = tuple((str(a.get("From") or ""), str(a.get("Body") or "")) for a in articles[1:]
                      if not str(a.get("Subject") or "").startswith(OWN_SUBJECT))
        first = articles[0] if articles else {}
        return TicketFacts(str(ticket.get("CustomerUserID") or ""), str(first.get("Body") or ""),
                           notes)

    def find_username(self, email: str) -> str | None:
        return None  # the GenericInterface has no agent search

    def _get(self, ticket_id: str) -> dict[str, Any]:
        answer = self._call("GET", f"/Ticket/{ticket_id}",
                            params={"DynamicFields": 1, "AllArticles": 1})
        tickets = answer.get("Ticket") or [{}]
        return dict(tickets[0])

    def _update(self, ticket_id: str, body: dict[str, Any]) -> Performed:
        self._call("PATCH", f"/Ticket/{ticket_id}", json=body)  # sets values: repeatable
        return DONE

    def _note(self, item: OutboxItem) -> Performed:
        """An internal article; a retry first looks for the same text among the articles."""
        text = item.action.params_as(AddNote).body
        if item.attempt > 1:
            articles = self._get(item.action.ticket.key).get("Article") or []
            if any(str(a.get("Body", "")).strip() == text.strip() for a in articles):
                return DONE
        return self._update(item.action.ticket.key, {"Article": _article(text)})

    def _attach(self, item: OutboxItem) -> Performed:
        """An internal article carrying the file; a retry looks for an article with that
        text and file first."""
        p, key = item.action.params_as(AttachFile), item.action.ticket.key
        if item.attempt > 1:
            answer = self._call("GET", f"/Ticket/{key}", params={
                "AllArticles": 1, "Attachments": 1, "GetAttachmentContents": 0})
            articles = ((answer.get("Ticket") or [{}])[0]).get("Article") or []
            if any(str(a.get("Body", "")).strip() == p.note.strip() and any(
                    f.get("Filename") == p.filename for f in a.get("Attachment") or [])
                   for a in articles):
                return DONE
        content = base64.b64encode(p.content.encode("utf-8")).decode("ascii")
        return self._update(key, {"Article": _article(p.note), "Attachment": [{
            "Content": content, "ContentType": "text/plain; charset=utf8",
            "Filename": p.filename}]})

    def _create(self, item: OutboxItem) -> Performed:
        p = item.action.params_as(CreateIssue)
        body = f"{p.description}\n\n[helpdesk-connector:{digest(item.idempotency_key)}]"
        answer = self._call("POST", "/Ticket", json={
            "Ticket": {"Title": p.title, "Queue": item.action.ticket.project, "State": "new",
                       "Priority": p.priority, "CustomerUser": p.customer or self.config.user},
            "Article": _article(body)})
        return Performed(result={"url": "", "iid": answer.get("TicketID")})

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One operation with the session; an expired session is renewed once."""
        for attempt in (1, 2):
            session = self._session_id()
            if method == "GET":
                kwargs["params"] = {**kwargs.get("params", {}), "SessionID": session}
            else:
                kwargs["json"] = {**kwargs.get("json", {}), "SessionID": session}
            answer = self.api.call(method, path, **kwargs)
            error = answer.get("Error") if isinstance(answer, dict) else None
            if not error:
                return answer
            code = str(error.get("ErrorCode", ""))
            if code.endswith("AuthFail") and attempt == 1:
                self._session = None
                continue
            message = f"Znuny {code}: {error.get('ErrorMessage', '')}"
            if code.endswith("AuthFail"):
                raise RetryableActionError(message)
            raise PermanentActionError(message)
        raise AssertionError("unreachable")

    def _session_id(self) -> str:
        with self._lock:
            if self._session is None:
                answer = self.api.call("POST", "/Session", json={
                    "UserLogin": self.config.user,
                    "Password": self.config.password.get_secret_value()})
                if "Error" in answer or not answer.get("SessionID"):
                    error = answer.get("Error") or {}
                    raise PermanentActionError(
                        f"Znuny refused the login: {error.get('ErrorCode', 'no SessionID')}")
                self._session = str(answer["SessionID"])
            return self._session


PENDING_MINUTES = 3 * 24 * 60  # a pending state needs a time; the reminder fires after it


def _state(state: str) -> dict[str, Any]:
    """A state change; Znuny refuses pending states without a pending time."""
    if state.startswith("pending"):
        return {"State": state, "PendingTime": {"Diff": PENDING_MINUTES}}
    return {"State": state}


def _article(body: str) -> dict[str, Any]:
    return {"CommunicationChannel": "Internal", "SenderType": "agent",
            "Subject": f"{OWN_SUBJECT} note", "Body": body,
            "ContentType": "text/plain; charset=utf8", "IsVisibleForCustomer": 0}
