"""The `helpdesk-connector` command line: check-config and explain, run in-process."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.cli import main
from tests.conftest import REPO, TELEGRAM_SECRET, config_data, issue_hook
from tests.standins.telegram import StandInTelegram

EXAMPLE = REPO / "config.example.yml"
LOW, HIGH = "Priority: Low", "Priority: High"


@pytest.fixture(autouse=True)
def store_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the example config's store at a file that must never be created by these commands."""
    store = tmp_path / "store" / "hdc.db"
    monkeypatch.setenv("HDC_STORE_URL", f"sqlite:///{store}")
    for name in ("GITLAB_TOKEN", "HDC_INFRA_OWNER", "HDC_NEW_CLIENT_OWNER"):
        monkeypatch.delenv(name, raising=False)
    return store


def write_json(tmp_path: Path, data: Any, name: str = "payload.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def explain(payload: Path, *extra: str) -> int:
    return main(["explain", "--config", str(EXAMPLE), "--tracker", "gitlab", *extra,
                 str(payload)])


def test_check_config_accepts_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ok: {EXAMPLE}")
    assert "belarus-ehr" in out and "sevastopol-miac" in out


def test_check_config_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "broken.yml"
    config.write_text(
        "language: de\n"
        "trackers:\n  gitlab:\n    tokn: x\n    webhook_secret: s\n", encoding="utf-8")

    assert main(["check-config", str(config)]) == 1

    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert f"error: {config}: language: " in captured.err
    assert f"error: {config}: trackers.gitlab.tokn: unknown key" in captured.err
    assert len(lines) == 2 and all(line.startswith(f"error: {config}: ") for line in lines)
    assert captured.out == ""


def test_check_config_reports_mapping_cross_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.yml"
    config.write_text(
        f"mappings_dir: {REPO / 'mappings'}\n"
        "trackers:\n  gitlab:\n    webhook_secret: s\n    default_mapping: belarus-ehr\n",
        encoding="utf-8")

    assert main(["check-config", str(config)]) == 1

    err = capsys.readouterr().err
    assert f"error: {config}: roles.infrastructure_owner: " in err
    assert f"error: {config}: roles.new_client_owner: " in err
    assert f"error: {config}: roles.head_of_support: " in err


def test_explain_prints_the_decisions_without_touching_the_store(
    tmp_path: Path, store_in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = write_json(tmp_path, issue_hook(LOW, HIGH, "L2"))

    assert explain(payload) == 0

    out = capsys.readouterr().out
    assert "event: gitlab:1#23 Issue Hook (open) by l1-user" in out
    assert "mapping: belarus-ehr" in out
    decisions = [line.split(" → ")[0] for line in out.splitlines() if " → " in line]
    assert decisions == ["1. update_labels", "2. add_note", "3. escalate"]
    assert f"remove: {LOW}" in out
    assert "channel: l2" in out
    assert not store_in_tmp.exists()
    assert not store_in_tmp.parent.exists()


def test_explain_json_is_machine_readable(
    tmp_path: Path, store_in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = write_json(tmp_path, issue_hook(LOW, HIGH, "L2"))

    assert explain(payload, "--json") == 0

    actions = json.loads(capsys.readouterr().out)
    assert [(a["kind"], a["target"]) for a in actions] == [
        ("update_labels", "gitlab"), ("add_note", "gitlab"), ("escalate", "chat")]
    assert actions[0]["params"] == {"add": [], "remove": [LOW]}
    assert actions[0]["ticket"] == "gitlab:1#23"
    assert actions[0]["rule"] == "single_priority_label"
    assert "наивысшая" in actions[1]["params"]["body"]
    assert not store_in_tmp.exists()


def test_explain_with_nothing_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = write_json(tmp_path, issue_hook(HIGH, action="update"))
    assert explain(payload) == 0
    assert "decisions: none" in capsys.readouterr().out


def test_explain_ignores_events_the_rules_do_not_handle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = issue_hook(LOW, HIGH)
    hook["object_kind"] = "work_item"
    payload = write_json(tmp_path, hook)
    assert explain(payload, "--event", "Issue Hook") == 0
    assert capsys.readouterr().out.startswith("ignored: ")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param('{"object_kind": "issue",', "malformed JSON", id="malformed JSON"),
        pytest.param(b"\xff\xfe{}", "cannot read", id="not UTF-8"),
        pytest.param("[1, 2]", "body must be a JSON object", id="array"),
        pytest.param('{"object_kind": "issue"}', "object_attributes: required field is missing",
                     id="missing fields"),
    ],
)
def test_explain_malformed_payload_fails_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, reason: str
) -> None:
    payload = tmp_path / "payload.json"
    if isinstance(content, bytes):
        payload.write_bytes(content)
    else:
        payload.write_text(content, encoding="utf-8")

    assert explain(payload) == 1

    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith("error: payload: ")
    assert reason in line
    assert captured.out == ""


def test_explain_missing_payload_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert explain(tmp_path / "absent.json") == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: payload: ") and "absent.json" in line


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("helpdesk-connector") is None,
                    reason="console script not installed (pip install -e .)")
def test_installed_console_script_checks_the_config(store_in_tmp: Path) -> None:
    script = shutil.which("helpdesk-connector")
    assert script is not None
    done = subprocess.run([script, "check-config", "config.example.yml"], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: config.example.yml")
    assert not store_in_tmp.exists()


def test_telegram_set_webhook_registers_url_and_secret(
    sqlite_url: str, standin_telegram: StandInTelegram, write_config: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(sqlite_url, telegram=standin_telegram)

    assert main(["telegram", "set-webhook", "--config", str(config)]) == 0
    assert standin_telegram.webhook["url"] == "https://connector.test/tg"
    assert standin_telegram.webhook["secret_token"] == TELEGRAM_SECRET
    assert "https://connector.test/tg" in capsys.readouterr().out


def test_telegram_set_webhook_refuses_plain_http(
    sqlite_url: str, standin_telegram: StandInTelegram, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = config_data(sqlite_url, telegram=standin_telegram)
    data["chats"]["telegram"]["webhook_url"] = "http://connector.test/tg"
    config = tmp_path / "plain.yml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")

    assert main(["telegram", "set-webhook", "--config", str(config)]) == 1
    assert "chats.telegram.webhook_url: Telegram needs a public https URL" in \
        capsys.readouterr().err
    assert standin_telegram.calls("setWebhook") == []


@pytest.mark.parametrize(("value", "said"), [
    (0, "greater than 0"), (1000, "less than or equal to 256"), ("lots", "a valid number")])
def test_check_config_bounds_the_alerts_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: Any, said: str,
) -> None:
    """The alerts receiver takes whole Alertmanager groups, up to alerts.max_body_mb."""
    config = tmp_path / "alerts.yml"
    config.write_text(yaml.safe_dump({
        "trackers": {"gitlab": {"webhook_secret": "s"}},
        "alerts": {"token": "t", "project": 1, "max_body_mb": value}}), encoding="utf-8")

    assert main(["check-config", str(config)]) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {config}: alerts.max_body_mb: ") and said in line
