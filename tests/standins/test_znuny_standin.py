"""The stand-in Znuny GenericInterface web service, driven with plain `requests`."""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

import requests

from tests.standins import fixtures
from tests.standins.znuny import StandInZnuny

standin_znuny = fixtures.standin_znuny

NOTE = {"CommunicationChannel": "Internal", "Subject": "Escalated", "Body": "to L2",
        "ContentType": "text/plain; charset=utf8", "IsVisibleForCustomer": 0}


def _call(standin: StandInZnuny, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{standin.url}{path}", timeout=5, **kwargs)


def _session(standin: StandInZnuny) -> str:
    answer = _call(standin, "POST", "/Session",
                   json={"UserLogin": standin.user, "Password": standin.password})
    return str(answer.json()["SessionID"])


def _error(answer: requests.Response) -> tuple[str, str]:
    assert answer.status_code == 200  # Znuny reports errors with HTTP 200
    error = answer.json()["Error"]
    return error["ErrorCode"], error["ErrorMessage"]


def test_session_create(standin_znuny: StandInZnuny) -> None:
    assert len(_session(standin_znuny)) == 32
    wrong = _call(standin_znuny, "POST", "/Session",
                  json={"UserLogin": standin_znuny.user, "Password": "nope"})
    assert _error(wrong) == ("SessionCreate.AuthFail", "SessionCreate: Authorization failing!")
    assert _error(_call(standin_znuny, "POST", "/Session", json={"UserLogin": "x"}))[0] == \
        "SessionCreate.MissingParameter"
    assert [r.error for r in standin_znuny.requests] == [
        None, "SessionCreate.AuthFail", "SessionCreate.MissingParameter"]


def test_ticket_get_shape(standin_znuny: StandInZnuny) -> None:
    standin_znuny.add_ticket(
        7, title="VPN down", state="open", priority="4 high", customer_user="c@example.com",
        dynamic_fields={"Impact": "Major"}, changed="2026-11-22 10:00:00",
        articles=[{"body": "help", "attachments": ["log.txt"]}])
    sid = _session(standin_znuny)
    answer = _call(standin_znuny, "GET", "/Ticket/7",
                   params={"SessionID": sid, "DynamicFields": 1, "AllArticles": 1})
    (ticket,) = answer.json()["Ticket"]
    assert (ticket["TicketID"], ticket["Title"], ticket["State"], ticket["StateType"]) == (
        "7", "VPN down", "open", "open")
    assert (ticket["Priority"], ticket["PriorityID"], ticket["Queue"]) == ("4 high", "4", "Support")
    assert ticket["Owner"] == "root@localhost" and ticket["CustomerUserID"] == "c@example.com"
    assert ticket["Changed"] == ticket["Created"] == "2026-11-22 10:00:00"
    assert ticket["DynamicField"] == [{"Name": "Impact", "Value": "Major"}]
    (article,) = ticket["Article"]
    assert (article["Body"], article["From"], article["SenderType"]) == (
        "help", "c@example.com", "customer")
    assert "Attachment" not in article  # only with Attachments=1
    with_files = _call(standin_znuny, "GET", "/Ticket/7", params={
        "SessionID": sid, "AllArticles": 1, "Attachments": 1}).json()["Ticket"][0]
    (attachment,) = with_files["Article"][0]["Attachment"]
    assert attachment["Filename"] == "log.txt" and attachment["ContentType"] == "text/plain"
    assert base64.b64decode(attachment["Content"]) == b"content of log.txt"
    plain = _call(standin_znuny, "GET", "/Ticket/7", params={"SessionID": sid}).json()
    assert "DynamicField" not in plain["Ticket"][0] and "Article" not in plain["Ticket"][0]


def test_get_errors_are_http_200(standin_znuny: StandInZnuny) -> None:
    standin_znuny.add_ticket(7)
    sid = _session(standin_znuny)
    assert _error(_call(standin_znuny, "GET", "/Ticket/8", params={"SessionID": sid})) == (
        "TicketGet.AccessDenied", "TicketGet: User does not have access to the ticket!")
    assert _error(_call(standin_znuny, "GET", "/Ticket/x", params={"SessionID": sid}))[0] == \
        "TicketGet.WrongStructure"
    standin_znuny.expire_sessions()
    assert _error(_call(standin_znuny, "GET", "/Ticket/7", params={"SessionID": sid})) == (
        "TicketGet.AuthFail", "TicketGet: Authorization failing!")
    assert _call(standin_znuny, "GET", "/Nope").status_code == 500


def test_update_state_priority_article_fields(standin_znuny: StandInZnuny) -> None:
    standin_znuny.add_ticket(7, dynamic_fields={"Impact": "Minor"},
                             changed="2020-01-01 00:00:00")
    sid = _session(standin_znuny)
    answer = _call(standin_znuny, "PATCH", "/Ticket/7", json={
        "SessionID": sid, "Ticket": {"State": "open", "Priority": "5 very high"},
        "Article": NOTE, "DynamicField": [{"Name": "Impact", "Value": "Major"}]})
    body = answer.json()
    assert answer.status_code == 200 and body["TicketID"] == "7" and body["ArticleID"]
    ticket = standin_znuny.ticket(7)
    assert (ticket["State"], ticket["Priority"]) == ("open", "5 very high")
    assert ticket["DynamicField"] == [{"Name": "Impact", "Value": "Major"}]
    assert ticket["Changed"] > "2020-01-01 00:00:00"
    article = ticket["Article"][-1]
    assert (article["CommunicationChannelID"], article["IsVisibleForCustomer"]) == ("3", 0)
    assert (article["SenderType"], article["From"]) == ("agent", "Helpdesk Bot")
    # the same values again: a no-op, Changed stays
    same = _call(standin_znuny, "PATCH", "/Ticket/7",
                 json={"SessionID": sid, "Ticket": {"State": "open"}})
    assert "ArticleID" not in same.json() and standin_znuny.ticket(7)["Changed"] == \
        ticket["Changed"]
    visible = {k: v for k, v in NOTE.items() if k != "IsVisibleForCustomer"}
    default = _call(standin_znuny, "PATCH", "/Ticket/7",
                    json={"SessionID": sid, "Article": visible})
    assert default.json()["ArticleID"]
    assert standin_znuny.ticket(7)["Article"][-1]["IsVisibleForCustomer"] == 1  # Znuny default
    assert len(standin_znuny.writes("PATCH")) == 3


def test_update_validation_errors(standin_znuny: StandInZnuny) -> None:
    standin_znuny.add_ticket(7)
    sid = _session(standin_znuny)

    def patch(**data: Any) -> tuple[str, str]:
        return _error(_call(standin_znuny, "PATCH", "/Ticket/7", json={"SessionID": sid, **data}))

    assert patch(Ticket={"State": "bogus"}) == (
        "TicketUpdate.InvalidParameter",
        "TicketUpdate: Ticket->StateID or Ticket->State parameter is invalid!")
    assert patch(Ticket={"Priority": "9 extreme"})[0] == "TicketUpdate.InvalidParameter"
    assert patch(Ticket={"State": "pending reminder"}) == (
        "TicketUpdate.MissingParameter",
        "Can't set a ticket on a pending state without pendig time!")
    assert patch(Article={**NOTE, "ContentType": "text/plain"}) == (
        "TicketUpdate.InvalidParameter", "TicketUpdate: Article->ContentType is invalid!")
    assert patch(Article={**NOTE, "Body": ""})[1] == \
        "TicketUpdate: Article->Body parameter is missing!"
    assert patch(DynamicField=[{"Name": "Nope", "Value": "x"}]) == (
        "TicketUpdate.InvalidParameter", "TicketUpdate: DynamicField->Name parameter is invalid!")
    assert _error(_call(standin_znuny, "PATCH", "/Ticket/8", json={
        "SessionID": sid, "Ticket": {"State": "open"}}))[0] == "TicketUpdate.AccessDenied"
    assert _error(_call(standin_znuny, "PATCH", "/Ticket/7", json={
        "SessionID": "expired", "Ticket": {"State": "open"}})) == (
        "TicketUpdate.AuthFail", "TicketUpdate: User could not be authenticated!")
    assert _error(_call(standin_znuny, "PATCH", "/Ticket/7", json={"Ticket": {}}))[0] == \
        "TicketUpdate.MissingParameter"
    assert standin_znuny.ticket(7)["State"] == "new" and standin_znuny.writes() == []


def test_create_and_search(standin_znuny: StandInZnuny) -> None:
    standin_znuny.add_ticket(1, changed="2020-11-22 10:00:00")
    standin_znuny.add_ticket(2, changed="2020-11-22 09:00:00", queue="Misc")
    sid = _session(standin_znuny)
    created = _call(standin_znuny, "POST", "/Ticket", json={
        "SessionID": sid, "Article": NOTE, "Ticket": {
            "Title": "From Mantis", "Queue": "Support", "State": "new",
            "Priority": "3 normal", "CustomerUser": "c@example.com"}}).json()
    assert created["TicketID"] == "3" and created["ArticleID"] and created["TicketNumber"]
    assert standin_znuny.ticket(3)["Title"] == "From Mantis"
    missing = _call(standin_znuny, "POST", "/Ticket", json={"SessionID": sid, "Article": NOTE,
                                                             "Ticket": {"Title": "x"}})
    assert _error(missing) == ("TicketCreate.MissingParameter",
                               "TicketCreate: Ticket->CustomerUser parameter is missing!")

    def search(**params: Any) -> Any:
        return _call(standin_znuny, "GET", "/TicketSearch",
                     params={"SessionID": sid, **params}).json()

    assert search(TicketChangeTimeNewerDate="2020-11-22 09:30:00", SortBy="Changed",
                  OrderBy="Up") == {"TicketID": ["1", "3"]}
    assert search(Queues=["Misc", "Raw"]) == {"TicketID": ["2"]}
    assert search(Queues="Junk") == {}
    assert search(TicketChangeTimeNewerDate="yesterday") == {}  # silently nothing
    standin_znuny.expire_sessions()
    assert search()["Error"]["ErrorCode"] == "TicketSearch.AuthFail"


def test_fail_next_variants_and_hold(standin_znuny: StandInZnuny) -> None:
    standin_znuny.add_ticket(7)
    sid = _session(standin_znuny)
    standin_znuny.fail_next("PATCH", r"^/Ticket/7$", 502)
    failed = _call(standin_znuny, "PATCH", "/Ticket/7",
                   json={"SessionID": sid, "Ticket": {"State": "open"}})
    assert failed.status_code == 502 and failed.text == "502 Bad Gateway"
    standin_znuny.fail_next_with_error(r"^/Ticket/7$", "TicketUpdate.AccessDenied", "nope")
    assert _error(_call(standin_znuny, "PATCH", "/Ticket/7", json={
        "SessionID": sid, "Ticket": {"State": "open"}})) == ("TicketUpdate.AccessDenied", "nope")
    assert standin_znuny.ticket(7)["State"] == "new"  # neither was applied
    event = standin_znuny.hold_next("PATCH", r"^/Ticket/7$")
    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(_call(
        standin_znuny, "PATCH", "/Ticket/7",
        json={"SessionID": sid, "Ticket": {"State": "open"}}).status_code))
    worker.start()
    time.sleep(0.3)
    assert results == [] and standin_znuny.ticket(7)["State"] == "open"
    event.set()
    worker.join(5)
    assert results == [200] and len(standin_znuny.writes()) == 1


def test_invoker_payload(standin_znuny: StandInZnuny) -> None:
    standin_znuny.add_ticket(7, dynamic_fields={"MantisID": "5"},
                             articles=[{"body": "first"}])
    sid = _session(standin_znuny)
    _call(standin_znuny, "PATCH", "/Ticket/7", json={
        "SessionID": sid, "Ticket": {"State": "open"}, "Article": NOTE})
    state = standin_znuny.invoker_payload(7, "TicketStateUpdate")
    assert set(state["Event"]) == {"TicketID", "OldTicketData"}
    assert state["Event"]["OldTicketData"]["State"] == "new"
    ticket = state["Ticket"]
    assert ticket["State"] == "open" and ticket["DynamicField_MantisID"] == "5"
    assert "DynamicField" not in ticket and [a["Body"] for a in ticket["Articles"]] == [
        "first", "to L2"]
    assert ticket["Article"] == {}  # two articles, none named by the event
    assert ticket["OwnerData"]["UserLogin"] == "root@localhost"
    assert "password" not in ticket["OwnerData"]
    article = standin_znuny.invoker_payload(7, "ArticleCreate")
    assert article["Event"]["ArticleID"] == ticket["Articles"][-1]["ArticleID"]
    assert article["Ticket"]["Article"]["Body"] == "to L2"
    assert standin_znuny.invoker_payload(7, "TicketPriorityUpdate")["Event"] == {"TicketID": "7"}
