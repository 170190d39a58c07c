"""The stand-in MantisBT REST API, driven with plain `requests`."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer

from tests.standins import fixtures
from tests.standins.mantis import BOT_ID, StandInMantis

standin_mantis = fixtures.standin_mantis


def _call(standin: StandInMantis, method: str, path: str, *, token: str | None = None,
          **kwargs: Any) -> requests.Response:
    headers = {"Authorization": standin.token if token is None else token,
               **kwargs.pop("headers", {})}
    return requests.request(method, f"{standin.url}/api/rest/index.php{path}", headers=headers,
                            timeout=5, **kwargs)


def test_auth_raw_token_only(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5)
    assert _call(standin_mantis, "GET", "/issues/5").status_code == 200
    for token in (f"Bearer {standin_mantis.token}", "wrong", ""):
        answer = _call(standin_mantis, "GET", "/issues/5", token=token)
        assert answer.status_code == 401 and answer.content == b""
        assert answer.reason == "Valid API token required"
    rewritten = requests.get(f"{standin_mantis.url}/api/rest/issues/5", timeout=5,
                             headers={"Authorization": standin_mantis.token})
    assert rewritten.status_code == 200  # /api/rest/... (URL rewriting) works too
    assert [r.status for r in standin_mantis.requests] == [200, 401, 401, 401, 200]
    assert standin_mantis.requests[1].headers["authorization"].startswith("Bearer ")


def test_get_issue_shape(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_user("ivanov", 7, "ivanov@example.com", real_name="Ivan Ivanov")
    standin_mantis.add_issue(5, summary="VPN down", handler="ivanov", priority="high",
                             status="assigned", custom_fields={"Impact": "Major"},
                             attachments=["log.txt"], updated_at="2026-11-22T10:00:00+00:00")
    answer = _call(standin_mantis, "GET", "/issues/5")
    assert answer.headers["ETag"] and answer.headers["X-Mantis-Version"] == "2.28.4"
    (issue,) = answer.json()["issues"]
    assert issue["id"] == 5 and issue["summary"] == "VPN down"
    assert issue["project"] == {"id": 1, "name": "Project 1"}
    assert issue["category"] == {"id": 1, "name": "General"}
    assert issue["handler"] == {"id": 7, "name": "ivanov", "real_name": "Ivan Ivanov",
                                "email": "ivanov@example.com"}
    assert issue["status"] == {"id": 50, "name": "assigned", "label": "assigned",
                               "color": "#c2dfff"}
    assert issue["priority"] == {"id": 40, "name": "high", "label": "high"}
    assert issue["severity"]["name"] == "minor" and issue["resolution"]["name"] == "open"
    assert issue["updated_at"] == issue["created_at"] == "2026-11-22T10:00:00+00:00"
    assert issue["custom_fields"] == [{"field": {"id": 1, "name": "Impact"}, "value": "Major"}]
    (attachment,) = issue["attachments"]
    assert attachment["filename"] == "log.txt" and attachment["content_type"] == "text/plain"
    for key in ("notes", "tags", "relationships", "steps_to_reproduce"):
        assert key not in issue  # Mantis drops nulls and empty arrays
    assert [(h["type"]["name"], h["user"]["name"]) for h in issue["history"]] == [
        ("issue-new", "reporter"), ("file-added", "reporter")]
    assert issue["history"][1]["file"] == {"filename": "log.txt"}
    assert standin_mantis.issue(5) == issue


def test_unknown_issue_is_404_with_code(standin_mantis: StandInMantis) -> None:
    answer = _call(standin_mantis, "GET", "/issues/77")
    assert answer.status_code == 404
    assert answer.json() == {"message": "Issue #77 not found", "code": 1100,
                             "localized": "Issue 77 not found."}


def test_list_sorted_by_update_and_paged(standin_mantis: StandInMantis) -> None:
    for iid, when in ((1, "10:00:00"), (2, "12:00:00"), (3, "11:00:00")):
        standin_mantis.add_issue(iid, updated_at=f"2020-11-22T{when}+00:00")
    standin_mantis.add_issue(4, project_id=2)
    page = _call(standin_mantis, "GET", "/issues", params={"project_id": 1, "page_size": 2})
    assert [i["id"] for i in page.json()["issues"]] == [2, 3]
    page2 = _call(standin_mantis, "GET", "/issues?project_id=1&page_size=2&page=2")
    assert [i["id"] for i in page2.json()["issues"]] == [1]
    beyond = _call(standin_mantis, "GET", "/issues?project_id=1&page_size=2&page=3")
    assert beyond.json() == {"issues": []}
    _call(standin_mantis, "POST", "/issues/1/notes", json={"text": "bump"})
    again = _call(standin_mantis, "GET", "/issues?project_id=1")
    assert [i["id"] for i in again.json()["issues"]] == [1, 2, 3]
    missing = _call(standin_mantis, "GET", "/issues?project_id=9")
    assert missing.status_code == 404 and missing.content == b""


def test_patch_enums_handler_and_custom_fields(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_user("petrov", 8)
    standin_mantis.add_issue(5, custom_fields={"Impact": "Minor"})
    before = standin_mantis.issue(5)["updated_at"]
    answer = _call(standin_mantis, "PATCH", "/issues/5", json={
        "status": {"name": "feedback"}, "priority": {"id": 50}, "handler": {"name": "petrov"},
        "custom_fields": [{"field": {"name": "Impact"}, "value": "Major"}]})
    assert answer.status_code == 200
    (issue,) = answer.json()["issues"]
    assert (issue["status"]["name"], issue["priority"]["name"]) == ("feedback", "urgent")
    assert issue["handler"]["name"] == "petrov" and issue["updated_at"] > before
    assert issue["custom_fields"][0]["value"] == "Major"
    # real quirks: an unknown name becomes id 0, an unknown handler name unassigns
    quirky = _call(standin_mantis, "PATCH", "/issues/5", json={
        "status": {"name": "foo"}, "handler": {"name": "nobody"}}).json()["issues"][0]
    assert quirky["status"] == {"id": 0, "name": "@0@", "label": "@0@", "color": "currentcolor"}
    assert "handler" not in quirky
    no_user = _call(standin_mantis, "PATCH", "/issues/5", json={"handler": {"id": 4242}})
    assert no_user.status_code == 404 and no_user.json() == {
        "message": "User '4242' does not exist."}
    field = _call(standin_mantis, "PATCH", "/issues/5", json={
        "custom_fields": [{"field": {"name": "Nope"}, "value": "x"}]})
    assert field.status_code == 404 and field.json()["code"] == 1300
    blank = _call(standin_mantis, "PATCH", "/issues/5", json={"summary": " "})
    assert blank.status_code == 400
    assert len(standin_mantis.writes("PATCH")) == 2


def test_strict_enums_option() -> None:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        strict = StandInMantis(server, strict_enums=True)
        strict.add_issue(5)
        answer = _call(strict, "PATCH", "/issues/5", json={"status": {"name": "foo"}})
        assert answer.status_code == 400
        assert answer.json()["message"] == "Invalid status 'foo'"
        assert strict.issue(5)["status"]["name"] == "new" and not strict.errors
    finally:
        server.clear()
        server.stop()


def test_if_match_etag(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5)
    etag = _call(standin_mantis, "GET", "/issues/5").headers["ETag"]
    stale = _call(standin_mantis, "PATCH", "/issues/5", json={"summary": "x"},
                  headers={"If-Match": "stale"})
    assert stale.status_code == 412 and stale.headers["ETag"] == etag
    ok = _call(standin_mantis, "PATCH", "/issues/5", json={"summary": "x"},
               headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.headers["ETag"] != etag
    assert standin_mantis.issue(5)["summary"] == "x"


def test_timestamps_strictly_increase(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5)
    stamps = [standin_mantis.issue(5)["updated_at"]]
    for n in range(3):
        _call(standin_mantis, "POST", "/issues/5/notes", json={"text": f"n{n}"})
        stamps.append(standin_mantis.issue(5)["updated_at"])
    assert stamps == sorted(set(stamps)) and all(s.endswith("+00:00") for s in stamps)


def test_notes(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5)
    answer = _call(standin_mantis, "POST", "/issues/5/notes",
                   json={"text": "Escalated", "view_state": {"name": "public"}})
    assert answer.status_code == 201
    note = answer.json()["note"]
    assert note["reporter"]["id"] == BOT_ID and note["reporter"]["name"] == "helpdesk-bot"
    assert note["text"] == "Escalated" and note["type"] == "note"
    assert note["view_state"] == {"id": 10, "name": "public", "label": "public"}
    assert answer.json()["issue"]["notes"] == [note]
    empty = _call(standin_mantis, "POST", "/issues/5/notes", json={"text": "  "})
    assert empty.status_code == 400 and empty.json()["code"] == 11
    other = standin_mantis.add_note(5, "from the web", reporter="l1")
    assert standin_mantis.issue(5)["notes"][-1] == other


def test_relationships_tags_and_create(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5)
    standin_mantis.add_issue(6)
    rel = _call(standin_mantis, "POST", "/issues/5/relationships",
                json={"issue": {"id": 6}, "type": {"name": "related-to"}})
    assert rel.status_code == 201
    (link,) = rel.json()["issue"]["relationships"]
    assert link["type"] == {"id": 1, "name": "related-to", "label": "related to"}
    assert link["issue"]["id"] == 6
    parent = _call(standin_mantis, "POST", "/issues/5/relationships",
                   json={"issue": {"id": 6}, "type": {"name": "parent-of"}})
    assert [r["type"]["name"] for r in parent.json()["issue"]["relationships"]] == ["parent-of"]
    assert standin_mantis.issue(6)["relationships"][0]["type"]["name"] == "child-of"
    assert _call(standin_mantis, "POST", "/issues/5/relationships",
                 json={"issue": {"id": 5}}).json()["code"] == 1803
    assert _call(standin_mantis, "POST", "/issues/5/relationships",
                 json={"issue": {"id": 99}}).status_code == 404
    tags = _call(standin_mantis, "POST", "/issues/5/tags", json={"tags": [{"name": "outage"}]})
    assert tags.status_code == 201
    assert [t["name"] for t in tags.json()["issues"][0]["tags"]] == ["outage"]
    created = _call(standin_mantis, "POST", "/issues", json={
        "summary": "New", "description": "d", "project": {"id": 1},
        "category": {"name": "General"}, "priority": {"name": "high"},
        "custom_fields": [{"field": {"name": "Impact"}, "value": "x"}]})
    assert created.status_code == 404  # no such custom field defined yet
    created = _call(standin_mantis, "POST", "/issues", json={
        "summary": "New", "description": "d", "project": {"id": 1},
        "category": {"name": "General"}, "priority": {"name": "high"}})
    assert created.status_code == 201
    issue = created.json()["issue"]
    assert issue["id"] == 7 and issue["reporter"]["id"] == BOT_ID
    assert issue["status"]["name"] == "new" and issue["priority"]["name"] == "high"
    missing = _call(standin_mantis, "POST", "/issues", json={"description": "d"})
    assert missing.status_code == 400 and missing.json() == {
        "message": "Summary not specified", "code": 11,
        "localized": 'A necessary field "summary" was empty. Please recheck your inputs.'}


def test_fail_next_and_hold_next(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5)
    standin_mantis.fail_next("PATCH", r"^/issues/5$", 503, headers={"Retry-After": "2"})
    failed = _call(standin_mantis, "PATCH", "/issues/5", json={"summary": "x"})
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "2"
    assert standin_mantis.issue(5)["summary"] == "Issue"  # not applied
    event = standin_mantis.hold_next("POST", r"/notes$")
    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(_call(
        standin_mantis, "POST", "/issues/5/notes", json={"text": "held"}).status_code))
    worker.start()
    time.sleep(0.3)
    assert results == [] and standin_mantis.issue(5)["notes"][0]["text"] == "held"
    assert _call(standin_mantis, "GET", "/issues/5").status_code == 200  # not blocked
    event.set()
    worker.join(5)
    assert results == [201]
    assert [(r.method, r.path) for r in standin_mantis.writes()] == [("POST", "/issues/5/notes")]


@pytest.mark.parametrize("body", [None, {}])
def test_patch_needs_a_body(standin_mantis: StandInMantis, body: Any) -> None:
    standin_mantis.add_issue(5)
    answer = _call(standin_mantis, "PATCH", "/issues/5", json=body)
    assert answer.status_code == 400 and answer.content == b""


def test_history_names_who_changed_what(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5, priority="low", severity="minor", reporter="ivanova")
    l1 = standin_mantis.add_token("l1-petrov", access_level=55)
    assert _call(standin_mantis, "PATCH", "/issues/5", token=l1, json={
        "priority": {"name": "normal"}, "severity": {"name": "tweak"},
        "description": "new text"}).status_code == 200
    changed = [h for h in standin_mantis.issue(5)["history"] if h["type"]["id"] == 0]
    assert [(h["field"]["name"], h["user"]["name"], h["old_value"]["name"],
             h["new_value"]["name"]) for h in changed] == [
        ("priority", "l1-petrov", "low", "normal"), ("severity", "l1-petrov", "minor", "tweak")]
    assert standin_mantis.issue(5)["history"][-1]["type"]["name"] == \
        "issue-description-updated"


def test_reporters_note_moves_feedback_back(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5, status="feedback", reporter="ivanova")
    standin_mantis.add_issue(6, status="feedback", reporter="ivanova", handler="l1-petrov")
    standin_mantis.add_note(5, "Данные пациента: Петров П.П.", reporter="someone-else")
    assert standin_mantis.issue(5)["status"]["name"] == "feedback"
    standin_mantis.add_note(5, "Данные пациента: Петров П.П.", reporter="ivanova",
                            files=[("shots.zip", 2_000_000)])
    standin_mantis.add_note(6, "Вот данные", reporter="ivanova")
    issue = standin_mantis.issue(5)
    assert issue["status"]["name"] == "new"
    assert issue["attachments"][-1]["filename"] == "shots.zip"
    assert issue["attachments"][-1]["size"] == 2_000_000
    moved = [h for h in issue["history"] if h.get("field", {}).get("name") == "status"]
    assert moved[-1]["user"]["name"] == "ivanova"
    assert standin_mantis.issue(6)["status"]["name"] == "assigned"  # it has a handler


def test_project_users_with_access_levels(standin_mantis: StandInMantis) -> None:
    standin_mantis.add_issue(5)
    standin_mantis.add_token("l1-petrov", access_level=55)
    answer = _call(standin_mantis, "GET", "/projects/1/users",
                   params={"access_level": 40, "include_access_levels": 1})
    users = {u["name"]: u["access_level"]["name"] for u in answer.json()["users"]}
    assert users == {"administrator": "administrator", "helpdesk-bot": "developer",
                     "l1-petrov": "developer"}
    assert _call(standin_mantis, "GET", "/projects/9/users").status_code == 404
