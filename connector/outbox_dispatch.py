"""Outbox dispatch: perform each action once through its adapter, retry with backoff (honouring
Retry-After), park what cannot succeed, then run the hooks features registered."""

from __future__ import annotations

import logging
import random
import time

from sqlalchemy.engine import Connection

from connector.actions import ActionParamsError
from connector.adapters import Performed
from connector.core import Connector
from connector.errors import NotYetError, PermanentActionError, RetryableActionError
from connector.slices import Slicer
from connector.store import outbox
from connector.store.outbox import OutboxItem
from connector.work import Between, never_stop

log = logging.getLogger(__name__)
SETTLING = Slicer()  # performed actions recorded a slice at a time, with their hooks
SETTLE_WITHIN = 0.2  # seconds an action performed may wait to be recorded with the next ones

Done = tuple[OutboxItem, Performed]


def backoff_delay(attempt: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter; a server's Retry-After is a floor, never shortened."""
    if retry_after is not None:
        return max(retry_after, 0.0) + random.uniform(0.0, min(1.0, base / 4))
    return min(cap, base * 2 ** max(0, attempt - 1)) * random.uniform(0.5, 1.0)


def dispatch_outbox(c: Connector, target: str | None = None,
                    between: Between = never_stop) -> int:
    """Perform due actions (for one target, if given) until none is claimable or the target's
    circuit opens; returns how many were settled. A target on trial gets one action at a time;
    claimed actions a circuit stops are released at once, for later. Successes are recorded
    together, one transaction per claimed batch (an action performed but not yet recorded
    when the process dies is claimed again and checked before it acts, as after any crash)."""
    w, total = c.config.worker, 0
    while (target is None or not c.circuits.is_open(target)) and not between():
        limit = 1 if target is not None and c.circuits.on_trial(target) else w.batch_size
        with c.engine.begin() as conn:
            items = outbox.claim_actions(conn, c.worker_id, limit, w.lease_seconds, target)
        if not items:
            return total
        done: list[Done] = []
        oldest = 0.0  # when the first of `done` was performed
        try:
            for n, item in enumerate(items):
                if between() or (target is not None and c.circuits.is_open(target)):
                    with c.engine.begin() as conn:
                        outbox.release(conn, [i.id for i in items[n:]], c.worker_id)
                    return total
                if done and (time.monotonic() - oldest > SETTLE_WITHIN or any(
                        d.action.ticket == item.action.ticket for d, _ in done)):
                    done = settle_done(c, done)  # a ticket's next action sees the last settled
                performed = attempt(c, item)
                if performed is not None:
                    oldest = oldest if done else time.monotonic()
                    done.append((item, performed))
                total += 1
        finally:
            settle_done(c, done)
    return total


def attempt(c: Connector, item: OutboxItem) -> Performed | None:
    """Run one action through its adapter; a failure is recorded here, a success returned
    for `settle_done` to record."""
    a, w = item.action, c.config.worker
    adapter = c.adapters.get(a.target)
    labels = {"target": a.target, "kind": a.kind}
    try:
        try:
            if adapter is None:
                raise PermanentActionError(f"no adapter for target {a.target!r}")
            performed = adapter.perform(item)
        except (RetryableActionError, PermanentActionError):
            raise
        except ActionParamsError as exc:  # a stored action its adapter cannot read
            raise PermanentActionError(f"bad parameters: {exc}") from exc
        except Exception as exc:  # boundary: an adapter bug parks the action, never loops
            log.exception("%s on %s crashed; parked", a.kind, a.ticket)
            raise PermanentActionError(f"crashed: {type(exc).__name__}: {exc}") from exc
    except RetryableActionError as exc:
        if not isinstance(exc, NotYetError):
            c.circuits.failed(a.target)
        if item.attempt >= w.max_attempts:
            _settle_failed(c, item, f"{exc} (gave up after {item.attempt} attempts)")
            return None
        delay = backoff_delay(item.attempt, w.backoff_base_seconds, w.backoff_max_seconds,
                              exc.retry_after)
        log.warning("%s on %s: %s; retry in %.1fs", a.kind, a.ticket, exc, delay,
                    extra={"outbox_id": item.id, "attempt": item.attempt})
        with c.engine.begin() as conn:
            outbox.schedule_retry(conn, item.id, c.worker_id, delay, str(exc))
        c.metrics.actions.labels(**labels, outcome="retry").inc()
        return None
    except PermanentActionError as exc:
        _settle_failed(c, item, str(exc))
        return None
    c.circuits.succeeded(a.target)
    return performed


def settle_done(c: Connector, done: list[Done]) -> list[Done]:
    """Record performed actions as done (with the features' hooks) a slice per transaction; if
    one fails, its actions each on their own, so one action's hook never costs the others
    their record.
    Returns an empty list, for the caller's next batch."""
    for piece in SETTLING.pieces(c.engine, done, c.receivers_busy):
        try:
            with c.engine.begin() as conn:
                for item, performed in piece:
                    _mark_done(c, conn, item, performed)
        except Exception:  # boundary: record them one by one; a failing one is claimed again
            log.warning("recording %d performed actions failed; recording them one by one",
                        len(piece), exc_info=True)
            for item, performed in piece:
                try:
                    with c.engine.begin() as conn:
                        _mark_done(c, conn, item, performed)
                except Exception:  # boundary: checked and recorded on its next claim
                    log.exception("recording %s on %s failed", item.action.kind,
                                  item.action.ticket, extra={"outbox_id": item.id})
    for item, performed in done:
        a = item.action
        c.metrics.actions.labels(target=a.target, kind=a.kind, outcome=performed.status).inc()
        c.metrics.latency.labels(a.target).observe(max(0.0, c.clock.now() - item.created_at))
        log.info("%s on %s: %s", a.kind, a.ticket, performed.status,
                 extra={"outbox_id": item.id})
    return []


def _mark_done(c: Connector, conn: Connection, item: OutboxItem, performed: Performed) -> None:
    if outbox.mark_done(conn, item.id, c.worker_id, performed.status):
        for hook in c.registry.after_action:
            hook(c, conn, item, performed)


def _settle_failed(c: Connector, item: OutboxItem, reason: str) -> None:
    a = item.action
    log.error("%s on %s failed: %s", a.kind, a.ticket, reason, extra={"outbox_id": item.id})
    with c.engine.begin() as conn:
        if outbox.mark_failed(conn, item.id, c.worker_id, reason):
            for hook in c.registry.after_failure:
                hook(c, conn, item, reason)
    c.metrics.actions.labels(target=a.target, kind=a.kind, outcome="failed").inc()
