"""Steps every inbox processor shares: settle the event, enqueue actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Connection, Row

from connector.actions import typed_params
from connector.context import FeatureContext
from connector.events import Action
from connector.store import inbox, outbox

T = TypeVar("T")


class Between(Protocol):
    """What long work calls between two pieces: True means stop now (the rest stays pending
    for later). `more`: the piece was a full batch, so more is probably waiting."""

    def __call__(self, more: bool = False) -> bool: ...


def never_stop(more: bool = False) -> bool:
    """The Between of work run to the end (tests, one-shot commands)."""
    return False
Claim = Callable[..., list[T]]  # (conn, worker, limit, lease_seconds, **filters)


def batches(c: FeatureContext, claim: Claim[T], **filters: str | None) -> Iterator[list[T]]:
    """Claimed batches, each in its own short transaction, until nothing is claimable."""
    while True:
        with c.engine.begin() as conn:
            found = claim(conn, c.worker_id, c.config.worker.batch_size,
                          c.config.worker.lease_seconds, **filters)
        if not found:
            return
        yield found


def finish(c: FeatureContext, conn: Connection, row: Row[Any], status: str, outcome: str) -> str:
    """Mark the claimed event processed inside the caller's transaction."""
    if not inbox.finish_event(conn, row.id, c.worker_id, status, outcome):
        raise RuntimeError(f"lost the lease on inbox event {row.id}")
    return f"{status}: {outcome}"


def enqueue_actions(c: FeatureContext, conn: Connection, key: str, actions: list[Action],
                    inbox_id: int | None = None) -> int:
    """Add decided actions to the outbox, fanning chat actions out to every configured chat."""
    return sum(outbox.enqueue(conn, action, action_key, inbox_id)
               for action, action_key in fanned_out(c, key, actions))


def fanned_out(c: FeatureContext, key: str, actions: list[Action]) -> list[tuple[Action, str]]:
    """Each decided action once per target (a chat action goes to every chat that has its
    channel), with its idempotency key: the event's key, its place, target and content.
    Every action's parameters are checked against its kind (ActionParamsError if wrong)."""
    for action in actions:
        typed_params(action.kind, action.params)
    return [(action, f"{key}|{i}|{action.target}|{action.fingerprint()}")
            for i, decided in enumerate(actions) for action in chat_targets(c, decided)]


def chat_targets(c: FeatureContext, action: Action) -> list[Action]:
    """A `chat` action fanned out to every chat that has its channel; others pass through.
    With no chat configured for the channel it stays `chat`, which is a dry run."""
    if action.target != "chat":
        return [action]
    channel = action.params.get("channel", "")
    names = [name for name, cfg in c.config.chats.configured().items()
             if channel in cfg.channels]
    return [replace(action, target=name) for name in names] or [action]
