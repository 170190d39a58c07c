"""The Znuny normaliser: the request is the first article, the customer's follow-ups complete
it, agents' notes do not; ChangeBy tells an agent from a customer (Znuny's system user 1)."""

from __future__ import annotations

from typing import Any

from connector.events import Attachment, Person
from plugins.otrs.events import normalize


def article(body: str, sender: str = "customer", **extra: Any) -> dict[str, Any]:
    return {"ArticleID": "1", "SenderType": sender, "Subject": "Ошибка", "Body": body,
            "From": "ivanova@sev.gov.ru", **extra}


def invoker(event: str, *articles: dict[str, Any], **ticket: Any) -> dict[str, Any]:
    data = {"TicketID": "7", "Queue": "Support", "Title": "Ошибка записи", "State": "new",
            "StateType": "new", "Priority": "3 normal", "Type": "Incident", "Owner": "root",
            "CustomerUserID": "ivanova", "Changed": "2026-11-25 09:00:00", "ChangeBy": "1",
            "DynamicField_Impact": "minor", "Articles": list(articles), "Article": {}, **ticket}
    return {"Event": {"TicketID": "7"}, "Ticket": data}


def test_request_follow_ups_and_agent_notes_are_told_apart() -> None:
    payload = invoker("TicketStateUpdate",
                      article("Описание ошибки: нет доступа",
                              Attachment=[{"Filename": "скрин.png", "FilesizeRaw": "5000"}]),
                      article("Уточните данные пациента", sender="agent"),
                      article("Данные пациента: Петров П.П."))
    event = normalize("TicketStateUpdate", payload)
    assert event is not None
    assert event.description == "Описание ошибки: нет доступа"
    assert event.supplements == ("Данные пациента: Петров П.П.",)
    assert event.attachments == (Attachment("скрин.png", 5000),)
    assert event.category == "Incident" and event.fields["Impact"] == "minor"


def test_change_by_an_agent_or_by_the_system_user() -> None:
    agent = normalize("TicketPriorityUpdate", invoker("x", ChangeBy="5"))
    customer = normalize("TicketPriorityUpdate", invoker("x", ChangeBy="1"))
    created = normalize("TicketCreate", invoker("x", ChangeBy="5"))
    assert agent is not None and customer is not None and created is not None
    assert agent.changed_by == {"priority": Person("5", agent=True)}
    assert customer.changed_by == {"priority": Person("1", agent=False)}
    assert created.changed_by == {} and created.is_new


def test_an_agents_article_is_a_note_not_the_applicants_answer() -> None:
    payload = invoker("ArticleCreate", article("Заявка"),
                      article("Передали на 2 ЛТП", sender="agent"))
    event = normalize("ArticleCreate", payload)
    assert event is not None
    assert event.kind == "note" and event.supplements == ()
