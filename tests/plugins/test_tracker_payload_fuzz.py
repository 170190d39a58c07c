"""Whatever a tracker sends, normalising it either gives an event or a PayloadError naming the
field — never another exception, which would crash the worker and hold up the ticket's queue.
Realistic payloads with one value swapped for any JSON value, and any JSON at all."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.errors import PayloadError
from connector.events import TicketEvent
from connector.mappings import load_mappings
from connector.rules.engine import RuleContext, decide
from connector.rules.state import TicketState
from plugins.gitlab.events import normalize as gitlab
from plugins.mantis.events import RECONCILE as MANTIS_POLL
from plugins.mantis.events import normalize as mantis
from plugins.otrs.events import normalize as otrs
from tests.conftest import FIXTURES, REPO

MAPPINGS = load_mappings(REPO / "mappings")
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)
RECORDED = json.loads((FIXTURES / "mantis" / "rest_issue_after_applicant_note.json")
                      .read_text(encoding="utf-8"))["issues"][0]
MANTIS_HOOK = {
    "event": "issue_updated", "actor": {"id": 4, "name": "l1-petrov",
                                        "access_level": {"id": 55, "name": "developer"}},
    "issue": {**RECORDED, "category": "General", "custom_fields": [
        {"field": {"id": 1, "name": "Линия"}, "value": "L2"}],
        "attachments": [{"id": 1, "filename": "a.png", "size": 10}]},
    "changes": {"priority": {"old": "low", "new": "high"},
                "custom_fields": {"Линия": {"old": "L1", "new": "L2"}}},
    "note": {"id": 1, "text": "x", "reporter": {"id": 3, "name": "ivanova"}}}
OTRS_HOOK = {"Event": {"TicketID": "7"}, "Ticket": {
    "TicketID": "7", "Queue": "Support", "Title": "t", "State": "open", "StateType": "open",
    "Priority": "3 normal", "Type": "Incident", "ChangeBy": "5", "Changed": "2026-11-25 09:00:00",
    "DynamicField_Impact": "minor", "Articles": [
        {"SenderType": "customer", "Body": "b", "Attachment": [{"Filename": "a.png",
                                                                "FilesizeRaw": "10"}]}],
    "Article": {}}}
GITLAB_ISSUE = json.loads((FIXTURES / "gitlab" / "gitlab_issue_hook.json").read_text("utf-8"))
GITLAB_NOTE = json.loads((FIXTURES / "gitlab" / "gitlab_note_on_issue_hook.json")
                         .read_text("utf-8"))
CASES = [
    (gitlab, "Issue Hook", GITLAB_ISSUE), (gitlab, "Note Hook", GITLAB_NOTE),
    (mantis, "issue_updated", MANTIS_HOOK), (mantis, "note_added", {**MANTIS_HOOK,
                                                                   "event": "note_added"}),
    (mantis, MANTIS_POLL, {"issue": {**RECORDED, "_access_levels": {"ivanova": 25}}}),
    (otrs, "TicketPriorityUpdate", OTRS_HOOK), (otrs, "ArticleCreate", OTRS_HOOK),
]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document a value can be swapped."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def swapped(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def survive(normalize: Any, event_name: str, payload: Any) -> None:
    try:
        event = normalize(event_name, payload)
    except PayloadError as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    if isinstance(event, TicketEvent):  # and the rules take what the normaliser gives them
        mapping = "belarus-ehr" if event.ref.tracker == "gitlab" else "sevastopol-miac"
        decide(MAPPINGS.get(mapping), event, TicketState(),
               RuleContext(MAPPINGS, "ru", {"infrastructure_owner": "a", "new_client_owner": "b",
                                            "head_of_support": "c"}))


@pytest.mark.parametrize(("normalize", "event_name", "payload"), CASES,
                         ids=[f"{n.__module__.split('.')[1]}:{e}" for n, e, _ in CASES])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_one_value_swapped_for_anything(normalize: Any, event_name: str, payload: Any,
                                        data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(paths(payload)))
    survive(normalize, event_name, swapped(payload, path, data.draw(JSON)))


@settings(max_examples=150, deadline=None)
@given(payload=JSON, event_name=st.sampled_from(
    ["Issue Hook", "Note Hook", "issue_reported", "issue_updated", "note_added", MANTIS_POLL,
     "TicketCreate", "ArticleCreate"]))
def test_any_json_at_all(payload: Any, event_name: str) -> None:
    for normalize in (gitlab, mantis, otrs):
        survive(normalize, event_name, payload)
