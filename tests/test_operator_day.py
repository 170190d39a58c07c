"""The operator's day: a write GitLab refuses is parked as failed; the operator finds it with
`outbox list --status failed` (and at GET /ops/outbox), has GitLab fixed, puts it back with
`outbox retry`, and the running worker performs it exactly once. An action nobody wants any
more is cancelled and never performed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from connector.cli import main
from connector.core import Connector
from connector.inbox_processing import drain_inbox
from connector.store import outbox
from tests.conftest import config_data, issue_hook
from tests.drive import post_hook, run_until_idle
from tests.processes import wait_for
from tests.standins.gitlab import StandInGitLab
from webhooks.app import create_app

LOW, HIGH = "Priority: Low", "Priority: High"
OPS_TOKEN = "ops-token-0123456789"
ISSUE = r"/projects/1/issues/23$"


@pytest.fixture
def config(sqlite_url: str, standin_gitlab: StandInGitLab, tmp_path: Path) -> Path:
    """The connector's config file, as the operator's commands read it; GitLab has issue 23
    with two priority labels."""
    standin_gitlab.add_issue(1, 23, labels=[LOW, HIGH], assignee_ids=[51])
    data = config_data(sqlite_url, standin_gitlab, embedded=True)
    data["ops"] = {"token": OPS_TOKEN}
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def running(config: Path) -> Iterator[Flask]:
    """The connector as `run` serves it: receivers and the embedded worker."""
    app = create_app(str(config), setup_logs=False)
    yield app
    ext = app.extensions["helpdesk_connector"]
    ext.shutdown()
    ext.connector.engine.dispose()


def command(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def outbox_rows(app: Flask) -> list[dict[str, Any]]:
    response = app.test_client().get("/ops/outbox",
                                     headers={"Authorization": f"Bearer {OPS_TOKEN}"})
    assert response.status_code == 200, response.json
    items: list[dict[str, Any]] = response.json["items"]  # type: ignore[index]
    return items


def test_a_refused_write_is_listed_retried_and_done_once(
    config: Path, running: Flask, standin_gitlab: StandInGitLab,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gl = standin_gitlab
    gl.fail_next("PUT", ISSUE, 403, times=10**6)  # the bot lost its role in the project
    cfg = str(config)

    post_hook(running.test_client(), issue_hook(LOW, HIGH))
    wait_for(lambda: [r["status"] for r in outbox_rows(running)] == ["done", "failed"],
             timeout=60, what="the label fix failed, the note behind it posted")

    code, out, _ = command(capsys, "outbox", "list", "--status", "failed", "--config", cfg)
    assert code == 0
    heading, row = out.splitlines()
    assert heading.split()[:4] == ["ID", "STATUS", "TARGET", "KIND"]
    item = row.split()[0]
    assert row.split()[1:5] == ["failed", "gitlab", "update_labels", "gitlab:1#23"]
    assert "GitLab answered 403: 403 Forbidden" in row
    [listed] = [r for r in outbox_rows(running) if r["status"] == "failed"]
    assert listed["id"] == int(item) and listed["last_error"].startswith("GitLab answered 403")
    assert gl.issue(1, 23)["labels"] == [HIGH, LOW]  # as GitLab sorts them

    gl.heal()  # the admin gives the bot its role back
    code, out, _ = command(capsys, "outbox", "retry", item, "--config", cfg)
    assert (code, out) == (0, f"outbox:{item}: back in line\n")

    wait_for(lambda: all(r["status"] == "done" for r in outbox_rows(running)), timeout=60,
             what="the worker performing the retried action")
    code, out, _ = command(capsys, "outbox", "show", item, "--json", "--config", cfg)
    shown = json.loads(out)
    assert (code, shown["status"], shown["params"]) == (0, "done", {"add": [], "remove": [LOW]})
    assert gl.issue(1, 23)["labels"] == [HIGH]
    assert len(gl.writes("PUT", ISSUE)) == 1  # exactly one effect
    assert len(gl.issue(1, 23)["notes"]) == 1

    code, _, err = command(capsys, "outbox", "retry", item, "--config", cfg)
    assert code == 1
    assert err == (f"error: outbox:{item}: it is done; only failed or cancelled actions can "
                   "be retried, left alone\n")


def test_a_cancelled_action_is_never_performed_until_retried(
    sqlite_url: str, standin_gitlab: StandInGitLab, make_connector: Callable[..., Connector],
    write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str],
) -> None:
    gl = standin_gitlab
    gl.add_issue(1, 23, labels=[LOW, HIGH], assignee_ids=[51])
    c = make_connector(sqlite_url, gl)
    cfg = str(write_config(sqlite_url, gl))
    post_hook(create_app(c.config, start_worker=False, setup_logs=False).test_client(),
              issue_hook(LOW, HIGH))
    drain_inbox(c)  # decided, not yet performed

    code, out, _ = command(capsys, "outbox", "list", "--status", "pending", "--json",
                           "--config", cfg)
    pending = {row["kind"]: row["id"] for row in json.loads(out)}
    assert code == 0 and set(pending) == {"update_labels", "add_note"}
    note = str(pending["add_note"])
    code, out, _ = command(capsys, "outbox", "cancel", f"outbox:{note}", "--config", cfg)
    assert (code, out) == (0, f"outbox:{note}: cancelled\n")
    run_until_idle(c)
    assert gl.issue(1, 23)["notes"] == [] and gl.issue(1, 23)["labels"] == [HIGH]
    with c.engine.connect() as conn:
        assert outbox.count_by_status(conn) == {"done": 1, "cancelled": 1}

    code, _, err = command(capsys, "outbox", "cancel", note, "--config", cfg)
    assert code == 1 and "it is cancelled; only pending or failed actions" in err
    assert command(capsys, "outbox", "retry", note, "--config", cfg)[0] == 0
    run_until_idle(c)
    assert len(gl.issue(1, 23)["notes"]) == 1
