"""`check-config`, `run` and `worker` say what the connector will do: the trackers and projects it
listens to, dry run or live, the chats, the features on, the store; a tracker that would ignore
everything it is sent is a warning (exit 0: warnings are not errors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.cli import main
from connector.config import DEFAULT_CONFIG_ENV
from tests.conftest import REPO, ROLES
from tests.processes import ConnectorProcess, wait_for

GITLAB = {"base_url": "https://gitlab.example.com", "webhook_secret": "s",
          "projects": [{"id": 1, "mapping": "belarus-ehr"}, {"id": 7, "mapping": "belarus-ehr"}]}
MANTIS = {"base_url": "https://mantis.example.com", "webhook_secret": "s"}
SLACK = {"signing_secret": "x", "channels": {"l2": "C0L2", "alerts": "C0ALERTS"}}


def write(tmp_path: Path, **sections: Any) -> Path:
    path = tmp_path / "config.yml"
    data = {"store": {"url": "sqlite:///data/hdc.db"}, "mappings_dir": str(REPO / "mappings"),
            "roles": ROLES, **sections}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_config_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEFAULT_CONFIG_ENV, raising=False)


@pytest.mark.parametrize(("sections", "said"), [
    ({"trackers": {"gitlab": GITLAB}},
     "tracker gitlab (https://gitlab.example.com): DRY RUN (no credentials: write-backs only "
     "logged); projects 1 → belarus-ehr, 7 → belarus-ehr; other projects ignored"),
    ({"trackers": {"gitlab": {**GITLAB, "token": "glpat-1", "default_mapping": "belarus-ehr"}}},
     "tracker gitlab (https://gitlab.example.com): live; projects 1 → belarus-ehr, "
     "7 → belarus-ehr; other projects → belarus-ehr"),
    ({"trackers": {"gitlab": GITLAB}}, "chats: none (chat messages are only logged)"),
    ({"trackers": {"gitlab": GITLAB}, "chats": {"slack": SLACK}},
     "chat slack: DRY RUN (no bot_token: messages only logged); channels l2 → C0L2, "
     "alerts → C0ALERTS"),
    ({"trackers": {"gitlab": GITLAB}, "chats": {"slack": {**SLACK, "bot_token": "xoxb-1"}}},
     "chat slack: live; channels l2 → C0L2, alerts → C0ALERTS"),
    ({"trackers": {"gitlab": GITLAB}},
     "features: escalation (belarus-ehr), sla (belarus-ehr), outage (belarus-ehr)"),
    ({"trackers": {"gitlab": GITLAB}, "chats": {"slack": SLACK},
      "alerts": {"token": "t", "project": 1}},
     "features: escalation (belarus-ehr), sla (belarus-ehr), outage (belarus-ehr), "
     "alerts (channel alerts)"),
    ({"trackers": {"mantis": MANTIS}}, "features: none"),
    ({}, "trackers: none"),
])
def test_check_config_says_what_will_run(
    sections: dict[str, Any], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, **sections)

    assert main(["check-config", str(path)]) == 0

    out = capsys.readouterr().out.splitlines()
    assert said in out
    assert f"store: SQLite {tmp_path / 'data' / 'hdc.db'}" in out


def test_a_tracker_listening_to_no_project_is_a_warning_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, trackers={"gitlab": GITLAB, "mantis": MANTIS})

    assert main(["check-config", str(path)]) == 0

    assert [line for line in capsys.readouterr().out.splitlines() if "warning" in line] == [
        "warning: trackers.mantis lists no projects and has no default_mapping: every mantis "
        "event is ignored — add `{id: <project id>, mapping: <name>}` under "
        "trackers.mantis.projects"]


def test_a_postgresql_store_is_named_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, trackers={"gitlab": GITLAB})
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["store"]["url"] = "postgresql+psycopg://connector:pw-42@db.internal:6432/hdc"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    assert main(["check-config", str(path)]) == 0

    out = capsys.readouterr().out
    assert "store: PostgreSQL hdc at db.internal:6432 as connector\n" in out
    assert "pw-42" not in out


@pytest.mark.parametrize("command", ["run", "worker"])
def test_run_and_worker_say_it_at_start(command: str, tmp_path: Path) -> None:
    process = ConnectorProcess(write(tmp_path, trackers={"gitlab": GITLAB, "mantis": MANTIS},
                                     worker={"embedded": False}), command)
    try:
        if command == "run":
            process.wait_healthy()
        else:  # the worker serves nothing: its first log line comes after the summary
            wait_for(lambda: "store: SQLite" in process.output(), timeout=60,
                     what="the worker's summary")
        said = process.output()
    finally:
        process.stop()
    assert "tracker gitlab (https://gitlab.example.com): DRY RUN" in said
    assert "warning: trackers.mantis lists no projects" in said
    assert said.count("features: ") == 1  # once, in the master, not per worker
