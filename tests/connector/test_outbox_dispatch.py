"""The outbox lane settles what it performed in one transaction per claimed batch (a drained
backlog costs a durable commit per batch, not per action), and keeps each action's fate its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from connector.adapters import Performed
from connector.context import FeatureContext
from connector.core import Connector
from connector.events import Action, TicketRef
from connector.outbox_dispatch import dispatch_outbox
from connector.store import outbox
from connector.store.outbox import OutboxItem
from connector.store.schema import outbox as outbox_table
from tests.standins.gitlab import StandInGitLab

TICKETS = range(31, 36)


def _notes(c: Connector, iids: range, per_ticket: int = 1) -> None:
    with c.engine.begin() as conn:
        for iid in iids:
            for n in range(per_ticket):
                outbox.enqueue(conn, Action("add_note", "gitlab", TicketRef("gitlab", "1",
                                                                            str(iid)),
                                            {"body": f"заметка {n}"}, "test"), f"k-{iid}-{n}")


def _statuses(c: Connector) -> list[str]:
    with c.engine.connect() as conn:
        return list(conn.execute(select(outbox_table.c.status).order_by(outbox_table.c.id))
                    .scalars())


def _count_commits(c: Connector) -> list[int]:
    commits = [0]

    def count(_conn: Connection) -> None:
        commits[0] += 1

    event.listen(c.engine, "commit", count)
    return commits


def test_a_batch_of_actions_is_settled_in_one_transaction(
        db_url: str, standin_gitlab: StandInGitLab,
        make_connector: Callable[..., Connector]) -> None:
    """Five notes on five issues: one claim, five POSTs, one settle, one empty claim."""
    for iid in TICKETS:
        standin_gitlab.add_issue(1, iid, labels=[])
    c = make_connector(db_url, standin_gitlab)
    _notes(c, TICKETS)
    commits = _count_commits(c)

    assert dispatch_outbox(c) == len(TICKETS)

    assert _statuses(c) == ["done"] * len(TICKETS)
    assert len(standin_gitlab.writes("POST", r"/notes$")) == len(TICKETS)
    assert commits[0] == 3


def test_a_tickets_next_action_follows_the_settled_one_in_order(
        db_url: str, standin_gitlab: StandInGitLab,
        make_connector: Callable[..., Connector]) -> None:
    """Two notes on one issue go out one after the other, each once, in order."""
    standin_gitlab.add_issue(1, 31, labels=[])
    c = make_connector(db_url, standin_gitlab)
    _notes(c, range(31, 32), per_ticket=2)

    dispatch_outbox(c)

    bodies = [r.json["body"].split("\n")[0] for r in standin_gitlab.writes("POST", r"/notes$")]
    assert bodies == ["заметка 0", "заметка 1"] and _statuses(c) == ["done", "done"]


@pytest.mark.parametrize("broken_iid", [31, 33, 35])
def test_a_hook_failing_on_one_action_does_not_unsettle_the_others(
        broken_iid: int, sqlite_url: str, standin_gitlab: StandInGitLab,
        make_connector: Callable[..., Connector]) -> None:
    """A feature's after-action hook raises for one action: the others are settled done, and
    that one stays pending (claimed again after its lease, checked before it posts again)."""
    for iid in TICKETS:
        standin_gitlab.add_issue(1, iid, labels=[])
    c = make_connector(sqlite_url, standin_gitlab)

    def broken(_c: FeatureContext, _conn: Connection, item: OutboxItem, _p: Performed) -> None:
        if item.action.ticket.key == str(broken_iid):
            raise RuntimeError("a feature's bug")

    c.registry.after_action.append(broken)
    _notes(c, TICKETS)

    dispatch_outbox(c)

    expected = ["pending" if iid == broken_iid else "done" for iid in TICKETS]
    assert _statuses(c) == expected
