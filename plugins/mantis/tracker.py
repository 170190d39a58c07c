"""Write-back to MantisBT through its REST API; listing of recently updated issues."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from typing import Any

from connector.actions import (
    AddNote,
    Assign,
    AttachFile,
    CreateIssue,
    Link,
    SetField,
    SetPriority,
    SetStatus,
    UpdateLabels,
)
from connector.adapters import DONE, Change, Performed, Snapshot, TicketFacts, Tracker
from connector.errors import PermanentActionError, RetryableActionError
from connector.events import TicketRef
from connector.store.outbox import OutboxItem
from connector.timestamps import canonical, from_epoch
from plugins.http import JsonClient, digest
from plugins.mantis.config import MantisConfig
from plugins.mantis.history import snapshots

log = logging.getLogger(__name__)

PAGE = 50
PASSES = 5  # reads of the list before a poll gives up on issues that keep changing
STAFF_FLOOR = 40  # updater: below it are reporters and viewers, the applicants


class MantisTracker(Tracker):
    """REST writes fire no Mantis plugin event, so nothing comes back to act on but notes
    (EVENT_BUGNOTE_ADD fires for REST too), which carry the bot as actor and are skipped."""

    def __init__(self, config: MantisConfig) -> None:
        self.base_url = config.base_url.rstrip("/")
        self.api = JsonClient(self.base_url + "/api/rest/index.php", "Mantis",
                              {"Authorization": config.token.get_secret_value()},
                              config.timeout_seconds)

    def perform(self, item: OutboxItem) -> Performed:
        a, issue = item.action, f"/issues/{item.action.ticket.key}"
        handlers: dict[str, Callable[[], Performed]] = {
            "set_status": lambda: self._set(issue, "status", a.params_as(SetStatus).status),
            "set_priority": lambda: self._set(issue, "priority",
                                              a.params_as(SetPriority).priority),
            "assign": lambda: self._patch(issue, {"handler": {
                "name": a.params_as(Assign).username}}),
            "update_labels": lambda: self._tag(issue, a.params_as(UpdateLabels).add,
                                               a.params_as(UpdateLabels).remove),
            "set_field": lambda: self._patch(issue, {"custom_fields": [
                {"field": {"name": a.params_as(SetField).field},
                 "value": a.params_as(SetField).value}]}),
            "link": lambda: self._link(issue, a.params_as(Link).target, a.params_as(Link).type),
            "add_note": lambda: self._note(item),
            "create_issue": lambda: self._create(item),
            "attach_file": lambda: self._attach_file(item),
        }
        if a.kind not in handlers:
            raise PermanentActionError(f"Mantis cannot {a.kind}")
        return handlers[a.kind]()

    def list_changes(self, project: str, since: str) -> Iterator[Change]:
        """Issues updated since the watermark, oldest first, each with the access levels of the
        people in its history (`_access_levels`), so the rules can tell L1's changes from the
        applicant's.

        Mantis lists the last updated first, by offset pages: an issue edited while they are
        read jumps to page 1, and the one after it slips into a page already read. So a pass
        counts only if page 1, read again at its end, is what it was at its start; otherwise
        the pass is read again (nothing is yielded twice). If the issues never settle, what
        was found is yielded and the poll fails, so the watermark stays where it was.
        """
        found, settled = self._read_settled(project, since)
        changes = sorted(found.values(), key=lambda ch: (ch.updated_at, int(ch.key)))
        yield from self._with_levels(project, changes)
        if not settled:
            raise RetryableActionError("Mantis issues kept changing while the poll read them; "
                                       "the next poll reads them again")

    def list_open(self, project: str) -> Iterator[Change]:
        """Issues not in Mantis' closed status now: every page, read as list_changes reads
        them (an issue read twice counts as it was last read)."""
        found, settled = self._read_settled(project, "")
        last = {ch.key: ch for ch in sorted(found.values(), key=lambda ch: ch.updated_at)}
        yield from sorted((ch for ch in last.values()
                           if (ch.payload.get("status") or {}).get("name") != "closed"),
                          key=lambda ch: int(ch.key))
        if not settled:
            raise RetryableActionError("Mantis issues kept changing while they were read; "
                                       "read them again")

    def _read_settled(self, project: str,
                      since: str) -> tuple[dict[tuple[str, str], Change], bool]:
        """Passes over the pages down to `since` until page 1 stays the same (see
        list_changes); what was found, and whether it settled."""
        found: dict[tuple[str, str], Change] = {}
        for _ in range(PASSES):
            first = self._read_pass(project, since, found)
            if first == self._fingerprint(project):
                return found, True
        return found, False

    def _read_pass(self, project: str, since: str,
                   found: dict[tuple[str, str], Change]) -> list[tuple[Any, Any]]:
        """One pass over the pages down to `since`; returns page 1's fingerprint."""
        first: list[tuple[Any, Any]] = []
        page = 1
        while True:
            issues = self._page(project, page)
            if page == 1:
                first = [(i.get("id"), i.get("updated_at")) for i in issues]
            for issue in issues:
                updated = canonical(issue.get("updated_at"))
                if updated < since:
                    return first
                issue["_url"] = f"{self.base_url}/view.php?id={issue['id']}"
                found.setdefault((str(issue["id"]), updated), Change(
                    str(issue["id"]), updated, canonical(issue.get("created_at")), issue))
            if len(issues) < PAGE:
                return first
            page += 1

    def _page(self, project: str, page: int) -> list[dict[str, Any]]:
        answer = self.api.call("GET", "/issues", params={
            "project_id": project, "page_size": PAGE, "page": page})
        return list(answer.get("issues") or [])

    def _find_created(self, project: str, marker: str, since: str) -> int | None:
        """The issue an earlier attempt created: every page updated since the action was
        decided, not just the first (others may have been updated after it)."""
        page = 1
        while True:
            issues = self._page(project, page)
            for issue in issues:
                if marker in str(issue.get("description") or ""):
                    return int(issue["id"])
                if canonical(issue.get("updated_at")) < since:
                    return None
            if len(issues) < PAGE:
                return None
            page += 1

    def _fingerprint(self, project: str) -> list[tuple[Any, Any]]:
        return [(i.get("id"), i.get("updated_at")) for i in self._page(project, 1)]

    def _with_levels(self, project: str, found: list[Change]) -> Iterator[Change]:
        levels = self.access_levels(project) if found else {}
        for change in found:
            people = {str((h.get("user") or {}).get("name")) for h in
                      change.payload.get("history") or [] if isinstance(h, dict)}
            change.payload["_access_levels"] = {n: levels[n] for n in people if n in levels}
        return iter(found)

    def access_levels(self, project: str) -> dict[str, int]:
        """Username → access level of everyone at `updater` or above in the project (the staff;
        reporters are the applicants). {} when this Mantis cannot list them (before 2.26)."""
        levels: dict[str, int] = {}
        page = 1
        while True:
            try:
                users = self.api.call("GET", f"/projects/{project}/users", params={
                    "access_level": STAFF_FLOOR, "include_access_levels": 1,
                    "page_size": PAGE, "page": page}).get("users") or []
            except PermanentActionError as exc:
                log.warning("Mantis cannot list project %s users (%s): L1 staff are known "
                            "only from the mapping's l1.users", project, exc)
                return levels
            for user in users:
                level = (user.get("access_level") or {}).get("id")
                if user.get("name") and isinstance(level, int):
                    levels[str(user["name"])] = level
            if len(users) < PAGE:
                return levels
            page += 1

    def ticket_facts(self, ref: TicketRef) -> TicketFacts:
        issue = self._get(ref.key)
        notes = tuple(((n.get("reporter") or {}).get("name", ""), str(n.get("text") or ""))
                      for n in issue.get("notes") or [] if "hdc:" not in str(n.get("text")))
        return TicketFacts((issue.get("reporter") or {}).get("name", ""),
                           str(issue.get("description") or ""), notes)

    def find_username(self, email: str) -> str | None:
        return None  # Mantis' REST API offers no user search by e-mail

    def ticket_history(self, ref: TicketRef) -> list[Snapshot]:
        """From the REST issue's history (plugins/mantis/history.py)."""
        issue = self._get(ref.key)
        if not issue:
            raise PermanentActionError(f"Mantis has no issue {ref.key}")
        return snapshots(issue)

    def _get(self, issue_id: str) -> dict[str, Any]:
        issues = self.api.call("GET", f"/issues/{issue_id}").get("issues") or [{}]
        return dict(issues[0])

    def _set(self, path: str, field: str, name: str) -> Performed:
        """Set an enum by name. Mantis stores an unknown name as id 0 without complaint, so
        the answer is checked: a name the instance does not define is a permanent failure."""
        answer = self.api.call("PATCH", path, json={field: {"name": name}})
        stored = ((answer.get("issues") or [{}])[0].get(field) or {}).get("name")
        if stored != name:
            raise PermanentActionError(
                f"Mantis has no {field} named {name!r} (stored {stored!r}); "
                "fix the mapping's trackers.mantis vocabulary")
        return DONE

    def _patch(self, path: str, body: dict[str, Any]) -> Performed:
        self.api.call("PATCH", path, json=body)  # sets a value: repeating it is harmless
        return DONE

    def _tag(self, path: str, add: list[str], remove: list[str]) -> Performed:
        if add:
            self.api.call("POST", path + "/tags", json={"tags": [{"name": t} for t in add]})
        if remove:
            issue = self._get(path.rsplit("/", 1)[-1])
            for tag in issue.get("tags") or []:
                if tag.get("name") in remove:
                    self.api.call("DELETE", f"{path}/tags/{tag['id']}")
        return DONE

    def _link(self, path: str, target: str, kind: str) -> Performed:
        """A relationship; Mantis replaces an existing one between the same two issues."""
        self.api.call("POST", path + "/relationships",
                      json={"issue": {"id": int(target)}, "type": {"name": kind}})
        return DONE

    def _note(self, item: OutboxItem) -> Performed:
        """Notes cannot be deduplicated by Mantis: a retry first looks for the same text."""
        text = item.action.params_as(AddNote).body
        if item.attempt > 1:
            issue = self._get(item.action.ticket.key)
            if any(str(n.get("text", "")).strip() == text.strip()
                   for n in issue.get("notes") or []):
                return DONE
        self.api.call("POST", f"/issues/{item.action.ticket.key}/notes",
                      json={"text": text, "view_state": {"name": "public"}})
        return DONE

    def _attach_file(self, item: OutboxItem) -> Performed:
        """The file on the issue, then its note; a retry looks for each first (the file by its
        name, the note by its text)."""
        p, key = item.action.params_as(AttachFile), item.action.ticket.key
        issue = self._get(key) if item.attempt > 1 else {}
        if not any(a.get("filename") == p.filename for a in issue.get("attachments") or []):
            content = base64.b64encode(p.content.encode("utf-8")).decode("ascii")
            self.api.call("POST", f"/issues/{key}/files",
                          json={"files": [{"name": p.filename, "content": content}]})
        if not any(str(n.get("text", "")).strip() == p.note.strip()
                   for n in issue.get("notes") or []):
            self.api.call("POST", f"/issues/{key}/notes",
                          json={"text": p.note, "view_state": {"name": "public"}})
        return DONE

    def _create(self, item: OutboxItem) -> Performed:
        """New issue whose description ends with a marker, so a retry finds it instead."""
        p = item.action.params_as(CreateIssue)
        marker = f"[helpdesk-connector:{digest(item.idempotency_key)}]"
        project = item.action.ticket.project
        if item.attempt > 1:
            found = self._find_created(project, marker, from_epoch(item.created_at - 60))
            if found is not None:
                return Performed(result={"url": f"{self.base_url}/view.php?id={found}",
                                         "iid": found})
        body = {"summary": p.title, "description": f"{p.description}\n\n{marker}",
                "project": {"id": int(project)},
                "category": {"name": p.category}}
        if p.severity:
            body["severity"] = {"name": p.severity}
        created = self.api.call("POST", "/issues", json=body)["issue"]
        return Performed(result={"url": f"{self.base_url}/view.php?id={created['id']}",
                                 "iid": created["id"]})
