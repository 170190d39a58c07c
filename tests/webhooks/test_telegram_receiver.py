"""Telegram receiver: every update must carry the secret given to setWebhook; each `update_id`
is stored once and answered `{"ok": true}` (API_NOTES.md, Telegram)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from connector.store.schema import inbox as inbox_table
from tests.conftest import TELEGRAM_SECRET, TG_L2
from tests.drive import post_telegram
from tests.standins.telegram import StandInTelegram
from tests.webhooks.conftest import stored

URL = "/webhooks/telegram"


@pytest.fixture
def app(db_url: str, standin_telegram: StandInTelegram, make_app: Callable[..., Flask]) -> Flask:
    return make_app(db_url, telegram=standin_telegram)


def rows(app: Flask) -> list[Any]:
    with app.extensions["helpdesk_connector"].connector.engine.connect() as conn:
        return list(conn.execute(select(inbox_table).order_by(inbox_table.c.id)))


def reply_in_topic(tg: StandInTelegram, text: str = "Воспроизвёл на стенде") -> dict[str, Any]:
    return tg.message_update(TG_L2, text, thread_id=7)


def button_press(tg: StandInTelegram) -> dict[str, Any]:
    """A press on a message the stand-in knows: a member's message stands in for the bot's."""
    shown = tg.message_update(TG_L2, "🚨 Алерт: disk full")["message"]
    return tg.callback_update(TG_L2, shown["message_id"], "hdc:oneoff:1")


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "tg-secret-2", TELEGRAM_SECRET.upper()],
                         ids=["missing", "empty", "wrong", "wrong case"])
def test_wrong_or_missing_secret_token_is_401_and_stores_nothing(
    app: Flask, client: FlaskClient, standin_telegram: StandInTelegram, secret: str | None,
) -> None:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}

    response = client.post(URL, json=reply_in_topic(standin_telegram), headers=headers)

    assert response.status_code == 401
    assert response.json == {"error": "invalid or missing secret token"}
    assert stored(app) == 0


# --- accepted updates ------------------------------------------------------------------------


@pytest.mark.parametrize("build", [reply_in_topic, button_press], ids=["message", "button"])
def test_a_valid_update_is_stored_and_answered_ok(
    app: Flask, client: FlaskClient, standin_telegram: StandInTelegram, build: Any,
) -> None:
    update = build(standin_telegram)

    response = post_telegram(client, update)

    assert response.status_code == 200
    assert response.json == {"ok": True}
    [row] = rows(app)
    assert (row.source, row.event_name) == ("telegram", "update")
    assert json.loads(row.payload) == update


def test_updates_of_one_topic_share_an_ordering_key(
    app: Flask, client: FlaskClient, standin_telegram: StandInTelegram,
) -> None:
    post_telegram(client, reply_in_topic(standin_telegram, "первое"))
    post_telegram(client, reply_in_topic(standin_telegram, "второе"))
    post_telegram(client, standin_telegram.message_update(TG_L2, "другая тема", thread_id=9))

    keys = [row.ordering_key for row in rows(app)]
    assert keys[0] == keys[1] == f"telegram:{TG_L2}:7"
    assert keys[2] != keys[0]


def test_the_same_update_id_is_stored_once(
    app: Flask, client: FlaskClient, standin_telegram: StandInTelegram,
) -> None:
    update = reply_in_topic(standin_telegram)

    first = post_telegram(client, update)
    redelivered = post_telegram(client, update)
    other = post_telegram(client, reply_in_topic(standin_telegram, "ещё"))

    assert first.json == redelivered.json == other.json == {"ok": True}
    assert redelivered.status_code == 200
    assert stored(app) == 2


def test_updates_the_connector_does_not_use_are_still_acknowledged(
    app: Flask, client: FlaskClient, standin_telegram: StandInTelegram,
) -> None:
    response = post_telegram(client, standin_telegram.join_request_update(TG_L2))

    assert response.json == {"ok": True}  # the worker decides; Telegram must not redeliver
    assert stored(app) == 1


# --- malformed input -------------------------------------------------------------------------


def _without_update_id(tg: StandInTelegram) -> bytes:
    update = reply_in_topic(tg)
    del update["update_id"]
    return json.dumps(update).encode()


@pytest.mark.parametrize(("body", "status", "reason"), [
    pytest.param(lambda tg: b'{"update_id": 1,', 400, "malformed JSON", id="malformed JSON"),
    pytest.param(_without_update_id, 422, "update_id", id="no update_id"),
    pytest.param(lambda tg: b'{"update_id": "700000001"}', 422, "update_id",
                 id="update_id a string"),
    pytest.param(lambda tg: b"[1]", 422, "update_id", id="array"),
])
def test_bad_bodies_are_refused_in_one_line_and_store_nothing(
    app: Flask, client: FlaskClient, standin_telegram: StandInTelegram, body: Any, status: int,
    reason: str,
) -> None:
    response = client.post(URL, data=body(standin_telegram), content_type="application/json",
                           headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})

    assert response.status_code == status
    error = response.get_json()["error"]
    assert reason in error and "\n" not in error
    assert stored(app) == 0


def _spoiled(tg: StandInTelegram, edit: Callable[[dict[str, Any]], Any],
             build: Callable[[StandInTelegram], dict[str, Any]] = reply_in_topic) -> bytes:
    update = build(tg)
    edit(update)
    return json.dumps(update).encode()


def _command(tg: StandInTelegram) -> dict[str, Any]:
    return tg.message_update(TG_L2, "/progress Перезапустили", thread_id=7)


@pytest.mark.parametrize(("edit", "build", "field"), [
    pytest.param(lambda u: u["message"].update(message_thread_id={"id": 7}), reply_in_topic,
                 "message.message_thread_id", id="topic id an object"),
    pytest.param(lambda u: u["message"].update(entities="bot_command"), _command,
                 "message.entities", id="entities a string"),
    pytest.param(lambda u: u["message"].update({"from": "ipetrov"}), reply_in_topic,
                 "message.from", id="sender a string"),
    pytest.param(lambda u: u["message"]["from"].update(id=10**30), reply_in_topic,
                 "message.from.id", id="user id of 10^30"),
    pytest.param(lambda u: u["chat_join_request"]["from"].update(id=10**30),
                 lambda tg: tg.join_request_update(TG_L2), "chat_join_request.from.id",
                 id="joiner's id of 10^30"),
    pytest.param(lambda u: u.update(message=["x"]), reply_in_topic, "message",
                 id="message a list"),
])
def test_a_wrongly_typed_field_is_422_naming_it_and_stores_nothing(
    app: Flask, client: FlaskClient, standin_telegram: StandInTelegram,
    edit: Callable[[dict[str, Any]], Any], build: Callable[[StandInTelegram], dict[str, Any]],
    field: str,
) -> None:
    response = client.post(URL, data=_spoiled(standin_telegram, edit, build),
                           content_type="application/json",
                           headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})

    assert response.status_code == 422
    assert response.get_json()["error"].startswith(f"{field}: ")
    assert stored(app) == 0
