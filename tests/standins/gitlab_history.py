"""The stand-in GitLab's issue history, as GitLab keeps it: resource label events, resource
state events, and system notes for (un)assignment — for SLA repair."""

from __future__ import annotations

from typing import Any

from flask import Request

Json = dict[str, Any]
Result = tuple[int, Any, dict[str, str]]


class GitLabHistory:
    """Mixed into StandInGitLab: records what each change did, serves it back."""

    _lock: Any
    _issues: dict[tuple[int, int], Json]

    def change_at(self, project_id: int, iid: int, at: str, *, add: list[str] | None = None,
                  remove: list[str] | None = None, assignee_ids: list[int] | None = None,
                  state: str | None = None, user: str = "l1-user") -> None:
        """A change made in the web UI at `at` (ISO time), recorded as GitLab records it."""
        with self._lock:
            it = self._issues[(project_id, iid)]
            new: Json = {"labels": sorted((set(it["labels"]) | set(add or []))
                                          - set(remove or []))}
            if assignee_ids is not None:
                new["assignee_ids"] = list(assignee_ids)
            if state is not None:
                new["state"] = state
            self._record_changes(it, new, at, user)
            it.update(new, updated_at=at)

    def _record_changes(self, it: Json, new: Json, at: str, user: str) -> None:
        events = it.setdefault("history", [])
        labels: list[str] = list(new["labels"] if "labels" in new else it["labels"])
        for label in sorted(set(labels) - set(it["labels"])):
            events.append({"kind": "label", "at": at, "label": label, "action": "add",
                           "user": user})
        for label in sorted(set(it["labels"]) - set(labels)):
            events.append({"kind": "label", "at": at, "label": label, "action": "remove",
                           "user": user})
        if new.get("state", it["state"]) != it["state"]:
            events.append({"kind": "state", "at": at, "user": user,
                           "state": "closed" if new["state"] == "closed" else "reopened"})
        before = set(it["assignee_ids"])
        after = set(new.get("assignee_ids", before))
        if after != before:
            names = self._names  # type: ignore[attr-defined]
            parts = ([f"assigned to {names(after - before)}"] if after - before else []) + \
                ([f"unassigned {names(before - after)}"] if before - after else [])
            it["notes"].append({"id": self._new_id("note"),  # type: ignore[attr-defined]
                                "body": " and ".join(parts), "author": user,
                                "created_at": at, "updated_at": at, "system": True})

    def _label_events(self, request: Request, _body: Json, pid: str, iid: str) -> Result:
        it = self._get(pid, iid)  # type: ignore[attr-defined]
        return self._page(request, [  # type: ignore[attr-defined]
            {"id": n, "user": self._user_json(e["user"]),  # type: ignore[attr-defined]
             "created_at": e["at"], "resource_type": "Issue", "resource_id": it["id"],
             "label": {"id": 900 + n, "name": e["label"], "color": "#428BCA",
                       "description": None}, "action": e["action"]}
            for n, e in enumerate(it.get("history", [])) if e["kind"] == "label"])

    def _state_events(self, request: Request, _body: Json, pid: str, iid: str) -> Result:
        it = self._get(pid, iid)  # type: ignore[attr-defined]
        return self._page(request, [  # type: ignore[attr-defined]
            {"id": n, "user": self._user_json(e["user"]),  # type: ignore[attr-defined]
             "created_at": e["at"], "resource_type": "Issue", "resource_id": it["id"],
             "state": e["state"]}
            for n, e in enumerate(it.get("history", [])) if e["kind"] == "state"])
