"""`helpdesk-connector worker`: the lanes and timers in a process of their own, woken by the
receivers' datagrams; started by hand (split mode) or by `run`, which supervises it."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading

from connector.assembly import build_connector
from connector.config import Config
from connector.logs import setup_logging
from connector.runner import Runner
from connector.wakeup import WakeListener, wake_path

log = logging.getLogger(__name__)

# Set by `run` (connector/supervisor.py) for the worker it starts: a pipe's write end, where
# the worker says it is up. Such a worker leaves /metrics to the receivers' (shared counters).
READY_FD_ENV = "HDC_WORKER_READY_FD"
# The wake-up listener hands a new event to its lane while other lanes run: threads switch
# every millisecond, not Python's default 5 ms, so the wake-up is not queued behind a lane's
# slice of the interpreter (webhook → effect, docs/BENCHMARKS.md).
SWITCH_INTERVAL = 0.001


def serve(config: Config) -> None:
    """Run the worker until SIGTERM or SIGINT; then the lanes finish the piece in hand and
    the claims still held go back to the store."""
    setup_logging(config.logging, config.secrets())
    sys.setswitchinterval(SWITCH_INTERVAL)
    runner = Runner(build_connector(config))
    ready_fd = os.environ.pop(READY_FD_ENV, None)
    if config.worker.metrics_port and ready_fd is None:  # split mode: its own /metrics
        runner.c.metrics.serve(config.worker.metrics_host, config.worker.metrics_port,
                               config.source)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    listener = WakeListener(wake_path(config), runner.wake)
    runner.receiving = listener.receiving  # a burst of webhooks: the lanes give way
    runner.start()
    listener.start()
    if ready_fd is not None:
        _say_ready(int(ready_fd))
    stop.wait()
    listener.stop()
    runner.stop()


def _say_ready(fd: int) -> None:
    """One line to `run` on the pipe it gave: the worker is up (a closed pipe without it: the
    worker died starting)."""
    with contextlib.suppress(OSError):  # `run` gone: nobody to tell
        os.write(fd, b"ready\n")
    with contextlib.suppress(OSError):
        os.close(fd)
