"""Against a REAL Prometheus Alertmanager 0.25 (issue 21): three alerts of one group are one chat
message listing three; «Заглушить 1 ч» makes a silence Alertmanager shows, active, matching
exactly the group's labels, by the presser's catalog name; «Снять» expires it; someone who is
neither the service's duty nor its responsible is refused with one line."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from connector.assembly import build_connector
from connector.config import Config
from connector.store.schema import outbox
from tests.alertmanager import running
from tests.conftest import ALERTS_TOKEN, SLACK_ALERTS, TG_ALERTS, config_data
from tests.drive import run_until_idle
from tests.processes import free_port
from tests.standins.gitlab import StandInGitLab
from tests.standins.slack import StandInSlack
from tests.standins.telegram import StandInTelegram
from tests.test_alerts_channel import World, button_values
from webhooks.app import create_app

DUTY = "U0DUTY0001"  # the catalog's duty engineer of erp-api: «Дежурный инженер»


@contextmanager
def connector_for(am: str, db_url: str, port: int, gitlab: StandInGitLab, slack: StandInSlack,
                  telegram: StandInTelegram) -> Iterator[World]:
    """The connector serving /webhooks/alerts on `port` for Alertmanager `am`."""
    data = config_data(db_url, gitlab, slack=slack, telegram=telegram, alerts=True)
    data["alerts"]["alertmanager"] = {"url": am}
    slack.add_channel(SLACK_ALERTS, "ehr_alert", members=["U0L1", DUTY])
    c = build_connector(Config.model_validate(data))
    app = create_app(c.config, start_worker=False, setup_logs=False)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield World(c, app.test_client(), gitlab, slack, telegram)
    finally:
        server.shutdown()
        c.engine.dispose()


@pytest.fixture
def am_world(db_url: str, tmp_path: Path, standin_gitlab: StandInGitLab,
             standin_slack: StandInSlack,
             standin_telegram: StandInTelegram) -> Iterator[tuple[World, str]]:
    standin_gitlab.add_project(1)
    port = free_port()
    with running(tmp_path, f"http://127.0.0.1:{port}/webhooks/alerts", ALERTS_TOKEN) as am, \
            connector_for(am, db_url, port, standin_gitlab, standin_slack,
                          standin_telegram) as world:
        yield world, am


def settle(world: World, done: Callable[[], bool], timeout: float = 60) -> None:
    """Run the worker's steps until `done`: Alertmanager sends on its own schedule, so this
    polls a real process by wall time (no business time is waited for)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError("Alertmanager's notifications did not arrive")
        run_until_idle(world.c)
        time.sleep(0.2)
    run_until_idle(world.c)


def silences(am: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{am}/api/v2/silences", timeout=10)
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()
    return found


def fire_three(am: str) -> None:
    alerts = [{"labels": {"alertname": "ErpApiDown", "service": "erp-api",
                          "instance": f"api-{i}:9100", "severity": "critical"},
               "annotations": {"summary": f"API рецептов не отвечает на api-{i}",
                               "runbook_url": "https://wiki.test/runbooks/erp-api"},
               "generatorURL": f"http://prometheus.test/graph?g{i}"} for i in (1, 2, 3)]
    requests.post(f"{am}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()


def test_a_group_of_three_is_one_message_and_silences_are_made_and_lifted(
    am_world: tuple[World, str],
) -> None:
    world, am = am_world
    fire_three(am)
    settle(world, lambda: bool(world.slack.messages(SLACK_ALERTS)) and
           "сработавших 3" in world.slack_message()["text"])

    message = world.slack_message()  # exactly one top-level message
    assert [f"api-{i}:9100" in message["text"] for i in (1, 2, 3)] == [True] * 3
    assert "https://wiki.test/runbooks/erp-api" in message["text"]
    assert f"{am}/#/silences/new?filter=" in message["text"]
    assert "hdc:alerts:silence:1:1" in button_values(message)
    [tg_message] = world.tg.messages(TG_ALERTS)
    assert "сработавших 3" in tg_message["text"]

    world.press_slack("hdc:alerts:silence:1:1", user="U0L1")  # L1 is not erp-api's duty
    assert silences(am) == []
    [refused] = world.slack.responses
    assert refused["text"] == "Заглушать оповещения сервиса могут его дежурный и ответственный."

    world.press_slack("hdc:alerts:silence:1:1", user=DUTY, action_ts="2.2")
    [silence] = silences(am)
    assert silence["status"]["state"] == "active"
    assert {m["name"]: m["value"] for m in silence["matchers"]} == {
        "alertname": "ErpApiDown", "service": "erp-api"}
    assert silence["createdBy"] == "Дежурный инженер"
    assert "l1-sidorova" in silence["comment"]
    assert "hdc:alerts:unsilence:1" in button_values(world.slack_message())
    assert "🔕" in world.slack_message()["text"]

    world.press_slack("hdc:alerts:unsilence:1", user=DUTY, action_ts="3.3")
    [silence] = silences(am)
    assert silence["status"]["state"] == "expired"
    assert "hdc:alerts:silence:1:4" in button_values(world.slack_message())


def test_lifting_a_silence_alertmanager_lost_is_done_not_retried(
    db_url: str, tmp_path: Path, standin_gitlab: StandInGitLab, standin_slack: StandInSlack,
    standin_telegram: StandInTelegram,
) -> None:
    """Alertmanager restarted without its storage answers 500 «silence not found» to the
    DELETE: nothing is silenced, which is what «Снять» asks, so it is done at once (not retried
    for ever) and the message offers «Заглушить» again."""
    standin_gitlab.add_project(1)
    am_port, hook_port = free_port(), free_port()
    hook = f"http://127.0.0.1:{hook_port}/webhooks/alerts"
    am = f"http://127.0.0.1:{am_port}"
    with connector_for(am, db_url, hook_port, standin_gitlab, standin_slack,
                       standin_telegram) as world:
        with running(tmp_path, hook, ALERTS_TOKEN, port=am_port):
            fire_three(am)
            settle(world, lambda: bool(world.slack.messages(SLACK_ALERTS)))
            world.press_slack("hdc:alerts:silence:1:1", user=DUTY, action_ts="2.2")
            assert len(silences(am)) == 1
        with running(tmp_path, hook, ALERTS_TOKEN, port=am_port, storage="am-data-2"):
            assert silences(am) == []
            world.press_slack("hdc:alerts:unsilence:1", user=DUTY, action_ts="3.3")
            with world.c.engine.connect() as conn:
                status = dict(conn.execute(select(outbox.c.kind, outbox.c.status)).all())
            assert status["expire_silence"] == "done"
            assert "hdc:alerts:silence:1:4" in button_values(world.slack_message())
