"""Issue 4 done-when on OTRS/Znuny: invoker webhooks as the shipped web service sends them,
write-back through a stand-in GenericInterface (200-with-Error included), Sevastopol rules."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from connector.core import Connector
from connector.store import outbox
from tests.conftest import OTRS_HOOK_PASSWORD, OTRS_HOOK_USER
from tests.drive import run_until_idle
from tests.standins.znuny import StandInZnuny
from webhooks.app import create_app

INCOMPLETE = ("Данные о заявителе: Иванова А.А., врач, ГБУЗС «Городская больница №1», "
              "+7 978 000-00-00\n"
              "ФИО пользователя, логин: Иванова А.А., ivanova\n"
              "Описание ошибки: «Нет доступа к ЭМК»")
AUTH = "Basic " + base64.b64encode(f"{OTRS_HOOK_USER}:{OTRS_HOOK_PASSWORD}".encode()).decode()


@pytest.fixture
def znuny(standin_znuny: StandInZnuny) -> StandInZnuny:
    standin_znuny.add_ticket(7, title="Не печатается ЭМК", priority="5 very high",
                             dynamic_fields={"Impact": "minor"},
                             articles=[{"body": INCOMPLETE, "attachments": ["screen.png"],
                                        "sender_type": "customer"}])
    return standin_znuny


@pytest.fixture
def client(db_url: str, znuny: StandInZnuny,
           make_connector: Callable[..., Connector]) -> tuple[Connector, FlaskClient]:
    c = make_connector(db_url, otrs=znuny)
    return c, create_app(c.config, start_worker=False, setup_logs=False).test_client()


def invoke(http: FlaskClient, znuny: StandInZnuny, event: str, auth: str = AUTH) -> Any:
    return http.post(f"/webhooks/otrs/{event}", json=znuny.invoker_payload(7, event),
                     headers={"Authorization": auth})


def notes(znuny: StandInZnuny) -> list[str]:
    return [a["Body"] for a in znuny.ticket(7)["Article"][1:]]


def customer_adds(znuny: StandInZnuny, text: str) -> None:
    """The reporter answers by e-mail: a customer article on the ticket."""
    api = znuny.url
    sid = requests.post(f"{api}/Session", json={"UserLogin": "helpdesk-bot",
                                                "Password": "bot-password"}, timeout=5).json()
    requests.patch(f"{api}/Ticket/7", timeout=5, json={
        "SessionID": sid["SessionID"], "Article": {
            "CommunicationChannel": "Email", "SenderType": "customer", "Subject": "Re: ЭМК",
            "Body": text, "ContentType": "text/plain; charset=utf8"}})


def test_incomplete_request_goes_to_feedback_and_back_to_new(
    znuny: StandInZnuny, client: tuple[Connector, FlaskClient]
) -> None:
    c, http = client
    answer = invoke(http, znuny, "TicketCreate")
    assert answer.status_code == 200 and answer.is_json  # Znuny needs a JSON body
    run_until_idle(c)

    ticket = znuny.ticket(7)
    assert ticket["State"] == "pending reminder"  # the regulation's Feedback in OTRS words
    assert ticket["Priority"] == "4 high"  # Неотложный on «Малое» → Высокий
    [missing] = [n for n in notes(znuny) if "нет обязательных сведений" in n]
    assert "— «Данные пациента» — фамилия, инициалы, № карты" in missing
    assert "— «Последовательность выполняемых действий»" in missing
    assert "Скриншоты" not in missing  # screen.png is attached to the first article
    assert "«Обратная связь»" in missing

    customer_adds(znuny, "Данные пациента: Петров П.П., карта 123456\n"
                         "Последовательность выполняемых действий: открыть ЭМК, нажать «Печать»")
    invoke(http, znuny, "ArticleCreate")
    run_until_idle(c)

    assert znuny.ticket(7)["State"] == "new"
    assert any("заявка дополнена" in n for n in notes(znuny))


def test_an_agents_priority_change_is_l1s_right(
    znuny: StandInZnuny, client: tuple[Connector, FlaskClient]
) -> None:
    c, http = client
    invoke(http, znuny, "TicketCreate")
    run_until_idle(c)
    api = znuny.url
    znuny.add_agent("l1-petrov", "pw")
    sid = requests.post(f"{api}/Session", json={"UserLogin": "l1-petrov", "Password": "pw"},
                        timeout=5).json()["SessionID"]
    requests.patch(f"{api}/Ticket/7", timeout=5, json={
        "SessionID": sid, "Ticket": {"Priority": "5 very high"}})
    invoke(http, znuny, "TicketPriorityUpdate")
    run_until_idle(c)

    assert znuny.ticket(7)["Priority"] == "5 very high"  # L1 raised it while studying (§4.5)


def test_own_articles_coming_back_change_nothing(
    znuny: StandInZnuny, client: tuple[Connector, FlaskClient]
) -> None:
    c, http = client
    invoke(http, znuny, "TicketCreate")
    run_until_idle(c)
    writes = len(znuny.writes())

    invoke(http, znuny, "ArticleCreate")  # the newest article is the connector's own note
    invoke(http, znuny, "TicketStateUpdate")
    run_until_idle(c)

    assert len(znuny.writes()) == writes


def test_error_in_a_200_answer_is_a_failure(
    znuny: StandInZnuny, client: tuple[Connector, FlaskClient]
) -> None:
    c, http = client
    znuny.fail_next_with_error(r"/Ticket/7$", "TicketUpdate.AccessDenied",
                               "TicketUpdate: User does not have access to the ticket!", times=10)
    invoke(http, znuny, "TicketCreate")
    run_until_idle(c)

    with c.engine.connect() as conn:
        assert outbox.count_by_status(conn).get("failed", 0) >= 1
    assert znuny.ticket(7)["State"] == "new"


def test_expired_session_is_renewed(znuny: StandInZnuny,
                                    client: tuple[Connector, FlaskClient]) -> None:
    c, http = client
    invoke(http, znuny, "TicketCreate")
    znuny.expire_sessions()
    run_until_idle(c)
    assert znuny.ticket(7)["State"] == "pending reminder"


def test_wrong_basic_auth_gets_401_with_json(znuny: StandInZnuny,
                                            client: tuple[Connector, FlaskClient]) -> None:
    _, http = client
    answer = invoke(http, znuny, "TicketCreate", auth="Basic " + base64.b64encode(
        b"znuny:wrong").decode())
    assert answer.status_code == 401 and "error" in answer.json


def test_a_room_log_is_attached_to_the_ticket_once(
        znuny: StandInZnuny, client: tuple[Connector, FlaskClient]) -> None:
    """An outage's log as Znuny keeps files: an internal article carrying it; a retry after
    the first attempt took effect finds it and adds no second one."""
    from connector.events import Action, TicketRef
    from connector.store.outbox import OutboxItem
    c, _ = client
    action = Action("attach_file", "otrs", TicketRef("otrs", "Support", "7"), {
        "filename": "outage-log-7.txt", "content": "08:40 — Дежурный: сервер перезапущен\n",
        "note": "Журнал чата сбоя — во вложении."}, "outage")
    tracker = c.trackers["otrs"]
    tracker.perform(OutboxItem(1, "k", action, 1, 0.0))
    tracker.perform(OutboxItem(1, "k", action, 2, 0.0))  # the retry: already there

    articles = [a for a in znuny.ticket(7)["Article"]
                if a["Body"] == "Журнал чата сбоя — во вложении."]
    assert len(articles) == 1
    assert [f["Filename"] for f in articles[0]["Attachment"]] == ["outage-log-7.txt"]
    assert znuny.files(7)["outage-log-7.txt"].decode() == "08:40 — Дежурный: сервер перезапущен\n"
