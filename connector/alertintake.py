"""An alerts body, stored whole by the receiver (one inbox row, so the ack stays fast however
big the group), normalised by the worker: one inbox event per good alert (stored a piece at a
time, the body settled with the last piece); each bad alert left out, said on its group's
events, logged once per body and counted in hdc_alerts_rejected_total{reason}."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy.engine import Row

from connector.core import Connector
from connector.errors import PayloadError
from connector.events import ALERT_SOURCE
from connector.slices import Slicer
from connector.store import inbox
from connector.work import finish
from plugins.alerts.events import Body, parse_body

log = logging.getLogger(__name__)

BODY_EVENT = "alert_body"  # the receiver's row: a whole body, as it came
ALERT_EVENT = "alert"  # the worker's rows: one normalised Alert each
ALERT_WRITES = Slicer(first_guess=0.0001)  # a body's alerts, stored a slice at a time


def alert_events(body: Body) -> list[tuple[str, str, str, str]]:
    """(dedup key, name, ordering key, payload) of each alert: a firing and its resolution are
    each stored once, however often Alertmanager repeats the group."""
    seen: dict[str, tuple[str, str, str, str]] = {}
    for a in body.alerts:
        key = f"alert:{a.fingerprint}:{a.status}"
        seen.setdefault(key, (key, ALERT_EVENT, group_order(a.group), a.to_json()))
    return list(seen.values())


def group_order(group: str) -> str:
    """One ordering key per Alertmanager group: its alerts are processed one after another,
    so the group's one message is posted once and edited in order."""
    return "alerts:" + hashlib.sha256(group.encode()).hexdigest()[:32]


def split_body(c: Connector, row: Row[Any]) -> str:
    """One event per good alert of the body; the body settled with the last of them."""
    try:
        body = parse_body(row.payload)
    except PayloadError as exc:  # a large body the receiver only glanced at, not JSON
        with c.engine.begin() as conn:
            outcome = finish(c, conn, row, "failed", f"not an alerts body: {exc.reason}")
        c.metrics.alerts_rejected.labels("malformed_body").inc()
        log.warning("alerts body %s (inbox) left out whole: %s", row.id, exc.reason)
        return outcome
    events, added = alert_events(body), 0
    # In slices, each its own short transaction, burst or not (Alertmanager sends the next
    # body of a storm a second later, no burst to see): the store's write lock is let go
    # between them, so a receiver's insert waits for one slice, not for thousands of rows. A body
    # split again (the worker stopped half-way) adds only what is missing: the keys dedupe.
    # The body is settled in a transaction of its own, after its last alert is stored.
    for piece in ALERT_WRITES.pieces(c.engine, events):
        with c.engine.begin() as conn:
            added += inbox.add_events(conn, ALERT_SOURCE, list(piece))
    with c.engine.begin() as conn:
        said = f"{len(body.alerts)} alert(s), {added} new, {len(body.rejected)} rejected"
        if body.truncated:
            said += f", {body.truncated} truncated by the sender"
        outcome = finish(c, conn, row, "done", said)
    for r in body.rejected:
        c.metrics.alerts_rejected.labels(r.reason).inc()
    if body.rejected:
        log.warning("alerts body %s (group %r): %d of %d alert(s) rejected, the rest kept: %s",
                    row.id, body.group_key[:80], len(body.rejected),
                    len(body.rejected) + len(body.alerts),
                    "; ".join(r.detail for r in body.rejected[:3]))
    return outcome
