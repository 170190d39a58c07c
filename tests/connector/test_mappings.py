"""Regulations as data: the shipped mappings load, and every mistake in a mapping or template
file is reported with the file and the key — all of them at once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector import upgrades
from connector.errors import ConfigError
from connector.mappings import TEMPLATE_FIELDS, load_mappings
from connector.rules.models import (
    AssignOnLabel,
    CloseAgreement,
    EscalateOnLabel,
    EscalateWhen,
    ImpactPriority,
    IntakeValidation,
    SinglePriorityLabel,
)
from tests.conftest import REPO

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def mappings_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the shipped mappings/ to break, standing in for the shipped ones: a
    text it lacks is missing, not taken from them (an admin's copy: tests/connector/
    test_upgrades.py)."""
    copy = Path(shutil.copytree(REPO / "mappings", tmp_path / "mappings"))
    monkeypatch.setattr(upgrades, "shipped_mappings", copy.resolve)
    return copy


def edit(path: Path, change: Edit) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_mappings(directory)
    return exc.value.problems


def test_shipped_mappings_load() -> None:
    mappings = load_mappings(REPO / "mappings")

    assert set(mappings.by_name) == {"belarus-ehr", "sevastopol-miac"}
    belarus = [type(r) for r in mappings.get("belarus-ehr").rules]
    assert belarus == [SinglePriorityLabel, EscalateOnLabel, AssignOnLabel, AssignOnLabel,
                       CloseAgreement]
    sevastopol = mappings.get("sevastopol-miac")
    assert [type(r) for r in sevastopol.rules] == [IntakeValidation, ImpactPriority,
                                                    EscalateWhen]
    assert set(sevastopol.trackers) == {"mantis", "otrs"}
    assert mappings.get("belarus-ehr").roles() == {"infrastructure_owner", "new_client_owner",
                                                   "head_of_support"}
    for language in ("ru", "en"):
        assert set(mappings.templates[language]) == set(TEMPLATE_FIELDS)


def set_rule(index: int, **values: Any) -> Edit:
    def change(data: dict[str, Any]) -> None:
        data["rules"][index].update(values)
    return change


def set_template(language: str, template_id: str, text: str | None) -> Edit:
    def change(data: dict[str, Any]) -> None:
        if text is None:
            del data[language][template_id]
        else:
            data[language][template_id] = text
    return change


def set_key(*path: str, value: Any) -> Edit:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return change


def registration(item: int | None = None, **values: Any) -> Edit:
    """Change §2.7's `registered_by_l1` of the Sevastopol intake rule (rules[0]), or the
    `detect` of one of its items."""
    def change(data: dict[str, Any]) -> None:
        section = data["rules"][0]["registered_by_l1"]
        (section if item is None else section["items"][item]["detect"]).update(values)
    return change


def threshold(policy: int, index: int, **values: Any) -> Edit:
    def change(data: dict[str, Any]) -> None:
        data["sla"][policy]["thresholds"][index].update(values)
    return change


def allow(impact: str, priorities: list[str]) -> Edit:
    def change(data: dict[str, Any]) -> None:
        data["rules"][1]["allowed"][impact] = priorities  # rules[1]: impact_priority
    return change


@pytest.mark.parametrize(
    ("file", "change", "key", "words"),
    [
        pytest.param("belarus-ehr.yml", set_rule(1, type="escalate_to_chat"), "rules[1]",
                     ["escalate_to_chat", "escalate_on_label"], id="unknown rule type"),
        pytest.param("belarus-ehr.yml", set_rule(0, lables=["x"]), "rules[0].lables",
                     ["unknown key", "labels, remind_when_missing, remind_when_unassigned, type"],
                     id="unknown key in a rule"),
        pytest.param("belarus-ehr.yml", set_rule(2, assignee_role=None), "rules[2]",
                     ["assignee_role"], id="routing rule that does nothing"),
        pytest.param("sevastopol-miac.yml", allow("Малое", ["Высокий", "Средний"]), "rules[1]",
                     ["'Малое'", "'Средний'", "`priorities`"],
                     id="impact table uses a priority not in priorities"),
        pytest.param("sevastopol-miac.yml", allow("Малое", []), "rules[1]", ["'Малое'"],
                     id="impact allowing no priority"),
        pytest.param("sevastopol-miac.yml", set_key("timezone", value="Europe/Sevastopol"),
                     "timezone", ["unknown time zone", "Europe/Moscow"], id="unknown time zone"),
        pytest.param("sevastopol-miac.yml",
                     set_key("trackers", "mantis", "l1", value={"access_level": "support"}),
                     "trackers.mantis.l1.access_level", ["'support'", "developer"],
                     id="L1 access level Mantis does not have"),
        pytest.param("sevastopol-miac.yml",
                     set_key("templates", "ru", "escalation", value="{ticket}: {impact}"),
                     "templates.ru.escalation", ["unknown placeholder {impact}"],
                     id="a mapping's own wording with an unknown placeholder"),
        pytest.param("sevastopol-miac.yml", set_key("templates", "ru", "greeting", value="hi"),
                     "templates.ru.greeting", ["unknown template id"],
                     id="a mapping's own wording for a template nobody uses"),
        pytest.param("sevastopol-miac.yml", registration(organisation="mo"),
                     "rules[0].registered_by_l1", ["'mo'", "organisation, responsible"],
                     id="§2.7: the МО item names no item"),
        pytest.param("sevastopol-miac.yml", registration(item=2, ticket_field="impact"),
                     "rules[0].registered_by_l1.items[2].detect.ticket_field",
                     ["'priority'", "'category'"], id="§2.7: a ticket field rules cannot read"),
        pytest.param("sevastopol-miac.yml", threshold(1, 0, text="sla_reminder"),
                     "sla[1].thresholds[0].text", ["'sla_reminder'", "sla_feedback_reminder"],
                     id="§2.9: a threshold's note text that is no note template"),
        pytest.param("catalog.yml", set_key("catalog", "organisations", "gb1", "mailing_lists",
                                            value=["руководство ГБ1"]),
                     "catalog.organisations.gb1.mailing_lists",
                     ["'руководство ГБ1' is not an e-mail address"],
                     id="§2.9: an МО's mailing list that is no address"),
        pytest.param("templates.yml", set_template("ru", "intake_complete", "Готово {status"),
                     "ru.intake_complete", ["malformed placeholder", "{{"],
                     id="template with a broken brace"),
        pytest.param("templates.yml", set_template("ru", "escalation", "{ticket}: {impact}"),
                     "ru.escalation", ["unknown placeholder {impact}", "{ticket}"],
                     id="template with an unknown placeholder"),
        pytest.param("templates.yml", set_template("en", "deescalation_closed", None),
                     "en.deescalation_closed", ["template is missing"],
                     id="template missing in en"),
        pytest.param("templates.yml", set_template("en", "greeting", "hi"), "en.greeting",
                     ["unknown template id"], id="template nobody uses"),
    ],
)
def test_broken_mapping_names_file_and_key(
    mappings_dir: Path, file: str, change: Edit, key: str, words: list[str]
) -> None:
    path = mappings_dir / file
    edit(path, change)

    [problem] = problems(mappings_dir)

    assert problem.startswith(f"{path}: {key}: ")
    for word in words:
        assert word in problem


def test_mapping_name_must_match_its_file(mappings_dir: Path) -> None:
    (mappings_dir / "belarus-ehr.yml").rename(mappings_dir / "minsk.yml")

    [problem] = problems(mappings_dir)

    assert problem.startswith(f"{mappings_dir / 'minsk.yml'}: name: ")
    assert "write name: minsk" in problem


def test_invalid_yaml_in_a_mapping_names_the_line(mappings_dir: Path) -> None:
    path = mappings_dir / "sevastopol-miac.yml"
    path.write_text("name: sevastopol-miac\nrules: [\n  - type: x\n", encoding="utf-8")

    [problem] = problems(mappings_dir)

    assert problem.startswith(f"{path}: line ")
    assert "invalid YAML" in problem


def test_missing_templates_file_is_reported(mappings_dir: Path) -> None:
    (mappings_dir / "templates.yml").unlink()
    [problem] = problems(mappings_dir)
    assert problem.startswith(f"{mappings_dir / 'templates.yml'}: ")
    assert "file not found" in problem


def test_several_problems_are_reported_at_once(mappings_dir: Path) -> None:
    belarus, sevastopol = mappings_dir / "belarus-ehr.yml", mappings_dir / "sevastopol-miac.yml"
    templates = mappings_dir / "templates.yml"
    edit(belarus, set_rule(0, lables=["x"]))
    edit(belarus, set_rule(3, type="nope"))
    edit(sevastopol, allow("Настройка", ["Самый низкий"]))
    edit(templates, set_template("ru", "new_issue_reminder", "{labelz}"))
    edit(templates, set_template("en", "escalation", None))

    found = problems(mappings_dir)

    assert len(found) == 5
    for path, key in [(belarus, "rules[0].lables"), (belarus, "rules[3]"),
                      (sevastopol, "rules[1]"), (templates, "ru.new_issue_reminder"),
                      (templates, "en.escalation")]:
        assert any(p.startswith(f"{path}: {key}: ") for p in found), (path, key, found)


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mappings_dir: not a directory"):
        load_mappings(tmp_path / "absent")


@pytest.mark.parametrize(("change", "key", "name"), [
    (registration(item=1, custom_fields=["Ответственное лицо, МО"]),
     "rules[0].registered_by_l1.items[1].detect.custom_fields[0]", "Ответственное лицо, МО"),
    (set_rule(2, when={"field": {"Линия, ЛТП": "L2"}}), "rules[2].when.field", "Линия, ЛТП"),
], ids=["detect", "condition"])
def test_a_custom_field_name_mantis_cannot_hold_is_a_warning(
    mappings_dir: Path, change: Edit, key: str, name: str
) -> None:
    """MantisBT refuses a comma in a custom field's name (error 1307): a mapping naming one can
    never match; said, not refused, so a copy made before the check still starts."""
    path = mappings_dir / "sevastopol-miac.yml"
    edit(path, change)

    [warning] = load_mappings(mappings_dir).warnings()

    assert warning.startswith(f"{path}: {key}: {name!r}: MantisBT refuses a comma")
    assert warning.endswith("«ФИО пользователя и логин», and write that name here")


def test_the_shipped_mappings_name_only_fields_mantis_can_hold() -> None:
    assert load_mappings(REPO / "mappings").warnings() == []
