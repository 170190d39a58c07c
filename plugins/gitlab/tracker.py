"""Write-back to GitLab through python-gitlab; listing of changed issues for reconciliation."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError

from connector.actions import (
    AddNote,
    Assign,
    AttachFile,
    CreateIssue,
    SetState,
    UpdateLabels,
)
from connector.adapters import DONE, Change, Performed, Snapshot, TicketFacts, Tracker
from connector.errors import PermanentActionError, RetryableActionError
from connector.events import TicketRef
from connector.store.outbox import OutboxItem
from connector.timestamps import canonical
from plugins.gitlab.config import GitLabConfig
from plugins.gitlab.events import issue_reference
from plugins.gitlab.history import snapshots
from plugins.http import digest, parse_retry_after, session_for

log = logging.getLogger(__name__)

T = TypeVar("T")
PAGE = 100  # GitLab's largest page
NO_SDK_RETRY: dict[str, Any] = {"obey_rate_limit": False, "retry_transient_errors": False}


def note_marker(idempotency_key: str) -> str:
    """Invisible HTML comment that makes a note findable, so a retry never posts it twice."""
    return f"<!-- helpdesk-connector:{digest(idempotency_key)} -->"


class GitLabTracker(Tracker):
    """Labels, assignees and notes on GitLab issues; retries are the outbox's job, not the SDK's."""

    def __init__(self, config: GitLabConfig) -> None:
        self._retry_after = threading.local()
        session = session_for(config.base_url)
        session.hooks["response"].append(self._remember_retry_after)
        self.gl = gitlab.Gitlab(
            config.base_url, private_token=config.token.get_secret_value(),
            timeout=config.timeout_seconds, session=session, retry_transient_errors=False,
        )
        self._user_ids: dict[str, int] = {}
        self._issue_managers: dict[str, Any] = {}  # per project: building one costs 0.5 ms

    def perform(self, item: OutboxItem) -> Performed:
        a = item.action
        handlers: dict[str, Callable[[], Performed]] = {
            "update_labels": lambda: self._update_labels(item),
            "assign": lambda: self._assign(item),
            "add_note": lambda: self._add_note(item),
            "create_issue": lambda: self._create_issue(item),
            "attach_file": lambda: self._attach_file(item),
            "set_state": lambda: self._set_state(item),
        }
        handler = handlers.get(a.kind)
        if handler is None:
            raise PermanentActionError(f"GitLab cannot {a.kind}: it has no such field (use labels)")
        return self._call(handler)

    def ticket_facts(self, ref: TicketRef) -> TicketFacts:
        def fetch() -> TicketFacts:
            issue = self.gl.projects.get(ref.project, lazy=True).issues.get(
                int(ref.key), **NO_SDK_RETRY)
            notes = issue.notes.list(get_all=True, sort="asc", **NO_SDK_RETRY)
            people = tuple(
                ((n.attributes.get("author") or {}).get("username", ""), n.attributes["body"])
                for n in notes
                if not n.attributes.get("system") and "<!-- helpdesk-connector:" not in
                n.attributes.get("body", ""))
            return TicketFacts((issue.attributes.get("author") or {}).get("username", ""),
                               issue.attributes.get("description") or "", people)
        return self._call(fetch)

    def ticket_history(self, ref: TicketRef) -> list[Snapshot]:
        def fetch() -> list[Snapshot]:
            issue = self.gl.projects.get(ref.project, lazy=True).issues.get(
                int(ref.key), **NO_SDK_RETRY)
            return snapshots(
                issue, issue.resourcelabelevents.list(get_all=True, **NO_SDK_RETRY),
                issue.resourcestateevents.list(get_all=True, **NO_SDK_RETRY),
                issue.notes.list(get_all=True, sort="asc", **NO_SDK_RETRY))
        return self._call(fetch)

    def find_username(self, email: str) -> str | None:
        def fetch() -> str | None:
            users = self.gl.users.list(search=email, get_all=False, **NO_SDK_RETRY)
            return str(users[0].attributes["username"]) if len(users) == 1 else None
        return self._call(fetch)

    def list_changes(self, project: str, since: str) -> Iterator[Change]:
        """Issues updated at or after `since`, oldest first, read so that none is missed.

        Offset pages shift when an issue is edited while they are read (it jumps to the end,
        and the one after it slips into a page already read). So every request starts at the
        last time read (`updated_after` is inclusive) instead of at an offset; an edited issue
        shows up again further on, under its new time. Only a full page of one instant is read
        on by offset."""
        cursor, page, seen = since, 1, set()
        while True:
            issues = self._call(partial(self._issue_page, project, cursor, page))
            for issue in issues:
                change = _change(issue)
                if (change.key, change.updated_at) not in seen:
                    seen.add((change.key, change.updated_at))
                    yield change
            if len(issues) < PAGE:
                return
            last = canonical(issues[-1].attributes.get("updated_at"))
            cursor, page = (last, 1) if last > cursor else (cursor, page + 1)

    def list_open(self, project: str) -> Iterator[Change]:
        """Issues open now, oldest first by creation (an order edits do not shift; an issue
        closed while the pages are read is no longer open, and one reopened was changed)."""
        page = 1
        while True:
            issues = self._call(partial(self._open_page, project, page))
            yield from map(_change, issues)
            if len(issues) < PAGE:
                return
            page += 1

    def _open_page(self, project: str, page: int) -> list[Any]:
        return list(self.gl.projects.get(project, lazy=True).issues.list(
            state="opened", order_by="created_at", sort="asc", per_page=PAGE, page=page,
            get_all=False, **NO_SDK_RETRY))

    def _issue_page(self, project: str, after: str, page: int) -> list[Any]:
        return list(self.gl.projects.get(project, lazy=True).issues.list(
            updated_after=after, order_by="updated_at", sort="asc", per_page=PAGE, page=page,
            get_all=False, **NO_SDK_RETRY))

    def _issues(self, item: OutboxItem) -> Any:
        project = item.action.ticket.project
        manager = self._issue_managers.get(project)
        if manager is None:
            manager = self._issue_managers[project] = self.gl.projects.get(
                project, lazy=True).issues
        return manager

    def _current(self, item: OutboxItem) -> dict[str, Any] | None:
        """The issue as GitLab has it now, only on a retry (an earlier try may have landed)."""
        if item.attempt <= 1:
            return None
        issue = self._issues(item).get(int(item.action.ticket.key), **NO_SDK_RETRY)
        return dict(issue.attributes)

    def _update_labels(self, item: OutboxItem) -> Performed:
        wanted = item.action.params_as(UpdateLabels)
        add, remove = wanted.add, wanted.remove
        current = self._current(item)
        if current is not None:
            labels = set(current.get("labels") or [])
            if set(add) <= labels and not set(remove) & labels:
                log.info("labels already right on %s", item.action.ticket)
                return DONE
        self._issues(item).update(int(item.action.ticket.key), {
            "add_labels": ",".join(add), "remove_labels": ",".join(remove)}, **NO_SDK_RETRY)
        return DONE

    def _set_state(self, item: OutboxItem) -> Performed:
        """Close (or reopen) the issue: an outage's closing stage."""
        status = item.action.params_as(SetState).state
        current = self._current(item)
        if current is not None and current.get("state") == status:
            return DONE
        self._issues(item).update(int(item.action.ticket.key), {
            "state_event": "close" if status == "closed" else "reopen"}, **NO_SDK_RETRY)
        return DONE

    def _assign(self, item: OutboxItem) -> Performed:
        user_id = self._user_id(item.action.params_as(Assign).username)
        current = self._current(item)
        if current is not None and [a.get("id") for a in current.get("assignees") or []] == [
                user_id]:
            return DONE
        self._issues(item).update(int(item.action.ticket.key), {"assignee_ids": [user_id]},
                                  **NO_SDK_RETRY)
        return DONE

    def _add_note(self, item: OutboxItem) -> Performed:
        marker = note_marker(item.idempotency_key)
        issue = self._issues(item).get(int(item.action.ticket.key), lazy=True)
        if item.attempt > 1:
            for note in issue.notes.list(get_all=True, **NO_SDK_RETRY):
                if marker in (note.attributes.get("body") or ""):
                    log.info("note already on %s (earlier attempt took effect)", item.action.ticket)
                    return DONE
        body = item.action.params_as(AddNote).body
        issue.notes.create({"body": f"{body}\n\n{marker}"}, **NO_SDK_RETRY)
        return DONE

    def _attach_file(self, item: OutboxItem) -> Performed:
        """Uploaded to the project, shown in a note (found by its marker on a retry; an
        upload repeated by a retry is an unused file, never a second note)."""
        p, marker = item.action.params_as(AttachFile), note_marker(item.idempotency_key)
        ref = item.action.ticket
        issue = self._issues(item).get(int(ref.key), lazy=True)
        if item.attempt > 1:
            for note in issue.notes.list(get_all=True, **NO_SDK_RETRY):
                if marker in (note.attributes.get("body") or ""):
                    return DONE
        project = self.gl.projects.get(ref.project, lazy=True)
        uploaded = project.upload(p.filename, filedata=p.content.encode("utf-8"),
                                  **NO_SDK_RETRY)
        issue.notes.create({"body": f"{p.note}\n\n{uploaded['markdown']}\n\n{marker}"},
                           **NO_SDK_RETRY)
        return DONE

    def _create_issue(self, item: OutboxItem) -> Performed:
        """New issue; its description carries the marker, so a retry finds it instead."""
        p, marker = item.action.params_as(CreateIssue), note_marker(item.idempotency_key)
        project = self.gl.projects.get(item.action.ticket.project, lazy=True)
        if item.attempt > 1:
            for issue in project.issues.list(search=marker, get_all=True, **NO_SDK_RETRY):
                if marker in (issue.attributes.get("description") or ""):
                    return _created(issue.attributes)
        issue = project.issues.create({
            "title": p.title, "description": f"{p.description}\n\n{marker}",
            "labels": ",".join(p.labels)}, **NO_SDK_RETRY)
        return _created(issue.attributes)

    def _user_id(self, username: str) -> int:
        if username not in self._user_ids:
            users = self.gl.users.list(username=username, get_all=False, **NO_SDK_RETRY)
            if not users:
                raise PermanentActionError(f"no GitLab user named {username!r}")
            self._user_ids[username] = int(users[0].get_id())  # type: ignore[arg-type,unused-ignore]
        return self._user_ids[username]

    def _call(self, fn: Callable[[], T]) -> T:
        """Run an SDK call and classify its failure for the outbox."""
        self._retry_after.value = None
        try:
            return fn()
        except GitlabAuthenticationError as exc:
            raise PermanentActionError(f"GitLab refused the token: {exc.error_message}") from None
        except GitlabError as exc:
            code = exc.response_code
            if code == 429:
                raise RetryableActionError("GitLab rate limit (429)",
                                           self._retry_after.value) from None
            if code is None or code >= 500:
                raise RetryableActionError(f"GitLab error {code}: {exc.error_message}") from None
            raise PermanentActionError(f"GitLab answered {code}: {exc.error_message}") from None
        except requests.RequestException as exc:
            raise RetryableActionError(f"GitLab unreachable: {type(exc).__name__}") from None

    def _remember_retry_after(self, response: requests.Response, *_: Any, **__: Any) -> None:
        if response.status_code == 429:
            self._retry_after.value = parse_retry_after(response.headers.get("Retry-After"))


def _created(attrs: dict[str, Any]) -> Performed:
    """What a new issue's creator needs: its link, iid and cross-project reference."""
    return Performed(result={"url": attrs.get("web_url", ""), "iid": attrs["iid"],
                             "reference": issue_reference(attrs)})


def _change(issue: Any) -> Change:
    attrs = dict(issue.attributes)
    return Change(key=str(attrs["iid"]), updated_at=canonical(attrs.get("updated_at")),
                  created_at=canonical(attrs.get("created_at")), payload=attrs)
