"""One way to pass the config to every command: --config FILE or $HELPDESK_CONNECTOR_CONFIG."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.cli import main
from connector.config import DEFAULT_CONFIG_ENV
from webhooks.app import create_app

# Every command that reads a config, with the other arguments it needs.
COMMANDS = [
    ["run"], ["worker"], ["check-config"], ["failed"], ["retry", "inbox:1"], ["db-upgrade"],
    ["telegram", "set-webhook"], ["explain", "--tracker", "gitlab", "payload.json"],
]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(DEFAULT_CONFIG_ENV, raising=False)
    path = tmp_path / "config.yml"
    path.write_text("trackers:\n  gitlab:\n    webhook_secret: s\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_without_a_config_every_command_names_both_ways(
    command: list[str], config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: no config file: pass --config FILE or set "
                           f"{DEFAULT_CONFIG_ENV}=FILE")


@pytest.mark.parametrize("how", ["env", "--config", "positional"])
def test_check_config_finds_the_config_each_way(
    how: str, config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if how == "env":
        monkeypatch.setenv(DEFAULT_CONFIG_ENV, str(config))
    args = {"env": [], "--config": ["--config", str(config)], "positional": [str(config)]}[how]

    assert main(["check-config", *args]) == 0

    assert capsys.readouterr().out.startswith(f"ok: {config}; mappings: belarus-ehr")


def test_config_option_wins_over_the_environment(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(DEFAULT_CONFIG_ENV, str(tmp_path / "elsewhere.yml"))
    assert main(["check-config", "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {config};")


def test_two_different_configs_are_refused(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config", str(config), "--config", str(tmp_path / "other.yml")]) == 1
    assert "give one" in capsys.readouterr().err


def test_db_upgrade_reads_the_config_from_the_environment(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(DEFAULT_CONFIG_ENV, str(config))
    assert main(["db-upgrade"]) == 0
    assert (config.parent / "data" / "helpdesk-connector.db").is_file()  # the default store


def test_the_app_factory_reads_the_environment_too(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DEFAULT_CONFIG_ENV, str(config))
    client = create_app(start_worker=False, setup_logs=False).test_client()
    assert client.get("/healthz").status_code == 200
