"""Znuny/OTRS payloads → TicketEvent: invoker webhooks (Ticket::Generic) and polled tickets.

The invoker posts `{"Event": {"TicketID": "7", "ArticleID"?: …, "OldTicketData"?: …},
"Ticket": {<TicketDeepGet, DynamicField_<Name> keys>, "Articles": [...], "Article": {<the
event's article> or {}}}}` — the event name is only in the URL path; polled tickets come as
`{"issue": <TicketGet with an "Article" list>, "is_new": bool}`. Times are the Znuny server's
local time, taken as UTC (run Znuny in UTC). Pure.

The request is the first article; the customer's later articles (follow-ups) are what the
applicant added. Who changed the ticket is `ChangeBy`, an agent's id; `1` is the system user
that Znuny also acts as for customers (CustomerPanelUserID), so it is not an agent.
"""

from __future__ import annotations

from typing import Any

from connector.errors import PayloadError
from connector.events import Attachment, Person, TicketEvent, TicketRef
from connector.timestamps import canonical

EVENTS = frozenset({"TicketCreate", "TicketStateUpdate", "TicketPriorityUpdate", "ArticleCreate"})
RECONCILE = "Reconcile"
OWN_SUBJECT = "[helpdesk-connector]"  # subject of every article the connector writes
CLOSED_TYPES = frozenset({"closed", "merged", "removed"})
SYSTEM_USER = "1"  # Znuny's root/system user, also what customer actions are recorded as
CHANGED = {"TicketPriorityUpdate": ("priority",), "TicketStateUpdate": ("status",)}


def normalize(event_name: str, payload: Any) -> TicketEvent | None:
    """An event per invoker call or polled ticket; PayloadError names a bad field."""
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    if event_name not in EVENTS and event_name != RECONCILE:
        return None
    ticket = payload.get("Ticket") if event_name != RECONCILE else payload.get("issue")
    if isinstance(ticket, list) and ticket:
        ticket = ticket[0]
    if not isinstance(ticket, dict):
        raise PayloadError("Ticket: expected an object")
    event = _ticket(ticket, event_name, bool(payload.get("is_new")))
    if event_name != "ArticleCreate":
        return event
    single = ticket.get("Article")
    articles = _articles(ticket)
    article = single if isinstance(single, dict) and single else (articles[-1] if articles else {})
    if not article:
        raise PayloadError("Ticket.Article: ArticleCreate without an article")
    own = str(article.get("Subject") or "").startswith(OWN_SUBJECT)
    if article.get("SenderType") == "customer" and not own:
        return event  # the reporter adds to the request: the ticket's content changed
    return TicketEvent(**{**event.__dict__, "kind": "note", "action": "note",
                          "actor": str(article.get("From") or ""), "own": own,
                          "note": str(article.get("Body") or ""), "supplements": ()})


def _ticket(t: dict[str, Any], event_name: str, is_new: bool) -> TicketEvent:
    ticket_id = str(t.get("TicketID") or "")
    if not (ticket_id.isascii() and ticket_id.isdigit() and len(ticket_id) <= 18):
        raise PayloadError("Ticket.TicketID: expected a number")
    fields = {k.removeprefix("DynamicField_"): _text(v) for k, v in t.items()
              if k.startswith("DynamicField_")}
    for df in _items(t.get("DynamicField")):
        if isinstance(df, dict) and df.get("Name"):
            fields[str(df["Name"])] = _text(df.get("Value"))
    articles = _articles(t)
    people = [a for a in articles if not str(a.get("Subject") or "").startswith(OWN_SUBJECT)]
    customer = [str(a.get("Body") or "") for a in people[1:] if a.get("SenderType") == "customer"]
    state_type = str(t.get("StateType") or "")
    created = is_new or event_name == "TicketCreate"
    return TicketEvent(
        ref=TicketRef("otrs", str(t.get("Queue") or ""), ticket_id),
        kind="ticket", action={"TicketCreate": "open"}.get(event_name, "update"), actor="",
        title=str(t.get("Title") or ""), url="",
        state="closed" if state_type.split()[0:1] and state_type.split()[0] in CLOSED_TYPES
        else "opened",
        assignees=(str(t["Owner"]),) if t.get("Owner") else (), author=str(
            t.get("CustomerUserID") or ""), priority=_name(t, "Priority"), status=_name(t, "State"),
        handler=str(t.get("Owner") or ""),
        description=str(people[0].get("Body") or "") if people else "",
        category=str(t.get("Type") or ""),
        attachments=_attachments([*articles, t.get("Article") or {}]),
        supplements=tuple(customer),
        updated_at=_time(t.get("Changed")), created_at=_time(t.get("Created"), "Ticket.Created"),
        is_new=created, fields=fields,
        changed_by={} if created else _changed_by(t, event_name, fields),
    )


def _changed_by(t: dict[str, Any], event_name: str, fields: dict[str, str]) -> dict[str, Person]:
    """`ChangeBy` made the event's change; for other events it is the last to change anything."""
    who = str(t.get("ChangeBy") or "")
    if not who:
        return {}
    person = Person(who, agent=who != SYSTEM_USER)
    names = CHANGED.get(event_name, ("priority", "status", *fields))
    return dict.fromkeys(names, person)


def _articles(t: dict[str, Any]) -> list[dict[str, Any]]:
    """All articles: `Articles` in invoker payloads (TicketDeepGet), `Article` from TicketGet."""
    articles = t.get("Articles") if "Articles" in t else t.get("Article") or []
    if isinstance(articles, dict):
        articles = [articles]
    if not isinstance(articles, list):
        raise PayloadError("Ticket.Article: expected a list")
    return [a for a in articles if isinstance(a, dict)]


def _attachments(articles: list[Any]) -> tuple[Attachment, ...]:
    """Files of every article (the invoker lists them only for the event's article)."""
    files = {str(f["Filename"]): Attachment(str(f["Filename"]), _size(f.get("FilesizeRaw")))
             for art in articles if isinstance(art, dict)
             for f in _items(art.get("Attachment")) if isinstance(f, dict) and f.get("Filename")}
    return tuple(files.values())


def _items(value: Any) -> list[Any]:
    """A list as Znuny sends it: one element may come as itself, none as null."""
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def _name(t: dict[str, Any], key: str) -> str | None:
    """A state or priority name; absent → None."""
    value = t.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise PayloadError(f"Ticket.{key}: expected a name")


def _size(value: Any) -> int:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else 0


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _time(value: Any, name: str = "Ticket.Changed") -> str:
    try:
        return canonical(str(value)) if value else ""
    except ValueError:
        raise PayloadError(f"{name}: not a timestamp: {str(value)[:40]!r}") from None
