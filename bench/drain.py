"""Backlog drain end to end (issue 21 item 5): `helpdesk-connector worker` against a minimal
durable worker doing the same work, timed from each process's start to the last note."""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.hooks import BodyTemplate
from bench.phases import Bench
from bench.procs import REPO, Child, Processes, signals_as_exit
from bench.standin import BenchGitLab, serve_gitlab
from bench.stores import Stores

USAGE = """
    .venv/bin/python -m bench.drain [--backlog 2000] [--rounds 2] [--json FILE]

SQLite. Each round, alternating which goes first:
- connector: `helpdesk-connector run` with `worker.embedded: false` stores --backlog Issue Hooks
  (bench.load, 16 connections), is stopped, then `helpdesk-connector worker` starts;
- baseline: bench/baseline_notes.py on a queue of the same payloads (claim; write the action and
  settle the event; POST the note over keep-alive; settle the action — SQLite synchronous=FULL).
Each event is an issue closed by its L1 with one priority label and no word from the head of
support: belarus-ehr's close_agreement answers with one reminder note, the only action.
Both are timed from just before the process is spawned to the stand-in GitLab receiving the
last of the --backlog notes (its own clock, in this process); ratio = connector ÷ baseline
events/s in the same round.
"""

BASE_IID = 500_001


def _options(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.drain", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backlog", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--only", choices=["connector", "baseline"], help="measure one side only")
    p.add_argument("--also", action="append", default=[], metavar="NAME=DIR",
                   help="also time the worker of another checkout (e.g. `git worktree add` of "
                        "the commit before a change), in the same rounds")
    p.add_argument("--worker-args", default="",
                   help="prefix for the worker's python, e.g. '-m cProfile -o FILE'")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--concurrency", type=int, default=16, help="loading connections")
    p.add_argument("--start-timeout", type=float, default=180.0)
    p.add_argument("--drain-timeout", type=float, default=600.0)
    p.add_argument("--dir", type=Path, help="where the SQLite files go (default: the temp dir; "
                   "/dev/shm: fsync costs nothing, the CPU-bound case)")
    p.add_argument("--json", type=Path)
    p.add_argument("--keep", action="store_true")
    return p.parse_args(argv)


class Drain:
    """The rounds of one run, on one stand-in GitLab."""

    def __init__(self, opts: argparse.Namespace, procs: Processes, tmp: Path,
                 gitlab: BenchGitLab) -> None:
        self.o, self.procs, self.tmp, self.gitlab = opts, procs, tmp, gitlab
        self.bench = Bench(opts, procs, Stores(None, tmp), "monotonic", tmp)
        self.next_iid = BASE_IID

    def iids(self) -> range:
        """A fresh range of issue numbers: each measurement counts only its own notes."""
        start, self.next_iid = self.next_iid, self.next_iid + self.o.backlog
        return range(start, start + self.o.backlog)

    def connector(self, name: str, tree: Path = REPO) -> dict[str, Any]:
        """Store the backlog through the receiver alone, then time `worker` (of the checkout
        `tree`) draining it."""
        iids = self.iids()
        srv = self.bench.start_connector(name, embedded=False, gitlab=self.gitlab)
        assert srv.config is not None
        self.bench.load(name, srv.port, "count", iid_start=iids.start, count=self.o.backlog,
                        concurrency=self.o.concurrency, body="close")
        self.procs.stop(srv.child)
        pending = self.bench.stores.pending(srv.store, "inbox")
        if pending != self.o.backlog:
            raise RuntimeError(f"{name}: {pending} of {self.o.backlog} events stored")
        args = [*self.o.worker_args.split(), "-m", "connector.cli", "worker", "--config",
                str(srv.config)]
        started = time.monotonic()
        worker = self.procs.spawn(f"{name}-worker", [sys.executable, *args], cwd=tree)
        try:
            return self.timed(worker, iids, started, stays=True)
        finally:
            self.procs.stop(worker, grace=30.0)

    def baseline(self, name: str) -> dict[str, Any]:
        """Time bench/baseline_notes.py draining the same backlog."""
        iids = self.iids()
        path = self.tmp / f"{name}.db"
        fill_queue(path, "queue", [BodyTemplate("close").render(i).decode() for i in iids])
        started = time.monotonic()
        worker = self.procs.python(name, "bench.baseline_notes", "--store", f"sqlite:///{path}",
                                   "--table", "queue", "--gitlab", self.gitlab.url,
                                   "--token", self.gitlab.token)
        try:
            return self.timed(worker, iids, started, stays=False)
        finally:
            self.procs.stop(worker)

    def timed(self, worker: Child, iids: range, started: float, stays: bool) -> dict[str, Any]:
        """Wait for a note on every issue of `iids`; the figures from `started`."""
        deadline = started + self.o.drain_timeout
        while len(notes := self.gitlab.notes_posted(iids)) < len(iids):
            code = worker.proc.poll()
            if (code is not None and (stays or code != 0)) or time.monotonic() > deadline:
                raise RuntimeError(f"{worker.name}: {len(notes)} of {len(iids)} notes "
                                   f"(exit {code}); log {worker.log_path}\n{worker.tail()}")
            time.sleep(0.02)
        time.sleep(0.5)  # a duplicate would arrive about now
        notes = self.gitlab.notes_posted(iids)
        first, last = notes[0][1], max(at for _, at in notes)
        return {"events": len(iids), "notes": len(notes),
                "duplicates": len(notes) - len({iid for iid, _ in notes}),
                "seconds": last - started, "per_s": len(iids) / (last - started),
                "first_note_s": first - started,
                "notes_per_s": (len(iids) - 1) / (last - first) if last > first else None}


def fill_queue(path: Path, table: str, payloads: list[str]) -> None:
    """The baseline's queue with one pending row per payload."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, "
                   "status VARCHAR(16) NOT NULL DEFAULT 'pending', claimed_by VARCHAR(64), "
                   "lease_until REAL, processed_at REAL)")
        db.execute(f"CREATE INDEX ix_{table}_claim ON {table} (status, id)")
        db.executemany(f"INSERT INTO {table} (payload) VALUES (?)", [(p,) for p in payloads])


def commit_ms(path: Path, commits: int = 100) -> float:
    """What one durable commit (WAL, synchronous=FULL) costs here now, in ms: the baseline's
    unit of work, which a busy disk or host makes dearer."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
        start = time.perf_counter()
        for n in range(commits):
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO probe VALUES (?)", (n,))
            db.execute("COMMIT")
        return (time.perf_counter() - start) / commits * 1000
    finally:
        db.close()


def _other(d: Drain, run: str, tree: Path) -> dict[str, Any]:
    return d.connector(run, tree)


def _sides(opts: argparse.Namespace) -> dict[str, Callable[[Drain, str], dict[str, Any]]]:
    """What each round measures, by name: the baseline, this checkout's worker, and others'."""
    sides: dict[str, Callable[[Drain, str], dict[str, Any]]] = {
        "connector": Drain.connector, "baseline": Drain.baseline}
    for spec in opts.also:
        name, _, tree = spec.partition("=")
        sides[name] = functools.partial(_other, tree=Path(tree))
    return {k: v for k, v in sides.items() if not opts.only or k == opts.only}


def _rounds(d: Drain, say: Callable[[str], None]) -> list[dict[str, Any]]:
    sides = _sides(d.o)
    names = list(sides)
    rounds = []
    for r in range(d.o.rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # each goes first in turn
        result: dict[str, Any] = {"round": r + 1, "load_before": os.getloadavg()[0],
                                  "commit_ms": commit_ms(d.tmp / "probe-commit.db"),
                                  "order": order}
        for side in order:
            say(f"round {r + 1}: {side}")
            result[side] = sides[side](d, f"{side}-{r + 1}")
            say(f"round {r + 1}: {side}: {_figure(result[side])}")
        base = result.get("baseline")
        result["ratio"] = {k: result[k]["per_s"] / base["per_s"] for k in names
                           if k != "baseline" and base}
        result["load_after"] = os.getloadavg()[0]
        rounds.append(result)
    return rounds


def _figure(s: dict[str, Any]) -> str:
    return (f"{s['per_s']:.0f} ev/s end to end ({s['seconds']:.2f} s; first note after "
            f"{s['first_note_s']:.2f} s; {s['notes']} notes, {s['duplicates']} duplicates)")


def _table(rounds: list[dict[str, Any]]) -> str:
    names = list(rounds[0]["order"]) if rounds else []
    lines = ["| round (order) | load | commit ms | " + " | ".join(
        f"{n} ev/s (s; first note s)" for n in names) + " | ratios to baseline |",
        "|---|---|---:|" + "---:|" * len(names) + "---|"]
    for r in rounds:
        cells = []
        for n in names:
            s = r[n]
            cells.append(f"{s['per_s']:.0f} ({s['seconds']:.2f}; {s['first_note_s']:.2f})")
        ratios = ", ".join(f"{k} {v:.2f}×" for k, v in r["ratio"].items()) or "—"
        lines.append(f"| {r['round']} ({', '.join(r['order'])}) | {r['load_before']:.2f} → "
                     f"{r['load_after']:.2f} | {r['commit_ms']:.2f} | " + " | ".join(cells)
                     + f" | {ratios} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    opts = _options(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hdc-drain-", dir=opts.dir))
    (tmp / "logs").mkdir()
    (tmp / "run").mkdir(mode=0o700)
    procs = Processes(tmp / "logs", {"XDG_RUNTIME_DIR": str(tmp / "run")})
    ok = False
    try:
        with signals_as_exit(), serve_gitlab(time.monotonic, keep_alive=True) as gitlab:
            d = Drain(opts, procs, tmp, gitlab)
            rounds = _rounds(d, d.bench.say)
            print(_table(rounds))
            if opts.json:
                opts.json.write_text(json.dumps(rounds, indent=2), encoding="utf-8")
            ok = True
    finally:
        procs.close()
        if opts.keep or not ok:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
