"""A PostgreSQL server of a test's own (scripts/pg-throwaway), which the test may restart: the
shared one (HDC_TEST_POSTGRES_URL) serves every other test and must never go down."""

from __future__ import annotations

import os
import subprocess
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
        done = subprocess.run(["bash", "-c", start], capture_output=True, text=True,
                              timeout=180, check=False)
        lines = done.stdout.split()
        if done.returncode != 0 or len(lines) != 2:
            raise PostgresUnavailable(done.stderr.strip()[-500:] or "pg-throwaway failed")
        self.url, self.dir = lines[0], Path(lines[1])

    def _pg_ctl(self, *args: str) -> None:
        bindir = (self.dir / "bindir").read_text().strip()
        command = [f"{bindir}/pg_ctl", "-D", str(self.dir / "data"), *args]
        if os.geteuid() == 0:  # pg-throwaway runs the server as the postgres user
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, cwd=self.dir, check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def restart(self) -> None:
        """A fast shutdown (every connection cut, in-flight transactions rolled back), then
        the server again on its port."""
        port = (self.dir / "port").read_text().strip()
        self._pg_ctl("-m", "fast", "-w", "-t", "60", "stop")
        self._pg_ctl("-l", str(self.dir / "postgres.log"), "-o", f"-p {port}", "-w", "-t", "60",
                     "start")

    def stop(self) -> None:
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.dir)], timeout=120, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
