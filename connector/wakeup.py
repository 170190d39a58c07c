"""Receivers wake a worker in another process: one datagram per stored batch on a Unix socket
the worker binds, naming the source. Best effort by design — a send never blocks an ack and
a lost datagram costs at most `worker.poll_interval_seconds`, the worker's poll still runs."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import socket
import stat
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from connector.config import Config
from connector.logs import every_so_often

log = logging.getLogger(__name__)

MAX_PATH = 107  # sockaddr_un's sun_path, less its terminating NUL (Linux)
MAX_NAME = 200  # a source name is short ("gitlab", "alerts"); more is no wake-up of ours
STOP_CHECK = 0.5  # seconds between the listener's looks at whether the worker stops
# A burst: BURST_WAKES wake-ups within BURST_SECONDS (30 webhooks a second and more). One
# webhook now and then is none: its lane takes it at once (webhook → effect stays short).
BURST_WAKES, BURST_SECONDS = 3, 0.1


def wake_path(config: Config) -> str:
    """Where the worker listens: `worker.wake_socket`, else beside the SQLite database (its
    data directory, `<database>.wake`), else — PostgreSQL, or a path too long for a socket —
    the temporary directory, named by the store, so processes of one store find each other."""
    if config.worker.wake_socket:
        return config.worker.wake_socket
    url = make_url(config.store.url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        beside = f"{database}.wake"
        if len(os.fsencode(beside)) <= MAX_PATH:
            return beside
    digest = hashlib.sha256(config.store.url.encode()).hexdigest()[:16]
    return str(Path(tempfile.gettempdir()) / f"helpdesk-connector-{digest}.wake")


class WakeSender:
    """The receivers' side: fire and forget, from any request thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setblocking(False)

    def __call__(self, source: str | None = None) -> None:
        with contextlib.suppress(OSError):  # no worker listening, or its queue is full: it polls
            self.sock.sendto((source or "").encode()[:MAX_NAME], self.path)

    def close(self) -> None:
        self.sock.close()


class WakeListener:
    """The worker's side: a thread that binds the socket and wakes the lanes of each source
    named in a datagram (an empty one: every inbox lane)."""

    def __init__(self, path: str, wake: Callable[[str | None], None]) -> None:
        self.path, self.wake = path, wake
        self.sock: socket.socket | None = None
        self.stopping = threading.Event()
        self.bound = 0
        self.recent: deque[float] = deque(maxlen=BURST_WAKES)  # when the last wake-ups came
        self.thread = threading.Thread(target=self._run, name="wake-listener", daemon=True)

    def receiving(self) -> bool:
        """Are the receivers answering a burst of webhooks? Then the worker's lanes rest
        between pieces of work (connector/runner.py, Pace), so the acks' writes come first."""
        recent = self.recent
        return len(recent) == BURST_WAKES and time.monotonic() - recent[0] < BURST_SECONDS

    def start(self) -> bool:
        """Bind and listen; False (said once in the log) when another process listens there
        already or the path cannot be bound — this worker then polls."""
        try:
            self.sock = _bind(self.path)
            self.bound = os.stat(self.path).st_ino  # the file is ours to remove while it is this
        except OSError as exc:
            log.warning("wake-ups: cannot listen at %s (%s); this worker polls every "
                        "worker.poll_interval_seconds", self.path, exc.strerror or exc)
            return False
        self.sock.settimeout(STOP_CHECK)
        self.thread.start()
        log.info("wake-ups: listening at %s", self.path)
        return True

    def stop(self) -> None:
        """Close the socket (the thread's recv ends) and remove the path, if still ours."""
        sock = self.sock
        if sock is None:
            return
        self.stopping.set()
        self.thread.join(STOP_CHECK * 4)
        with contextlib.suppress(OSError):  # a restarted worker may have bound it anew
            if os.stat(self.path).st_ino == self.bound:
                os.unlink(self.path)
        sock.close()
        self.sock = None

    def _run(self) -> None:
        sock = self.sock
        assert sock is not None  # started only once bound
        while not self.stopping.is_set():
            try:
                data = sock.recv(MAX_NAME)
            except TimeoutError:
                continue
            except OSError:
                every_so_often(log, "wake-ups: receiving failed; this worker polls",
                               exc_info=True)
                return
            self.recent.append(time.monotonic())
            self.wake(data.decode(errors="replace") or None)


def _bind(path: str) -> socket.socket:
    """A datagram socket bound at `path`; a stale socket file (nobody listening, left by a
    killed worker) is replaced, a live one is not (EADDRINUSE)."""
    if len(os.fsencode(path)) > MAX_PATH:
        raise OSError(errno.ENAMETOOLONG, f"longer than {MAX_PATH} bytes")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        if _stale(path):
            os.unlink(path)
        sock.bind(path)
    except OSError:
        sock.close()
        raise
    return sock


def _stale(path: str) -> bool:
    """A socket file at `path` that nobody receives on."""
    try:
        if not stat.S_ISSOCK(os.stat(path).st_mode):
            return False
    except FileNotFoundError:
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.connect(path)
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    finally:
        probe.close()
    return False
