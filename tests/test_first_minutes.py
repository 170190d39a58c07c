"""The admin's first five minutes (README quick start): the sample webhook is stamped now, so the
first curl opens no SLA clock already breached; every command explains itself with `--help`,
defaults shown; a busy port is one line naming `--port`; JSON answers come one way — compact
from HTTP, indented from the CLI."""

from __future__ import annotations

import argparse
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from connector.cli import _parser, main
from connector.clihelp import worth_saying
from connector.clock import FakeClock
from connector.config import Config
from connector.jsonstyle import cli_json, http_json
from connector.samples import PIPE
from connector.timestamps import to_epoch
from plugins.gitlab.events import normalize
from tests.conftest import WEBHOOK_SECRET, config_data, issue_hook
from tests.drive import post_hook
from webhooks.app import create_app


def sample(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    assert main(["sample", "gitlab-issue", *extra]) == 0
    found: dict[str, object] = json.loads(capsys.readouterr().out)
    return found


# --- the sample webhook --------------------------------------------------------------------


def test_the_sample_issue_is_opened_now(capsys: pytest.CaptureFixture[str]) -> None:
    before = int(time.time())
    payload = sample(capsys)
    after = time.time()

    event = normalize("Issue Hook", payload)

    assert event is not None and str(event.ref) == "gitlab:1#23"
    assert before <= to_epoch(event.created_at) <= after
    assert event.updated_at == event.created_at
    assert event.labels == ("Priority: Low", "Priority: High")


def test_the_pipe_in_the_help_is_the_one_the_receiver_accepts(
    capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    payload = sample(capsys, "--project", "1", "--iid", "7", "--label", "Priority: High")
    headers = dict(h.split(": ", 1) for h in PIPE.split("-H '")[1:] for h in [h.split("'")[0]])
    app = create_app(Config.model_validate(config_data(sqlite_url)), start_worker=False,
                     setup_logs=False)

    answer = app.test_client().post("/webhooks/gitlab", data=json.dumps(payload),
                                    headers=headers | {"X-Gitlab-Token": WEBHOOK_SECRET})

    assert "--data-binary @-" in PIPE
    assert (answer.status_code, answer.json["status"]) == (200, "accepted")
    app.extensions["helpdesk_connector"].connector.engine.dispose()


# --- every command explains itself -----------------------------------------------------------


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
             ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield (*path, name), command
                yield from commands(command, (*path, name))


COMMANDS = list(commands(_parser()))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_its_own_help_with_defaults(
    path: tuple[str, ...], command: argparse.ArgumentParser
) -> None:
    text = command.format_help()

    assert command.description and command.description.strip()
    assert text.startswith(f"usage: helpdesk-connector {' '.join(path)}")
    for action in command._actions:
        if action.option_strings and worth_saying(action.default) and action.help:
            assert f"(default: {action.default})" in text or "default:" in action.help, \
                action.option_strings


def test_run_shows_where_it_listens_by_default() -> None:
    text = dict(COMMANDS)[("run",)].format_help()

    assert "(default: 127.0.0.1)" in text
    assert "(default: 8080)" in text


# --- a busy port -------------------------------------------------------------------------------


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_busy_port_is_one_line_naming_the_option(
    busy_port: int, write_config: Callable[..., Path], sqlite_url: str,
    capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(sqlite_url)

    code = main(["run", "--config", str(config), "--port", str(busy_port)])

    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == [
        f"error: cannot listen on 127.0.0.1:{busy_port}: Address already in use — another "
        "process listens there: stop it, or choose a free port with --port"]


# --- JSON one way --------------------------------------------------------------------------------


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app(Config.model_validate(config_data(db_url)), start_worker=False,
                     setup_logs=False, clock=FakeClock())
    yield app
    app.extensions["helpdesk_connector"].connector.engine.dispose()


ANSWERS: list[tuple[str, Callable[[Flask], object]]] = [
    ("health", lambda app: app.test_client().get("/healthz")),
    ("accepted", lambda app: post_hook(app.test_client(), issue_hook("Priority: High"))),
    ("duplicate", lambda app: [post_hook(app.test_client(), issue_hook(),
                                         **{"Idempotency-Key": "k"}) for _ in range(2)][-1]),
    ("wrong token", lambda app: post_hook(app.test_client(), issue_hook(), token="wrong")),
    ("ignored event", lambda app: post_hook(app.test_client(), issue_hook(), event="Push Hook")),
    ("bad body", lambda app: app.test_client().post(
        "/webhooks/gitlab", data="{не json", headers={
            "X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": WEBHOOK_SECRET})),
    ("no such page", lambda app: app.test_client().get("/webhooks/nothing")),
    ("operator API", lambda app: app.test_client().get("/ops/outbox")),
]


@pytest.mark.parametrize("answer", [a for _, a in ANSWERS], ids=[n for n, _ in ANSWERS])
def test_every_http_answer_is_compact_json_on_one_line(
    app: Flask, answer: Callable[[Flask], object]
) -> None:
    response = answer(app)
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]

    assert response.mimetype == "application/json"  # type: ignore[attr-defined]
    assert body == http_json(json.loads(body))


def test_cli_json_is_indented(capsys: pytest.CaptureFixture[str]) -> None:
    main(["sample", "gitlab-issue"])
    printed = capsys.readouterr().out

    assert printed == cli_json(json.loads(printed)) + "\n"
    assert '\n  "object_kind": "issue",' in printed
    assert "Не выписывается" in printed  # Russian as it is, not \\u escapes
