"""`helpdesk-connector run`: the receivers (gunicorn) and the worker as two processes, so the
worker's Python never shares an interpreter — and its lock — with the acks. This process only
watches them: the worker is restarted with backoff when it dies, SIGTERM/SIGINT stop both, and
`run` exits non-zero when either cannot start."""

from __future__ import annotations

import contextlib
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client.multiprocess import mark_process_dead

from connector.metrics import MULTIPROC_ENV, clear_shared_dir
from connector.workerproc import READY_FD_ENV

log = logging.getLogger(__name__)

START_SECONDS = 300.0  # the worker's first start (migrations on a big store) may take a while
STOP_SECONDS = 50.0  # both finish the piece in hand (systemd's TimeoutStopSec=60 above it)
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0  # seconds before a dead worker is started again
STEADY_SECONDS = 60.0  # a worker that lived this long starts its next backoff from the first
TICK = 0.2  # how often the children are looked at
# Acks first: the worker runs at a lower CPU priority than the receivers, so on a busy host the
# kernel gives a request thread the core at once, and the worker all the time left over (the
# work waits in the store, durably).
WORKER_NICE = 10


class StartFailed(RuntimeError):
    """A child exited before it was up: `run` stops and says which."""


@dataclass
class Children:
    """What `run` started: the receivers, the worker, and when the worker may start again."""

    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    worker_since: float = 0.0
    restart_at: float | None = None
    backoff: float = BACKOFF_FIRST
    env: dict[str, str] = field(default_factory=dict)


class Supervisor:
    """Starts, watches and stops `run`'s two processes."""

    def __init__(self, config_file: Path, web_args: list[str], with_worker: bool) -> None:
        self.config_file, self.web_args, self.with_worker = config_file, web_args, with_worker
        self.stopping = threading.Event()
        self.kids = Children()

    def run(self) -> int:
        """Until SIGTERM/SIGINT (0) or the receivers' exit (their status, at least 1)."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        with self._shared_metrics() as env:
            self.kids.env = env
            try:
                self.kids.web = self._spawn([sys.executable, "-m", "webhooks.serve",
                                             "--config", str(self.config_file), *self.web_args])
                if self.with_worker:
                    self._first_worker()
                return self._watch()
            except StartFailed as exc:
                log.error("%s", exc)
                return 1
            finally:
                self._stop_all()

    def _watch(self) -> int:
        kids = self.kids
        while not self.stopping.wait(TICK):
            assert kids.web is not None
            if (code := kids.web.poll()) is not None:
                log.error("the receivers (gunicorn, pid %d) exited with %s; stopping the worker",
                          kids.web.pid, code)
                return code or 1
            if self.with_worker:
                self._keep_worker()
        return 0

    def _first_worker(self) -> None:
        """Start the worker and wait until it says it is up, dies, or `run` is stopped. One
        that dies on its way up is started again with backoff, as any dead worker: the store
        was opened before (connector/startup.py), so what stopped it is most likely passing —
        PostgreSQL restarting while the worker migrated. One that hangs stops `run`."""
        read_end, write_end = os.pipe()
        try:
            self._start_worker(write_end)
        finally:
            os.close(write_end)
        with os.fdopen(read_end, "rb") as said:
            deadline = time.monotonic() + START_SECONDS
            while not self.stopping.is_set() and time.monotonic() < deadline:
                if select.select([said], [], [], TICK)[0]:
                    said.readline()  # "ready", or the pipe closed: it died on its way up
                    return  # a dead one is _keep_worker's to start again
            if self.stopping.is_set():
                return
        worker = self.kids.worker
        assert worker is not None
        raise StartFailed(f"the worker (pid {worker.pid}) did not say it was up within "
                          f"{START_SECONDS:.0f} s; see its lines above")

    def _start_worker(self, ready_fd: int | None = None) -> None:
        env = {READY_FD_ENV: str(ready_fd)} if ready_fd is not None else {}
        self.kids.worker = self._spawn([sys.executable, "-m", "connector.cli", "worker",
                                        "--config", str(self.config_file)], env,
                                       () if ready_fd is None else (ready_fd,), WORKER_NICE)
        self.kids.worker_since = time.monotonic()
        log.info("worker started (pid %d)", self.kids.worker.pid)

    def _keep_worker(self) -> None:
        """A dead worker is started again after a backoff that doubles while it keeps dying."""
        kids, now = self.kids, time.monotonic()
        if kids.restart_at is not None:
            if now >= kids.restart_at:
                kids.restart_at = None
                self._start_worker()
            return
        assert kids.worker is not None
        code = kids.worker.poll()
        if code is None:
            return
        self._forget(kids.worker.pid)
        if now - kids.worker_since >= STEADY_SECONDS:
            kids.backoff = BACKOFF_FIRST
        log.warning("the worker (pid %d) exited with %s; starting it again in %.0f s",
                    kids.worker.pid, code, kids.backoff)
        kids.restart_at = now + kids.backoff
        kids.backoff = min(BACKOFF_MAX, kids.backoff * 2)

    def _spawn(self, args: list[str], env: dict[str, str] | None = None,
               fds: tuple[int, ...] = (), nice: int = 0) -> subprocess.Popen[bytes]:
        """A child on this process's stdin, stdout and stderr (one log), in its group, `nice`
        steps below this process's CPU priority — where the host allows it: a seccomp filter
        without setpriority (a unit's SystemCallFilter) costs the acks' priority, never the
        start (set from here, before the child's threads exist: they inherit it)."""
        child = subprocess.Popen(args, env={**self.kids.env, **(env or {})}, pass_fds=fds)
        if nice:
            try:
                os.setpriority(os.PRIO_PROCESS, child.pid,
                               os.getpriority(os.PRIO_PROCESS, 0) + nice)
            except OSError as exc:
                log.warning("cannot lower the worker's CPU priority (%s): the receivers share "
                            "the cores with it evenly; allow setpriority (docs/install.md)",
                            exc.strerror or exc)
        return child

    def _stop_all(self) -> None:
        """SIGTERM to both; whoever is not gone after STOP_SECONDS is killed."""
        live = [p for p in (self.kids.worker, self.kids.web) if p is not None and
                p.poll() is None]
        for proc in live:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for proc in live:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("pid %d did not stop within %.0f s: killed", proc.pid, STOP_SECONDS)
                proc.kill()
                proc.wait()
            self._forget(proc.pid)

    def _forget(self, pid: int) -> None:
        """A child's live gauges leave /metrics with it; its counters stay in the sums."""
        with contextlib.suppress(OSError):
            mark_process_dead(pid, self.kids.env[MULTIPROC_ENV])

    @contextlib.contextmanager
    def _shared_metrics(self) -> Iterator[dict[str, str]]:
        """The children's environment with PROMETHEUS_MULTIPROC_DIR, so the receivers'
        /metrics sums the worker's counters too: the operator's directory, emptied, else a
        private one removed at exit."""
        given = os.environ.get(MULTIPROC_ENV)
        shared = given or tempfile.mkdtemp(prefix="helpdesk-connector-metrics-")
        try:
            clear_shared_dir(shared)
            yield {**os.environ, MULTIPROC_ENV: shared}
        finally:
            if not given:
                shutil.rmtree(shared, ignore_errors=True)


def run(config_file: Path, host: str, port: int, threads: int, with_worker: bool) -> int:
    """`helpdesk-connector run`: serve at host:port with `threads` request threads, and run
    the worker beside (with_worker: `worker.embedded`)."""
    web_args = ["--host", host, "--port", str(port), "--threads", str(threads)]
    return Supervisor(config_file, web_args, with_worker).run()
