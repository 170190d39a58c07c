"""An admin's copy of the mappings made by an older `init` keeps working after an upgrade: what
it lacks comes from the shipped mappings, each key named once; errors stay errors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector import __version__
from connector.assembly import build_connector
from connector.cli import main
from connector.config import load_config
from connector.starter import shipped_mappings


def _init(tmp_path: Path) -> Path:
    assert main(["init", str(tmp_path / "etc")]) == 0
    return tmp_path / "etc"


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _check_config(etc: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """check-config's exit status, stdout and stderr."""
    capsys.readouterr()
    status = main(["check-config", str(etc / "config.yml")])
    out, err = capsys.readouterr()
    return status, out, err


def _shipped(name: str) -> Any:
    return yaml.safe_load((shipped_mappings() / name).read_text(encoding="utf-8"))


# What an older copy lacks → the keys check-config names (file, key).
LACKING = [
    pytest.param("templates.yml", lambda d: [d["ru"].pop("alert_room_note"),
                                             d["en"].pop("alert_room_note"),
                                             d["ru"].pop("escalation")],
                 [("templates.yml", "ru.alert_room_note"), ("templates.yml", "ru.escalation"),
                  ("templates.yml", "en.alert_room_note")], id="texts"),
    pytest.param("belarus-ehr.yml", lambda d: d.pop("alerts"),
                 [("belarus-ehr.yml", "alerts")], id="a regulation's section"),
    pytest.param("belarus-ehr.yml", lambda d: d["templates"]["ru"].pop("outage_status"),
                 [("belarus-ehr.yml", "templates.ru.outage_status")],
                 id="a regulation's own wording"),
]


@pytest.mark.parametrize(("name", "change", "named"), LACKING)
def test_what_the_copy_lacks_is_shipped_and_named_by_check_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, change: Any,
    named: list[tuple[str, str]],
) -> None:
    etc = _init(tmp_path)
    _edit(etc / "mappings" / name, change)

    status, out, err = _check_config(etc, capsys)

    assert status == 0
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert sorted(warnings) == sorted(
        f"warning: {etc.resolve() / 'mappings' / file}: {key}: missing from your copy, the "
        "shipped one is used — see `helpdesk-connector mappings diff`; copy it into your file "
        "to make it your own" for file, key in named)
    assert out.startswith("ok: ")


def test_the_shipped_text_is_what_the_connector_says(tmp_path: Path, sqlite_url: str) -> None:
    etc = _init(tmp_path)
    _edit(etc / "mappings" / "templates.yml", lambda d: d["ru"].pop("escalation"))
    _edit(etc / "mappings" / "belarus-ehr.yml", lambda d: d.pop("alerts"))
    config = load_config(etc / "config.yml").model_copy(
        update={"store": load_config(etc / "config.yml").store.model_copy(
            update={"url": sqlite_url})})

    connector = build_connector(config)

    assert connector.mappings.templates["ru"]["escalation"] == _shipped(
        "templates.yml")["ru"]["escalation"]
    alerts = connector.mappings.get("belarus-ehr").alerts
    assert alerts is not None
    assert alerts.model_dump(mode="json", exclude_defaults=True) == type(alerts).model_validate(
        _shipped("belarus-ehr.yml")["alerts"]).model_dump(mode="json", exclude_defaults=True)


def test_the_running_connector_warns_once_per_key(
    tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    etc = _init(tmp_path)
    _edit(etc / "mappings" / "templates.yml", lambda d: [d["ru"].pop("escalation"),
                                                         d["en"].pop("escalation")])
    config = load_config(etc / "config.yml")
    config = config.model_copy(update={"store": config.store.model_copy(
        update={"url": sqlite_url})})

    with caplog.at_level(logging.WARNING, logger="connector.upgrades"):
        build_connector(config)

    lines = [r.getMessage() for r in caplog.records if r.name == "connector.upgrades"]
    assert [line.split(": ")[1] for line in lines] == ["ru.escalation", "en.escalation"]


def test_a_common_file_missing_from_the_copy_is_shipped_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    etc = _init(tmp_path)
    (etc / "mappings" / "calendars.yml").unlink()

    status, _, err = _check_config(etc, capsys)

    assert status == 0
    assert f"warning: {etc.resolve() / 'mappings' / 'calendars.yml'}: <file>: file missing " \
        "from your copy, the shipped one is used" in err


def test_a_regulation_the_admin_removed_stays_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    etc = _init(tmp_path)
    (etc / "mappings" / "sevastopol-miac.yml").unlink()

    status, out, err = _check_config(etc, capsys)

    assert status == 0
    assert "warning" not in err and "sevastopol-miac" not in out


def test_errors_in_the_copy_stay_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    etc = _init(tmp_path)
    _edit(etc / "mappings" / "templates.yml",
          lambda d: [d["ru"].pop("escalation"), d["ru"].update(command_open="{nope}")])

    status, _, err = _check_config(etc, capsys)

    assert status == 1
    assert "ru.command_open: unknown placeholder {nope}" in err


def test_mappings_diff_shows_what_the_shipped_ones_have_otherwise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    etc = _init(tmp_path)
    mappings = etc / "mappings"
    _edit(mappings / "templates.yml", lambda d: [d["ru"].pop("alert_room_note"),
                                                 d["en"].update(command_open="Open: {listing}"),
                                                 d["en"].update(command_recorded="Noted")])
    _edit(mappings / "belarus-ehr.yml", lambda d: [d.pop("alerts"),
                                                   d["templates"]["ru"].pop("outage_status"),
                                                   d.update(description="Минск")])
    (mappings / "calendars.yml").unlink()
    (mappings / "minsk-extra.yml").write_text("name: minsk-extra\nrules: []\n", encoding="utf-8")
    capsys.readouterr()

    assert main(["mappings", "diff", "--config", str(etc / "config.yml")]) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"your copy: {mappings.resolve()}\n"
                          f"shipped with helpdesk-connector {__version__}: {shipped_mappings()}\n")
    assert out.split("\n\n", 1)[1] == (
        "belarus-ehr.yml:\n"
        "  + alerts\n"
        "  ~ description\n"
        "  + templates.ru.outage_status\n"
        "calendars.yml: only shipped, not in your copy\n"
        "catalog.yml: same\n"
        "minsk-extra.yml: your own file, not shipped\n"
        "sevastopol-miac.yml: same\n"
        "templates.yml:\n"
        "  ~ en.command_open\n"
        "  ~ en.command_recorded\n"
        "  + ru.alert_room_note\n")


def test_mappings_diff_unified_shows_each_changed_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    etc = _init(tmp_path)
    shipped = (shipped_mappings() / "catalog.yml").read_text(encoding="utf-8")
    (etc / "mappings" / "catalog.yml").write_text(
        shipped.replace("gitlab: duty}", "gitlab: duty-1}", 1), encoding="utf-8")
    capsys.readouterr()

    assert main(["mappings", "diff", "--unified", "--config", str(etc / "config.yml")]) == 0

    out = capsys.readouterr().out
    assert "catalog.yml:\n  ~ catalog.people\n" in out
    assert "\n    -    duty:        {name: \"Дежурный инженер\", slack: U0DUTY0001, telegram: " \
        "100000001, gitlab: duty-1}\n" in out
    assert f"\n    +++ {shipped_mappings() / 'catalog.yml'} (shipped)\n" in out
