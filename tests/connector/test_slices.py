"""The worker's writes on SQLite go in slices of about the budget's time, learnt from what the
slices cost: every item written once, in order; PostgreSQL writes a batch in one piece."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connector.slices import Slicer


class Work:
    """A timer that advances only while items are written: `cost` seconds an item."""

    def __init__(self, cost: float) -> None:
        self.cost, self.now = cost, 0.0

    def timer(self) -> float:
        return self.now

    def write(self, piece: list[int]) -> None:
        self.now += self.cost * len(piece)


def written(slicer: Slicer, work: Work, items: list[int]) -> list[list[int]]:
    engine = sa.create_engine("sqlite://")
    pieces = []
    for piece in slicer.pieces(engine, items):
        work.write(list(piece))
        pieces.append(list(piece))
    return pieces


@pytest.mark.parametrize(("cost", "budget", "settles_at"), [
    (0.001, 0.008, 8),     # 1 ms an event with its hooks: 8 a transaction
    (0.004, 0.008, 2),
    (0.020, 0.008, 1),     # an item dearer than the budget: one at a time, never none
    (0.00002, 0.008, 400),  # cheap rows (alerts): hundreds a transaction
])
def test_slices_settle_at_the_budget(cost: float, budget: float, settles_at: int) -> None:
    work = Work(cost)
    slicer = Slicer(budget, first_guess=0.002, timer=work.timer)
    items = list(range(20_000))

    pieces = written(slicer, work, items)

    assert [i for piece in pieces for i in piece] == items
    assert len(pieces[-2]) == pytest.approx(settles_at, rel=0.05, abs=1)


def test_with_no_webhooks_arriving_a_batch_is_one_piece() -> None:
    work = Work(0.001)
    slicer = Slicer(0.008, first_guess=0.002, timer=work.timer)
    arriving = iter([True, True, False])  # a burst ends after two slices

    pieces = []
    for piece in slicer.pieces(sa.create_engine("sqlite://"), list(range(100)),
                               lambda: next(arriving)):
        work.write(list(piece))
        pieces.append(len(piece))

    assert pieces == [4, 4, 92]


def test_postgresql_writes_a_batch_in_one_piece() -> None:
    engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    slicer = Slicer(0.008, first_guess=0.002)

    assert [list(p) for p in slicer.pieces(engine, [1, 2, 3])] == [[1, 2, 3]]
    assert list(slicer.pieces(engine, [])) == []
