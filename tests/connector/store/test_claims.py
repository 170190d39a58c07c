"""Claims: each pending row goes to one worker at a time, in order per ordering key, and a
dead worker's lease is taken over once it runs out."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select

from connector.clock import FakeClock
from connector.events import Action, TicketRef
from connector.store import inbox, outbox
from connector.store.claims import release_worker
from connector.store.db import make_engine, upgrade
from connector.store.schema import inbox as inbox_table


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(db_url: str, clock: FakeClock) -> Iterator[Engine]:
    e = make_engine(db_url, clock=clock)
    upgrade(e)
    yield e
    e.dispose()


def add(engine: Engine, key: str, ordering: str) -> int | None:
    with engine.begin() as conn:
        return inbox.add_event(conn, source="gitlab", dedup_key=key, event_name="Issue Hook",
                               ordering_key=ordering, payload="{}")


def claim(engine: Engine, worker: str, lease: float = 60) -> list[int]:
    with engine.begin() as conn:
        return [r.id for r in inbox.claim_events(conn, worker, 10, lease)]


def test_one_ticket_is_worked_in_order_others_in_parallel(engine: Engine) -> None:
    a1, a2, b1 = add(engine, "1", "ticket-a"), add(engine, "2", "ticket-a"), add(engine, "3", "b")
    assert claim(engine, "w1") == [a1, b1]  # a2 waits for a1
    assert claim(engine, "w2") == []
    with engine.begin() as conn:
        assert inbox.finish_event(conn, a1, "w1", "done", "ok")  # type: ignore[arg-type]
    assert claim(engine, "w2") == [a2]


def test_duplicate_dedup_key_is_not_stored_twice(engine: Engine) -> None:
    assert add(engine, "same", "t") is not None
    assert add(engine, "same", "t") is None
    with engine.connect() as conn:
        assert inbox.count_by_status(conn) == {"pending": 1}


def test_a_dead_workers_lease_is_taken_over(engine: Engine, clock: FakeClock) -> None:
    event = add(engine, "1", "t")
    assert claim(engine, "dead", lease=30) == [event]
    clock.advance(29)
    assert claim(engine, "alive") == []
    clock.advance(2)
    assert claim(engine, "alive") == [event]
    with engine.begin() as conn:
        assert not inbox.finish_event(conn, event, "dead", "done", "late")  # type: ignore[arg-type]
        assert inbox.finish_event(conn, event, "alive", "done", "ok")  # type: ignore[arg-type]


def test_concurrent_claimers_never_share_a_row(engine: Engine) -> None:
    for i in range(200):
        add(engine, str(i), f"ticket-{i}")

    def worker(name: str) -> list[int]:
        got: list[int] = []
        while batch := claim(engine, name):
            got += batch
            with engine.begin() as conn:
                for event_id in batch:
                    inbox.finish_event(conn, event_id, name, "done", "ok")
        return got

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, ["w1", "w2", "w3", "w4"]))
    claimed = [i for r in results for i in r]
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 200


def test_outbox_retry_waits_and_blocks_later_actions_of_the_same_ticket(
        engine: Engine, clock: FakeClock) -> None:
    ref = TicketRef("gitlab", "1", "23")
    with engine.begin() as conn:
        for n in range(2):
            outbox.enqueue(conn, Action("add_note", "gitlab", ref, {"body": str(n)}, "t"), f"k{n}")
        first = outbox.claim_actions(conn, "w", 10, 60)
    assert [i.action.params["body"] for i in first] == ["0"]
    with engine.begin() as conn:
        outbox.schedule_retry(conn, first[0].id, "w", 30, "429")
        assert outbox.claim_actions(conn, "w", 10, 60) == []  # order beats throughput
    clock.advance(29)
    with engine.begin() as conn:
        assert outbox.claim_actions(conn, "w", 10, 60) == []
    clock.advance(2)
    with engine.begin() as conn:
        again = outbox.claim_actions(conn, "w", 10, 60)
    assert [(i.action.params["body"], i.attempt) for i in again] == [("0", 2)]


def test_enqueue_is_idempotent_on_its_key(engine: Engine) -> None:
    action = Action("add_note", "gitlab", TicketRef("gitlab", "1", "2"), {"body": "x"}, "t")
    with engine.begin() as conn:
        assert outbox.enqueue(conn, action, "same-key")
        assert not outbox.enqueue(conn, action, "same-key")
        assert outbox.count_by_status(conn) == {"pending": 1}


def test_a_stopping_worker_gives_back_its_claims_at_once(engine: Engine) -> None:
    mine, theirs, done = add(engine, "1", "a"), add(engine, "2", "b"), add(engine, "3", "c")
    assert claim(engine, "stopping") == [mine, theirs, done]
    with engine.begin() as conn:
        inbox.finish_event(conn, done, "stopping", "done", "ok")  # type: ignore[arg-type]
        conn.execute(inbox_table.update().where(inbox_table.c.id == theirs)
                     .values(claimed_by="other"))
        outbox.enqueue(conn, Action("add_note", "gitlab", TicketRef("gitlab", "1", "2"),
                                    {"body": "x"}, "t"), "k")
        [action] = outbox.claim_actions(conn, "stopping", 10, 60)

    assert release_worker(engine, "stopping") == 2

    assert claim(engine, "next") == [mine]  # not after the lease: now; `theirs` stays held
    with engine.begin() as conn:
        [again] = outbox.claim_actions(conn, "next", 10, 60)
        status = conn.execute(select(inbox_table.c.status).where(inbox_table.c.id == done))
        assert status.scalar_one() == "done"
    assert again.id == action.id and again.attempt == 2  # a retry checks before it acts


@pytest.mark.parametrize(("lanes", "claimable_while_the_first_retries"), [
    (("", ""), []),  # one ticket on one target: in order, the second waits
    (("clients|pharmacies", "clients|mo"), ["clients|mo"]),  # a lane each: it goes
])
def test_an_action_in_a_lane_of_its_own_is_not_held_by_another_that_retries(
        engine: Engine, clock: FakeClock, lanes: tuple[str, str],
        claimable_while_the_first_retries: list[str]) -> None:
    """Belarus §4.3.1 / Sevastopol §2.7 notices: one client target that keeps failing holds
    none of the others."""
    ref = TicketRef("gitlab", "1", "23")
    with engine.begin() as conn:
        for i, lane in enumerate(lanes):
            outbox.enqueue(conn, Action("send_mail", "mail", ref, {
                "to": [f"list{i}@example.org"], "subject": "s", "body": "b"}, "outage_clients",
                lane=lane), f"key-{i}")
        [first] = outbox.claim_actions(conn, "w1", 1, 60)
        assert outbox.schedule_retry(conn, first.id, "w1", 300, "SMTP 451")
        later = outbox.claim_actions(conn, "w1", 10, 60)
    assert [lanes[int(item.idempotency_key[-1])] for item in later] == \
        claimable_while_the_first_retries
