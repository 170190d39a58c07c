"""`helpdesk-connector inbox|outbox list|show|retry|cancel`: readable tables, JSON for scripts,
one-line errors, exit 0 (done), 1 (refused or failed), 2 (usage)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update

from connector.cli import main
from connector.config import DEFAULT_CONFIG_ENV
from connector.core import Connector
from connector.inbox_processing import drain_inbox
from connector.store import inbox, outbox, schema
from tests.conftest import issue_hook
from tests.drive import post_hook
from webhooks.app import create_app

LOW, HIGH = "Priority: Low", "Priority: High"


@pytest.fixture
def c(sqlite_url: str, make_connector: Callable[..., Connector]) -> Connector:
    """A store with events for issues 23 and 24, decided into pending actions (dry run)."""
    c = make_connector(sqlite_url)
    client = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    post_hook(client, issue_hook(LOW, HIGH, iid=23))
    post_hook(client, issue_hook(LOW, HIGH, iid=24))
    drain_inbox(c)
    return c


@pytest.fixture
def config(c: Connector, write_config: Callable[..., Path],
           monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv(DEFAULT_CONFIG_ENV, raising=False)
    return str(write_config(c.config.store.url))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_is_a_table_newest_first(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "outbox", "list", "--config", config)
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0].split() == ["ID", "STATUS", "TARGET", "KIND", "TICKET", "TRIES", "CREATED",
                                "LAST", "ERROR"]
    assert [line.split()[:5] for line in lines[1:]] == [
        ["4", "pending", "gitlab", "add_note", "gitlab:1#24"],
        ["3", "pending", "gitlab", "update_labels", "gitlab:1#24"],
        ["2", "pending", "gitlab", "add_note", "gitlab:1#23"],
        ["1", "pending", "gitlab", "update_labels", "gitlab:1#23"]]
    assert all(line.endswith("—") for line in lines[1:])  # no error yet
    assert len({line.index("gitlab:") for line in lines[1:]}) == 1  # aligned columns

    code, out, _ = run(capsys, "inbox", "list", "--config", config)
    assert code == 0
    assert [line.split()[:6] for line in out.splitlines()[1:]] == [
        ["2", "done", "gitlab", "Issue", "Hook", "gitlab:1#24"],
        ["1", "done", "gitlab", "Issue", "Hook", "gitlab:1#23"]]


def test_list_filters_and_json(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "outbox", "list", "--ticket", "gitlab:1#23", "--limit", "1",
                       "--json", "--config", config)
    [row] = json.loads(out)
    assert code == 0
    assert (row["id"], row["kind"], row["status"], row["attempts"]) == (2, "add_note",
                                                                         "pending", 0)
    assert row["created_at"].endswith("Z") and row["rule"] == "single_priority_label"

    assert run(capsys, "outbox", "list", "--status", "failed", "--config", config)[:2] == (
        0, "no actions match\n")
    assert json.loads(run(capsys, "inbox", "list", "--status", "failed", "--json",
                          "--config", config)[1]) == []


def test_show_has_everything(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "outbox", "show", "outbox:1", "--config", config)
    assert code == 0
    assert out.startswith("outbox:1\nid: 1\nstatus: pending\ntarget: gitlab\n")
    assert "params:\n  {\n    \"add\": [],\n    \"remove\": [\n      \"Priority: Low\"" in out
    assert "last_error: —\n" in out

    code, out, _ = run(capsys, "inbox", "show", "1", "--json", "--config", config)
    event = json.loads(out)
    assert code == 0 and event["payload"]["object_attributes"]["iid"] == 23

    code, out, err = run(capsys, "inbox", "show", "99", "--config", config)
    assert (code, out, err) == (1, "", "error: inbox:99: no such event\n")


def test_retry_and_cancel_say_what_they_left_alone(
    c: Connector, config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with c.engine.begin() as conn:  # a worker holds action 1 right now
        [held] = outbox.claim_actions(conn, "elsewhere", 1, 60, None)
    assert held.id == 1

    code, out, err = run(capsys, "outbox", "cancel", "1", "2", "99", "--config", config)
    assert code == 1
    assert out == "outbox:2: cancelled\n"
    assert err.splitlines() == [
        "error: outbox:1: a worker is on it right now; try again in a moment",
        "error: outbox:99: no such action"]

    code, out, err = run(capsys, "outbox", "retry", "1", "2", "--config", config)
    assert (code, out) == (1, "outbox:2: back in line\n")
    assert err == ("error: outbox:1: it is pending; only failed or cancelled actions can be "
                   "retried, left alone\n")
    with c.engine.connect() as conn:
        assert outbox.count_by_status(conn) == {"pending": 4}


def test_a_failed_event_is_retried(
    c: Connector, config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with c.engine.begin() as conn:  # the rules crashed on event 1 (as a poison event)
        conn.execute(update(schema.inbox).where(schema.inbox.c.id == 1)
                     .values(status="failed", outcome="crashed: RuntimeError: bug"))
    code, out, _ = run(capsys, "inbox", "list", "--status", "failed", "--config", config)
    assert code == 0 and "crashed: RuntimeError: bug" in out
    assert run(capsys, "inbox", "cancel", "inbox:1", "--config", config)[:2] == (
        0, "inbox:1: cancelled\n")
    assert run(capsys, "inbox", "retry", "1", "--config", config)[:2] == (
        0, "inbox:1: back in line\n")
    with c.engine.connect() as conn:
        assert inbox.count_by_status(conn) == {"pending": 1, "done": 1}


def test_the_config_may_come_from_the_environment(
    config: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "outbox", "list")
    assert code == 1 and err.startswith("error: no config file: pass --config FILE or set ")
    monkeypatch.setenv(DEFAULT_CONFIG_ENV, config)
    assert run(capsys, "outbox", "list", "--status", "done")[:2] == (0, "no actions match\n")


@pytest.mark.parametrize("argv", [
    ["outbox", "retry"], ["outbox", "retry", "abc"], ["outbox", "show", "inbox:1"],
    ["outbox", "cancel", "0"], ["inbox", "list", "--status", "dry_run"],
    ["outbox", "list", "--limit", "0"], ["outbox", "list", "--limit", "1001"], ["inbox"],
])
def test_usage_errors_exit_2(
    config: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--config", config])
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith("helpdesk-connector ")


def test_a_store_without_tables_is_one_line(
    tmp_path: Path, write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(f"sqlite:///{tmp_path}/empty.db"))
    (tmp_path / "empty.db").touch()
    code, out, err = run(capsys, "outbox", "list", "--config", config)
    assert (code, out) == (1, "")
    assert err == (f"error: {config}: store.url: the store has no schema yet — run "
                   "`helpdesk-connector db-upgrade`\n")
