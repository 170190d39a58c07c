"""Benchmark of the spine (receive → inbox → worker → effect) against baselines, in one run."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bench import report
from bench.phases import Bench
from bench.procs import REPO, Processes, StartError, shared_monotonic, signals_as_exit
from bench.stores import Stores

USAGE = """
    .venv/bin/python -m bench.spine [--store URL] [--seconds N] [--json FILE]

Every server is a separate process on loopback, loaded by a separate load-generator process
(bench/load.py); ratios compare figures measured in this same run:

- baseline receiver (bench/baseline_app.py): bare Flask + one durable INSERT per request, under
  gunicorn with exactly the settings `helpdesk-connector run` uses (read from connector.cli);
- the connector, `helpdesk-connector run` on a fresh store, with its embedded worker and with
  `worker.embedded: false` (receiver alone); its GitLab is the repository's stand-in;
- steady: open loop at --rate for --seconds, ack latency from each request's scheduled time;
- peak: --concurrency connections as fast as they go, --peak-seconds;
- backlog drain: --backlog events, `helpdesk-connector worker` vs bench/baseline_worker.py;
- webhook → effect: the stand-in receiving the issue's label PUT minus the webhook's send time.

Prints a Markdown table (and writes JSON with --json). Exit status 1 when a measurement failed.
"""


def _options(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.spine", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", default="", help="PostgreSQL URL (default: fresh SQLite files)")
    p.add_argument("--seconds", type=float, default=15.0, help="steady phase length")
    p.add_argument("--rate", type=float, default=200.0, help="steady open-loop req/s")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured lead-in of steady")
    p.add_argument("--open-threads", type=int, default=32,
                   help="steady: sender threads (max requests in flight)")
    p.add_argument("--concurrency", type=int, default=16, help="peak: connections")
    p.add_argument("--peak-seconds", type=float, default=5.0)
    p.add_argument("--backlog", type=int, default=2000, help="drain: events in the inbox")
    p.add_argument("--batch", type=int, default=1,
                   help="drain: the reference minimal worker's batch (1: each event durably "
                        "done on its own, the worker the issue's 1,300-1,600 ev/s describes)")
    p.add_argument("--effect-rate", type=float, default=20.0)
    p.add_argument("--effect-seconds", type=float, default=10.0)
    p.add_argument("--threads", type=int, default=8, help="gunicorn threads, both servers")
    p.add_argument("--start-timeout", type=float, default=180.0, help="per server start")
    p.add_argument("--settle", type=float, default=90.0,
                   help="max wait for the worker to catch up between phases")
    p.add_argument("--drain-timeout", type=float, default=600.0)
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, databases)")
    opts = p.parse_args(argv)
    if opts.store and not opts.store.startswith("postgresql"):
        p.error("--store takes a PostgreSQL URL; SQLite is the default")
    return opts


def cpu_times() -> list[int]:
    """Linux's aggregate CPU counters (user … steal), or [] where /proc/stat is missing."""
    try:
        with open("/proc/stat") as f:
            return [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return []


def steal_share(before: list[int], after: list[int]) -> float | None:
    """The share of CPU time the hypervisor gave to others between two readings: a run with
    much of it measured a busy host, not the code."""
    if len(before) < 8 or len(after) < 8:
        return None
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return spent[7] / sum(spent) if sum(spent) else None


def _meta(opts: argparse.Namespace, clock: str) -> dict[str, Any]:
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return out.stdout.strip()

    dirty = len([line for line in git("status", "--porcelain").splitlines() if line])
    return {"when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "host": platform.node(),
            "cpus": os.cpu_count(), "load_before": os.getloadavg(), "cpu_before": cpu_times(),
            "python": platform.python_version(), "commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted_files": dirty, "store": "postgresql" if opts.store else "sqlite",
            "clock": clock, "options": {k: str(v) for k, v in vars(opts).items()}}


def _measure(bench: Bench, failures: list[str]) -> None:
    steps: list[tuple[str, Callable[[], None]]] = [
        ("baseline receiver", bench.baseline_receiver),
        ("connector with worker", bench.connector_with_worker),
        ("receiver alone + worker drain", bench.receiver_alone),
        ("minimal worker drain", bench.minimal_worker)]
    for name, step in steps:
        try:
            step()
        except (StartError, RuntimeError, TimeoutError, OSError, SQLAlchemyError) as exc:
            failures.append(f"{name}: {exc}")
            bench.say(f"FAILED {name}: {exc}")
            if not isinstance(exc, StartError | TimeoutError):
                traceback.print_exc(file=sys.stderr)
        finally:
            bench.procs.close()  # nothing of a step outlives it


def _steal(share: float | None) -> str:
    return "CPU steal unknown" if share is None else f"CPU steal {share:.0%} of the run"


def _clean(value: Any) -> Any:
    """NaN → None, so the JSON is JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _notes(bench: Bench, meta: dict[str, Any], failures: list[str]) -> list[str]:
    r, settings = bench.results, bench.settings
    gunicorn = ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))
    lines = [f"store: {meta['store']}; commit {meta['commit']} (+{meta['uncommitted_files']} "
             f"uncommitted files); {meta['cpus']} CPUs, load {meta['load_before'][0]:.2f} → "
             f"{meta['load_after'][0]:.2f}; {_steal(meta['cpu_steal'])}; clock: {meta['clock']}",
             f"gunicorn (both servers): {gunicorn} [{bench.settings_source}]"]
    for who in ("baseline", "connector"):
        s = r["steady"].get(who)
        if s:
            lines.append(f"steady {who}: {s['requests']} requests at {s['offered_rate']:.0f}/s, "
                         f"{s['failed']} failed, send lag p99 {s['send_lag_p99_ms']:.1f} ms, "
                         f"{s['reconnects']} reconnects" + (
                             f", {s['pending_after_settle']} rows still pending after settle"
                             if s.get("pending_after_settle") else ""))
    for who, s in r["peak"].items():
        lines.append(f"peak {who}: {s['ok']} ok / {s['failed']} failed in {s['seconds']:.1f} s, "
                     f"latency p50 {s['p50']:.1f} ms, p99 {s['p99']:.1f} ms")
    for who, s in r["drain"].items():
        lines.append(f"drain {who}: {s['rows']} rows in {s['seconds']:.2f} s after the first "
                     f"claim; {s['start_s']:.2f} s from process start to first claim, "
                     f"{s['claim_to_first_done_s']:.2f} s from it to the first processed_at"
                     + (f"; {s['rows_at_end']} rows in the table at the end"
                        if s["rows_at_end"] != s["rows"] else ""))
    e = r["effect"]
    if e:
        lines.append(f"effect: {e['effects']} of {e['events']} events had their PUT "
                     f"({e['acked']} acked); from scheduled send p50 "
                     f"{e['from_scheduled_p50']:.1f} ms; ack p50 {e['ack_p50']:.1f} ms")
    stops = ", ".join(f"{k} {v}" for k, v in bench.procs.stopped.items()
                      if not k.startswith(("load-", "baseline-worker")))
    lines.append(f"shutdown: {stops}")
    for who, counts in r["gitlab_requests"].items():
        lines.append(f"stand-in GitLab requests, {who}: {counts}")
    lines += [f"FAILED {f.splitlines()[0]}" for f in failures]
    return lines


def main(argv: list[str] | None = None) -> int:
    opts = _options(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hdc-spine-"))
    (tmp / "logs").mkdir()
    failures: list[str] = []
    clock = "monotonic" if shared_monotonic() else "time"
    meta = _meta(opts, clock)
    (tmp / "run").mkdir(mode=0o700)  # gunicorn's control socket goes here, not to ~/.gunicorn
    procs = Processes(tmp / "logs", {"XDG_RUNTIME_DIR": str(tmp / "run")})
    stores = Stores(opts.store or None, tmp)
    ok, keep_logs = False, True
    try:
        with signals_as_exit():
            bench = Bench(opts, procs, stores, clock, tmp)
            bench.say(f"temp dir {tmp}; clock {clock}; gunicorn {bench.settings}")
            _measure(bench, failures)
            meta["load_after"] = os.getloadavg()
            meta["cpu_steal"] = steal_share(meta.pop("cpu_before"), cpu_times())
            table = report.rows(bench.results)
            notes = _notes(bench, meta, failures)
            print(report.markdown(table))
            print()
            print("\n".join(f"- {line}" for line in notes))
            if opts.json:
                opts.json.write_text(json.dumps(_clean({
                    "meta": meta, "gunicorn": bench.settings, "table": table,
                    "results": bench.results, "notes": notes, "failures": failures}),
                    indent=2, ensure_ascii=False), encoding="utf-8")
            ok = not failures
            keep_logs = not ok
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, SIGTERM, SIGHUP
        keep_logs = False
        status = 130 if isinstance(exc, KeyboardInterrupt) else exc.code
        print(f"interrupted ({status}); stopping everything", file=sys.stderr)
        return status if isinstance(status, int) else 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip this
        procs.close()
        stores.close()
        _tidy(tmp, opts.keep, keep_logs)
    return 0 if ok else 1


def _tidy(tmp: Path, keep_all: bool, keep_logs: bool) -> None:
    """Delete the temp dir, or all but its logs (a failure), or nothing (--keep)."""
    if keep_all:
        print(f"kept {tmp}", file=sys.stderr)
    elif keep_logs:
        for path in tmp.iterdir():
            if path.name != "logs":
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        print(f"kept the logs: {tmp / 'logs'}", file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
