"""The GitLab Issue Hooks benchmark requests send: a label conflict on issue `iid` (the spine's
default), or a ticket long past due (every event opens an SLA clock already breached)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "gitlab" / "gitlab_issue_hook.json"
CONFLICT = ("Priority: Low", "Priority: High")
KEPT = "Priority: High"  # the one priority label of a closed issue: no conflict to solve
PROJECT = 1
ASSIGNEE = 51  # the fixture's assignee, kept: no "missing assignee" reminder
SECRET = "spine-webhook-secret"
PATH = "/webhooks/gitlab"
_SENTINEL = 987654321012


def payload(iid: int, kind: str = "conflict") -> dict[str, Any]:
    """The fixture with `iid`, project 1, its assignee kept, and either both conflicting labels
    added (`conflict`: the rules remove one and say why, two actions) or closed by its L1
    with one priority label and no word from the head of support (`close`: one reminder
    note, belarus-ehr's close_agreement — the only action the event causes)."""
    body: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    titles = CONFLICT if kind == "conflict" else (KEPT,)
    extra = [{"id": 900 + i, "title": t, "type": "ProjectLabel"} for i, t in enumerate(titles)]
    body["labels"] = body["labels"] + extra
    body["object_attributes"]["labels"] = body["labels"]
    body["object_attributes"]["iid"] = iid
    body["object_attributes"]["assignee_ids"] = [ASSIGNEE]
    body["project"]["id"] = PROJECT
    if kind == "close":
        body["object_attributes"].update(action="close", state="closed", state_id=2)
    return body


def past_due(iid: int) -> dict[str, Any]:
    """The fixture with `iid`, project 1, assigned but with no priority, created and updated in
    2013: under belarus-ehr its triage clock (4 working hours) starts long breached, so the
    worker labels the issue «SLA: нарушен» and writes a note for every event."""
    body: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    body["object_attributes"]["iid"] = iid
    body["object_attributes"]["assignee_ids"] = [ASSIGNEE]
    body["project"]["id"] = PROJECT
    return body


BODIES: dict[str, Callable[[int], dict[str, Any]]] = {
    "conflict": payload, "close": lambda iid: payload(iid, "close"), "past-due": past_due}


class BodyTemplate:
    """Serialises the payload once; `render(iid)` only substitutes the number."""

    def __init__(self, kind: str = "conflict") -> None:
        text = json.dumps(BODIES[kind](_SENTINEL))
        if text.count(str(_SENTINEL)) != 1:
            raise ValueError("payload template: iid sentinel must occur exactly once")
        self._head, self._tail = text.split(str(_SENTINEL))

    def render(self, iid: int) -> bytes:
        """The body for issue `iid`, as bytes."""
        return f"{self._head}{iid}{self._tail}".encode()


def headers(key: str, secret: str = SECRET) -> dict[str, str]:
    """Headers GitLab sends with an Issue Hook, with a unique Idempotency-Key."""
    return {"Content-Type": "application/json", "X-Gitlab-Event": "Issue Hook",
            "X-Gitlab-Token": secret, "Idempotency-Key": key}
