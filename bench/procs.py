"""Child processes of a benchmark: own process groups, logs in files, all killed on the way out."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parent.parent
PR_SET_PDEATHSIG = 1


class StartError(RuntimeError):
    """A server did not come up; the message names its log."""


def _death_signal() -> Callable[[], None] | None:
    """A preexec_fn that has the kernel SIGKILL the child when this process dies (Linux)."""
    name = ctypes.util.find_library("c")
    if not sys.platform.startswith("linux") or name is None:
        return None
    prctl = ctypes.CDLL(name, use_errno=True).prctl  # resolved here, not in the forked child

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return arm


_ARM = _death_signal()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Child:
    """One started process (leader of its own process group) and where its output goes."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None

    def tail(self, lines: int = 30) -> str:
        """The last lines of its log."""
        with contextlib.suppress(OSError, ValueError):  # ValueError: the log is closed
            self._log.flush()
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


class Processes:
    """Starts children in new sessions and kills every one of them (whole groups) on close."""

    def __init__(self, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self.log_dir = log_dir
        self.env = {**os.environ, **(env or {})}  # for every child
        self.children: list[Child] = []
        self.stopped: dict[str, str] = {}  # name → how it went, e.g. "exited on SIGTERM in 1.2 s"

    def spawn(self, name: str, args: Sequence[str], cwd: Path = REPO,
              env: dict[str, str] | None = None) -> Child:
        """Start `args` from the repository root (or `cwd`: another checkout; `env` added to
        its environment); stdout and
        stderr go to `<log_dir>/<name>.log`."""
        log_path = self.log_dir / f"{name}.log"
        log = log_path.open("ab")
        proc = subprocess.Popen(list(args), cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env={**self.env, **(env or {})}, preexec_fn=_ARM)
        child = Child(name, proc, log_path, log)
        self.children.append(child)
        return child

    def python(self, name: str, module: str, *args: str) -> Child:
        """`python -m module args…` with this interpreter."""
        return self.spawn(name, [sys.executable, "-m", module, *args])

    def stop(self, child: Child, grace: float = 5.0) -> None:
        """SIGTERM the child's group, SIGKILL it after `grace` seconds, then reap."""
        if child.alive():
            start = time.monotonic()
            _signal_group(child.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.proc.wait(grace)
            took = time.monotonic() - start
            self.stopped[child.name] = f"SIGKILLed after {took:.1f} s" if child.alive() else \
                f"exited on SIGTERM in {took:.1f} s"
        _signal_group(child.proc.pid, signal.SIGKILL)  # stragglers: gunicorn's worker etc.
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(10)
        child._log.close()
        if child in self.children:
            self.children.remove(child)

    def close(self) -> None:
        """Stop every child still registered, newest first."""
        for child in reversed(list(self.children)):
            self.stop(child, grace=3.0)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def wait_http(child: Child, port: int, path: str, timeout: float) -> float:
    """Poll GET `path` until it answers 200; seconds it took. StartError names the log."""
    start = time.monotonic()
    deadline = start + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not child.alive():
            raise StartError(f"{child.name} exited with {child.proc.returncode} before answering "
                             f"GET {path}; log: {child.log_path}\n{child.tail()}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return time.monotonic() - start
            last = f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exc:
            last = type(exc).__name__
        finally:
            conn.close()
        time.sleep(0.25)
    raise StartError(f"{child.name} did not answer GET {path} with 200 within {timeout:g} s "
                     f"(last: {last}); log: {child.log_path}\n{child.tail()}")


def shared_monotonic(tries: int = 3) -> bool:
    """True when time.monotonic() in a child process reads the same clock as in this one."""
    probe = [sys.executable, "-c", "import time; print(repr(time.monotonic()))"]
    for _ in range(tries):
        before = time.monotonic()
        out = subprocess.run(probe, capture_output=True, text=True, timeout=60, check=True)
        after = time.monotonic()
        if not before <= float(out.stdout) <= after:
            return False
    return True


@contextlib.contextmanager
def signals_as_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit here, so `finally` blocks still clean up."""
    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, _exit) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)

