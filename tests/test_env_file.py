"""Operator commands as the service user: `--env-file FILE` (or $HDC_ENV_FILE) reads the file the
systemd units read (EnvironmentFile= syntax), before or after the command, the process
environment winning; commands that need no secret but the store's (inbox|outbox list/show, sla
show, failed, db-upgrade) resolve no other, so they work in a shell without the service's
secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from connector.envfile import ENV_FILE_ENV, parse_env_file
from connector.errors import ConfigError
from tests.conftest import REPO, config_data

UNIT_ENV = REPO / "docs" / "deploy" / "helpdesk-connector.env"


@pytest.mark.parametrize(("text", "parsed"), [
    ("A=1\n", {"A": "1"}),
    ("# a comment\n; another\n\n   \nA=1\n", {"A": "1"}),
    ("A = spaced out \n", {"A": "spaced out"}),
    ('A="with spaces # not a comment"\n', {"A": "with spaces # not a comment"}),
    ("A='single $quoted'\n", {"A": "single $quoted"}),
    ('A="say \\"hi\\" \\\\ there"\n', {"A": 'say "hi" \\ there'}),
    ("A=\n", {"A": ""}),
    ("A=first\nA=second\n", {"A": "second"}),
    ("A=one \\\ntwo\n", {"A": "one two"}),
    ("  B=indented\n", {"B": "indented"}),
    ("URL=postgresql://u:p@h/d?x=1\n", {"URL": "postgresql://u:p@h/d?x=1"}),
])
def test_the_systemd_environment_file_syntax(text: str, parsed: dict[str, str],
                                             tmp_path: Path) -> None:
    path = tmp_path / "env"
    path.write_text(text, encoding="utf-8")
    assert parse_env_file(path) == parsed


@pytest.mark.parametrize(("text", "problem"), [
    ("export A=1\n", "line 1: `export A` is not a variable name"),
    ("A=1\njust words\n", "line 2: not KEY=VALUE"),
    ('A="unclosed\n', "line 1: the quote is not closed"),
])
def test_a_line_systemd_would_not_read_is_one_error(text: str, problem: str,
                                                    tmp_path: Path) -> None:
    path = tmp_path / "env"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        parse_env_file(path)
    [line] = caught.value.problems
    assert line.startswith(f"{path}: {problem}")


def test_the_shipped_unit_file_parses() -> None:
    assert parse_env_file(UNIT_ENV)["HELPDESK_CONNECTOR_CONFIG"] == \
        "/etc/helpdesk-connector/config.yml"


@pytest.fixture
def unit(tmp_path: Path, sqlite_url: str) -> Path:
    """A config reading its secrets as the starter does with docs/deploy's env file, but with
    no default: without the file they are unset; the store made; the unit's env file."""
    data = config_data(sqlite_url)
    data["trackers"]["gitlab"]["token"] = "${GITLAB_TOKEN}"
    data["trackers"]["gitlab"]["webhook_secret"] = "${GITLAB_WEBHOOK_SECRET}"
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    text = UNIT_ENV.read_text(encoding="utf-8").replace("/etc/helpdesk-connector/config.yml",
                                                        str(config))
    env = tmp_path / "env"
    env.write_text(text.replace("GITLAB_TOKEN=\n", 'GITLAB_TOKEN="glpat-from the file"\n')
                   + "GITLAB_WEBHOOK_SECRET=hook-secret\n", encoding="utf-8")
    assert cli(["db-upgrade", "--env-file", str(env)]).returncode == 0
    return env


def cli(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """The command in a shell that lacks the service's environment."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("HELPDESK_CONNECTOR_CONFIG", ENV_FILE_ENV, "GITLAB_TOKEN")}
    return subprocess.run([sys.executable, "-m", "connector.cli", *argv], cwd=REPO,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("where", ["after", "before", "environment"])
def test_check_config_reads_the_units_env_file(where: str, unit: Path) -> None:
    argv = {"after": ["check-config", "--env-file", str(unit)],
            "before": [f"--env-file={unit}", "check-config"],
            "environment": ["check-config"]}[where]
    extra = {ENV_FILE_ENV: str(unit)} if where == "environment" else {}

    done = cli(argv, **extra)

    assert done.returncode == 0, done.stderr
    assert "tracker gitlab (http://127.0.0.1:9): live" in done.stdout  # the token was read


def test_the_process_environment_wins_over_the_file(unit: Path) -> None:
    done = cli(["check-config", "--env-file", str(unit)], GITLAB_TOKEN="")
    assert done.returncode == 0, done.stderr
    assert "tracker gitlab (http://127.0.0.1:9): DRY RUN" in done.stdout


def test_without_the_file_a_command_that_needs_secrets_names_the_missing_one(
    unit: Path
) -> None:
    done = cli(["check-config", "--config", str(unit.parent / "config.yml")])
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: {unit.parent / 'config.yml'}: trackers.gitlab.token: environment variable "
        "GITLAB_TOKEN is not set — export GITLAB_TOKEN=… or write ${GITLAB_TOKEN:-default}"]


@pytest.mark.parametrize("command", [
    ["inbox", "list"], ["outbox", "list"], ["inbox", "show", "1"], ["outbox", "show", "1"],
    ["failed"], ["sla", "show", "--tracker", "gitlab", "1#7"], ["db-upgrade"],
])
def test_commands_that_need_no_secret_resolve_none(command: list[str], unit: Path) -> None:
    done = cli([*command, "--config", str(unit.parent / "config.yml")])

    assert "is not set" not in done.stderr
    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 1), done.stderr  # 1: `show` of what is not there
    if done.returncode == 1:
        assert "no such" in done.stderr or "no SLA clock" in done.stdout


def test_a_missing_env_file_is_one_line(tmp_path: Path) -> None:
    done = cli(["failed", "--env-file", str(tmp_path / "nope")])
    assert done.returncode == 1
    assert done.stderr == f"error: {tmp_path / 'nope'}: <top level>: file not found — check " \
        "the path\n"
