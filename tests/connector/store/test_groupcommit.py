"""Group commit: concurrent receivers share transactions, each still gets its own answer only
after its rows are committed, and one request's failure is never another's."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from connector.errors import StoreError
from connector.store import inbox
from connector.store.db import make_engine, upgrade
from connector.store.groupcommit import GroupCommit


class SlowWriter:
    """A write that takes a while, records its batches and fails items named 'bad'."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.committed: set[str] = set()

    def __call__(self, items: list[str]) -> list[str]:
        if "bad" in items:
            raise StoreError("refused")
        time.sleep(0.02)
        self.batches.append(list(items))
        self.committed.update(items)
        return [f"ok:{item}" for item in items]


def test_requests_arriving_during_a_commit_share_the_next_one() -> None:
    writer = SlowWriter()
    committer = GroupCommit(writer)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(committer.submit, [f"r{i}" for i in range(64)]))
    assert results == [f"ok:r{i}" for i in range(64)]
    assert sorted(item for batch in writer.batches for item in batch) == \
        sorted(f"r{i}" for i in range(64))
    assert len(writer.batches) < 64 / 2  # shared: far fewer transactions than requests


def test_each_answer_comes_after_its_own_commit() -> None:
    writer = SlowWriter()
    committer = GroupCommit(writer)
    seen_committed: list[bool] = []

    def submit(item: str) -> None:
        committer.submit(item)
        seen_committed.append(item in writer.committed)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(submit, [f"r{i}" for i in range(40)]))
    assert seen_committed == [True] * 40


def test_a_failing_request_fails_alone() -> None:
    writer = SlowWriter()
    committer = GroupCommit(writer)
    start = threading.Barrier(12)

    def submit(item: str) -> str:
        start.wait()
        try:
            return committer.submit(item)
        except StoreError as exc:
            return f"error:{exc}"

    items = [f"r{i}" for i in range(11)] + ["bad"]
    with ThreadPoolExecutor(12) as pool:
        results = dict(zip(items, pool.map(submit, items), strict=True))
    assert results.pop("bad") == "error:refused"
    assert results == {item: f"ok:{item}" for item in items if item != "bad"}


@pytest.fixture
def engine(tmp_path: object) -> sa.Engine:
    e = make_engine(f"sqlite:///{tmp_path}/store.db")
    upgrade(e)
    return e


def test_concurrent_receivers_store_every_event_once(engine: sa.Engine) -> None:
    def receive(i: int) -> list[int | None]:
        key = f"k{i % 50}"  # every key sent four times, concurrently
        return inbox.store_received(engine, "gitlab", [(key, "Issue Hook", f"gitlab:1:{i}", "{}")])

    with ThreadPoolExecutor(16) as pool:
        answers = [ids[0] for ids in pool.map(receive, range(200))]
    stored = [a for a in answers if a is not None]
    assert len(stored) == 50 and len(set(stored)) == 50  # the other 150 answered "duplicate"
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT dedup_key FROM inbox")).scalars().all()
    assert sorted(rows) == sorted(f"k{i}" for i in range(50))
