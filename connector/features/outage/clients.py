"""Clients and MOs told of an outage (Belarus §4.3.1 «информировать клиентов»; Sevastopol §2.7
«информирование пользователей о наличии инцидентов … и ориентировочные сроки их завершения»):
what is down, since when and the expected end the responsible set — at declaring, on each new
expected end, at restore — in the service's client channels and to its client mailing lists
(catalog.py `client_targets`). Each notice is keyed by outage, kind and version, so a retry or a
redelivered event never tells twice; each target goes in a lane of its own, so one that keeps
failing holds none of the others."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.engine import Connection, Row

from connector.context import FeatureContext
from connector.events import Action, TicketRef
from connector.features.outage import store
from connector.features.outage.spans import span_of
from connector.store import outbox
from connector.timestamps import from_epoch
from connector.wording import local_time
from connector.work import chat_targets

REASON = "outage_clients"
Notice = Literal["declared", "eta", "restored"]


def tell(c: FeatureContext, conn: Connection, row: Row[Any], kind: Notice) -> int:
    """The notice of `kind` to every client target, once per version; how many were added."""
    mapping = c.mappings.by_name.get(row.mapping)
    catalog = c.mappings.catalog
    if row.kind != "outage" or mapping is None or mapping.outage is None \
            or row.service not in catalog.services:
        return 0
    channels, lists = catalog.client_targets(row.service)
    events = store.timeline(conn, row.id)
    etas = [e for e in events if e["kind"] == "eta"]
    if not (channels or lists) or (kind == "eta" and not etas):
        return 0
    span, ended = span_of(events, mapping.outage, float(row.declared_at), c.clock.now())
    zone = mapping.timezone
    values = {"service": catalog.services[row.service].title,
              "since": local_time(from_epoch(span.start), zone),
              "eta": local_time(from_epoch(float(etas[-1]["end"])), zone) if etas
              else c.render("outage_clients_eta_unknown", mapping.name),
              "restored": local_time(from_epoch(span.end), zone) if ended else ""}
    text = c.render(f"outage_clients_{kind}", mapping.name, **values)
    subject = c.render(f"outage_clients_{kind}_subject", mapping.name, **values)
    ref, key = TicketRef.parse(row.ticket), f"outage|{row.ticket}|clients|{kind}|{len(etas)}" \
        if kind == "eta" else f"outage|{row.ticket}|clients|{kind}|1"
    added = 0
    for channel in channels:
        said = Action("notify", "chat", ref, {"channel": channel, "text": text}, REASON,
                      lane=f"clients|{channel}")
        added += sum(_enqueue(conn, one, f"{key}|{one.target}|{channel}")
                     for one in chat_targets(c, said))
    for address in lists:
        letter = Action("send_mail", "mail", ref, {"to": [address], "subject": subject,
                                                   "body": text}, REASON,
                        lane=f"clients|{address}")
        added += _enqueue(conn, letter, f"{key}|mail|{address}")
    if added:
        store.record(conn, row.id, "clients", "", text=text)
    return added


def _enqueue(conn: Connection, action: Action, key: str) -> bool:
    """Once per key, whatever the text says by now (a retry re-renders the same notice)."""
    action.typed()  # ActionParamsError if the parameters do not fit the kind
    return outbox.enqueue(conn, action, key)
