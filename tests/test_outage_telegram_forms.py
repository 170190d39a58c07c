"""Telegram asks a room form one question at a time, and only the presser gets the reply field:
the first question names them (a text mention) and every question is a selective ForceReply —
the next ones replying to their last answer."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from connector.core import Connector
from tests.drive import post_telegram, run_until_idle
from tests.mantis_hooks import delivery
from tests.standins.mantis import StandInMantis
from tests.standins.telegram import StandInTelegram
from tests.test_outage_telegram import DUTY, OUTAGES, OWNER, buttons_of, world

__all__ = ["world"]  # the fixture


def asked_with(tg: StandInTelegram) -> dict[str, Any]:
    """The reply markup the last question was sent with (a Message shows only inline ones)."""
    markup = json.loads(str(tg.calls("sendMessage")[-1].params["reply_markup"]))
    return {k: v for k, v in markup.items() if k in ("force_reply", "selective")}


def test_the_conclusion_questions_give_the_reply_field_to_the_presser_alone(
        world: tuple[Connector, FlaskClient], standin_telegram: StandInTelegram,
        standin_mantis: StandInMantis) -> None:
    c, client = world
    tg = standin_telegram
    headers, body = delivery("issue_reported", standin_mantis.issue(7))
    client.post("/webhooks/mantis", data=body, headers=headers)
    run_until_idle(c)

    def status() -> dict[str, Any]:
        [pinned] = tg.pinned(OUTAGES)
        return next(m for m in tg.messages(OUTAGES) if m["message_id"] == pinned)

    for label, user in (("→ Диагностика", DUTY), ("→ Восстановлено", OWNER),
                        ("📝 Заключение", OWNER)):
        update = tg.callback_update(OUTAGES, status()["message_id"], buttons_of(status())[label],
                                    from_user={"id": user, "first_name": "x"})
        assert post_telegram(client, update).status_code == 200
        run_until_idle(c)

    first = tg.messages(OUTAGES)[-1]
    assert asked_with(tg) == {"force_reply": True, "selective": True}
    [mention] = first["entities"]
    assert mention["type"] == "text_mention" and mention["user"]["id"] == OWNER
    assert first["text"].endswith("Ответственный за МИС (Севастополь)")

    answer = tg.reply_update(OUTAGES, first["message_id"], "Отказ сервера",
                             from_user={"id": OWNER, "first_name": "x"})
    assert post_telegram(client, answer).status_code == 200
    run_until_idle(c)
    second = tg.messages(OUTAGES)[-1]
    assert asked_with(tg) == {"force_reply": True, "selective": True}
    assert second["reply_to_message"]["message_id"] == answer["message"]["message_id"]
