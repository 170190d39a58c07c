"""Issue 4 done-when on Mantis: webhooks exactly as the PHP plugin sends them, write-back through
a stand-in answering as MantisBT's REST API, and the Sevastopol intake and impact rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from flask.testing import FlaskClient

from connector.core import Connector
from connector.reconcile import reconcile_all
from tests.conftest import SLACK_L2
from tests.drive import run_until_idle
from tests.mantis_hooks import delivery
from tests.standins.mantis import StandInMantis
from tests.standins.slack import StandInSlack
from webhooks.app import create_app

INCOMPLETE = ("Заявитель: Иванова А.А., врач, ГБУЗ СГБ №1, +7 978 000-00-00\n"
              "Пользователь: Иванова А.А., логин ivanova\n"
              "Текст ошибки: «Нет доступа к ЭМК»")


@pytest.fixture
def mantis(standin_mantis: StandInMantis) -> StandInMantis:
    standin_mantis.add_issue(
        42, summary="Не печатается ЭМК", description=INCOMPLETE, priority="urgent",
        custom_fields={"Impact": "Minor", "Линия": ""}, attachments=["screen.png"])
    return standin_mantis


@pytest.fixture
def client(db_url: str, mantis: StandInMantis,
           make_connector: Callable[..., Connector]) -> tuple[Connector, FlaskClient]:
    c = make_connector(db_url, mantis=mantis)
    return c, create_app(c.config, start_worker=False, setup_logs=False).test_client()


def send(client: FlaskClient, event: str, mantis: StandInMantis, **kw: str) -> None:
    headers, body = delivery(event, mantis.issue(42), **kw)
    answer = client.post("/webhooks/mantis", data=body, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)


def notes(mantis: StandInMantis) -> list[str]:
    return [n["text"] for n in mantis.issue(42).get("notes", [])]


def test_incomplete_request_goes_to_feedback_and_back_to_new(
    mantis: StandInMantis, client: tuple[Connector, FlaskClient]
) -> None:
    c, http = client
    send(http, "issue_reported", mantis)
    run_until_idle(c)

    issue = mantis.issue(42)
    assert issue["status"]["name"] == "feedback"
    [missing] = [n for n in notes(mantis) if "не хватает" in n]
    assert "— данные пациента (фамилия, инициалы, номер карты)" in missing
    assert "— последовательность действий" in missing
    assert "заявителя" not in missing and "текст ошибки" not in missing
    # Urgent on a Minor impact: corrected to High with a note (§4.9–4.10).
    assert issue["priority"]["name"] == "high"
    assert any("«Urgent»" in n and "«High»" in n for n in notes(mantis))

    # The reporter completes the request in the web UI; the plugin reports the update.
    requests.patch(f"{mantis.url}/api/rest/index.php/issues/42", timeout=5,
                   headers={"Authorization": mantis.token},
                   json={"description": INCOMPLETE + "\nПациент: Петров П.П., карта 123456",
                         "steps_to_reproduce": "1. Открыть ЭМК\n2. Нажать «Печать»"})
    send(http, "issue_updated", mantis)
    run_until_idle(c)

    assert mantis.issue(42)["status"]["name"] == "new"
    assert any("возвращена" in n for n in notes(mantis))
    assert len(notes(mantis)) == 3


def test_own_notes_coming_back_from_the_plugin_change_nothing(
    mantis: StandInMantis, client: tuple[Connector, FlaskClient]
) -> None:
    c, http = client
    send(http, "issue_reported", mantis)
    run_until_idle(c)
    writes = len(mantis.writes())

    send(http, "note_added", mantis, actor="helpdesk-bot", note=notes(mantis)[0])
    run_until_idle(c)

    assert len(mantis.writes()) == writes


def test_forged_signature_is_refused(mantis: StandInMantis,
                                    client: tuple[Connector, FlaskClient]) -> None:
    _, http = client
    headers, body = delivery("issue_reported", mantis.issue(42), secret="not-the-secret")
    assert http.post("/webhooks/mantis", data=body, headers=headers).status_code == 401


def test_changes_made_through_rest_are_found_by_polling(
    mantis: StandInMantis, client: tuple[Connector, FlaskClient]
) -> None:
    c, _ = client
    assert reconcile_all(c) == 1  # no webhook at all: REST changes fire no plugin event
    run_until_idle(c)

    assert mantis.issue(42)["status"]["name"] == "feedback"
    assert mantis.issue(42)["priority"]["name"] == "high"
    reconcile_all(c)  # the connector's own writes are seen, and change nothing
    run_until_idle(c)
    assert len(notes(mantis)) == 2


def test_l2_line_field_escalates_the_request_into_slack(
    db_url: str, mantis: StandInMantis, standin_slack: StandInSlack,
    make_connector: Callable[..., Connector],
) -> None:
    requests.patch(f"{mantis.url}/api/rest/index.php/issues/42", timeout=5,
                   headers={"Authorization": mantis.token}, json={
                       "description": INCOMPLETE + "\nПациент: Петров П.П., карта 123456",
                       "steps_to_reproduce": "1. Открыть ЭМК", "priority": {"name": "high"},
                       "custom_fields": [{"field": {"name": "Линия"}, "value": "L2"}]})
    c = make_connector(db_url, mantis=mantis, slack=standin_slack)
    http = create_app(c.config, start_worker=False, setup_logs=False).test_client()
    send(http, "issue_updated", mantis)
    run_until_idle(c)

    [root] = standin_slack.messages(SLACK_L2)
    assert "mantis:1#42" in root["text"] and "Не печатается ЭМК" in root["text"]
    assert "Пациент: Петров П.П." in root["text"]  # what L1 collected, read back from Mantis
