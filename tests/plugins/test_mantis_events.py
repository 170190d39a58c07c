"""The Mantis normaliser: what a rule needs from the plugin's webhooks and from polled REST
issues — severity («Влияние»), category, files with sizes, the applicant's notes, and who
changed what with which access level."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector.errors import PayloadError
from connector.events import Attachment, Person
from plugins.mantis.events import RECONCILE, normalize
from tests.conftest import FIXTURES

RECORDED = FIXTURES / "mantis" / "rest_issue_after_applicant_note.json"


def issue(**extra: Any) -> dict[str, Any]:
    """An issue as the plugin's Payload::issue() sends it."""
    return {"id": 42, "project": {"id": 1, "name": "Севастополь"}, "category": "Ошибка в МИС",
            "summary": "Ошибка записи", "description": "Данные пациента: нет",
            "steps_to_reproduce": "", "additional_information": "",
            "status": {"id": 10, "name": "new"}, "priority": {"id": 30, "name": "normal"},
            "severity": {"id": 60, "name": "major"}, "reporter": {"id": 3, "name": "ivanova"},
            "handler": None, "custom_fields": [{"field": {"id": 1, "name": "Линия"},
                                                "value": "L1"}],
            "attachments": [{"id": 7, "filename": "скрин.png", "size": 120_000,
                             "content_type": "image/png"}],
            "created_at": "2026-11-25T09:00:00+00:00", "updated_at": "2026-11-25T09:05:00+00:00",
            **extra}


def webhook(event: str, **extra: Any) -> dict[str, Any]:
    return {"event": event, "delivery_id": "d1", "mantis_url": "https://mantis.test/",
            "actor": {"id": 4, "name": "l1-petrov",
                      "access_level": {"id": 55, "name": "developer"}},
            "issue": issue(), "changes": {}, "note": None, **extra}


def test_severity_category_and_files_reach_the_rules() -> None:
    event = normalize("issue_reported", webhook("issue_reported"))
    assert event is not None
    assert event.fields["severity"] == "major" and event.fields["Линия"] == "L1"
    assert event.category == "Ошибка в МИС"
    assert event.attachments == (Attachment("скрин.png", 120_000),)
    assert event.is_new and event.changed_by == {}


def test_an_updates_changes_are_its_actors_with_their_access_level() -> None:
    changes = {"priority": {"old": "normal", "new": "low"},
               "severity": {"old": "major", "new": "minor"},
               "custom_fields": {"Линия": {"old": "L1", "new": "L2"}}}
    event = normalize("issue_updated", webhook("issue_updated", changes=changes))
    assert event is not None
    petrov = Person("l1-petrov", level=55)
    assert event.changed_by == {"priority": petrov, "severity": petrov, "Линия": petrov}


def test_only_the_applicants_own_note_supplements_the_request() -> None:
    by_applicant = webhook("note_added", actor={"id": 3, "name": "ivanova"}, note={
        "id": 9, "text": "Данные пациента: Петров", "reporter": {"id": 3, "name": "ivanova"}})
    by_l1 = webhook("note_added", note={"id": 10, "text": "Уточните данные пациента",
                                        "reporter": {"id": 4, "name": "l1-petrov"}})
    applicant, l1 = normalize("note_added", by_applicant), normalize("note_added", by_l1)
    assert applicant is not None and l1 is not None
    assert applicant.kind == "note" and applicant.supplements == ("Данные пациента: Петров",)
    assert l1.supplements == () and l1.note == "Уточните данные пациента"


def test_a_polled_issue_tells_who_changed_what_from_its_history() -> None:
    """Recorded from MantisBT 2.28.4: the administrator set feedback, the reporter's note
    moved it back to new."""
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))["issues"][0]
    recorded["_access_levels"] = {"administrator": 90}
    event = normalize(RECONCILE, {"issue": recorded, "is_new": False})
    assert event is not None
    assert event.status == "new" and event.fields["severity"] == "minor"
    assert event.changed_by["status"] == Person("ivanova", None)  # the reporter's note did it
    assert event.supplements == (recorded["notes"][0]["text"],)
    assert event.category == "General"


def test_history_is_read_oldest_first_whatever_its_order() -> None:
    entry = {"field": {"name": "priority"}, "type": {"id": 0}}
    history = [{**entry, "created_at": "2026-11-25T10:00:00+00:00",
                "user": {"name": "l1-petrov"}},
               {**entry, "created_at": "2026-11-25T09:00:00+00:00", "user": {"name": "ivanova"}}]
    polled = {"issue": {**issue(), "history": history,
                        "_access_levels": {"l1-petrov": 55}}}
    event = normalize(RECONCILE, polled)
    assert event is not None and event.changed_by["priority"] == Person("l1-petrov", 55)


@pytest.mark.parametrize(("payload", "reason"), [
    pytest.param({"issue": {**issue(), "history": {"x": 1}}}, "issue.history: expected a list",
                 id="history not a list"),
    pytest.param({"issue": {**issue(), "severity": "major"}},
                 "issue.severity: expected an object with a name", id="severity not an enum"),
])
def test_malformed_polled_issues_are_named(payload: dict[str, Any], reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        normalize(RECONCILE, payload)


def test_odd_but_harmless_shapes_are_tolerated() -> None:
    odd = issue(attachments=[{"filename": "a.png", "size": "big"}, {"size": 5}],
                category={"id": 1})
    event = normalize("issue_reported", webhook("issue_reported", issue=odd,
                                                actor={"id": 4, "name": "x",
                                                       "access_level": "developer"}))
    assert event is not None
    assert event.attachments == (Attachment("a.png", 0),) and event.category == ""


@pytest.mark.parametrize(("reporter", "level"), [
    ({"id": 3, "name": "ivanova", "access_level": {"id": 25, "name": "reporter"}}, 25),
    ({"id": 4, "name": "l1-petrov", "access_level": {"id": 55, "name": "developer"}}, 55),
    ({"id": 3, "name": "ivanova"}, None),  # a plugin from before the reporter's level
])
def test_section_2_7_the_reporters_access_level_comes_with_the_webhook(
        reporter: dict[str, Any], level: int | None) -> None:
    """§2.7: who reported the request — L1 or an applicant — is told by their access level in
    the project, which the plugin sends with the reporter."""
    event = normalize("issue_reported", webhook("issue_reported", issue=issue(reporter=reporter)))
    assert event is not None
    assert (event.author, event.author_level) == (reporter["name"], level)


def test_section_2_7_a_polled_issues_reporter_level_comes_from_the_poll() -> None:
    """§2.7: polling adds the reporter's level to `_access_levels` (staff only: a reporter
    below `updater` stays unknown, so not L1 by level)."""
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))["issues"][0]
    recorded["_access_levels"] = {"administrator": 90, "ivanova": 55}
    event = normalize(RECONCILE, {"issue": recorded, "is_new": False})
    assert event is not None and (event.author, event.author_level) == ("ivanova", 55)
