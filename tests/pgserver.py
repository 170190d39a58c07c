"""A PostgreSQL server of a test's own (scripts/pg-throwaway), which the test may restart: the
shared one (HDC_TEST_POSTGRES_URL) serves every other test and must never go down."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from tests.processes import REPO

SCRIPT = REPO / "scripts" / "pg-throwaway"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started here (binaries missing, initdb failed)."""


class DedicatedPostgres:
    """Started by pg-throwaway (a watchdog stops it if the test process dies); `restart`
    stops and starts it on the same port and data, as an operator's restart would."""

    def __init__(self) -> None:
        start = (f'source "{SCRIPT}" && pg_throwaway_start {os.getpid()} >&2 && '
                 'echo "$PG_THROWAWAY_URL" && echo "$PG_THROWAWAY_DIR"')
        # Files, not pipes: what the script starts in the background may keep a pipe open.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            code = subprocess.run(["bash", "-c", start], stdout=out, stderr=err, timeout=180,
                                  check=False).returncode
            out.seek(0)
            err.seek(0)
            lines, said = out.read().split(), err.read().strip()
        if code != 0 or len(lines) != 2:
            raise PostgresUnavailable(said[-500:] or "pg-throwaway failed")
        self.url, self.dir = lines[0], Path(lines[1])

    def _pg_ctl(self, *args: str) -> None:
        bindir = (self.dir / "bindir").read_text().strip()
        command = [f"{bindir}/pg_ctl", "-D", str(self.dir / "data"), *args]
        if os.geteuid() == 0:  # pg-throwaway runs the server as the postgres user
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, cwd=self.dir, check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def restart(self, down_seconds: float = 0) -> None:
        """A fast shutdown (every connection cut, in-flight transactions rolled back), down
        for `down_seconds`, then the server again on its port."""
        port = (self.dir / "port").read_text().strip()
        self._pg_ctl("-m", "fast", "-w", "-t", "60", "stop")
        time.sleep(down_seconds)  # the outage itself: real time, not business time
        self._pg_ctl("-l", str(self.dir / "postgres.log"), "-o", f"-p {port}", "-w", "-t", "60",
                     "start")

    def stop(self) -> None:
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.dir)], timeout=120, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
