"""Write-back to GitLab through python-gitlab; listing of changed issues for reconciliation."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from time import time
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError

from connector.adapters import Change, Outcome, Tracker
from connector.config import GitLabConfig
from connector.errors import PermanentActionError, RetryableActionError
from connector.store.outbox import OutboxItem
from connector.timestamps import canonical

log = logging.getLogger(__name__)

T = TypeVar("T")
NO_SDK_RETRY: dict[str, Any] = {"obey_rate_limit": False, "retry_transient_errors": False}


def note_marker(idempotency_key: str) -> str:
    """Invisible HTML comment that makes a note findable, so a retry never posts it twice."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
    return f"<!-- helpdesk-connector:{digest} -->"


class GitLabTracker(Tracker):
    """Labels, assignees and notes on GitLab issues; retries are the outbox's job, not the SDK's."""

    def __init__(self, config: GitLabConfig) -> None:
        self._retry_after = threading.local()
        session = requests.Session()
        session.hooks["response"].append(self._remember_retry_after)
        self.gl = gitlab.Gitlab(
            config.base_url, private_token=config.token.get_secret_value(),
            timeout=config.timeout_seconds, session=session, retry_transient_errors=False,
        )
        self._user_ids: dict[str, int] = {}

    def perform(self, item: OutboxItem) -> Outcome:
        a = item.action
        handlers: dict[str, Callable[[], None]] = {
            "update_labels": lambda: self._update_labels(item),
            "assign": lambda: self._assign(item),
            "add_note": lambda: self._add_note(item),
        }
        handler = handlers.get(a.kind)
        if handler is None:
            raise PermanentActionError(f"GitLab cannot {a.kind}: it has no such field (use labels)")
        self._call(handler)
        return "done"

    def list_changes(self, project: str, since: str) -> Iterator[Change]:
        issues = self._call(lambda: self.gl.projects.get(project, lazy=True).issues.list(
            updated_after=since, order_by="updated_at", sort="asc", get_all=True, **NO_SDK_RETRY))
        for issue in issues:
            attrs = dict(issue.attributes)
            yield Change(key=str(attrs["iid"]), updated_at=canonical(attrs.get("updated_at")),
                         created_at=canonical(attrs.get("created_at")), payload=attrs)

    def _issues(self, item: OutboxItem) -> Any:
        return self.gl.projects.get(item.action.ticket.project, lazy=True).issues

    def _current(self, item: OutboxItem) -> dict[str, Any] | None:
        """The issue as GitLab has it now, only on a retry (an earlier try may have landed)."""
        if item.attempt <= 1:
            return None
        issue = self._issues(item).get(int(item.action.ticket.key), **NO_SDK_RETRY)
        return dict(issue.attributes)

    def _update_labels(self, item: OutboxItem) -> None:
        add, remove = item.action.params["add"], item.action.params["remove"]
        current = self._current(item)
        if current is not None:
            labels = set(current.get("labels") or [])
            if set(add) <= labels and not set(remove) & labels:
                log.info("labels already right on %s", item.action.ticket)
                return
        self._issues(item).update(int(item.action.ticket.key), {
            "add_labels": ",".join(add), "remove_labels": ",".join(remove)}, **NO_SDK_RETRY)

    def _assign(self, item: OutboxItem) -> None:
        user_id = self._user_id(item.action.params["username"])
        current = self._current(item)
        if current is not None and [a.get("id") for a in current.get("assignees") or []] == [
                user_id]:
            return
        self._issues(item).update(int(item.action.ticket.key), {"assignee_ids": [user_id]},
                                  **NO_SDK_RETRY)

    def _add_note(self, item: OutboxItem) -> None:
        marker = note_marker(item.idempotency_key)
        issue = self._issues(item).get(int(item.action.ticket.key), lazy=True)
        if item.attempt > 1:
            for note in issue.notes.list(get_all=True, **NO_SDK_RETRY):
                if marker in (note.attributes.get("body") or ""):
                    log.info("note already on %s (earlier attempt took effect)", item.action.ticket)
                    return
        issue.notes.create({"body": f"{item.action.params['body']}\n\n{marker}"}, **NO_SDK_RETRY)

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


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None
