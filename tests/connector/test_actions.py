"""Actions are typed: a rule cannot decide parameters its kind does not take, adapters read
models, and check-config refuses a mapping that asks a tracker for what it cannot do."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, get_args

import pytest

from connector.actions import (
    CHAT_PARAMS,
    OTHER_PARAMS,
    TRACKER_PARAMS,
    ActionParamsError,
    SetPriority,
    UpdateLabels,
    typed_params,
)
from connector.adapters import TRACKER_PLUGINS, load_tracker_plugin
from connector.assembly import check_config
from connector.config import load_config
from connector.errors import ConfigError
from connector.events import Action, ActionKind, TicketRef
from tests.conftest import REPO

REF = TicketRef("mantis", "1", "7")


@pytest.mark.parametrize(("kind", "params"), [
    ("update_labels", {"add": ["Priority: High"], "remove": []}),
    ("add_note", {"body": "Текст"}),
    ("assign", {"username": "l2", "role": "l2_engineer"}),
    ("set_priority", {"priority": "высокий", "was": None}),
    ("set_status", {"status": "обратная связь"}),
    ("create_issue", {"title": "t", "description": "d", "labels": ["x"], "alert_id": 3,
                      "user": "ipetrov"}),
    ("escalate", {"channel": "l2", "title": "t", "url": "u", "mapping": "belarus-ehr",
                  "labels": [], "assignees": [], "author": "a", "priority": ""}),
    ("post_alert", {"channel": "alerts", "title": "t", "text": "x",
                    "buttons": [["Разово", "hdc:alerts:oneoff:1"]]}),
    ("answer_button", {"callback_id": "q1", "text": "ok", "refusal": True}),
])
def test_what_the_rules_and_features_decide_fits_its_kind(kind: str,
                                                           params: dict[str, Any]) -> None:
    stored = json.loads(typed_params(kind, params).model_dump_json())
    assert {key: stored[key] for key in params} == params  # what the outbox keeps, unchanged


@pytest.mark.parametrize(("kind", "params", "reason"), [
    ("add_note", {"text": "a note"}, "add_note: body: Field required"),
    ("add_note", {"body": "x", "bodyy": "y"}, "add_note: bodyy: Extra inputs are not permitted"),
    ("update_labels", {"add": "Priority: High", "remove": []}, "update_labels: add:"),
    ("set_labels", {}, "no action kind 'set_labels'"),
])
def test_a_wrong_parameter_is_named(kind: str, params: dict[str, Any], reason: str) -> None:
    with pytest.raises(ActionParamsError, match=reason):
        typed_params(kind, params)


def test_adapters_read_a_model_of_the_actions_own_kind() -> None:
    action = Action("set_priority", "mantis", REF, {"priority": "высокий"}, "impact_priority")

    assert action.params_as(SetPriority).priority == "высокий"
    with pytest.raises(ActionParamsError, match="not a UpdateLabels action"):
        action.params_as(UpdateLabels)


def test_every_kind_has_a_model_and_every_tracker_declares_what_it_performs() -> None:
    assert set(TRACKER_PARAMS) | set(CHAT_PARAMS) | set(OTHER_PARAMS) == set(get_args(ActionKind))
    for name in TRACKER_PLUGINS:
        supports = load_tracker_plugin(name).supports
        assert supports and supports <= set(TRACKER_PARAMS), name
    assert "set_priority" not in load_tracker_plugin("gitlab").supports  # labels only


def test_check_config_refuses_a_mapping_the_tracker_cannot_carry_out(tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    path.write_text(textwrap.dedent(f"""
        mappings_dir: {REPO / 'mappings'}
        roles: {{l2_engineer: l2}}
        trackers:
          gitlab:
            webhook_secret: s3cret
            projects:
              - id: 1
                mapping: sevastopol-miac
    """), encoding="utf-8")

    with pytest.raises(ConfigError) as exc:
        check_config(load_config(path))

    problems = "\n".join(exc.value.problems)
    assert "rule impact_priority needs to set_priority, which gitlab cannot" in problems
    assert "rule intake_validation needs to set_status, which gitlab cannot" in problems
    assert "trackers.gitlab (mapping sevastopol-miac, rules[" in problems
    assert ("trackers.gitlab (mapping sevastopol-miac, outage.stages[0]): stage registered "
            "needs to set_status, which gitlab cannot") in problems
