"""Load generator (run as its own process): POSTs Issue Hooks over keep-alive connections."""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.hooks import BODIES, PATH, SECRET, BodyTemplate, headers

USAGE = """
    python -m bench.load --port P --mode open --rate 200 --seconds 10 --out FILE

Modes: `open` sends request i at t0 + i/rate whatever the server does (latency is then measured
from that scheduled time, so a stalled server cannot hide its queue: no coordinated omission);
`closed` keeps `--concurrency` requests in flight for the duration; `count` sends exactly
`--count` requests with that concurrency. Each request has its own iid and Idempotency-Key.
Writes JSON: records [i, iid, scheduled, sent, done, status] with times on `--clock`.
"""

CLOCKS: dict[str, Callable[[], float]] = {"monotonic": time.monotonic, "time": time.time}
Record = tuple[int, int, float, float, float, int]  # status 0: transport error, no answer


class Load:
    """One run of the load generator; `run()` returns what is written as JSON."""

    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.clock = CLOCKS[opts.clock]
        self.template = BodyTemplate(opts.body)
        self.counter = itertools.count()
        self.records: list[Record] = []
        self.errors: Counter[str] = Counter()
        self.reconnects = 0
        self.t0 = self.measure_from = self.end = 0.0

    def run(self) -> dict[str, Any]:
        """Send everything from all threads; the result written as JSON."""
        o = self.opts
        self.t0 = self.clock() + 0.3  # every thread is up and connected by then
        self.measure_from = self.t0 + o.warmup
        self.end = self.measure_from + o.seconds
        threads = [threading.Thread(target=self._thread, daemon=True)
                   for _ in range(o.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.records.sort()
        return {"mode": o.mode, "clock": o.clock, "t0": self.t0, "measure_from":
                self.measure_from, "end": self.end, "concurrency": o.concurrency,
                "rate": o.rate, "reconnects": self.reconnects, "errors": dict(self.errors),
                "records": self.records}

    def _next(self) -> tuple[int, float] | None:
        """The next request's index and scheduled time, after waiting for it; None: done."""
        o, i = self.opts, next(self.counter)
        if o.mode == "open":
            scheduled = self.t0 + i / o.rate
            if scheduled >= self.end:
                return None
            delay = scheduled - self.clock()
            if delay > 0:
                time.sleep(delay)
            return i, scheduled
        if o.mode == "count" and i >= o.count:
            return None
        now = self.clock()
        if o.mode == "closed" and now >= self.end:
            return None
        return i, max(now, self.t0)

    def _thread(self) -> None:
        o = self.opts
        conn: http.client.HTTPConnection | None = self._connect()
        if (lead := self.t0 - self.clock()) > 0:
            time.sleep(lead)
        while (job := self._next()) is not None:
            i, scheduled = job
            iid = o.iid_start + i
            body = self.template.render(iid)
            sent = self.clock()
            conn, status = self._post(conn, body, headers(f"{o.key_prefix}-{i}", o.secret))
            self.records.append((i, iid, scheduled, sent, self.clock(), status))
        if conn is not None:
            conn.close()

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.opts.port, timeout=self.opts.timeout)
        try:
            conn.connect()
        except OSError:
            conn.close()  # counted when a request fails on it
        return conn

    def _post(self, conn: http.client.HTTPConnection | None, body: bytes,
              hdrs: dict[str, str]) -> tuple[http.client.HTTPConnection | None, int]:
        """POST once; a keep-alive connection the server closed meanwhile is reopened once."""
        for attempt in (0, 1):
            if conn is None:
                conn = self._connect()
            reused = conn.sock is not None
            try:
                conn.request("POST", self.opts.path, body, hdrs)
                response = conn.getresponse()
                response.read()
                if response.will_close:
                    conn.close()
                    return None, response.status
                return conn, response.status
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError) as exc:
                conn.close()
                conn = None
                if attempt or not reused:
                    self.errors[type(exc).__name__] += 1
                    return None, 0
                self.reconnects += 1
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self.errors[type(exc).__name__] += 1
                return None, 0
        return None, 0


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default=PATH)
    p.add_argument("--mode", choices=["open", "closed", "count"], required=True)
    p.add_argument("--rate", type=float, default=200.0, help="open: requests per second")
    p.add_argument("--seconds", type=float, default=10.0, help="open/closed: measured time")
    p.add_argument("--warmup", type=float, default=0.0, help="open/closed: unmeasured lead-in")
    p.add_argument("--count", type=int, default=0, help="count: requests to send")
    p.add_argument("--concurrency", type=int, default=16, help="threads, one connection each")
    p.add_argument("--iid-start", type=int, default=1)
    p.add_argument("--key-prefix", required=True, help="Idempotency-Key = PREFIX-<i>")
    p.add_argument("--secret", default=SECRET)
    p.add_argument("--body", choices=sorted(BODIES), default="conflict",
                   help="which Issue Hook (bench/hooks.py)")
    p.add_argument("--clock", choices=sorted(CLOCKS), default="monotonic")
    p.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    p.add_argument("--out", type=Path, required=True)
    opts = p.parse_args(argv)
    result = Load(opts).run()
    Path(opts.out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
