"""The stand-in GitLab, driven by the real python-gitlab SDK."""

from __future__ import annotations

import threading
import time
from typing import Any

import gitlab
import pytest
import requests
from gitlab.v4.objects import Project

from tests.standins import fixtures
from tests.standins.gitlab import StandInGitLab

standin_gitlab = fixtures.standin_gitlab


def _client(standin: StandInGitLab, token: str | None = None) -> gitlab.Gitlab:
    return gitlab.Gitlab(standin.url, private_token=token or standin.token)


def _project(standin: StandInGitLab, pid: int = 1) -> Project:
    return _client(standin).projects.get(pid, lazy=True)


def test_get_issue_has_gitlab_shape(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_user("ivanov", 7)
    standin_gitlab.add_issue(1, 23, title="VPN down", labels=["Priority: Low", "bug"],
                             assignee_ids=[7], description="d", author="l1-user")
    issue = _project(standin_gitlab).issues.get(23)
    assert (issue.iid, issue.project_id, issue.title, issue.state) == (23, 1, "VPN down", "opened")
    assert issue.labels == ["Priority: Low", "bug"]
    assert issue.assignees == [issue.assignee]
    assert issue.assignee["id"] == 7 and issue.assignee["username"] == "ivanov"
    assert issue.author["username"] == "l1-user" and isinstance(issue.id, int)
    assert issue.updated_at.endswith("Z") and issue.web_url.endswith("/-/issues/23")


def test_wrong_token_is_401(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    gl = _client(standin_gitlab, token="glpat-wrong")
    with pytest.raises(gitlab.GitlabAuthenticationError) as err:
        gl.projects.get(1, lazy=True).issues.get(23)
    assert err.value.response_code == 401
    assert err.value.error_message == "401 Unauthorized"
    raw = requests.get(f"{standin_gitlab.url}/api/v4/projects/1/issues/23", timeout=5)
    assert raw.status_code == 401 and raw.json() == {"message": "401 Unauthorized"}
    assert [r.status for r in standin_gitlab.requests] == [401, 401]


def test_unknown_issue_and_project_are_404(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    with pytest.raises(gitlab.GitlabGetError) as err:
        _project(standin_gitlab).issues.get(24)
    assert err.value.response_code == 404
    assert err.value.error_message == "404 Issue Not Found"
    with pytest.raises(gitlab.GitlabUpdateError):
        _project(standin_gitlab, 2).issues.update(23, {"add_labels": "x"})
    with pytest.raises(gitlab.GitlabListError) as list_err:
        _project(standin_gitlab, 2).issues.list(get_all=True)
    assert list_err.value.error_message == "404 Project Not Found"
    assert standin_gitlab.writes() == []


def test_label_add_remove_semantics(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23, labels=["Priority: Low", "Team::Net"])
    project = _project(standin_gitlab)
    before = standin_gitlab.issue(1, 23)["updated_at"]
    result = project.issues.update(
        23, {"add_labels": "Priority: High", "remove_labels": "Priority: Low"})
    assert result["labels"] == ["Priority: High", "Team::Net"]
    state = standin_gitlab.issue(1, 23)
    assert state["labels"] == ["Priority: High", "Team::Net"] and state["updated_at"] > before
    # removing an absent label / adding a present one is a no-op (and does not touch the issue)
    project.issues.update(23, {"add_labels": "Team::Net", "remove_labels": "absent"})
    assert standin_gitlab.issue(1, 23)["labels"] == ["Priority: High", "Team::Net"]
    assert standin_gitlab.issue(1, 23)["updated_at"] == state["updated_at"]
    project.issues.update(23, {"labels": "a, b,Priority: Urgent"})  # replaces the set
    assert standin_gitlab.issue(1, 23)["labels"] == ["Priority: Urgent", "a", "b"]
    project.issues.update(23, {"labels": ""})
    assert standin_gitlab.issue(1, 23)["labels"] == []
    assert len(standin_gitlab.writes("PUT", r"/issues/23$")) == 4


def test_updated_at_strictly_increases(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    project = _project(standin_gitlab)
    stamps = [standin_gitlab.issue(1, 23)["updated_at"]]
    for n in range(5):
        stamps.append(project.issues.update(23, {"title": f"t{n}"})["updated_at"])
    assert stamps == sorted(set(stamps)) and all(len(s) == 27 for s in stamps)


def test_assignees_state_and_form_bodies(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_user("ivanov", 7)
    standin_gitlab.add_issue(1, 23)
    project = _project(standin_gitlab)
    result = project.issues.update(23, {"assignee_ids": [7], "state_event": "close"})
    assert result["assignee"]["username"] == "ivanov" and result["state"] == "closed"
    assert result["closed_at"] == result["updated_at"]
    project.issues.update(23, {"assignee_ids": [], "state_event": "reopen"})
    state = standin_gitlab.issue(1, 23)
    assert state["assignee_ids"] == [] and state["state"] == "opened"
    with pytest.raises(gitlab.GitlabUpdateError) as err:
        project.issues.update(23, {"state_event": "explode"})
    assert err.value.response_code == 400
    form = requests.put(f"{standin_gitlab.url}/api/v4/projects/1/issues/23", timeout=5,
                        headers={"PRIVATE-TOKEN": standin_gitlab.token},
                        data={"assignee_ids[]": ["7", "8"], "add_labels": "Priority: High"})
    assert form.status_code == 200 and [a["id"] for a in form.json()["assignees"]] == [7, 8]
    assert standin_gitlab.requests[-1].json == {"assignee_ids[]": ["7", "8"],
                                                "add_labels": "Priority: High"}


def test_notes_create_and_paginate(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    standin_gitlab.add_note(1, 23, "from a human")
    issue = _project(standin_gitlab).issues.get(23, lazy=True)
    note = issue.notes.create({"body": "x"})
    assert note.author["username"] == "helpdesk-bot" and note.author["id"] == 99
    assert (note.noteable_type, note.noteable_iid, note.system) == ("Issue", 23, False)
    assert standin_gitlab.issue(1, 23)["updated_at"] == note.created_at
    with pytest.raises(gitlab.GitlabCreateError) as err:
        issue.notes.create({"body": "  "})
    assert err.value.response_code == 400
    for n in range(5):
        issue.notes.create({"body": f"n{n}"})
    notes = issue.notes.list(get_all=True, per_page=2, sort="asc")
    assert [n.body for n in notes] == ["from a human", "x", "n0", "n1", "n2", "n3", "n4"]
    pages = {r.query.get("page") for r in standin_gitlab.requests if r.path.endswith("/notes")
             and r.method == "GET"}
    assert pages == {None, "2", "3", "4"}
    lazy = issue.notes.list(iterator=True, per_page=3)  # default order: newest first
    assert (lazy.total, lazy.total_pages, lazy.next_page) == (7, 3, 2)
    bodies = [n.body for n in lazy]
    assert len(bodies) == 7 and bodies[0] == "n4" and bodies[-1] == "from a human"
    assert [n["body"] for n in standin_gitlab.issue(1, 23)["notes"]][:2] == ["from a human", "x"]


def test_list_issues_updated_after(standin_gitlab: StandInGitLab) -> None:
    for iid in range(1, 6):
        standin_gitlab.add_issue(1, iid, updated_at=f"2026-01-02T10:00:0{iid}Z",
                                 state="closed" if iid == 5 else "opened")
    project = _project(standin_gitlab)
    issues = project.issues.list(updated_after="2026-01-02T10:00:02Z", order_by="updated_at",
                                 sort="asc", get_all=True, per_page=2)
    assert [i.iid for i in issues] == [2, 3, 4, 5]
    opened = project.issues.list(updated_after="2026-01-02T10:00:02+00:00", state="opened",
                                 order_by="updated_at", get_all=True)
    assert [i.iid for i in opened] == [4, 3, 2]
    project.issues.update(1, {"add_labels": "touched"})
    recent = project.issues.list(updated_after="2026-01-02T10:00:05Z", get_all=True)
    assert [i.iid for i in recent] == [5, 1]  # default: order_by=created_at, sort=desc


def test_create_issue_and_users(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    standin_gitlab.add_user("ivanov", 7)
    gl = _client(standin_gitlab)
    created = gl.projects.get(1, lazy=True).issues.create(
        {"title": "Outage", "description": "d", "labels": "Priority: High,outage"})
    assert (created.iid, created.labels, created.state) == (24, ["Priority: High", "outage"],
                                                            "opened")
    assert standin_gitlab.writes("POST")[0].status == 201
    assert [u.id for u in gl.users.list(username="ivanov")] == [7]
    assert gl.users.list(username="ivanov")[0].state == "active"
    assert gl.users.list(username="nobody") == []
    gl.auth()
    assert gl.user is not None and (gl.user.id, gl.user.username) == (99, "helpdesk-bot")


def test_fail_next_429_then_recovers(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    gl = _client(standin_gitlab)
    standin_gitlab.fail_next("GET", r"/issues/23$", 429, headers={"Retry-After": "2"},
                             body={"message": "429 Too Many Requests"})
    with pytest.raises(gitlab.GitlabHttpError) as err:
        gl.http_get("/projects/1/issues/23", obey_rate_limit=False)
    assert err.value.response_code == 429
    assert err.value.error_message == "429 Too Many Requests"
    standin_gitlab.fail_next("PUT", r"/issues/23$", 429, headers={"Retry-After": "2"})
    with pytest.raises(gitlab.GitlabUpdateError) as upd:  # python-gitlab wraps it per operation
        gl.projects.get(1, lazy=True).issues.update(23, {"add_labels": "x"},
                                                     obey_rate_limit=False)
    assert upd.value.response_code == 429
    assert standin_gitlab.issue(1, 23)["labels"] == [] and standin_gitlab.writes() == []
    assert standin_gitlab.requests[-1].status == 429
    standin_gitlab.fail_next("PUT", r"/issues/23$", 502, times=2)
    gl.projects.get(1, lazy=True).issues.update(23, {"add_labels": "x"},
                                                 retry_transient_errors=True)
    assert [r.status for r in standin_gitlab.requests[-3:]] == [502, 502, 200]
    assert standin_gitlab.issue(1, 23)["labels"] == ["x"]


def test_hold_next_applies_then_blocks(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)
    release = standin_gitlab.hold_next("POST", r"/issues/23/notes$")
    outcome: dict[str, Any] = {}

    def write() -> None:
        issue = _project(standin_gitlab).issues.get(23, lazy=True)
        outcome["note"] = issue.notes.create({"body": "held"})

    worker = threading.Thread(target=write)
    worker.start()
    deadline = time.monotonic() + 5
    while not standin_gitlab.issue(1, 23)["notes"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [n["body"] for n in standin_gitlab.issue(1, 23)["notes"]] == ["held"]
    _project(standin_gitlab).issues.get(23)  # other requests are still served meanwhile
    time.sleep(0.2)
    assert worker.is_alive() and "note" not in outcome
    assert len(standin_gitlab.writes("POST", "/notes$")) == 1
    release.set()
    worker.join(5)
    assert outcome["note"].body == "held"


def test_concurrent_writes(standin_gitlab: StandInGitLab) -> None:
    standin_gitlab.add_issue(1, 23)

    def write(n: int) -> None:
        project = _project(standin_gitlab)
        project.issues.get(23, lazy=True).notes.create({"body": f"b{n}"})
        project.issues.update(23, {"add_labels": f"l{n}"})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    state = standin_gitlab.issue(1, 23)
    assert len({n["id"] for n in state["notes"]}) == 8 and len(state["labels"]) == 8
    stamps = [n["created_at"] for n in state["notes"]]
    assert stamps == sorted(set(stamps)) and state["updated_at"] >= stamps[-1]
